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

import importlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from pml.errors import PMLUsageError, suggest
from pml.output.targets.common import FormatError
from pml.output.view import RenderView


@dataclass(frozen=True, slots=True)
class Target:
    """An output format: `function` of the module `module` here, imported the first time it is
    called (so a program that writes one format loads only that one, and Pydantic only for
    `pydantic`)."""

    module: str
    function: str = "payload"

    def __call__(self, rendered: RenderView, **options: Any) -> Any:
        build = _LOADED.get(self)
        if build is None:
            build = _LOADED[self] = getattr(importlib.import_module(f"{__name__}.{self.module}"), self.function)
        return build(rendered, **options)


# The function of each target once its module is imported.
_LOADED: dict[Target, Callable[..., Any]] = {}


FORMATS: dict[str, Target] = {
    "openai": Target("openai_chat"),
    "openai_chat": Target("openai_chat"),
    "openai-responses": Target("openai_responses"),
    "anthropic": Target("anthropic_messages"),
    "gemini": Target("gemini"),
    "langchain": Target("langchain"),
    "pydantic": Target("frame"),
    "message_dict": Target("poml", "message_dict"),
    "dict": Target("poml", "to_dict"),
    "raw": Target("poml", "raw"),
    "text": Target("poml", "text"),
}


def check_format(name: str) -> None:
    """A `PMLUsageError` (a `ValueError`) unless `name` is one of `FORMATS`."""
    if not isinstance(name, str) or name not in FORMATS:
        raise PMLUsageError(f"unknown format {name!r}; choose one of {', '.join(FORMATS)}",
                            suggest(str(name), FORMATS, quote="'"))


def to_format(rendered: RenderView, name: str, **options: Any) -> Any:
    """The payload of `rendered` in the format `name` (`options` go to the format's function)."""
    check_format(name)
    with located(rendered):
        return FORMATS[name](rendered, **options)


@contextmanager
def located(rendered: RenderView) -> Iterator[None]:
    """Format errors raised in the block point at the prompt's root when they point nowhere."""
    try:
        yield
    except FormatError as exc:
        located_error = exc.at(rendered.span)
        if located_error is exc:
            raise
        raise located_error from None


__all__ = ["FORMATS", "FormatError", "Target", "check_format", "located", "to_format"]
