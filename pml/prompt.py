"""`Prompt` (a compiled document, reusable) and `Rendered` (one render: messages and payloads).

Speakers are assigned from the tree, never by re-reading rendered text (POML's rules,
`docs/language.md`, "Speakers"): content belongs to the innermost explicit speaker around it;
other content is `system` until the first explicit `human`, `human` after it; adjacent content
of one speaker is one message; a prompt that is a single implicit `system` message becomes a
`human` message.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pml.compiler import CNode, CompileResult
from pml.errors import Diagnostic, PMLError, render_error
from pml.ir import Media, Speaker
from pml.render import Ctx, Renderer, write

ROLES = {"system": "system", "human": "user", "ai": "assistant", "tool": "tool"}


@dataclass(frozen=True, slots=True)
class MediaPart:
    """An image or audio part of a message."""

    mime: str
    base64: str
    alt: str | None = None

    @property
    def kind(self) -> str:
        return self.mime.split("/", 1)[0]

    def to_dict(self) -> dict[str, Any]:
        """POML's shape: `{"type": mime, "base64": …, "alt"?: …}`."""
        data: dict[str, Any] = {"type": self.mime, "base64": self.base64}
        if self.alt:
            data["alt"] = self.alt
        return data


Part = str | MediaPart


@dataclass(frozen=True, slots=True)
class Message:
    """One chat message: `speaker` is human, ai, system or tool; `parts` its text and media.

    `content` is the text when the message is only text, else the list of parts (POML's
    shape).
    """

    speaker: str
    parts: tuple[Part, ...]

    def __post_init__(self) -> None:
        if isinstance(self.parts, str):  # Message("human", "Hello") is a text message
            object.__setattr__(self, "parts", (self.parts,))

    @property
    def role(self) -> str:
        """The role name chat APIs use (user, assistant, system, tool)."""
        return ROLES[self.speaker]

    @property
    def text(self) -> str:
        """The text parts joined (media left out)."""
        return "".join(p for p in self.parts if isinstance(p, str))

    @property
    def has_media(self) -> bool:
        return any(isinstance(p, MediaPart) for p in self.parts)

    @property
    def content(self) -> str | list[Any]:
        if not self.has_media:
            return self.text
        return [p if isinstance(p, str) else p.to_dict() for p in self.parts]

    def to_dict(self) -> dict[str, Any]:
        return {"speaker": self.speaker, "content": self.content}


@dataclass(frozen=True, slots=True)
class Rendered:
    """The result of one render."""

    messages: tuple[Message, ...]
    chat: bool = True
    diagnostics: tuple[Diagnostic, ...] = field(default=(), compare=False)

    def to_message_dict(self) -> list[dict[str, Any]]:
        """POML's `message_dict` shape: `[{"speaker", "content"}]`."""
        return [m.to_dict() for m in self.messages]

    def to_dict(self) -> dict[str, Any]:
        """POML's `dict` shape: `{"messages": …}` (a string when rendered with chat off)."""
        if not self.chat:
            return {"messages": self.messages[0].content if self.messages else ""}
        return {"messages": self.to_message_dict()}

    def to_openai(self) -> dict[str, Any]:
        """OpenAI Chat Completions: `{"messages": [{"role", "content"}]}`; media as content parts."""
        return {"messages": [{"role": m.role, "content": _openai_content(m)} for m in self.messages]}

    def to_anthropic(self) -> dict[str, Any]:
        """Anthropic Messages: `{"system", "messages"}`; same-role turns merged, system lifted out."""
        system = [m.text for m in self.messages if m.speaker == "system"]
        turns: list[dict[str, Any]] = []
        for m in self.messages:
            if m.speaker == "system":
                continue
            role = "assistant" if m.speaker == "ai" else "user"
            content: str | list[dict[str, Any]] = _anthropic_content(m) if m.has_media else m.text
            if turns and turns[-1]["role"] == role:
                turns[-1]["content"] = _join_anthropic(turns[-1]["content"], content)
            else:
                turns.append({"role": role, "content": content})
        payload: dict[str, Any] = {}
        if system:
            payload["system"] = "\n\n".join(system)
        payload["messages"] = turns
        return payload

    def text(self) -> str:
        """POML's pretty text: `===== speaker =====` blocks (just the content with chat off)."""
        if not self.chat:
            return _pretty(self.messages[0]) if self.messages else ""
        return "\n\n".join(f"===== {m.speaker} =====\n\n{_pretty(m)}" for m in self.messages)

    def to_format(self, name: str) -> Any:
        return FORMATS[name](self)

    def __str__(self) -> str:
        return self.text()


