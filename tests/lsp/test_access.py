"""What the server reads: open documents and prompt files under the workspace folder, never
`/etc/passwd`; prompts read files under their workspace folder (or their own folder); definitions
stay inside; bad params and refused URIs are answered, not crashed on."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsp_helpers import at, make_client, open_file, uri_of
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import ClientServerConfig, LanguageClient

pytestmark = pytest.mark.asyncio(loop_scope="module")

REGISTRATIONS: list[types.RegistrationParams] = []
PLACES: dict[str, Path] = {}

MAIN = """<poml>
  <include src="../shared/part.pml"/>
  <p>Hello {{ who }}.</p>
  <document src="../../../../../../../../etc/passwd"/>
  <document src="../../outside/secret.pml"/>
</poml>
"""
SECRET = "<p>TOP-SECRET-VALUE</p>\n"


def watching_client() -> LanguageClient:
    client = make_client()

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        REGISTRATIONS.append(params)

    return client


@pytest_lsp.fixture(scope="module", config=ClientServerConfig(server_command=[sys.executable, "-m", "pml", "lsp"],
                                                              client_factory=watching_client))
async def client(lsp_client: LanguageClient, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[None]:
    base = tmp_path_factory.mktemp("access").resolve()
    workspace, outside = base / "ws", base / "outside"
    for folder in (workspace / "prompts", workspace / "shared", outside):
        folder.mkdir(parents=True)
    (workspace / "prompts" / "main.pml").write_text(MAIN, encoding="utf-8")
    (workspace / "shared" / "part.pml").write_text("<p>Shared part.</p>\n", encoding="utf-8")
    (workspace / "notes.txt").write_text("NOTES-TEXT\n", encoding="utf-8")
    (workspace / "link.pml").symlink_to(outside / "secret.pml")
    (workspace / "zero.pml").symlink_to("/dev/zero")
    (outside / "secret.pml").write_text(SECRET, encoding="utf-8")
    (outside / "other.pml").write_text('<include src="../ws/shared/part.pml"/>\n', encoding="utf-8")
    PLACES.update(ws=workspace, outside=outside)
    capabilities = types.ClientCapabilities(workspace=types.WorkspaceClientCapabilities(
        did_change_watched_files=types.DidChangeWatchedFilesClientCapabilities(dynamic_registration=True)))
    await lsp_client.initialize_session(types.InitializeParams(
        capabilities=capabilities, workspace_folders=[types.WorkspaceFolder(uri=uri_of(workspace), name="ws")]))
    yield
    await lsp_client.shutdown_session()


async def preview(client: LanguageClient, params: Any) -> dict[str, Any]:
    result = await client.protocol.send_request_async("pml/preview", params)
    assert isinstance(result, dict)
    return result


async def refused(client: LanguageClient, params: Any) -> JsonRpcException:
    with pytest.raises(JsonRpcException) as info:
        await client.protocol.send_request_async("pml/preview", params)
    assert "TOP-SECRET" not in info.value.message and "root:" not in info.value.message
    assert info.value.data is None
    return info.value


async def test_the_server_asks_to_watch_prompt_files(client: LanguageClient) -> None:
    await client.text_document_document_symbol_async(types.DocumentSymbolParams(
        text_document=types.TextDocumentIdentifier(uri=uri_of(PLACES["ws"] / "prompts" / "main.pml"))))
    [params] = REGISTRATIONS
    [registration] = params.registrations
    assert registration.method == "workspace/didChangeWatchedFiles"
    assert registration.register_options == {"watchers": [{"globPattern": "**/*.{pml,poml,pss,css,json}"}]}


async def test_the_preview_refuses_what_is_not_a_workspace_prompt(client: LanguageClient) -> None:
    ws, outside = PLACES["ws"], PLACES["outside"]
    expected = {
        "file:///etc/passwd": "`passwd` is not a .pml / .poml file",
        "file:///proc/self/environ": "`environ` is not a .pml / .poml file",
        "file:///dev/zero": "`zero` is not a .pml / .poml file",
        uri_of(outside / "secret.pml"): f"`{outside / 'secret.pml'}` is not open in the editor and not under a "
                                        "workspace folder",
        uri_of(ws / "notes.txt"): "`notes.txt` is not a .pml / .poml file",
        ws.as_uri() + "/link.pml": f"`{outside / 'secret.pml'}` is not open in the editor and not under a "
                                   "workspace folder",
        ws.as_uri() + "/zero.pml": "`zero` is not a .pml / .poml file",
        uri_of(ws / "missing.pml"): f"`{ws / 'missing.pml'}`: No such file or directory",
        "untitled:Untitled-9": "`untitled:Untitled-9` is neither a document open in the editor nor a file",
        "https://example.com/a.pml": "`https://example.com/a.pml` is neither a document open in the editor nor a file",
    }
    for uri, message in expected.items():
        error = await refused(client, {"uri": uri})
        assert (error.code, error.message) == (-32803, f"pml/preview: {message}"), uri


async def test_the_preview_refuses_an_open_document_that_is_no_prompt(client: LanguageClient) -> None:
    uri = await open_file(client, PLACES["ws"] / "notes.txt")
    error = await refused(client, {"uri": uri})
    assert error.message == f"pml/preview: `{PLACES['ws'] / 'notes.txt'}` is not a .pml / .poml document"
    # the other requests work on whatever the client opened: it sent the text
    uri = await open_file(client, PLACES["ws"] / "custom.prompt", "<task>Plan.</task>\n")
    found = await client.text_document_document_symbol_async(types.DocumentSymbolParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    assert [s.name for s in found or ()] == ["task"]  # type: ignore[union-attr]
    error = await refused(client, {"uri": uri})
    assert error.message == f"pml/preview: `{PLACES['ws'] / 'custom.prompt'}` is not a .pml / .poml document"


async def test_bad_preview_params_are_an_error(client: LanguageClient) -> None:
    cases = [({}, "pml/preview needs a `uri` string"), ({"uri": 5}, "pml/preview needs a `uri` string"),
             ({"uri": ""}, "pml/preview needs a `uri` string"),
             ({"uri": uri_of(PLACES["ws"] / "prompts" / "main.pml"), "context": [1]},
              "the `context` of pml/preview must be an object")]
    for params, message in cases:
        error = await refused(client, params)
        assert (error.code, error.message) == (-32602, message), params


async def test_the_preview_renders_a_workspace_prompt_not_open(client: LanguageClient) -> None:
    result = await preview(client, {"uri": uri_of(PLACES["ws"] / "prompts" / "main.pml"),
                                    "context": {"who": "Ada"}})
    assert result["error"] == "`../../../../../../../../etc/passwd` is outside the prompt's folder"
    await_part = await preview(client, {"uri": uri_of(PLACES["ws"] / "shared" / "part.pml")})
    assert [m["text"] for m in await_part["messages"]] == ["Shared part."]


async def test_a_prompt_reads_across_its_workspace_folder_only(client: LanguageClient) -> None:
    ws = PLACES["ws"]
    text = MAIN.replace('  <document src="../../../../../../../../etc/passwd"/>\n', "").replace(
        '  <document src="../../outside/secret.pml"/>\n', "")
    uri = await open_file(client, ws / "prompts" / "main.pml", text)
    assert list(client.diagnostics[uri]) == []
    result = await preview(client, {"uri": uri, "context": {"who": "Ada"}})
    assert [m["text"] for m in result["messages"]] == ["Shared part.\n\nHello Ada."]
    # an include is read at compile time: outside the root, it is a diagnostic
    escape = text.replace("../shared/part.pml", "../../outside/secret.pml")
    uri = await open_file(client, ws / "prompts" / "main.pml", escape)
    assert [d.message for d in client.diagnostics[uri]] == [
        "`../../outside/secret.pml` is outside the prompt's folder\nhint: files are read only under the prompt's "
        "folder; pass root=… (SDK) or --root (CLI) to allow more"]
    # a document is read when the prompt renders: outside the root, the preview says so
    result = await preview(client, {"uri": uri_of(ws / "prompts" / "main.pml"), "context": {"who": "Ada"}})
    assert result["error"] == "`../../outside/secret.pml` is outside the prompt's folder"
    assert "TOP-SECRET" not in str(result)


async def test_a_prompt_outside_the_workspace_reads_only_its_own_folder(client: LanguageClient) -> None:
    uri = await open_file(client, PLACES["outside"] / "other.pml")
    assert [d.message.split("\n")[0] for d in client.diagnostics[uri]] == [
        "`../ws/shared/part.pml` is outside the prompt's folder"]
    assert await definition(client, uri, types.Position(line=0, character=16)) == []


async def definition(client: LanguageClient, uri: str, where: types.Position) -> list[types.Location]:
    found = await client.text_document_definition_async(types.DefinitionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=where))
    if found is None:
        return []
    return list(found) if isinstance(found, list) else [found]  # type: ignore[list-item]


async def test_definitions_stay_inside_the_root(client: LanguageClient) -> None:
    ws = PLACES["ws"]
    uri = await open_file(client, ws / "prompts" / "main.pml", MAIN)
    part = await definition(client, uri, at(MAIN, "shared/part.pml"))
    assert part == [types.Location(uri=uri_of(ws / "shared" / "part.pml"), range=types.Range(
        start=types.Position(line=0, character=0), end=types.Position(line=0, character=0)))]
    assert await definition(client, uri, at(MAIN, "etc/passwd")) == []
    assert await definition(client, uri, at(MAIN, "outside/secret.pml")) == []


async def test_requests_on_refused_or_odd_documents_answer_nothing(client: LanguageClient) -> None:
    for uri in ("file:///etc/passwd", "file:///dev/zero", uri_of(PLACES["outside"] / "secret.pml"), "untitled:x"):
        document = types.TextDocumentIdentifier(uri=uri)
        where = types.Position(line=0, character=1)
        assert await client.text_document_hover_async(types.HoverParams(text_document=document, position=where)) \
            is None
        assert await definition(client, uri, where) == []
        symbols = await client.text_document_document_symbol_async(types.DocumentSymbolParams(
            text_document=document))
        assert symbols is not None and list(symbols) == []
        found = await client.text_document_completion_async(types.CompletionParams(
            text_document=document, position=where))
        assert isinstance(found, types.CompletionList) and list(found.items) == []
    assert any(m.message == "pml: hover: `/etc/passwd` is not open in the editor and not under a workspace folder"
               or m.message == "pml: hover: `passwd` is not a .pml / .poml / .pss / .css file"
               for m in client.log_messages)


async def test_positions_out_of_range_answer_nothing(client: LanguageClient) -> None:
    uri = await open_file(client, PLACES["ws"] / "shared" / "part.pml")
    document = types.TextDocumentIdentifier(uri=uri)
    for where in (types.Position(line=10**6, character=0), types.Position(line=0, character=2**31 - 1),
                  types.Position(line=2**31 - 1, character=2**31 - 1)):
        assert await client.text_document_hover_async(types.HoverParams(text_document=document, position=where)) \
            is None
        assert await definition(client, uri, where) == []
        found = await client.text_document_completion_async(types.CompletionParams(
            text_document=document, position=where))
        assert found is not None


async def test_an_unsaved_document_reads_under_the_workspace_folder(client: LanguageClient) -> None:
    uri = "untitled:Untitled-1"
    text = '<include src="shared/part.pml"/>\n<include src="../outside/secret.pml"/>\n'
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=uri, language_id="pml", version=1, text=text)))
    result = await preview(client, {"uri": uri})
    assert result["error"] == "`../outside/secret.pml` is outside the prompt's folder"
    assert "TOP-SECRET" not in str(result)
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=text.split("\n")[0])]))
    result = await preview(client, {"uri": uri})
    assert [m["text"] for m in result["messages"]] == ["Shared part."]


async def test_a_new_workspace_folder_widens_the_root(client: LanguageClient) -> None:
    base = PLACES["ws"].parent
    uri = await open_file(client, PLACES["outside"] / "other.pml")
    assert [d.message.split("\n")[0] for d in client.diagnostics[uri]] == [
        "`../ws/shared/part.pml` is outside the prompt's folder"]
    folder = types.WorkspaceFolder(uri=uri_of(base), name="base")

    def folders(added: list[types.WorkspaceFolder], removed: list[types.WorkspaceFolder]) -> None:
        client.workspace_did_change_workspace_folders(types.DidChangeWorkspaceFoldersParams(
            event=types.WorkspaceFoldersChangeEvent(added=added, removed=removed)))

    folders([folder], [])
    await client.text_document_document_symbol_async(types.DocumentSymbolParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    assert list(client.diagnostics[uri]) == []
    folders([], [folder])
    await client.text_document_document_symbol_async(types.DocumentSymbolParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    assert [d.message.split("\n")[0] for d in client.diagnostics[uri]] == [
        "`../ws/shared/part.pml` is outside the prompt's folder"]
