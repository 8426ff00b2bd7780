"""Every `pml` command on bad input: status 1, a message that names the file, never a traceback.

The matrix runs each command on each bad input in-process (typer's runner keeps stdout and
stderr apart, and an exception that escaped would show as `result.exception`). The inputs that
could take much memory or time run again in a subprocess under a 2 GiB address-space limit and a
30 s timeout, as a user would run them.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

import pml
from pml.cli.app import app

runner = CliRunner()

GOOD = "<poml>\n  <p>Hello {{ name }}.</p>\n</poml>\n"

# Prompts that fail: when rendered (item, syntax, repeat), or already when compiled (deep, latin1).
PROMPTS: dict[str, bytes] = {
    "item": b"<poml><item>x</item></poml>\n",
    "syntax": b'<poml><p syntax="{{ [1] }}">x</p></poml>\n',
    "repeat": b'<poml><p>{{ "x".repeat(-1) }}</p></poml>\n',
    "deep": ("<poml>" + "<p>" * 1000 + "x" + "</p>" * 1000 + "</poml>\n").encode(),
    "latin1": "<poml><p>café</p></poml>\n".encode("latin-1"),
}
COMPILE_FAILURES = {"deep", "latin1"}
CONTEXTS: dict[str, bytes | None] = {  # None: a folder
    "bad_json": b'{"name": "Ada",\n',
    "latin1_json": '{"name": "Zoë"}'.encode("latin-1"),
    "folder_json": None,
}


def _commands(folder: Path) -> dict[str, Callable[[str, str | None], list[str]]]:
    good = folder / "good.json"
    lock = folder / "empty.lock"
    return {
        "render": lambda p, c: ["render", p, *(["--context", c] if c else [])],
        "check": lambda p, c: ["check", p, *(["--context", c] if c else [])],
        "tokens": lambda p, c: ["tokens", p, *(["--context", c] if c else [])],
        "cache plan": lambda p, c: ["cache", "plan", p, *(["--context", c] if c else [])],
        "cache diff": lambda p, c: ["cache", "diff", p, "--context", c or str(good), "--context", str(good)],
        "lock": lambda p, c: ["lock", "--lock-file", str(folder / "pml.lock"), p],
        "lock --check": lambda p, c: ["lock", "--check", "--lock-file", str(lock), p],
    }


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    for name, data in PROMPTS.items():
        (tmp_path / f"{name}.pml").write_bytes(data)
    (tmp_path / "good.pml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "good.json").write_text('{"name": "Ada"}', encoding="utf-8")
    (tmp_path / "empty.lock").write_text('{"version": 1, "modules": {}}\n', encoding="utf-8")
    (tmp_path / "a folder").mkdir()
    for name, data in CONTEXTS.items():
        if data is None:
            (tmp_path / name).mkdir()
        else:
            (tmp_path / name).write_bytes(data)
    return tmp_path


def _cases() -> list[tuple[str, str, str]]:
    """(command, prompt, context): each bad prompt, a missing file and a folder with every command,
    and each bad context with every command that takes one."""
    cases: list[tuple[str, str, str]] = []
    for command in ("render", "check", "tokens", "cache plan", "cache diff", "lock", "lock --check"):
        for prompt in [*PROMPTS, "missing", "folder"]:
            if command.startswith("lock") and prompt not in COMPILE_FAILURES | {"missing"}:
                continue  # lock compiles and does not render; a folder is a place to search
            cases.append((command, prompt, ""))
        if not command.startswith("lock"):
            cases.extend((command, "good", context) for context in CONTEXTS)
    return cases


def _path(folder: Path, prompt: str) -> Path:
    return {"missing": folder / "nope.pml", "folder": folder / "a folder"}.get(prompt, folder / f"{prompt}.pml")


@pytest.mark.parametrize(("command", "prompt", "context"), _cases(), ids=lambda v: v or "-")
def test_a_bad_input_fails_with_a_message_naming_the_file(folder: Path, command: str, prompt: str,
                                                          context: str) -> None:
    path = _path(folder, prompt)
    context_path = folder / context if context else None
    args = _commands(folder)[command](str(path), str(context_path) if context_path else None)
    result = runner.invoke(app, args)
    output = result.stdout + result.stderr  # check reports on stdout, the others on stderr
    assert result.exit_code == 1, output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in output
    assert str(context_path or path) in output


def test_preview_fails_before_serving_on_bad_input(folder: Path) -> None:
    cases = [[str(folder / "nope.pml")], [str(folder / "a folder")],
             *([str(folder / "good.pml"), "--context", str(folder / c)] for c in CONTEXTS)]
    for args in cases:
        result = runner.invoke(app, ["preview", *args, "--port", "0"])
        assert result.exit_code == 1, result.stderr
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert args[-1] in result.stderr


# ---------------------------------------------------------------------- exact messages
def test_exact_messages_for_files_and_contexts(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(folder)

    def err(*args: str) -> tuple[int, str]:
        result = runner.invoke(app, list(args))
        return result.exit_code, result.stderr

    assert err("render", "nope.pml") == (1, "nope.pml: no such file\n")
    assert err("tokens", "a folder") == (1, "a folder: is a folder, not a prompt file\n")
    assert err("render", "good.pml", "-c", "folder_json") == (
        1, "folder_json: the context must be a JSON file, not a folder\n")
    assert err("cache", "plan", "good.pml", "-c", "latin1_json") == (
        1, "latin1_json:1:13: the context is not UTF-8 text (byte 0xeb)\n")
    assert err("render", "good.pml", "-c", "bad_json") == (
        1, "bad_json:2:1: the context is not valid JSON: Expecting property name enclosed in double quotes\n")
    assert err("render", "latin1.pml") == (1, "latin1.pml:1:13: the file is not UTF-8 text: the byte 0xE9 cannot be "
                                              "decoded\n  <poml><p>caf\ufffd</p></poml>\n              ^\n"
                                              "hint: save the file as UTF-8 (a file in Latin-1 or Windows-1252 has "
                                              "bytes like these for accented letters)\n")
    Path("style.txt").write_text("p { caption-style: bold; }", encoding="utf-8")
    assert err("render", "good.pml", "--stylesheet", "style.txt") == (
        1, "style.txt: a stylesheet is a .pss, .css or .json file\n")
    assert err("render", "good.pml", "--stylesheet", "a folder") == (
        1, "a folder: the stylesheet must be a file, not a folder\n")


def test_a_bug_is_one_line_of_internal_error(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(folder)

    def broken(*args: object, **kwargs: object) -> pml.Prompt:
        raise KeyError("boom")

    monkeypatch.setattr("pml.api.load", broken)  # the commands import it when they run
    for args in (["render", "good.pml"], ["tokens", "good.pml"]):
        result = runner.invoke(app, args)
        assert (result.exit_code, result.stderr) == (
            1, "good.pml: internal error: KeyError: 'boom' (run with --debug for the traceback)\n")
    result = runner.invoke(app, ["render", "good.pml", "--debug"])
    assert result.exit_code == 1 and isinstance(result.exception, KeyError)


def test_errors_and_warnings_are_capped_by_max_diagnostics(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("many.pml").write_text("<poml>\n" + "".join(f"<a{i}/>\n" for i in range(1, 6)) + "</poml>\n",
                                encoding="utf-8")
    tag = ("many.pml:{0}:2: unknown tag `<a{1}>`\n  <a{1}/>\n   ^^\n"
           "hint: see docs/language.md for the list of components")
    result = runner.invoke(app, ["render", "many.pml", "--limit", "max_diagnostics=2"])
    assert (result.exit_code, result.stderr) == (1, f"{tag.format(2, 1)}\n\n{tag.format(3, 2)}\n\n… and 3 more\n\n"
                                                    "5 errors\n")
    result = runner.invoke(app, ["check", "many.pml", "--limit", "max_diagnostics=2"])
    assert (result.exit_code, result.stdout) == (1, f"{tag.format(2, 1)}\n{tag.format(3, 2)}\n… and 3 more\n"
                                                    "1 file checked: 5 errors, 0 warnings\n")
    assert len(runner.invoke(app, ["render", "many.pml"]).stderr.split("unknown tag")) == 6


def test_render_shows_the_warnings_of_a_prompt_that_fails(tmp_path: Path) -> None:
    path = tmp_path / "cp.pml"
    path.write_text('<poml><cp captoin="x">hi</cp></poml>', encoding="utf-8")
    expected = (f"{path}:1:11: warning: unknown attribute `captoin` on `<cp>`\n"
                '  <poml><cp captoin="x">hi</cp></poml>\n            ^^^^^^^^^^^\nhint: did you mean `caption`?\n\n'
                f"{path}:1:8: `<cp>` needs the attribute `caption`\n"
                '  <poml><cp captoin="x">hi</cp></poml>\n         ^^\nhint: add caption="…"\n')
    for command in (["render"], ["tokens"], ["cache", "plan"]):
        result = runner.invoke(app, [*command, str(path)])
        assert (result.exit_code, result.stderr) == (1, expected)
    result = runner.invoke(app, ["check", str(path)])
    assert result.stdout == expected.replace("\n\n", "\n") + "1 file checked: 1 error, 1 warning\n"


# ---------------------------------------------------------------------- options
def test_limit_sets_a_limit_and_rejects_unknown_names(folder: Path) -> None:
    prompt = str(folder / "good.pml")
    result = runner.invoke(app, ["render", prompt, "--var", "name=Ada", "--limit", "max_depth=512",
                                 "--limit", "regex-timeout=0.5", "--max-output", "1000", "-f", "text"])
    assert (result.exit_code, result.stdout) == (0, "===== human =====\n\nHello Ada.\n")
    for command in (["render"], ["check"], ["tokens"], ["cache", "plan"], ["preview"]):
        result = runner.invoke(app, [*command, prompt, "--limit", "max_dpth=1"])
        assert result.exit_code == 2
        message = " ".join(result.stderr.replace("│", " ").split())
        assert "unknown limit `max_dpth`; the limits are: max_depth, max_expression_depth," in message
    for wrong, said in (("max_depth=0", "`max_depth` needs a positive whole number, not `0`"),
                        ("regex_timeout=soon", "`regex_timeout` needs a positive number, not `soon`"),
                        ("max_depth", "expected NAME=VALUE, not `max_depth`")):
        result = runner.invoke(app, ["lock", "--limit", wrong, prompt])
        assert result.exit_code == 2
        assert said in " ".join(result.stderr.replace("│", " ").split())


def test_limit_values_reach_the_work(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pml import limits

    seen: list[limits.Limits] = []
    real = pml.Prompt.render

    def spy(self: pml.Prompt, *args: object, **kwargs: object) -> pml.Rendered:
        seen.append(limits.current())
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pml.Prompt, "render", spy)
    runner.invoke(app, ["render", str(folder / "good.pml"), "--var", "name=A", "--limit", "max_loop=7",
                        "--max-output", "99"])
    runner.invoke(app, ["check", str(folder / "good.pml"), "--var", "name=A", "--limit", "max_loop=8"])
    assert [(s.max_loop, s.max_output) for s in seen] == [(7, 99), (8, limits.DEFAULT.max_output)]
    assert limits.current() == limits.DEFAULT


def test_version() -> None:
    for flag in ("--version", "-V"):
        result = runner.invoke(app, [flag])
        assert (result.exit_code, result.stdout) == (0, f"pml {pml.__version__}\n")


COMMANDS = [[], ["render"], ["check"], ["tokens"], ["cache"], ["cache", "plan"], ["cache", "diff"], ["lock"],
            ["preview"], ["lsp"]]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "pml")
def test_help_reads_cleanly(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    for noise in ("<bool>", "<list[", "<path>", "{file}", "<int", "<str>", "<text>"):
        assert noise not in result.stdout
    if command and command != ["cache"] and command != ["lsp"]:
        assert "--debug" in result.stdout
    if command not in ([], ["cache"], ["lsp"]):
        assert "--limit" in result.stdout and "NAME=VALUE" in result.stdout


def test_the_short_v_is_not_var(folder: Path) -> None:
    result = runner.invoke(app, ["render", str(folder / "good.pml"), "-v", "name=Ada"])
    assert result.exit_code == 2
    assert "No such option: -v" in result.stderr


# ---------------------------------------------------------------------- contexts
def test_context_files_merge_later_ones_winning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("p.pml").write_text("<poml><p>{{ a }} {{ b }} {{ c }}</p></poml>", encoding="utf-8")
    Path("one.json").write_text('{"a": 1, "b": 1}', encoding="utf-8")
    Path("two.json").write_text('{"b": 2, "c": 2}', encoding="utf-8")
    args = ["p.pml", "-c", "one.json", "-c", "two.json"]
    result = runner.invoke(app, ["render", *args, "-f", "text"])
    assert result.stdout == "===== human =====\n\n1 2 2\n"
    result = runner.invoke(app, ["render", *args, "--var", "c=3", "-f", "text"])
    assert result.stdout == "===== human =====\n\n1 2 3\n"
    assert json.loads(runner.invoke(app, ["tokens", *args, "-f", "json"]).stdout)["total_chars"] == 5
    assert runner.invoke(app, ["cache", "plan", *args]).stdout.splitlines()[3] == "1 2 2"
    assert runner.invoke(app, ["check", *args]).exit_code == 0


# ---------------------------------------------------------------------- check
def test_check_renders_with_a_known_context(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("p.pml").write_text("<poml>\n  <p>{{ greeting }}, {{ name }}.</p>\n</poml>\n", encoding="utf-8")
    Path("ctx.json").write_text('{"greeting": "Hi"}', encoding="utf-8")
    error = ("p.pml:2:25: undefined variable `name`\n    <p>{{ greeting }}, {{ name }}.</p>\n"
             "                          ^^^^\nhint: defined names: `greeting`\n")
    result = runner.invoke(app, ["check", "p.pml", "--context", "ctx.json"])
    assert (result.exit_code, result.stdout) == (1, error + "1 file checked: 1 error, 0 warnings\n")
    Path("p.context.json").write_text('{"greeting": "Hi"}', encoding="utf-8")  # the one beside the file
    assert runner.invoke(app, ["check", "p.pml"]).stdout == error + "1 file checked: 1 error, 0 warnings\n"
    result = runner.invoke(app, ["check", "p.pml", "--var", "name=Ada"])
    assert (result.exit_code, result.stdout) == (0, "1 file checked: 0 errors, 0 warnings\n")
    result = runner.invoke(app, ["check", "p.pml", "--format", "json"])
    report = json.loads(result.stdout)
    assert report["files"][0]["context"] == ["p.context.json"]
    assert report["files"][0]["diagnostics"][0]["message"] == "undefined variable `name`"
    assert (report["errors"], report["warnings"]) == (1, 0)


def test_check_renders_a_prompt_that_needs_no_variables(tmp_path: Path) -> None:
    path = tmp_path / "loop.pml"
    path.write_text('<poml>\n<p for="x in 5">a</p>\n</poml>\n', encoding="utf-8")
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 1
    assert result.stdout.startswith(f"{path}:2:14: `for` needs a list, but `5` is a number\n")


def test_check_lists_the_variables_a_prompt_reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("v.pml").write_text(
        '<poml>\n<context>{"tone": "warm"}</context>\n<let name="n" value="items.length"/>\n'
        '<p for="it in items" if="it.ok">{{ it.name }} {{ loop.index }} of {{ n }}, {{ tone }}</p>\n'
        '<schema name="s"><module name="m"><param name="q"/><p>{{ q }} {{ who }}</p></module></schema>\n'
        '<use module="m" q="{{ question }}"/>\n</poml>\n', encoding="utf-8")
    result = runner.invoke(app, ["check", "v.pml"])
    assert (result.exit_code, result.stdout) == (0, (
        "v.pml: note: reads 3 variables from its context: `items` (3:22), `who` (5:66), `question` (6:23); "
        "give a context (--context or --var) to check a render with it\n1 file checked: 0 errors, 0 warnings\n"))
    Path("v.context.json").write_text('{"items": [], "who": "me", "question": "?"}', encoding="utf-8")
    assert runner.invoke(app, ["check", "v.pml"]).stdout == "1 file checked: 0 errors, 0 warnings\n"
    assert runner.invoke(app, ["check", "v.pml", "--no-context"]).stdout == result.stdout
    data = json.loads(runner.invoke(app, ["check", "v.pml", "-f", "json", "--no-context"]).stdout)
    assert data["files"][0]["variables"] == [
        {"name": "items", "file": "v.pml", "line": 3, "column": 22},
        {"name": "who", "file": "v.pml", "line": 5, "column": 66},
        {"name": "question", "file": "v.pml", "line": 6, "column": 23}]


# ---------------------------------------------------------------------- lock
def test_lock_counts_a_file_reached_twice_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("lib").mkdir()
    Path("lib/review.pml").write_text('<poml><schema name="s"><module name="m" cache="true"><p>Be exact.</p>'
                                      '</module></schema><use module="m"/></poml>', encoding="utf-8")
    result = runner.invoke(app, ["lock", "lib/review.pml", "lib", "./lib/review.pml"])
    assert (result.exit_code, result.stdout) == (0, "wrote pml.lock: 1 cached module from 1 file\n")


# ---------------------------------------------------------------------- as a user runs it
def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))


def _run(args: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent), "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "pml", *args], capture_output=True, text=True, timeout=30,
                          preexec_fn=_limit_memory, env=env, cwd=cwd, stdin=subprocess.DEVNULL)


DEEPER = "<poml>" + "<p>" * 100_000 + "x" + "</p>" * 100_000 + "</poml>\n"
HEAVY = {
    "deep.pml": "<poml>" + "<p>" * 1000 + "x" + "</p>" * 1000 + "</poml>\n",
    "string.pml": '<poml><p>{{ "x" * 100000000 }}</p></poml>\n',
}


# Runs each command on one file in a child process, through typer's runner, and prints the results.
RUN_EACH = """
import json, sys
from typer.testing import CliRunner
from pml.cli.app import app
out = []
for args in json.loads(sys.argv[1]):
    result = CliRunner().invoke(app, args)
    out.append([args, result.exit_code, result.stdout + result.stderr, repr(result.exception)])
