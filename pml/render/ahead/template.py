"""A pre-written prompt with holes, and its render.

A `Plan` is the messages a program writes, as text laid out before with holes in it: a
`Hole` is a `{{ }}` whose value is written where it stands, a `Loop` a `for=` whose instances
are written one after another. A render evaluates the expressions, checks each value is one that
the layout would have placed as it is (a non-empty string, or a number, with no line break,
no whitespace at its edges, no surrogate), and joins the pieces. Whenever a value or a list is
not of that kind, or an expression fails, the render gives up (`None`) and the full render runs
instead, with its own results and errors.

Everything here is immutable and picklable (expressions pickle as their code).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple, Union

from pml.expressions import Expression
from pml.render.ahead.trace import Cut, Declared
from pml.render.writers.markdown import list_marker
from pml.values import to_text

# Characters a placed value must not hold (line breaks change list items and paragraphs; the
# output cannot carry lone surrogates; the tracer's markers are never expected in data).
UNSAFE = re.compile("[\n\r\ud800-\udfff\uf8f0\uf8f1]")

# The writers check the text they write against `max_output` too, a list counting the margin after
# its last item, the separators between messages counted: a text this close to the bound is left
# to the full render.
_SLACK = 2

NOTHING_DECLARED = Declared(None, (), None)
ROOT = -1  # the scope key of the render's own scope (loops are keyed by their element's index)


class Hole(NamedTuple):
    """A `{{ }}` value written where it stands. `scope` is the key of the scope it is evaluated in
    (`ROOT`, or the index of the innermost `for=` around it); `strict` holds for a whole attribute
    value, which must be a string (other values are coerced by the attribute's type)."""

    expression: Expression
    scope: int
    strict: bool


class Loop(NamedTuple):
    """A `for=` element's instances: `body` is written for each item but the last, then `tail`
    for the last one, which goes on to the end of the enclosing part. `cond` is the element's
    `if=`, which keeps the items it holds for (`loop` still counts all of them). `charge` is what
    each instance counts against the output bound besides its values."""

    key: int
    name: str
    items: Expression
    scope: int
    body: tuple[Part, ...]
    tail: tuple[Part, ...]
    sets_loop: bool
    charge: int
    cond: Expression | None = None


class Numeral(NamedTuple):
    """A numbered list's marker: the item's place is `delta` plus the place of the current
    instance of the loop `key` among those written (`ROOT`: `delta` alone)."""

    style: str
    delta: int
    key: int


Part = Union[str, Hole, Loop, Cut, Numeral]  # noqa: UP007 (a runtime alias, used in the NamedTuples above)


_UNKNOWN = object()  # a loop's list not evaluated yet


class _GiveUp(Exception):
    """A value the pre-written text cannot take: the full render runs instead."""


@dataclass(frozen=True, slots=True)
class Plan:
    """A program's messages, pre-written (module docstring): each message begins with a `Cut`
    naming its speaker; `charge` is what a render counts against the output bound besides its
    values and loops; `declared` the schema, tools and runtime parameters the program declares."""

    parts: tuple[Part, ...]
    charge: int
    declared: Declared = NOTHING_DECLARED

    def render(self, scope: Mapping[str, Any], max_output: int, max_loop: int,
               known: Mapping[int, Any] | None = None) -> list[tuple[str, str]] | None:
        """The messages (speaker, text) in `scope`, or None if the full render must run. `known`
        holds lists of top-level loops evaluated already, by loop key."""
        out: list[Any] = []
        # Charged, loop elements, the bounds, the place of each loop's current instance, and the
        # lists of top-level loops already evaluated (`known`, by loop key).
        state: list[Any] = [self.charge, 0, max_output, max_loop, {ROOT: 0}, dict(known) if known else {}]
        try:
            _run(self.parts, {ROOT: scope}, out, state)
        except Exception:  # a value it cannot take, or an error the full render reports
            return None
        if state[0] > max_output:
            return None
        messages: list[tuple[str, str]] = []
        size = 0
        start = 0
        for at in range(1, len(out) + 1):
            if at == len(out) or type(out[at]) is Cut:
                speaker = out[start].speaker
                text = "".join(out[start + 1:at])
                if messages and messages[-1][0] == speaker:
                    return None  # (the traces never give this; two messages of one speaker are one)
                messages.append((speaker, text))
                size += len(text) + _SLACK
                start = at
        if size > max_output:
            return None  # at the bound or near it: the full render says exactly where it stops
        return messages


def _run(parts: tuple[Part, ...], scopes: dict[int, Any], out: list[Any], state: list[Any]) -> None:
    for part in parts:
        kind = type(part)
        if kind is str or kind is Cut:
            out.append(part)
        elif kind is Hole:
            out.append(_value(part, scopes, state))  # type: ignore[arg-type]
        elif kind is Loop:
            _loop(part, scopes, out, state)  # type: ignore[arg-type]
        else:
            numeral: Numeral = part  # type: ignore[assignment]
            out.append(list_marker(numeral.style, numeral.delta + state[4][numeral.key]))


def _value(hole: Hole, scopes: dict[int, Any], state: list[Any]) -> str:
    value = hole.expression.evaluate(scopes[hole.scope])
    if type(value) is not str:
        if hole.strict or value is None or isinstance(value, (dict, list, tuple)):
            raise _GiveUp
        value = to_text(value)
    if not value or value[0].isspace() or value[-1].isspace() or UNSAFE.search(value) is not None:
        raise _GiveUp
    state[0] += len(value)
    if state[0] > state[2]:
        raise _GiveUp
    return value


def _loop(loop: Loop, scopes: dict[int, Any], out: list[Any], state: list[Any]) -> None:
    outer = scopes[loop.scope]
    items = state[5].pop(loop.key, _UNKNOWN)
    if items is _UNKNOWN:
        items = loop.items.evaluate(outer)
    if type(items) is not list and type(items) is not tuple:
        raise _GiveUp
    count = len(items)
    state[1] += count
    if not count or state[1] > state[3]:
        raise _GiveUp
    inner = dict(outer)
    scopes[loop.key] = inner
    name, body, sets_loop, places, key = loop.name, loop.body, loop.sets_loop, state[4], loop.key
    if loop.cond is None:
        last = count - 1
        state[0] += loop.charge * count
        for index, item in enumerate(items):  # (the common loop, without a list of kept items)
            inner[name] = item
            places[key] = index
            if sets_loop:
                inner["loop"] = loop_variable(index, count)
            _run(body if index < last else loop.tail, scopes, out, state)
        return
    kept = list(kept_items(name, loop.cond, items, inner, sets_loop))
    if not kept:
        raise _GiveUp
    state[0] += loop.charge * len(kept)
    final = kept[-1][0]
    for place, (index, item) in enumerate(kept):
        inner[name] = item
        places[key] = place
        if sets_loop:
            inner["loop"] = loop_variable(index, count)
        _run(body if index != final else loop.tail, scopes, out, state)


def loop_variable(index: int, count: int) -> dict[str, Any]:
    """`loop` for the item at `index` of `count`, as the full render sets it."""
    return {"index": index, "length": count, "first": index == 0, "last": index == count - 1}


def kept_items(name: str, cond: Expression, items: list[Any] | tuple[Any, ...], inner: dict[str, Any],
               sets_loop: bool) -> Iterator[tuple[int, Any]]:
    """The items a loop's `if=` (`cond`) holds for, with their places in the list, as they are
    found; `inner` is the scope the condition is evaluated in (the loop variable `name`, and
    `loop` if `sets_loop`, are set in it)."""
    count = len(items)
    for index, item in enumerate(items):
        inner[name] = item
        if sets_loop:
            inner["loop"] = loop_variable(index, count)
        if cond.evaluate(inner):
            yield index, item


__all__ = ["ROOT", "UNSAFE", "Cut", "Hole", "Loop", "Numeral", "Part", "Plan", "kept_items", "loop_variable"]
