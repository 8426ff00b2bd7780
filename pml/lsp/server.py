"""The PML language server (pygls): diagnostics, hover, completion, definitions, outline, preview.

    pml lsp                 # on stdio, for an editor
    python -m pml.lsp       # the same

Documents are synchronized in full. Each open, change and save compiles the document's text
(`pml.lsp.analysis`) and publishes its diagnostics (`pml.lsp.diagnostics`); a save compiles every
open document again, since one may include the file saved. The other features read the latest
analysis. The custom request `pml/preview` (params `{uri, context?}`) returns the rendered
messages, token counts, cache plans and an HTML page (`pml.lsp.preview`).

No handler lets an exception out: a failure is logged to the client and answered with nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from cattrs import Converter
from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.protocol import JsonRPCRequestMessage, default_converter

from pml.cliutil import beside
from pml.lsp.analysis import Analysis, Documents, make_source, read_context
from pml.lsp.completion import complete
from pml.lsp.definition import definition
from pml.lsp.diagnostics import Publisher, convert
from pml.lsp.hover import hover
from pml.lsp.position import line_index, set_encoding
from pml.lsp.preview import preview_data, preview_html
from pml.lsp.symbols import symbols

PREVIEW = "pml/preview"
TRIGGERS = ["<", "/", " ", '"', "'", "{", ".", ":", "="]

logger = logging.getLogger(__name__)
T = TypeVar("T")


def _converter() -> Converter:
    """pygls' converter, except that the params of PML's own requests stay plain JSON: pygls would
    turn them into named tuples, renaming keys (such as context keys) that are not identifiers."""
    converter = default_converter()
    standard = converter.get_structure_hook(JsonRPCRequestMessage)

    def structure(obj: Any, cls: type) -> Any:
        if isinstance(obj, dict) and str(obj.get("method", "")).startswith("pml/"):
            return cls(**obj)
        return standard(obj, cls)

    converter.register_structure_hook(JsonRPCRequestMessage, structure)
    return converter


class PMLLanguageServer(LanguageServer):
    """A pygls server that remembers the analysis of each open document."""

    def __init__(self) -> None:
        from pml import __version__

        super().__init__("pml", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Full,
                         converter_factory=_converter)
        self.documents = Documents()
        self.publisher = Publisher(self.text_document_publish_diagnostics)

    def refresh(self, uri: str) -> Analysis | None:
        """Compile the workspace's text of `uri` and publish what it found."""
        try:
            text = self.workspace.get_text_document(uri).source
            analysis = self.documents.update(uri, text)
            self.publisher.publish(uri, convert(analysis))
            return analysis
        except Exception as exc:  # pragma: no cover - analyze() itself never raises
            self._failed("diagnostics", exc)
            return None

    def analysis(self, uri: str) -> Analysis:
        """The analysis of the workspace's current text of `uri`."""
        return self.documents.get(uri, self.workspace.get_text_document(uri).source)

    def guarded(self, what: str, default: T, run: Callable[[], T]) -> T:
        try:
            return run()
        except Exception as exc:
            self._failed(what, exc)
            return default

    def _failed(self, what: str, exc: Exception) -> None:
        logger.exception("%s failed", what)
        try:
            self.window_log_message(types.LogMessageParams(
                type=types.MessageType.Error, message=f"pml: {what} failed: {type(exc).__name__}: {exc}"))
        except Exception:  # pragma: no cover - the client is gone
            pass


server = PMLLanguageServer()


@server.feature(types.INITIALIZED)
def initialized(ls: PMLLanguageServer, params: types.InitializedParams) -> None:
    """Count positions in the encoding pygls agreed on with the client (UTF-16 unless it asked otherwise)."""
    encoding = ls.workspace.position_encoding
    set_encoding(str(encoding.value if isinstance(encoding, types.PositionEncodingKind) else encoding or "utf-16"))


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: PMLLanguageServer, params: types.DidOpenTextDocumentParams) -> None:
    ls.refresh(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: PMLLanguageServer, params: types.DidChangeTextDocumentParams) -> None:
    ls.refresh(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: PMLLanguageServer, params: types.DidSaveTextDocumentParams) -> None:
    uris = [params.text_document.uri, *(u for u in ls.documents.open_uris() if u != params.text_document.uri)]
    for uri in uris:
        ls.refresh(uri)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: PMLLanguageServer, params: types.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    ls.documents.forget(uri)
    ls.guarded("closing", None, lambda: ls.publisher.forget(uri))


def _offset(analysis: Analysis, position: types.Position) -> int:
    return line_index(analysis.text).offset(position)


@server.feature(types.TEXT_DOCUMENT_HOVER)
def on_hover(ls: PMLLanguageServer, params: types.HoverParams) -> types.Hover | None:
    def run() -> types.Hover | None:
        analysis = ls.analysis(params.text_document.uri)
        return hover(analysis, _offset(analysis, params.position))

    return ls.guarded("hover", None, run)


@server.feature(types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(trigger_characters=TRIGGERS))
def on_completion(ls: PMLLanguageServer, params: types.CompletionParams) -> types.CompletionList:
    def run() -> types.CompletionList:
        analysis = ls.analysis(params.text_document.uri)
        items = complete(analysis, _offset(analysis, params.position), ls.documents)
        return types.CompletionList(is_incomplete=False, items=items)

    return ls.guarded("completion", types.CompletionList(is_incomplete=False, items=[]), run)


@server.feature(types.TEXT_DOCUMENT_DEFINITION)
def on_definition(ls: PMLLanguageServer, params: types.DefinitionParams) -> list[types.Location]:
    def run() -> list[types.Location]:
        analysis = ls.analysis(params.text_document.uri)
        return definition(analysis, _offset(analysis, params.position), ls.documents)

    return ls.guarded("definition", [], run)


@server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
def on_symbols(ls: PMLLanguageServer, params: types.DocumentSymbolParams) -> list[types.DocumentSymbol]:
    return ls.guarded("document symbols", [], lambda: symbols(ls.analysis(params.text_document.uri)))


@server.feature(PREVIEW)
def on_preview(ls: PMLLanguageServer, params: Any) -> dict[str, Any]:
    """`pml/preview` with `{uri, context?}`: the document rendered (see `pml.lsp.preview`)."""
    def run() -> dict[str, Any]:
        args = params if isinstance(params, dict) else getattr(params, "_asdict", dict)()
        uri = str(args.get("uri") or "")
        if not uri:
            raise ValueError("pml/preview needs a `uri`")
        text = ls.workspace.get_text_document(uri).source
        source, path = make_source(uri, text)
        context = args.get("context")
        if not isinstance(context, dict):
            context = read_context(path)
        sheet = beside(path, ".pss") if path is not None else None
        data = preview_data(source, context, stylesheet=sheet)
        data["html"] = preview_html(data, f"PML preview: {source.name}")
        return data

    failed = {"messages": [], "total_tokens": 0, "diagnostics": [], "cache": None, "error": "the preview failed",
              "html": preview_html({"error": "the preview failed"})}
    return ls.guarded("preview", failed, run)


def main() -> None:
    """Run the server on stdio."""
    logging.basicConfig(level=logging.WARNING, format="pml-lsp %(levelname)s: %(message)s")
    server.start_io()
