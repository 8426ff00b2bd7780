"""The PML language server (pygls): diagnostics, hover, completion, definitions, outline, preview.

    pml lsp                 # on stdio, for an editor
    python -m pml.lsp       # the same

Documents are synchronized in full. Each open, change and save compiles the document's text
(`pml.lsp.analysis`) and publishes its diagnostics (`pml.lsp.diagnostics`); a save compiles every
open document again, since one may include the file saved, and so does a change on disk that the
client reports (`workspace/didChangeWatchedFiles`) for the documents that depend on the file. The
server asks the client to watch prompt, stylesheet and JSON files when the client lets it register
watchers, and otherwise relies on the client's own watching. The other features read the latest
analysis. The custom request `pml/preview` (params `{uri, context?}`) returns the rendered
messages, token counts, cache plans and an HTML page (`pml.lsp.preview`).

What the server reads is bounded (`pml.lsp.access`): a prompt reads files under its workspace
folder (or its own folder), and a request names only documents the client opened or prompt files
under a workspace folder. Messages are read within `max_frame` (`pml.lsp.transport`).

No handler lets an exception out: a failure is logged (to stderr and the client's log) and answered
with nothing, an empty result, or an error response without a traceback.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO, TypeVar
from urllib.parse import unquote

from cattrs import Converter
from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams
from pygls.io_ import StdoutWriter
from pygls.lsp.server import LanguageServer
from pygls.protocol import JsonRPCRequestMessage, default_converter

from pml import limits
from pml.cli.util import beside
from pml.lsp.access import DOCUMENT_SUFFIXES, PROMPT_SUFFIXES, Access, Refused, accepts_open, uri_path
from pml.lsp.analysis import Analysis, Documents, make_source, read_context
from pml.lsp.completion import complete
from pml.lsp.definition import definition
from pml.lsp.diagnostics import Publisher, convert
from pml.lsp.framing import StreamSource
from pml.lsp.hover import hover
from pml.lsp.position import line_index, set_encoding
from pml.lsp.preview import preview_data, preview_html
from pml.lsp.symbols import symbols
from pml.lsp.transport import PMLProtocol, serve

PREVIEW = "pml/preview"
TRIGGERS = ["<", "/", " ", '"', "'", "{", ".", ":", "="]
WATCHED = "**/*.{pml,poml,pss,css,json}"
"""The files whose change on disk can change a diagnostic: prompts, stylesheets, contexts."""
REQUEST_FAILED = int(types.LSPErrorCodes.RequestFailed)

logger = logging.getLogger(__name__)
T = TypeVar("T")


def _converter() -> Converter:
    """pygls' converter, except that the params of PML's own requests stay plain JSON: pygls would
    turn them into named tuples, renaming keys (such as context keys) that are not identifiers."""
    converter = default_converter()
    standard = converter.get_structure_hook(JsonRPCRequestMessage)

    def structure(obj: Any, cls: type) -> Any:
        if isinstance(obj, dict) and str(obj.get("method", "")).startswith("pml/"):
            return cls(**{"params": None, **obj})
        return standard(obj, cls)

    converter.register_structure_hook(JsonRPCRequestMessage, structure)
    return converter


class PMLLanguageServer(LanguageServer):
    """A pygls server that remembers the analysis of each open document."""

    def __init__(self) -> None:
        from pml import __version__

        super().__init__("pml", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Full,
                         converter_factory=_converter, protocol_cls=PMLProtocol)
        self.access = Access(self._folder_uris)
        self.documents = Documents(self.access.root_of)
        self.publisher = Publisher(self.text_document_publish_diagnostics)
        self._stopping = threading.Event()

    # ------------------------------------------------------------------ transport
    def start_io(self, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> None:
        """Serve on stdio, reading frames within `max_frame` (`pml.lsp.transport`)."""
        self._stopping.clear()
        self.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))
        source = StreamSource(stdin or sys.stdin.buffer)
        assert isinstance(self.protocol, PMLProtocol)
        try:
            asyncio.run(serve(source, self.protocol, limits.current().max_frame, self.log_error,
                              self._stopping.is_set))
        except BrokenPipeError:
            logger.error("the client is gone; stopping")
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            self.shutdown()

    def shutdown(self) -> None:
        self._stopping.set()
        super().shutdown()

    # ------------------------------------------------------------------ what it reads
    def _folder_uris(self) -> list[str]:
        try:
            workspace = self.workspace
        except RuntimeError:  # not initialized yet
            return []
        found = [folder.uri for folder in workspace.folders.values()]
        if not found and workspace.root_uri:
            found.append(workspace.root_uri)
        return found

    def opened(self, uri: str) -> Any:
        """The client's open document `uri` (pygls' `TextDocument`), or None."""
        try:
            return self.workspace.text_documents.get(unquote(uri))
        except RuntimeError:
            return None

    def text(self, uri: str, suffixes: tuple[str, ...]) -> str:
        """The text of `uri` for a request accepting files with `suffixes` (`pml.lsp.access`)."""
        if not isinstance(uri, str) or not uri:
            raise Refused("the request names no document URI")
        document = self.opened(uri)
        if document is not None:
            if not accepts_open(uri, document.language_id, suffixes):
                raise Refused(f"`{uri_path(uri) or uri}` is not a {' / '.join(suffixes)} document")
            return str(document.source)
        return self.access.read(uri, suffixes)

    # ------------------------------------------------------------------ analyses
    def refresh(self, uri: str) -> Analysis | None:
        """Compile the editor's text of `uri` and publish what it found."""
        try:
            document = self.opened(uri)
            if document is None:
                return None
            analysis = self.documents.update(uri, document.source)
            self.publisher.publish(uri, convert(analysis))
            return analysis
        except Exception as exc:  # pragma: no cover - analyze() itself never raises
            self._failed("diagnostics", exc)
            return None

    def analysis(self, uri: str) -> Analysis:
        """The analysis of the current text of `uri`: any document the client opened (it sent the
        text), else a workspace file (`Refused` when the server may not read it)."""
        document = self.opened(uri) if isinstance(uri, str) else None
        text = str(document.source) if document is not None else self.text(uri, DOCUMENT_SUFFIXES)
        return self.documents.get(uri, text)

    def files_changed(self, changes: list[types.FileEvent]) -> list[str]:
        """Re-analyse the open documents that depend on files changed on disk; their URIs."""
        paths = {p for p in (uri_path(c.uri) for c in changes) if p is not None}
        appeared = any(c.type != types.FileChangeType.Changed and (uri_path(c.uri) or Path()).suffix.lower()
                       in PROMPT_SUFFIXES for c in changes)
        affected = self.documents.affected_by(paths, appeared)
        for uri in affected:
            self.refresh(uri)
        return affected

    # ------------------------------------------------------------------ failures
    def guarded(self, what: str, default: T, run: Callable[[], T]) -> T:
        try:
            return run()
        except Refused as exc:
            self.log_error(f"{what}: {exc}", types.MessageType.Warning)
            return default
        except Exception as exc:
            self._failed(what, exc)
            return default

    def _failed(self, what: str, exc: Exception) -> None:
        logger.exception("%s failed", what)
        self.log_error(f"{what} failed: {type(exc).__name__}: {exc}", log=False)

    def log_error(self, message: str, kind: types.MessageType = types.MessageType.Error, log: bool = True) -> None:
        """Tell the client's log (and stderr) about a problem."""
        if log:
            logger.log(logging.WARNING if kind == types.MessageType.Warning else logging.ERROR, "%s", message)
        try:
            self.window_log_message(types.LogMessageParams(type=kind, message=f"pml: {message}"))
        except Exception:  # pragma: no cover - the client is gone
            pass


