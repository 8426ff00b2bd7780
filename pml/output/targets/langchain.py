"""LangChain: POML's `langchain` shape, whose messages `langchain_core.messages.messages_from_dict` reads.

    {"messages": [{"type": "human"|"ai"|"system"|"tool", "data": {"content", …}}],
     "schema"?: …, "tools"?: [POML's tool dicts], "runtime"?: {camelCase parameters}}

Content is a string, or a list of `{"type": "text", "text"}` and standard data blocks
(`{"type": "image"|"audio", "source_type": "base64", "data", "mime_type"}`). An ai message's
tool calls are `tool_calls: [{"id", "name", "args"}]`; each tool result is a `tool` message
with `tool_call_id` and `name`. Unlike POML, `content` is always present (LangChain needs it).
"""

from __future__ import annotations

from typing import Any

from pml.components.parts import MediaPart, Message, ToolCallPart, ToolResultPart
from pml.output.targets.poml import to_dict
from pml.output.view import RenderView


def payload(rendered: RenderView) -> dict[str, Any]:
    """The LangChain shape (module docstring)."""
    messages: list[dict[str, Any]] = []
    for message in rendered.messages:
        messages.extend(_messages(message))
    return {"messages": messages, **{k: v for k, v in to_dict(rendered).items() if k != "messages"}}


def _messages(message: Message) -> list[dict[str, Any]]:
    if message.is_text:
        return [{"type": message.speaker, "data": {"content": message.text}}]
    content: list[dict[str, Any]] = []
    calls: list[dict[str, Any]] = []
    results: list[dict[str, Any]] = []
    for part in message.parts:
        if isinstance(part, str):
            content.append({"type": "text", "text": part})
        elif isinstance(part, MediaPart):
            content.append({"type": part.kind, "source_type": "base64", "data": part.base64,
                            "mime_type": part.mime})
        elif isinstance(part, ToolCallPart):
            calls.append({"id": part.id, "name": part.name, "args": part.arguments})
        elif isinstance(part, ToolResultPart):
            results.append({"type": "tool", "data": {"content": part.text, "tool_call_id": part.id,
                                                     "name": part.name}})
    if not content and not calls:
        return results
    data: dict[str, Any] = {"content": ""}
    if content:
        data["content"] = content[0]["text"] if len(content) == 1 and content[0]["type"] == "text" else content
    if calls:
        data["tool_calls"] = calls
    return [*results, {"type": message.speaker, "data": data}]
