"""Tracing: a render of a program in which every `{{ }}` writes a marker instead of its value.

The tracer renders with the real layouts and writer. Each expression evaluates to a marker naming
the expression and the loop instances around it (`Tok`); each `for=` repeats its element as many
times as the trace asks (`counts`, by element index), without evaluating its list. The message
text is then split into literal text and markers. Markers mix lower- and upper-case letters, so a
layout that changed the case of a value would break them, and the trace is refused.

What a trace also gives: what the render counted against the output bound besides the values
(`charge`), found from two traces whose markers differ only in length.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from pml.compile.program import CNode, Program
from pml.components import boxes as ir
from pml.components.parts import ToolSpec
from pml.expressions import Expression
from pml.render import charsafe
from pml.render.renderer import Renderer
from pml.render.root import render_root
from pml.render.writers.markdown import plain_marker

_OPEN, _CLOSE = "\uf8f0", "\uf8f1"
_MARKER = re.compile(f"q{_OPEN}a([BN])(\\d{{6}})z*{_CLOSE}Q")
_BARE = len(f"q{_OPEN}aB000000{_CLOSE}Q")
_PATH = " path"  # the scope key of the loop instances around a node (never a variable name)

Path_ = tuple[tuple[int, int], ...]  # (loop element index, instance) from the outermost loop in


class NotAhead(Exception):
    """The program cannot be written ahead (a layout, a shape or a value the tracer cannot follow)."""


class Tok(NamedTuple):
    """A marker in a trace: the expression (by its number in the plan) and the loop instances around it."""

    expression: int
    path: Path_


class Cut(NamedTuple):
    """Where a message begins, and whose it is."""

    speaker: str


class Num(NamedTuple):
    """A numbered list's marker: its style, its item's place in the list (`number`, from 0), and
    the loop whose instance wrote the item (`key`, -1 for none) with that instance's place
    (`position`)."""

    style: str
    number: int
    key: int
    position: int


Token = str | Tok | Cut | Num

# List styles whose markers count (`pml.render.writers.markdown.list_marker`).
NUMBERED = ("decimal", "latin")


class Declared(NamedTuple):
    """What the render declared besides its messages (`<output-schema>`, `<tool-definition>`s,
    `<runtime>`s): the same on every render, since plans take no value in them."""

    schema: dict[str, Any] | None
    tools: tuple[ToolSpec, ...]
    runtime: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class Trace:
    """A traced render: its messages as tokens (each message begins with a `Cut`), and what it
    counted against the output bound besides its values (`charge`)."""

    tokens: tuple[Token, ...]
    charge: int
    size: int  # the characters of its messages
    declared: Declared


class Expressions:
    """The expressions met while tracing, numbered by identity."""

    def __init__(self) -> None:
        self.numbers: dict[int, int] = {}
        self.items: list[Expression] = []

    def number(self, expression: Expression) -> int:
        found = self.numbers.get(id(expression))
        if found is None:
            found = self.numbers[id(expression)] = len(self.items)
            self.items.append(expression)
        return found


class _Markers:
    """The markers of one trace: each (expression, path) gets one, padded to one length."""

    def __init__(self, expressions: Expressions, pad: int) -> None:
        self.expressions = expressions
        self.pad = "z" * pad
        self.index: dict[tuple[int, Path_], int] = {}
        self.keys: list[Tok] = []
        self.numbers: list[Num] = []

    def marker(self, expression: Expression, path: Path_) -> str:
        key = (self.expressions.number(expression), path)
        at = self.index.get(key)
        if at is None:
            at = self.index[key] = len(self.keys)
            self.keys.append(Tok(*key))
        if at > 999_999:
            raise NotAhead("too many values")
        return f"q{_OPEN}aB{at:06d}{self.pad}{_CLOSE}Q"

    def numeral(self, number: Num) -> str:
        if len(self.numbers) > 999_999:
            raise NotAhead("too many list items")
        self.numbers.append(number)
        return f"q{_OPEN}aN{len(self.numbers) - 1:06d}{_CLOSE}Q"


class _Tracer(Renderer):
    """A renderer whose expressions give markers and whose loops repeat as often as asked."""

    def __init__(self, program: Program, counts: Mapping[int, int], absent: frozenset[int], markers: _Markers) -> None:
        super().__init__({}, program.folder, program.links)
        self.counts = counts
        self.absent = absent
        self.markers = markers
        # The items loop instances made: the loop and the instance's place, by the item's identity.
        self.made_by: dict[int, tuple[int, int]] = {}
        self.list_marker = self._list_marker

    def evaluate(self, expression: Expression, scope: dict[str, Any]) -> Any:
        if expression.condition:
            raise NotAhead("a condition the plan does not fix")
        return self.markers.marker(expression, scope.get(_PATH, ()))

    def node(self, cnode: CNode, scope: dict[str, Any], ctx: Any) -> list[Any]:
        if cnode.index in self.absent:
            return []
        if cnode.loop is None:
            return self.instance(cnode, scope, ctx)
        out: list[Any] = []
        for inner in self.scopes(cnode, scope):
            out.extend(self.instance(cnode, inner, ctx))
        return out

    def instance(self, cnode: CNode, scope: dict[str, Any], ctx: Any) -> list[Any]:
        boxes = super().instance(cnode, scope, ctx)
        if cnode.loop is not None:
            place = (cnode.index, scope[_PATH][-1][1])
            for box in boxes:
                if type(box) is ir.Item:
                    self.made_by[id(box)] = place
        return boxes

    def _list_marker(self, style: str, index: int, item: ir.Item, body: str) -> str:
        """A numbered list's marker as a marker of the trace (a plain one otherwise). An item of
        several lines is indented by its marker's width, which changes with the number: refused."""
        if style not in NUMBERED:
            return plain_marker(style, index, item, body)
        if "\n" in body:
            raise NotAhead("a numbered item of several lines")
        key, position = self.made_by.get(id(item), (-1, 0))
        return self.markers.numeral(Num(style, index, key, position))

    def scopes(self, cnode: CNode, scope: dict[str, Any]) -> list[dict[str, Any]]:
        if cnode.index in self.absent:
            return []
        if cnode.loop is None:
            return [scope]
        path = scope.get(_PATH, ())
        return [{**scope, _PATH: (*path, (cnode.index, i))} for i in range(self.counts.get(cnode.index, 1))]


