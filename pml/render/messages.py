"""The message builder: the events of a render in, the messages and the places of modules and marks out.

A writer feeds `MessageBuilder` the written output in order, as typed events: `text`,
`separator` (a block separator), `speaker_start`/`speaker_end` (an explicit speaker's text),
`part` (a media or tool part), `module_start`/`module_end` (a placed module) and
`mark_start`/`mark_end` (a marked subtree, `boxes.Mark`). `finish` gives the messages and where
each module and mark landed in them (`Position`, `Placed`).

Speakers follow POML's rules (`docs/language.md`, "Speakers"): text belongs to the innermost
explicit speaker around it, and when two explicit speakers span exactly the same text the outer
one wins; other text is `system` until the first explicit `human` turn has begun and `human`
after it, which the builder knows as the events come (a turn begins at its first text or part,
before anything after it is written). Adjacent content of one speaker is one message; a block
separator between two pieces of one message is kept in it, one at a message's edge belongs to
no message; every other character is kept byte for byte. Messages with no part and no visible
text are left out, and a prompt that is a single implicit `system` message becomes a `human` one.

Which speaker wins a piece can depend on where a speaker's text ends, so the pieces are settled
in `finish`, one short walk up the open speakers per piece; everything else is decided as the
events come.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

from pml.components.boxes import Mark, Media, ModuleMark, ToolPart
from pml.components.parts import MediaPart, Message, Part, ToolCallPart, ToolResultPart
from pml.render import charsafe

_VISIBLE = re.compile(r"\S")


class Position(NamedTuple):
    """A place in the messages: message index, part index, character offset in that part."""

    message: int
    part: int
    offset: int


@dataclass(frozen=True, slots=True)
class Placed:
    """A module placed in a render (or a marked subtree, `boxes.Mark`): where its text starts and ends."""

    mark: ModuleMark | Mark
    start: Position
    end: Position

    @property
    def name(self) -> str:
        return self.mark.name

    @property
    def cached(self) -> bool:
        return self.mark.cached

    @property
    def after_volatile(self) -> bool:
        """Volatile data comes before this module, so the prefix up to its end changes on every request."""
        return isinstance(self.mark, ModuleMark) and self.mark.after_volatile

    @property
    def key(self) -> str | None:
        """The content hash of a module's rendering (None for a marked subtree)."""
        return self.mark.key if isinstance(self.mark, ModuleMark) else None

    @property
    def level(self) -> int:
        """The heading level a module's text was written at (its bytes depend on it); 1 for a mark."""
        return self.mark.level if isinstance(self.mark, ModuleMark) else 1


@dataclass(frozen=True, slots=True)
class Built:
    """What the builder made: the messages, and where each module and each mark starts and ends in them."""

    messages: tuple[Message, ...]
    modules: tuple[Placed, ...]
    marks: tuple[Placed, ...]


class _Turn:
    """An explicit speaker's text: its speaker, where it starts and ends, the turn around it."""

    __slots__ = ("end", "outer", "speaker", "start")

    def __init__(self, speaker: str, start: int, outer: _Turn | None) -> None:
        self.speaker = speaker
        self.start = start
        self.end = -1  # still open
        self.outer = outer


# A piece of the output: [start, end, turn, default, part]. Text (or a part, at one offset) with the
# innermost explicit speaker around it (a `_Turn`; for a part, its explicit speaker or None) and the
# default speaker where it stands. A list, not a class: the builder makes one for each piece.
_Piece = list[Any]


class Sink(Protocol):
    """What a writer feeds the events of its output to: a `MessageBuilder`, or an `EventLog` that keeps
    them for later. `module_start` and `mark_start` return a handle that the matching end takes."""

    def text(self, text: str) -> None: ...

    def separator(self, text: str) -> None: ...

    def speaker_start(self, speaker: str) -> None: ...

    def speaker_end(self) -> None: ...

    def part(self, box: Media | ToolPart, speaker: str | None) -> None: ...

    def module_start(self, mark: ModuleMark) -> Any: ...

    def module_end(self, handle: Any) -> None: ...

    def mark_start(self, mark: Mark) -> Any: ...

    def mark_end(self, handle: Any) -> None: ...