server = PMLLanguageServer()


@server.feature(types.INITIALIZED)
async def initialized(ls: PMLLanguageServer, params: types.InitializedParams) -> None:
    """Count positions in the encoding agreed on with the client (UTF-16 unless it asked otherwise),
    and ask the client to report changes of the files diagnostics depend on."""
    encoding = ls.workspace.position_encoding
    set_encoding(str(encoding.value if isinstance(encoding, types.PositionEncodingKind) else encoding or "utf-16"))
    workspace = ls.client_capabilities.workspace
    watching = workspace.did_change_watched_files if workspace is not None else None
    if watching is None or not watching.dynamic_registration:
        return
    options = types.DidChangeWatchedFilesRegistrationOptions(watchers=[types.FileSystemWatcher(glob_pattern=WATCHED)])
    try:
        await ls.client_register_capability_async(types.RegistrationParams(registrations=[types.Registration(
            id="pml-watched-files", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES, register_options=options)]))
    except Exception as exc:  # the client refused: it may still watch on its own
        ls.log_error(f"the client did not register the file watcher: {exc}", types.MessageType.Warning)


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


@server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
def did_change_workspace_folders(ls: PMLLanguageServer, params: types.DidChangeWorkspaceFoldersParams) -> None:
    """The workspace folders changed (pygls has recorded them): every open document's root may have."""
    for uri in ls.documents.open_uris():
        ls.refresh(uri)


