"""The context variables a compiled prompt reads: what a caller must give it.

Every `{{ }}`, `if=`, `for=` and `<let value>` expression knows its free names
(`Expression.names`). A prompt expects a name when some expression reads it and nothing in the
prompt binds it first: not a `for=` variable (nor `loop`) of an element around it, not a
`<let name>` anywhere in the prompt, not a param of the module it is written in, not a key of
the document's `<context>`. `pml check` lists them when no context is given::

    for variable in expected(prompt.program):
        print(variable.name, variable.span)

The analysis is static and generous: a name read only under an `if=` that is false, or after
a `<let>` without a name that spreads an object, is still listed. A render with a context is the
truth about what is missing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from pml.compile.modules import component_name
from pml.compile.program import CNode, DynamicAttr, ExprPiece, Links, Program, TextPiece, walk
from pml.expressions import Expression
from pml.syntax.source import Span


class Compiled(Protocol):
    """Anything that holds a compiled program (a `pml.Prompt`)."""

    @property
    def program(self) -> Program: ...


@dataclass(frozen=True, slots=True)
class Variable:
    """A context variable a prompt reads, and where it is read first."""

    name: str
    span: Span

    def to_json(self) -> dict[str, object]:
        return {"name": self.name, "file": self.span.file, "line": self.span.line, "column": self.span.column}


def expected(compiled: Program | Compiled) -> tuple[Variable, ...]:
    """The variables a program (or a prompt) reads from its context, in the order they are first read."""
    program = compiled if isinstance(compiled, Program) else compiled.program
    bound = {*_lets(program.root), *program.context}
    first: dict[str, Span] = {}
    seen: set[CNode] = set()
    for name, span in _reads(program.root, frozenset(bound), seen, program.links):
        first.setdefault(name, span)
    for mdef in program.modules:  # imported modules are defined outside the tree
        if mdef.node not in seen:
            params = frozenset(bound | {p.name for p in mdef.chain().values()} | set(_lets(mdef.node)))
            for name, span in _reads(mdef.node, params, seen, program.links):
                first.setdefault(name, span)
    return tuple(Variable(name, span) for name, span in first.items())


def is_declaration(node: CNode) -> bool:
    """A `<let>` with a name and no value, `src` or body: it declares, and assigns nothing."""
    if "value" in node.static or "value" in node.dynamic or "src" in node.static or "src" in node.dynamic:
        return False
    return all(isinstance(c, TextPiece) and not c.value.strip() for c in node.children)


def _lets(root: CNode) -> Iterator[str]:
    """The names `<let name>` defines anywhere under `root` (declarations of volatile context
    variables define nothing)."""
    for node in walk(root):
        if component_name(node) == "Let" and node.static.get("name") and not is_declaration(node):
            yield str(node.static["name"])


def _reads(node: CNode, bound: frozenset[str], seen: set[CNode], links: Links) -> Iterator[tuple[str, Span]]:
    """The free names read under `node`, in document order; iterative, so any depth is fine."""
    stack: list[tuple[CNode | ExprPiece, frozenset[str]]] = [(node, bound)]
    while stack:
        item, inner = stack.pop()
        if isinstance(item, ExprPiece):
            yield from _free(item.expression, inner)
            continue
        seen.add(item)
        mdef = links.definitions.get(item.index)
        if mdef is not None:  # a module definition: its body reads its params
            inner = inner | {p.name for p in mdef.params.values()}
        if item.loop is not None:
            yield from _free(item.loop.items, inner)
            inner = inner | {item.loop.name, "loop"}
        if item.cond is not None:
            yield from _free(item.cond, inner)
        for dyn in item.dynamic.values():
            yield from _dynamic(dyn, inner)
        if component_name(item) == "Let":
            value = links.let_values.get(item.index)
            if value is not None:
                yield from _free(value, inner)
        children = [(c, inner) for c in item.children if isinstance(c, (CNode, ExprPiece))]
        stack.extend(reversed(children))


def _free(expression: Expression, bound: frozenset[str]) -> Iterator[tuple[str, Span]]:
    for name in sorted(expression.names - bound):
        yield name, _name_span(expression.span, name)


def _name_span(span: Span, name: str) -> Span:
    """The place of `name` itself in an expression's span (the whole span when it is not found as
    a word there: a name inside a string, say)."""
    text = span.source.text[span.start:span.end]
    found = re.search(rf"(?<![\w.$]){re.escape(name)}(?![\w$])", text)
    if found is None:
        return span
    return Span(span.source, span.start + found.start(), span.start + found.end())


def _dynamic(dyn: DynamicAttr, bound: frozenset[str]) -> Iterator[tuple[str, Span]]:
    for part in dyn.parts:
        if isinstance(part, Expression):
            yield from _free(part, bound)


__all__ = ["Compiled", "Variable", "expected", "is_declaration"]
