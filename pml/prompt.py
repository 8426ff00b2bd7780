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
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pml.compiler import CNode, CompileResult
from pml.errors import Diagnostic, PMLError, render_error
from pml.ir import Speaker
from pml.render import Ctx, Renderer, write

ROLES = {"system": "system", "human": "user", "ai": "assistant", "tool": "tool"}


@dataclass(frozen=True, slots=True)
class Message:
    """One chat message: `speaker` is human, ai, system or tool; `content` is its text."""

    speaker: str
    content: str

    @property
    def role(self) -> str:
        """The role name chat APIs use (user, assistant, system, tool)."""
        return ROLES[self.speaker]

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
        """OpenAI Chat Completions: `{"messages": [{"role", "content"}]}`."""
        return {"messages": [{"role": m.role, "content": m.content} for m in self.messages]}

    def to_anthropic(self) -> dict[str, Any]:
        """Anthropic Messages: `{"system", "messages"}`; same-role turns merged, system lifted out."""
        system = [m.content for m in self.messages if m.speaker == "system"]
        turns: list[dict[str, Any]] = []
        for m in self.messages:
            if m.speaker == "system":
                continue
            role = "assistant" if m.speaker == "ai" else "user"
            if turns and turns[-1]["role"] == role:
                turns[-1]["content"] += "\n\n" + m.content
            else:
                turns.append({"role": role, "content": m.content})
        payload: dict[str, Any] = {}
        if system:
            payload["system"] = "\n\n".join(system)
        payload["messages"] = turns
        return payload

    def text(self) -> str:
        """POML's pretty text: `===== speaker =====` blocks (just the content with chat off)."""
        if not self.chat:
            return self.messages[0].content if self.messages else ""
        return "\n\n".join(f"===== {m.speaker} =====\n\n{m.content}" for m in self.messages)

    def to_format(self, name: str) -> Any:
        return FORMATS[name](self)

    def __str__(self) -> str:
        return self.text()


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
            messages = assign_speakers(written.text, written.ranges, written.separators)
        else:
            messages = [Message("human", written.text)]
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
                    separators: list[tuple[int, int]] = ()) -> list[Message]:  # type: ignore[assignment]
    """Split text into messages by the explicit speaker ranges (see the module docstring).

    Block separators at the edge of a message belong to no message and are dropped; everything
    else (including whitespace inside values) is kept byte for byte.
    """
    if not ranges:
        return [Message("human", text)] if text.strip() else []
    seps = {start: end for start, end in separators}
    sep_ends = {end: start for start, end in separators}
    cuts = sorted({0, len(text), *(r[0] for r in ranges), *(r[1] for r in ranges), *seps, *sep_ends})
    ordered = sorted(ranges, key=lambda r: (r[0], -r[1]))
    first_human = min((r[0] for r in ranges if r[2] == "human"), default=None)
    messages: list[list[Any]] = []  # [speaker, start, end, explicit]
    for start, end in itertools.pairwise(cuts):
        if start >= end or seps.get(start) == end:
            continue  # a separator: it joins messages of one speaker, and belongs to none
        speaker = None
        for r in ordered:
            if r[0] <= start and end <= r[1] and r[2]:
                speaker = r[2]
        explicit = speaker is not None
        if speaker is None:
            speaker = "human" if first_human is not None and first_human <= start else "system"
        if messages and messages[-1][0] == speaker:
            messages[-1][2] = end
            messages[-1][3] = messages[-1][3] or explicit
        else:
            messages.append([speaker, start, end, explicit])
    out = [(s, text[a:b], e) for s, a, b, e in messages if text[a:b].strip()]
    if len(out) == 1 and out[0][0] == "system" and not out[0][2]:
        return [Message("human", out[0][1])]
    return [Message(s, c) for s, c, _ in out]
