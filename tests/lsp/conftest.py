"""Fixtures for the language server tests: a client talking to `python -m pml lsp` over stdio.

One server runs for the whole folder (`scope="session"`); the tests share it, each with
its own files under `tmp_path`, so they never see each other's documents.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator

import pytest_lsp
from lsp_helpers import make_client
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient


@pytest_lsp.fixture(
    scope="session",
    config=ClientServerConfig(server_command=[sys.executable, "-m", "pml", "lsp"], client_factory=make_client),
)
async def client(lsp_client: LanguageClient) -> AsyncIterator[None]:
    await lsp_client.initialize_session(types.InitializeParams(capabilities=types.ClientCapabilities()))
    yield
    await lsp_client.shutdown_session()
