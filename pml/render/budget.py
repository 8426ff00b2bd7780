"""Budgets: `char-limit`, `token-limit` and `priority`, fitted without cutting through structure.

An element with a limit (an attribute, or a style property) is fitted in two steps, as POML
does. First its children are dropped by priority: while the children's text is over the limit
and they have more than one priority level, every child at the lowest level is dropped (an
element without `priority` has priority 0; each item of a `for` loop is a child of its own).
Then, if the element's text is still over, it is cut, and a marker (` (...truncated)` unless
`truncate-marker` says otherwise) shows where.

Cutting keeps whole units while they fit: paragraphs, list items, table rows. The first unit
that does not fit is cut if it is text: at a character for `char-limit` (as POML does), at a
token and then back to a word boundary for `token-limit`. A unit that is not plain text is
never cut inside; it is dropped whole. That covers a code block, a table row, a JSON, YAML or
XML value, an image and a cached module, whose bytes the provider caches key on.
`truncate-direction` keeps the start (`end`, the default), the end (`start`) or both ends
(`middle`). Limits are soft: the marker is not counted. Where a middle cut joins two pieces of
one paragraph, cut at tokens (pieces of words are never kept) or at whitespace, a space keeps
them apart on each side of the marker (an empty marker leaves one space); the pieces are fitted
so that the joined text without its marker is within the limit.

What was dropped or cut is recorded (`Dropped`) and reported by `Rendered.dropped`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, cast

from pml import tokens as token_counts
from pml.components import boxes as ir

if TYPE_CHECKING:
    from pml.tokens.encodings import Tokenizer

MARKER = " (...truncated)"
DIRECTIONS = ("end", "start", "middle")
_WORD_END = re.compile(r"\s\S*$")
_WORD_START = re.compile(r"^\S*\s")


@dataclass(frozen=True, slots=True)
class Limit:
    """One element's limit: `size` characters or tokens, how to cut, and what marks the cut."""

    unit: str  # "chars" or "tokens"
    size: int
    direction: str = "end"
    marker: str = MARKER
    tokenizer: Tokenizer | None = None

    def measure(self, text: str) -> int:
        if self.unit == "chars":
            return len(text)
        assert self.tokenizer is not None
        return self.tokenizer.count(text)

    def describe(self) -> str:
        return f"{'char-limit' if self.unit == 'chars' else 'token-limit'} {self.size}"


@dataclass(frozen=True, slots=True)
class Dropped:
    """Something a budget left out: a whole element, or the cut part of a text."""

    kind: str  # "element" (dropped by priority), "unit" (dropped whole when cutting), "text" (cut)
    name: str  # the element, e.g. `<p>`, or what the unit was
    span: Any  # where it is written (None for data that has no element, such as a table row)
    limit: str  # the limit that dropped it, e.g. "token-limit 40 of <poml> at 1:1"
    size: int  # its size in the limit's unit (characters or tokens)
    priority: float | None = None

    def describe(self) -> str:
        where = f" at {self.span}" if self.span is not None else ""
        what = {"element": "dropped", "unit": "dropped", "text": "cut"}[self.kind]
        level = f" (priority {_number(self.priority)})" if self.priority is not None else ""
        unit = "tokens" if "token" in self.limit else "characters"
        return f"{what} {self.name}{where}{level}: {self.size} {unit}, by the {self.limit}"


def _number(value: float | None) -> str:
    return str(int(value)) if value is not None and float(value).is_integer() else str(value)


def limits_of(attrs: Mapping[str, Any]) -> list[Limit]:
    """The limits an element's attributes ask for (character limit first)."""
    chars, tokens = attrs.get("charLimit"), attrs.get("tokenLimit")
    if chars is None and tokens is None:
        return []
    options = attrs.get("writerOptions") or {}
    direction = str(attrs.get("truncateDirection") or options.get("truncateDirection") or "end")
    marker = attrs.get("truncateMarker")
    if marker is None:
        marker = options.get("truncateMarker", MARKER)
    out: list[Limit] = []
    if chars is not None:
        out.append(Limit("chars", int(chars), direction, str(marker)))
    if tokens is not None:
        model = options.get("tokenEncodingModel")
        out.append(Limit("tokens", int(tokens), direction, str(marker), token_counts.encodings.tokenizer_for(model)))
    return out