def _pretty(message: Message) -> str:
    """POML's pretty text of a message: media parts as one JSON line cut at 100 characters."""
    out: list[str] = []
    for part in message.parts:
        if isinstance(part, str):
            out.append(part)
        else:
            line = json.dumps(part.to_dict(), separators=(",", ":"), ensure_ascii=False)
            out.append(line if len(line) <= 100 else line[:100] + "...")
    return "\n\n".join(p.strip("\n") for p in out if p.strip()) if message.has_media else "".join(out)


def _openai_content(message: Message) -> str | list[dict[str, Any]]:
    if not message.has_media:
        return message.text
    parts: list[dict[str, Any]] = []
    for part in message.parts:
        if isinstance(part, str):
            if part.strip():
                parts.append({"type": "text", "text": part.strip("\n")})
        elif part.kind == "audio":
            fmt = part.mime.split("/", 1)[1].replace("mpeg", "mp3").replace("x-wav", "wav")
            parts.append({"type": "input_audio", "input_audio": {"data": part.base64, "format": fmt}})
        else:
            parts.append({"type": "image_url", "image_url": {"url": f"data:{part.mime};base64,{part.base64}"}})
    return parts


def _anthropic_content(message: Message) -> list[dict[str, Any]]:
    parts: list[dict[str, Any]] = []
    for part in message.parts:
        if isinstance(part, str):
            if part.strip():
                parts.append({"type": "text", "text": part.strip("\n")})
        else:
            parts.append({"type": "image", "source": {"type": "base64", "media_type": part.mime,
                                                       "data": part.base64}})
    return parts


def _join_anthropic(left: Any, right: Any) -> Any:
    if isinstance(left, str) and isinstance(right, str):
        return left + "\n\n" + right
    as_list = lambda c: [{"type": "text", "text": c}] if isinstance(c, str) else list(c)  # noqa: E731
    return as_list(left) + as_list(right)


FORMATS = {
    "openai": Rendered.to_openai,
    "anthropic": Rendered.to_anthropic,
    "message_dict": Rendered.to_message_dict,
    "dict": Rendered.to_dict,
    "text": Rendered.text,
}


def dumps(payload: Any) -> str:
    """Canonical JSON for payloads: stable order, UTF-8, two-space indent."""
    return json.dumps(payload, ensure_ascii=False, indent=2)


class Prompt:
    """A compiled prompt. Render it as many times as you like with different contexts."""

    def __init__(self, compiled: CompileResult, name: str, base_dir: Path) -> None:
        self._compiled = compiled
        self.name = name
        self.base_dir = base_dir

    @property
    def diagnostics(self) -> list[Diagnostic]:
        """Warnings found while compiling (errors would have raised)."""
        return list(self._compiled.diagnostics)

    @property
    def files(self) -> tuple[Path, ...]:
        """The files this prompt was compiled from (the main file and its includes)."""
        return self._compiled.files

    @property
    def root(self) -> CNode:
        return self._compiled.root

    def render(self, context: Mapping[str, Any] | None = None, *, chat: bool = True, **variables: Any) -> Rendered:
        """Render with a context (a mapping) and/or keyword variables."""
        scope: dict[str, Any] = {}
        if context:
            scope.update(context)
        scope.update(variables)
        if self._compiled.context:
            scope = deep_merge(scope, self._compiled.context)
        renderer = Renderer(scope, self._compiled.folder)
        root = self._compiled.root
        try:
            attrs = renderer.attributes(root, scope)
            syntax = attrs.get("syntax") or "markdown"
            ctx = Ctx(syntax=syntax, chat=chat, base_dir=self.base_dir)
            assert root.component is not None and root.component.layout is not None
            boxes = root.component.layout(renderer, root, attrs, scope, ctx)
            if attrs.get("speaker"):
                boxes = [Speaker(attrs["speaker"], boxes)]
            written = write(boxes, syntax, attrs.get("writerOptions"))
        except PMLError:
            raise
        except RecursionError:
            raise render_error("the document is nested too deeply to render", root.span) from None
        if chat:
            messages = assign_speakers(written.text, written.ranges, written.separators, written.media)
        else:
            messages = [Message("human", _with_media(written.text, 0, len(written.text),
                                                    [(o, m) for o, _, m in written.media]))]
        return Rendered(tuple(messages), chat, tuple(self._compiled.diagnostics))

    def __repr__(self) -> str:
        return f"Prompt({self.name!r})"


