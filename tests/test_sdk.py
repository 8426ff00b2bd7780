"""The Python SDK: load, loads, render, poml, payload shapes and the compile cache."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import pml

CHAT = """<poml>
  <system-msg>You translate English to French.</system-msg>
  <examples>
    <example><input>Hello</input><output>Bonjour</output></example>
  </examples>
  <human-msg>{{ text }}</human-msg>
</poml>"""


def test_loads_and_render_with_context_and_keywords() -> None:
    prompt = pml.loads("<poml><task>Say {{ a }} and {{ b }}.</task></poml>")
    rendered = prompt.render({"a": "yes"}, b="no")
    assert rendered.messages == (pml.Message("human", "# Task\n\nSay yes and no."),)


def test_openai_payload() -> None:
    # The system message is sticky: "# Examples" after it is system too (as POML renders it).
    assert pml.render(CHAT, {"text": "Thank you"}) == {"messages": [
        {"role": "system", "content": "You translate English to French.\n\n# Examples"},
        {"role": "user", "content": "Hello"},
        {"role": "assistant", "content": "Bonjour"},
        {"role": "user", "content": "Thank you"},
    ]}


def test_anthropic_payload_lifts_system_and_merges_turns() -> None:
    markup = ("<poml><system-msg>Be terse.</system-msg><human-msg>One</human-msg>"
              "<ai-msg>Two</ai-msg><human-msg>Three</human-msg><p speaker=\"human\">Four</p></poml>")
    assert pml.render(markup, format="anthropic") == {
        "system": "Be terse.",
        "messages": [
            {"role": "user", "content": "One"},
            {"role": "assistant", "content": "Two"},
            {"role": "user", "content": "Three\n\nFour"},
        ],
    }


def test_poml_compatible_call_and_shapes() -> None:
    markup = "<poml><p>Hi {{ name }}</p><ai-msg>Hello</ai-msg></poml>"
    assert pml.poml(markup, {"name": "Ada"}) == [
        {"speaker": "system", "content": "Hi Ada"},
        {"speaker": "ai", "content": "Hello"},
    ]
    assert pml.poml(markup, {"name": "Ada"}, format="dict") == {"messages": [
        {"speaker": "system", "content": "Hi Ada"},
        {"speaker": "ai", "content": "Hello"},
    ]}
    assert pml.poml(markup, {"name": "Ada"}, chat=False) == "Hi Ada\n\nHello"
    assert pml.poml(markup, {"name": "Ada"}, chat=False, format="dict") == {"messages": "Hi Ada\n\nHello"}


def test_poml_accepts_context_and_stylesheet_files(tmp_path: Path) -> None:
    (tmp_path / "p.poml").write_text("<poml><hint>{{ tip }}</hint></poml>", encoding="utf-8")
    (tmp_path / "c.json").write_text('{"tip": "Drink water."}', encoding="utf-8")
    (tmp_path / "s.json").write_text('{"hint": {"captionStyle": "plain"}}', encoding="utf-8")
    result = pml.poml(str(tmp_path / "p.poml"), str(tmp_path / "c.json"), str(tmp_path / "s.json"))
    assert result == [{"speaker": "human", "content": "Hint: Drink water."}]


def test_stylesheet_argument_forms() -> None:
    markup = "<poml><task>Go.</task></poml>"
    expected = [{"speaker": "human", "content": "**Task:** Go."}]
    assert pml.poml(markup, stylesheet={"task": {"captionStyle": "bold"}}) == expected
    assert pml.poml(markup, stylesheet='{"task": {"captionStyle": "bold"}}') == expected
    assert pml.render(markup, stylesheet="task { caption-style: bold }", format="message_dict") == expected


def test_long_css_text_is_text_never_a_path() -> None:
    markup = "<poml><task>Go.</task></poml>"
    css = "task { caption-style: bold }\n" + "/* a long comment */ " * 20
    assert len(css) > 255
    assert pml.render(markup, stylesheet=css, format="message_dict") == [
        {"speaker": "human", "content": "**Task:** Go."}]
    assert pml.poml(markup, stylesheet=css.replace("\n", " ")) == [{"speaker": "human", "content": "**Task:** Go."}]
    long_json = '{"task": {"captionStyle": "bold"}, "p": {"whiteSpace": "pre"}' + ' ' * 300 + "}"
    assert pml.poml(markup, stylesheet=long_json) == [{"speaker": "human", "content": "**Task:** Go."}]


@pytest.mark.parametrize(("argument", "expected"), [
    ("task { caption-style: bold }", None),
    ('{"task": {"captionStyle": "bold"}}', None),
    ("styles.pss", Path("styles.pss")),
    ("  dir/styles.JSON ", Path("dir/styles.JSON")),
    ("styles.pss { }", None),  # a rule, even if it looks like a file name
    ("a" * 300 + ".css", Path("a" * 300 + ".css")),
    ("notes.txt", None),
    (Path("anything"), Path("anything")),
])
def test_which_stylesheet_arguments_name_files(argument: object, expected: Path | None) -> None:
    assert pml.api.stylesheet_path(argument) == expected


@pytest.mark.parametrize(("argument", "message"), [
    ("missing.pss", "stylesheet not found: missing.pss"),
    ("a" * 300 + ".css", "cannot read the stylesheet `" + "a" * 40 + "…" + "a" * 36 + ".css`: the path is too long"),
    ("bad\0.css", "cannot read the stylesheet `bad\\0.css`: the path contains a NUL character"),
])
def test_a_stylesheet_file_that_cannot_be_read_is_a_pml_error(argument: str, message: str) -> None:
    with pytest.raises(pml.PMLCompileError) as info:
        pml.poml("<poml><task>Go.</task></poml>", stylesheet=argument)
    assert info.value.message == message


def test_a_stylesheet_file_that_is_not_utf8_is_located_at_the_bad_byte(tmp_path: Path) -> None:
    sheet = tmp_path / "s.pss"
    sheet.write_bytes(b"task {\n  caption: \"caf\xe9\";\n}\n")
    with pytest.raises(pml.PMLCompileError) as info:
        pml.loads("<poml><task>Go.</task></poml>", stylesheet=sheet)
    assert str(info.value) == (
        f"{sheet}:2:16: cannot read the stylesheet `{sheet}`: it is not UTF-8 text (byte 0xE9 at line 2, "
        "column 16, offset 22)\n"
        '    caption: "caf\ufffd";\n'
        "                 ^\n"
        "hint: save the file as UTF-8")


def test_caller_stylesheet_beats_the_document_one() -> None:
    markup = "<poml><style>task { caption-style: plain }</style><task>Go.</task></poml>"
    assert pml.poml(markup) == [{"speaker": "human", "content": "Task: Go."}]
    assert pml.poml(markup, stylesheet={"task": {"captionStyle": "bold"}}) == [
        {"speaker": "human", "content": "**Task:** Go."}]


def test_text_format() -> None:
    assert pml.render(CHAT, {"text": "Bye"}, format="text").endswith("===== human =====\n\nBye")


def test_load_caches_until_the_file_or_an_include_changes(tmp_path: Path) -> None:
    main = tmp_path / "main.pml"
    part = tmp_path / "part.pml"
    part.write_text("<poml><p>part one</p></poml>", encoding="utf-8")
    main.write_text('<poml><include src="part.pml"/></poml>', encoding="utf-8")
    first = pml.load(main)
    assert pml.load(main) is first
    assert first.files == (main.resolve(), part.resolve())
    part.write_text("<poml><p>part two, longer</p></poml>", encoding="utf-8")
    stat = part.stat()
    os.utime(part, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    second = pml.load(main)
    assert second is not first
    assert second.render().messages[0].content == "part two, longer"


def test_loads_caches_by_content() -> None:
    assert pml.loads("<p>x</p>") is pml.loads("<p>x</p>")
    assert pml.loads("<p>x</p>") is not pml.loads("<p>y</p>")


def test_relative_paths_in_strings_resolve_against_base_dir(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("line 1\n  line 2", encoding="utf-8")
    prompt = pml.loads('<poml><document src="notes.txt"/></poml>', base_dir=tmp_path)
    assert prompt.render().messages[0].content == "line 1\n  line 2"


def test_warnings_are_on_the_prompt() -> None:
    prompt = pml.loads('<poml><p colour="red">x</p></poml>', name="w.pml")
    assert [str(d) for d in prompt.diagnostics] == [
        "w.pml:1:10: warning: unknown attribute `colour` on `<p>`\n"
        '  <poml><p colour="red">x</p></poml>\n'
        "           ^^^^^^^^^^^^\n"
        "hint: `<p>` takes blankLine, and the common attributes (speaker, syntax, className, whiteSpace, …)"
    ]


def test_errors_are_pml_errors_with_positions() -> None:
    with pytest.raises(pml.PMLSyntaxError) as info:
        pml.loads("<poml>\n<p>x</q>\n</poml>", name="e.pml")
    assert (info.value.line, info.value.column) == (2, 5)
    with pytest.raises(pml.PMLUndefinedError) as undefined:
        pml.loads("<p>{{ nme }}</p>").render({"name": 1})
    assert undefined.value.hint == "did you mean `name`?"


def test_unknown_format_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown format 'yaml'"):
        pml.render("<p>x</p>", format="yaml")


def test_rendered_json_is_deterministic() -> None:
    a = pml.render(CHAT, {"text": "é"})
    b = pml.render(CHAT, {"text": "é"})
    assert json.dumps(a, ensure_ascii=False) == json.dumps(b, ensure_ascii=False)