# ---------------------------------------------------------------------- measuring
Write = Callable[[Sequence[ir.Box]], str]


def _size(limit: Limit, write: Write, boxes: Sequence[ir.Box]) -> int:
    return limit.measure(write(boxes)) if boxes else 0


# ---------------------------------------------------------------------- priority
def drop_by_priority(groups: list[tuple[float, list[Any], str, Any]], limit: Limit, owner: str,
                     build: Callable[[list[Any]], list[ir.Box]], write: Write,
                     dropped: list[Dropped]) -> tuple[list[ir.Box], list[tuple[float, list[Any], str, Any]]]:
    """Children fitted by priority: `groups` are (priority, items, name, span) per child, `build`
    turns items into boxes. The lowest level goes first, while more than one level is left.
    Returns the boxes and the groups kept.

    Each child is measured once; the total of the children left is estimated from those sizes
    (and a separator between blocks), and checked exactly before it is accepted."""
    sizes = [_size(limit, write, build(list(g[1]))) if g[1] else 0 for g in groups]
    gap = limit.measure("\n\n")
    kept = list(range(len(groups)))
    while True:
        present = [i for i in kept if sizes[i]]
        least = sum(sizes[i] for i in present)  # without the blank lines between blocks
        estimate = least + gap * max(len(present) - 1, 0)
        levels = sorted({groups[i][0] for i in kept})
        # Pieces counted apart can merge into fewer tokens: below the estimate's slack, count exactly.
        if least - len(present) <= limit.size or len(levels) <= 1:
            boxes = build([item for i in kept for item in groups[i][1]])
            if len(levels) <= 1 or (estimate <= limit.size + len(present)
                                    and _size(limit, write, boxes) <= limit.size):
                return boxes, [groups[i] for i in kept]
        lowest = levels[0]
        for i in kept:
            priority, _, name, span = groups[i]
            if priority == lowest and sizes[i]:
                dropped.append(Dropped("element", name, span, f"{limit.describe()} of {owner}", sizes[i], priority))
        kept = [i for i in kept if groups[i][0] != lowest]


