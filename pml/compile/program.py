"""The compiled program: what the compiler makes of a document, and what every render reads.

A `Program` is immutable and picklable. Its tree is made of `CNode`s: an element with its
component looked up, its attributes coerced (the stylesheet's values included), its `{{ }}`
compiled, and what a render needs of it worked out once (`base`, `text_size`, `authored`).
What the passes after the tree learn about its nodes (module definitions, resolved `<use>`s,
unions, the arguments of uses that are the same on every render, `<let>` values, cached modules
placed after volatile data) is kept in `Links`, tables keyed by `CNode.index`.

Nothing here is written after the compile: a render keeps its own state (`pml.render`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from pml.errors import Diagnostic
from pml.expressions import Expression
from pml.registry import Attr, Component
from pml.style.cascade import ComputedStyle
from pml.syntax.nodes import Element
from pml.syntax.source import Span

if TYPE_CHECKING:
    from pml.compile.modules import ModuleDef, Pick, UnionDef


@dataclass(frozen=True, slots=True)
class TextPiece:
    """Authored text of an element."""

    value: str


@dataclass(frozen=True, slots=True)
class ExprPiece:
    """A `{{ }}` among an element's children."""

    expression: Expression


@dataclass(frozen=True, slots=True)
class DynamicAttr:
    """An attribute whose value has expressions: one raw value, or text with holes."""

    attr: Attr | None
    parts: tuple[str | Expression, ...]
    single: Expression | None


class Loop(NamedTuple):
    """`for="name in items"`."""

    name: str
    items: Expression


Child = "CNode | TextPiece | ExprPiece"


EMPTY: Mapping[str, Any] = {}  # the empty mapping of nodes without attributes, never written


class CNode(NamedTuple):
    """A compiled element (module docstring): an immutable record, which compares by identity
    (two equal elements are two nodes) and is made as fast as a tuple.

    `base` is the attributes a render starts from (the component's defaults, then the static
    values); `text_size` the characters of its static text values that no `{{ }}` replaces and
    `authored` those of its text pieces (both are charged against the output bound). `index` is
    its number in document order, the key of the program's `Links`. `expanded` is what the
    components a document or webpage expands into get from the stylesheets
    (`pml.compile.expanded`), by kind (`img`, `table`, `list`).
    """

    element: Element
    component: Component | None  # None for an include fragment
    static: Mapping[str, Any]
    dynamic: Mapping[str, DynamicAttr]
    children: tuple[CNode | TextPiece | ExprPiece, ...]
    loop: Loop | None = None
    cond: Expression | None = None
    written: frozenset[str] = frozenset()
    index: int = -1  # type: ignore[assignment]  # (a field named like `tuple.index`, which it hides)
    style: ComputedStyle | None = None
    expanded: Mapping[str, Mapping[str, Any]] = EMPTY
    base: Mapping[str, Any] = EMPTY
    text_size: int = 0
    authored: int = 0

    def __eq__(self, other: object) -> bool:
        return self is other

    def __ne__(self, other: object) -> bool:
        return self is not other

    def __hash__(self) -> int:
        return object.__hash__(self)

    def __repr__(self) -> str:
        return f"CNode(<{self.element.tag}> at {self.element.span})"

    @property
    def span(self) -> Span:
        return self.element.span

    @staticmethod
    def build(element: Element, component: Component | None, static: Mapping[str, Any],
              dynamic: Mapping[str, DynamicAttr], children: tuple[CNode | TextPiece | ExprPiece, ...], *,
              loop: Loop | None = None, cond: Expression | None = None, written: frozenset[str] = frozenset(),
              index: int = -1, style: ComputedStyle | None = None,
              expanded: Mapping[str, Mapping[str, Any]] | None = None) -> CNode:
        """A node, with what a render needs of it worked out (`base`, `text_size`, `authored`)."""
        base, text_size = base_of(component, static, dynamic)
        authored = 0
        for child in children:
            if type(child) is TextPiece:
                authored += len(child.value)
        return CNode(element, component, static, dynamic, children, loop, cond, written, index, style,
                     expanded or EMPTY, base, text_size, authored)


def base_of(component: Component | None, static: Mapping[str, Any], dynamic: Mapping[str, Any]
            ) -> tuple[Mapping[str, Any], int]:
    """The attributes a render of an element starts from (the component's defaults, then the static
    values), and the characters of their text that no `{{ }}` replaces. Elements without attributes
    share their component's defaults (a render never writes into them)."""
    if component is None:
        return EMPTY, 0
    defaults = component.defaults
    if not static:
        if not dynamic:
            return defaults, component.default_size
        base = defaults
    else:
        base = {**defaults, **static} if defaults else static
    size = 0
    for key, value in base.items():
        if type(value) is str and key not in dynamic:
            size += len(value)
    return base, size


@dataclass(frozen=True, slots=True)
class Links:
    """What the passes after the tree learned about its nodes, by `CNode.index`.

    `definitions`: the `ModuleDef` of each `<module>` node; `uses`: the module each `<use>` places
    (or, nested in another `<use>`, picks); `unions`: the `UnionDef` of each `<union>`; `picks`: the
    selection of each `<use>` whose arguments and nested picks are literal (the same on every
    render); `let_values`: the compiled `value` of each `<let value="…">` written as plain text;
    `after_volatile`: the `<use>`s of cached modules that volatile data comes before
    (`pml.compile.stability`).
    """

    definitions: Mapping[int, ModuleDef] = field(default_factory=dict)
    uses: Mapping[int, ModuleDef] = field(default_factory=dict)
    unions: Mapping[int, UnionDef] = field(default_factory=dict)
    picks: Mapping[int, Pick] = field(default_factory=dict)
    let_values: Mapping[int, Expression] = field(default_factory=dict)
    after_volatile: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True, eq=False)
class Program:
    """A compiled document: its tree, its links, and what it was compiled from.

    `context` is what its `<context>` elements give; `files` the files it was compiled from (the
    main file and its includes); `folder` the folder files named in it are read under; `modules`
    every module definition it can place (imported ones included), in document order.
    """

    root: CNode
    diagnostics: tuple[Diagnostic, ...]
    context: Mapping[str, Any]
    files: tuple[Path, ...]
    folder: Path
    modules: tuple[ModuleDef, ...] = ()
    links: Links = field(default_factory=Links)


def walk(root: CNode) -> list[CNode]:
    """Every node under (and including) `root`, in document order; iterative, so any depth is fine."""
    out: list[CNode] = []
    stack = [root]
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(reversed([c for c in node.children if type(c) is CNode]))
    return out


__all__ = ["EMPTY", "CNode", "Child", "DynamicAttr", "ExprPiece", "Links", "Loop", "Program", "TextPiece", "base_of",
           "walk"]
