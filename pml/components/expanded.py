"""Styles for the components a `<document>` or a `<webpage>` expands into.

A DOCX, a PDF or an HTML page becomes pictures, tables and lists, as if the prompt had written
`<img>`, `<table>` and `<list>` elements inside the `<document>`. Stylesheet rules reach them as
they would reach those elements written there: `image { maxWidth: 500 }` scales the pictures of
a DOCX, `document table { syntax: csv }` writes its tables as CSV.

At compile time (`expanded_styles`) the cascade is asked, for each document and webpage, what a
child `<img>`, `<table>` and `<list>` would get from the document's and the caller's sheets (the
built-in sheet is left out: readers already write what POML writes). The answer is kept on the
element's compiled attributes under `EXPANDED`, so that it is part of the compiled prompt (and of
a module's digest). At render time (`apply`) each box a reader made is given the properties of
its kind, by a registry of appliers:

- a picture (`ir.Media`) is an `img`: `maxWidth`, `maxHeight`, `resize`, `position`;
- a table (`ir.Table`) is a `table`: `syntax`, `writerOptions`, `selectedColumns`,
  `selectedRecords`, `maxRecords`, `maxColumns`;
- a list (`ir.ListBox`) is a `list`: `listStyle`.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from pml.components import boxes as ir
from pml.readers import MissingExtra, ReadFailure
from pml.readers.images import Scaling, scale_image
from pml.registry import REGISTRY, CoercionError
from pml.style.cascade import ComputedStyle, Matcher, StyleTarget, computed_style
from pml.style.stylesheet import Stylesheet
from pml.syntax.nodes import Element, normalize_name

EXPANDED = "#expanded"
"""The key of a document's (or webpage's) compiled attributes that holds the expanded styles."""

# The components whose readers expand content into other components.
HOSTS = frozenset({"Document", "Webpage"})


class StyleFailure(ValueError):
    """A style could not be applied to an expanded box; the message and hint are user-facing."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


# ---------------------------------------------------------------------- compile time


def expanded_styles(root: Element, sheets: Sequence[Stylesheet]) -> dict[int, dict[str, ComputedStyle]]:
    """For each host element under `root` (by `id`), the computed style of each kind of component
    it may expand into, as if a child of that kind stood in it. Kinds no rule matches are absent."""
    matcher = Matcher(sheets)
    if not matcher:
        return {}
    kinds = {kind: StyleTarget.for_tag(kind) for kind in APPLIERS_BY_KIND}
    hosts = {normalize_name(tag) for tag in REGISTRY.tag_names()
             if (found := REGISTRY.lookup(tag)) is not None and found.name in HOSTS}
    targets: dict[int, StyleTarget] = {}  # made only for the hosts and their ancestors
    found_styles: dict[int, dict[str, ComputedStyle]] = {}
    stack: list[tuple[Element, tuple[Element, ...]]] = [(root, ())]
    while stack:
        element, above = stack.pop()
        path = (*above, element)
        if normalize_name(element.tag) in hosts:
            chain = [targets.setdefault(id(e), StyleTarget.from_element(e)) for e in path]
            styles = {}
            for kind, target in kinds.items():
                rules = matcher.match([*chain, target])
                if rules:
                    styles[kind] = computed_style(rules)
            if styles:
                found_styles[id(element)] = styles
        stack.extend((child, path) for child in reversed(element.children) if isinstance(child, Element))
    return found_styles


def coerced(kind: str, style: ComputedStyle, warn: Callable[[CoercionError, Any], None]) -> dict[str, Any]:
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


# ---------------------------------------------------------------------- render time


def apply(boxes: list[ir.Box], expanded: dict[str, dict[str, Any]] | None) -> list[ir.Box]:
    """The boxes with the expanded styles applied to every box of a styled kind, at any depth.
    Raises `StyleFailure`. The boxes are the reader's own copies and are changed in place."""
    if not expanded:
        return boxes
    return [_apply(box, expanded) for box in boxes]


def _apply(box: ir.Box, expanded: dict[str, dict[str, Any]]) -> ir.Box:
    for field in ("children", "body", "items"):
        inner = getattr(box, field, None)
        if isinstance(inner, list):
            setattr(box, field, [_apply(child, expanded) for child in inner])
    found = APPLIERS.get(type(box))
    if found is not None and found[0] in expanded:
        return found[1](box, expanded[found[0]])
    return box


def _picture(box: ir.Media, attrs: dict[str, Any]) -> ir.Media:
    scaling = Scaling(attrs.get("maxWidth"), attrs.get("maxHeight"), attrs.get("resize"))
    if scaling and box.mime.startswith("image/"):
        try:
            data, mime = scale_image(base64.b64decode(box.base64, validate=True), box.mime, scaling)
        except MissingExtra as exc:
            raise StyleFailure(f"a stylesheet scales the document's pictures, and {exc}") from None
        except (ReadFailure, binascii.Error) as exc:
            raise StyleFailure(f"cannot resize a picture of the document: {exc}", getattr(exc, "hint", None)) from None
        box = replace(box, mime=mime, base64=base64.b64encode(data).decode("ascii"))
    if attrs.get("position"):
        box = replace(box, position=attrs["position"])
    return box


def _table(box: ir.Table, attrs: dict[str, Any]) -> ir.Table:
    from pml.components.table import Column, Grid, TableProblem, select  # table reads files through data

    grid = Grid([Column(name, name) for name in box.columns], box.rows)
    try:
        grid = select(grid, attrs)
    except TableProblem as exc:
        raise StyleFailure(f"a stylesheet's table properties do not fit a table of the document: {exc}",
                           exc.hint) from None
    options = {**box.options, **dict(attrs.get("writerOptions") or {})}
    return ir.Table([c.header for c in grid.columns], grid.rows, attrs.get("syntax") or box.syntax, options)


def _list(box: ir.ListBox, attrs: dict[str, Any]) -> ir.ListBox:
    return replace(box, style=attrs.get("listStyle") or box.style)


# Box type → (the component kind whose styles it takes, the applier).
APPLIERS: dict[type, tuple[str, Callable[[Any, dict[str, Any]], ir.Box]]] = {
    ir.Media: ("img", _picture),
    ir.Table: ("table", _table),
    ir.ListBox: ("list", _list),
}
APPLIERS_BY_KIND = tuple(dict.fromkeys(kind for kind, _ in APPLIERS.values()))


__all__ = ["APPLIERS", "EXPANDED", "HOSTS", "StyleFailure", "apply", "coerced", "expanded_styles"]
