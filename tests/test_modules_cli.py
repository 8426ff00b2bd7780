"""`pml cache plan`, `pml cache diff`, `pml lock` and `pml check` on prompts with modules."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pml.cli.app import app
from pml.tokens.encodings import tokenizer_for

runner = CliRunner()

ITEM = "a sturdy widget with a two-year warranty."

# A cached module well over 1,024 tokens (300 list items), an uncached one after it.
BIG = f"""<poml>
  <schema name="kb">
    <module name="catalog" cache="true">
      <param name="company"/>
      <p>{{{{ company }}}} sells these items.</p>
      <list>
        <item for="i in range(300)">Item {{{{ i }}}}: {ITEM}</item>
      </list>
    </module>
    <module name="ask">
      <param name="q"/>
      <p>Question: {{{{ q }}}}</p>
    </module>
  </schema>
  <system-msg>
    <use module="catalog" company="{{{{ company }}}}"/>
    <p if="vip">You are talking to a VIP.</p>
  </system-msg>
  <human-msg>
    <use module="ask" q="{{{{ question }}}}"/>
  </human-msg>
</poml>
"""

TINY = """<poml>
  <schema name="s">
    <module name="rules" cache="true">
      <p>Be brief.</p>
    </module>
  </schema>
  <system-msg><use module="rules"/></system-msg>
  <human-msg>{{ question }}</human-msg>