@server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
def did_change_watched_files(ls: PMLLanguageServer, params: types.DidChangeWatchedFilesParams) -> None:
    """Files changed on disk: re-analyse the open documents that depend on them."""
    nothing: list[str] = []
    ls.guarded("watched files", nothing, lambda: ls.files_changed(list(params.changes)))


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


def _preview_args(params: Any) -> tuple[str, dict[str, Any] | None]:
    """The `uri` and `context` of a `pml/preview` request; `JsonRpcInvalidParams` when they are not."""
    args = params if isinstance(params, dict) else getattr(params, "_asdict", lambda: None)()
    if not isinstance(args, dict):
        raise JsonRpcInvalidParams("pml/preview takes an object {uri, context?}")
    uri, context = args.get("uri"), args.get("context")
    if not isinstance(uri, str) or not uri:
        raise JsonRpcInvalidParams("pml/preview needs a `uri` string")
    if context is not None and not isinstance(context, dict):
        raise JsonRpcInvalidParams("the `context` of pml/preview must be an object")
    return uri, context


@server.feature(PREVIEW)
def on_preview(ls: PMLLanguageServer, params: Any) -> dict[str, Any]:
    """`pml/preview` with `{uri, context?}`: the document rendered (see `pml.lsp.preview`).

    It renders a `.pml`/`.poml` document the client opened, or such a file under a workspace
    folder; any other URI is answered with an error and nothing is read."""
    uri, context = _preview_args(params)
    try:
        text = ls.text(uri, PROMPT_SUFFIXES)
    except Refused as exc:
        ls.log_error(f"preview: {exc}", types.MessageType.Warning)
        raise JsonRpcException(f"pml/preview: {exc}", code=REQUEST_FAILED) from None

    def run() -> dict[str, Any]:
        source, path = make_source(uri, text, ls.access.root_of)
        found = context if context is not None else read_context(path)
        sheet = beside(path, ".pss") if path is not None else None
        data = preview_data(source, found, stylesheet=sheet, root=ls.access.root_of(path))
        data["html"] = preview_html(data, f"PML preview: {source.name}")
        return data

    failed = {"messages": [], "total_tokens": 0, "diagnostics": [], "cache": None, "error": "the preview failed",
              "html": preview_html({"error": "the preview failed"})}
    return ls.guarded("preview", failed, run)


class _ExpectedErrors(logging.Filter):
    """Keeps pygls from printing a traceback on stderr for an error the server answers on purpose
    (a refused preview, invalid params): the one-line message is enough, and the server logs its own."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith("pygls") and record.getMessage().startswith("Unable to deserialize message"):
            return False  # `pml.lsp.transport` logs these in one line
        if record.exc_info and isinstance(record.exc_info[1], JsonRpcException):
            record.exc_info, record.exc_text = None, None
        return True


def main() -> None:
    """Run the server on stdio."""
    logging.basicConfig(level=logging.WARNING, format="pml-lsp %(levelname)s: %(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(_ExpectedErrors())
    server.start_io()