class MessageBuilder:
    """Messages built from a writer's events (module docstring)."""

    __slots__ = ("_chunks", "_human", "_length", "_marks", "_modules", "_pieces", "_text", "_turn")

    def __init__(self) -> None:
        self._chunks: list[str] = []
        self._length = 0
        self._turn: _Turn | None = None  # the innermost explicit speaker open
        self._human = False  # an explicit human turn has begun
        self._pieces: list[_Piece] = []
        # The text piece that text goes on with until a separator or a speaker's edge cuts it (a part
        # does not: it comes after the piece it stands in).
        self._text: _Piece | None = None
        # Placed modules (in the order they end) and marks (in the order they start): [mark, start, end].
        self._modules: list[list[Any]] = []
        self._marks: list[list[Any]] = []

    # ------------------------------------------------------------------ events
    def text(self, text: str) -> None:
        """Content text."""
        if not text:
            return
        start = self._length
        self._chunks.append(text)
        self._length += len(text)
        if self._text is not None:
            self._text[1] = self._length
        else:
            self._text = [start, self._length, self._turn, "human" if self._human else "system", None]
            self._pieces.append(self._text)

    def separator(self, text: str) -> None:
        """A block separator: kept between two pieces of one message, dropped at a message's edge."""
        if not text:
            return
        self._chunks.append(text)
        self._length += len(text)
        self._text = None

    def speaker_start(self, speaker: str) -> None:
        """An explicit speaker's text begins (at its first text or part)."""
        if speaker == "human":
            self._human = True
        self._turn = _Turn(speaker, self._length, self._turn)
        self._text = None

    def speaker_end(self) -> None:
        """The innermost explicit speaker's text ends."""
        turn = self._turn
        assert turn is not None, "speaker_end without speaker_start"
        turn.end = self._length
        self._turn = turn.outer
        self._text = None

    def part(self, box: Media | ToolPart, speaker: str | None) -> None:
        """A media or tool part where the output stands; `speaker` is its explicit speaker, if any."""
        if speaker == "human":
            self._human = True
        at = self._length
        self._pieces.append([at, at, speaker or None, "human" if self._human else "system", box])

    def module_start(self, mark: ModuleMark) -> list[Any]:
        """A placed module's text begins; `module_end` takes what this returns."""
        return [mark, self._length, -1]

    def module_end(self, entry: list[Any]) -> None:
        entry[2] = self._length
        self._modules.append(entry)

    def mark_start(self, mark: Mark) -> list[Any]:
        """A marked subtree's text begins; `mark_end` takes what this returns."""
        entry = [mark, self._length, -1]
        self._marks.append(entry)
        return entry

    def mark_end(self, entry: list[Any]) -> None:
        entry[2] = self._length

    # ------------------------------------------------------------------ result
    @property
    def length(self) -> int:
        """How many characters were written so far."""
        return self._length

    def finish(self, chat: bool = True) -> Built:
        """The messages (one `human` message of everything with `chat` off) and the places."""
        text = charsafe.replace_surrogates("".join(self._chunks))  # one for one: offsets stay
        if chat:
            found = self._messages(text)
        else:
            media = [(p[0], p[4]) for p in self._pieces if p[4] is not None]
            parts, spans = _parts(text, 0, len(text), media)
            found = [("human", parts, spans)]
        spans_of = [spans for _, _, spans in found]
        modules = locate([(a, b, m) for m, a, b in self._modules], spans_of) if self._modules else []
        marks = [(a, b, m) for m, a, b in self._marks if b > a]  # unended or empty ones have no place
        placed_marks = locate(marks, spans_of) if marks else []
        return Built(tuple(Message(s, parts) for s, parts, _ in found), tuple(modules), tuple(placed_marks))

    def _messages(self, text: str) -> list[tuple[str, tuple[Part, ...], list[tuple[int, int] | None]]]:
        messages: list[list[Any]] = []  # [speaker, start, end, explicit, [(offset, part)]]
        for start, end, turn, default, part in self._pieces:
            explicit = turn if turn is None or type(turn) is str else _speaker(turn)
            speaker = explicit or default
            if messages and messages[-1][0] == speaker:
                last = messages[-1]
                if end > last[2]:
                    last[2] = end
                last[3] = last[3] or explicit is not None
            else:
                last = [speaker, start, end, explicit is not None, []]
                messages.append(last)
            if part is not None:
                last[4].append((start, part))
        out = [(s, *_parts(text, a, b, m), e) for s, a, b, e, m in messages if m or _VISIBLE.search(text, a, b)]
        if len(out) == 1 and out[0][0] == "system" and not out[0][3]:
            out = [("human", out[0][1], out[0][2], False)]
        return [(s, parts, spans) for s, parts, spans, _ in out]


# The kinds of event an `EventLog` keeps.
_TEXT, _SEPARATOR, _SPEAKER_START, _SPEAKER_END, _PART, _MODULE_START, _MODULE_END = range(7)


