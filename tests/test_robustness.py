"""Any input compiles and renders, or fails with a located `PMLError`: never a traceback.

Two sources of input: documents generated from the component catalog (tags, attributes with
values of their types, text with entities and stray `<`/`&`/`{`, expressions, comments, CDATA),
and byte-level mutations of the case corpus (`tests/cases/**/*.pml`), read as a prompt file is.
Each is parsed, compiled against a folder of small data files, rendered with a small context
and written out as two provider payloads.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pml
from pml.api import compile_source
from pml.output.targets.common import FormatError
from pml.registry import GLOBAL_ATTRS, REGISTRY, Attr
from pml.syntax.source import Source, decode

CASES = Path(__file__).resolve().parent / "cases"
CORPUS = sorted(CASES.rglob("*.pml"))
CONTEXT: dict[str, Any] = {"x": "a <b> & {{c}}", "n": 3, "items": ["one", "two"], "obj": {"a": 1, "b": [1, 2]},
                           "rows": [{"k": 1, "v": "a"}], "flag": True}
SETTINGS = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Files the generated documents may name."""
    root = tmp_path_factory.mktemp("robust")
    (root / "a.txt").write_text("some text\nover two lines", encoding="utf-8")
    (root / "t.csv").write_text("k,v\n1,a\n2,b\n", encoding="utf-8")
    (root / "t.json").write_text('[{"k": 1}, {"k": 2}]', encoding="utf-8")
    (root / "part.pml").write_text("<p>included {{ x }}</p>", encoding="utf-8")
    (root / "bad.pml").write_bytes(b"<p>caf\xe9</p>")
    (root / "s.pss").write_text("p { syntax: markdown }", encoding="utf-8")
    return root


def check(source: Source, root: Path, context: dict[str, Any]) -> None:
    """The property: success, or a PMLError whose first diagnostic says where (file:line:col)."""
    try:
        prompt = compile_source(source, root=root)
        rendered = prompt.render(context)
        rendered.text()
        for name in ("openai", "anthropic"):
            try:
                json.dumps(rendered.to_format(name), default=str)
            except FormatError:
                pass  # the render has no form in this provider's payload (and the message says why)
    except pml.PMLError as error:
        assert error.first.span is not None, f"no location:\n{error}"
        shown = str(error)
        assert shown.startswith(f"{error.first.span}:"), shown
        json.dumps(error.to_json())


# ------------------------------------------------------------------ generated documents

WORDS = st.sampled_from(["a", "b c", " ", "\n", "\t", "1 < 2", "Tom & Jerry", "{ x }", "#lt;", "#lbrace;", "é", "日本",
                         "&amp;", "&lt;", "&#65;", "&#x1F600;", "&nbsp;", "&bogus;", "&#0;", "&#99999999;", "<", "&",
                         "{", "}", "}}", ">", "]]>", "-->", "\"", "'"])
EXPRESSIONS = st.sampled_from(["x", "n + 1", "items", "obj.a", "obj['b'][1]", "x | upper", "items[0]", "missing",
                               "1 / 0", "'a' * 3", "[1, 2][5]", "n > 2 and flag", "rows", "loop.index", "",
                               "x.__class__", "'}}'", "(", "items | length", "obj", "range(3) | list", "n ** n"])
UNKNOWN_TAGS = st.sampled_from(["bogus", "Task", "human_msg", "x-y", "_", "p.q", "a:b"])


def _value_for(attr: Attr) -> st.SearchStrategy[str]:
    by_type: dict[str, st.SearchStrategy[str]] = {
        "boolean": st.sampled_from(["true", "false", "yes", ""]),
        "number": st.sampled_from(["0", "1.5", "-2", "1e3", "nan", "x"]),
        "integer": st.sampled_from(["0", "3", "-1", "10000000000", "2.5"]),
        "enum": st.sampled_from([*attr.choices[:6], "nope"]) if attr.choices else st.just("x"),
        "object": st.sampled_from(['{"a": 1}', "[1, 2]", "{", "{{ obj }}"]),
    }
    literal = by_type.get(attr.type, st.lists(WORDS, max_size=3).map("".join))
    return st.one_of(literal, EXPRESSIONS.map(lambda e: "{{ " + e + " }}"))


