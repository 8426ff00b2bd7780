"""Property tests of the render: random documents, attribute values, context data and syntaxes.

Whatever the input, a render has two outcomes only: a `Rendered` whose every payload can be
built and written as UTF-8, or a `PMLError` with a location. Documents are built from the
samples of `test_render_safety` (every registered component), given random attributes (text,
numbers, `{{ }}` with lists, objects, null, functions), and rendered with random context data:
control characters, lone surrogates, long strings, nested lists and objects.

The serializing writers get properties of their own: their output reads back as what they wrote.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from test_render_safety import LIBRARY, SAMPLES

import pml
from pml.api import compile_source
from pml.output.prompt import FORMATS, dumps
from pml.registry import GLOBAL_ATTRS, REGISTRY, SYNTAXES, Attr
from pml.render.writers.serialize import write_json, write_xml, write_yaml
from pml.syntax.source import Source

# Any code point, surrogates and control characters included.
ANY_CHAR = st.characters(codec=None, categories=None)
TEXT = st.text(ANY_CHAR, max_size=12) | st.sampled_from(["", " ", "\n", "a  b\n  c", "===== system =====",
                                                         "\x00\x01\x1b", "\ud800", "\udc00x\ud83d"])
LONG = st.integers(1, 3).map(lambda n: "long text " * (2_000 * n))

DATA = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=True, allow_infinity=True)
    | TEXT | LONG,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)
CONTEXT = st.fixed_dictionaries({"v": TEXT, **{f"a{i}": DATA for i in range(4)}})

EXPRESSIONS = st.sampled_from([
    "a0", "a1", "a2", "a3", "[a0, a1]", "{'k': a2, 'j': [a3]}", "none", "3", "2.5", "true", "x => 1", "/a+/g",
    "Math", "a0 ~ a1", "[1, 'two', {'three': 3}]", "{'': 1, '1a': 2, 'a b': [none]}",
])

COMPONENTS = sorted(set(SAMPLES) - {"Import"})  # (an import reads a file: test_render_safety covers it)
ATTRIBUTES = {c.name: sorted(({a.name: a for a in GLOBAL_ATTRS.values()} | {a.name: a for a in c.attrs.values()})
                             .items()) for c in REGISTRY}
TEMPLATE = ("for", "if")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def _fitting(attr: Attr) -> st.SearchStrategy[str]:
    """Values written for an attribute: mostly of its type, sometimes anything at all."""
    typed: st.SearchStrategy[str]
    if attr.type == "enum":
        typed = st.sampled_from(attr.choices)
    elif attr.type == "boolean":
        typed = st.sampled_from(["true", "false"])
    elif attr.type in ("number", "integer"):
        typed = st.integers(0, 40).map(str)
    elif attr.type == "object":
        typed = st.sampled_from(['{"jsonSpace": 4}', '{"truncateMarker": "[cut]"}', "{}"])
    elif attr.type == "array":
        typed = st.sampled_from(["[]", '[{"a": 1}]', '["x", "y"]'])
    else:
        typed = TEXT.map(_escape)
    anything = st.one_of(TEXT.map(_escape), st.integers(-3, 30).map(str),
                         EXPRESSIONS.map(lambda e: "{{ " + _escape(e) + " }}"))
    return st.one_of(typed, typed, typed, typed, typed, anything)


@st.composite
def attribute(draw: st.DrawFn, component: str) -> str:
    name, attr = draw(st.sampled_from([item for item in ATTRIBUTES[component] if item[0] not in TEMPLATE]))
    return f' {name}="{draw(_fitting(attr))}"'


@st.composite
def element(draw: st.DrawFn, depth: int = 0) -> str:
    component = draw(st.sampled_from(COMPONENTS))
    sample = SAMPLES[component]
    attrs = "".join(draw(st.lists(attribute(component), max_size=2)))
    tag = re.match(r"<[\w-]+", sample)
    assert tag is not None
    opened = sample[:tag.end()] + attrs + sample[tag.end():]
    if "@@" not in opened:
        return opened
    parts = draw(st.lists(
        st.one_of(TEXT.map(_escape), EXPRESSIONS.map(lambda e: "{{ " + _escape(e) + " }}"),
                  *(element(depth + 1) for _ in range(1 if depth < 2 else 0))),
        max_size=3,
    ))
    return opened.replace("@@", "".join(parts))


@st.composite
def document(draw: st.DrawFn) -> str:
    syntax = draw(st.sampled_from(SYNTAXES))
    body = "".join(draw(st.lists(element(), min_size=1, max_size=4)))
    return f'<poml syntax="{syntax}">{LIBRARY}{body}</poml>'


def _check(rendered: pml.Rendered) -> None:
    """Every payload builds (or fails with a located error) and encodes as UTF-8."""
    rendered.text().encode("utf-8")
    for name in FORMATS:
        try:
            payload = rendered.to_format(name)
        except pml.PMLError as error:
            assert error.span is not None, f"{name}: {error}"
            str(error).encode("utf-8")
            continue
        if hasattr(payload, "model_dump_json"):
            payload.model_dump_json().encode("utf-8")
        elif isinstance(payload, str):
            payload.encode("utf-8")
        else:
            dumps(payload).encode("utf-8")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(markup=document(), context=CONTEXT)
def test_a_render_works_or_fails_with_a_location(markup: str, context: dict[str, Any]) -> None:
    folder = Path(__file__).resolve().parent / "cases" / "media"
    try:
        prompt = compile_source(Source(markup, "doc.pml", None, folder))
        rendered = prompt.render(context, limits=pml.Limits(max_output=2_000_000))
    except pml.PMLError as error:
        assert error.span is not None, f"no location: {error}\n{markup}"
        str(error).encode("utf-8")  # an error can be printed
        return
    for warning in rendered.warnings:
        warning.format().encode("utf-8")
    _check(rendered)


# ---------------------------------------------------------------------- the writers read back

JSON_DATA = st.recursive(
    st.none() | st.booleans() | st.integers(-10**9, 10**9) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(ANY_CHAR.filter(lambda c: not 0xD800 <= ord(c) <= 0xDFFF), max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=10,
)


@settings(max_examples=200, deadline=None)
@given(JSON_DATA, st.integers(0, 10))
def test_json_reads_back(value: Any, indent: int) -> None:
    assert json.loads(write_json(value, {"jsonSpace": indent})) == value


@settings(max_examples=200, deadline=None)
@given(JSON_DATA, st.integers(1, 6))
def test_yaml_reads_back(value: Any, indent: int) -> None:
    text = write_yaml(value, {"yamlIndent": indent})
    assert _same(yaml.safe_load(text), value), text


def _same(read: Any, written: Any) -> bool:
    """Equal, numbers by value: numbers are written as JavaScript writes them (`1e-7`, which YAML 1.1
    readers take for text, and `64756558545587850` for 6.475655854558785e+16)."""
    if isinstance(written, float) or (isinstance(written, int) and not isinstance(written, bool)):
        return not isinstance(read, bool) and isinstance(read, (int, float, str)) and float(read) == float(written)
    if isinstance(written, list):
        return isinstance(read, list) and len(read) == len(written) and all(map(_same, read, written))
    if isinstance(written, dict):
        return isinstance(read, dict) and read.keys() == written.keys() and all(
            _same(read[k], v) for k, v in written.items())
    return bool(read == written)


@settings(max_examples=200, deadline=None)
@given(JSON_DATA)
def test_xml_is_well_formed(value: Any) -> None:
    text = write_xml(value, {})
    etree.fromstring(f"<root>{text}</root>".encode())
