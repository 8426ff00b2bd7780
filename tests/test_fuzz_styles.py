"""Random stylesheets: every sheet reads, and every prompt styled by it renders or fails located.

Sheets come three ways: CSS-shaped text built from real selectors, properties and values;
random text over the characters CSS is made of; and POML's JSON form with random keys and
values. Each is given as a `<style>` element, as the SDK's `stylesheet=` and, for JSON, as a
`<stylesheet>` element. Problems in a sheet are located warnings; the only other outcome allowed
is a `PMLError` whose diagnostics all carry a location.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pml
from pml.style.properties import property_names

_DOCUMENT = """<poml>
  {style}
  <role class="a">You are {{{{ name }}}}.</role>
  <task id="t">Do <b>this</b>.</task>
  <cp caption="Data" class="a b"><list><item>one</item><item data-x="1">two</item></list></cp>
  <table records="{{{{ rows }}}}"/>
  <human-msg>{{{{ question }}}}</human-msg>
</poml>"""

_CONTEXT = {"name": "Ada", "rows": [{"a": 1, "b": "x"}], "question": "Why?"}

_TYPES = ["role", "task", "cp", "list", "item", "table", "b", "p", "human-msg", "poml", "*", "document", "img"]
_SIMPLE = st.one_of(
    st.sampled_from(_TYPES),
    st.sampled_from([".a", ".b", "#t", "[data-x]", "[data-x='1']", "[caption^=D]", ":root", "::before"]),
    st.text(alphabet="abc.#[]=:*>+~ \\'\"", min_size=1, max_size=6),
)
_SELECTOR = st.lists(st.tuples(_SIMPLE, st.sampled_from([" ", " > ", "", " + ", ", "])), min_size=1, max_size=4).map(
    lambda parts: "".join(s + c for s, c in parts).strip() or "*"
)
_PROPERTY = st.one_of(st.sampled_from(property_names(kebab=True)), st.sampled_from(property_names()),
                      st.text(alphabet="abz-_", min_size=1, max_size=8))
_VALUE = st.one_of(
    st.sampled_from(["markdown", "xml", "json", "yaml", "text", "html", "true", "false", "0", "-1", "3",
                     "1e400", "'x'", '"y"', "decimal", "header", "bold", "none", "{}", "[]", "null",
                     "'a\\'b'", "url(x)", "!important", "#fff", "\\", "'", "\"", "10px", "{{ name }}"]),
    st.text(alphabet="ab 01-'\"{}[];:!\\", max_size=10),
)
_DECLARATION = st.builds(lambda p, v, i: f"{p}: {v}{' !important' if i else ''}", _PROPERTY, _VALUE, st.booleans())
_RULE = st.builds(lambda s, ds, close: f"{s} {{ {'; '.join(ds)}{' }' if close else ''}", _SELECTOR,
                  st.lists(_DECLARATION, max_size=4), st.booleans())
_CSS = st.one_of(
    st.lists(_RULE, max_size=5).map("\n".join),
    st.text(alphabet="abp.#{}:;!/*'\"\\@()[]>,- \n", max_size=80),
    st.lists(st.one_of(_RULE, st.sampled_from(["/*", "*/", "@media x {", "}", "{", "'", "\\"])),
             max_size=6).map(" ".join),
)
_JSON_VALUE: st.SearchStrategy[Any] = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=True), _VALUE,
    st.lists(st.integers(0, 3), max_size=2),
)
_JSON_SHEET = st.dictionaries(
    st.one_of(_SELECTOR, st.text(max_size=5)),
    st.one_of(st.dictionaries(_PROPERTY, _JSON_VALUE, max_size=4), _JSON_VALUE),
    max_size=4,
)


def _outcome(run: Any, *, located_warnings: bool = True) -> None:
    """Run a compile and render; a `PMLError` is allowed only with a location on its diagnostics.

    A stylesheet handed over as a Python dict has no text to point into, so its warnings may go
    without a location; its errors may not.
    """
    try:
        run()
    except pml.PMLError as error:
        assert error.diagnostics
        for d in error.diagnostics:
            if d.severity == "error" or located_warnings:
                assert d.span is not None, f"unlocated: {d.format()}"


def _render(prompt: pml.Prompt) -> None:
    rendered = prompt.render(_CONTEXT)
    rendered.to_openai()
    rendered.to_anthropic()
    rendered.to_format("text")


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(_CSS)
def test_a_style_element_with_any_css_renders_or_fails_located(css: str) -> None:
    markup = _DOCUMENT.format(style=f"<style>{css.replace('<', ' ').replace('&', ' ')}</style>")
    _outcome(lambda: _render(pml.loads(markup)))


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(_CSS)
def test_any_css_given_to_the_sdk_renders_or_fails_located(css: str) -> None:
    markup = _DOCUMENT.format(style="")
    _outcome(lambda: _render(pml.loads(markup, stylesheet=css + "\n")))


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(_JSON_SHEET)
def test_any_json_stylesheet_renders_or_fails_located(sheet: dict[str, Any]) -> None:
    text = json.dumps(sheet).replace("<", "\\u003c").replace("&", "\\u0026")
    markup = _DOCUMENT.format(style=f"<stylesheet>{text}</stylesheet>")
    _outcome(lambda: _render(pml.loads(markup)))
    _outcome(lambda: _render(pml.loads(_DOCUMENT.format(style=""), stylesheet=sheet)), located_warnings=False)
