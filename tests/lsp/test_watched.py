"""Files changed outside the editor (`workspace/didChangeWatchedFiles`): the open documents that
depend on them are analysed again, so their diagnostics do not go stale."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsp_helpers import open_file, sync, uri_of
from lsprotocol import types
from pytest_lsp import LanguageClient

pytestmark = pytest.mark.asyncio(loop_scope="session")

CREATED, CHANGED, DELETED = types.FileChangeType.Created, types.FileChangeType.Changed, types.FileChangeType.Deleted


def messages(client: LanguageClient, uri: str) -> list[str]:
    return [d.message.split("\n")[0] for d in client.diagnostics.get(uri, ())]


async def files_changed(client: LanguageClient, sync_uri: str, *events: tuple[Path, types.FileChangeType]) -> None:
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
        changes=[types.FileEvent(uri=uri_of(path), type=kind) for path, kind in events]))
    await sync(client, sync_uri)


async def test_an_included_file_fixed_on_disk(client: LanguageClient, tmp_path: Path) -> None:
    part = tmp_path / "part.pml"
    part.write_text("<tsk/>\n", encoding="utf-8")
    uri = await open_file(client, tmp_path / "main.pml", '<include src="part.pml"/>\n')
    assert messages(client, uri_of(part)) == ["unknown tag `<tsk>`"]
    part.write_text("<task/>\n", encoding="utf-8")
    await files_changed(client, uri, (part, CHANGED))
    assert messages(client, uri_of(part)) == []
    part.write_text("<p>{{ }}</p>\n", encoding="utf-8")
    await files_changed(client, uri, (part, CHANGED))
    assert messages(client, uri_of(part)) == ["empty expression"]


async def test_a_missing_include_created_then_deleted(client: LanguageClient, tmp_path: Path) -> None:
    uri = await open_file(client, tmp_path / "main.pml", '<include src="later.pml"/>\n')
    assert messages(client, uri) == ["included file not found: later.pml"]
    (tmp_path / "later.pml").write_text("<p>Here.</p>\n", encoding="utf-8")
    await files_changed(client, uri, (tmp_path / "later.pml", CREATED))
    assert messages(client, uri) == []
    (tmp_path / "later.pml").unlink()
    await files_changed(client, uri, (tmp_path / "later.pml", DELETED))
    assert messages(client, uri) == ["included file not found: later.pml"]


async def test_a_missing_file_included_by_an_included_file(client: LanguageClient, tmp_path: Path) -> None:
    (tmp_path / "middle.pml").write_text('<include src="deep.pml"/>\n', encoding="utf-8")
    uri = await open_file(client, tmp_path / "main.pml", '<include src="middle.pml"/>\n')
    assert messages(client, uri_of(tmp_path / "middle.pml")) == ["included file not found: deep.pml"]
    (tmp_path / "deep.pml").write_text("<p>Deep.</p>\n", encoding="utf-8")
    await files_changed(client, uri, (tmp_path / "deep.pml", CREATED))
    assert messages(client, uri_of(tmp_path / "middle.pml")) == []


async def test_the_stylesheet_beside_the_prompt(client: LanguageClient, tmp_path: Path) -> None:
    uri = await open_file(client, tmp_path / "styled.pml", "<p>Hi</p>\n")
    sheet = tmp_path / "styled.pss"
    sheet.write_text("p { colour: red; }\n", encoding="utf-8")
    await files_changed(client, uri, (sheet, CREATED))
    assert messages(client, uri_of(sheet)) == ["unknown property `colour`; declaration ignored"]


async def test_a_volatile_let_in_an_included_file_warns(client: LanguageClient, tmp_path: Path) -> None:
    (tmp_path / "clock.pml").write_text('<let name="now" volatile="true"/>\n', encoding="utf-8")
    text = ('<include src="clock.pml"/>\n<schema><module name="policy" cache="true"><p>Rules.</p></module></schema>\n'
            "<p>Time: {{ now }}</p>\n<use module=\"policy\"/>\n")
    uri = await open_file(client, tmp_path / "main.pml", text)
    assert messages(client, uri) == [
        "volatile `now` lands before the cached module `policy` (placed at 4:1): the prefix changes on every "
        "request, so provider caches miss"]


async def test_a_change_to_an_unrelated_file_is_harmless(client: LanguageClient, tmp_path: Path) -> None:
    uri = await open_file(client, tmp_path / "main.pml", "<p>Hi</p>\n")
    await files_changed(client, uri, (tmp_path / "other.json", CHANGED), (Path("/etc/passwd"), CHANGED))
    assert messages(client, uri) == []
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
        changes=[types.FileEvent(uri="not a uri", type=CHANGED), types.FileEvent(uri="untitled:x", type=CREATED)]))
    await sync(client, uri)
    assert messages(client, uri) == []
