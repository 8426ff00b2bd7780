"""Command-line values converted without Pydantic (`pml.cli.convert`) come out as Typer's own
conversion gives them, and a value Typer refuses is refused with Typer's words."""

from __future__ import annotations

import os
import subprocess
import sys
from enum import Enum
from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer._coercion import build_runtime_param

from pml.cli.app import app
from pml.cli.convert import QuickParam

ROOT = Path(__file__).resolve().parents[1]

SAMPLES: dict[str, list[Any]] = {
    "str": ["gpt-4o", "", " spaced ", "é"],
    "bool": [True, False],
    "Path": ["prompt.pml", "a folder/x.pml", Path("p.pml"), "", "-"],
    "int": ["1", "0", "-3", "65535", "65536", " 7", "1_000", "x", "1.5", 8765, True],
    "list": [("a.json", "b.json"), [], ("k=v",), ("",)],
    "Enum": [],  # filled in per enum: every value, a member, and wrong spellings
}


def _params() -> list[tuple[str, Any]]:
    found = []

    def walk(command: Any, prefix: str) -> None:
        for param in command.params:
            found.append((f"{prefix} {param.name}".strip(), param))
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, f"{prefix} {name}")

    walk(typer.main.get_command(app), "")
    return found


def _samples(annotation: Any) -> list[Any]:
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        members = list(annotation)
        return [*(m.value for m in members), members[0], members[0].value.upper(), "nope", ""]
    name = getattr(annotation, "__name__", "") if not hasattr(annotation, "__origin__") else "list"
    return SAMPLES[name]


def _outcome(runtime: Any, value: Any, param: Any) -> tuple[str, Any]:
    try:
        result = runtime.coerce(value, param=param, ctx=None)
    except Exception as exc:
        return "error", f"{type(exc).__name__}: {exc}"
    return "value", (type(result), result)


@pytest.mark.parametrize(("name", "param"), _params(), ids=[name for name, _ in _params()])
def test_quick_conversion_agrees_with_typer(name: str, param: Any) -> None:
    descriptor = param.type_descriptor
    runtime = param.get_runtime_param()
    if descriptor.annotation is bool and not isinstance(runtime, QuickParam):
        pytest.fail(f"{name}: a flag without the quick conversion")
    assert isinstance(runtime, QuickParam), f"{name} ({descriptor.annotation}) is converted by Pydantic"
    typers = build_runtime_param(descriptor)
    for value in _samples(descriptor.annotation):
        assert _outcome(runtime, value, param) == _outcome(typers, value, param), (name, value)


def test_a_render_imports_neither_pydantic_nor_rich(tmp_path: Path) -> None:
    """`pml render` converts its options without Pydantic, and draws no rich table."""
    prompt = tmp_path / "p.pml"
    prompt.write_text("<poml><p>{{ n }} items</p></poml>", encoding="utf-8")
    script = (
        "import sys\n"
        "from pml.cli.app import app\n"
        f"app(['render', {str(prompt)!r}, '--var', 'n=3', '--max-tokens', '50', '-f', 'text'],"
        " standalone_mode=False)\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'pydantic', 'rich', 'pydantic_core'}))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True)
    assert done.stdout == "===== human =====\n\n3 items\n[]\n"