def _attribute(tag: str) -> st.SearchStrategy[str]:
    component = REGISTRY.lookup(tag)
    attrs = list(component.all_attrs().values()) if component is not None else list(GLOBAL_ATTRS.values())
    special = st.sampled_from([
        ' for="i in items"', ' for="i in n"', ' if="{{ flag }}"', ' if="n >"', ' src="a.txt"', ' src="t.csv"',
        ' src="part.pml"', ' src="bad.pml"', ' src="../outside.txt"', ' src="missing.txt"', " inline",
        ' caption="C"', ' speaker="ai"', ' name="m"', ' module="m"', " bogus-attr='1'",
    ])
    typed = st.sampled_from(attrs).flatmap(
        lambda a: _value_for(a).map(lambda v: f' {a.name}="{v.replace(chr(34), "&quot;")}"'))
    return st.one_of(typed, special)


def _element(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    tag = st.one_of(st.sampled_from(REGISTRY.tag_names()), UNKNOWN_TAGS)

    def build(name: str, attrs: list[str], body: list[str], empty: bool) -> str:
        head = f"<{name}{''.join(attrs)}"
        return f"{head}/>" if empty else f"{head}>{''.join(body)}</{name}>"

    return tag.flatmap(lambda name: st.builds(build, st.just(name), st.lists(_attribute(name), max_size=3),
                                              st.lists(children, max_size=4), st.booleans()))


LEAVES = st.one_of(
    st.lists(WORDS, min_size=1, max_size=4).map("".join),
    EXPRESSIONS.map(lambda e: "{{ " + e + " }}"),
    st.sampled_from(["<!-- a comment -->", "<![CDATA[<b>raw</b> & {{ x }}]]>", "<br/>", "<?xml version='1.0'?>",
                     '<let name="y" value="{{ n }}"/>', '<style>p { syntax: json }</style>', "<context>{}</context>",
                     '<schema name="s"><module name="m">M</module></schema>', '<use module="m"/>']),
)
DOCUMENTS = st.recursive(LEAVES, _element, max_leaves=12).map(lambda body: f"<poml>{body}</poml>")


@SETTINGS
@given(DOCUMENTS)
def test_generated_documents_render_or_fail_with_a_location(folder: Path, text: str) -> None:
    check(Source(text, "generated.pml", folder / "generated.pml"), folder, CONTEXT)


# ------------------------------------------------------------------ mutated case files

FRAGMENTS = [b"<", b">", b"</p>", b"<p>", b"{{", b"}}", b"&", b"&bogus;", b"<!--", b"<![CDATA[", b'"', b"'", b"=",
             b"\x00", b"\xff", b"\xc3", b"\xe2\x82", b"\r", b"\n", b"/>", b"<include src='x.pml'/>", b"\t"]


@st.composite
def mutated(draw: st.DrawFn) -> tuple[Path, bytes]:
    path = draw(st.sampled_from(CORPUS))
    data = bytearray(path.read_bytes())
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["flip", "delete", "insert", "duplicate"]))
        if action == "flip" and at < len(data):
            data[at] = draw(st.integers(0, 255))
        elif action == "delete":
            del data[at : at + draw(st.integers(1, 40))]
        elif action == "insert":
            data[at:at] = draw(st.sampled_from(FRAGMENTS))
        else:
            data[at:at] = data[at : at + draw(st.integers(1, 60))]
    return path, bytes(data)


def _context_of(path: Path) -> dict[str, Any]:
    context = path.with_name(path.stem + ".context.json")
    if context.exists():
        return json.loads(context.read_text(encoding="utf-8"))  # type: ignore[no-any-return]
    return dict(CONTEXT)


@settings(SETTINGS, max_examples=400)
@given(mutated())
def test_mutated_case_files_render_or_fail_with_a_location(case: tuple[Path, bytes]) -> None:
    path, data = case
    name = path.relative_to(CASES).as_posix()
    try:
        source = decode(data, name, path)
    except pml.PMLSyntaxError as error:
        assert error.first.span is not None
        return
    check(source, path.parent, _context_of(path))