class EventLog:
    """Events kept to be fed to a builder later, where a written piece lands (a cached module is
    written once and spliced in at each place it is used). Text is kept as its length and cut from
    the piece's text on replay. Marks inside a piece are not kept: a render that marks renders
    cached modules afresh."""

    __slots__ = ("events", "plain", "spoken")

    def __init__(self) -> None:
        self.events: list[tuple[int, Any]] = []
        self.plain = True  # text and separators only
        self.spoken = False  # a speaker's edge or a part inside: separators may end a message there

    def text(self, text: str) -> None:
        if text:
            self.events.append((_TEXT, len(text)))

    def separator(self, text: str) -> None:
        if text:
            self.events.append((_SEPARATOR, len(text)))

    def speaker_start(self, speaker: str) -> None:
        self.plain = False
        self.spoken = True
        self.events.append((_SPEAKER_START, speaker))

    def speaker_end(self) -> None:
        self.events.append((_SPEAKER_END, None))

    def part(self, box: Media | ToolPart, speaker: str | None) -> None:
        self.plain = False
        self.spoken = True
        self.events.append((_PART, (box, speaker)))

    def module_start(self, mark: ModuleMark) -> int:
        self.plain = False
        self.events.append((_MODULE_START, mark))
        return len(self.events) - 1

    def module_end(self, handle: Any) -> None:
        self.events.append((_MODULE_END, handle))

    def mark_start(self, mark: Mark) -> None:
        return None

    def mark_end(self, handle: Any) -> None:
        return None

    def replay(self, sink: Sink, text: str, speaker: str | None) -> None:
        """Feed `sink` the events kept, cutting their text from `text`; a part with no explicit
        speaker of its own takes `speaker` (the one in force where the piece lands)."""
        if self.plain:  # text of one speaker throughout
            sink.text(text)
            return
        position = 0
        handles: dict[int, Any] = {}
        for index, (kind, value) in enumerate(self.events):
            if kind == _TEXT or kind == _SEPARATOR:
                chunk = text[position:position + value]
                position += value
                if kind == _TEXT or not self.spoken:  # (where no message can end, a separator is text)
                    sink.text(chunk)
                else:
                    sink.separator(chunk)
            elif kind == _SPEAKER_START:
                sink.speaker_start(value)
            elif kind == _SPEAKER_END:
                sink.speaker_end()
            elif kind == _PART:
                sink.part(value[0], value[1] or speaker)
            elif kind == _MODULE_START:
                handles[index] = sink.module_start(value)
            else:
                sink.module_end(handles.pop(value))


def _speaker(turn: _Turn | None) -> str | None:
    """The explicit speaker of a piece: the innermost turn with a speaker, or the outermost of those
    that span exactly the same text."""
    while turn is not None and not turn.speaker:
        turn = turn.outer
    if turn is None:
        return None
    outer = turn.outer
    while outer is not None:
        if outer.speaker:
            if outer.start != turn.start or outer.end != turn.end:
                break
            turn = outer
        outer = outer.outer
    return turn.speaker


def _part(box: Media | ToolPart) -> Part:
    """The message part a media or tool box stands for."""
    if isinstance(box, Media):
        return MediaPart(box.mime, box.base64, charsafe.clean(box.alt, box.span), box.span)
    name = charsafe.clean(box.name, box.span)
    ident = charsafe.clean(box.id, box.span)
    if box.kind == "request":
        return ToolCallPart(ident, name, charsafe.clean(box.value, box.span), box.span)
    content = box.value
    if isinstance(content, str):
        content = charsafe.fix_surrogates(content, box.span)
    else:
        content = tuple(charsafe.fix_surrogates(p, box.span) if isinstance(p, str) else _part(p) for p in content)
    return ToolResultPart(ident, name, content, box.span)


def _parts(text: str, start: int, end: int, media: Sequence[tuple[int, Media | ToolPart]]
           ) -> tuple[tuple[Part, ...], list[tuple[int, int] | None]]:
    """The parts of text[start:end] with media and tool parts placed where they stand (media may
    ask for the top or the bottom of their message instead), and for each part the span of `text`
    a text part was cut from (None for the others)."""
    if not media:
        return (text[start:end],), [(start, end)]
    top: list[tuple[Part, Any]] = []
    bottom: list[tuple[Part, Any]] = []
    parts: list[tuple[Part, Any]] = []
    position = start
    for offset, box in media:
        part = _part(box)
        position_asked = box.position if isinstance(box, Media) else "here"
        if position_asked == "top":
            top.append((part, None))
            continue
        if position_asked == "bottom":
            bottom.append((part, None))
            continue
        if offset > position:
            parts.append((text[position:offset], position))
            position = offset
        parts.append((part, None))
    if end > position:
        parts.append((text[position:end], position))
    # Around a media part, the block separators at the edges of the text parts belong to no part.
    kept: list[Part] = []
    spans: list[tuple[int, int] | None] = []
    for part, at in (*top, *parts, *bottom):
        if isinstance(part, str):
            stripped = part.strip("\n")
            if not stripped.strip():
                continue
            lead = len(part) - len(part.lstrip("\n"))
            kept.append(stripped)
            spans.append((at + lead, at + lead + len(stripped)))
        else:
            kept.append(part)
            spans.append(None)
    return tuple(kept), spans


def locate(ranges: Sequence[tuple[int, int, ModuleMark | Mark]],
           spans: Sequence[Sequence[tuple[int, int] | None]]) -> list[Placed]:
    """Where each range of the output (a module's or a marked subtree's) starts and ends, as (message,
    part, offset) positions, given the span of the output each part was cut from."""
    def position(at: int, end: bool) -> Position | None:
        for message, parts in enumerate(spans):
            for index, span in enumerate(parts):
                if span is None:
                    continue
                first, last = span
                if (first < at <= last) if end else (first <= at < last):
                    return Position(message, index, at - first)
        return None

    placed: list[Placed] = []
    for start, end, mark in sorted(ranges, key=lambda m: (m[0], -m[1])):
        begin, finish = position(start, False), position(end, True)
        if begin is not None and finish is not None:
            placed.append(Placed(mark, begin, finish))
    return placed
