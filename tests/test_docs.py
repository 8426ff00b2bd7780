"""The docs stay true: the generated reference is current and every example renders."""

from __future__ import annotations

from pathlib import Path

import pytest

import pml
from pml import docgen
from pml.registry import REGISTRY

ROOT = Path(__file__).resolve().parent.parent


def test_generated_reference_is_current() -> None:
    assert docgen.main(["--check"]) == 0, "run `python -m pml.docgen` to regenerate docs/language.md"


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
    assert rendered and all(m["content"].strip() for m in rendered)
