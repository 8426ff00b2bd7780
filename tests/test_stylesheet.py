"""Reading stylesheets: CSS syntax, POML's JSON form, selectors and properties.

Most cases are data in tests/cases/styles/: sheets.txt (syntax, values, warnings, recovery),
css-syntax.txt (escapes, comments, `!important`, at-rules, nesting and recovery as CSS reads them),
json-equivalence.txt (the JSON form reads to the same rules as its CSS translation) and
specificity.txt (the specificity table).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import casefiles
import pytest
from casefiles import Case
from hypothesis import given, settings
from hypothesis import strategies as st

from pml.errors import Diagnostic
from pml.resources import resource_path
from pml.style.properties import lookup_property, property_info, property_names
from pml.style.stylesheet import (
    ORIGIN_CALLER,
    ORIGIN_DEFAULT,
    Declaration,
    Rule,
    Stylesheet,
    ValueSyntaxError,
    default_stylesheet,
    load_stylesheet,
    parse_css,
    parse_json_stylesheet,
    parse_selector,
    read_value,
)
from pml.syntax.source import Source

CASES = Path(__file__).parent / "cases" / "styles"

# ---- Components the cases use (the real ones when `pml.components` registered them) ----------

import pml.components  # noqa: E402,F401  (registers the real component catalog)

# ---- Case files ---------------------------------------------------------------------------------


def case_params(name: str) -> list[Any]:
    return casefiles.case_params(CASES / name)


def read_sheet(kind: str, body: str) -> Stylesheet:
    if kind == "json":
        return parse_json_stylesheet(body, Source(body, "style.json"))
    return parse_css(body, Source(body, "style.pss"))


def warning_lines(diagnostics: tuple[Diagnostic, ...]) -> list[str]:
    lines = []
    for d in diagnostics:
        assert (d.severity, d.code) == ("warning", "style")
        lines.append(f"{d.span}: {d.message}")
        if d.hint:
            lines.append(f"  hint: {d.hint}")
    return lines


def sheet_sections(case: Case) -> list[Stylesheet]:
    return [read_sheet(kind, body) for kind, _, body in case.sections if kind in ("css", "json")]


@pytest.mark.parametrize("case", case_params("sheets.txt") + case_params("css-syntax.txt"))
def test_sheet_case(case: Case) -> None:
    (sheet,) = sheet_sections(case)
    assert warning_lines(sheet.diagnostics) == (case.body("warnings") or "").splitlines()
    assert [str(rule) for rule in sheet.rules] == (case.body("rules") or "").splitlines()


@pytest.mark.parametrize("case", case_params("json-equivalence.txt"))
def test_json_form_means_its_css_translation(case: Case) -> None:
    css, data = sheet_sections(case)
    assert not css.diagnostics and not data.diagnostics
    assert [str(rule) for rule in css.rules] == (case.body("rules") or "").splitlines()
    assert css.rules == data.rules
    assert parse_json_stylesheet(json.loads(case.body("json") or "")).rules == css.rules


def _specificity_rows() -> list[Any]:
    rows = []
    lines = (CASES / "specificity.txt").read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, 1):
        if line.strip() and not line.startswith("#"):
            written, canonical, numbers = (part.strip() for part in line.split("::"))
            expected = tuple(int(n) for n in numbers.split())
            rows.append(pytest.param(written, canonical, expected, id=f"specificity:{number}"))
    return rows


@pytest.mark.parametrize(("written", "canonical", "expected"), _specificity_rows())
def test_specificity(written: str, canonical: str, expected: tuple[int, int, int]) -> None:
    selectors, diagnostics = parse_selector(written)
    assert [d.message for d in diagnostics if "unknown tag" not in d.message] == []
    (selector,) = selectors
    assert str(selector) == canonical
    assert selector.specificity == expected


# ---- Positions ----------------------------------------------------------------------------------


def test_spans_point_into_the_enclosing_document() -> None:
    document = '<poml>\n  <style>\n    list { lisst-style: star; }\n  </style>\n</poml>\n'
    start = document.index("<style>") + len("<style>")
    body = document[start : document.index("</style>")]
    source = Source(document, "doc.pml")
    sheet = parse_css(body, source, start)
    (warning,) = sheet.diagnostics
    assert str(warning.span) == "doc.pml:3:12"
    assert warning.span is not None
    assert warning.span.excerpt().splitlines()[1].strip() == "^" * len("lisst-style")
    assert [str(rule) for rule in sheet.rules] == ["list { }"]


def test_rule_and_declaration_spans() -> None:
    text = "\ncp list {\n  caption: x !important;\n}"
    sheet = parse_css(text, Source(text, "s.pss"))
    (rule,) = sheet.rules
    assert str(rule.span) == "s.pss:2:1"
    assert rule.span is not None and (rule.span.end_line, rule.span.end_column) == (4, 2)
    (declaration,) = rule.declarations
    assert str(declaration.span) == "s.pss:3:3"
    assert declaration == Declaration("caption", "x", True)


def test_spans_count_cr_lf_as_one_line_end() -> None:
    text = "list {\r\n  lisst: x;\r\n  caption: {\"a\": tru}\r\n}"
    sheet = parse_css(text, Source(text, "s.pss"))
    unknown, bad_json = sheet.diagnostics
    assert unknown.span is not None and unknown.span.start == text.index("lisst")
    assert bad_json.span is not None and bad_json.span.start == text.index("tru")
    assert [str(rule) for rule in sheet.rules] == ["list { }"]


def test_a_selector_list_makes_one_rule_per_selector() -> None:
    text = "task, .imp > item { caption: x }"
    first, second = parse_css(text, Source(text, "s.pss")).rules
    assert (first.order, second.order) == (0, 0)
    assert first.declarations is second.declarations
    assert (first.selector.specificity, second.selector.specificity) == ((0, 0, 1), (0, 1, 1))


def test_parse_selector_reports_problems() -> None:
    assert parse_selector("cp >")[0] == ()
    assert [d.message for d in parse_selector("cp {")[1]] == [
        "invalid selector `cp {`: unexpected `{`; rule ignored"
    ]


# ---- Values -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ('"quoted"', "quoted"),
        ("'single'", "single"),
        ('"a\\"b\\u00e9"', 'a"bé'),
        ("42", 42),
        ("-0.5", -0.5),
        ("+3", 3),
        ("2e2", 200.0),
        ("true", True),
        ("False", False),
        ("null", None),
        ('{"a": [1, 2]}', {"a": [1, 2]}),
        ("[]", []),
        ("  two words  ", "two words"),
        ("12px", "12px"),
        ('"a" "b"', '"a" "b"'),
    ],
)
def test_read_value(written: str, value: Any) -> None:
    assert read_value(written) == value
    assert type(read_value(written)) is type(value)


def test_read_value_reports_bad_json() -> None:
    with pytest.raises(ValueSyntaxError) as caught:
        read_value('{"a": tru}')
    assert (caught.value.message, caught.value.position) == ("Expecting value", 6)


# ---- Files, resources and properties ------------------------------------------------------------


def test_load_stylesheet_picks_the_syntax_by_extension(tmp_path: Path) -> None:
    (tmp_path / "a.pss").write_text("list { list-style: star }", encoding="utf-8")
    (tmp_path / "b.css").write_text("list { list-style: star }", encoding="utf-8")
    (tmp_path / "c.json").write_text('{"list": {"listStyle": "star"}}', encoding="utf-8")
    sheets = [load_stylesheet(tmp_path / name, origin=ORIGIN_CALLER) for name in ("a.pss", "b.css", "c.json")]
    assert all(sheet.rules == sheets[0].rules and sheet.origin == ORIGIN_CALLER for sheet in sheets)
    assert [str(rule) for rule in sheets[0].rules] == ['list { listStyle: "star" }']


def test_load_stylesheet_points_warnings_at_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{\n  "list": {"listStyle": "star", "bogus": 1}\n}', encoding="utf-8")
    (warning,) = load_stylesheet(path).diagnostics
    assert warning.span is not None
    assert (warning.span.file, warning.span.line, warning.span.column) == (str(path), 2, 33)


def test_the_default_stylesheet_is_a_resource_read_once() -> None:
    assert resource_path("stylesheets", "default.pss").is_file()
    sheet = default_stylesheet()
    assert sheet is default_stylesheet()
    assert sheet.origin == ORIGIN_DEFAULT and not sheet.diagnostics
    assert "role { caption: \"Role\"" in "\n".join(str(rule) for rule in sheet.rules)


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("caption-style", "captionStyle"),
        ("captionStyle", "captionStyle"),
        ("CAPTION_STYLE", "captionStyle"),
        ("list-style", "listStyle"),
        ("writer-options", "writerOptions"),
        ("class", "className"),
        ("nonsense", None),
    ],
)
def test_lookup_property(written: str, canonical: str | None) -> None:
    assert lookup_property(written) == canonical


def test_property_facts() -> None:
    syntax = property_info("syntax")
    assert syntax is not None and not syntax.inherited and syntax.styleable
    assert "renderer" in syntax.note
    assert all(not info.inherited for info in [property_info(n) for n in property_names()] if info)
    assert property_info("if") is not None and not property_info("if").styleable  # type: ignore[union-attr]
    assert "caption-style" in property_names(kebab=True)
    assert "className" not in property_names()


# ---- Properties ---------------------------------------------------------------------------------

_CSS_PIECES = [*"{}[]():;,.#>*=~^$|!\"'/\\ \n\t-_@aAlistcp0123",
               "list", "caption", "important", "/*", "*/", "cp", '{"a": 1}']
_CSS_ALPHABET = st.sampled_from(_CSS_PIECES)


def _assert_clean(sheet: Stylesheet, source: Source, offset: int, length: int) -> None:
    for d in sheet.diagnostics:
        assert d.span is not None
        assert d.span.line >= 1 and d.span.column >= 1
        assert offset <= d.span.start <= offset + length
        assert d.severity == "warning"


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_reads_without_raising(text: str) -> None:
    sheet = parse_css(text, Source(text, "fuzz.pss"))
    _assert_clean(sheet, Source(text), 0, len(text))


@settings(max_examples=400, deadline=None)
@given(st.lists(_CSS_ALPHABET, max_size=40).map("".join), st.text(max_size=5))
def test_css_like_text_reads_without_raising(text: str, before: str) -> None:
    document = before + text + "</style>"
    source = Source(document, "fuzz.pml")
    sheet = parse_css(text, source, len(before))
    _assert_clean(sheet, source, len(before), len(text))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30))
def test_any_json_text_reads_without_raising(text: str) -> None:
    sheet = parse_json_stylesheet(text, Source(text, "fuzz.json"))
    assert all(d.span is None or (d.span.line >= 1 and d.span.column >= 1)
               for d in sheet.diagnostics)


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)


# Text properties take text, numbers and booleans; `data` and `content` take any JSON value.
_TEXT_VALUES = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) \
    | st.text()


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["caption", "captionSerialized", "lang", "name"]), _TEXT_VALUES, st.booleans())
        | st.tuples(st.sampled_from(["data", "content"]), _JSON_VALUES, st.booleans()),
        max_size=4,
    )
)
def test_rules_read_back_from_their_canonical_css(
    declarations: list[tuple[str, Any, bool]],
) -> None:
    (selector,), _ = parse_selector("cp > list.steps[kind='a b']")
    rule = Rule(selector, tuple(Declaration(n, v, i) for n, v, i in declarations), 0)
    text = str(rule)
    sheet = parse_css(text, Source(text, "round.pss"))
    assert not sheet.diagnostics
    assert sheet.rules == (rule,)
