"""The styles of the components a `<document>` or a `<webpage>` expands into, applied while rendering.

A DOCX, a PDF or an HTML page becomes pictures, tables and lists, as if the prompt had written
`<img>`, `<table>` and `<list>` elements inside the `<document>`. What the stylesheets give those
kinds was worked out while compiling (`pml.compile.expanded`, kept as `CNode.expanded`); here
(`apply`) each box a reader made is given the properties of its kind, by a registry of appliers:

- a picture (`ir.Media`) is an `img`: `maxWidth`, `maxHeight`, `resize`, `position`;
- a table (`ir.Table`) is a `table`: `syntax`, `writerOptions`, `selectedColumns`,
  `selectedRecords`, `maxRecords`, `maxColumns`;
- a list (`ir.ListBox`) is a `list`: `listStyle`.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from pml import readers
from pml.compile.expanded import KINDS
from pml.components import boxes as ir
from pml.components.table import Column, Grid, TableProblem, select
from pml.readers import MissingExtra, ReadFailure


class StyleFailure(ValueError):
    """A style could not be applied to an expanded box; the message and hint are user-facing."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


def apply(boxes: list[ir.Box], expanded: Mapping[str, Mapping[str, Any]] | None) -> list[ir.Box]:
    """The boxes with the expanded styles applied to every box of a styled kind, at any depth.
    Raises `StyleFailure`. The boxes are the reader's own copies and are changed in place."""
    if not expanded:
        return boxes
    return [_apply(box, expanded) for box in boxes]


def _apply(box: ir.Box, expanded: Mapping[str, Mapping[str, Any]]) -> ir.Box:
    for field in ("children", "body", "items"):
        inner = getattr(box, field, None)
        if isinstance(inner, list):
            setattr(box, field, [_apply(child, expanded) for child in inner])
    found = APPLIERS.get(type(box))
    if found is not None and found[0] in expanded:
        return found[1](box, expanded[found[0]])
    return box


def _picture(box: ir.Media, attrs: Mapping[str, Any]) -> ir.Media:
    scaling = readers.images.Scaling(attrs.get("maxWidth"), attrs.get("maxHeight"), attrs.get("resize"))
    if scaling and box.mime.startswith("image/"):
        try:
            data, mime = readers.images.scale_image(base64.b64decode(box.base64, validate=True), box.mime, scaling)
        except MissingExtra as exc:
            raise StyleFailure(f"a stylesheet scales the document's pictures, and {exc}") from None
        except (ReadFailure, binascii.Error) as exc:
            raise StyleFailure(f"cannot resize a picture of the document: {exc}", getattr(exc, "hint", None)) from None
        box = replace(box, mime=mime, base64=base64.b64encode(data).decode("ascii"))
    if attrs.get("position"):
        box = replace(box, position=attrs["position"])
    return box


def _table(box: ir.Table, attrs: Mapping[str, Any]) -> ir.Table:
    grid = Grid([Column(name, name) for name in box.columns], box.rows)
    try:
        grid = select(grid, attrs)
    except TableProblem as exc:
        raise StyleFailure(f"a stylesheet's table properties do not fit a table of the document: {exc}",
                           exc.hint) from None
    options = {**box.options, **dict(attrs.get("writerOptions") or {})}
    return ir.Table([c.header for c in grid.columns], grid.rows, attrs.get("syntax") or box.syntax, options)


def _list(box: ir.ListBox, attrs: Mapping[str, Any]) -> ir.ListBox:
    return replace(box, style=attrs.get("listStyle") or box.style)


# Box type → (the component kind whose styles it takes, the applier).
APPLIERS: dict[type, tuple[str, Callable[[Any, Mapping[str, Any]], ir.Box]]] = {
    ir.Media: ("img", _picture),
    ir.Table: ("table", _table),
    ir.ListBox: ("list", _list),
}
assert tuple(kind for kind, _ in APPLIERS.values()) == KINDS, "each kind styled while compiling has an applier"


__all__ = ["APPLIERS", "StyleFailure", "apply"]