def trace(program: Program, base_dir: Path, counts: Mapping[int, int], absent: frozenset[int],
          expressions: Expressions) -> Trace:
    """Trace `program` with each loop repeated `counts[index]` times (once if not given), and the
    elements in `absent` (conditions that do not hold, empty lists) left out."""
    tokens, output, markers, declared = _trace_once(program, base_dir, counts, absent, expressions, 0)
    longer = _trace_once(program, base_dir, counts, absent, expressions, 5)
    if longer[0] != tokens or longer[3] != declared:
        raise NotAhead("the trace depends on the length of values")
    charged = (longer[1] - output) // 5
    if (longer[1] - output) % 5 or charged != sum(1 for t in tokens if type(t) is Tok) or charged != markers:
        raise NotAhead("values are counted other than once each")
    size = sum(len(t) if type(t) is str else _BARE for t in tokens if type(t) is not Cut)
    return Trace(tokens, output - charged * _BARE, size, declared)


def _trace_once(program: Program, base_dir: Path, counts: Mapping[int, int], absent: frozenset[int],
                expressions: Expressions, pad: int) -> tuple[tuple[Token, ...], int, int, Declared]:
    markers = _Markers(expressions, pad)
    tracer = _Tracer(program, counts, absent, markers)
    with charsafe.collecting() as notes:
        done = render_root(tracer, program.root, {}, True, base_dir)
    built, written = done.built, done.written
    if (tracer.dropped or written.empty or written.media or notes.found or built.modules or built.marks
            or not built.messages):
        raise NotAhead("the render makes more than plain messages")
    texts: list[tuple[str, str]] = []
    for message in built.messages:
        if len(message.parts) != 1 or type(message.parts[0]) is not str:
            raise NotAhead("a message has parts other than text")
        texts.append((message.speaker, message.parts[0]))
    call = tracer.call
    declared = Declared(call.schema, tuple(call.tools), charsafe.clean(dict(call.runtime)) if call.runtime else None)
    return _tokens(texts, markers), tracer.output, len(markers.keys), declared


def _tokens(messages: list[tuple[str, str]], markers: _Markers) -> tuple[Token, ...]:
    """The messages split into literal text and markers, each after the `Cut` that begins it;
    every marker must be whole and appear once."""
    out: list[Token] = []
    seen: set[int] = set()
    for speaker, text in messages:
        out.append(Cut(speaker))
        position = 0
        for match in _MARKER.finditer(text):
            if match.start() > position:
                out.append(text[position:match.start()])
            at = int(match.group(2))
            if match.group(1) == "N":
                if at >= len(markers.numbers):
                    raise NotAhead("a list marker that was not made")
                out.append(markers.numbers[at])
                position = match.end()
                continue
            if at in seen or at >= len(markers.keys):
                raise NotAhead("a value is written twice")
            seen.add(at)
            out.append(markers.keys[at])
            position = match.end()
        if position < len(text):
            out.append(text[position:])
    if len(seen) != len(markers.keys):
        raise NotAhead("a value is not written")
    for token in out:
        if type(token) is str and (_OPEN in token or _CLOSE in token):
            raise NotAhead("a value was changed by its layout")
    return tuple(out)


__all__ = ["NUMBERED", "Cut", "Declared", "Expressions", "NotAhead", "Num", "Tok", "Token", "Trace", "trace"]
