"""OpenAI Chat Completions: the keyword arguments of `client.chat.completions.create(**payload)`.

    {"messages": [{"role": "system"|"user"|"assistant"|"tool", "content", …}],
     "tools"?: [{"type": "function", "function": {"name", "description"?, "parameters"}}],
     "response_format"?: {"type": "json_schema",
                          "json_schema": {"name": "schema", "schema", "strict"}},
     …runtime parameters under Chat Completions names, "extra_body"?: {…the others}}

Images are `image_url` parts and audio `input_audio` parts of user messages; an assistant's tool
calls are `tool_calls` with JSON-encoded arguments; each tool result is a `tool` message with
its `tool_call_id`. `strict` is true only when the schema qualifies for strict mode.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pml.components.parts import MediaPart, Message
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

TARGET = "OpenAI Chat Completions"

# POML's camelCase runtime names → Chat Completions names (others: snake_case).
RENAMES = {
    "maxOutputTokens": "max_completion_tokens",
    "maxCompletionTokens": "max_completion_tokens",
    "maxTokens": "max_tokens",
    "stopSequences": "stop",
}
# Keyword arguments of `chat.completions.create`; other parameters go under `extra_body`.
PARAMS = frozenset({
    "model", "temperature", "top_p", "n", "stop", "max_tokens", "max_completion_tokens", "presence_penalty",
    "frequency_penalty", "logit_bias", "logprobs", "top_logprobs", "seed", "user", "store", "metadata",
    "service_tier", "parallel_tool_calls", "tool_choice", "reasoning_effort", "stream", "stream_options",
    "modalities", "audio", "prediction", "verbosity", "web_search_options", "safety_identifier",
    "prompt_cache_key",
})


def payload(rendered: RenderView) -> dict[str, Any]:
    """The Chat Completions request (module docstring)."""
    data: dict[str, Any] = {"messages": messages(rendered.messages)}
    if rendered.tools:
        data["tools"] = [{"type": "function", "function": _function(t.to_dict())} for t in rendered.tools]
    if rendered.schema is not None:
        data["response_format"] = {"type": "json_schema", "json_schema": {
            "name": "schema", "schema": rendered.schema, "strict": qualifies_for_strict(rendered.schema)}}
    named, extra = split_runtime(rendered.runtime, renames=RENAMES, known=PARAMS)
    data.update(named)
    key = prompt_cache_key(rendered)
    if key is not None and "prompt_cache_key" not in data:
        data["prompt_cache_key"] = key
    if extra:
        data["extra_body"] = extra
    return data


def _function(tool: dict[str, Any]) -> dict[str, Any]:
    return {key: tool[key] for key in ("name", "description", "parameters") if key in tool}


def messages(items: Sequence[Message]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for index, message in enumerate(items):
        if message.speaker == "tool":
            check_tool_message(message, index)
            out.extend({"role": "tool", "content": r.text, "tool_call_id": r.id} for r in tool_results(message))
            continue
        only_user_media(message, index, TARGET)
        calls = tool_calls(message)
        if calls and message.speaker != "ai":
            raise FormatError(f"message {index + 1} ({message.speaker}) holds a tool call: only the ai calls tools",
                              calls[0].span)
        entry: dict[str, Any] = {"role": message.role}
        content = _content(message)
        if content is not None or not calls:
            entry["content"] = content if content is not None else ""
        if calls:
            entry["tool_calls"] = [{"id": c.id, "type": "function",
                                    "function": {"name": c.name, "arguments": arguments_json(c.arguments)}}
                                   for c in calls]
        out.append(entry)
    return out


def _content(message: Message) -> str | list[dict[str, Any]] | None:
    if not message.has_media:
        text = message.text
        if message.is_text:
            return text
        return text if text.strip() else None
    parts: list[dict[str, Any]] = []
    for part in message.parts:
        if isinstance(part, str):
            if part.strip():
                parts.append({"type": "text", "text": part.strip("\n")})
        elif isinstance(part, MediaPart):
            if part.kind == "audio":
                parts.append({"type": "input_audio", "input_audio": {"data": part.base64,
                                                                      "format": audio_format(part)}})
            else:
                parts.append({"type": "image_url", "image_url": {"url": part.data_url}})
    return parts
