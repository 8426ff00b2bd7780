"""What a render produces, independent of any provider: messages, their parts, and call settings.

A `Message` is a speaker and a sequence of parts. A part is text (`str`), an image or audio clip
(`MediaPart`), a tool call the assistant made (`ToolCallPart`) or the result of one
(`ToolResultPart`). `ToolSpec` is a function tool the model may call, and `CallSettings`
collects what `<output-schema>`, `<tool-definition>` and `<runtime>` declare during a render.

The provider payloads (`pml.output.targets`) are built from these types only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pml.syntax.source import Span

ROLES = {"system": "system", "human": "user", "ai": "assistant", "tool": "tool"}

TOOL_REQUEST_TYPE = "application/vnd.poml.toolrequest"
TOOL_RESPONSE_TYPE = "application/vnd.poml.toolresponse"


@dataclass(frozen=True, slots=True)
class MediaPart:
    """An image or audio part of a message."""

    mime: str
    base64: str
    alt: str | None = None
    # The element it came from (for errors about it); not part of its value.
    span: Span | None = field(default=None, compare=False, repr=False)

    @property
    def kind(self) -> str:
        """`image` or `audio`."""
        return self.mime.split("/", 1)[0]

    @property
    def data_url(self) -> str:
        return f"data:{self.mime};base64,{self.base64}"

    def to_dict(self) -> dict[str, Any]:
        """POML's shape: `{"type": mime, "base64": …, "alt"?: …}`."""
        data: dict[str, Any] = {"type": self.mime, "base64": self.base64}
        if self.alt:
            data["alt"] = self.alt
        return data


@dataclass(frozen=True, slots=True)
class ToolCallPart:
    """A call of a tool by the assistant: `arguments` is the JSON value it was called with."""

    id: str
    name: str
    arguments: Any
    span: Span | None = field(default=None, compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """POML's shape: `{"type": "application/vnd.poml.toolrequest", "content", "id", "name"}`."""
        return {"type": TOOL_REQUEST_TYPE, "content": self.arguments, "id": self.id, "name": self.name}


@dataclass(frozen=True, slots=True)
class ToolResultPart:
    """The result of a tool call: text, or text and media parts."""

    id: str
    name: str
    content: str | tuple[str | MediaPart, ...]
    span: Span | None = field(default=None, compare=False, repr=False)

    @property
    def text(self) -> str:
        """The content as text; media stand as `[mime: alt]` (POML's rendering for text-only APIs)."""
        if isinstance(self.content, str):
            return self.content
        out = []
        for part in self.content:
            if isinstance(part, str):
                out.append(part)
            else:
                out.append(f"[{part.mime}: {part.alt}]" if part.alt else f"[{part.mime}]")
        return "\n\n".join(out)

    def to_dict(self) -> dict[str, Any]:
        """POML's shape: `{"type": "application/vnd.poml.toolresponse", "content", "id", "name"}`."""
        content: Any = self.content
        if not isinstance(content, str):
            content = [p if isinstance(p, str) else p.to_dict() for p in content]
        return {"type": TOOL_RESPONSE_TYPE, "content": content, "id": self.id, "name": self.name}


Part = str | MediaPart | ToolCallPart | ToolResultPart


@dataclass(frozen=True, slots=True)
class Message:
    """One chat message: `speaker` is human, ai, system or tool; `parts` its text and other parts.

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
        """The text parts joined (other parts left out)."""
        return "".join(p for p in self.parts if isinstance(p, str))

    @property
    def has_media(self) -> bool:
        """True when the message holds an image or audio part."""
        return any(isinstance(p, MediaPart) for p in self.parts)

    @property
    def is_text(self) -> bool:
        """True when every part is text."""
        return all(isinstance(p, str) for p in self.parts)

    @property
    def content(self) -> str | list[Any]:
        if self.is_text:
            return self.text
        return [p if isinstance(p, str) else p.to_dict() for p in self.parts]

    def to_dict(self) -> dict[str, Any]:
        return {"speaker": self.speaker, "content": self.content}


@dataclass(frozen=True, slots=True)
class ToolSpec:
    """A function tool the model may call: its name, description and JSON schema of parameters."""

    name: str
    description: str | None
    parameters: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """POML's shape: `{"type": "function", "name", "description"?, "parameters"}`."""
        data: dict[str, Any] = {"type": "function", "name": self.name}
        if self.description:
            data["description"] = self.description
        data["parameters"] = self.parameters
        return data


@dataclass(slots=True)
class CallSettings:
    """What a render's `<output-schema>`, `<tool-definition>`s and `<runtime>`s declared."""

    schema: dict[str, Any] | None = None
    schema_span: Span | None = None
    tools: list[ToolSpec] = field(default_factory=list)
    runtime: dict[str, Any] = field(default_factory=dict)