print(json.dumps(out))
"""


@pytest.mark.parametrize("name", HEAVY)
def test_heavy_inputs_in_a_process_with_bounded_memory(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_text(HEAVY[name], encoding="utf-8")
    commands = [["render", name], ["check", name], ["tokens", name], ["cache", "plan", name]]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    child = subprocess.run([sys.executable, "-c", RUN_EACH, json.dumps(commands)], capture_output=True, text=True,
                           timeout=30, preexec_fn=_limit_memory, env=env, cwd=tmp_path, stdin=subprocess.DEVNULL)
    assert child.returncode == 0, child.stderr
    for args, code, output, exception in json.loads(child.stdout):
        assert code == 1, (args, output)
        assert exception.startswith("SystemExit("), (args, exception)
        assert "Traceback" not in output
        assert name in output


def test_a_huge_power_is_infinity_as_in_javascript(tmp_path: Path) -> None:
    (tmp_path / "power.pml").write_text("<poml><p>{{ 10 ** 5000 }}</p></poml>\n", encoding="utf-8")
    for args in (["render", "power.pml", "--format", "text"], ["check", "power.pml"], ["tokens", "power.pml"]):
        result = _run(args, cwd=tmp_path)
        assert (result.returncode, result.stderr) == (0, ""), args
    assert _run(["render", "power.pml", "--format", "text"], cwd=tmp_path).stdout == "===== human =====\n\nInfinity\n"


def test_a_heavy_input_as_a_user_runs_it(tmp_path: Path) -> None:
    (tmp_path / "deeper.pml").write_text(DEEPER, encoding="utf-8")
    result = _run(["render", "deeper.pml"], cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("deeper.pml")


def test_debug_raises_the_error_itself(folder: Path) -> None:
    deep = str(folder / "deep.pml")
    for command in (["render"], ["check"], ["tokens"], ["cache", "plan"], ["cache", "diff"], ["lock"]):
        extra = ["-c", str(folder / "good.json"), "-c", str(folder / "good.json")] if command[-1] == "diff" else []
        result = runner.invoke(app, [*command, deep, *extra, "--debug"])
        assert result.exit_code == 1
        assert result.exception is not None and not isinstance(result.exception, SystemExit), command


def test_debug_prints_the_traceback_in_a_process(tmp_path: Path) -> None:
    (tmp_path / "deep.pml").write_text(HEAVY["deep.pml"], encoding="utf-8")
    result = _run(["render", "deep.pml", "--debug"], cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback (most recent call last)" in result.stderr


def test_the_language_server_logs_a_bad_message_in_one_line(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    result = subprocess.run([sys.executable, "-m", "pml", "lsp"], input=b"Content-Length: 5\r\n\r\n{bad}",
                            capture_output=True, timeout=30, env=env, cwd=tmp_path)
    assert result.returncode == 0
    assert "Traceback" not in result.stderr.decode()


def test_the_limits_table_of_the_security_docs_is_complete() -> None:
    import dataclasses
    import re

    from pml.limits import Limits

    text = (Path(__file__).resolve().parent.parent / "docs" / "security.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `(\w+)` \| ([\d.,]+) \|", text, re.M))
    assert {name: value.replace(',', '') for name, value in rows.items()} == {
        f.name: str(f.default) for f in dataclasses.fields(Limits)}


def test_the_preview_serves_each_request_under_the_limits_of_its_command(folder: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import urllib.request

    from pml import limits
    from pml.cli import preview_server
    from pml.cli.app import _carry_context

    seen: list[int] = []
    monkeypatch.setattr(preview_server, "page_data", lambda file, context: seen.append(limits.current().max_loop) or {})
    with limits.using(limits.DEFAULT.replace(max_loop=3)):
        server = preview_server.make_server(folder / "good.pml", {}, port=0)
        _carry_context(server)
    thread = preview_server.serve_in_thread(server)
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.server_address[1]}/data.json", timeout=10) as page:
            assert json.loads(page.read()) == {}
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)
    assert seen == [3]
