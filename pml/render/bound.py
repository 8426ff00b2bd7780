"""The output bound: what a render writes, counted against `Limits.max_output`.

A render's output is bounded as it is built, not after: the renderer charges each piece of
text as it produces it (authored text, interpolated values, attribute text) and each
component's own content (data, tables, files, pictures) when the component has made it,
and stops with an error at the element that crosses the bound. The writers check their own
results too (list indentation, fences, escapes and indentation of serialized syntaxes add to
the text), so no string longer than the bound is ever built from it.

`measure` sizes boxes without writing them: text by its length, data by the characters its
strings, numbers and keys hold (a lower bound of any serialization of it, `pml.values.survey`),
a picture by its base64 length.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pml.components import boxes as ir
from pml.errors import Diagnostic, PMLRenderError, limit_hint
from pml.limits import current
from pml.syntax.source import Span
from pml.values import Memo, survey


class OutputTooLong(PMLRenderError):
    """The render's output would be longer than `Limits.max_output` characters."""


def too_long(span: Span | None, limit: int | None = None) -> OutputTooLong:
    """The error for output past the bound, at the element that crossed it (None: not known yet)."""
    bound = current().max_output if limit is None else limit
    return OutputTooLong(Diagnostic(
        "error", f"the output is longer than {bound:,} characters (the limit `max_output`)", span,
        limit_hint("max_output", "render less data"), "render"))


def check(size: int) -> None:
    """Raise `OutputTooLong` (without a location) when a piece of text is past the bound."""
    if size > current().max_output:
        raise too_long(None)


def measure(boxes: Sequence[Any], memo: Memo | None = None, cap: int | None = None) -> int:
    """The size of boxes in characters, counted no further than `cap` (a size past it is enough
    to know the bound is crossed). `memo` keeps what is known of data values already measured."""
    stop = cap if cap is not None else current().max_output
    sizes: Memo = {} if memo is None else memo
    total = 0
    stack: list[Any] = list(boxes)
    while stack and total <= stop:
        box = stack.pop()
        kind = type(box)
        if kind is ir.Inline or isinstance(box, str):
            total += len(box.text) if kind is ir.Inline else len(box)
        elif kind is ir.Break:
            total += box.count
        elif kind is ir.Code:
            total += len(box.text)
        elif kind is ir.Captioned:
            total += len(box.caption)
            stack.extend(box.body)
        elif kind is ir.ListBox:
            stack.extend(box.items)
        elif kind is ir.Media:
            total += len(box.base64) + len(box.alt or "")
        elif kind is ir.Data:
            total += survey(box.value, sizes).size
        elif kind is ir.Table:
            total += survey(box.columns, sizes).size + survey(box.rows, sizes).size
        elif kind is ir.ToolPart:
            value = box.value
            if isinstance(value, list) and any(isinstance(v, (ir.Media, ir.Inline)) for v in value):
                stack.extend(v for v in value if not isinstance(v, str))
                total += sum(len(v) for v in value if isinstance(v, str))
            else:
                total += survey(value, sizes).size
        else:
            children = getattr(box, "children", None)
            if children:
                stack.extend(children)
    return total


__all__ = ["OutputTooLong", "check", "measure", "too_long"]
