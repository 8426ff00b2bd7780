"""`pml.syntax.scanner` splits text exactly as the grammar's terminals do, in linear memory."""

from __future__ import annotations

import re
import time
import tracemalloc
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.lark import from_lark
from lark.exceptions import UnexpectedCharacters

import pml
from pml.syntax.parser import decode_entity, grammar_parser, open_tags_in, parse
from pml.syntax.scanner import Raw, ScanError, scan

_GRAMMAR = grammar_parser()

MARKUP = st.sampled_from([
    *list("<>/=\"' \n\t\fabp{}&#;!-?[]x\\"), "--", "->", "]]", "<p", "</p>", "<p>", "<br/>", "{{", "}}", "<!--", "-->",
    "<![CDATA[", "]]>", "<?", "?>", "<!DOCTYPE", "<!doctype", "&amp;", "&#65;", "&#x4A;", "&#", "&x", " a=\"v\"",
    " b='w'", "é", "日",
])


def _grammar_tokens(text: str) -> list[Raw] | int:
    """Lark's own lexer over the grammar's terminals: the tokens, or where it stops."""
    try:
        return [(t.type, str(t), t.start_pos or 0, t.end_pos or 0) for t in _GRAMMAR.lex(text)]
    except UnexpectedCharacters as exc:
        return int(exc.pos_in_stream)


def _scanned(text: str) -> list[Raw] | int:
    try:
        return list(scan(text))
    except ScanError as exc:
        return exc.pos


def _agree(text: str) -> None:
    assert _scanned(text) == _grammar_tokens(text), repr(text)


