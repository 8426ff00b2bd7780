"""Hostile inputs through the command line: `pml render`, `pml check` and `pml tokens` on each,
in a child process limited to 2 GiB of address space and 30 seconds.

Each input is one known way to crash, hang or exhaust a prompt compiler: a component where its
writer has none, wrongly typed values, huge numbers, deep nesting, bad encodings, huge tokens,
unbounded strings and output, quadratic error reports, catastrophic regular expressions, FIFOs,
decompression bombs, bad paths and characters no format can carry. The only outcomes allowed are
exit status 0 (a result) or 1 (a message naming the file, with line:column where there is one),
never a Python traceback.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from test_archives import bomb_docx

ROOT = Path(__file__).resolve().parent.parent
MEMORY = 2 << 30
TIMEOUT = 30


@dataclass(frozen=True)
class Hostile:
    """A prompt (text or bytes), the files beside it, the context, and what must come out."""

    prompt: str | bytes
    files: dict[str, bytes | None] = field(default_factory=dict)  # None: a FIFO
    context: str | None = None  # JSON text, written beside the prompt as prompt.context.json
    fails: bool = True  # exit 1 from render (else 0)
    located: bool = True  # the message carries prompt.pml:LINE:COL


def _nested(opening: str, closing: str, times: int, inner: str = "1") -> str:
    return "<poml>{{ " + opening * times + inner + closing * times + " }}</poml>"


def _ternary(times: int) -> str:
    return "<poml>{{ " + "1 ? " * times + "1" + " : 2" * times + " }}</poml>"


TEN_MB = 10_000_000

HOSTILE: dict[str, Callable[[], Hostile]] = {
    # 1: a component where its writer has no method
    "item-outside-list": lambda: Hostile("<poml><item>x</item></poml>"),
    # 2: typed attributes given whole-{{ }} values of the wrong type
    "syntax-list": lambda: Hostile('<poml><p syntax="{{ [1] }}">x</p></poml>'),
    "speaker-list": lambda: Hostile('<poml><p speaker="{{ [1] }}">x</p></poml>'),
    "liststyle-list": lambda: Hostile('<poml><list listStyle="{{ [1] }}"><item>x</item></list></poml>'),
    "syntax-number": lambda: Hostile('<poml><p syntax="{{ 1 }}">x</p></poml>'),
    "let-type-number": lambda: Hostile('<poml><let name="a" type="{{ 1 }}">1</let>{{ a }}</poml>'),
    "token-limit-arrow": lambda: Hostile('<poml><p tokenLimit="{{ x => 1 }}">x</p></poml>'),
    "char-limit-regex": lambda: Hostile('<poml><p charLimit="{{ /a/ }}">x</p></poml>'),
    # 3: a huge power is Infinity, as in JavaScript
    "power": lambda: Hostile("<poml><p>{{ 10 ** 5000 }}</p></poml>", fails=False),
    # 4: deep nesting
    "nested-elements": lambda: Hostile("<poml>" + "<p>" * 1000 + "x" + "</p>" * 1000 + "</poml>"),
    "nested-parentheses": lambda: Hostile(_nested("(", ")", 200)),
    "nested-brackets": lambda: Hostile(_nested("[", "]", 1000, "")),
    "nested-nots": lambda: Hostile(_nested("!", "", 5000)),
    "nested-ternaries": lambda: Hostile(_ternary(2000)),
    # 5: encodings and strings taken for paths
    "prompt-not-utf8": lambda: Hostile("<poml><p>café</p></poml>".encode("latin-1")),
    "include-not-utf8": lambda: Hostile('<poml><include src="part.pml"/></poml>',
                                        {"part.pml": "<p>naïve</p>".encode("latin-1")}),
    "import-not-utf8": lambda: Hostile('<poml><import src="lib.pml" as="lib"/><p>x</p></poml>',
                                       {"lib.pml": "<schema>é</schema>".encode("latin-1")}),
    # 6: one huge token of each kind
    "huge-text": lambda: Hostile("<poml><p>" + "x" * TEN_MB + "</p></poml>", fails=False),
    "huge-comment": lambda: Hostile("<poml><!--" + "x" * TEN_MB + "--><p>x</p></poml>", fails=False),
    "huge-cdata": lambda: Hostile("<poml><p><![CDATA[" + "x" * TEN_MB + "]]></p></poml>", fails=False),
    "huge-expression": lambda: Hostile("<poml><p>{{ " + "x" * TEN_MB + " }}</p></poml>"),
    # 7: strings and output past their bounds
    "tilde": lambda: Hostile("<poml><p>{{ s ~ s ~ s ~ s ~ s ~ s ~ s ~ s ~ s ~ s ~ s ~ s }}</p></poml>",
                             context=json.dumps({"s": "x" * 1_000_000})),
    "join": lambda: Hostile("<poml><p>{{ [s, s, s, s, s, s, s, s, s, s, s] | join(s) }}</p></poml>",
                            context=json.dumps({"s": "x" * 1_000_000})),
    "format": lambda: Hostile("<poml><p>{{ '%s%s%s%s%s%s%s%s%s%s%s' | format(s, s, s, s, s, s, s, s, s, s, s) }}"
                              "</p></poml>", context=json.dumps({"s": "x" * 1_000_000})),
    "wordwrap": lambda: Hostile("<poml><p>{{ ('x' * 100000) | wordwrap(1, wrapstring='y' * 1000) }}</p></poml>"),
    "tojson-indent": lambda: Hostile("<poml><p>{{ ([[[[[[1]]]]]] * 100000) | tojson(indent=10) }}</p></poml>"),
    "output": lambda: Hostile('<poml><p for="i in range(200)">{{ s }}</p></poml>',
                              context=json.dumps({"s": "x" * TEN_MB})),
    # 8: quadratic error reports
    "many-bad-entities": lambda: Hostile("<poml><p>" + "&bogus; " * 20_000 + "</p></poml>"),
    # 9: hangs and bombs
    "regex": lambda: Hostile("<poml><p>{{ /^(a+)+$/.test('" + "a" * 40 + "b') }}</p></poml>", fails=False),
    "regex-timeout": lambda: Hostile("<poml><p>{{ /^(a|aa)+$/.test('" + "a" * 60 + "b') }}</p></poml>"),
    "fifo-document": lambda: Hostile('<poml><document src="pipe.txt"/></poml>', {"pipe.txt": None}),
    "fifo-let": lambda: Hostile('<poml><let name="x" src="pipe.json"/><p>{{ x }}</p></poml>', {"pipe.json": None}),
    "fifo-img": lambda: Hostile('<poml><img src="pipe.png"/></poml>', {"pipe.png": None}),
    "fifo-audio": lambda: Hostile('<poml><audio src="pipe.mp3"/></poml>', {"pipe.mp3": None}),
    "fifo-webpage": lambda: Hostile('<poml><webpage src="pipe.html"/></poml>', {"pipe.html": None}),
    "docx-bomb": lambda: Hostile('<poml><document src="bomb.docx"/></poml>', {"bomb.docx": bomb_docx(400)}),
    # 10: bad paths
    "nul-in-src": lambda: Hostile('<poml><document src="{{ name }}"/></poml>', context='{"name": "a\\u0000b.txt"}'),
    "long-include": lambda: Hostile(f'<poml><include src="{"a" * 300}.pml"/></poml>'),
    "long-import": lambda: Hostile(f'<poml><import src="{"a" * 300}.pml" as="x"/><p>x</p></poml>'),
    "long-folder": lambda: Hostile(f'<poml><folder src="{"a" * 300}"/></poml>'),
    # 11: characters XML cannot carry, from the context
    "xml-control": lambda: Hostile('<poml syntax="xml"><p>{{ v }}</p></poml>', context='{"v": "a\\u0001b"}',
                                   fails=False),
    "xml-surrogate": lambda: Hostile('<poml syntax="xml"><p>{{ v }}</p></poml>', context='{"v": "a\\ud800b"}',
                                     fails=False),
}

# Runs each command in this child, through typer's runner, and prints the results as JSON.
RUN_EACH = """
import json, sys
from typer.testing import CliRunner
from pml.cli.app import app
out = []
for args in json.loads(sys.argv[1]):
    result = CliRunner().invoke(app, args)
    out.append([args, result.exit_code, result.stdout[-2000:] + result.stderr[-4000:], repr(result.exception)])
