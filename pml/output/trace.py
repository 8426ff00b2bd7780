"""Which `{{ }}` wrote each byte of a render: the source map behind `pml cache diff`.

A traced render passes a render hook (`pml.render.hooks`) that wraps every interpolated value in
an `ir.Mark`; the writers record where each mark's text lands in the messages without changing
the layout, and each mark stands for its expression. Cached modules are rendered afresh, so the
marks are never cached. Values inside a subtree written in a serialized syntax (json, yaml, xml,
html) are one serialized value, and are not traced.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pml.components.boxes import Inline, Mark
from pml.components.layout import Ctx
from pml.expressions import Expression
from pml.output.prompt import Prompt, Rendered
from pml.render.hooks import RenderHook
from pml.render.renderer import SERIALIZED
from pml.syntax.source import Span

_VALUE = "{{ }}"  # the name of a value's mark


@dataclass(frozen=True, slots=True)
class Origin:
    """An expression and the text range it wrote in one message's text."""

    expression: Expression
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Traced:
    """A render's message texts, and for each message the origins of its interpolated text."""

    rendered: Rendered
    texts: tuple[str, ...]
    origins: tuple[tuple[Origin, ...], ...]

    def origin_at(self, message: int, offset: int) -> Origin | None:
        """The innermost expression that wrote the character at `offset` of message `message`."""
        found = None
        for origin in self.origins[message]:
            if origin.start <= offset < origin.end and (found is None or origin.start >= found.start):
                found = origin
        return found


class _Tracer(RenderHook):
    """A render hook that wraps each `{{ }}` value written in markdown or text in a mark (values in
    a serialized syntax are part of one serialized value, and are not traced), and renders cached
    modules afresh so that the marks inside them are recorded."""

    cache_modules = False

    def __init__(self) -> None:
        self.expressions: dict[Span, Expression] = {}  # by place: a budget's cut rebuilds the marks it cuts

    def value(self, expression: Expression, text: str, ctx: Ctx) -> Mark | None:
        if ctx.syntax in SERIALIZED:
            return None
        mark = Mark(_VALUE, expression.span, [Inline(text, True)])
        self.expressions[expression.span] = expression
        return mark


def trace(prompt: Prompt, context: Mapping[str, Any] | None = None) -> Traced:
    """Render `prompt` with `context`, keeping where each interpolated value landed."""
    tracer = _Tracer()
    rendered = prompt.render_with(tracer, context)
    texts: list[str] = []
    starts: list[list[int]] = []  # for each message, where each of its parts starts in its text
    for message in rendered.messages:
        offsets: list[int] = []
        length = 0
        for part in message.parts:
            offsets.append(length)
            if isinstance(part, str):
                length += len(part)
        starts.append(offsets)
        texts.append("".join(p for p in message.parts if isinstance(p, str)))
    origins: list[list[Origin]] = [[] for _ in rendered.messages]
    for placed in rendered.marks:
        mark = placed.mark
        expression = tracer.expressions.get(mark.span) if isinstance(mark, Mark) and mark.name == _VALUE else None
        if expression is None or placed.start.message != placed.end.message:
            continue
        at = starts[placed.start.message]
        origins[placed.start.message].append(Origin(expression, at[placed.start.part] + placed.start.offset,
                                                    at[placed.end.part] + placed.end.offset))
    return Traced(rendered, tuple(texts), tuple(tuple(o) for o in origins))
