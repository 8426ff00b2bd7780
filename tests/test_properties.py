"""Hypothesis properties of the parser and the renderer."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.lark import from_lark

import pml
from pml.syntax.parser import _FORBIDDEN, grammar_parser, parse

MARKUP_ALPHABET = st.sampled_from(
    [*list("<>/=\"' \n\tabp{}&#;!-?[]x"), "<p>", "</p>", "{{", "}}", "<!--", "-->", "&amp;", "<br/>"]
)


def _check_position(text: str, error: pml.PMLSyntaxError) -> None:
    assert error.diagnostics, "a syntax error carries at least one diagnostic"
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # positions are in the normalized text
    lines = text.count("\n") + 1
    for d in error.diagnostics:
        assert d.span is not None
        assert 1 <= d.span.line <= lines
        assert d.span.column >= 1
        assert d.span.column <= len(text.split("\n")[d.span.line - 1]) + 1
        assert str(d.span).startswith("<string>:")


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=80))
def test_any_text_parses_or_raises_a_located_syntax_error(text: str) -> None:
    try:
        parse(text)
    except pml.PMLSyntaxError as error:
        _check_position(text, error)


@settings(max_examples=400, deadline=None)
@given(st.lists(MARKUP_ALPHABET, max_size=40).map("".join))
def test_markup_like_text_parses_or_raises_a_located_syntax_error(text: str) -> None:
    try:
        parse(text)
    except pml.PMLSyntaxError as error:
        _check_position(text, error)


_GRAMMAR = grammar_parser()
_WORDS = st.sampled_from(["p", "span", "list", "item", "b", "task", "cp"])
_ATTRS = st.lists(st.sampled_from([' caption="x"', " class='a b'", ' if="{{ x }}"', " inline", "\n  id = \"i\""]),
                  max_size=3).map("".join)


# Terminals the generator would otherwise fill with unreadable text.
_EXPLICIT = {
    "OPEN_TAG": st.builds(lambda n, a: f"<{n}{a}>", _WORDS, _ATTRS),
    "EMPTY_TAG": st.builds(lambda n, a: f"<{n}{a}/>", _WORDS, _ATTRS),
    "CLOSE_TAG": _WORDS.map(lambda w: f"</{w}>"),
    "TEXT": st.text(alphabet="ab \n.#", min_size=1, max_size=6),
    "EXPRESSION": st.just("{{ x }}"),
    "ENTITY": st.sampled_from(["&amp;", "&lt;", "&#65;", "&#x41;", "&nbsp;"]),
}


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(from_lark(_GRAMMAR, start="start", explicit=_EXPLICIT))
def test_grammar_generated_documents_parse_or_fail_only_on_mismatched_tags(text: str) -> None:
    try:
        parse(text)
    except pml.PMLSyntaxError as error:
        # The grammar's terminals admit any character; the characters markup cannot hold
        # (control characters, lone surrogates) are refused before tokens are read.
        assert all("closes" in d.message or _refused(d) for d in error.diagnostics), str(error)


def _refused(diagnostic: pml.Diagnostic) -> bool:
    span = diagnostic.span
    assert span is not None
    return _FORBIDDEN.fullmatch(span.source.text[span.start : span.end]) is not None


TEMPLATES = [
    "<poml><p>{{ v }}</p></poml>",
    "<poml><task>Do this: {{ v }}</task><p>after</p></poml>",
    "<poml><cp caption=\"Data\"><p>{{ v }}</p></cp></poml>",
    "<poml><code inline=\"false\">{{ v }}</code></poml>",
    "<poml><system-msg>Rules</system-msg><human-msg>{{ v }}</human-msg></poml>",
    "<poml><hint>{{ v }}</hint></poml>",
    "Free text: {{ v }}",
    "<poml><p for=\"x in [1]\">{{ v }}</p></poml>",
]


@pytest.mark.parametrize("template", TEMPLATES)
@settings(max_examples=150, deadline=None)
@given(value=st.text(min_size=1, max_size=60).filter(lambda s: s.strip()))
def test_context_strings_appear_verbatim(template: str, value: str) -> None:
    prompt = pml.loads(template)
    rendered = prompt.render({"v": value})
    assert any(value in m.content for m in rendered.messages), rendered.messages


@settings(max_examples=150, deadline=None)
@given(value=st.text(alphabet="<>/&;{}#\"' abp", min_size=1, max_size=40).filter(lambda s: s.strip()))
def test_markup_in_data_stays_data(value: str) -> None:
    rendered = pml.loads("<poml><p>A {{ v }} B</p></poml>").render({"v": value})
    assert rendered.messages[0].content == f"A {value} B"


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet="ab \n", max_size=30))
def test_rendering_is_deterministic(text: str) -> None:
    prompt = pml.loads("<poml><p>{{ v }}</p><list><item for=\"x in xs\">{{ x }}</item></list></poml>")
    context = {"v": text, "xs": [text, "y"]}
    assert prompt.render(context).to_openai() == prompt.render(context).to_openai()


def _both_paths(text: str) -> None:
    """The fast path and the LALR parser build equal ASTs (or both reject the text)."""
    from pml.syntax.parser import _BUILDER, _fast_nodes, parse_with_lark
    from pml.syntax.source import Source

    try:
        slow = parse_with_lark(text)
    except Exception:
        slow = None
    state = _BUILDER.state
    state.source = Source(text.replace("\r\n", "\n").replace("\r", "\n"))
    state.problems = []
    fast = _fast_nodes(state.source.text)
    if fast is None:
        assert slow is None, f"the fast path gave up on text the grammar accepts: {text!r}"
    else:
        assert slow is not None and fast == slow
        assert _located(fast) == _located(slow), "the fast path and the grammar place nodes differently"


def _located(nodes: Any) -> Any:
    """Nodes as plain data with their spans (which node equality leaves out)."""
    from pml.syntax.nodes import Attribute, Element

    def place(span: Any) -> Any:
        return None if span is None else (span.start, span.end)

    if isinstance(nodes, (list, tuple)):
        return [_located(node) for node in nodes]
    if isinstance(nodes, Element):
        return [nodes.tag, place(nodes.span), place(nodes.name_span), _located(nodes.attributes),
                _located(nodes.children)]
    if isinstance(nodes, Attribute):
        return [nodes.name, place(nodes.span), place(nodes.value_span), _located(nodes.parts)]
    return [repr(nodes), place(nodes.span)]


@settings(max_examples=300, deadline=None)
@given(st.lists(MARKUP_ALPHABET, max_size=40).map("".join))
def test_fast_path_equals_the_grammar_on_markup_like_text(text: str) -> None:
    _both_paths(text)


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(from_lark(_GRAMMAR, start="start", explicit=_EXPLICIT))
def test_fast_path_equals_the_grammar_on_generated_documents(text: str) -> None:
    _both_paths(text)
