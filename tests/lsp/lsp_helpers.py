"""Helpers for the language server tests: a client whose custom results stay JSON, positions and
ranges, and opening or changing documents in the server."""

from __future__ import annotations

from pathlib import Path

from cattrs import Converter
from lsprotocol import types
from pygls.protocol import JsonRPCResponseMessage, default_converter
from pytest_lsp import LanguageClient
from pytest_lsp.client import register_lsp_features

from pml.lsp.analysis import path_uri


def _converter() -> Converter:
    """pygls' converter, except that results of requests it does not know (`pml/preview`) stay
    plain JSON instead of becoming named tuples."""
    converter = default_converter()
    converter.register_structure_hook(JsonRPCResponseMessage, lambda obj, cls: cls(**obj))
    return converter


def make_client() -> LanguageClient:
    client = LanguageClient(converter_factory=_converter)
    register_lsp_features(client)
    return client


def uri_of(path: Path) -> str:
    return path_uri(path.resolve())


def position(text: str, offset: int) -> types.Position:
    """The LSP position of an offset in an ASCII-or-BMP text (tests with astral characters spell
    their positions out)."""
    line = text.count("\n", 0, offset)
    return types.Position(line=line, character=offset - (text.rfind("\n", 0, offset) + 1))


def at(text: str, needle: str, delta: int = 0) -> types.Position:
    """The position `delta` characters into the first `needle` of `text`."""
    return position(text, text.index(needle) + delta)


def rng(sl: int, sc: int, el: int, ec: int) -> types.Range:
    return types.Range(start=types.Position(line=sl, character=sc), end=types.Position(line=el, character=ec))


async def sync(client: LanguageClient, uri: str) -> None:
    """A round trip: once it returns, every notification the server sent before it has arrived."""
    await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=uri)))


async def open_file(client: LanguageClient, path: Path, text: str | None = None) -> str:
    """Write `text` to `path` (when given), open it in the server and wait for its diagnostics."""
    if text is not None:
        path.write_text(text, encoding="utf-8")
    uri = uri_of(path)
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=uri, language_id="pml", version=1, text=path.read_text(encoding="utf-8"))))
    await sync(client, uri)
    return uri


async def change(client: LanguageClient, uri: str, text: str, version: int = 2) -> None:
    """Replace the whole text of an open document (without saving it)."""
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))
    await sync(client, uri)
