"""`python -m pml.lsp` starts the same server as `pml lsp`: what it announces, and positions in the
encoding a client asks for."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_lsp
from lsp_helpers import make_client, open_file, rng
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from pml import __version__

pytestmark = pytest.mark.asyncio(loop_scope="module")

RESULT: dict[str, types.InitializeResult] = {}


@pytest_lsp.fixture(scope="module", config=ClientServerConfig(server_command=[sys.executable, "-m", "pml.lsp"],
                                                              client_factory=make_client))
async def client(lsp_client: LanguageClient) -> AsyncIterator[None]:
    # This client prefers UTF-8 positions (as Helix does, for one).
    capabilities = types.ClientCapabilities(general=types.GeneralClientCapabilities(
        position_encodings=[types.PositionEncodingKind.Utf8, types.PositionEncodingKind.Utf16]))
    RESULT["init"] = await lsp_client.initialize_session(types.InitializeParams(capabilities=capabilities))
    yield
    await lsp_client.shutdown_session()


async def test_capabilities(client: LanguageClient) -> None:
    result = RESULT["init"]
    assert result.server_info == types.ServerInfo(name="pml", version=__version__)
    capabilities = result.capabilities
    assert capabilities.position_encoding == types.PositionEncodingKind.Utf8
    assert capabilities.text_document_sync.change == types.TextDocumentSyncKind.Full  # type: ignore[union-attr]
    assert capabilities.text_document_sync.save  # type: ignore[union-attr]
    assert capabilities.hover_provider
    assert capabilities.definition_provider
    assert capabilities.document_symbol_provider
    assert capabilities.completion_provider is not None
    assert set(capabilities.completion_provider.trigger_characters or ()) >= {"<", "/", '"', "{", ".", " "}


async def test_positions_in_the_encoding_agreed(client: LanguageClient, tmp_path: Path) -> None:
    # "é" is 2 bytes and "😀" 4 in UTF-8: `<tsk` starts at byte 3 + 2 + 4 + 1 + 1 = 11.
    uri = await open_file(client, tmp_path / "utf8.pml", "<p>é😀 <tsk/></p>\n")
    assert [d.range for d in client.diagnostics[uri]] == [rng(0, 11, 0, 14)]
    found = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=0, character=1)))
    assert found is not None and found.range == rng(0, 1, 0, 2)