# ---------------------------------------------------------------------- cutting
class _Cutter:
    """Cuts a list of boxes down to `room`, keeping whole units (module docstring)."""

    def __init__(self, limit: Limit, write: Write, owner: str, dropped: list[Dropped], from_end: bool) -> None:
        self.limit = limit
        self.write = write
        self.owner = f"{limit.describe()} of {owner}"
        self.dropped = dropped
        self.from_end = from_end  # keep the end of the content (truncate-direction: start)
        self.cut = False
        self.text_cut = False  # the cut went through text (else whole units were left out)
        self.spaced = False  # the text was cut between words (at tokens, or at whitespace)

    def size(self, boxes: Sequence[ir.Box]) -> int:
        return _size(self.limit, self.write, boxes)

    def boxes(self, boxes: Sequence[ir.Box], room: int) -> list[ir.Box]:
        """The boxes that fit in `room`, in order; sets `cut` when something was left out."""
        order = list(reversed(boxes)) if self.from_end else list(boxes)
        kept: list[ir.Box] = []
        for index, box in enumerate(order):
            if self.cut:
                self._record_many(order[index:], None)
                break
            size = self.size([box])
            gap = self.limit.measure("\n\n") if kept and _is_block(box) else 0
            if size + gap <= room:
                kept.append(box)
                room -= size + gap
                continue
            part = self.one(box, room - gap)
            self.cut = True
            if part is not None:
                kept.append(part)
            self._record_many(order[index + 1:], None)
            break
        return list(reversed(kept)) if self.from_end else kept

    def one(self, box: ir.Box, room: int) -> ir.Box | None:
        """The part of one box that fits in `room`, or None (the box is dropped whole)."""
        if room <= 0:
            if isinstance(box, ir.Inline):
                self._note_edge(box.text, 0)
            self._record(box)
            return None
        if isinstance(box, ir.Inline):
            text = self.text(box.text, room)
            if text != box.text:
                self._cut_text(box.text, text)
                self.text_cut = bool(text)
            return ir.Inline(text, box.verbatim) if text else None
        if isinstance(box, (ir.Block, ir.Section, ir.Heading, ir.Named, ir.Speaker, ir.Item, ir.Wrap, ir.Mark)):
            children = self.boxes(box.children, room - self._frame(box))
            if not children:
                return None
            return replace(box, children=children)
        if isinstance(box, ir.Captioned):
            body = self.boxes(box.body, room - self._frame(box))
            return replace(box, body=body) if body else None
        if isinstance(box, ir.ListBox):
            return self.listbox(box, room)
        if isinstance(box, ir.Table) and box.rows:
            return self.table(box, room)
        self._record(box)  # code, data, another syntax, media, a tool part, a cached module: whole or not at all
        return None

    def _frame(self, box: Any) -> int:
        """What a container adds around its children (a caption, a heading marker)."""
        if isinstance(box, ir.Captioned):
            return self.size([replace(box, body=[ir.Inline("x")])]) - self.limit.measure("x")
        if isinstance(box, ir.Wrap):
            return self.limit.measure(box.prefix + box.suffix)
        return 0

    def listbox(self, box: ir.ListBox, room: int) -> ir.ListBox | None:
        """Whole items while they fit; the first that does not is cut if it is text."""
        items = list(reversed(box.items)) if self.from_end else list(box.items)
        kept: list[ir.Item] = []
        used = 0
        newline = self.limit.measure("\n")
        for index, item in enumerate(items):
            size = self.size([ir.ListBox(box.style, [item])]) + (newline if kept else 0)
            if used + size <= room:
                kept.append(item)
                used += size
                continue
            marker = self.size([ir.ListBox(box.style, [ir.Item([ir.Inline("x")])])]) - self.limit.measure("x")
            gap = self.limit.measure("\n") if kept else 0
            before = len(self.dropped)
            children = self.boxes(item.children, room - used - marker - gap)
            if children:
                kept.append(ir.Item(children, item.margin))
            else:
                del self.dropped[before:]  # the item goes whole: one entry for it
                self._record(ir.ListBox(box.style, [item]))
            rest = items[index + 1:]
            if rest:
                self._record_many([ir.ListBox(box.style, rest)],
                                  f"{len(rest)} list items" if len(rest) > 1 else "a list item")
            self.cut = True
            break
        if not kept:
            return None
        return ir.ListBox(box.style, list(reversed(kept)) if self.from_end else kept)

    def table(self, box: ir.Table, room: int) -> ir.Table | None:
        header = self.size([ir.Table(box.columns, [], box.syntax, box.options)])
        rows = list(reversed(box.rows)) if self.from_end else list(box.rows)
        kept: list[list[Any]] = []
        used = header
        for index, row in enumerate(rows):
            size = self.size([ir.Table(box.columns, [row], box.syntax, box.options)]) - header
            if used + size > room:
                rest = rows[index:]
                size = self.size([ir.Table(box.columns, rest, box.syntax, box.options)]) - header
                self.dropped.append(Dropped("unit", f"{len(rest)} table row{'s' if len(rest) > 1 else ''}", None,
                                            self.owner, max(size, 0)))
                self.cut = True
                break
            kept.append(row)
            used += size
        if not kept:
            return None
        return ir.Table(box.columns, list(reversed(kept)) if self.from_end else kept, box.syntax, box.options)

    def text(self, text: str, room: int) -> str:
        """The longest piece of `text` within `room` (from its start, or its end)."""
        if self.limit.measure(text) <= room:
            return text
        if self.limit.unit == "chars":
            piece = text[len(text) - room:] if self.from_end else text[:room]
            self._note_edge(text, len(piece))
            return piece
        assert self.limit.tokenizer is not None
        tokens = self.limit.tokenizer.encode(text)
        encoding = tokenizer_encoding(self.limit.tokenizer)
        if self.from_end:
            piece = encoding.decode_bytes(tokens[len(tokens) - room:]).decode("utf-8", errors="ignore")
            start = len(text) - len(piece)
            if 0 < start and text[start - 1].isalnum() and piece[:1].isalnum():
                match = _WORD_START.search(piece)  # a word cut in two: keep from the next word
                piece = piece[match.end():] if match else ""
            self._note_edge(text, len(piece))
            return piece.lstrip()
        piece = encoding.decode_bytes(tokens[:room]).decode("utf-8", errors="ignore")
        end = len(piece)
        if end < len(text) and text[end].isalnum() and piece[-1:].isalnum():
            match = _WORD_END.search(piece)  # a word cut in two: keep up to the word before
            piece = piece[:match.start()] if match else ""
        self._note_edge(text, len(piece))
        return piece.rstrip()

    def _note_edge(self, text: str, kept: int) -> None:
        """Notes whether `text`, of which `kept` characters are kept, is cut between words: a token
        cut always is (it goes back to a word boundary), a character cut where there is whitespace."""
        if self.limit.unit == "tokens":
            self.spaced = True
            return
        if self.from_end:
            edge = text[max(len(text) - kept - 1, 0):len(text) - kept + 1]
        else:
            edge = text[max(kept - 1, 0):kept + 1]
        self.spaced = self.spaced or any(c.isspace() for c in edge)

    def _cut_text(self, before: str, after: str) -> None:
        removed = self.limit.measure(before) - self.limit.measure(after)
        self.dropped.append(Dropped("text", "text", None, self.owner, max(removed, 0)))

    def _record(self, box: ir.Box) -> None:
        self._record_many([box], None)

    def _record_many(self, boxes: Sequence[ir.Box], label: str | None) -> None:
        """Boxes left out whole (after the cut), recorded as one entry."""
        if not boxes:
            return
        size = self.size(list(reversed(boxes)) if self.from_end else list(boxes))
        if size:
            name = label or (_describe(boxes[0]) if len(boxes) == 1 else f"{len(boxes)} blocks")
            self.dropped.append(Dropped("unit", name, None, self.owner, size))