@settings(max_examples=600, deadline=None)
@given(st.lists(MARKUP, max_size=40).map("".join))
def test_the_scanner_splits_markup_like_text_as_the_grammar_does(text: str) -> None:
    _agree(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_the_scanner_splits_any_text_as_the_grammar_does(text: str) -> None:
    _agree(text)


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(from_lark(_GRAMMAR, start="start"))
def test_the_scanner_splits_generated_documents_as_the_grammar_does(text: str) -> None:
    _agree(text)


@pytest.mark.parametrize("text", [
    "{{ 'a }}' }}", "{{ \"a\\\"}}\" }}", "{{ 'unclosed }}", "{{ a }}}", "{{}}", "{{ '\\", "a{b{{c}}",
    "<p a='1'b='2'>", "<p\fa=\"1\"/>", "<p a = \"1\" >", "<p a>", "<p a=1>", "</p >", "</ p>",
    "<!-->-->", "<!--->", "<?>?>", "<![CDATA[]>]]>",
    "<!---->", "<![CDATA[]]]>", "<?x?>", "<!DOCTYPE x>", "<!doctypex", "&#x;", "&#12a;", "&a1;", "& b",
    "<p " + " ".join(f'a{i}="{i}"' for i in range(12)) + ">",
    "<p " + " ".join(f'a{i}="{i}"' for i in range(12)) + " x=>",
])
def test_edge_cases_agree(text: str) -> None:
    _agree(text)


# The scan open_tags_in did with a regular expression before `scanner.loose_tags`.
_REFERENCE = re.compile(
    r"<!--.*?(?:-->|$)|<!\[CDATA\[.*?(?:\]\]>|$)|<\?.*?(?:\?>|$)|\{\{.*?(?:\}\}|$)"
    r"|<(/?)([A-Za-z_][\w.\-:]*)((?:\s+[^\s=/>]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'))?)*)\s*(/?)>",
    re.S,
)


def _reference_open_tags(text: str) -> tuple[list[tuple[str, int]], tuple[str, int, str, int, int] | None]:
    from pml.syntax.nodes import normalize_name

    stack: list[tuple[str, int]] = []
    mismatch = None
    for match in _REFERENCE.finditer(text):
        name = match.group(2)
        if not name:
            continue
        if match.group(1):
            if stack:
                opened, at = stack.pop()
                if mismatch is None and normalize_name(opened) != normalize_name(name):
                    mismatch = (name, match.start(), opened, at, match.end())
        elif not match.group(4):
            stack.append((name, match.start()))
    return stack, mismatch


@settings(max_examples=600, deadline=None)
@given(st.lists(MARKUP, max_size=40).map("".join))
def test_open_tags_in_scans_as_the_regular_expression_did(text: str) -> None:
    # The reference's `$` also matches before a final newline; the texts differ only there.
    if text.endswith("\n"):
        text += "."
    assert open_tags_in(text) == _reference_open_tags(text)


# ------------------------------------------------------------------ memory and time

SIZE = 2_000_000
BIG: dict[str, Callable[[], str]] = {
    "text run": lambda: "<poml><p>" + "a" * SIZE + "</p></poml>",
    "text with stray & and {": lambda: "<poml><p>" + "a&{" * (SIZE // 3) + "</p></poml>",
    "entities": lambda: "<poml><p>" + "&amp;" * (SIZE // 5) + "</p></poml>",
    "unknown entities": lambda: "<poml><p>" + "&bogus;" * (SIZE // 7) + "</p></poml>",
    "comment": lambda: "<poml><!--" + "a-" * (SIZE // 2) + "--></poml>",
    "CDATA": lambda: "<poml><p><![CDATA[" + "a]" * (SIZE // 2) + "]]></p></poml>",
    "prolog": lambda: "<?xml " + "a?" * (SIZE // 2) + "?><poml>x</poml>",
    "attribute value": lambda: '<poml><p caption="' + "a" * SIZE + '">x</p></poml>',
    "expression in an attribute": lambda: "<poml><p caption=\"{{ '" + "a" * SIZE + "' }}\">x</p></poml>",
    "expression": lambda: "<poml><p>{{ '" + "a}" * (SIZE // 2) + "' }}</p></poml>",
    "expression with braces": lambda: "<poml><p>{{ " + "a}" * (SIZE // 2) + " }}</p></poml>",
    "unclosed expression": lambda: "<poml><p>{{ " + "a" * SIZE,
    "unclosed comment": lambda: "<poml><!-- " + "a" * SIZE,
    "unclosed tag": lambda: '<poml><p a="' + "a" * SIZE + '"',
    "unclosed element": lambda: "<poml><p>" + "a" * SIZE,
}


@pytest.mark.parametrize("kind", sorted(BIG))
def test_one_long_token_parses_in_a_small_multiple_of_its_size(kind: str) -> None:
    text = BIG[kind]()
    tracemalloc.start()
    try:
        try:
            parse(text)
        except pml.PMLSyntaxError as error:
            assert error.span is not None
            assert len(str(error)) < 40_000  # at most max_diagnostics excerpts of one window each
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # Before the scanner, these cost about 120 bytes per character.
    assert peak < 6 * len(text), f"{peak / len(text):.1f} bytes per character"


def test_unclosed_braces_in_an_attribute_value_cost_one_pass() -> None:
    # A retrying search would scan the rest of the value from every `{{`: 10^11 steps here.
    text = "<poml><p caption=\"" + "{{'" * 300_000 + "\">x</p></poml>"
    start = time.perf_counter()
    with pytest.raises(pml.PMLSyntaxError) as info:
        parse(text)
    assert time.perf_counter() - start < 10
    assert info.value.message == "unclosed expression: `{{` has no matching `}}`"
    assert (info.value.line, info.value.column) == (1, 19)


@pytest.mark.parametrize(("entity", "value"), [
    ("&#65;", "A"), ("&#x41;", "A"), ("&#0000065;", "A"), ("&#x10FFFF;", "\U0010ffff"), ("&#x110000;", None),
    ("&#" + "9" * 5000 + ";", None), ("&#x" + "f" * 5000 + ";", None), ("&#" + "0" * 5000 + "65;", "A"),
    ("&#0;", None), ("&#9;", "\t"), ("&#10;", "\n"), ("&#13;", "\r"), ("&#12;", "\f"), ("&#11;", None),
    ("&#xD800;", None), ("&#xFFFE;", None), ("&#127;", "\x7f"), ("&amp;", "&"), ("&bogus;", None),
])
def test_numeric_entities_name_characters_markup_can_hold(entity: str, value: str | None) -> None:
    assert decode_entity(entity) == value
