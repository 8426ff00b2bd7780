"""Provider payloads: the registry of output formats, one module per provider.

`FORMATS` maps a format name to a function `Rendered → payload`:

| name | module | payload |
|---|---|---|
| `message_dict`, `dict`, `raw`, `text` | `poml` | POML's own shapes |
| `openai` (also POML's `openai_chat`) | `openai_chat` | Chat Completions keyword arguments |
| `openai-responses` | `openai_responses` | Responses keyword arguments |
| `anthropic` | `anthropic_messages` | Messages keyword arguments |
| `gemini` | `gemini` | a `generateContent` body |
| `langchain` | `langchain` | POML's LangChain shape |
| `pydantic` | `frame` | POML's `PomlFrame` (needs Pydantic) |

A render that a provider cannot take (an image in an assistant message, a conversation that
Anthropic would refuse, …) raises `FormatError` (a `PMLError`) saying what to change, located at
the element that made the part or, when no single element is to blame, at the prompt's root.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from pml.output.targets import anthropic_messages, gemini, langchain, openai_chat, openai_responses, poml
from pml.output.targets.common import FormatError

if TYPE_CHECKING:
    from pml.output.prompt import Rendered


def _pydantic(rendered: Rendered) -> Any:
    from pml.output.targets import frame  # Pydantic is imported only when this format is asked for

    return frame.payload(rendered)


FORMATS: dict[str, Callable[[Rendered], Any]] = {
    "openai": openai_chat.payload,
    "openai_chat": openai_chat.payload,
    "openai-responses": openai_responses.payload,
    "anthropic": anthropic_messages.payload,
    "gemini": gemini.payload,
    "langchain": langchain.payload,
    "pydantic": _pydantic,
    "message_dict": poml.message_dict,
    "dict": poml.to_dict,
    "raw": poml.raw,
    "text": poml.text,
}


def to_format(rendered: Rendered, name: str) -> Any:
    """The payload of `rendered` in the format `name`."""
    try:
        build = FORMATS[name]
    except KeyError:
        raise ValueError(f"unknown format {name!r}; choose one of {', '.join(FORMATS)}") from None
    with located(rendered):
        return build(rendered)


@contextmanager
def located(rendered: Rendered) -> Iterator[None]:
    """Format errors raised in the block point at the prompt's root when they point nowhere."""
    try:
        yield
    except FormatError as exc:
        located_error = exc.at(getattr(rendered, "span", None))
        if located_error is exc:
            raise
        raise located_error from None


__all__ = ["FORMATS", "FormatError", "located", "to_format"]
