"""The pure parts of the server: UTF-16 positions, the cursor scanner and the preview page."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from typer.testing import CliRunner

from pml.cli.app import app
from pml.lsp import cursor
from pml.lsp.position import LineIndex, utf16_len
from pml.lsp.preview import preview_html


def test_utf16_positions_round_trip() -> None:
    text = "a😀b\nçé😀😀x\n\nend"
    index = LineIndex(text)
    assert utf16_len("😀") == 2 and utf16_len("çé") == 2
    expected = {0: (0, 0), 1: (0, 1), 2: (0, 3), 3: (0, 4), 4: (1, 0), 6: (1, 2), 7: (1, 4), 8: (1, 6),
                9: (1, 7), 10: (2, 0), 11: (3, 0), 14: (3, 3)}
    for offset, (line, character) in expected.items():
        assert index.position(offset) == types.Position(line=line, character=character), offset
        assert index.offset(types.Position(line=line, character=character)) == offset
    # past the end of a line, or of the text: clamped
    assert index.offset(types.Position(line=0, character=99)) == 3
    assert index.offset(types.Position(line=99, character=0)) == len(text)
    assert index.position(999) == types.Position(line=3, character=3)


def test_utf8_and_utf32_positions() -> None:
    text = "é😀x"
    for encoding, columns in (("utf-8", [0, 2, 6, 7]), ("utf-32", [0, 1, 2, 3]), ("utf-16", [0, 1, 3, 4])):
        index = LineIndex(text, encoding)
        assert [index.position(o).character for o in range(4)] == columns, encoding
        assert [index.offset(types.Position(line=0, character=c)) for c in columns] == [0, 1, 2, 3]


def test_cursor_before_finds_what_is_being_typed() -> None:
    def kind(text: str) -> tuple[str, str, str | None, str | None]:
        found = cursor.before(text.replace("|", ""), text.index("|"))
        return found.kind, found.text, found.tag, found.attr

    assert kind("<ta|") == ("tag", "ta", None, None)
    assert kind("<p>x</|") == ("close_tag", "", None, None)
    assert kind('<list a="1>2" listSt|') == ("attribute", "listSt", "list", None)
    assert kind('<list listStyle="de|') == ("value", "de", "list", "listStyle")
    assert kind("<p>{{ user.na|") == ("expression", " user.na", None, None)
    assert kind("<p>{{ a }} te|") == ("text", "", None, None)
    assert kind("<style>task { caption-style: bo|") == ("style_value", "bo", None, "caption-style")
    assert kind("<style>task { x: y; capt|") == ("style_property", "capt", None, None)
    assert kind("<style>x{}</style><ta|") == ("tag", "ta", None, None)
    assert kind("<!-- <ta|") == ("text", "", None, None)


def test_preview_html_escapes_everything() -> None:
    page = preview_html({
        "messages": [
            {"speaker": "human<script>", "text": "<b>&amp;</b>", "tokens": 1,
             "parts": [{"type": "text", "text": "<b>&amp;</b>"},
                       {"type": "image", "mime": "image/png", "alt": "a \"cat\" <img>"},
                       {"type": "tool_call", "name": "<f>", "arguments": {"q": "<x>"}}]},
        ],
        "total_tokens": 1,
        "diagnostics": [{"severity": "warning", "message": "<bad>", "hint": "use <good>", "file": "a<.pml",
                         "line": 1, "column": 2}],
        "cache": {"anthropic": {"breakpoints": [{"module": "<m>", "message": 0, "part": 0, "offset": 3,
                                                 "prefix_tokens": 5}], "cache_key": None, "notes": ["<n>"]}},
    }, title="<title>")
    assert "<script>" not in page and "<b>" not in page and "<bad>" not in page and "<m>" not in page
    assert "&lt;b&gt;&amp;amp;&lt;/b&gt;" not in page  # cut by the breakpoint at offset 3:
    assert "&lt;b&gt;" in page and "&amp;amp;&lt;/b&gt;" in page
    assert "⟂ cache breakpoint after &lt;m&gt; · 5 tokens before it" in page
    assert "[image/png: a &quot;cat&quot; &lt;img&gt;]" in page
    assert "a&lt;.pml:1:2: warning: &lt;bad&gt; — use &lt;good&gt;" in page
    assert "1 message · 1 token" in page
    assert "<title>&lt;title&gt;</title>" in page


def test_preview_html_of_nothing() -> None:
    page = preview_html({})
    assert "0 messages · 0 tokens" in page and "The prompt renders no messages." in page


def test_the_lsp_command_is_listed() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "lsp" in result.stdout and "Run the PML language server on stdio" in result.stdout


def test_a_compiler_crash_is_a_diagnostic_at_the_top(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from pml.lsp import analysis
    from pml.lsp.diagnostics import convert

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(analysis, "compile_document", crash)
    uri = analysis.path_uri(tmp_path / "x.pml")
    found = convert(analysis.analyze(uri, "<p>Hi</p>"))
    assert list(found) == [uri]
    [diagnostic] = found[uri]
    assert diagnostic.range == types.Range(start=types.Position(line=0, character=0),
                                           end=types.Position(line=0, character=0))
    assert diagnostic.severity == types.DiagnosticSeverity.Error and diagnostic.code == "internal"
    assert diagnostic.message.startswith("internal error in the PML compiler: RuntimeError: boom (at ")


def test_which_documents_a_change_on_disk_affects(tmp_path: Path) -> None:
    from pml.lsp.analysis import Documents, path_uri

    (tmp_path / "part.pml").write_text("<p>Part</p>\n", encoding="utf-8")
    documents = Documents()
    main, other = path_uri(tmp_path / "main.pml"), path_uri(tmp_path / "other.pml")
    documents.update(main, '<include src="part.pml"/>\n<img src="pic.png"/>\n<img src="{{ x }}.png"/>\n')
    documents.update(other, "<p>Alone</p>\n")
    assert documents.affected_by({tmp_path / "part.pml"}) == [main]
    assert documents.affected_by({tmp_path / "pic.png"}) == [main]  # named, not there yet
    assert documents.affected_by({tmp_path / "main.context.json"}) == [main]
    assert documents.affected_by({tmp_path / "other.pss"}) == [other]
    assert documents.affected_by({tmp_path / "unrelated.pml", tmp_path / "main.pml"}) == []
    # A missing file named literally is an error in main, so any new file may be the fix:
    assert documents.affected_by({tmp_path / "unrelated.pml"}, created=True) == [main]
    (tmp_path / "pic.png").write_bytes(b"")
    documents.update(main, '<include src="part.pml"/>\n<img src="pic.png"/>\n<img src="{{ x }}.png"/>\n')
    assert documents.affected_by({tmp_path / "unrelated.pml"}, created=True) == []  # none has errors
    documents.update(other, "<tsk/>\n")
    assert documents.affected_by({tmp_path / "unrelated.pml"}, created=True) == [other]


def test_access_reads_only_regular_workspace_files_within_max_file_size(tmp_path: Path) -> None:
    from pml import limits
    from pml.lsp.access import PROMPT_SUFFIXES, Access, Refused, path_uri

    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "a.pml").write_text("<p>0123456789</p>\n", encoding="utf-8")
    (tmp_path / "ws" / "bad.pml").write_bytes(b"<p>\xff</p>")
    (tmp_path / "ws" / "dir.pml").mkdir()
    access = Access(lambda: [path_uri(tmp_path / "ws"), "untitled:x", "not a uri"])
    assert access.roots() == [(tmp_path / "ws").resolve()]
    assert access.read(path_uri(tmp_path / "ws" / "a.pml"), PROMPT_SUFFIXES) == "<p>0123456789</p>\n"
    with limits.using(limits.Limits(max_file_size=10)), pytest.raises(Refused) as info:
        access.read(path_uri(tmp_path / "ws" / "a.pml"), PROMPT_SUFFIXES)
    assert str(info.value) == f"`{(tmp_path / 'ws' / 'a.pml').resolve()}` is larger than max_file_size (10 bytes)"
    with pytest.raises(Refused) as info:
        access.read(path_uri(tmp_path / "ws" / "bad.pml"), PROMPT_SUFFIXES)
    assert str(info.value) == f"`{(tmp_path / 'ws' / 'bad.pml').resolve()}` is not UTF-8 text (byte 3)"
    with pytest.raises(Refused) as info:
        access.read(path_uri(tmp_path / "ws" / "dir.pml"), PROMPT_SUFFIXES)
    assert str(info.value) == f"`{(tmp_path / 'ws' / 'dir.pml').resolve()}` is not a regular file"


def test_the_root_of_a_document(tmp_path: Path) -> None:
    from pml.lsp.access import Access, path_uri

    outer, inner = tmp_path / "outer", tmp_path / "outer" / "inner"
    inner.mkdir(parents=True)
    access = Access(lambda: [path_uri(outer), path_uri(inner)])
    assert access.root_of((inner / "x" / "a.pml").resolve()) == inner.resolve()
    assert access.root_of((outer / "a.pml").resolve()) == outer.resolve()
    assert access.root_of((tmp_path / "a.pml").resolve()) == tmp_path.resolve()
    assert access.root_of(None) == outer.resolve()
    assert Access(lambda: []).root_of(None) == Path.cwd().resolve()


def test_a_document_over_max_file_size_is_not_compiled(tmp_path: Path) -> None:
    from pml import limits
    from pml.lsp.analysis import analyze, path_uri
    from pml.lsp.diagnostics import convert

    uri = path_uri(tmp_path / "big.pml")
    with limits.using(limits.Limits(max_file_size=20)):
        found = analyze(uri, "<p>" + "x" * 30 + "</p>")
    assert found.document is None and found.prompt is None
    [diagnostic] = convert(found)[uri]
    assert diagnostic.message == ("the document is larger than max_file_size (20 bytes): it is not analysed\n"
                                  "hint: split it into files that include one another")


def test_a_context_beside_the_document_makes_render_problems_diagnostics(tmp_path: Path) -> None:
    from pml.lsp.analysis import analyze, path_uri

    (tmp_path / "p.context.json").write_text('{"who": "Ada"}', encoding="utf-8")
    uri = path_uri(tmp_path / "p.pml")
    found = analyze(uri, "<poml>\n  <p>Hi {{ who }} from {{ company }}.</p>\n</poml>\n")
    assert [(d.severity, d.message, str(d.span)) for d in found.diagnostics] == [
        ("error", "undefined variable `company`", "p.pml:2:27")]
    assert not analyze(uri, "<poml>\n  <p>Hi {{ who }}.</p>\n</poml>\n").diagnostics


def test_without_a_context_only_a_prompt_that_reads_no_variables_is_rendered(tmp_path: Path) -> None:
    from pml.lsp.analysis import analyze, path_uri

    uri = path_uri(tmp_path / "p.pml")
    assert not analyze(uri, "<poml><p>Hi {{ who }}.</p></poml>").diagnostics  # what `who` is, is not known
    [found] = analyze(uri, "<poml><p>{{ [1, 2].map(3) }}</p></poml>").diagnostics
    assert found.message == "error in expression `[1, 2].map(3)`: `map` expects a function such as `x => x.name`, " \
                            "not a number"
