"""The cache-stability check: volatile data must not land before or inside a cached module.

Provider caches reuse exact prefixes. A value that changes on every request (a timestamp, a
request id, a user profile) written before a cached module changes the prefix of every request,
and every cache behind it misses; passed into a cached module, it makes a new module rendering
per value. A variable is declared volatile with `<let name="now" volatile="true"/>` (a context
variable) or by `volatile="true"` on a `<let>` that computes it, wherever in the document the
declaration stands; a `<let>` whose value reads a volatile variable is volatile after it, and so
is a loop variable over a volatile list.

The check walks the compiled tree in document order, expanding uncached modules where they are
placed, and reports each volatile read that comes before a cached module, and each volatile
argument of a cached module, with its location. The `<use>`s of those cached modules are returned
too (the program keeps them as `Links.after_volatile`): the cache plan places no breakpoint after
them, since their prefix changes on every request and a breakpoint would only pay for cache writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from pml.compile.modules import USE_ATTRS, ModuleDef, ModuleTable, component_name
from pml.compile.program import CNode, ExprPiece
from pml.errors import Diagnostic
from pml.expressions import Expression
from pml.syntax.nodes import normalize_name
from pml.syntax.source import Span

HINT = ("put volatile data after the last cached module (at the end of the prompt, or in the last user "
        "message), so the prefix before it stays byte-identical")


@dataclass(frozen=True, slots=True)
class _Read:
    names: frozenset[str]
    span: Span


@dataclass(frozen=True, slots=True)
class _Cached:
    module: ModuleDef
    span: Span
    name: str  # as the `<use>` wrote it
    node: CNode


@dataclass(frozen=True, slots=True)
class _Inside:
    """A volatile value passed as an argument of a cached module."""

    names: frozenset[str]
    module: str
    span: Span


def check(root: CNode, table: ModuleTable) -> tuple[list[Diagnostic], set[int]]:
    """The stability warnings of a compiled document, and the indexes of the `<use>`s of cached
    modules placed after volatile data (module docstring)."""
    declared = {str(n.static["name"]) for n in _walk(root)
                if component_name(n) == "Let" and n.static.get("volatile") and n.static.get("name")}
    marked: set[int] = set()
    events = list(_Events(table, marked).of(root, declared, ()))
    out: list[Diagnostic] = []
    cached_after: list[_Cached | None] = [None] * len(events)
    upcoming: _Cached | None = None
    for index in range(len(events) - 1, -1, -1):
        cached_after[index] = upcoming
        if isinstance(events[index], _Cached):
            upcoming = events[index]  # type: ignore[assignment]
    for index, event in enumerate(events):
        if isinstance(event, _Inside):
            names = ", ".join(f"`{n}`" for n in sorted(event.names))
            out.append(Diagnostic(
                "warning", f"volatile {names} is passed to the cached module `{event.module}`: it renders "
                           "anew for every value, so neither its render cache nor a provider cache is reused",
                event.span, "pass only values that stay the same across requests to a cached module; put the "
                            "volatile part after it", "stability"))
            continue
        target = cached_after[index]
        if isinstance(event, _Read) and target is not None:
            names = ", ".join(f"`{n}`" for n in sorted(event.names))
            where = f"{target.span.line}:{target.span.column}"
            out.append(Diagnostic(
                "warning", f"volatile {names} lands before the cached module `{target.name}` (placed at "
                           f"{where}): the prefix changes on every request, so provider caches miss", event.span,
                HINT, "stability"))
    seen_volatile = False
    for event in events:
        if isinstance(event, _Read):
            seen_volatile = True
        elif isinstance(event, _Cached) and seen_volatile:
            marked.add(event.node.index)  # the cache plan puts no breakpoint after it
    return out, marked


class _Events:
    """The walk of `check`: it reads the module table, and collects the `<use>`s of cached modules
    that are given volatile arguments."""

    def __init__(self, table: ModuleTable, marked: set[int]) -> None:
        self.table = table
        self.marked = marked

    def of(self, node: CNode, volatile: set[str], stack: tuple[ModuleDef, ...]) -> Iterator[_Read | _Cached | _Inside]:
        """Volatile reads and cached-module placements under `node`, in document order."""
        for child in node.children:
            if isinstance(child, ExprPiece):
                yield from _read(child.expression, volatile)
            elif isinstance(child, CNode):
                yield from self.element(child, volatile, stack)

    def element(self, node: CNode, volatile: set[str], stack: tuple[ModuleDef, ...]
                ) -> Iterator[_Read | _Cached | _Inside]:
        kind = component_name(node)
        if kind in ("Schema", "Import", "Module", "Union", "Param"):
            return  # definitions render where they are placed
        inner = volatile
        if node.cond is not None:
            yield from _read(node.cond, volatile)
        if node.loop is not None:
            reads = list(_read(node.loop.items, volatile))
            yield from reads
            if reads:
                inner = {*volatile, node.loop.name}
        if kind == "Let":
            _let(node, volatile, self.table)
            return
        if kind == "Use":
            yield from self.use(node, inner, stack)
            return
        for dyn in node.dynamic.values():
            for part in dyn.parts:
                if isinstance(part, Expression):
                    yield from _read(part, inner)
        yield from self.of(node, inner, stack)

    def use(self, node: CNode, volatile: set[str], stack: tuple[ModuleDef, ...]) -> Iterator[_Read | _Cached | _Inside]:
        mdef = self.table.uses.get(node.index)
        if mdef is None or mdef in stack:
            return
        tainted: set[str] = set()
        for name, dyn in node.dynamic.items():
            if normalize_name(name) in USE_ATTRS:
                continue
            names = {n for part in dyn.parts if isinstance(part, Expression) for n in part.names & volatile}
            if not names:
                continue
            param = mdef.chain().get(normalize_name(name))
            if param is not None:
                tainted.add(param.name)
            if mdef.cached:
                attr = node.element.attribute(name)
                yield _Inside(frozenset(names), str(node.static.get("module") or mdef.path),
                              attr.span if attr is not None else node.span)
                self.marked.add(node.index)
        if mdef.cached:
            yield _Cached(mdef, node.span, str(node.static.get("module") or mdef.path), node)
            return
        body = {n for n in volatile if n not in {p.name for p in mdef.chain().values()}} | tainted
        yield from self.of(mdef.node, body, (*stack, mdef))


def _read(expression: Expression, volatile: set[str]) -> Iterator[_Read]:
    names = expression.names & volatile
    if names:
        yield _Read(frozenset(names), expression.span)


def _let(node: CNode, volatile: set[str], table: ModuleTable) -> None:
    name = node.static.get("name")
    if not name:
        return
    if node.static.get("volatile"):
        volatile.add(str(name))
        return
    reads: set[str] = set()
    for dyn in node.dynamic.values():
        reads.update(n for part in dyn.parts if isinstance(part, Expression) for n in part.names)
    expression = table.let_values.get(node.index)
    if expression is not None:
        reads.update(expression.names)
    for inner in _walk(node):
        for child in inner.children:
            if isinstance(child, ExprPiece):
                reads.update(child.expression.names)
    if reads & volatile:
        volatile.add(str(name))


def _walk(node: CNode) -> Iterable[CNode]:
    yield node
    for child in node.children:
        if isinstance(child, CNode):
            yield from _walk(child)
