"""Values leaving an expression, and lists and objects about to be written as text.

`settle` is applied to every value an expression produces: lazy sequences (`map`, `select`,
`range`, `dict.items()`) become lists, the literal `undefined` becomes `null`, a missing member
anywhere inside is an error, a Python callable becomes a function value that writes safely, and
a list or object the expression built may not be nested more than `max_depth` levels deep nor
be longer than `max_output` characters when written (shared parts count every time they appear,
but are measured once). `settle_text` applies the same checks with `max_string` before a value
is written into a string inside an expression (`JSON.stringify`, `+`, `String`, `join`).
"""

from __future__ import annotations

import itertools
from collections.abc import ItemsView, Iterator, KeysView, Mapping, ValuesView
from typing import Any

from jinja2 import Undefined

from pml import limits

from .budget import LimitError, check_items
from .functions import JSFunction, native
from .plain import SCALARS as SCALARS
from .undefined import UNDEFINED, fail

LAZY = (Iterator, range, KeysView, ValuesView, ItemsView)


def settle(value: Any, *, walk: bool = True) -> Any:
    """A value as it leaves an expression (see the module docstring)."""
    if type(value) in SCALARS:
        return value
    if isinstance(value, Undefined):
        if value is UNDEFINED:
            return None
        fail(value)
    if isinstance(value, LAZY):
        value = _listed(value)
        walk = True
    if isinstance(value, (list, tuple, dict)):
        return _Walk(limits.current().max_output, "a prompt", 0).value(value, 0) if walk else value
    if callable(value) and not isinstance(value, (JSFunction, type)):
        return native(value)
    return value


def settle_text(value: Any, indent: int = 0) -> Any:
    """A list or object about to be written into a string: checked against `max_string`,
    counting `indent` characters per level of nesting on every line when it is indented."""
    walk = _Walk(limits.current().max_string, "a string", 2)
    settled = walk.value(value, 0)
    if indent:
        walk.grow(walk.nodes * (walk.deepest * indent + 2))
    return settled


class _Walk:
    __slots__ = ("budget", "deepest", "depth", "done", "nodes", "quotes", "size", "where")

    def __init__(self, budget: int, where: str, quotes: int) -> None:
        # Sizes are what the value takes written out: its strings (with `quotes` characters
        # around each, as JSON writes them), numbers and keys, and the punctuation around them.
        self.budget = budget
        self.where = where
        self.quotes = quotes
        self.size = self.nodes = self.deepest = 0
        self.depth = limits.current().max_depth
        self.done: dict[int, tuple[Any, int, int]] = {}

    def grow(self, amount: int) -> None:
        self.size += amount
        if self.size > self.budget:
            raise LimitError(f"the value is too large to write into {self.where} "
                             f"(more than {self.budget} characters)")

    def value(self, value: Any, depth: int) -> Any:
        self.nodes += 1
        self.deepest = max(self.deepest, depth)
        kind = type(value)
        if kind is str:
            self.grow(len(value) + self.quotes)
            return value
        if kind in SCALARS:
            self.grow(_written_size(value))
            return value
        if isinstance(value, Undefined):
            if value is UNDEFINED:
                self.grow(4)
                return None
            fail(value)
        if isinstance(value, (list, tuple, Mapping)):
            key = id(value)
            seen = self.done.get(key)
            if seen is not None:
                self.nodes += seen[2]
                self.grow(seen[1])
                return seen[0]
            if depth >= self.depth:
                raise LimitError(f"the value is nested more than {self.depth} levels deep")
            size, nodes = self.size, self.nodes
            result = self.container(value, depth + 1)
            self.done[key] = (result, self.size - size, self.nodes - nodes)
            return result
        if isinstance(value, LAZY):
            return self.container(_listed(value), depth + 1)
        if callable(value) and not isinstance(value, JSFunction):
            value = native(value)
        self.grow(len(str(value)) if isinstance(value, JSFunction) else 1)
        return value

    def container(self, value: Any, depth: int) -> Any:
        self.grow(2)
        changed = False
        if isinstance(value, Mapping):
            pairs = []
            for key, item in value.items():
                self.grow((len(key) if isinstance(key, str) else _written_size(key)) + self.quotes + 2)
                settled = self.value(item, depth)
                changed = changed or settled is not item
                pairs.append((key, settled))
            return dict(pairs) if changed else value
        items = []
        for item in value:
            settled = self.value(item, depth)
            changed = changed or settled is not item
            items.append(settled)
            self.grow(1)
        if changed:
            return items
        return value


def _written_size(scalar: Any) -> int:
    """The characters a number, boolean or null takes written out."""
    if scalar is None or scalar is True:
        return 4
    if scalar is False:
        return 5
    if isinstance(scalar, float):
        return len(repr(scalar))
    if isinstance(scalar, int):
        return len(str(scalar)) if -10**18 < scalar < 10**18 else 24
    return 1


def _listed(value: Any) -> list[Any]:
    """A lazy sequence as a list, refused before it is listed when it says it is too long."""
    if hasattr(value, "__len__"):
        check_items(len(value))
    items = list(itertools.islice(value, limits.current().max_items + 1))  # an endless iterator stops here
    check_items(len(items))
    return items
