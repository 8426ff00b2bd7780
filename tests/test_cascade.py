"""The cascade: which declarations apply to which element (pml/cascade.py).

Most cases are data: tests/cases/styles/cascade.txt holds stylesheets, a markup snippet and the
styles that result. Element trees are built from the snippets with the standard XML parser, so
these tests do not depend on PML's own markup parser.
"""

from __future__ import annotations

import json
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import casefiles
import pytest
from casefiles import Case
from hypothesis import given, settings
from hypothesis import strategies as st

from pml.compile.compiler import Compiler
from pml.compile.program import walk
from pml.errors import Diagnostic, PMLCompileError
from pml.registry import REGISTRY
from pml.style.cascade import ComputedStyle, Matcher, StyleTarget, compute_styles
from pml.style.stylesheet import Stylesheet, default_stylesheet, parse_css, parse_json_stylesheet, parse_selector
from pml.syntax.nodes import Attribute, Document, Element, Expr, Text
from pml.syntax.source import Source

CASES = Path(__file__).parent / "cases" / "styles"

# ---- Components the cases use (the real ones when `pml.components` registered them) ----------

import pml.components  # noqa: E402,F401  (registers the real component catalog)

# ---- Element trees from XML snippets ------------------------------------------------------------


def element_tree(markup: str) -> Element:
    """An Element tree for an XML snippet; `{{ … }}` in an attribute value is an expression."""
    source = Source(markup, "case.pml")
    return _element(ET.fromstring(markup), source)


def _element(node: ET.Element, source: Source) -> Element:
    span = source.span(0, 0)
    attributes = tuple(
        Attribute(name, _parts(value, source), value, span) for name, value in node.attrib.items()
    )
    children: list[Element | Text] = []
    if node.text and node.text.strip():
        children.append(Text(node.text, span))
    children.extend(_element(child, source) for child in node)
    return Element(node.tag, attributes, tuple(children), span)


def _parts(value: str, source: Source) -> tuple[Text | Expr, ...]:
    span = source.span(0, 0)
    if "{{" in value:
        return (Expr(value.strip().strip("{}").strip(), span),)
    return (Text(value, span),)


def locate(root: Element) -> dict[str, Element]:
    """Every element by tag path: `poml/list[2]` is the second `<list>` child of `<poml>`."""
    found = {root.tag: root}
    pending = [(root.tag, root)]
    while pending:
        path, element = pending.pop()
        seen: dict[str, int] = {}
        for child in element.children:
            if isinstance(child, Element):
                seen[child.tag] = seen.get(child.tag, 0) + 1
                suffix = f"[{seen[child.tag]}]" if seen[child.tag] > 1 else ""
                child_path = f"{path}/{child.tag}{suffix}"
                found[child_path] = child
                pending.append((child_path, child))
    return found


def written_attributes(element: Element) -> dict[str, str]:
    return {a.name: a.text for a in element.attributes if a.is_static}


def styled(style: ComputedStyle, element: Element) -> dict[str, Any]:
    """The styled properties of an element after the caller's merge."""
    merged = style.merge(written_attributes(element))
    return {name: merged[name] for name in {**style.normal, **style.important}}


# ---- Case files ---------------------------------------------------------------------------------


def case_params(name: str) -> list[Any]:
    return casefiles.case_params(CASES / name)


_READERS = {
    "css": lambda body, origin: parse_css(body, Source(body, "style.pss"), 0, origin),
    "json": lambda body, origin: parse_json_stylesheet(body, Source(body, "style.json"), 0, origin),
}


def case_sheets(case: Case) -> list[Stylesheet]:
    return [
        _READERS[kind](body, int(argument or 1))
        for kind, argument, body in case.sections
        if kind in _READERS
    ]


def warning_lines(diagnostics: Iterator[Diagnostic] | list[Diagnostic]) -> list[str]:
    lines = []
    for d in diagnostics:
        lines.append(f"{d.span}: {d.message}")
        if d.hint:
            lines.append(f"  hint: {d.hint}")
    return lines