def _is_block(box: ir.Box) -> bool:
    """A block, looking through report marks (`ir.Mark`), which do not change the layout."""
    while isinstance(box, ir.Mark) and box.children:
        box = box.children[0]
    return ir.is_block(box)


def tokenizer_encoding(tokenizer: Tokenizer) -> Any:
    return token_counts.encodings.encoding(tokenizer.encoding_name)


def _describe(box: ir.Box) -> str:
    if isinstance(box, ir.ListBox) and len(box.items) == 1:
        return "a list item"
    names = {ir.Code: "a code block", ir.Data: "a data value", ir.Env: "a block in another syntax",
             ir.Media: "an image or audio clip", ir.ToolPart: "a tool call or result", ir.Module: "a module",
             ir.Table: "a table", ir.ListBox: "a list", ir.Item: "a list item", ir.Captioned: "a captioned block"}
    return names.get(type(box), "a paragraph" if ir.is_block(box) else "text")


def truncate(boxes: list[ir.Box], limit: Limit, owner: str, write: Write, dropped: list[Dropped]) -> list[ir.Box]:
    """The element's boxes cut to its limit, with the marker where the cut is (module docstring)."""
    if _size(limit, write, boxes) <= limit.size:
        return boxes
    if limit.direction == "middle":
        return _middle(boxes, limit, owner, write, dropped)
    cutter = _Cutter(limit, write, owner, dropped, from_end=limit.direction == "start")
    kept = cutter.boxes(boxes, limit.size)
    if limit.direction == "start":
        marker = limit.marker.strip() + " " if limit.marker == MARKER else limit.marker
        return _join([], marker, kept, cutter.text_cut)
    return _join(kept, limit.marker, [], cutter.text_cut)


