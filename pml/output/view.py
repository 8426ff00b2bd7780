"""What the output stage reads of a render: the messages, what the call carries besides them, and
where each placed module starts and ends.

`RenderView` is the small, read-only face of a render that the cache plan (`pml.output.cacheplan`)
and the provider formats (`pml.output.targets`) take. `pml.output.prompt.Rendered` has every
field of it, so a render is passed as it is; neither reader needs to know how renders are made,
and nothing here imports the module that makes them.

`Position` and `Placed` (made by the render's message builder, `pml.render.messages`) say where
a placed module (or a marked subtree) lies in the messages.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from pml.components.parts import Message, ToolSpec
from pml.render.messages import Placed, Position
from pml.syntax.source import Span


class RenderView(Protocol):
    """The fields of a render the output stage reads (module docstring)."""

    @property
    def messages(self) -> Sequence[Message]:
        """The chat messages, in order."""

    @property
    def chat(self) -> bool:
        """False when the render is one message of content (POML's `chat=False`)."""

    @property
    def schema(self) -> dict[str, Any] | None:
        """The response's JSON schema (`<output-schema>`)."""

    @property
    def tools(self) -> Sequence[ToolSpec]:
        """The function tools (`<tool-definition>`)."""

    @property
    def runtime(self) -> dict[str, Any] | None:
        """The call parameters (`<runtime>`, camelCase keys)."""

    @property
    def modules(self) -> Sequence[Placed]:
        """Where each placed module starts and ends in the messages."""

    @property
    def span(self) -> Span | None:
        """The prompt's root element: where a format error points when no element of its own is known."""


__all__ = ["Placed", "Position", "RenderView"]
