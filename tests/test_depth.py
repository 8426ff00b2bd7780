"""The `max_depth` limit: every stage handles documents nested exactly that deep, one more is a
located error, in one file and across `<include>`s."""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

import pml
from pml import limits
from pml.api import compile_source
from pml.limits import Limits
from pml.lsp.analysis import analyze
from pml.lsp.preview import preview_data
from pml.lsp.symbols import symbols
from pml.output.prompt import FORMATS
from pml.output.tokenreport import measure
from pml.output.trace import trace
from pml.syntax.parser import parse
from pml.syntax.source import Source, read_source

DEPTH = limits.DEFAULT.max_depth


def nested(open_tag: str, close_tag: str, levels: int, inner: str = "x", root: str = "<poml>") -> str:
    """`root` holding `levels` nested pairs (the root counts as one level)."""
    return root + open_tag * levels + inner + close_tag * levels + "</poml>"


# Each builds a document exactly DEPTH elements deep, the root included.
DOCUMENTS: dict[str, str] = {
    "p": nested("<p>", "</p>", DEPTH - 1),
    "cp": nested('<cp caption="c">', "</cp>", DEPTH - 1),
    "list": nested("<list><item>", "</item></list>", (DEPTH - 2) // 2, "<p>x</p>"),
    "b": nested("<b>", "</b>", DEPTH - 2, root="<poml><p>").replace("</poml>", "</p></poml>"),
    "document": nested("<document>", "</document>", DEPTH - 1),
    "json": nested("<p>", "</p>", DEPTH - 1, root='<poml syntax="json">'),
    "xml": nested('<cp caption="c">', "</cp>", DEPTH - 1, root='<poml syntax="xml">'),
    "html": nested("<p>", "</p>", DEPTH - 1, root='<poml syntax="html">'),
    "yaml": nested("<p>", "</p>", DEPTH - 1, root='<poml syntax="yaml">'),
    "switching": "<poml>" + "".join(f'<p syntax="{("json", "markdown", "xml")[i % 3]}">' for i in range(DEPTH - 1))
                 + "x" + "</p>" * (DEPTH - 1) + "</poml>",
    "char-limit": nested("<p>", "</p>", DEPTH - 1, "a long enough text to cut", root='<poml charLimit="10">'),
    "token-limit": nested('<p priority="1">', "</p>", DEPTH - 1, "several words to cut here",
                          root='<poml tokenLimit="3">'),
    "messages": nested("<p>", "</p>", DEPTH - 2, "{{ v }}", root="<poml><human-msg>").replace(
        "</poml>", "</human-msg></poml>"),
    "loops": nested('<p for="i in [1]">', "</p>", DEPTH - 1, "{{ i }}"),
    "module": '<poml><schema name="s"><module name="m">' + "<p>" * (DEPTH - 3) + "x" + "</p>" * (DEPTH - 3)
              + '</module></schema><use module="m"/></poml>',
    "styled": '<poml><style>p p { syntax: markdown } cp > cp { caption-style: bold }</style>'
              + "<p>" * (DEPTH - 1) + "x" + "</p>" * (DEPTH - 1) + "</poml>",
}


def _depth(document: pml.syntax.nodes.Document) -> int:
    deepest = 0
    stack = [(document.root, 1)]
    while stack:
        element, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((c, depth + 1) for c in element.children if isinstance(c, pml.syntax.nodes.Element))
    return deepest


def _every_stage(text: str) -> None:
    """Parse, compile, render, write every format, count tokens, plan caches, trace, the editor."""
    document = parse(text)
    assert _depth(document) == DEPTH
    prompt = compile_source(Source(text, "deep.pml"))
    rendered = prompt.render({"v": "value"})
    for name in FORMATS:
        payload = rendered.to_format(name)
        json.dumps(payload.model_dump(mode="json") if hasattr(payload, "model_dump") else payload, default=str)
    rendered.text()
    rendered.cache_plan("anthropic")
    rendered.cache_plan("openai")
    measure(prompt, {"v": "value"}, model="gpt-4o")
    trace(prompt, {"v": "value"})
    analysis = analyze("file:///tmp/deep.pml", text)
    assert analysis.internal_error is None and not analysis.diagnostics
    symbols(analysis)
    preview_data(Source(text, "deep.pml"), {"v": "value"})


def _in_a_thread_from_deep_stack(work: Callable[[], None], frames: int) -> list[BaseException]:
    """Run `work` on a new thread (default stack size) from a call stack `frames` deep."""
    failures: list[BaseException] = []

    def descend(n: int) -> None:
        if n:
            descend(n - 1)
            return
        try:
            work()
        except BaseException as exc:  # reported by the test
            failures.append(exc)

    thread = threading.Thread(target=descend, args=(frames,))
    thread.start()
    thread.join()
    return failures


@pytest.mark.parametrize("kind", sorted(DOCUMENTS))
def test_every_stage_handles_max_depth_on_a_thread_with_room_to_spare(kind: str) -> None:
    # Python's default recursion limit, and 150 frames already used by the caller.
    assert sys.getrecursionlimit() == 1000
    failures = _in_a_thread_from_deep_stack(lambda: _every_stage(DOCUMENTS[kind]), 150)
    assert not failures, repr(failures[0])


def test_the_first_element_too_deep_is_reported_where_it_opens() -> None:
    text = "<poml>\n<p><p><p>\n  <b>x</b><list/>\n</p></p></p>\n</poml>"
    with limits.using(Limits(max_depth=4)), pytest.raises(pml.PMLSyntaxError) as info:
        parse(text, "deep.pml")
    assert str(info.value) == (
        "deep.pml:3:4: `<b>` is nested 5 elements deep; the limit is 4\n"
        "    <b>x</b><list/>\n"
        "     ^\n"
        "hint: nest fewer elements inside one another, or raise the limit with `--limit max_depth=N` (CLI) "
        "or `limits=Limits(max_depth=N)` (SDK)"
    )


def test_an_empty_element_too_deep_is_reported() -> None:
    with limits.using(Limits(max_depth=3)), pytest.raises(pml.PMLSyntaxError) as info:
        parse("<poml><p><p><br/></p></p></poml>")
    assert info.value.message == "`<br>` is nested 4 elements deep; the limit is 3"
    assert (info.value.line, info.value.column) == (1, 14)


def test_an_implicit_root_does_not_count() -> None:
    with limits.using(Limits(max_depth=3)):
        parse("<p><p><p>x</p></p></p>")
        with pytest.raises(pml.PMLSyntaxError, match="nested 4 elements deep"):
            parse("<p><p><p><p>x</p></p></p></p>")


def test_the_limit_can_be_raised() -> None:
    text = nested("<p>", "</p>", 149)
    with pytest.raises(pml.PMLSyntaxError, match="nested 101 elements deep; the limit is 100"):
        pml.loads(text)
    with limits.using(Limits(max_depth=150)):
        assert _depth(parse(text)) == 150


@pytest.mark.parametrize("text", [
    "<p>" * 100_000,
    "<p>" * 100_000 + "x" + "</p>" * 100_000,
    "<p>" * 100_000 + "</b>",
    "<p>" * 100_000 + "<!-- unclosed",
])
def test_very_deep_markup_is_a_syntax_error_not_a_crash(text: str) -> None:
    with pytest.raises(pml.PMLSyntaxError) as info:
        pml.loads(text)
    assert info.value.span is not None


def test_includes_add_to_the_depth(tmp_path: Path) -> None:
    (tmp_path / "part.pml").write_text("<p><p><p>inner</p></p></p>", encoding="utf-8")
    (tmp_path / "main.pml").write_text('<poml><p><include src="part.pml"/></p></poml>', encoding="utf-8")
    # main: poml, p, include = 3; part: 3 more.
    main = tmp_path / "main.pml"
    with limits.using(Limits(max_depth=6)):
        assert "inner" in compile_source(read_source(main)).render({}).text()
    with limits.using(Limits(max_depth=5)), pytest.raises(pml.PMLCompileError) as info:
        compile_source(read_source(main))
    assert str(info.value).splitlines()[:3] == [
        f"{tmp_path / 'part.pml'}:1:8: `<p>` is nested 6 elements deep; the limit is 5",
        "  <p><p><p>inner</p></p></p>",
        "         ^",
    ]


def test_include_chains_stop_at_the_limit_without_recursing(tmp_path: Path) -> None:
    # Each file nests 30 elements and includes the next; 20 files would be 600 deep.
    for index in range(20):
        inner = f'<include src="f{index + 1}.pml"/>' if index < 19 else "end"
        (tmp_path / f"f{index}.pml").write_text("<p>" * 30 + inner + "</p>" * 30, encoding="utf-8")
    with pytest.raises(pml.PMLCompileError) as info:
        pml.load(tmp_path / "f0.pml")
    assert info.value.message == "`<p>` is nested 101 elements deep; the limit is 100"
    assert info.value.filename == str(tmp_path / "f3.pml")
