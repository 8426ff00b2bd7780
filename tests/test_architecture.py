"""The package's shape: stages import only earlier stages, PML's modules import each other at the
top (a handful of deliberate lazy imports aside), and no module grows past 1000 lines.

Function-level imports are counted when they name `pml` (`import pml…`, `from pml… import`); a
package's relative imports of its own modules are not. The checks read every module's AST
(`check(root)` takes the folder that holds `pml/`), so they hold for imports inside functions as
well as at the top; the tests at the end plant violations in a package made for the test to show
that each check finds its kind.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

from pml.compile.program import Links
from pml.components.layout import LayoutContext
from pml.render.renderer import Renderer

ROOT = Path(__file__).resolve().parents[1]
STAGES = ("syntax", "style", "expressions", "compile", "components", "render", "output")
# Packages whose function-level imports are not counted: the command line and the language
# server load what a command needs when it runs.
EXEMPT = ("pml.cli", "pml.lsp")
MAX_LAZY = 5
MAX_LINES = 1000


@dataclass(frozen=True, slots=True)
class Shape:
    """What `check` found: imports of later stages, function-level imports, long modules."""

    backward: tuple[str, ...]
    lazy: tuple[str, ...]
    long: tuple[str, ...]


def _stage(module: str) -> int | None:
    parts = module.split(".")
    if len(parts) > 1 and parts[0] == "pml" and parts[1] in STAGES:
        return STAGES.index(parts[1])
    return None


def _imported(node: ast.Import | ast.ImportFrom, module: str) -> list[str]:
    """The modules an import statement names (a `from x import y` names `x` and `x.y`)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:  # relative: resolved against the importing module's package
        package = module.split(".")[: -node.level]
        base = ".".join([*package, base] if base else package)
    return [base, *(f"{base}.{alias.name}" for alias in node.names)]


def check(root: Path) -> Shape:
    """The shape of the `pml` package under `root`."""
    backward: list[str] = []
    lazy: list[str] = []
    long: list[str] = []
    for path in sorted((root / "pml").rglob("*.py")):
        module = ".".join(path.relative_to(root).with_suffix("").parts).removesuffix(".__init__")
        text = path.read_text(encoding="utf-8")
        if text.count("\n") > MAX_LINES:
            long.append(f"{module}: {text.count(chr(10))} lines")
        tree = ast.parse(text)
        inside: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                inside.update(id(sub) for sub in ast.walk(node) if sub is not node)
        own = _stage(module)
        for node in ast.walk(tree):
            if not isinstance(node, (ast.Import, ast.ImportFrom)):
                continue
            names = _imported(node, module)
            where = f"{module}:{node.lineno} imports {names[-1] if isinstance(node, ast.Import) else names[0]}"
            if own is not None:
                later = [n for n in names if (s := _stage(n)) is not None and s > own]
                if later:
                    backward.append(f"{module}:{node.lineno} imports {later[0]}")
            absolute = isinstance(node, ast.Import) or not node.level
            if id(node) in inside and absolute and any(n == "pml" or n.startswith("pml.") for n in names) \
                    and not module.startswith(EXEMPT):
                lazy.append(where)
    return Shape(tuple(backward), tuple(lazy), tuple(long))


@pytest.fixture(scope="module")
def shape() -> Shape:
    return check(ROOT)


def test_no_stage_imports_a_later_stage(shape: Shape) -> None:
    assert shape.backward == ()


def test_pml_modules_are_imported_at_the_top(shape: Shape) -> None:
    assert len(shape.lazy) <= MAX_LAZY, "\n".join(shape.lazy)


def test_no_module_is_over_1000_lines(shape: Shape) -> None:
    assert shape.long == ()


# ---------------------------------------------------------------------- the checks can fail
def _package(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_a_planted_backward_import_is_found_at_the_top_and_in_a_function(tmp_path: Path) -> None:
    root = _package(tmp_path, {
        "pml/__init__.py": "",
        "pml/syntax/__init__.py": "",
        "pml/syntax/parser.py": "from pml.render import renderer\n",
        "pml/compile/__init__.py": "",
        "pml/compile/compiler.py": "import pml.syntax.parser\n\n\ndef f():\n    from pml.output.prompt import Prompt\n",
        "pml/components/text.py": "from ..render.renderer import write\n",
        "pml/render/__init__.py": "",
        "pml/render/renderer.py": "from pml.components import text\n",
    })
    found = check(root)
    assert found.backward == ("pml.compile.compiler:5 imports pml.output.prompt",
                              "pml.components.text:1 imports pml.render.renderer",
                              "pml.syntax.parser:1 imports pml.render")
    assert found.lazy == ("pml.compile.compiler:5 imports pml.output.prompt",)


def test_planted_function_level_imports_are_counted_outside_the_command_line(tmp_path: Path) -> None:
    body = ("def f():\n    import pml\n    from pml import errors\n\n\n"
            "class C:\n    def m(self):\n        import pml.values\n")
    root = _package(tmp_path, {"pml/__init__.py": "", "pml/batch/run.py": body, "pml/cli/app.py": body,
                               "pml/lsp/server.py": body, "pml/values.py": "import json\n"})
    found = check(root)
    assert found.lazy == ("pml.batch.run:2 imports pml", "pml.batch.run:3 imports pml",
                          "pml.batch.run:8 imports pml.values")
    assert found.backward == ()


def test_a_planted_long_module_is_found(tmp_path: Path) -> None:
    root = _package(tmp_path, {"pml/__init__.py": "", "pml/big.py": "x = 1\n" * 1001, "pml/fine.py": "x = 1\n" * 1000})
    assert check(root).long == ("pml.big: 1001 lines",)


def test_layouts_see_only_the_layout_context() -> None:
    """What a render hands its layouts has the members of `LayoutContext` and nothing of the
    renderer's state."""
    members = {name for name in vars(LayoutContext) if not name.startswith("_")}
    view = Renderer({}, ROOT, Links()).layout_context
    shown = {name for name in dir(view) if not name.startswith("_")}
    assert shown == members
    assert members >= {"children", "evaluate", "declare_tool", "in_module", "cached"}
    for internal in ("call", "globals", "module_cache", "dropped", "hook", "limits"):
        assert not hasattr(view, internal)
