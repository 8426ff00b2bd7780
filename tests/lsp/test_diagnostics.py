"""Diagnostics as the user types: exact ranges, hints, other files, warnings, UTF-16 columns."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsp_helpers import change, open_file, rng, sync, uri_of
from lsprotocol import types
from pytest_lsp import LanguageClient

pytestmark = pytest.mark.asyncio(loop_scope="session")

ERROR = types.DiagnosticSeverity.Error
WARNING = types.DiagnosticSeverity.Warning


def shown(client: LanguageClient, uri: str) -> list[tuple[types.Range, types.DiagnosticSeverity | None, str]]:
    return [(d.range, d.severity, d.message) for d in client.diagnostics.get(uri, ())]


async def test_unknown_tag_has_its_range_and_did_you_mean(client: LanguageClient, tmp_path: Path) -> None:
    uri = await open_file(client, tmp_path / "a.pml", "<poml>\n  <tsk>Do it.</tsk>\n</poml>\n")
    assert shown(client, uri) == [(rng(1, 3, 1, 6), ERROR, "unknown tag `<tsk>`\nhint: did you mean `<task>`?")]
    diagnostic = client.diagnostics[uri][0]
    assert (diagnostic.source, diagnostic.code) == ("pml", "compile")


async def test_a_warning_is_published_as_a_warning(client: LanguageClient, tmp_path: Path) -> None:
    uri = await open_file(client, tmp_path / "w.pml", '<p colour="red">Hi</p>\n')
    assert shown(client, uri) == [(
        rng(0, 3, 0, 15), WARNING,
        "unknown attribute `colour` on `<p>`\nhint: `<p>` takes blankLine, and the common attributes "
        "(speaker, syntax, className, whiteSpace, …)",
    )]


async def test_diagnostics_follow_the_text_as_it_changes(client: LanguageClient, tmp_path: Path) -> None:
    uri = await open_file(client, tmp_path / "typing.pml", "<task>Plan</task>\n")
    assert shown(client, uri) == []
    await change(client, uri, "<task>Plan</task>\n<p>{{ 1 + }}</p>\n")
    assert shown(client, uri) == [(
        rng(1, 5, 1, 10), ERROR,
        "invalid expression `1 +`: unexpected 'end of expression'\nhint: expressions use Jinja syntax "
        "(`name | upper`, `a if ok else b`) or simple JavaScript (`a ? b : c`, `a && b`, `text.trim()`)",
    )]
    await change(client, uri, "<task>Plan", version=3)
    assert shown(client, uri) == [(
        rng(0, 0, 0, 5), ERROR,
        "unexpected end of document: `<task>` opened at 1:1 is not closed\n"
        "hint: add `</task>` where its content ends, or write `<task/>` if it has none",
    )]
    await change(client, uri, "<task>Plan</task>\n", version=4)
    assert shown(client, uri) == []


async def test_columns_are_utf16_code_units(client: LanguageClient, tmp_path: Path) -> None:
    # 😀 is one character for PML and two UTF-16 code units for the protocol.
    uri = await open_file(client, tmp_path / "emoji.pml", "<p>😀😀 <tsk/></p>\n")
    assert [d.range for d in client.diagnostics[uri]] == [rng(0, 9, 0, 12)]


async def test_an_error_in_an_included_file_is_published_on_that_file(client: LanguageClient, tmp_path: Path) -> None:
    part = tmp_path / "part.pml"
    part.write_text("<p>Part</p>\n<tsk>oops</tsk>\n", encoding="utf-8")
    uri = await open_file(client, tmp_path / "main.pml", '<poml>\n  <include src="part.pml"/>\n</poml>\n')
    assert shown(client, uri) == []
    assert shown(client, uri_of(part)) == [
        (rng(1, 1, 1, 4), ERROR, "unknown tag `<tsk>`\nhint: did you mean `<task>`?")]

    # Fixed on disk and saved: the next compile clears the included file's diagnostics.
    part.write_text("<p>Part</p>\n<task>fine</task>\n", encoding="utf-8")
    client.text_document_did_save(types.DidSaveTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    await sync(client, uri)
    assert shown(client, uri_of(part)) == []


async def test_a_missing_include_is_reported_on_its_src(client: LanguageClient, tmp_path: Path) -> None:
    uri = await open_file(client, tmp_path / "missing.pml", '<include src="nowhere.pml"/>\n')
    assert shown(client, uri) == [
        (rng(0, 14, 0, 25), ERROR, "included file not found: nowhere.pml\nhint: looked for nowhere.pml")]


async def test_an_imported_file_warning_lands_in_that_file(client: LanguageClient, tmp_path: Path) -> None:
    lib = tmp_path / "lib.pml"
    lib.write_text('<schema name="s"><module name="m">Hi</module></schema>\n<p>stray</p>\n', encoding="utf-8")
    uri = await open_file(client, tmp_path / "imports.pml", '<import src="lib.pml"/>\n<use module="m"/>\n')
    assert shown(client, uri) == []
    assert shown(client, uri_of(lib)) == [(
        rng(1, 1, 1, 2), WARNING,
        "`<p>` in an imported file is not used: an import brings in only `<schema>`s\n"
        "hint: move it into a module of a schema in lib.pml, or `<include>` the file instead",
    )]


async def test_closing_a_document_clears_its_diagnostics(client: LanguageClient, tmp_path: Path) -> None:
    uri = await open_file(client, tmp_path / "closed.pml", "<tsk/>\n")
    assert len(client.diagnostics[uri]) == 1
    client.text_document_did_close(types.DidCloseTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    await sync(client, uri)
    assert list(client.diagnostics[uri]) == []


async def test_stylesheet_problems_in_a_style_element(client: LanguageClient, tmp_path: Path) -> None:
    uri = await open_file(client, tmp_path / "styled.pml",
                          "<style>\ntask { caption-style: loud; }\n</style>\n<task>x</task>\n")
    assert shown(client, uri) == [(
        rng(1, 7, 1, 26), WARNING,
        "`captionStyle` should be one of header, bold, plain, hidden, not `loud`; declaration ignored",
    )]


async def test_a_pss_file_is_checked_as_a_stylesheet(client: LanguageClient, tmp_path: Path) -> None:
    uri = await open_file(client, tmp_path / "look.pss", "task { captoin-style: bold; }\n")
    assert shown(client, uri) == [(
        rng(0, 7, 0, 20), WARNING,
        "unknown property `captoin-style`; declaration ignored\nhint: did you mean `caption-style`?")]


@pytest.mark.parametrize("text", ["", "<<<>>>", "{{", "<p", "</p>", "<poml><p></poml>", "\x00\ud800", "&bogus;"])
async def test_no_input_crashes_the_server(client: LanguageClient, tmp_path: Path, text: str) -> None:
    path = tmp_path / "odd.pml"
    uri = uri_of(path)
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=uri, language_id="pml", version=1, text=text)))
    await sync(client, uri)
    assert all(d.code != "internal" for d in client.diagnostics[uri])
