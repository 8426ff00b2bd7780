"""The markdown writer: layout boxes → text, fed as it is written to a sink as typed events.

Joining follows POML's rules (`docs/language.md`, "How blocks are joined"):

- inline boxes run together; a block is separated from what comes before and after it by its
  margin (two newlines, one for `blankLine="false"` paragraphs and message components), and the
  margins of neighbours collapse to the larger one instead of adding up;
- text made only of whitespace between two blocks disappears;
- headings take their level from the section depth (`# `, `## `, …);
- a list item's continuation lines are indented by the width of its marker, and if any item
  holds a blank line every item is separated by one.

The writer works on a flat stream: text is buffered into a run, block edges raise a pending
margin, and the separator is only written when more text follows, so trailing margins never
reach the output. Given a sink (`pml.render.messages`: a `MessageBuilder`, or an `EventLog` for
a cached module's piece), it feeds it the text, the separators, where each explicit speaker,
placed module and mark starts and ends, and the media and tool parts, in the order they stand.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any, NamedTuple

from pml.components import boxes as ir
from pml.errors import render_error
from pml.limits import current
from pml.render.bound import check, too_long
from pml.render.charsafe import fix_surrogates
from pml.render.messages import EventLog, Sink
from pml.render.writers.table import FENCED_SYNTAXES, write_table
from pml.values import to_text

_SOFT = "\x00soft\x00"


class _Point:
    """Where a mark starts or ends, kept in the run of inline text until the run is written."""

    __slots__ = ("entry", "start")

    def __init__(self, entry: list[Any], start: bool) -> None:
        self.entry = entry
        self.start = start


class Piece(NamedTuple):
    """A written subtree: its text, its media (offsets relative to its start) and the events it fed
    (`pml.render.messages.EventLog`), replayed where it lands."""

    text: str
    media: list[tuple[int, str | None, ir.Media | ir.ToolPart]]
    log: EventLog


def fence_for(text: str, minimum: int = 3) -> str:
    """A backtick fence longer than any backtick run inside `text`."""
    longest = run = 0
    for ch in text:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    return "`" * max(minimum, longest + 1)


def inline_code(text: str) -> str:
    fence = fence_for(text, 1)
    if text.startswith("`") or text.endswith("`"):
        return f"{fence} {text} {fence}"
    return f"{fence}{text}{fence}"


def list_marker(style: str, index: int) -> str:
    if style == "decimal":
        return f"{index + 1}. "
    if style == "latin":
        return f"{_latin(index)}. "
    return {"star": "* ", "plus": "+ ", "dash": "- "}.get(style, "- ")


def plain_marker(style: str, index: int, item: ir.Item, body: str) -> str:
    """The marker of a list's item at `index` (a `Marker`: the item and its written body are not
    needed to write it)."""
    return list_marker(style, index)


# How a writer makes list markers: (style, index, item, written body) → marker.
Marker = Callable[[str, int, ir.Item, str], str]


def _latin(index: int) -> str:
    letters = string.ascii_lowercase
    out = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        out = letters[rest] + out
    return out


def indent_continuation(text: str, width: int) -> str:
    pad = " " * width
    lines = text.split("\n")
    return "\n".join([lines[0], *[(pad + line) if line else line for line in lines[1:]]])


def _plain_inline(boxes: Sequence[ir.Box]) -> str | None:
    """The text of boxes that are only inline text (the common list item), else None.

    The same result as writing them, without a writer: whitespace-only pieces at the edges
    are dropped, the rest is joined as it is.
    """
    texts: list[str] = []
    for box in boxes:
        if type(box) is not ir.Inline:
            return None
        texts.append(box.text)
    while texts and not texts[0].strip():
        texts.pop(0)
    while texts and not texts[-1].strip():
        texts.pop()
    return "".join(texts)


class MarkdownWriter:
    """Writes boxes as markdown. `serialize` writes data/other-syntax subtrees (injected)."""

    def __init__(
        self,
        serialize: Callable[[str, Sequence[ir.Box], dict[str, Any]], str],
        base_level: int = 1,
        sink: Sink | None = None,
        marker: Marker = plain_marker,
    ) -> None:
        self._serialize = serialize
        self._marker = marker  # the list markers of this writer's own lists
        self._sink = sink  # what the events of the output are fed to (`pml.render.messages`), if anything
        self._base_level = base_level
        self._bound = current().max_output
        self._out: list[str] = []
        self._length = 0
        self._pending = 0
        self._run: list[Any] = []  # text, soft spaces (`_SOFT`) and mark points (`_Point`)
        self._depth = 0
        self._open: list[list[Any]] = []  # [speaker, start or None]
        # Media boxes: the offset in the text where each stands, and its explicit speaker.
        self.media: list[tuple[int, str | None, ir.Media | ir.ToolPart]] = []
        self._modules_open: list[list[Any]] = []  # [mark, start or None, the sink's handle]
        # Marks (`ir.Mark`): [box, start, end, state, the sink's handle], in the order they were opened.
        self._marks: list[list[Any]] = []
        # Explicit speakers (`ir.Speaker` with a span) that wrote nothing: (span, speaker).
        self.empty: list[tuple[Any, str]] = []

    # ------------------------------------------------------------------ public
    def write(self, boxes: Sequence[ir.Box]) -> str:
        self._walk(boxes)
        self._boundary(0)
        return "".join(self._out)

    # ------------------------------------------------------------------ stream
    def _emit(self, text: str, feed: Callable[[Sink], None] | None = None) -> None:
        """Write text (after the pending separator); `feed` gives the sink its events instead of
        the text alone."""
        if not text:
            return
        sink = self._sink
        if self._pending and self._length:
            sep = "\n" * self._pending
            self._out.append(sep)
            if sink is not None:
                sink.separator(sep)
            self._length += len(sep)
        self._pending = 0
        self._mark_starts()
        self._out.append(text)
        self._length += len(text)
        if sink is not None:
            if feed is None:
                sink.text(text)
            else:
                feed(sink)
        if self._length > self._bound:
            raise too_long(None, self._bound)

    def _mark_starts(self) -> None:
        """Open speaker and module ranges start where their first text (or part) stands."""
        sink = self._sink
        for entry in self._open:
            if entry[1] is None:
                entry[1] = self._length
                if sink is not None:
                    sink.speaker_start(entry[0])
        for entry in self._modules_open:
            if entry[1] is None:
                entry[1] = self._length
                if sink is not None:
                    entry[2] = sink.module_start(entry[0])
        for entry in self._marks:
            if entry[3] is True and entry[1] is None:
                entry[1] = self._length
                if sink is not None:
                    entry[4] = sink.mark_start(entry[0])

    def _speaker(self) -> str | None:
        """The innermost explicit speaker open."""
        return next((entry[0] for entry in reversed(self._open) if entry[0]), None)

    def piece(self, boxes: Sequence[ir.Box]) -> Piece:
        """Write boxes as a standalone piece (a cached module's text, spliced in later); the writer
        must have been made with an `EventLog` as its sink."""
        assert isinstance(self._sink, EventLog)
        text = self.write(boxes)
        return Piece(text, self.media, self._sink)

    def _splice(self, piece: Piece) -> None:
        """Write a piece written before: its text, its media shifted to where it lands, its events replayed."""
        speaker = self._speaker() if piece.media else None
        if piece.text:
            self._emit(piece.text, lambda sink: piece.log.replay(sink, piece.text, speaker))
        else:
            self._boundary(0)
            self._mark_starts()
            if self._sink is not None:
                piece.log.replay(self._sink, "", speaker)
        if piece.media:
            offset = self._length - len(piece.text)
            self.media.extend((at + offset, who or speaker, box) for at, who, box in piece.media)

    def _flush_run(self) -> None:
        if not self._run:
            return
        if any(type(p) is _Point for p in self._run):
            self._flush_marked_run()
            return
        text = self._joined(self._run)
        self._run = []
        if text:
            self._emit(text)

    @staticmethod
    def _joined(parts: list[Any]) -> str:
        """The text of a run (without mark points): soft spaces resolved, whitespace-only pieces at
        its edges dropped; empty if nothing visible is left."""
        # Whitespace-only pieces at the edges of a run touch a block (or the output's ends).
        while parts and (parts[0] is _SOFT or not parts[0].strip()):
            parts = parts[1:]
        while parts and (parts[-1] is _SOFT or not parts[-1].strip()):
            parts = parts[:-1]
        pieces: list[str] = []
        for i, part in enumerate(parts):
            if part is _SOFT:
                following = "".join(p for p in parts[i + 1 :] if p is not _SOFT)
                if following and not following[0].isspace() and pieces and not pieces[-1][-1:].isspace():
                    pieces.append(" ")
                continue
            pieces.append(part)
        text = "".join(pieces)
        return text if text.strip() else ""

    def _flush_marked_run(self) -> None:
        """A run with mark points: the text is written as without them, and each point gets the
        offset it stands at. A start before any text waits for the text that follows; an end
        before any text stands before the separator that text brings. The sink gets each point
        where it stands in the text."""
        run = self._run
        self._run = []
        text = self._joined([p for p in run if type(p) is not _Point])
        before = self._length
        base = before + (self._pending if text and self._length else 0)
        # Points in the text: (offset in the text, start?, entry); ends before the separator go first.
        points: list[tuple[int, bool, list[Any]]] = []
        if text:  # marks waiting for text start where it does
            for entry in self._marks:
                if entry[3] is True and entry[1] is None:
                    entry[1] = base
                    points.append((0, True, entry))
        lead = 0  # characters dropped at the start of the run (whitespace-only pieces)
        for piece in self._run_pieces(run):
            if piece.strip():
                break
            lead += len(piece)
        seen = 0
        early: list[list[Any]] = []  # marks that end before the separator the text brings
        waiting: list[list[Any]] = []  # marks whose start waits for text after this run
        for item in run:
            if type(item) is not _Point:
                if item is not _SOFT:
                    seen += len(item)
                continue
            entry = item.entry
            if item.start:
                if entry[1] is None and text and seen - lead < len(text):
                    at = max(seen - lead, 0)
                    entry[1] = base + at
                    points.append((at, True, entry))
                elif entry[3] == "run":
                    waiting.append(entry)
                continue
            entry[3] = False
            if entry[1] is not None and entry[2] is None:
                start: int = entry[1]
                end = base + min(seen - lead, len(text)) if text and seen > lead else before
                entry[2] = end
                if not text or (start < base and end < base):
                    early.append(entry)
                else:  # an end before a start in this run makes the mark empty
                    points.append((max(end, start) - base, False, entry))
        sink = self._sink
        if sink is not None:
            for entry in early:
                sink.mark_end(entry[4])
        if text:
            if sink is None or not points:
                self._emit(text)
            else:
                points.sort(key=lambda p: p[0])
                self._emit(text, lambda sink: _feed_marked(sink, text, points))
        for entry in waiting:  # the next text starts them (not this run's)
            if entry[3] == "run":
                entry[3] = True

    @staticmethod
    def _run_pieces(run: list[Any]) -> list[str]:
        return [p for p in run if type(p) is not _Point and p is not _SOFT]

    def _boundary(self, margin: int) -> None:
        self._flush_run()
        if margin > self._pending:
            self._pending = margin

    def _inline(self, text: str) -> None:
        self._run.append(text)

    # ------------------------------------------------------------------ boxes
    def _walk(self, boxes: Sequence[ir.Box]) -> None:
        for box in boxes:
            getattr(self, "box_" + type(box).__name__)(box)

    def box_Inline(self, box: ir.Inline) -> None:
        self._inline(box.text)

    def box_SoftSpace(self, box: ir.SoftSpace) -> None:
        self._run.append(_SOFT)

    def box_Break(self, box: ir.Break) -> None:
        self._inline("\n" * box.count)

    def box_Wrap(self, box: ir.Wrap) -> None:
        self._inline(box.prefix)
        self._walk(box.children)
        self._inline(box.suffix)

    def box_Item(self, box: ir.Item) -> None:
        """An item outside a `<list>`: an error, as in POML (a list gives it its marker)."""
        raise render_error("`<item>` is not inside a `<list>`", box.span,
                           "put the items in a `<list>`, or use `<p>` for a paragraph")

    def box_Block(self, box: ir.Block) -> None:
        self._boundary(box.margin)
        self._walk(box.children)
        self._boundary(box.margin)

    def box_Named(self, box: ir.Named) -> None:
        self._walk(box.children)

    def box_Heading(self, box: ir.Heading) -> None:
        self._boundary(2)
        self._inline("#" * (self._depth + self._base_level) + " ")
        self._walk(box.children)
        self._boundary(2)

    def box_Section(self, box: ir.Section) -> None:
        self._boundary(2)
        self._depth += 1
        self._walk(box.children)
        self._depth -= 1
        self._boundary(2)

    def box_Captioned(self, box: ir.Captioned) -> None:
        style = box.style
        if style == "hidden":
            self.box_Block(ir.Block(box.body, box.margin))
            return
        self._boundary(box.margin)
        if style == "header":
            colon = ":" if box.ending in ("colon", "colon-newline") else ""
            self._emit("#" * (self._depth + self._base_level) + " " + box.caption + colon)
            self._boundary(2)
            self._depth += 1
            self._walk(box.body)
            self._depth -= 1
        else:
            mark = "**" if style == "bold" else ""
            ending = box.ending
            colon = ":" if ending in ("colon", "colon-newline") else ""
            self._inline(f"{mark}{box.caption}{colon}{mark}")
            if ending in ("newline", "colon-newline"):
                self._inline("\n")
            else:
                self._run.append(_SOFT)
            self._walk(box.body)
        self._boundary(box.margin)

    def box_ListBox(self, box: ir.ListBox) -> None:
        pieces: list[str] = []
        previous = 0
        size = 0
        for index, item in enumerate(box.items):
            body = _plain_inline(item.children)
            if body is None:
                body = MarkdownWriter(self._serialize, self._base_level + self._depth).write(item.children)
            marker = self._marker(box.style, index, item, body)
            margin = item.margin or (2 if "\n\n" in body or any(ir.is_block(b) for b in item.children) else 1)
            if pieces:
                pieces.append("\n" * max(previous, margin))
            pieces.append(marker + indent_continuation(body, len(marker)))
            previous = margin
            size += len(pieces[-1]) + margin
            if size > self._bound:
                raise too_long(None, self._bound)
        self._boundary(2)
        self._emit("".join(pieces))
        self._boundary(2)

    def box_Code(self, box: ir.Code) -> None:
        if box.inline:
            self._inline(inline_code(box.text))
            return
        fence = fence_for(box.text)
        self._boundary(2)
        self._emit(f"{fence}{box.lang or ''}\n{box.text}\n{fence}")
        self._boundary(2)

    def box_Data(self, box: ir.Data) -> None:
        if box.syntax in (None, "markdown"):
            self._boundary(2)
            self._emit(fix_surrogates(to_text(box.value)))
            self._boundary(2)
            return
        self.box_Env(ir.Env(box.syntax, [box]))

    def box_Env(self, box: ir.Env) -> None:
        if box.syntax == "markdown":
            self._boundary(2)
            self._walk(box.children)
            self._boundary(2)
            return
        if box.syntax == "text":
            text = MarkdownWriter(self._serialize, self._base_level + self._depth).write(box.children)
            lang = ""
        else:
            text = self._serialize(box.syntax, box.children, box.options)
            lang = box.syntax
        check(len(text))
        self._boundary(2)
        if box.fenced:
            fence = fence_for(text)
            self._emit(f"{fence}{lang}\n{text}\n{fence}")
        else:
            self._emit(text)
        self._boundary(2)

    def box_Media(self, box: ir.Media) -> None:
        """A media part: it takes no room in the text; it is placed at the current offset."""
        self._boundary(0)
        self._mark_starts()
        speaker = self._speaker()
        self.media.append((self._length, speaker, box))
        if self._sink is not None:
            self._sink.part(box, speaker)

    def box_Table(self, box: ir.Table) -> None:
        """A table (`pml.render.writers.table`): json, yaml, xml and html are fenced like any subtree in
        that syntax; csv, tsv, jsonl and text start on the line after text before them."""
        syntax = box.syntax or "markdown"
        if syntax in FENCED_SYNTAXES:
            self.box_Env(ir.Env(syntax, [ir.Table(box.columns, box.rows, None, box.options)], box.options))
            return
        self._boundary(2 if syntax == "markdown" else 1)
        self._emit(write_table(box, syntax))
        self._boundary(2)

    def box_ToolPart(self, box: ir.ToolPart) -> None:
        """A tool call or result: placed like media, spoken by its own speaker (ai or tool)."""
        self._boundary(0)
        self._mark_starts()
        self.media.append((self._length, box.speaker, box))
        if self._sink is not None:
            self._sink.part(box, box.speaker)

    def box_Speaker(self, box: ir.Speaker) -> None:
        self._boundary(box.margin)
        entry: list[Any] = [box.speaker, None]
        self._open.append(entry)
        self._walk(box.children)
        self._boundary(box.margin)
        _remove(self._open, entry)
        if entry[1] is not None:
            if self._sink is not None:
                self._sink.speaker_end()
        elif box.span is not None:
            self.empty.append((box.span, box.speaker))

    def box_Module(self, box: ir.Module) -> None:
        """A module is a block of its own. A cached one is written once per heading level (the
        render cache keeps the piece) and spliced in after that."""
        self._boundary(2)
        level = self._base_level + self._depth
        mark = box.mark if box.mark.level == level else replace(box.mark, level=level)
        entry: list[Any] = [mark, None, None]
        self._modules_open.append(entry)
        cache = box.entry
        if cache is None:
            self._walk(box.children)
        else:
            piece = cache.piece(level)
            if piece is None:
                piece = cache.keep(level, MarkdownWriter(self._serialize, level, EventLog()).piece(box.children))
            self._splice(piece)
        self._boundary(2)
        _remove(self._modules_open, entry)
        if entry[1] is not None and self._sink is not None:
            self._sink.module_end(entry[2])

    def box_Mark(self, box: ir.Mark) -> None:
        """Record where a subtree's text stands; the layout is the same as without the mark."""
        entry: list[Any] = [box, None, None, "run", None]  # open: "run" (its start is in the run), True, False
        self._marks.append(entry)
        self._run.append(_Point(entry, True))
        self._walk(box.children)
        self._run.append(_Point(entry, False))


def _feed_marked(sink: Sink, text: str, points: list[tuple[int, bool, list[Any]]]) -> None:
    """Feed `sink` a run's text with its mark points where they stand (offsets in the text)."""
    position = 0
    for at, start, entry in points:
        if at > position:
            sink.text(text[position:at])
            position = at
        if start:
            entry[4] = sink.mark_start(entry[0])
        else:
            sink.mark_end(entry[4])
    sink.text(text[position:])


def _remove(stack: list[Any], entry: Any) -> None:
    """Take `entry` off a stack of open entries, by identity: a nested message of the same
    speaker, or a module used twice, has an entry equal to it."""
    for index in range(len(stack) - 1, -1, -1):
        if stack[index] is entry:
            del stack[index]
            return
