"""Anthropic Messages: the keyword arguments of `client.messages.create(**payload)`.

    {"system"?: "…", "messages": [{"role": "user"|"assistant", "content": text or blocks}],
     "tools"?: [{"name", "description"?, "input_schema"}],
     "output_config"?: {"format": {"type": "json_schema", "schema"}},
     …runtime parameters ("max_tokens", "stop_sequences", …), "extra_body"?: {…the others}}

System messages are lifted out and joined by a blank line. Blocks are `text`, `image` (base64
source), `tool_use` (an assistant's tool call) and `tool_result` (a tool's answer, sent in a
user turn). Turns of the same role are merged, tool results first in their turn; the first turn
must be the user's. `max_tokens` is required by the API: give it with `<runtime max-tokens>` or
when calling. Sampling parameters (`temperature`, `top_p`, `top_k`) travel in `extra_body`,
which every SDK version merges into the request body.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

from pml.components.parts import MediaPart, Message, ToolCallPart, ToolResultPart
from pml.output.cacheplan import cuts, plan
from pml.output.targets.common import FormatError, check_tool_message, only_user_media, split_runtime, system_text
from pml.output.view import RenderView

TARGET = "Anthropic's Messages API"

RENAMES = {
    "maxTokens": "max_tokens",
    "maxOutputTokens": "max_tokens",
    "maxCompletionTokens": "max_tokens",
    "stop": "stop_sequences",
    "stopSequences": "stop_sequences",
}
PARAMS = frozenset({"model", "max_tokens", "stop_sequences", "stream", "metadata", "service_tier", "thinking",
                    "tool_choice"})


def payload(rendered: RenderView, model: str | None = None) -> dict[str, Any]:
    """The Messages request (module docstring). With cached modules, `cache_control` breakpoints
    go where the cache plan for `model` puts them (`pml.output.cacheplan`)."""
    marks: dict[int, list[tuple[int, int]]] = {}
    if any(p.cached for p in rendered.modules):
        marks = cuts(plan(rendered, "anthropic", model, totals=False))
    system: list[str] = []
    system_marks: list[int] = []
    turns: list[dict[str, Any]] = []
    for index, message in enumerate(rendered.messages):
        if message.speaker == "system":
            start = sum(len(t) + 2 for t in system)
            system.append(system_text(message, index, TARGET, "system prompt"))
            system_marks.extend(start + _text_offset(message, part, offset) for part, offset in marks.get(index, ()))
            continue
        role = "assistant" if message.speaker == "ai" else "user"
        content = _content(message, index, marks.get(index, ()))
        if turns and turns[-1]["role"] == role:
            turns[-1]["content"] = _join(turns[-1]["content"], content)
        else:
            turns.append({"role": role, "content": content})
    if not turns:
        raise FormatError(f"{TARGET} needs at least one user message, and this prompt has only system "
                          "messages: put the request in a <human-msg>")
    if turns[0]["role"] != "user":
        raise FormatError(f"{TARGET} needs the conversation to start with a user message: add a <human-msg> "
                          "before the first <ai-msg>")
    data: dict[str, Any] = {}
    if system:
        joined = "\n\n".join(system)
        data["system"] = _split(joined, system_marks) if system_marks else joined
    data["messages"] = turns
    if rendered.tools:
        data["tools"] = [_tool(t.to_dict()) for t in rendered.tools]
    if rendered.schema is not None:
        data["output_config"] = {"format": {"type": "json_schema", "schema": rendered.schema}}
    named, extra = split_runtime(rendered.runtime, renames=RENAMES, known=PARAMS)
    if isinstance(named.get("stop_sequences"), str):
        named["stop_sequences"] = [named["stop_sequences"]]
    data.update(named)
    if extra:
        data["extra_body"] = extra
    return data


def _tool(tool: dict[str, Any]) -> dict[str, Any]:
    out = {"name": tool["name"]}
    if "description" in tool:
        out["description"] = tool["description"]
    out["input_schema"] = tool["parameters"]
    return out


def _content(message: Message, index: int, marks: Sequence[tuple[int, int]] = ()) -> str | list[dict[str, Any]]:
    if message.speaker == "tool":
        check_tool_message(message, index)
    else:
        only_user_media(message, index, TARGET)
    if message.is_text and not marks:
        return message.text
    blocks: list[dict[str, Any]] = []
    for part_index, part in enumerate(message.parts):
        if isinstance(part, str):
            offsets = [offset for at, offset in marks if at == part_index]
            if offsets:
                blocks.extend(_split(part, offsets))
            elif part.strip():
                blocks.append({"type": "text", "text": part.strip("\n") if len(message.parts) > 1 else part})
        elif isinstance(part, MediaPart):
            blocks.append(_image(part))
        elif isinstance(part, ToolCallPart):
            if not isinstance(part.arguments, dict):
                raise FormatError(f"{TARGET} needs tool-call arguments to be an object (`{part.name}`)", part.span)
            blocks.append({"type": "tool_use", "id": part.id, "name": part.name, "input": part.arguments})
        elif isinstance(part, ToolResultPart):
            blocks.append({"type": "tool_result", "tool_use_id": part.id, "content": _result(part)})
    return blocks


def _text_offset(message: Message, part: int, offset: int) -> int:
    """An offset in one text part as an offset in the message's text."""
    return sum(len(p) for p in message.parts[:part] if isinstance(p, str)) + offset


