"""The render hook: what a render tells an observer while it walks the tree.

Reports that need to know where things landed in the messages (`pml tokens`, which counts the
tokens of each top-level element; `pml cache diff`, which finds the `{{ }}` that wrote a byte)
pass a `RenderHook` to `Prompt.render_with`. The render calls it at these events:

- `start(root, ctx)`: the render begins at the compiled root, in the root's syntax;
- `element(cnode, boxes)`: an element was rendered (every repetition of its `for=`, or one
  scope of it when a budget renders its parent's children one by one); the hook returns the
  boxes to use, which may be wrapped in `ir.Mark`s (the writers record where each mark's text
  lands, `Rendered.marks`, without changing the layout);
- `value(expression, text, ctx)`: a `{{ }}` among children wrote `text`; the hook may return an
  `ir.Mark` holding `ir.Inline(text, True)` to record where it lands, or None to leave it as is.

`cache_modules = False` renders cached modules afresh instead of taking them from the module
cache, so that marks inside them are recorded (and never cached). The default hook does nothing:
a subclass overrides the events it needs.
"""

from __future__ import annotations

from typing import Any

from pml.compile.program import CNode
from pml.components import boxes as ir
from pml.components.layout import Ctx
from pml.expressions import Expression


class RenderHook:
    """An observer of one render (module docstring)."""

    cache_modules: bool = True

    def start(self, root: CNode, ctx: Ctx) -> None:
        """The render begins."""

    def element(self, cnode: CNode, boxes: list[Any]) -> list[Any]:
        """An element was rendered into `boxes`; the boxes to use instead (the same by default)."""
        return boxes

    def value(self, expression: Expression, text: str, ctx: Ctx) -> ir.Mark | None:
        """A `{{ }}` wrote `text`; a mark around `ir.Inline(text, True)` to record where it lands."""
        return None


__all__ = ["RenderHook"]
