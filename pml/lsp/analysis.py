"""Compile the editor's text the way `pml check` does, and keep what the other features read.

A document is parsed once from its in-memory text (not from disk) and that tree is compiled
(`pml.api.compile_document`), with the `FILE.pss` beside it as `pml check` does, reading files
only under the document's root (`pml.lsp.access`). An `Analysis` holds the result: the parsed
tree (when the markup parses), the compiled prompt (when it compiles), every diagnostic, and the
files it depends on (`dependencies`), so that a change on disk re-analyses the documents it
touches. `Documents` keeps the latest analysis of each open document and the last prompt of each
that compiled, which completion and go-to-definition fall back on while the text is half typed.

Stylesheet files (`.pss`, `.css`) are read with `pml.style.stylesheet.parse_css` instead.
"""

from __future__ import annotations

import json
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from pml import limits
from pml.api import compile_document
from pml.cli.util import beside
from pml.compile.modules import Scope, file_scope
from pml.compile.program import CNode
from pml.compile.variables import expected
from pml.errors import Diagnostic, PMLError
from pml.files import OutsideRoot, resolve_under
from pml.lsp.access import STYLESHEET_SUFFIXES, path_uri, uri_path
from pml.output.prompt import Prompt
from pml.style.stylesheet import parse_css
from pml.syntax.nodes import Document, Element, walk
from pml.syntax.parser import parse_source
from pml.syntax.source import Source, normalize_newlines

__all__ = ["Analysis", "Documents", "analyze", "make_source", "path_uri", "read_context", "uri_path"]


@dataclass(eq=False)
class Analysis:
    """One compile of one version of a document."""

    uri: str
    text: str  # newline-normalized: every offset below is into this text
    source: Source
    path: Path | None
    root: Path  # the folder the prompt may read files under
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

    def resolve(self, relative: str) -> Path | None:
        """A path the document names, resolved against its folder; None when it leaves the root."""
        try:
            return resolve_under(self.directory, relative, self.root)
        except (OutsideRoot, OSError, ValueError):
            return None

    @cached_property
    def dependencies(self) -> frozenset[Path]:
        """The files whose change on disk can change this analysis: the files the compile read,
        the files its `src` attributes name (read or not yet there), the files its diagnostics
        point into, and the stylesheet and context beside it."""
        found: set[Path] = set()
        if self.prompt is not None:
            found.update(self.prompt.files)
        if self.document is not None:
            for node in walk(self.document.root):
                src = node.attribute("src") if isinstance(node, Element) else None
                if src is not None and src.is_static and src.text.strip():
                    target = self.resolve(src.text.strip())
                    if target is not None:
                        found.add(target)
        found.update(d.span.source.path for d in self.diagnostics
                     if d.span is not None and d.span.source.path is not None)
        if self.path is not None:
            found.update(self.path.with_name(self.path.stem + suffix) for suffix in (".pss", ".context.json"))
            found.discard(self.path)
        return frozenset(found)

    def has_errors(self) -> bool:
        return self.internal_error is not None or any(d.severity == "error" for d in self.diagnostics)

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
    """The JSON object in `NAME.context.json` beside `path`, or {} (also when it is larger than
    `max_file_size`)."""
    if path is None:
        return {}
    found = beside(path, ".context.json")
    if found is None:
        return {}
    bound = limits.current().max_file_size
    try:
        with open(found, "rb") as handle:
            raw = handle.read(bound + 1)
        if len(raw) > bound:
            return {}
        data = json.loads(raw.decode("utf-8"))
    except (OSError, ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}


RootOf = Callable[[Path | None], Path]


def own_folder(path: Path | None) -> Path:
    """The default root: the document's folder (the working folder for an unsaved document)."""
    return path.parent if path is not None else Path.cwd().resolve()


def make_source(uri: str, text: str, root_of: RootOf = own_folder) -> tuple[Source, Path | None]:
    """A `Source` for the editor's text of `uri`, named and placed like the file it is (an unsaved
    document is placed in the folder it reads under)."""
    path = uri_path(uri)
    text = normalize_newlines(text)
    if path is None:
        return Source(text, uri, None, root_of(None)), None
    return Source(text, path.name, path), path


