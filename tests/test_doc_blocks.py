"""The code blocks of README.md and docs/*.md run as written.

How a block is read (for whoever writes the docs):

- A `python` block runs. The blocks of one document run in order, in one namespace, so a later
  block may use what an earlier one defined.
- In a `sh`, `console`, `bash` or `shell` block, or a block with no language, a line starting with
  `$ ` is a command; the lines after it, up to the next `$ ` line, are what it prints (what it
  writes on stderr first, then stdout), compared exactly but for spaces at the ends of lines, and
  `…` stands for any text. A command whose output is not shown must exit with status 0. In a
  `sh`, `console`, `bash` or `shell` block without `$ ` lines, each line starting with `pml ` is a
  command, run for its exit status. Only `pml` commands run; setup lines (`python3 -m venv`,
  `pip install`, `bash .ci/…`) do not.
- `<!-- file: NAME -->` on the line before a block makes the block the file NAME, beside the
  repository's folders, for the document's commands and Python blocks to use.
- `<!-- shows: PATH -->` on the line before a block says the block is the repository's file PATH
  as it is, and it must be.
- `<!-- no-run -->` on the line before a block leaves it out: for what needs a server, the
  network or an API key. Keep these few.
- A command synopsis (`pml render FILE [--format FORMAT]`) goes in a `text` block.

Each document runs in a fresh folder that looks like the repository root (a copy of `examples/`,
links to the other folders), with the virtualenv's `pml` first on PATH, so the docs speak of
`examples/support.pml` as a reader in a checkout would, and nothing is written into the checkout.
"""

from __future__ import annotations

