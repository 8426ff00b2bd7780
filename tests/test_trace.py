"""Tracing a render (`pml.output.trace`): the render hook's marks change nothing, and each traced
`{{ }}` owns the text it wrote.

On every case file that renders, the traced messages are exactly those of `Prompt.render`, and
every origin covers text inside its message. On small prompts, the origins are checked exactly.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import pml
from pml.output.trace import trace
from pml.style.stylesheet import load_stylesheet

CASES = Path(__file__).resolve().parent / "cases"


def _renders() -> list[Path]:
    return sorted(p for p in CASES.rglob("*.pml") if not p.with_name(p.stem + ".err").exists())


def _load(path: Path) -> tuple[pml.Prompt, dict[str, Any]]:
    """The case's prompt and context (a trace is of a chat render under the limits in force: the
    case's options are not used)."""
    base = path.with_suffix("")
    context: dict[str, Any] = {}
    if (found := base.with_name(base.name + ".context.json")).exists():
        context = json.loads(found.read_text(encoding="utf-8"))
    elif (rows := path.with_name("rows.jsonl")).exists():  # a batch case: its base context and first row
        context = json.loads(path.with_name("context.json").read_text(encoding="utf-8"))
        context.update(json.loads(rows.read_text(encoding="utf-8").splitlines()[0]))
    sheet = None
    for suffix in (".pss", ".pss.json"):
        if (found := base.with_name(base.name + suffix)).exists():
            sheet = load_stylesheet(found)
    return pml.load(path, stylesheet=sheet), context


@pytest.mark.parametrize("path", _renders(), ids=lambda p: p.relative_to(CASES).as_posix())
def test_a_traced_render_gives_exactly_the_messages_of_a_normal_render(path: Path) -> None:
    prompt, context = _load(path)
    normal = prompt.render(context)
    traced = trace(prompt, context)
    assert traced.rendered.messages == normal.messages
    assert traced.texts == tuple("".join(p for p in m.parts if isinstance(p, str)) for m in normal.messages)
    for text, origins in zip(traced.texts, traced.origins, strict=True):
        for origin in origins:
            assert 0 <= origin.start < origin.end <= len(text)


def _wrote(prompt: str, context: dict[str, Any]) -> list[list[tuple[str, str]]]:
    traced = trace(pml.loads(prompt), context)
    return [[(o.expression.code.strip(), text[o.start:o.end]) for o in origins]
            for text, origins in zip(traced.texts, traced.origins, strict=True)]


def test_each_value_owns_the_text_it_wrote() -> None:
    prompt = """<poml>
  <system-msg>Rules for {{ team }}: <b>{{ rule }}</b></system-msg>
  <human-msg><p for="x in items">- {{ x }}</p>Thanks, {{ name }}</human-msg>
</poml>"""
    assert _wrote(prompt, {"team": "Ops", "rule": "be brief", "items": ["a", "bb"], "name": "Ada"}) == [
        [("team", "Ops"), ("rule", "be brief")],
        [("x", "a"), ("x", "bb"), ("name", "Ada")],
    ]


def test_values_in_cached_modules_are_traced() -> None:
    prompt = """<poml>
  <schema name="s">
    <module name="greeting" cache="true">
      <param name="who"/>
      <p>Hello {{ who }}!</p>
    </module>
  </schema>
  <human-msg><use module="s.greeting" who="Ada"/> and {{ more }}</human-msg>
</poml>"""
    pml.configure_module_cache()
    try:
        assert pml.loads(prompt).render({"more": "x"}).text()  # the module is in the cache now
        assert _wrote(prompt, {"more": "tea"}) == [[("who", "Ada"), ("more", "tea")]]
    finally:
        pml.configure_module_cache()