def analyze(uri: str, text: str, root_of: RootOf = own_folder) -> Analysis:
    """Parse and compile the text of `uri`. Never raises: a crash becomes `internal_error`."""
    source, path = make_source(uri, text, root_of)
    is_sheet = path is not None and path.suffix.lower() in STYLESHEET_SUFFIXES
    result = Analysis(uri, source.text, source, path, root_of(path), is_sheet)
    try:
        bound = limits.current().max_file_size
        if len(source.text) > bound:
            result.diagnostics = [Diagnostic(
                "error", f"the document is larger than max_file_size ({bound} bytes): it is not analysed", None,
                "split it into files that include one another", "limit")]
            return result
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
            result.prompt = compile_document(result.document, stylesheet=sheet, root=result.root)
        except PMLError as exc:
            result.diagnostics = list(exc.diagnostics)
        else:
            result.diagnostics = [*result.prompt.diagnostics, *_render_check(result.prompt, path)]
    except Exception as exc:  # the compiler must never take the server down
        where = traceback.extract_tb(exc.__traceback__)[-1:]
        at = f" (at {where[0].filename}:{where[0].lineno})" if where else ""
        result.internal_error = f"{type(exc).__name__}: {exc}{at}"
    return result


def _render_check(prompt: Prompt, path: Path | None) -> list[Diagnostic]:
    """What `pml check` finds beyond the compile: with `NAME.context.json` beside the file (or
    when the prompt reads no variables), the problems of a render with it (an undefined
    variable, a failing expression, a missing file named by an expression) and its warnings."""
    has_context = path is not None and beside(path, ".context.json") is not None
    if not has_context and expected(prompt):
        return []
    try:
        rendered = prompt.render(read_context(path) if has_context else {})
    except PMLError as exc:
        return list(exc.diagnostics)
    return list(rendered.warnings)


def _ignore(*args: Any, **kwargs: Any) -> None:
    """A problem reporter that drops what it is told (the compile already reported it)."""


class Documents:
    """The server's memory: the latest analysis of each document, and its last good compile."""

    def __init__(self, root_of: RootOf = own_folder) -> None:
        self.root_of = root_of
        self._analyses: dict[str, Analysis] = {}
        self._last_good: dict[str, Analysis] = {}
        self._scopes: dict[str, tuple[Prompt, Scope]] = {}

    def update(self, uri: str, text: str) -> Analysis:
        """Analyze a new version of `uri`."""
        result = analyze(uri, text, self.root_of)
        self._analyses[uri] = result
        if result.prompt is not None:
            self._last_good[uri] = result
        return result

    def get(self, uri: str, text: str) -> Analysis:
        """The analysis of this exact text (re-analyzed when the text changed since). A document
        that is not open is analyzed but not remembered."""
        found = self._analyses.get(uri)
        if found is None:  # not open: analyzed, not remembered
            return analyze(uri, text, self.root_of)
        if found.text == normalize_newlines(text):
            return found
        return self.update(uri, text)

    def open_uris(self) -> list[str]:
        return list(self._analyses)

    def affected_by(self, changed: set[Path], created: bool = False) -> list[str]:
        """The open documents whose analysis a change of these files on disk may change: those
        that depend on one (`Analysis.dependencies`, now or at their last good compile), and,
        when a prompt file appeared or vanished, every document that has errors."""
        out: list[str] = []
        for uri, found in self._analyses.items():
            good = self._last_good.get(uri)
            depends = found.dependencies | (good.dependencies if good is not None else frozenset())
            if depends & changed or (created and found.has_errors()):
                out.append(uri)
        return out

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
        """The module names the document can use (`pml.compile.modules.Scope`), from its last good compile."""
        good = self._last_good.get(uri)
        if good is None or good.prompt is None:
            return None
        cached = self._scopes.get(uri)
        if cached is not None and cached[0] is good.prompt:
            return cached[1]
        try:
            # The scope pass writes only into a module table of its own: the compiled tree is read.
            scope = file_scope(good.prompt.root, _ignore, [])
        except Exception:
            return None
        self._scopes[uri] = (good.prompt, scope)
        return scope