def _middle(boxes: list[ir.Box], limit: Limit, owner: str, write: Write, dropped: list[Dropped]) -> list[ir.Box]:
    """Both ends kept, each in half of the room, the marker between them. The halves are fitted
    again, with less room, while the join without the marker is over the limit (the space kept
    between the pieces of a paragraph, or tokens merging across the join, can cost a little)."""
    head_room, tail_room = limit.size - limit.size // 2, limit.size // 2
    step = 0
    while True:
        head = _Cutter(limit, write, owner, [], from_end=False)
        first = head.boxes(boxes, head_room)
        tail = _Cutter(limit, write, owner, [], from_end=True)
        last = tail.boxes(boxes, tail_room)
        inline, spaced = head.text_cut or tail.text_cut, head.spaced or tail.spaced
        over = _size(limit, write, _join(first, "", last, inline, spaced, boxes)) - limit.size
        if over <= 0 or head_room + tail_room == 0:
            break
        step = max(over, step * 2)  # the room shrinks faster each time: a few rounds at most
        taken = min(step, head_room)
        head_room, tail_room = head_room - taken, max(tail_room - (step - taken), 0)
    dropped.append(Dropped("text", "the middle", None, f"{limit.describe()} of {owner}",
                           max(_size(limit, write, boxes) - _size(limit, write, first)
                               - _size(limit, write, last), 0)))
    marker = limit.marker + " " if limit.marker == MARKER else limit.marker
    return _join(first, marker, last, inline, spaced, boxes)


def _join(head: list[ir.Box], marker: str, tail: list[ir.Box], inline: bool = True,
          spaced: bool = False, whole: Sequence[ir.Box] = ()) -> list[ir.Box]:
    """Head, marker, tail. Where text was cut (`inline`), the marker runs into it; where whole
    units were left out, it stands as a paragraph of its own. The two halves of one paragraph,
    list or container cut in the middle (`head` and `tail` are a prefix and a suffix of `whole`
    that share its box) stay one; where the text was cut at whitespace (`spaced`), the halves
    keep a space between them on each side of the marker."""
    if head and tail and len(head) + len(tail) == len(whole) + 1 and type(head[-1]) is type(tail[0]):
        first, last = head[-1], tail[0]
        merged = _merge(first, marker, last, spaced, whole[len(head) - 1])
        if merged is not None:
            return [*head[:-1], merged, *tail[1:]]
    out = list(head)
    mark = ir.Inline(marker, True)
    if inline and head and _ends_inline(head[-1]):
        out[-1] = _append(head[-1], mark)
    elif inline and tail and _ends_inline(tail[0], first=True) and not head:
        out.append(_prepend(tail[0], mark))
        return out + list(tail[1:])
    else:
        out.append(ir.Block([ir.Inline(marker.strip(), True)]))
    return out + list(tail)


def _merge(first: ir.Box, marker: str, last: ir.Box, spaced: bool, original: ir.Box) -> ir.Box | None:
    """One box from the two halves of `original` cut in the middle, the marker where they meet."""
    if isinstance(first, ir.Block) and isinstance(last, ir.Block):
        inline = all(not ir.is_block(b) for b in (*first.children, *last.children))
        if inline:
            if spaced:
                marker = _spaced(marker, _edge_text(first.children, False), _edge_text(last.children, True))
            return ir.Block([*first.children, ir.Inline(marker, True), *last.children], first.margin)
        return ir.Block(_join(first.children, marker, last.children, True, spaced, _inner(original) or ()),
                        first.margin)
    if isinstance(first, (ir.Section, ir.Speaker, ir.Named, ir.Mark)) and isinstance(last, type(first)):
        return replace(first, children=_join(first.children, marker, last.children, True, spaced,
                                             _inner(original) or ()))
    if isinstance(first, ir.Captioned) and isinstance(last, ir.Captioned):
        return replace(first, body=_join(first.body, marker, last.body, True, spaced, _inner(original) or ()))
    if isinstance(first, ir.ListBox) and isinstance(last, ir.ListBox) and first.items and last.items:
        joined = cast(ir.Item, _append(first.items[-1], ir.Inline(marker.rstrip(), True)))
        return ir.ListBox(first.style, [*first.items[:-1], joined, *last.items])
    return None


