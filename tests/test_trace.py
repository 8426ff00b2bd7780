"""Tracing a render (`pml.output.trace`): the render hook's marks change nothing, and each traced
`{{ }}` owns the text it wrote.

On every case file that renders, the traced messages are exactly those of `Prompt.render`, and
every origin covers text inside its message. On small prompts, the origins are checked exactly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from promptcases import case_id, load_case, rendering_cases

import pml
from pml.output.trace import trace


@pytest.mark.parametrize("path", rendering_cases(), ids=case_id)
def test_a_traced_render_gives_exactly_the_messages_of_a_normal_render(path: Path) -> None:
    prompt, context, _ = load_case(path)  # a trace is of a chat render: the case's options are not used
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