</poml>
"""

# The system message BIG renders with company=Acme (what the cached module writes).
CATALOG = "Acme sells these items.\n\n" + "\n".join(f"- Item {i}: {ITEM}" for i in range(300))


def _context(path: Path, **values: object) -> Path:
    path.write_text(json.dumps(values), encoding="utf-8")
    return path


@pytest.fixture()
def big(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    path = Path("big.pml")
    path.write_text(BIG, encoding="utf-8")
    _context(Path("mon.json"), company="Acme", vip=False, question="Which is cheapest?")
    _context(Path("tue.json"), company="Acme", vip=False, question="Which is heaviest?")
    _context(Path("vip.json"), company="Acme", vip=True, question="Which is cheapest?")
    _context(Path("zeta.json"), company="Zeta", vip=False, question="Which is cheapest?")
    return path


# ---------------------------------------------------------------------- cache plan
def test_plan_text_marks_modules_breakpoint_and_summary(big: Path) -> None:
    result = runner.invoke(app, ["cache", "plan", "big.pml", "-c", "mon.json", "-m", "claude-sonnet-4-5"])
    assert result.exit_code == 0, result.output
    tokens = tokenizer_for(None).count(CATALOG)
    total = tokens + tokenizer_for(None).count("Question: Which is cheapest?")
    assert tokens > 1024
    lines = result.stdout.splitlines()
    assert lines[0] == ("big.pml: cache plan for anthropic (claude-sonnet-4-5; caches prefixes of 1,024+ tokens; "
                        "token counts estimated with o200k_base)")
    assert lines[2] == "── message 1 · system " + "─" * 40
    assert lines[3] == "⟪module catalog · cached⟫"
    assert lines[4:7] == ["Acme sells these items.", "", f"- Item 0: {ITEM}"]
    assert lines[7] == "    … 297 more lines (--full shows them) …"
    assert lines[8:10] == [f"- Item 298: {ITEM}", f"- Item 299: {ITEM}"]
    assert lines[10] == f"⟪/module catalog⟫ ◆ breakpoint 1: {tokens:,} tokens before it"
    assert lines[12] == "── message 2 · human " + "─" * 40
    assert lines[13:16] == ["⟪module ask⟫", "Question: Which is cheapest?", "⟪/module ask⟫"]
    size = len(CATALOG.encode())
    assert lines[16:] == [
        "",
        f"stable prefix: {size:,} bytes, {tokens:,} tokens; cacheable: {tokens:,} of {total:,} tokens",
        "breakpoints: 1 of at most 4",
    ]


def test_plan_full_shows_every_line(big: Path) -> None:
    result = runner.invoke(app, ["cache", "plan", "big.pml", "-c", "mon.json", "--full"])
    assert result.exit_code == 0, result.output
    assert "more lines" not in result.stdout
    assert f"- Item 150: {ITEM}\n" in result.stdout
    # without a model the minimum is assumed, and said so
    assert result.stdout.endswith("note: model (none given) is not in the table of minimum lengths: "
                                  "assuming 1024 tokens\n")


def test_plan_json_fields(big: Path) -> None:
    result = runner.invoke(app, ["cache", "plan", "big.pml", "-c", "mon.json", "-m", "claude-sonnet-4-5",
                                 "-f", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    tokens = tokenizer_for(None).count(CATALOG)
    size = len(CATALOG.encode())
    key = data["modules"][0]["key"]
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", key)
    assert data == {
        "provider": "anthropic",
        "model": "claude-sonnet-4-5",
        "minimum_tokens": 1024,
        "estimate": True,
        "stable_prefix_bytes": size,
        "stable_prefix_tokens": tokens,
        "cacheable_tokens": tokens,
        "total_tokens": tokens + tokenizer_for(None).count("Question: Which is cheapest?"),
        "breakpoints": [{"module": "catalog", "message": 0, "part": 0, "offset": len(CATALOG),
                         "prefix_tokens": tokens, "prefix_bytes": size}],
        "cache_key": None,
        "notes": [],
        "warnings": [],
        "modules": [
            {"module": "catalog", "cached": True, "key": key,
             "start": {"message": 0, "part": 0, "offset": 0},
             "end": {"message": 0, "part": 0, "offset": len(CATALOG)}},
            {"module": "ask", "cached": False, "key": data["modules"][1]["key"],
             "start": {"message": 1, "part": 0, "offset": 0},
             "end": {"message": 1, "part": 0, "offset": len("Question: Which is cheapest?")}},
        ],
    }
    # the cached module's key depends on its arguments, not on the rest of the context
    other = json.loads(runner.invoke(app, ["cache", "plan", "big.pml", "-c", "tue.json", "-f", "json"]).stdout)
    assert other["modules"][0]["key"] == key
    zeta = json.loads(runner.invoke(app, ["cache", "plan", "big.pml", "-c", "zeta.json", "-f", "json"]).stdout)
    assert zeta["modules"][0]["key"] != key


def test_plan_openai_shows_stable_prefix_and_prompt_cache_key(big: Path) -> None:
    result = runner.invoke(app, ["cache", "plan", "big.pml", "-c", "mon.json", "--target", "openai",
                                 "--model", "gpt-4o"])
    assert result.exit_code == 0, result.output
    counter = tokenizer_for("gpt-4o")
    tokens = counter.count(CATALOG)
    total = tokens + counter.count("Question: Which is cheapest?")
    cacheable = 1024 + (tokens - 1024) // 128 * 128
    lines = result.stdout.splitlines()
    assert lines[0] == ("big.pml: cache plan for openai (gpt-4o; caches prefixes of 1,024+ tokens; "
                        "token counts exact)")
    assert "⟪/module catalog⟫" in lines
    assert f"◆ stable prefix ends: {tokens:,} tokens, {cacheable:,} cacheable" in lines
    assert "breakpoint" not in result.stdout
    assert lines[-2] == (f"stable prefix: {len(CATALOG.encode()):,} bytes, {tokens:,} tokens; "
                         f"cacheable: {cacheable:,} of {total:,} tokens")
    match = re.fullmatch(r"prompt_cache_key: (pml-[0-9a-f]{24})", lines[-1])
    assert match is not None
    # the key is a hash of the stable prefix: another question keeps it, another company changes it
    data = json.loads(runner.invoke(app, ["cache", "plan", "big.pml", "-c", "tue.json", "-t", "openai",
                                          "-m", "gpt-4o", "-f", "json"]).stdout)
    assert data["cache_key"] == match.group(1)
    assert data["breakpoints"] == []
    assert data["cacheable_tokens"] == cacheable
    data = json.loads(runner.invoke(app, ["cache", "plan", "big.pml", "-c", "zeta.json", "-t", "openai",
                                          "-m", "gpt-4o", "-f", "json"]).stdout)
    assert data["cache_key"] != match.group(1)


def test_plan_tiny_module_is_below_the_minimum(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("tiny.pml").write_text(TINY, encoding="utf-8")
    result = runner.invoke(app, ["cache", "plan", "tiny.pml", "-m", "claude-sonnet-4-5", "--var", "question=Hi"])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "tiny.pml: cache plan for anthropic (claude-sonnet-4-5; caches prefixes of 1,024+ tokens; "
        "token counts estimated with o200k_base)\n"
        "\n"
        "── message 1 · system " + "─" * 40 + "\n"
        "⟪module rules · cached⟫\n"
        "Be brief.\n"
        "⟪/module rules⟫\n"
        "\n"
        "── message 2 · human " + "─" * 40 + "\n"
        "Hi\n"
        "\n"
        "stable prefix: 9 bytes, 3 tokens; cacheable: 0 of 4 tokens\n"
        "breakpoints: 0 of at most 4\n"
        "note: no breakpoint after `rules`: the prefix is 3 tokens, below the 1024 the model caches\n"
    )
    result = runner.invoke(app, ["cache", "plan", "tiny.pml", "-t", "openai", "-m", "gpt-4o", "--var", "question=Hi"])
    assert result.exit_code == 0, result.output
    assert "◆ stable prefix ends: 3 tokens, 0 cacheable\n" in result.stdout
    assert result.stdout.endswith("note: the stable prefix is 3 tokens, below the 1024 OpenAI caches\n")


def test_plan_of_a_prompt_that_does_not_compile_fails_located(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("bad.pml").write_text(TINY.replace('<use module="rules"/>', '<use module="rulez"/>'), encoding="utf-8")
    result = runner.invoke(app, ["cache", "plan", "bad.pml", "--var", "question=Hi"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "bad.pml:7:28: unknown module `rulez`\n"
        '    <system-msg><use module="rulez"/></system-msg>\n'
        "                             ^^^^^\n"
        "hint: did you mean `rules`?\n"
    )


# ---------------------------------------------------------------------- cache diff
def test_diff_same_renders_exit_0(big: Path) -> None:
    result = runner.invoke(app, ["cache", "diff", "big.pml", "-c", "mon.json", "-c", "mon.json"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "mon.json and mon.json render the same messages: every cache entry is shared.\n"


def test_diff_names_a_top_level_expression(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("p.pml").write_text(BIG.replace('<use module="ask" q="{{ question }}"/>', "Question: {{ question }}"),
                             encoding="utf-8")
    _context(Path("mon.json"), company="Acme", vip=False, question="Which is cheapest?")
    _context(Path("tue.json"), company="Acme", vip=False, question="Which is heaviest?")
    result = runner.invoke(app, ["cache", "diff", "p.pml", "-c", "mon.json", "-c", "tue.json",
                                 "-m", "claude-sonnet-4-5"])
    assert result.exit_code == 1
    tokens = tokenizer_for(None).count(CATALOG)
    offset = len("Question: Which is ")
    assert result.stdout == (
        f"the renders differ at message 2, character {offset + 1} "
        f"(after {len(CATALOG.encode()) + offset:,} bytes of the anthropic request's text, in its order)\n"
        '  mon.json: "Question: Which is cheapest?"\n'
        '  tue.json: "Question: Which is heaviest?"\n'
        "written by `{{ question }}` at p.pml:20:17\n"
        "      Question: {{ question }}\n"
        "                  ^^^^^^^^^^\n"
        'variable `question`: "Which is cheapest?" in mon.json, "Which is heaviest?" in tue.json\n'
        f"still shared: the prefix up to `catalog` ({tokens:,} tokens)\n"
    )


def test_diff_caused_by_a_condition(big: Path) -> None:
    result = runner.invoke(app, ["cache", "diff", "big.pml", "-c", "mon.json", "-c", "vip.json"])
    assert result.exit_code == 1
    tokens = tokenizer_for(None).count(CATALOG)
    size = len(CATALOG.encode())
    assert result.stdout == (
        f"the renders differ at message 1, character {len(CATALOG) + 1} "
        f"(after {size:,} bytes of the anthropic request's text, in its order)\n"
        '  mon.json: …"dget with a two-year warranty."\n'
        '  vip.json: …"dget with a two-year warranty.\\n\\nYou are talking to a VIP."\n'
        "no `{{ }}` wrote this text: a condition, a loop or a module choice differs\n"
        "variables that differ: `vip`\n"
        f"still shared: the prefix up to `catalog` ({tokens:,} tokens)\n"
    )


def test_diff_inside_the_cached_module_misses_its_breakpoint(big: Path) -> None:
    result = runner.invoke(app, ["cache", "diff", "big.pml", "-c", "mon.json", "-c", "zeta.json"])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "the renders differ at message 1, character 1 (after 0 bytes of the anthropic request's text, " \
                       "in its order)"
    assert lines[1] == '  mon.json: "Acme sells these items.\\n\\n- Ite"…'
    assert lines[2] == '  zeta.json: "Zeta sells these items.\\n\\n- Ite"…'
    assert lines[-1] == "breakpoints after the difference miss: `catalog`"
    assert "still shared" not in result.stdout


def test_diff_needs_two_contexts(big: Path) -> None:
    result = runner.invoke(app, ["cache", "diff", "big.pml", "-c", "mon.json"])
    assert result.exit_code == 2
    assert result.stderr == "cache diff compares two renders: give --context twice (got 1)\n"


# ---------------------------------------------------------------------- lock
SHARED = """<poml>
  <schema name="kb">
    <module name="policy" cache="true">
      <p>Returns within 30 days.</p>
    </module>
    <module name="faq" cache="true">
      <param name="topic"/>
      <p>Questions about {{ topic }}.</p>
      <module name="extra" cache="true">
        <p>More answers.</p>
      </module>
    </module>
    <module name="note">
      <p>Not cached, not locked.</p>
    </module>
  </schema>
