"""Compile the editor's text the way `pml check` does, and keep what the other features read.

A document is compiled from its in-memory text (not from disk) with `pml.api.compile_source`,
with the `FILE.pss` beside it as `pml check` does. An `Analysis` holds the result: the parsed
tree (when the markup parses), the compiled prompt (when it compiles), and every diagnostic.
`Documents` keeps the latest analysis of each open document and the last prompt of each that
compiled, which completion and go-to-definition fall back on while the text is half typed.

Stylesheet files (`.pss`, `.css`) are read with `pml.stylesheet.parse_css` instead.
"""

from __future__ import annotations

import json
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pygls import uris

from pml.api import compile_source
from pml.cliutil import beside
from pml.cnodes import CNode
from pml.errors import Diagnostic, PMLError
from pml.modules import Scope, file_scope
from pml.nodes import Document, Element
from pml.parser import parse_source
from pml.prompt import Prompt
from pml.source import Source, normalize_newlines
from pml.stylesheet import parse_css

STYLESHEET_SUFFIXES = (".pss", ".css")


def uri_path(uri: str) -> Path | None:
    """The file a `file:` URI names (resolved), or None for other schemes (`untitled:`)."""
    try:
        path = uris.to_fs_path(uri)
    except Exception:
        return None
    if not path or not uri.startswith("file:"):
        return None
    return Path(path).resolve()


def path_uri(path: Path | str) -> str:
    """The `file:` URI of a path."""
    return uris.from_fs_path(str(path)) or Path(path).as_uri()


@dataclass(eq=False)
class Analysis:
    """One compile of one version of a document."""

    uri: str
    text: str  # newline-normalized: every offset below is into this text
    source: Source
    path: Path | None
    is_stylesheet: bool = False
    document: Document | None = None  # None when the markup does not parse
    prompt: Prompt | None = None  # None when it does not compile
    diagnostics: list[Diagnostic] = field(default_factory=list)
    internal_error: str | None = None  # a crash of the compiler, shown at 0:0

    @property
    def directory(self) -> Path:
        return self.source.directory

    def uri_of(self, source: Source | None) -> str | None:
        """The URI of the document a span's source is: this one, another file, or None (no file)."""
        if source is None:
            return None
        if source is self.source:
            return self.uri
        if source.path is not None:
            if self.path is not None and source.path == self.path:
                return self.uri
            return path_uri(source.path)
        return None

    def context(self) -> dict[str, Any]:
        """The paired `NAME.context.json` beside the file ({} when absent or unreadable)."""
        return read_context(self.path)

    def compiled_nodes(self) -> Iterator[CNode]:
        """Every compiled node of this document's own text (imported and included files left out)."""
        if self.prompt is None:
            return
        stack: list[Any] = [self.prompt.root]
        while stack:
            node = stack.pop()
            if not isinstance(node, CNode):
                continue
            if node.element.span.source is self.source:
                yield node
            stack.extend(reversed(node.children))

    def compiled(self, element: Element) -> CNode | None:
        """The compiled node of an element of `document` (None when it was not compiled)."""
        for node in self.compiled_nodes():
            if node.element.span.start == element.span.start and node.element.key == element.key:
                return node
        return None


def read_context(path: Path | None) -> dict[str, Any]:
    """The JSON object in `NAME.context.json` beside `path`, or {}."""
    if path is None:
        return {}
    found = beside(path, ".context.json")
    if found is None:
        return {}
    try:
        data = json.loads(found.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def make_source(uri: str, text: str) -> tuple[Source, Path | None]:
    """A `Source` for the editor's text of `uri`, named and placed like the file it is."""
    path = uri_path(uri)
    text = normalize_newlines(text)
    if path is None:
        return Source(text, uri, None, Path.cwd()), None
    return Source(text, path.name, path), path


def analyze(uri: str, text: str) -> Analysis:
    """Parse and compile the text of `uri`. Never raises: a crash becomes `internal_error`."""
    source, path = make_source(uri, text)
    is_sheet = path is not None and path.suffix.lower() in STYLESHEET_SUFFIXES
    result = Analysis(uri, source.text, source, path, is_sheet)
    try:
        if is_sheet:
            result.diagnostics = list(parse_css(source.text, source, 0).diagnostics)
            return result
        try:
            result.document = parse_source(source)
        except PMLError as exc:
            result.diagnostics = list(exc.diagnostics)
            return result
        sheet = beside(path, ".pss") if path is not None else None
        try:
            result.prompt = compile_source(source, stylesheet=sheet)
        except PMLError as exc:
            result.diagnostics = list(exc.diagnostics)
        else:
            result.diagnostics = list(result.prompt.diagnostics)
    except Exception as exc:  # the compiler must never take the server down
        where = traceback.extract_tb(exc.__traceback__)[-1:]
        at = f" (at {where[0].filename}:{where[0].lineno})" if where else ""
        result.internal_error = f"{type(exc).__name__}: {exc}{at}"
    return result


def _ignore(*args: Any, **kwargs: Any) -> None:
    """A problem reporter that drops what it is told (the compile already reported it)."""


class Documents:
    """The server's memory: the latest analysis of each document, and its last good compile."""

    def __init__(self) -> None:
        self._analyses: dict[str, Analysis] = {}
        self._last_good: dict[str, Analysis] = {}
        self._scopes: dict[str, tuple[Prompt, Scope]] = {}

    def update(self, uri: str, text: str) -> Analysis:
        """Analyze a new version of `uri`."""
        result = analyze(uri, text)
        self._analyses[uri] = result
        if result.prompt is not None:
            self._last_good[uri] = result
        return result

    def get(self, uri: str, text: str) -> Analysis:
        """The analysis of this exact text (re-analyzed when the text changed since). A document
        that is not open is analyzed but not remembered."""
        found = self._analyses.get(uri)
        if found is None:  # not open: analyzed, not remembered
            return analyze(uri, text)
        if found.text == normalize_newlines(text):
            return found
        return self.update(uri, text)

    def open_uris(self) -> list[str]:
        return list(self._analyses)

    def latest(self, uri: str) -> Analysis | None:
        return self._analyses.get(uri)

    def forget(self, uri: str) -> None:
        self._analyses.pop(uri, None)
        self._last_good.pop(uri, None)
        self._scopes.pop(uri, None)

    def last_good(self, uri: str) -> Analysis | None:
        """The latest analysis of `uri` that compiled."""
        return self._last_good.get(uri)

    def scope(self, uri: str) -> Scope | None:
        """The module names the document can use (`pml.modules.Scope`), from its last good compile."""
        good = self._last_good.get(uri)
        if good is None or good.prompt is None:
            return None
        cached = self._scopes.get(uri)
        if cached is not None and cached[0] is good.prompt:
            return cached[1]
        try:
            # The scope pass writes into the tree it walks: run it on a compile of its own.
            fresh = analyze(good.uri, good.text).prompt
            if fresh is None:
                return None
            scope = file_scope(fresh.root, _ignore, [])
        except Exception:
            return None
        self._scopes[uri] = (good.prompt, scope)
        return scope
