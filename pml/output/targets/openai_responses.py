"""OpenAI Responses: the keyword arguments of `client.responses.create(**payload)`.

    {"input": [items], "instructions"?: "…",
     "tools"?: [{"type": "function", "name", "description"?, "parameters", "strict"}],
     "text"?: {"format": {"type": "json_schema", "name": "schema", "schema", "strict"}},
     …runtime parameters under Responses names, "extra_body"?: {…the others}}

Items: `{"role": "user"|"assistant"|"system", "content": text or [input_text, input_image,
input_audio parts]}` messages, `{"type": "function_call", "call_id", "name", "arguments"}` for
each tool call (after the assistant's text) and `{"type": "function_call_output", "call_id",
"output"}` for each tool result. System messages before anything else become `instructions`.
`strict` is true only when the schema qualifies for strict mode (the Responses API makes
function tools strict unless told otherwise, so tools always say).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pml.components.parts import MediaPart, Message, ToolResultPart
from pml.components.schemas import qualifies_for_strict
from pml.output.targets.common import (
    FormatError,
    arguments_json,
    audio_format,
    check_tool_message,
    only_user_media,
    prompt_cache_key,
    split_runtime,
    tool_calls,
    tool_results,
)
from pml.output.view import RenderView

TARGET = "the OpenAI Responses API"

RENAMES = {
    "maxOutputTokens": "max_output_tokens",
    "maxCompletionTokens": "max_output_tokens",
    "maxTokens": "max_output_tokens",
}
PARAMS = frozenset({
    "model", "temperature", "top_p", "max_output_tokens", "parallel_tool_calls", "store", "metadata", "user",
    "service_tier", "truncation", "reasoning", "top_logprobs", "tool_choice", "stream", "include",
    "previous_response_id", "max_tool_calls", "background", "safety_identifier", "prompt_cache_key",
})


def payload(rendered: RenderView) -> dict[str, Any]:
    """The Responses request (module docstring)."""
    instructions: list[str] = []
    index = 0
    while index < len(rendered.messages) and rendered.messages[index].speaker == "system" \
            and rendered.messages[index].is_text:
        instructions.append(rendered.messages[index].text)
        index += 1
    data: dict[str, Any] = {"input": items(rendered.messages, index)}
    if instructions:
        data["instructions"] = "\n\n".join(instructions)
    if rendered.tools:
        data["tools"] = [_tool(t.to_dict()) for t in rendered.tools]
    if rendered.schema is not None:
        data["text"] = {"format": {"type": "json_schema", "name": "schema", "schema": rendered.schema,
                                   "strict": qualifies_for_strict(rendered.schema)}}
    runtime = dict(rendered.runtime or {})
    effort = runtime.pop("reasoningEffort", None)
    named, extra = split_runtime(runtime, renames=RENAMES, known=PARAMS)
    if effort is not None:
        named["reasoning"] = {**named.get("reasoning", {}), "effort": effort}
    data.update(named)
    key = prompt_cache_key(rendered)
    if key is not None and "prompt_cache_key" not in data:
        data["prompt_cache_key"] = key
    if extra:
        data["extra_body"] = extra
    return data


def _tool(tool: dict[str, Any]) -> dict[str, Any]:
    out = {"type": "function", "name": tool["name"]}
    if "description" in tool:
        out["description"] = tool["description"]
    out["parameters"] = tool["parameters"]
    out["strict"] = qualifies_for_strict(tool["parameters"])
    return out


def items(messages: Sequence[Message], start: int = 0) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for index in range(start, len(messages)):
        message = messages[index]
        if message.speaker == "tool":
            check_tool_message(message, index)
            out.extend({"type": "function_call_output", "call_id": r.id, "output": _output(r)}
                       for r in tool_results(message))
            continue
        only_user_media(message, index, TARGET)
        calls = tool_calls(message)
        if calls and message.speaker != "ai":
            raise FormatError(f"message {index + 1} ({message.speaker}) holds a tool call: only the ai calls tools",
                              calls[0].span)
        content = _content(message)
        if content is not None:
            out.append({"role": message.role, "content": content})
        out.extend({"type": "function_call", "call_id": c.id, "name": c.name,
                    "arguments": arguments_json(c.arguments)} for c in calls)
    return out


def _content(message: Message) -> str | list[dict[str, Any]] | None:
    if not message.has_media:
        text = message.text
        return text if message.is_text or text.strip() else None
    return [_input_part(p) for p in message.parts
            if isinstance(p, MediaPart) or (isinstance(p, str) and p.strip())]


def _input_part(part: str | MediaPart) -> dict[str, Any]:
    if isinstance(part, str):
        return {"type": "input_text", "text": part.strip("\n")}
    if part.kind == "audio":
        return {"type": "input_audio", "input_audio": {"data": part.base64, "format": audio_format(part)}}
    return {"type": "input_image", "image_url": part.data_url, "detail": "auto"}


def _output(result: ToolResultPart) -> str | list[dict[str, Any]]:
    if isinstance(result.content, str):
        return result.content
    parts = []
    for part in result.content:
        if isinstance(part, MediaPart) and part.kind == "audio":
            raise FormatError(f"{TARGET} takes no audio in tool results (`{result.name}`)", part.span or result.span)
        if isinstance(part, MediaPart) or part.strip():
            parts.append(_input_part(part))
    return parts