@pytest.mark.parametrize("case", case_params("cascade.txt"))
def test_cascade_case(case: Case) -> None:
    sheets = case_sheets(case)
    warnings = warning_lines([d for sheet in sheets for d in sheet.diagnostics])
    assert warnings == (case.body("warnings") or "").splitlines(), case.title

    root = element_tree(case.body("markup") or "")
    styles = compute_styles(root, sheets)
    actual = {
        path: styled(styles[id(element)], element)
        for path, element in locate(root).items()
        if id(element) in styles
    }
    expected = {}
    for line in (case.body("expect") or "").splitlines():
        path, _, value = line.partition(": ")
        expected[path] = json.loads(value)
    assert actual == expected, case.title


def test_the_compiler_runs_the_same_cascade() -> None:
    """The compiler runs the cascade element by element as it compiles (`Cascade.visit`): every
    compiled element keeps the style `compute_styles` gives it, in every case whose markup compiles."""
    cases = casefiles.read_cases(CASES / "cascade.txt")
    compiled = 0
    for case in cases:
        sheets = case_sheets(case)
        root = element_tree(case.body("markup") or "")
        try:
            program = Compiler(stylesheets=sheets).compile(Document(root, root.span.source))
        except PMLCompileError as exc:  # (unknown tags, a `<cp>` without its caption)
            assert all(d.code == "compile" for d in exc.diagnostics if d.severity == "error"), case.title
            continue
        styles = compute_styles(root, [default_stylesheet(), *sheets])
        for node in walk(program.root):
            assert node.style == styles.get(id(node.element)), (case.title, node.element.tag)
        compiled += 1
    assert compiled * 2 > len(cases), f"only {compiled} of {len(cases)} cases compile"


# ---- Style targets ------------------------------------------------------------------------------


def test_target_from_element() -> None:
    element = element_tree(
        '<cp class="a  b" id="x" caption-style="bold" caption="{{ title }}" Kind="k"/>'
    )
    target = StyleTarget.from_element(element)
    assert target.component == REGISTRY.lookup("cp").name  # type: ignore[union-attr]
    assert target.tag == "cp"
    assert target.classes == frozenset({"a", "b"})
    assert target.id == "x"
    assert target.attributes == {
        "classname": "a  b", "id": "x", "captionstyle": "bold", "kind": "k"
    }


def test_target_for_unknown_tag() -> None:
    target = StyleTarget.from_element(element_tree("<My-Widget/>"))
    assert (target.component, target.tag, target.type_key) == (None, "mywidget", "mywidget")
    assert target.classes == frozenset() and target.id is None


def test_selector_matches_a_path() -> None:
    (selector,), _ = parse_selector("cp > list .x")
    cp, lst, p = (StyleTarget.for_tag(t) for t in ("CaptionedParagraph", "list", "p"))
    x = StyleTarget.for_tag("item", classes=["x"])
    assert selector.matches([cp, lst, p, x])
    assert selector.matches([cp, lst, x])
    assert not selector.matches([cp, p, lst, x])
    assert not selector.matches([lst, x])
    assert not selector.matches([cp, lst, p])
    assert not selector.matches([])


# ---- The merge rule and the computed style -------------------------------------------------------


def test_merge_puts_written_attributes_between_the_tiers() -> None:
    style = ComputedStyle(
        normal={"listStyle": "star", "caption": "styled"}, important={"captionStyle": "bold"}
    )
    merged = style.merge({"list-style": "decimal", "caption-style": "plain", "other": 1})
    assert merged == {"listStyle": "decimal", "caption": "styled", "captionStyle": "bold",
                      "other": 1}


def test_sources_point_at_the_winning_declarations() -> None:
    text = "list { list-style: star; }\n#main {\n  list-style: plus;\n  caption: x !important;\n}"
    sheet = parse_css(text, Source(text, "style.pss"))
    root = element_tree('<poml><list id="main"/></poml>')
    style = compute_styles(root, [sheet])[id(root.children[0])]
    assert {name: str(span) for name, span in style.sources.items()} == {
        "listStyle": "style.pss:3:3",
        "caption": "style.pss:4:3",
    }
    assert style.normal == {"listStyle": "plus"}
    assert style.important == {"caption": "x"}


def test_unstyled_elements_are_left_out() -> None:
    sheet = parse_css("list { list-style: star }", Source("", "s.pss"))
    root = element_tree("<poml><p/><list/></poml>")
    styles = compute_styles(root, [sheet])
    assert list(styles) == [id(root.children[1])]
    assert compute_styles(root, []) == {}