def _split(text: str, offsets: Sequence[int]) -> list[dict[str, Any]]:
    """Text blocks cut at `offsets`; the block ending at each offset carries `cache_control`.

    Bytes are kept: a cut only decides where one block ends and the next begins (whitespace
    between two cuts joins the block after it, since the API takes no blank text blocks)."""
    marks = {o for o in offsets if 0 < o <= len(text)}
    bounds = sorted({0, len(text), *marks})
    blocks: list[dict[str, Any]] = []
    carry = ""
    for start, end in itertools.pairwise(bounds):
        piece = carry + text[start:end]
        if not piece.strip():
            if blocks and end == len(text):
                blocks[-1]["text"] += piece
            else:
                carry = piece
            continue
        carry = ""
        blocks.append({"type": "text", "text": piece})
        if end in marks:
            blocks[-1]["cache_control"] = {"type": "ephemeral"}
    return blocks


def _image(part: MediaPart) -> dict[str, Any]:
    if part.kind != "image":
        raise FormatError(f"{TARGET} takes no audio ({part.mime})", part.span)
    return {"type": "image", "source": {"type": "base64", "media_type": part.mime, "data": part.base64}}


def _result(part: ToolResultPart) -> str | list[dict[str, Any]]:
    if isinstance(part.content, str):
        return part.content
    return [_image(p) if isinstance(p, MediaPart) else {"type": "text", "text": p.strip("\n")}
            for p in part.content if isinstance(p, MediaPart) or p.strip()]


def _join(left: Any, right: Any) -> Any:
    """Merge two turns of one role; tool results go first, as the API requires."""
    if isinstance(left, str) and isinstance(right, str):
        return left + "\n\n" + right
    if _textual(left) and _textual(right):  # text cut at a breakpoint: still joined by a blank line
        right = _blocks(right)
        right[0] = {**right[0], "text": "\n\n" + right[0]["text"]}
    blocks = _blocks(left) + _blocks(right)
    return [b for b in blocks if b["type"] == "tool_result"] + [b for b in blocks if b["type"] != "tool_result"]


def _textual(content: Any) -> bool:
    return isinstance(content, str) or all(b["type"] == "text" for b in content)


def _blocks(content: Any) -> list[dict[str, Any]]:
    return [{"type": "text", "text": content}] if isinstance(content, str) else list(content)