def _spaced(marker: str, before: str, after: str) -> str:
    """The marker with a space on each side where neither it nor the text beside it has one."""
    if not marker:
        return "" if before[-1:].isspace() or after[:1].isspace() or not before or not after else " "
    left = "" if marker[0].isspace() or before[-1:].isspace() or not before else " "
    right = "" if marker[-1].isspace() or after[:1].isspace() or not after else " "
    return left + marker + right


def _edge_text(children: list[ir.Box], first: bool) -> str:
    """A character at the start (or end) of a run of inline boxes ("" where there is none)."""
    for box in children if first else reversed(children):
        if isinstance(box, ir.Inline) and box.text:
            return box.text[0] if first else box.text[-1]
        if isinstance(box, (ir.SoftSpace, ir.Break)):
            return " "
        if isinstance(box, ir.Wrap):
            edge = box.prefix if first else box.suffix
            if edge:
                return edge[0] if first else edge[-1]
            return _edge_text(box.children, first)
        if not isinstance(box, ir.Inline):
            return "x"  # inline code, a value: something that is not a space
    return ""


def _inner(box: ir.Box) -> list[ir.Box] | None:
    if isinstance(box, ir.Captioned):
        return box.body
    if isinstance(box, ir.ListBox):
        return box.items  # type: ignore[return-value]
    if isinstance(box, (ir.Block, ir.Speaker, ir.Named, ir.Section, ir.Item, ir.Mark)):
        return box.children
    return None


def _edge(inner: list[ir.Box], first: bool) -> int | None:
    """The index of the first (or last) box that is not blank text."""
    order = range(len(inner)) if first else range(len(inner) - 1, -1, -1)
    for index in order:
        box = inner[index]
        if not (isinstance(box, ir.Inline) and not box.text.strip()):
            return index
    return None


def _ends_inline(box: ir.Box, first: bool = False) -> bool:
    if isinstance(box, ir.Inline):
        return bool(box.text.strip())
    inner = _inner(box)
    index = _edge(inner, first) if inner else None
    return index is not None and _ends_inline(inner[index], first)  # type: ignore[index]


def _rebuilt(box: ir.Box, inner: list[ir.Box]) -> ir.Box:
    if isinstance(box, ir.Captioned):
        return replace(box, body=inner)
    if isinstance(box, ir.ListBox):
        return ir.ListBox(box.style, inner)  # type: ignore[arg-type]
    return replace(cast(Any, box), children=inner)  # every other box with children


def _append(box: ir.Box, mark: ir.Inline) -> ir.Box:
    if isinstance(box, ir.Inline):
        return ir.Inline(box.text + mark.text, box.verbatim)
    inner = list(_inner(box) or [])
    index = _edge(inner, False)
    assert index is not None
    return _rebuilt(box, [*inner[:index], _append(inner[index], mark)])


def _prepend(box: ir.Box, mark: ir.Inline) -> ir.Box:
    if isinstance(box, ir.Inline):
        return ir.Inline(mark.text + box.text.lstrip(), box.verbatim)
    inner = list(_inner(box) or [])
    index = _edge(inner, True)
    assert index is not None
    return _rebuilt(box, [_prepend(inner[index], mark), *inner[index + 1:]])
