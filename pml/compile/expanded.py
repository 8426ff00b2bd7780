"""Styles for the components a `<document>` or a `<webpage>` expands into, worked out while compiling.

A DOCX, a PDF or an HTML page becomes pictures, tables and lists, as if the prompt had written
`<img>`, `<table>` and `<list>` elements inside the `<document>`. Stylesheet rules reach them as
they would reach those elements written there: `image { maxWidth: 500 }` scales the pictures of
a DOCX, `document table { syntax: csv }` writes its tables as CSV.

For each document and webpage the cascade is asked what a child `<img>`, `<table>` and `<list>`
would get from the document's and the caller's sheets (the built-in sheet is left out: readers
already write what POML writes). The answer, coerced to the attributes' types, is kept on the
compiled node (`CNode.expanded`), so that it is part of the compiled prompt and of a module's
digest. The render applies it to the boxes a reader made (`pml.components.expanded`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from pml.registry import REGISTRY, CoercionError
from pml.style.cascade import ComputedStyle, Matcher, StyleTarget, computed_style
from pml.style.stylesheet import Stylesheet
from pml.syntax.nodes import Element
from pml.syntax.source import Span

# The components whose readers expand content into other components.
HOSTS = frozenset({"Document", "Webpage"})
# The kinds of component their content is made of.
KINDS = ("img", "table", "list")

Warn = Callable[[CoercionError, "Span | None"], None]


class Expander:
    """Answers, for a host element and the elements above it, the styles of each kind it expands
    into. Made once per compile, from the document's and the caller's sheets."""

    def __init__(self, sheets: Sequence[Stylesheet]) -> None:
        self._matcher = Matcher(sheets)
        self._kinds = {kind: StyleTarget.for_tag(kind) for kind in KINDS}

    def __bool__(self) -> bool:
        return bool(self._matcher)

    def styles(self, path: Sequence[Element], warn: Warn) -> dict[str, dict[str, Any]]:
        """For the host at the end of `path` (the root first), each kind's styled attributes; kinds no
        rule matches are absent. A value that does not fit its attribute is left out, and `warn` told."""
        chain = [StyleTarget.from_element(e) for e in path]
        out: dict[str, dict[str, Any]] = {}
        for kind, target in self._kinds.items():
            rules = self._matcher.match([*chain, target])
            if rules:
                out[kind] = coerced(kind, computed_style(rules), warn)
        return out


def coerced(kind: str, style: ComputedStyle, warn: Warn) -> dict[str, Any]:
    """A kind's styled properties, coerced to the types of its component's attributes; a value that
    does not fit is left out, and `warn(error, span)` is told."""
    component = REGISTRY.lookup(kind)
    out: dict[str, Any] = {}
    for name, value in style.merge({}).items():
        spec = component.attr(name) if component is not None else None
        if spec is None:
            continue
        try:
            out[spec.name] = spec.coerce(value)
        except CoercionError as exc:
            warn(exc, style.sources.get(name))
    return out


__all__ = ["HOSTS", "KINDS", "Expander", "coerced"]
