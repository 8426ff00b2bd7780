"""Helpers the provider formats share: errors, runtime parameter names, parts as text."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from pml.components.parts import MediaPart, Message, ToolCallPart, ToolResultPart
from pml.errors import Diagnostic, PMLError
from pml.output.cacheplan import plan
from pml.output.view import RenderView
from pml.syntax.source import Span


class FormatError(PMLError):
    """The render cannot be expressed in a provider's format (the message says why and what to do).

    It points at the element that made the part a format cannot take (an image, a tool call),
    or at the prompt's root element when no single element is to blame."""

    def __init__(self, message: str | Diagnostic | list[Diagnostic], span: Span | None = None,
                 hint: str | None = None) -> None:
        if isinstance(message, str):
            message = Diagnostic("error", message, span, hint, "format")
        super().__init__(message)

    def at(self, span: Span | None) -> FormatError:
        """The same error, pointing at `span` when it points nowhere yet."""
        if self.span is not None or span is None:
            return self
        first = self.first
        return FormatError(Diagnostic(first.severity, first.message, span, first.hint, first.code))


def snake(key: str) -> str:
    """`maxOutputTokens` → `max_output_tokens` (snake_case keys stay as they are)."""
    first = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", key)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", first).lower()


def camel(key: str) -> str:
    """`max_output_tokens` or `max-output-tokens` → `maxOutputTokens` (camelCase stays)."""
    head, *rest = re.split(r"[_-]", key)
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def as_bool(value: Any, name: str) -> bool:
    """A boolean runtime parameter: true/false (also written as text), never a string."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "false"):
        return text == "true"
    raise FormatError(f"the runtime parameter `{name}` should be true or false, not {value!r}")


def split_runtime(runtime: Mapping[str, Any] | None, *, renames: Mapping[str, str], known: frozenset[str],
                  style: str = "snake") -> tuple[dict[str, Any], dict[str, Any]]:
    """Runtime parameters under a provider's names: (the SDK's own keyword arguments, the rest).

    Keys are matched in camelCase against `renames` (POML's camelCase name → the provider's),
    others are converted to `style` (snake or camel). `stream` is always a boolean.
    """
    named: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for key, value in (runtime or {}).items():
        name = renames.get(camel(key)) or (snake(key) if style == "snake" else camel(key))
        if name == "stream":
            value = as_bool(value, key)
        (named if name in known else extra)[name] = value
    return named, extra


def arguments_json(arguments: Any) -> str:
    """Tool-call arguments as the JSON text OpenAI's APIs carry."""
    return arguments if isinstance(arguments, str) else json.dumps(arguments, ensure_ascii=False)


def tool_calls(message: Message) -> list[ToolCallPart]:
    return [p for p in message.parts if isinstance(p, ToolCallPart)]


def tool_results(message: Message) -> list[ToolResultPart]:
    return [p for p in message.parts if isinstance(p, ToolResultPart)]


def media(message: Message) -> list[MediaPart]:
    return [p for p in message.parts if isinstance(p, MediaPart)]


def check_tool_message(message: Message, index: int) -> None:
    """A tool message must hold tool results only (a `<tool-response>`)."""
    if not tool_results(message) or any(not isinstance(p, ToolResultPart) and (not isinstance(p, str) or p.strip())
                                        for p in message.parts):
        raise FormatError(f"message {index + 1} is spoken by `tool` but is not a tool result: "
                          "write tool results with <tool-response id=\"…\" name=\"…\">", _span_of(message))


def only_user_media(message: Message, index: int, target: str) -> None:
    """Images and audio are accepted in user messages only."""
    if message.speaker != "human" and media(message):
        raise FormatError(f"{target} accepts images and audio only in user messages, but message {index + 1} "
                          f"({message.speaker}) has one: move the image into a <human-msg>", media(message)[0].span)


def audio_format(part: MediaPart) -> str:
    """OpenAI's name for an audio clip's format (`mp3`, `wav`)."""
    return part.mime.split("/", 1)[1].replace("mpeg", "mp3").replace("x-wav", "wav")


def system_text(message: Message, index: int, target: str, place: str) -> str:
    """The text of a system message, for targets that lift it out of the turns (text only)."""
    if not message.is_text:
        raise FormatError(f"{target} takes text only in the {place}, but message {index + 1} "
                          "has another part: move it into a <human-msg>", _span_of(message))
    return message.text


def _span_of(message: Message) -> Span | None:
    """The element of the first part of a message that is not text (None: none is known)."""
    return next((p.span for p in message.parts if not isinstance(p, str) and p.span is not None), None)


def prompt_cache_key(rendered: RenderView) -> str | None:
    """OpenAI's `prompt_cache_key` for a render with cached modules: a hash of its stable prefix."""
    if not any(p.cached for p in rendered.modules):
        return None
    return plan(rendered, "openai", totals=False).cache_key