import ast
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
SHELLS = {"sh", "console", "bash", "shell"}
COPIED = ("examples",)  # folders a command may write into: copied, not linked
LEFT_OUT = {".git", ".venv", "node_modules", "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache"}
FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>```+)(?P<lang>[\w+-]*)[^\n]*\n"
                   r"(?P<body>.*?)^(?P=indent)(?P=fence)\s*$", re.M | re.S)
MARK = re.compile(r"<!--\s*(?P<kind>no-run|file|shows)(:\s*(?P<name>[^\s>]+))?\s*-->\s*$")
TIMEOUT = 120  # seconds for one command: a command that waits (a server) must be marked no-run


@dataclass(frozen=True)
class Block:
    """One fenced block: where it starts, its language and text, and the mark before it."""

    doc: Path
    line: int
    lang: str
    body: str
    mark: str | None = None  # "no-run", "file", "shows", or None
    name: str | None = None  # the file a `file:` or `shows:` mark names

    @property
    def where(self) -> str:
        return f"{self.doc.relative_to(ROOT)}:{self.line}"


@dataclass(frozen=True)
class Command:
    block: Block
    line: int
    argv: list[str]
    expected: str | None  # None: the output is not shown


def blocks(doc: Path) -> list[Block]:
    text = doc.read_text(encoding="utf-8")
    found: list[Block] = []
    for match in FENCE.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        before = text[:match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        mark = MARK.search(before)
        found.append(Block(doc, line, match.group("lang").lower(), match.group("body"),
                           mark.group("kind") if mark else None, mark.group("name") if mark else None))
    return found


def commands(block: Block) -> Iterator[Command]:
    """The `pml` commands of a shell block, each with the output shown after it."""
    if block.mark is not None or (block.lang and block.lang not in SHELLS):
        return
    lines = block.body.rstrip("\n").split("\n")
    prompted = [i for i, text in enumerate(lines) if text.startswith("$ ")]
    if prompted:
        for n, index in enumerate(prompted):
            end = prompted[n + 1] if n + 1 < len(prompted) else len(lines)
            argv = shlex.split(lines[index][2:])
            if argv and argv[0] == "pml":
                shown = "\n".join(lines[index + 1:end])
                yield Command(block, block.line + 1 + index, argv, shown if shown.strip() else None)
    elif block.lang in SHELLS:
        for index, text in enumerate(lines):
            if text.startswith("pml "):
                yield Command(block, block.line + 1 + index, shlex.split(text, comments=True), None)


def matches(expected: str, actual: str) -> bool:
    """`actual` is `expected`, where each `…` in `expected` stands for any text (spaces at the
    ends of lines do not count: tables pad their lines, editors strip them)."""
    expected, actual = _unpadded(expected), _unpadded(actual)
    pattern = ".*?".join(re.escape(piece) for piece in expected.split("…"))
    return re.fullmatch(pattern, actual, re.S) is not None


def _unpadded(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.rstrip("\n").split("\n"))


def workspace(tmp: Path, doc_blocks: list[Block]) -> Path:
    """A folder that looks like the repository root, with the document's `file:` blocks in it."""
    for entry in ROOT.iterdir():
        if entry.name in LEFT_OUT or entry.name in COPIED:
            continue
        (tmp / entry.name).symlink_to(entry, target_is_directory=entry.is_dir())
    for name in COPIED:
        shutil.copytree(ROOT / name, tmp / name, ignore=shutil.ignore_patterns("__pycache__"))
    for block in doc_blocks:
        if block.mark == "file":
            assert block.name is not None
            target = (tmp / block.name).resolve()
            assert target.is_relative_to(tmp.resolve()), f"{block.where}: a file block stays in the folder"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(block.body, encoding="utf-8")
    return tmp


def _globbed(arg: str, cwd: Path) -> list[str]:
    """An argument with `*` or `?` expanded as a shell would, when it matches files."""
    if not any(c in arg for c in "*?["):
        return [arg]
    found = sorted(str(p.relative_to(cwd)) for p in cwd.glob(arg))
    return found or [arg]


def run_command(command: Command, cwd: Path) -> None:
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    env.update(COLUMNS="100", NO_COLOR="1", TERM="dumb")
    argv = [found for arg in command.argv for found in _globbed(arg, cwd)]
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT,
                          stdin=subprocess.DEVNULL, check=False)
    where = f"{command.block.doc.relative_to(ROOT)}:{command.line}: $ {shlex.join(command.argv)}"
    output = (done.stderr + done.stdout).rstrip("\n")
    if command.expected is None:
        assert done.returncode == 0, f"{where}\nexited {done.returncode}:\n{output}"
        return
    assert matches(command.expected.rstrip("\n"), output), (
        f"{where}\nthe doc shows:\n{command.expected}\n\nit prints (exit {done.returncode}):\n{output}")


def run_python(block: Block, namespace: dict[str, object]) -> None:
    code = compile(ast.parse(block.body, filename=block.where), block.where, "exec")
    try:
        exec(code, namespace)
    except Exception as error:
        raise AssertionError(f"{block.where}: the Python block fails: {type(error).__name__}: {error}") from error


def _runnable(doc: Path) -> bool:
    return any(b.mark is None and (b.lang == "python" or any(commands(b))) for b in blocks(doc))


@pytest.mark.parametrize("doc", [d for d in DOCS if _runnable(d)], ids=lambda d: str(d.relative_to(ROOT)))
def test_the_blocks_of_a_document_run(doc: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    found = blocks(doc)
    cwd = workspace(tmp_path, found)
    monkeypatch.chdir(cwd)
    monkeypatch.syspath_prepend(str(ROOT))
    namespace: dict[str, object] = {"__name__": "__doc__"}
    for block in found:
        if block.mark is not None:
            continue
        if block.lang == "python":
            run_python(block, namespace)
            continue
        for command in commands(block):
            run_command(command, cwd)


def test_blocks_left_out_are_few() -> None:
    """`no-run` is for what needs a server, the network or a key: a handful in all the docs."""
    left_out = [b.where for doc in DOCS for b in blocks(doc) if b.mark == "no-run"]
    assert len(left_out) <= 5, left_out


@pytest.mark.parametrize("block", [b for doc in DOCS for b in blocks(doc) if b.mark == "shows"],
                         ids=lambda b: b.where)
def test_a_block_that_shows_a_file_is_the_file(block: Block) -> None:
    assert block.name is not None
    assert block.body == (ROOT / block.name).read_text(encoding="utf-8"), f"{block.where} differs from {block.name}"


def test_the_readme_shows_the_flagship_example_first() -> None:
    first = next(b for b in blocks(ROOT / "README.md") if b.lang == "xml")
    assert (first.mark, first.name) == ("shows", "examples/support.pml")


# ------------------------------------------------------------------ the reader itself
def test_the_reader_finds_commands_outputs_and_marks(tmp_path: Path) -> None:
    doc = tmp_path / "guide.md"
    doc.write_text(
        "Intro.\n\n<!-- file: a.pml -->\n```xml\n<p>Hi</p>\n```\n\n"
        "```console\n$ pml render a.pml --format text\n===== human =====\n\nHi\n$ pml check a.pml\n```\n\n"
        "```sh\npython3 -m venv .venv\npml check a.pml  # a comment\n```\n\n"
        "<!-- no-run -->\n```sh\npml preview a.pml\n```\n\n"
        "```text\npml render FILE [--format FORMAT]\n```\n", encoding="utf-8")
    found = blocks(doc)
    assert [(b.line, b.lang, b.mark, b.name) for b in found] == [
        (4, "xml", "file", "a.pml"), (8, "console", None, None), (16, "sh", None, None),
        (22, "sh", "no-run", None), (26, "text", None, None)]
    assert [(c.line, c.argv, c.expected) for b in found for c in commands(b)] == [
        (9, ["pml", "render", "a.pml", "--format", "text"], "===== human =====\n\nHi"),
        (13, ["pml", "check", "a.pml"], None),
        (18, ["pml", "check", "a.pml"], None),
    ]


@pytest.mark.parametrize(("expected", "actual", "result"), [
    ("a…c", "abbbc", True),
    ("a…c", "ab\nbc", True),
    ("a…", "a", True),
    ("a.c", "abc", False),
    ("a…c", "abcd", False),
    ("[x]", "[x]", True),
    ("a\nb", "a   \nb\n", True),
])
def test_an_ellipsis_stands_for_any_text(expected: str, actual: str, result: bool) -> None:
    assert matches(expected, actual) is result
