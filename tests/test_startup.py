"""What starting PML costs: `import pml` and the `pml` command load only what they use, and the
output stage's modules import each other without a cycle. (`benchmarks/startup.py` measures the
time; these tests check the imports, which do not depend on the machine.)"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

import pml

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("pml.api", "pml.compile", "pml.components", "jinja2", "lark", "lxml", "tiktoken", "typer", "pydantic",
         "rich", "jsonschema")


def _loaded_after(code: str) -> list[str]:
    """The modules among HEAVY (and the provider formats) that a fresh interpreter has loaded after `code`."""
    script = f"import sys\n{code}\nprint('\\n'.join(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    modules = done.stdout.splitlines()
    return sorted(m for m in modules if m in HEAVY or m.startswith("pml.output.targets."))


def test_import_pml_loads_nothing_heavy() -> None:
    assert _loaded_after("import pml") == []
    assert _loaded_after("import pml.errors, pml.limits") == []
    assert _loaded_after("import pml; pml.Limits; pml.PMLError") == []


def test_pml_version_and_help_load_no_compiler() -> None:
    loaded = _loaded_after("from pml.cli.app import app\n"
                           "try:\n    app(['--version'])\nexcept SystemExit:\n    pass")
    assert loaded == ["typer"]


def test_a_render_loads_only_the_format_it_writes() -> None:
    loaded = _loaded_after("import pml\npml.render('<p>Hi</p>', format='gemini')")
    assert [m for m in loaded if m.startswith("pml.output.targets.")] == [
        "pml.output.targets.common", "pml.output.targets.gemini"]
    assert "pydantic" not in loaded


def test_the_names_of_the_package() -> None:
    from pml.api import load, render
    from pml.output.prompt import Prompt

    assert pml.render is render and pml.load is load and pml.Prompt is Prompt
    assert dir(pml) == sorted([*pml.__all__, "__version__"])
    with pytest.raises(AttributeError, match="module 'pml' has no attribute 'nothing'"):
        pml.nothing  # type: ignore[attr-defined]  # noqa: B018


def test_render_names_the_function_whatever_was_imported_first() -> None:
    """`pml.render` is the function although the render stage is a package of that name."""
    script = ("import pml.render.renderer, pml.render.budget\nimport pml\n"
              "from pml import render\nprint(pml.render is render, callable(render), render.__module__)")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.stdout == "True True pml.api\n"


# ---------------------------------------------------------------------- import cycles
def _imports(path: Path, package: str) -> set[str]:
    """Every `pml.…` module `path` imports, wherever the import statement is (inside functions and
    `if TYPE_CHECKING:` blocks too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*package.split(".")[:len(package.split(".")) - node.level + 1], base]).rstrip(".")
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {m for m in found if m.startswith("pml.")}


def test_the_output_stage_has_no_import_cycle() -> None:
    folder = ROOT / "pml" / "output"
    modules = {}
    for path in sorted(folder.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        package = name if parts[-1] == "__init__" else name.rpartition(".")[0]
        modules[name] = path, package
    graph = {name: {m for m in _imports(path, package) if m in modules and m != name}
             for name, (path, package) in modules.items()}
    cycles = []

    def visit(name: str, path: list[str]) -> None:
        for target in sorted(graph[name]):
            if target in path:
                cycles.append([*path[path.index(target):], target])
            elif len(path) < len(graph):
                visit(target, [*path, target])

    for name in sorted(graph):
        visit(name, [name])
    assert cycles == []
