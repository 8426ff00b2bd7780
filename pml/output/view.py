"""What the output stage reads of a render: the messages, what the call carries besides them, and
where each placed module starts and ends.

`RenderView` is the small, read-only face of a render that the cache plan (`pml.output.cacheplan`)
and the provider formats (`pml.output.targets`) take. `pml.output.prompt.Rendered` has every
field of it, so a render is passed as it is; neither reader needs to know how renders are made,
and nothing here imports the module that makes them.

`Position` and `Placed` say where a placed module (or a marked subtree) lies in the messages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

from pml.components.boxes import Mark, ModuleMark
from pml.components.parts import Message, ToolSpec
from pml.syntax.source import Span


class Position(NamedTuple):
    """A place in the messages: message index, part index, character offset in that part."""

    message: int
    part: int
    offset: int


@dataclass(frozen=True, slots=True)
class Placed:
    """A module placed in a render (or a marked subtree, `boxes.Mark`): where its text starts and ends."""

    mark: ModuleMark | Mark
    start: Position
    end: Position

    @property
    def name(self) -> str:
        return self.mark.name

    @property
    def cached(self) -> bool:
        return self.mark.cached

    @property
    def after_volatile(self) -> bool:
        """Volatile data comes before this module, so the prefix up to its end changes on every request."""
        return isinstance(self.mark, ModuleMark) and self.mark.after_volatile

    @property
    def key(self) -> str | None:
        """The content hash of a module's rendering (None for a marked subtree)."""
        return self.mark.key if isinstance(self.mark, ModuleMark) else None

    @property
    def level(self) -> int:
        """The heading level a module's text was written at (its bytes depend on it); 1 for a mark."""
        return self.mark.level if isinstance(self.mark, ModuleMark) else 1


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