def test_matcher_orders_rules_lightest_first() -> None:
    text = "#x { caption: a } list { caption: b } .c { caption: c } * { caption: d }"
    matcher = Matcher([parse_css(text, Source(text, "s.pss"))])
    target = StyleTarget.for_tag("list", classes=["c"], id="x")
    assert [str(rule.selector) for rule in matcher.match([target])] == ["*", "list", ".c", "#x"]


def test_matcher_files_rules_by_their_subject() -> None:
    text = "#x { caption: a } list { caption: b } .c { caption: c } * { caption: d }"
    matcher = Matcher([parse_css(text, Source(text, "s.pss"))])
    target = StyleTarget.for_tag("p")
    candidates = [str(entry.rule.selector) for entry in matcher._candidates(target)]
    assert candidates == ["*"]


# ---- Speed --------------------------------------------------------------------------------------


def _big_document(count: int) -> Element:
    source = Source("", "big.pml")
    span = source.span(0, 0)

    def attr(name: str, value: str) -> Attribute:
        return Attribute(name, (Text(value, span),), value, span)

    def item(i: int) -> Element:
        classes = (attr("className", f"c{i % 7}"),) if i % 3 else ()
        return Element("item", classes, (Text("x", span),), span)

    items = tuple(item(i) for i in range(9))
    lists = [Element("list", (attr("id", f"l{i}"),), items, span) for i in range(count // 10)]
    return Element("poml", (), (Element("cp", (), tuple(lists), span),), span)


_BIG_SHEET = "\n".join(
    [f".c{i} {{ caption: c{i}; }}" for i in range(7)]
    + [f"#l{i} {{ list-style: star; }}" for i in range(8)]
    + [f"cp list.c{i} > item {{ caption-style: bold; }}" for i in range(5)]
    + ["list { list-style: dash; }", "item { blank-line: true; }", "cp item { caption: deep; }",
       "task { caption: t; }", "p { caption: p; }", "* { syntax: markdown; }",
       "[caption] { caption-style: plain; }", "cp > list { caption: l; }",
       "output-format list { caption: o; }", "cp list item.c3 { caption: x !important; }"]
)


def test_compute_styles_is_fast() -> None:
    root = _big_document(2000)
    sheet = parse_css(_BIG_SHEET, Source(_BIG_SHEET, "big.pss"))
    assert len(sheet.rules) == 30 and not sheet.diagnostics
    best = min(_timed(lambda: compute_styles(root, [sheet])) for _ in range(3))
    assert best < 0.25, f"compute_styles took {best * 1000:.1f} ms for 2,000 elements"


def _timed(action: Any) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


# ---- Properties ---------------------------------------------------------------------------------

# Selectors of pairwise different specificity, all matching the `<list>` in _PROBE.
_DISTINCT = ["*", "list", ".a", "list.a", "cp list.a", "#m", "list#m", ".a#m", "cp > list#m.a",
             "[kind][id]", "list[kind].a"]
_PROBE = '<poml><cp><list id="m" class="a" kind="k"/></cp></poml>'
_VALUES = st.sampled_from(["star", "plus", "dash", "decimal"])
_RULES = st.lists(
    st.tuples(st.sampled_from(["list-style", "caption", "caption-serialized"]), _VALUES, st.booleans()),
    min_size=1, max_size=3,
)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(_RULES, min_size=len(_DISTINCT), max_size=len(_DISTINCT)),
    st.permutations(range(len(_DISTINCT))),
)
def test_cascade_ignores_the_order_of_rules_of_different_specificity(
    bodies: list[list[tuple[str, str, bool]]], order: list[int]
) -> None:
    def css(indexes: list[int]) -> str:
        return "\n".join(
            f"{_DISTINCT[i]} {{ "
            + "; ".join(f"{n}: {v}{' !important' if imp else ''}" for n, v, imp in bodies[i])
            + " }"
            for i in indexes
        )

    root = element_tree(_PROBE)
    target = locate(root)["poml/cp/list"]
    results = []
    for indexes in (list(range(len(_DISTINCT))), order):
        text = css(indexes)
        sheet = parse_css(text, Source(text, "p.pss"))
        assert not sheet.diagnostics
        style = compute_styles(root, [sheet])[id(target)]
        results.append((style.normal, style.important))
    assert results[0] == results[1]
