"""The compiled tree: what `Compiler` makes of the source tree and the renderer walks.

A `CNode` is an element with its component looked up, its static attributes coerced (the
stylesheet's values included) and its `{{ }}` compiled; `data` is a per-node cache for
components (and for the module pass, which keeps definitions and resolved uses there).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pml.expressions import Expression
from pml.registry import Attr, Component
from pml.syntax.nodes import Element
from pml.syntax.source import Span


@dataclass(slots=True)
class TextPiece:
    value: str


@dataclass(slots=True)
class ExprPiece:
    expression: Expression


@dataclass(slots=True)
class DynamicAttr:
    """An attribute whose value has expressions: one raw value, or text with holes."""

    attr: Attr | None
    parts: tuple[str | Expression, ...]
    single: Expression | None


@dataclass(slots=True)
class CNode:
    """A compiled element: its component, coerced static attributes and compiled children."""

    element: Element
    component: Component | None  # None for an include fragment
    static: dict[str, Any]
    dynamic: dict[str, DynamicAttr]
    children: list[CNode | TextPiece | ExprPiece]
    loop: tuple[str, Expression] | None = None
    cond: Expression | None = None
    written: frozenset[str] = frozenset()
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def span(self) -> Span:
        return self.element.span