</poml>
"""

MAIN = """<poml>
  <import src="lib/shared.poml" as="s"/>
  <schema name="local">
    <module name="intro" cache="true">
      <p>Hello.</p>
    </module>
  </schema>
  <use module="intro"/>
  <use module="s.policy"/>
</poml>
"""

KEYS = [
    "prompts/lib/shared.poml#kb.faq",
    "prompts/lib/shared.poml#kb.faq.extra",
    "prompts/lib/shared.poml#kb.policy",
    # imported modules are locked per importing prompt: its stylesheets are part of their bytes
    "prompts/main.pml > prompts/lib/shared.poml#kb.faq",
    "prompts/main.pml > prompts/lib/shared.poml#kb.faq.extra",
    "prompts/main.pml > prompts/lib/shared.poml#kb.policy",
    "prompts/main.pml#local.intro",
]


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "prompts" / "lib").mkdir(parents=True)
    Path("prompts/lib/shared.poml").write_text(SHARED, encoding="utf-8")
    Path("prompts/main.pml").write_text(MAIN, encoding="utf-8")
    return tmp_path


def _lock(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["lock", *args])
    return result.exit_code, result.stdout, result.stderr


def test_lock_writes_the_digest_of_every_cached_module(project: Path) -> None:
    code, out, err = _lock()
    assert (code, out, err) == (0, "wrote pml.lock: 7 cached modules from 2 files\n", "")
    text = Path("pml.lock").read_text(encoding="utf-8")
    data = json.loads(text)
    assert list(data) == ["version", "modules"]
    assert data["version"] == 1
    assert list(data["modules"]) == KEYS
    for digest in data["modules"].values():
        assert re.fullmatch(r"sha256:[0-9a-f]{64}", digest)
    assert len(set(data["modules"].values())) == 4
    assert text == json.dumps(data, indent=2) + "\n"
    # stable: a second run writes the same bytes
    assert _lock() == (0, "wrote pml.lock: 7 cached modules from 2 files\n", "")
    assert Path("pml.lock").read_text(encoding="utf-8") == text
    # and the digests do not depend on where the project lives
    moved = project / "elsewhere"
    (moved / "prompts" / "lib").mkdir(parents=True)
    (moved / "prompts" / "lib" / "shared.poml").write_text(SHARED, encoding="utf-8")
    (moved / "prompts" / "main.pml").write_text(MAIN, encoding="utf-8")
    code, out, _ = _lock("--lock-file", str(moved / "pml.lock"), str(moved / "prompts"))
    assert code == 0, out
    assert json.loads((moved / "pml.lock").read_text(encoding="utf-8")) == data


def test_lock_check_passes_when_unchanged(project: Path) -> None:
    assert _lock()[0] == 0
    assert _lock("--check") == (0, "pml.lock is up to date: 7 cached modules\n", "")
    # whitespace-only layout outside the module bodies changes nothing
    Path("prompts/main.pml").write_text(MAIN.replace("  <use", "\n  <use"), encoding="utf-8")
    assert _lock("--check")[0] == 0


def test_lock_check_without_lock_file(project: Path) -> None:
    assert _lock("--check") == (1, "", "pml.lock: no lock file; run `pml lock` to write it\n")


FAIL = ("cached modules differ from the lock file: provider caches of the prompts that place them will miss; "
        "if the change is meant, run `pml lock` and commit the lock file\n")


def test_lock_check_names_a_changed_module(project: Path) -> None:
    assert _lock()[0] == 0
    locked = json.loads(Path("pml.lock").read_text(encoding="utf-8"))["modules"]
    Path("prompts/lib/shared.poml").write_text(SHARED.replace("30 days", "60 days"), encoding="utf-8")
    code, out, err = _lock("--check")
    assert _lock("--lock-file", "new.lock")[0] == 0
    now = json.loads(Path("new.lock").read_text(encoding="utf-8"))["modules"]
    keys = ["prompts/lib/shared.poml#kb.policy", "prompts/main.pml > prompts/lib/shared.poml#kb.policy"]
    assert all(now[key] != locked[key] for key in keys)
    assert {k: v for k, v in now.items() if k not in keys} == {k: v for k, v in locked.items() if k not in keys}
    assert (code, err) == (1, FAIL)
    assert out == "".join(f"changed: {key} (locked {locked[key][:19]}…, now {now[key][:19]}…)\n" for key in keys)


def test_lock_check_names_added_and_removed_modules(project: Path) -> None:
    assert _lock()[0] == 0
    Path("prompts/main.pml").write_text(
        MAIN.replace('<module name="intro" cache="true">', '<module name="hello" cache="true">')
            .replace('<use module="intro"/>', '<use module="hello"/>'),
        encoding="utf-8")
    code, out, err = _lock("--check")
    assert (code, err) == (1, FAIL)
    assert out == ("added: prompts/main.pml#local.hello (not in pml.lock)\n"
                   "removed: prompts/main.pml#local.intro (in pml.lock, no longer defined)\n")
    # an uncached module is not locked: making it cached adds it
    Path("prompts/main.pml").write_text(MAIN, encoding="utf-8")
    Path("prompts/lib/shared.poml").write_text(
        SHARED.replace('<module name="note">', '<module name="note" cache="true">'), encoding="utf-8")
    code, out, err = _lock("--check")
    assert (code, out) == (1, "added: prompts/lib/shared.poml#kb.note (not in pml.lock)\n"
                              "added: prompts/main.pml > prompts/lib/shared.poml#kb.note (not in pml.lock)\n")
    # dropping cache="true" removes it, and changes the module around it (its digest covers its nested
    # definitions)
    locked = json.loads(Path("pml.lock").read_text(encoding="utf-8"))["modules"]
    Path("prompts/lib/shared.poml").write_text(
        SHARED.replace('<module name="extra" cache="true">', '<module name="extra">'), encoding="utf-8")
    code, out, err = _lock("--check")
    assert _lock("--lock-file", "new.lock")[0] == 0
    now = json.loads(Path("new.lock").read_text(encoding="utf-8"))["modules"]
    faqs = ["prompts/lib/shared.poml#kb.faq", "prompts/main.pml > prompts/lib/shared.poml#kb.faq"]
    assert (code, out) == (1, "".join(f"changed: {faq} (locked {locked[faq][:19]}…, now {now[faq][:19]}…)\n"
                                      for faq in faqs) +
                           "removed: prompts/lib/shared.poml#kb.faq.extra (in pml.lock, no longer defined)\n"
                           "removed: prompts/main.pml > prompts/lib/shared.poml#kb.faq.extra "
                           "(in pml.lock, no longer defined)\n")
    # writing the lock again makes the check pass
    assert _lock()[0] == 0
    assert _lock("--check") == (0, "pml.lock is up to date: 5 cached modules\n", "")


def test_lock_fails_on_a_file_that_does_not_compile(project: Path) -> None:
    Path("prompts/broken.pml").write_text(
        '<poml>\n  <schema name="s">\n    <module name="m" cache="true"><p>{{ user }}</p></module>\n'
        "  </schema>\n</poml>\n", encoding="utf-8")
    code, out, err = _lock()
    assert code == 1
    assert out == ""
    assert err == (
        "prompts/broken.pml:3:40: cached module `m` reads `user`, which is not one of its params\n"
        '      <module name="m" cache="true"><p>{{ user }}</p></module>\n'
        "                                         ^^^^^^\n"
        'hint: add <param name="user"/> to the module and pass it with <use … user="…"/>, or drop cache="true" '
        "(its params: none)\n"
        "1 file did not compile: fix it first\n"
    )
    assert not Path("pml.lock").exists()
    assert _lock("--check")[0] == 1


def test_lock_rejects_a_file_that_is_not_a_lock_file(project: Path) -> None:
    Path("pml.lock").write_text('{"version": 1}', encoding="utf-8")
    assert _lock("--check") == (1, "", 'pml.lock: not a pml lock file (no "modules" object)\n'
                                  'hint: run `pml lock` to write it again\n')


# ---------------------------------------------------------------------- check
def test_check_reports_volatile_data_before_a_cached_module(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("v.pml").write_text(
        '<poml>\n  <let name="now" volatile="true"/>\n  <schema name="s">\n'
        '    <module name="policy" cache="true"><p>Returns.</p></module>\n  </schema>\n'
        "  <p>{{ now }}</p>\n  <use module=\"policy\"/>\n</poml>\n", encoding="utf-8")
    result = runner.invoke(app, ["check", "v.pml"])
    assert result.exit_code == 0
    assert result.stdout == (
        "v.pml:6:8: warning: volatile `now` lands before the cached module `policy` (placed at 7:3): the prefix "
        "changes on every request, so provider caches miss\n"
        "    <p>{{ now }}</p>\n"
        "         ^^^^^\n"
        "hint: put volatile data after the last cached module (at the end of the prompt, or in the last user "
        "message), so the prefix before it stays byte-identical\n"
        "v.pml: note: reads 1 variable from its context: `now` (6:9); give a context (--context or --var) to "
        "check a render with it\n"
        "1 file checked: 0 errors, 1 warning\n"
    )


def test_diff_follows_a_module_param_to_the_argument_behind_it(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("p.pml").write_text(
        '<pml>\n<schema><module name="catalog" cache="true"><param name="company"/>'
        "<p>Catalog of {{ company }}.</p></module></schema>\n"
        '<use module="catalog" company="{{ brand }}"/>\n<human-msg>Hi</human-msg>\n</pml>\n', encoding="utf-8")
    Path("b1.json").write_text('{"brand": "Acme"}', encoding="utf-8")
    Path("b2.json").write_text('{"brand": "Zeta"}', encoding="utf-8")
    result = runner.invoke(app, ["cache", "diff", "p.pml", "-c", "b1.json", "-c", "b2.json"])
    assert result.exit_code == 1
    assert result.stdout == (
        "the renders differ at message 1, character 12 (after 11 bytes of the anthropic request's text, "
        "in its order)\n"
        '  b1.json: "Catalog of Acme."\n'
        '  b2.json: "Catalog of Zeta."\n'
        "written by `{{ company }}` at p.pml:2:84\n"
        '  <schema><module name="catalog" cache="true"><param name="company"/><p>Catalog of {{ company }}.</p>'
        "</module></schema>\n"
        "                                                                                     ^^^^^^^^^\n"
        "`company` is a param, given by the `<use>` at p.pml:3:1 as `{{ brand }}`\n"
        'variable `brand`: "Acme" in b1.json, "Zeta" in b2.json\n'
    )
