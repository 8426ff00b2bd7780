"""`Prompt` (a compiled document, reusable) and `Rendered` (one render: messages and payloads).

Speakers are assigned from the tree, never by re-reading rendered text (POML's rules,
`docs/language.md`, "Speakers"): content belongs to the innermost explicit speaker around it;
other content is `system` until the first explicit `human`, `human` after it; adjacent content
of one speaker is one message; a prompt that is a single implicit `system` message becomes a
`human` message.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pml.compiler import CNode, CompileResult
from pml.errors import Diagnostic, PMLError, render_error
from pml.ir import Media, Speaker, ToolPart
from pml.parts import ROLES, MediaPart, Message, Part, ToolCallPart, ToolResultPart, ToolSpec
from pml.render import Ctx, Renderer, write
from pml.schemas import SchemaError, schema_from_value
from pml.targets import FORMATS, to_format

__all__ = ["FORMATS", "ROLES", "MediaPart", "Message", "Part", "Prompt", "Rendered", "ToolCallPart",
           "ToolResultPart", "ToolSpec", "assign_speakers", "dumps"]


@dataclass(frozen=True, slots=True)
class Rendered:
    """The result of one render: the messages, and what the call should carry besides them.

    `schema` is the response's JSON schema (`<output-schema>`), `tools` the function tools
    (`<tool-definition>`), `runtime` the call parameters (`<runtime>`, camelCase keys). The
    `to_…` methods and `to_format(name)` give provider payloads (`pml.targets`).
    """

    messages: tuple[Message, ...]
    chat: bool = True
    diagnostics: tuple[Diagnostic, ...] = field(default=(), compare=False)
    schema: dict[str, Any] | None = None
    tools: tuple[ToolSpec, ...] = ()
    runtime: dict[str, Any] | None = None

    def to_message_dict(self) -> list[dict[str, Any]]:
        """POML's `message_dict` shape: `[{"speaker", "content"}]`."""
        return to_format(self, "message_dict")

    def to_dict(self) -> dict[str, Any]:
        """POML's `dict` shape: `{"messages", "schema"?, "tools"?, "runtime"?}`."""
        return to_format(self, "dict")

    def to_openai(self) -> dict[str, Any]:
        """OpenAI Chat Completions keyword arguments (`pml.targets.openai_chat`)."""
        return to_format(self, "openai")

    def to_openai_responses(self) -> dict[str, Any]:
        """OpenAI Responses keyword arguments (`pml.targets.openai_responses`)."""
        return to_format(self, "openai-responses")

    def to_anthropic(self) -> dict[str, Any]:
        """Anthropic Messages keyword arguments (`pml.targets.anthropic_messages`)."""
        return to_format(self, "anthropic")

    def to_gemini(self) -> dict[str, Any]:
        """A Gemini `generateContent` request body (`pml.targets.gemini`)."""
        return to_format(self, "gemini")

    def to_langchain(self) -> dict[str, Any]:
        """POML's `langchain` shape (`pml.targets.langchain`)."""
        return to_format(self, "langchain")

    def to_pydantic(self) -> Any:
        """POML's `pydantic` shape: a `PomlFrame` (needs Pydantic)."""
        return to_format(self, "pydantic")

    def text(self) -> str:
        """POML's pretty text: `===== speaker =====` blocks (just the content with chat off)."""
        return to_format(self, "text")

    def to_format(self, name: str) -> Any:
        """The payload in the format `name` (one of `FORMATS`)."""
        return to_format(self, name)

    def with_output_schema(self, schema: Any) -> Rendered:
        """A copy whose response schema is `schema`: a dict, JSON text or a Pydantic model class."""
        return dataclasses.replace(self, schema=_schema(schema))

    def with_tools(self, tools: Iterable[Any]) -> Rendered:
        """A copy with more function tools: `ToolSpec`s, `{name, description?, parameters}` dicts or
        Pydantic model classes (the class name is the tool name, its docstring the description)."""
        return dataclasses.replace(self, tools=(*self.tools, *(_tool(t) for t in tools)))

    def __str__(self) -> str:
        return self.text()


def _schema(value: Any) -> dict[str, Any]:
    try:
        return schema_from_value(value)
    except SchemaError as exc:
        raise ValueError(str(exc)) from None


def _tool(value: Any) -> ToolSpec:
    if isinstance(value, ToolSpec):
        return value
    if isinstance(value, Mapping):
        if "function" in value and isinstance(value["function"], Mapping):  # OpenAI's shape
            value = value["function"]
        if not value.get("name"):
            raise ValueError("a tool needs a name")
        parameters = value["parameters"] if "parameters" in value else {"type": "object", "properties": {}}
        return ToolSpec(str(value["name"]), value.get("description"), _schema(parameters))
    if isinstance(value, type) and hasattr(value, "model_json_schema"):
        doc = (value.__doc__ or "").strip() or None
        return ToolSpec(value.__name__, doc, _schema(value))
    raise ValueError(f"a tool must be a ToolSpec, a dict or a Pydantic model class, not {type(value).__name__}")


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

    def render(self, context: Mapping[str, Any] | None = None, *, chat: bool = True, output_schema: Any = None,
               **variables: Any) -> Rendered:
        """Render with a context (a mapping) and/or keyword variables.

        `output_schema` (a dict, JSON text or a Pydantic model class) sets the response schema,
        replacing the document's `<output-schema>`.
        """
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
        call = renderer.call
        schema = _schema(output_schema) if output_schema is not None else call.schema
        return Rendered(tuple(messages), chat, tuple(self._compiled.diagnostics), schema, tuple(call.tools),
                        dict(call.runtime) or None)

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
                    media: Sequence[tuple[int, str | None, Media | ToolPart]] = ()) -> list[Message]:
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
    pieces: list[tuple[tuple[int, int], str, bool, int, int, Media | ToolPart | None]] = []
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


def _part(box: Media | ToolPart) -> Part:
    """The message part a media or tool box stands for."""
    if isinstance(box, Media):
        return MediaPart(box.mime, box.base64, box.alt)
    if box.kind == "request":
        return ToolCallPart(box.id, box.name, box.value)
    content = box.value
    if not isinstance(content, str):
        content = tuple(p if isinstance(p, str) else _part(p) for p in content)
    return ToolResultPart(box.id, box.name, content)


def _with_media(text: str, start: int, end: int,
                media: Sequence[tuple[int, Media | ToolPart]]) -> tuple[Part, ...]:
    """The parts of text[start:end] with media and tool parts placed where they stand (media may
    ask for the top or the bottom of their message instead)."""
    if not media:
        return (text[start:end],)
    top: list[Part] = []
    bottom: list[Part] = []
    parts: list[Part] = []
    position = start
    for offset, box in media:
        part = _part(box)
        position_asked = box.position if isinstance(box, Media) else "here"
        if position_asked == "top":
            top.append(part)
            continue
        if position_asked == "bottom":
            bottom.append(part)
            continue
        if offset > position:
            parts.append(text[position:offset])
            position = offset
        parts.append(part)
    if end > position:
        parts.append(text[position:end])
    # Around a media part, the block separators at the edges of the text parts belong to no part.
    ordered = [p.strip("\n") if isinstance(p, str) else p for p in (*top, *parts, *bottom)]
    return tuple(p for p in ordered if not isinstance(p, str) or p.strip())
