"""Selectors read from CSS tokens: the selector list before a rule's `{`, or a JSON stylesheet's key.

tinycss2 has already split the text into tokens, with CSS's escapes undone (`.a\\:b` is a `.`
and the name `a:b`; `#\\31 a` is the id `1a`). This module reads those tokens as PML's selectors:
types, `*`, `.class`, `#id`, `[attr]` and `[attr<op>value]`, the descendant (whitespace) and child
(`>`) combinators, and lists (`a, b`). Comments are not whitespace (`.a/**/.b` is one compound,
as in CSS).

Two kinds of problems: a token that cannot appear where it is (`a:hover`, `a + b`; the whole
list is invalid, as in CSS) and a well-formed run of parts that does not make a selector
(`list >`, `*list`; only that selector of the list is invalid, and its rule with it). The
caller words them as warnings.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from tinycss2.serializer import serialize_identifier

from pml.style.layout import Layout, Node, children, significant
from pml.style.selectors import (
    ATTRIBUTE_OPERATORS,
    AttributeSelector,
    ClassSelector,
    Combinator,
    CompoundSelector,
    IdSelector,
    Selector,
    SimpleSelector,
    TypeSelector,
    UniversalSelector,
)

A_SELECTOR = "a selector"
_SHOWN_LENGTH = 20


@dataclass(frozen=True, slots=True)
class SelectorProblem:
    """Why a selector cannot be read, and where (offsets in the layout's text)."""

    message: str
    start: int
    end: int
    expected: str | None = None
    hint: str | None = None

    @property
    def text(self) -> str:
        return f"{self.message}, expected {self.expected}" if self.expected else self.message


@dataclass(frozen=True, slots=True)
class ReadSelector:
    """One selector of a list: the selector, or the problem that makes it invalid."""

    selector: Selector | None
    problem: SelectorProblem | None
    start: int
    end: int
    # Where each type selector was written, by the `id()` of the `TypeSelector`.
    type_places: dict[int, tuple[int, int]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SelectorList:
    """A read selector list: its selectors, or the problem that makes the whole list invalid."""

    selectors: tuple[ReadSelector, ...] = ()
    problem: SelectorProblem | None = None


@dataclass(frozen=True, slots=True)
class SelectorContext:
    """How a list ends where it is read: what may follow a selector, and how the end is shown."""

    after_selector: str
    end_shown: str


CSS_RULE = SelectorContext("`,`, `{` or a selector", "`{`")
JSON_KEY = SelectorContext("`,` or a selector", "end of the selector")


class _Invalid(Exception):
    def __init__(self, problem: SelectorProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem


@dataclass(frozen=True, slots=True)
class _Part:
    """A simple selector or `>` (item None), where it was written, and whether it touches the
    part before it (no whitespace between: the same compound)."""

    item: SimpleSelector | None
    start: int
    end: int
    adjacent: bool


def read_selector_list(
    nodes: Sequence[Node], layout: Layout, end: int, context: SelectorContext
) -> SelectorList:
    """Read the selector list written as `nodes`, which end at offset `end`."""
    try:
        groups = _Scanner(nodes, layout, end, context).groups()
    except _Invalid as invalid:
        return SelectorList(problem=invalid.problem)
    return SelectorList(tuple(_build(parts) for parts in groups))


def _build(parts: Sequence[_Part]) -> ReadSelector:
    start, end = parts[0].start, parts[-1].end
    try:
        selector = _SelectorBuilder().build(parts)
    except _BadSelector as bad:
        return ReadSelector(None, SelectorProblem(bad.reason, start, end), start, end)
    places = {id(p.item): (p.start, p.end) for p in parts if isinstance(p.item, TypeSelector)}
    return ReadSelector(selector, None, start, end, places)


# ---- Tokens → parts ----------------------------------------------------------------------------


class _Scanner:
    """Reads the tokens of a selector list into runs of parts, one run per selector."""

    def __init__(self, nodes: Sequence[Node], layout: Layout, end: int, context: SelectorContext) -> None:
        self.nodes = nodes
        self.layout = layout
        self.list_end = end
        self.context = context

    def groups(self) -> list[list[_Part]]:
        groups: list[list[_Part]] = []
        parts: list[_Part] = []
        gap = False
        index = 0
        nodes = self.nodes
        while index < len(nodes):
            node = nodes[index]
            if not significant(node):
                gap = gap or node.type == "whitespace"
                index += 1
                continue
            if node == ",":
                if not parts:
                    raise self._unexpected(index, A_SELECTOR)
                groups.append(parts)
                parts, gap = [], False
                index += 1
                continue
            expected = A_SELECTOR if not parts or parts[-1].item is None else self.context.after_selector
            read = _PART_READERS.get(node.type, _Scanner._other)
            item, after = read(self, index, expected)
            start = self.layout.start(node)
            end = self.layout.end(nodes, after - 1, self.list_end)
            parts.append(_Part(item, start, end, bool(parts) and not gap))
            gap = False
            index = after
        if not parts:
            where = self.list_end
            problem = SelectorProblem(f"unexpected {self.context.end_shown}", where, where + 1, A_SELECTOR)
            raise _Invalid(problem)
        groups.append(parts)
        return groups

    # Each reader takes the index of its token and returns the part (None for `>`) and the
    # index after the tokens it used.

    def _type(self, index: int, expected: str) -> tuple[SimpleSelector | None, int]:
        return TypeSelector(self.nodes[index].value), index + 1

    def _literal(self, index: int, expected: str) -> tuple[SimpleSelector | None, int]:
        value = self.nodes[index].value
        if value == "*":
            return UniversalSelector(), index + 1
        if value == ">":
            return None, index + 1
        if value == ".":
            following = self.nodes[index + 1] if index + 1 < len(self.nodes) else None
            if following is None or following.type != "ident":
                raise self._unexpected(index, "a class name")
            return ClassSelector(following.value), index + 2
        if value == ":":
            raise self._pseudo(index, expected)
        raise self._unexpected(index, expected, _LITERAL_HINTS.get(value))

    def _hash(self, index: int, expected: str) -> tuple[SimpleSelector | None, int]:
        node = self.nodes[index]
        if not node.is_identifier:
            hint = f"an id cannot start with a digit; escape it: `#{serialize_identifier(node.value)}`"
            raise self._unexpected(index, expected, hint)
        return IdSelector(node.value), index + 1

    def _number(self, index: int, expected: str) -> tuple[SimpleSelector | None, int]:
        written = self._written(index)
        hint = None
        if written.startswith(".") and len(written) > 1:
            hint = f"a class name cannot start with a digit; escape it: `.{serialize_identifier(written[1:])}`"
        raise self._unexpected(index, expected, hint)

    def _attribute(self, index: int, expected: str) -> tuple[SimpleSelector | None, int]:
        block = self.nodes[index]
        block_end = self.layout.end(self.nodes, index, self.list_end)
        inside = self.layout.content_end(block, block_end)
        closed = inside < block_end
        return _AttributeReader(block.content, self.layout, inside, closed).read(), index + 1

    def _braces(self, index: int, expected: str) -> tuple[SimpleSelector | None, int]:
        raise self._unexpected(index, None)

    def _other(self, index: int, expected: str) -> tuple[SimpleSelector | None, int]:
        node = self.nodes[index]
        hint = _at_rule_hint(node) or _LITERAL_HINTS.get(self._written(index)[:1])
        raise self._unexpected(index, expected, hint)

    def _pseudo(self, index: int, expected: str) -> _Invalid:
        """`:hover`, `::before`, `:not(`: shown whole, with a hint."""
        nodes = self.nodes
        last = index
        while last + 1 < len(nodes) and nodes[last + 1] == ":":
            last += 1
        start = self.layout.start(nodes[index])
        end = self.layout.end(nodes, last, self.list_end)
        if last + 1 < len(nodes) and nodes[last + 1].type in ("ident", "function"):
            end = _shown_end(self.layout, nodes, last + 1, self.list_end)
        problem = SelectorProblem(f"unexpected {_quoted(self.layout.slice(start, end))}", start, end,
                                  expected, "pseudo-classes such as `:first-child` are not supported")
        return _Invalid(problem)

    def _written(self, index: int) -> str:
        start = self.layout.start(self.nodes[index])
        return self.layout.slice(start, self.layout.end(self.nodes, index, self.list_end))

    def _unexpected(self, index: int, expected: str | None, hint: str | None = None) -> _Invalid:
        return _Invalid(unexpected(self.nodes, index, self.layout, self.list_end, expected, hint))


_PART_READERS: dict[str, Callable[[_Scanner, int, str], tuple[SimpleSelector | None, int]]] = {
    "ident": _Scanner._type,
    "literal": _Scanner._literal,
    "hash": _Scanner._hash,
    "number": _Scanner._number,
    "dimension": _Scanner._number,
    "percentage": _Scanner._number,
    "[] block": _Scanner._attribute,
    "{} block": _Scanner._braces,
}

_LITERAL_HINTS = {
    "+": "the sibling combinators `+` and `~` are not supported",
    "~": "the sibling combinators `+` and `~` are not supported",
    "<": "a stylesheet is CSS, not markup",
    "@": "at-rules such as `@media` are not supported; a stylesheet holds only rules",
}


def _at_rule_hint(node: Node) -> str | None:
    return _LITERAL_HINTS["@"] if node.type == "at-keyword" else None


class _AttributeReader:
    """`[name]` or `[name<op>value]`, the value a name or a quoted string (as in CSS)."""

    def __init__(self, nodes: Sequence[Node], layout: Layout, end: int, closed: bool) -> None:
        self.nodes = nodes
        self.layout = layout
        self.end = end
        self.closed = closed
        self.significant = [index for index, node in enumerate(nodes) if significant(node)]

    def read(self) -> AttributeSelector:
        name = self._take(0, "a name", {"ident"})
        if len(self.significant) == 1:
            return self._finish(AttributeSelector(name.value))
        operator = self._take(1, "`=` or `]`", {"literal"})
        if operator.value not in ATTRIBUTE_OPERATORS:
            raise self._unexpected(1, "`=` or `]`")
        wanted = self._take(2, "a name or a quoted string", {"ident", "string"})
        if len(self.significant) > 3:
            third = self.nodes[self.significant[3]]
            hint = "case flags such as `i` are not supported" if third.type == "ident" else None
            raise self._unexpected(3, "`]`", hint)
        return self._finish(AttributeSelector(name.value, operator.value, wanted.value))

    def _take(self, position: int, expected: str, types: set[str]) -> Node:
        if position >= len(self.significant):
            raise self._at_end(expected)
        node = self.nodes[self.significant[position]]
        if node.type not in types:
            hint = None
            if position == 2 and node.type in ("number", "dimension", "percentage", "hash"):
                hint = 'quote the value: `"…"`'
            raise self._unexpected(position, expected, hint)
        return node

    def _finish(self, item: AttributeSelector) -> AttributeSelector:
        if not self.closed:
            raise self._at_end("`]`")
        return item

    def _at_end(self, expected: str) -> _Invalid:
        if self.closed:
            problem = SelectorProblem("unexpected `]`", self.end, self.end + 1, expected)
        else:
            problem = SelectorProblem("unexpected end of the selector", self.end, self.end, expected)
        return _Invalid(problem)

    def _unexpected(self, position: int, expected: str, hint: str | None = None) -> _Invalid:
        index = self.significant[position]
        return _Invalid(unexpected(self.nodes, index, self.layout, self.end, expected, hint))


# ---- Showing a token ---------------------------------------------------------------------------

_OPENERS = {"{} block": "{", "[] block": "[", "() block": "("}


def unexpected(
    nodes: Sequence[Node], index: int, layout: Layout, list_end: int, expected: str | None,
    hint: str | None = None,
) -> SelectorProblem:
    """The problem "unexpected X" for `nodes[index]` (an unterminated string says so)."""
    node = nodes[index]
    start = layout.start(node)
    end = _shown_end(layout, nodes, index, list_end)
    if node.type == "error" and node.kind == "bad-string":
        quote = layout.slice(start, start + 1)
        return SelectorProblem("unterminated string", start, start + 1, None,
                               f"close it with `{quote}` on the same line")
    return SelectorProblem(f"unexpected {_quoted(layout.slice(start, end))}", start, end, expected, hint)


def _shown_end(layout: Layout, nodes: Sequence[Node], index: int, list_end: int) -> int:
    """Where the part of a token worth showing ends: a block shows its opening bracket, a
    function its name and `(`."""
    node = nodes[index]
    start = layout.start(node)
    if node.type in _OPENERS:
        return start + 1
    end = layout.end(nodes, index, list_end)
    if node.type == "function":
        opening = layout.text.find("(", start, end)
        return opening + 1 if opening >= 0 else end
    if children(node) is None and node.type == "error":
        return min(end, start + 1)
    return end


def _quoted(text: str) -> str:
    text = text.strip() or text
    text = text if len(text) <= _SHOWN_LENGTH else text[:_SHOWN_LENGTH] + "…"
    return f"`{text}`" if "`" not in text else repr(text)


# ---- Parts → selector --------------------------------------------------------------------------


class _BadSelector(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


_LEADING_ONLY = (TypeSelector, UniversalSelector)


class _SelectorBuilder:
    """Groups a run of parts into compounds: parts that touch share a compound."""

    def __init__(self) -> None:
        self.compounds: list[CompoundSelector] = []
        self.combinators: list[Combinator] = []
        self.current: list[SimpleSelector] = []
        self.pending: Combinator | None = None

    def build(self, parts: Sequence[_Part]) -> Selector:
        for part in parts:
            if part.item is None:
                self._child()
            else:
                self._simple(part)
        if self.pending is not None:
            raise _BadSelector("`>` must be followed by a selector")
        self._close()
        return Selector(tuple(self.compounds), tuple(self.combinators))

    def _child(self) -> None:
        if self.pending is not None:
            raise _BadSelector("two `>` in a row")
        if not self.current:
            raise _BadSelector("`>` must follow a selector")
        self._close()
        self.pending = ">"

    def _simple(self, part: _Part) -> None:
        assert part.item is not None
        if self.current and part.adjacent:
            if isinstance(part.item, _LEADING_ONLY):
                raise _BadSelector(f"`{part.item}` must come first in `{self._joined(part)}`")
            self.current.append(part.item)
            return
        if self.current:
            self._close()
            self.combinators.append(" ")
        elif self.compounds:
            self.combinators.append(self.pending or " ")
        self.pending = None
        self.current = [part.item]

    def _joined(self, part: _Part) -> str:
        return "".join(str(item) for item in self.current) + str(part.item)

    def _close(self) -> None:
        if self.current:
            self.compounds.append(CompoundSelector(tuple(self.current)))
            self.current = []