def deep_merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = deep_merge(dict(out[key]), value)
        else:
            out[key] = value
    return out


def assign_speakers(text: str, ranges: list[tuple[int, int, str]],
                    separators: Sequence[tuple[int, int]] = (),
                    media: Sequence[tuple[int, str | None, Media]] = ()) -> list[Message]:
    """Split text (and media) into messages by the explicit speaker ranges (module docstring).

    Block separators at the edge of a message belong to no message and are dropped; everything
    else (including whitespace inside values) is kept byte for byte. A media part belongs to
    the speaker that was in force where it stands.
    """
    seps = {start: end for start, end in separators}
    sep_ends = {end: start for start, end in separators}
    cuts = sorted({0, len(text), *(r[0] for r in ranges), *(r[1] for r in ranges), *seps, *sep_ends})
    ordered = sorted(ranges, key=lambda r: (r[0], -r[1]))
    human_starts = [r[0] for r in ranges if r[2] == "human"]
    human_starts += [o for o, s, _ in media if s == "human"]
    first_human = min(human_starts, default=None)

    def default(at: int) -> str:
        return "human" if first_human is not None and first_human <= at else "system"

    # Pieces in order: (sort key, speaker, explicit, start, end, media or None).
    pieces: list[tuple[tuple[int, int], str, bool, int, int, Media | None]] = []
    for start, end in itertools.pairwise(cuts):
        if start >= end or seps.get(start) == end:
            continue  # a separator: it joins messages of one speaker, and belongs to none
        speaker = None
        for r in ordered:
            if r[0] <= start and end <= r[1] and r[2]:
                speaker = r[2]
        pieces.append(((start, 1), speaker or default(start), speaker is not None, start, end, None))
    for offset, speaker, box in media:
        pieces.append(((offset, 0), speaker or default(offset), speaker is not None, offset, offset, box))
    pieces.sort(key=lambda p: p[0])
    messages: list[list[Any]] = []  # [speaker, start, end, explicit, [(offset, media)]]
    for _, speaker, explicit, start, end, box in pieces:
        if messages and messages[-1][0] == speaker:
            last = messages[-1]
            last[2] = max(last[2], end)
            last[3] = last[3] or explicit
        else:
            last = [speaker, start, end, explicit, []]
            messages.append(last)
        if box is not None:
            last[4].append((start, box))
    out = [(s, _with_media(text, a, b, m), e) for s, a, b, e, m in messages if m or text[a:b].strip()]
    if not ranges and not media:
        out = [("system", o[1], False) for o in out]
    if len(out) == 1 and out[0][0] == "system" and not out[0][2]:
        return [Message("human", out[0][1])]
    return [Message(s, parts) for s, parts, _ in out]


def _with_media(text: str, start: int, end: int, media: Sequence[tuple[int, Media]]) -> tuple[Part, ...]:
    """The parts of text[start:end] with media placed where they stand (or at the top/bottom)."""
    if not media:
        return (text[start:end],)
    top: list[Part] = []
    bottom: list[Part] = []
    parts: list[Part] = []
    position = start
    for offset, box in media:
        part = MediaPart(box.mime, box.base64, box.alt)
        if box.position == "top":
            top.append(part)
            continue
        if box.position == "bottom":
            bottom.append(part)
            continue
        if offset > position:
            parts.append(text[position:offset])
            position = offset
        parts.append(part)
    if end > position:
        parts.append(text[position:end])
    return tuple(p for p in (*top, *parts, *bottom) if not isinstance(p, str) or p.strip())