print(json.dumps(out))
"""


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def _write(folder: Path, case: Hostile) -> None:
    data = case.prompt if isinstance(case.prompt, bytes) else case.prompt.encode("utf-8")
    (folder / "prompt.pml").write_bytes(data)
    for name, content in case.files.items():
        if content is None:
            os.mkfifo(folder / name)
        else:
            (folder / name).write_bytes(content)
    if case.context is not None:
        (folder / "prompt.context.json").write_text(case.context, encoding="utf-8")


def _run(folder: Path) -> subprocess.CompletedProcess[str]:
    commands = [["render", "prompt.pml", "--format", "openai"], ["check", "prompt.pml"],
                ["tokens", "prompt.pml"]]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "120"}
    return subprocess.run([sys.executable, "-c", RUN_EACH, json.dumps(commands)], capture_output=True, text=True,
                          timeout=TIMEOUT, preexec_fn=_limit_memory, env=env, cwd=folder,
                          stdin=subprocess.DEVNULL, check=False)


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, subprocess.CompletedProcess[str]]:
    """Every hostile input run once, two at a time."""
    folders = {}
    for name, build in HOSTILE.items():
        folder = tmp_path_factory.mktemp(name)
        _write(folder, build())
        folders[name] = folder
    with ThreadPoolExecutor(2) as pool:
        return dict(zip(folders, pool.map(_run, folders.values()), strict=True))


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_input_ends_in_a_result_or_a_located_message(
        name: str, outcomes: dict[str, subprocess.CompletedProcess[str]]) -> None:
    case = HOSTILE[name]()
    child = outcomes[name]
    assert child.returncode == 0, child.stderr[-3000:]
    for args, code, output, exception in json.loads(child.stdout):
        assert "Traceback" not in output, (args, output)
        assert "internal error" not in output, (args, output)
        assert code in (0, 1), (args, code, output)
        assert exception == "None" or exception.startswith("SystemExit("), (args, exception)
        if args[0] == "render":
            assert code == (1 if case.fails else 0), (args, output[-1500:])
        if code == 1:
            assert "prompt.pml" in output or "part.pml" in output or "lib.pml" in output, (args, output[-1500:])
            if case.located:
                assert any(f"{file}:" in output and output.split(f"{file}:", 1)[1][:1].isdigit()
                           for file in ("prompt.pml", "part.pml", "lib.pml")), (args, output[-1500:])
