"""Which `{{ }}` wrote each byte of a render: the source map behind `pml cache diff`.

A traced render marks every interpolated value with private-use characters while rendering,
then removes them from the messages, keeping for each message the ranges each expression wrote.
Modules are rendered afresh (a private, empty module cache), so the marks are never cached.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pml.expressions import Expression
from pml.output.prompt import Prompt, Rendered
from pml.render.modcache import ModuleCache
from pml.render.renderer import Renderer, _Val

_OPEN, _MID, _CLOSE = "\ue000", "\ue001", "\ue002"
_MARK = re.compile(f"{_OPEN}(\\d+){_MID}|{_CLOSE}")


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


class _TracingRenderer(Renderer):
    def __init__(self, context: dict[str, Any], root: Any, links: Any) -> None:
        super().__init__(context, root, links)
        self.module_cache = ModuleCache(64)
        self.expressions: list[Expression] = []

    def value(self, expression: Expression, text: str) -> str:
        self.expressions.append(expression)
        return _Val(f"{_OPEN}{len(self.expressions) - 1}{_MID}{text}{_CLOSE}")


def trace(prompt: Prompt, context: Mapping[str, Any] | None = None) -> Traced:
    """Render `prompt` with `context`, keeping where each interpolated value landed."""
    made: list[_TracingRenderer] = []

    def make(scope: dict[str, Any], root: Any, links: Any) -> _TracingRenderer:
        renderer = _TracingRenderer(scope, root, links)
        made.append(renderer)
        return renderer

    rendered = prompt._render(context, True, None, {}, make)  # type: ignore[arg-type]
    expressions = made[0].expressions if made else []
    texts: list[str] = []
    origins: list[tuple[Origin, ...]] = []
    for message in rendered.messages:
        text, found = _unmark("".join(p for p in message.parts if isinstance(p, str)), expressions)
        texts.append(text)
        origins.append(found)
    return Traced(rendered, tuple(texts), tuple(origins))


def _unmark(text: str, expressions: list[Expression]) -> tuple[str, tuple[Origin, ...]]:
    out: list[str] = []
    length = 0
    position = 0
    open_marks: list[tuple[int, int]] = []
    found: list[Origin] = []
    for match in _MARK.finditer(text):
        piece = text[position:match.start()]
        out.append(piece)
        length += len(piece)
        position = match.end()
        if match.group(1) is not None:
            open_marks.append((int(match.group(1)), length))
        elif open_marks:
            index, start = open_marks.pop()
            found.append(Origin(expressions[index], start, length))
    out.append(text[position:])
    return "".join(out), tuple(found)
