"""The `pml` command: exit codes, output and messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pml.cli.app import app

runner = CliRunner()

PROMPT = """<poml>
  <role>You are a guide for {{ city }}.</role>
  <task>Suggest {{ count }} places.</task>
</poml>
"""


@pytest.fixture()
def prompt(tmp_path: Path) -> Path:
    path = tmp_path / "guide.pml"
    path.write_text(PROMPT, encoding="utf-8")
    return path


def test_render_prints_openai_json_with_context_beside_the_file(prompt: Path) -> None:
    prompt.with_name("guide.context.json").write_text('{"city": "Lyon", "count": 3}', encoding="utf-8")
    result = runner.invoke(app, ["render", str(prompt)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"messages": [{
        "role": "user",
        "content": "# Role\n\nYou are a guide for Lyon.\n\n# Task\n\nSuggest 3 places.",
    }]}


def test_render_vars_win_over_context_and_are_typed(prompt: Path, tmp_path: Path) -> None:
    ctx = tmp_path / "other.json"
    ctx.write_text('{"city": "Lyon", "count": 3}', encoding="utf-8")
    result = runner.invoke(app, ["render", str(prompt), "--context", str(ctx), "--var", "city=Nice",
                                 "--var", "count=5", "--format", "text"])
    assert result.exit_code == 0, result.output
    assert result.stdout == ("===== human =====\n\n# Role\n\nYou are a guide for Nice.\n\n# Task\n\n"
                             "Suggest 5 places.\n")


def test_render_var_value_keeps_every_equals_sign(prompt: Path) -> None:
    result = runner.invoke(app, ["render", str(prompt), "--var", "city=a=b=c", "--var", "count=1",
                                 "--format", "message_dict"])
    assert json.loads(result.stdout)[0]["content"].startswith("# Role\n\nYou are a guide for a=b=c.")


def test_render_anthropic_and_output_file(prompt: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    result = runner.invoke(app, ["render", str(prompt), "--var", "city=Oslo", "--var", "count=2",
                                 "--format", "anthropic", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    payload = json.loads(out.read_text(encoding="utf-8"))
    assert payload == {"messages": [{"role": "user", "content":
                                     "# Role\n\nYou are a guide for Oslo.\n\n# Task\n\nSuggest 2 places."}]}


def test_render_picks_up_a_stylesheet_beside_the_file(prompt: Path) -> None:
    prompt.with_name("guide.pss").write_text("role, task { caption-style: bold; }", encoding="utf-8")
    result = runner.invoke(app, ["render", str(prompt), "--var", "city=Rome", "--var", "count=4", "-f", "text"])
    assert result.stdout == ("===== human =====\n\n**Role:** You are a guide for Rome.\n\n"
                             "**Task:** Suggest 4 places.\n")


def test_render_error_is_located_on_stderr_without_traceback(prompt: Path) -> None:
    result = runner.invoke(app, ["render", str(prompt), "--var", "city=Rome"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"{prompt}:3:20: undefined variable `count`\n")
    assert "Traceback" not in result.stderr


def test_render_debug_shows_the_traceback(prompt: Path) -> None:
    result = runner.invoke(app, ["render", str(prompt), "--debug"])
    assert result.exit_code == 1
    assert result.exception is not None


def test_render_missing_file_and_bad_context(tmp_path: Path, prompt: Path) -> None:
    result = runner.invoke(app, ["render", str(tmp_path / "nope.pml")])
    assert result.exit_code == 1
    assert result.stderr == f"{tmp_path / 'nope.pml'}: no such file\n"
    bad = tmp_path / "bad.json"
    bad.write_text("{nope", encoding="utf-8")
    result = runner.invoke(app, ["render", str(prompt), "--context", str(bad)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{bad}:1:2: the context is not valid JSON")


def test_check_reports_all_diagnostics_and_exits_1(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pml"
    bad.write_text('<poml>\n  <taks>x</taks>\n  <p colour="red">y</p>\n  <list listStyle="roman"/>\n</poml>\n',
                   encoding="utf-8")
    result = runner.invoke(app, ["check", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:2:4: unknown tag `<taks>`" in result.stdout
    assert f"{bad}:3:6: warning: unknown attribute `colour` on `<p>`" in result.stdout
    assert f"{bad}:4:20: `listStyle` should be one of dash, star, plus, decimal, latin, not `roman`" \
        in result.stdout
    assert result.stdout.rstrip().endswith("1 file checked: 2 errors, 1 warning")


def test_check_json_for_tools(tmp_path: Path, prompt: Path) -> None:
    bad = tmp_path / "bad.pml"
    bad.write_text("<poml>\n  <p>unclosed\n</poml>\n", encoding="utf-8")
    result = runner.invoke(app, ["check", "--format", "json", str(prompt), str(bad)])
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {"files": [
        {"file": str(prompt), "context": None, "diagnostics": [], "variables": [
            {"name": "city", "file": str(prompt), "line": 2, "column": 32},
            {"name": "count", "file": str(prompt), "line": 3, "column": 20}]},
        {"file": str(bad), "context": None, "variables": None, "diagnostics": [{
            "severity": "error", "message": "`</poml>` closes `<p>`, opened at 2:3", "code": "syntax",
            "hint": "close `<p>` first with `</p>`, or rename this tag", "file": str(bad),
            "line": 3, "column": 1, "end_line": 3, "end_column": 8}]},
    ], "errors": 1, "warnings": 0}


def test_check_clean_file_exits_0(prompt: Path) -> None:
    result = runner.invoke(app, ["check", str(prompt)])
    assert result.exit_code == 0
    assert result.stdout == (f"{prompt}: note: reads 2 variables from its context: `city` (2:32), `count` (3:20); "
                             "give a context (--context or --var) to check a render with it\n"
                             "1 file checked: 0 errors, 0 warnings\n")


def test_strict_turns_unknown_attributes_into_errors(tmp_path: Path) -> None:
    path = tmp_path / "a.pml"
    path.write_text('<poml><p colour="red">y</p></poml>', encoding="utf-8")
    assert runner.invoke(app, ["check", str(path)]).exit_code == 0
    result = runner.invoke(app, ["check", "--strict", str(path)])
    assert result.exit_code == 1
    assert f"{path}:1:10: unknown attribute `colour` on `<p>`" in result.stdout


def test_help_explains_the_commands() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "render" in result.stdout and "check" in result.stdout
    result = runner.invoke(app, ["render", "--help"])
    assert "FILE.context.json" in result.stdout
