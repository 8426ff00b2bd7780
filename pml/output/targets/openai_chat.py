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
    arguments_json,
    check_tool_message,
    openai_audio,
    openai_content,
    split_runtime,
    tool_results,
    turn_calls,
    with_openai_runtime,
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
    return with_openai_runtime(data, rendered, named, extra)


def _function(tool: dict[str, Any]) -> dict[str, Any]:
    return {key: tool[key] for key in ("name", "description", "parameters") if key in tool}


def messages(items: Sequence[Message]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for index, message in enumerate(items):
        if message.speaker == "tool":
            check_tool_message(message, index)
            out.extend({"role": "tool", "content": r.text, "tool_call_id": r.id} for r in tool_results(message))
            continue
        calls = turn_calls(message, index, TARGET)
        entry: dict[str, Any] = {"role": message.role}
        content = openai_content(message, _part)
        if content is not None or not calls:
            entry["content"] = content if content is not None else ""
        if calls:
            entry["tool_calls"] = [{"id": c.id, "type": "function",
                                    "function": {"name": c.name, "arguments": arguments_json(c.arguments)}}
                                   for c in calls]
        out.append(entry)
    return out


def _part(part: str | MediaPart) -> dict[str, Any]:
    if isinstance(part, str):
        return {"type": "text", "text": part.strip("\n")}
    if part.kind == "audio":
        return openai_audio(part)
    return {"type": "image_url", "image_url": {"url": part.data_url}}
