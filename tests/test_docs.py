"""The docs stay true: the generated reference is current and every example renders cleanly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import pml
from pml.cli import docgen
from pml.registry import REGISTRY

ROOT = Path(__file__).resolve().parent.parent


def test_generated_reference_is_current() -> None:
    assert docgen.main(["--check"]) == 0, "run `python -m pml.cli.docgen` to regenerate docs/language.md"


def test_every_component_is_documented() -> None:
    text = (ROOT / "docs" / "language.md").read_text(encoding="utf-8")
    for component in REGISTRY:
        assert f"### {component.name}" in text
        for attr in component.attrs.values():
            assert f"`{attr.name}`" in text


@pytest.mark.parametrize("path", sorted((ROOT / "examples").glob("*.pml")), ids=lambda p: p.name)
def test_examples_render_and_say_what_they_show(path: Path) -> None:
    assert path.read_text(encoding="utf-8").startswith("<!--"), "each example starts with a comment"
    context = path.with_name(path.stem + ".context.json")
    rendered = pml.render(path, context if context.exists() else None, format="message_dict")
    assert rendered and all(m["content"].strip() if isinstance(m["content"], str) else m["content"] for m in rendered)


@pytest.mark.parametrize("path", sorted((ROOT / "examples").glob("*.pml")), ids=lambda p: p.name)
def test_examples_render_cleanly(path: Path) -> None:
    """No warnings, no spaces at the ends of lines, no heading with nothing under it."""
    prompt = pml.load(path)
    assert [d.format() for d in prompt.diagnostics] == []
    context = path.with_name(path.stem + ".context.json")
    rendered = prompt.render(json.loads(context.read_text(encoding="utf-8")) if context.exists() else {})
    for message in rendered.messages:
        text = "".join(part for part in message.parts if isinstance(part, str))
        assert [line for line in text.split("\n") if line != line.rstrip()] == [], f"a {message.speaker} message"
        assert empty_headings(text) == [], f"a {message.speaker} message"


def empty_headings(text: str) -> list[str]:
    """Markdown headings followed by nothing, or by a heading of the same or a higher level
    (lines inside ``` fences are code, not headings)."""
    lines, fenced = [], False
    for line in text.split("\n"):
        if line.startswith("```"):
            fenced = not fenced
            lines.append("```")
        elif line.strip():
            lines.append(f"    {line}" if fenced else line)
    found = []
    for index, line in enumerate(lines):
        level = _level(line)
        if level:
            after = lines[index + 1] if index + 1 < len(lines) else None
            if after is None or 0 < _level(after) <= level:
                found.append(line)
    return found


def _level(line: str) -> int:
    hashes = len(line) - len(line.lstrip("#"))
    return hashes if 0 < hashes <= 6 and line[hashes:hashes + 1] == " " else 0


def test_empty_headings_are_found() -> None:
    assert empty_headings("# A\n\ntext\n\n# B\n\n## C\n\nmore\n\n## D\n\n# E\n") == ["## D", "# E"]
    assert empty_headings("#hashtag\n```\n# comment in code\n# another\n```") == []
