"""What starting PML costs: `import pml` and the `pml` command load only what they use, and the
output stage's modules import each other without a cycle. (`benchmarks/startup.py` measures the
time; these tests check the imports, which do not depend on the machine.)"""

from __future__ import annotations

import ast
import json
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


# What a text render from the command line must not load: the language server, batches, the
# KV cache, the document readers, the serializing writers and lxml, token counting, the Jinja
# sandbox and the expression parser (its prompt only names variables), Pydantic and Rich.
NOT_FOR_A_TEXT_RENDER = ("pml.lsp", "pml.batch", "pml.kv", "pml.readers.archive", "pml.readers.docx",
                         "pml.readers.html", "pml.readers.images", "pml.readers.pdf", "pml.render.writers.serialize",
                         "pml.render.writers.html", "pml.tokens.encodings", "pml.tokens.images",
                         "pml.expressions.sandbox", "pml.expressions.translate", "pml.expressions.syntax",
                         "pml.expressions.jsregex", "pml.output.targets.frame", "jinja2", "lxml", "pydantic", "rich",
                         "tiktoken", "jsonschema")


def _all_loaded_after(code: str) -> set[str]:
    script = f"import sys\n{code}\nprint('\\n'.join(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT)
    return set(done.stdout.splitlines())


def _under(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == name or m.startswith(f"{name}.") for name in names))


def test_the_command_line_text_render_loads_only_what_it_uses() -> None:
    example = ROOT / "examples" / "support.pml"
    loaded = _all_loaded_after(
        "import contextlib, io\nfrom pml.cli.app import main\n"
        f"sys.argv = ['pml', 'render', {str(example)!r}, '--format', 'text']\n"
        "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
        "    try:\n        main()\n    except SystemExit as exit:\n        assert not exit.code, exit.code\n"
        "assert '===== human =====' in out.getvalue(), out.getvalue()")
    assert {"pml.api", "pml.expressions.expression", "typer"} <= loaded
    assert _under(loaded, NOT_FOR_A_TEXT_RENDER) == []
    # the other commands' modules are imported (their functions are registered), not built
    assert "pml.cli.tokentable" not in loaded and "pml.cli.preview_server" not in loaded


def test_a_member_path_loads_the_sandbox_but_not_the_expression_parser() -> None:
    loaded = _all_loaded_after("import pml\n"
                               "assert pml.render('<p>{{ user.name }}</p>', {'user': {'name': 'Ada'}},"
                               " format='text').endswith('Ada')")
    assert "pml.expressions.sandbox" in loaded
    assert _under(loaded, ("pml.expressions.translate", "pml.expressions.syntax", "lxml", "pml.readers.html")) == []


COLD_EXPRESSIONS = [
    ("<p>Hello {{ nme }}</p>", {"name": "Ada"}),
    ("<p>{{ user.nme }}</p>", {"user": {"name": "Ada"}}),
    ("<p>{{ user.name.first }}</p>", {"user": {"name": None}}),
    ("<p if='ok'>yes</p><p if='no'>no</p><p if='user.gone'>no</p><p for='x in xs'>{{ x }}</p>",
     {"ok": [0], "no": [], "user": {}, "xs": ["a", "b"]}),
    ("<p>{{ Math }} {{ items }} {{ n }}</p>", {"items": [1, {"a": None}], "n": 2.5}),
    ("<p>{{ xs[3] }}</p>", {"xs": [1, 2]}),
]


@pytest.mark.parametrize(("markup", "context"), COLD_EXPRESSIONS)
def test_expressions_do_the_same_in_a_fresh_interpreter(markup: str, context: dict[str, object]) -> None:
    """Whatever part of the expression engine an expression is the first to need, its value or its
    error is the one it has once the engine is loaded."""
    code = ("import json, pml\n"
            f"try:\n    print(json.dumps(pml.render({markup!r}, {context!r}, format='text')))\n"
            "except pml.PMLError as error:\n    print(f'{type(error).__name__}: {error}')\n")
    fresh = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT).stdout
    pml.render("<p>{{ a.b | upper }}</p>", {"a": {"b": "x"}}, format="text")  # here the engine is loaded
    try:
        warm = json.dumps(pml.render(markup, context, format="text")) + "\n"
    except pml.PMLError as error:
        warm = f"{type(error).__name__}: {error}\n"
    assert fresh == warm


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
