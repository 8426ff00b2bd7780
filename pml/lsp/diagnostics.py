"""Compiler diagnostics → LSP diagnostics, published on the file each one points into.

Every error and warning of a compile is published with its exact range. The hint, when there is
one, is appended to the message (`message\\nhint: …`), the way `pml check` prints it. A
diagnostic located in another file (reached through `<include>`, `<import>` or the `.pss`
beside the prompt) is published on that file's URI; `Publisher` remembers which document put
what where, so a later compile that no longer finds the problem clears it, and two open
documents that include one file do not clear each other's findings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from lsprotocol import types

from pml.errors import Diagnostic
from pml.lsp.analysis import Analysis
from pml.lsp.position import ORIGIN, span_range

SOURCE = "pml"
_SEVERITY = {"error": types.DiagnosticSeverity.Error, "warning": types.DiagnosticSeverity.Warning}


def message_of(diagnostic: Diagnostic) -> str:
    """The message as shown in the editor: the compiler's message, then its hint."""
    if diagnostic.hint:
        return f"{diagnostic.message}\nhint: {diagnostic.hint}"
    return diagnostic.message


def convert(analysis: Analysis) -> dict[str, list[types.Diagnostic]]:
    """The LSP diagnostics of one analysis, by the URI of the file each one is in.

    The document's own URI is always a key (with an empty list when it is clean), so that
    publishing the result clears what an earlier compile reported.
    """
    out: dict[str, list[types.Diagnostic]] = {analysis.uri: []}
    if analysis.internal_error is not None:
        out[analysis.uri].append(types.Diagnostic(
            range=ORIGIN, severity=types.DiagnosticSeverity.Error, source=SOURCE, code="internal",
            message=f"internal error in the PML compiler: {analysis.internal_error}"))
    for found in analysis.diagnostics:
        uri, lsp_range, message = analysis.uri, ORIGIN, message_of(found)
        span = found.span
        if span is not None:
            target = analysis.uri_of(span.source)
            if target is not None:
                uri, lsp_range = target, span_range(span)
            else:  # a source that is no file (a caller's stylesheet text): say where, at the top
                message = f"{span.source.name}:{span.line}:{span.column}: {message}"
        out.setdefault(uri, []).append(types.Diagnostic(
            range=lsp_range, severity=_SEVERITY.get(found.severity, types.DiagnosticSeverity.Error),
            source=SOURCE, code=found.code, message=message))
    return out


def _key(diagnostic: types.Diagnostic) -> tuple[object, ...]:
    r = diagnostic.range
    return (r.start.line, r.start.character, r.end.line, r.end.character, diagnostic.severity, diagnostic.message)


class Publisher:
    """Publishes diagnostics by target URI, merging what every open document found there."""

    def __init__(self, send: Callable[[types.PublishDiagnosticsParams], None]) -> None:
        self._send = send
        # owner URI (the compiled document) → target URI → diagnostics found there
        self._found: dict[str, dict[str, list[types.Diagnostic]]] = {}

    def publish(self, owner: str, found: dict[str, list[types.Diagnostic]]) -> None:
        """Record what compiling `owner` found, and publish every URI whose diagnostics changed."""
        before = self._found.get(owner, {})
        self._found[owner] = found
        self._flush(set(before) | set(found))

    def forget(self, owner: str) -> None:
        """`owner` was closed: withdraw what it reported."""
        before = self._found.pop(owner, {})
        self._flush(set(before))

    def _flush(self, targets: Iterable[str]) -> None:
        for target in sorted(targets):
            merged: list[types.Diagnostic] = []
            seen: set[tuple[object, ...]] = set()
            for by_target in self._found.values():
                for diagnostic in by_target.get(target, ()):
                    key = _key(diagnostic)
                    if key not in seen:
                        seen.add(key)
                        merged.append(diagnostic)
            merged.sort(key=lambda d: (d.range.start.line, d.range.start.character))
            self._send(types.PublishDiagnosticsParams(uri=target, diagnostics=merged))
