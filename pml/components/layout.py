"""What a component's layout function may read and emit during a render: `LayoutContext`.

A layout is `layout(lc, node, attrs, scope, ctx) -> boxes`: `node` is the compiled element
(`pml.compile.program.CNode`), `attrs` its attributes for this render, `scope` the variables in
force, `ctx` what flows down the tree (`Ctx`), and `lc` this interface to the render. Through it a
layout renders its children, evaluates expressions, reads the program's links, and declares what
the call carries besides the messages (a schema, tools, runtime parameters). It never sees how the
render keeps its state: each render (`pml.render.renderer.Renderer`) hands its layouts a view
that holds these methods and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from pml.compile.modules import ModuleDef, Pick
from pml.compile.program import CNode, Links
from pml.components import boxes as ir
from pml.components.parts import ToolSpec
from pml.expressions import Expression
from pml.syntax.source import Span


@dataclass(frozen=True, slots=True)
class Ctx:
    """What flows down the tree while rendering: the syntax in force, whether the render is a chat,
    and the folder the prompt was compiled from."""

    syntax: str = "markdown"
    chat: bool = True
    base_dir: Path = Path(".")


class WrittenText(Protocol):
    """Boxes written as markdown (`LayoutContext.write`): the text, and the media and tool parts
    with the offset each stands at and its explicit speaker."""

    @property
    def text(self) -> str: ...

    @property
    def media(self) -> list[tuple[int, str | None, ir.Media | ir.ToolPart]]: ...


class LayoutContext(Protocol):
    """The render as a layout sees it (module docstring)."""

    # ------------------------------------------------------------------ reading
    @property
    def links(self) -> Links:
        """What the compile learned about the nodes (module definitions, uses, unions…)."""

    @property
    def root(self) -> Path:
        """The folder files named in the prompt are read under."""

    def evaluate(self, expression: Expression, scope: dict[str, Any]) -> Any:
        """The value of a compiled `{{ }}` in `scope`."""

    def attributes(self, cnode: CNode, scope: dict[str, Any]) -> Mapping[str, Any]:
        """An element's attributes in `scope` (its `{{ }}`s evaluated and checked)."""

    def children(self, cnode: CNode, scope: dict[str, Any], ctx: Ctx, attrs: Mapping[str, Any] | None = None,
                 *, white_space: str | None = None) -> list[ir.Box]:
        """An element's children as boxes (whitespace rules, sticky speakers and budgets applied)."""

    def text(self, cnode: CNode, scope: dict[str, Any], ctx: Ctx, mode: str = "filter") -> str:
        """An element's children as plain text."""

    def write(self, boxes: list[ir.Box], syntax: str, options: Mapping[str, Any] | None = None) -> WrittenText:
        """Boxes written in `syntax`, as the prompt's root would write them."""

    # ------------------------------------------------------------------ emitting
    def define(self, values: Mapping[str, Any]) -> None:
        """Variables a `<let>` defines, for the rest of the render."""

    def schema_span(self) -> Span | None:
        """Where the response schema was declared, if it was."""

    def declare_schema(self, schema: dict[str, Any] | None, span: Span) -> None:
        """The response schema (`<output-schema>`)."""

    def has_tool(self, name: str) -> bool:
        """Whether a tool of that name was declared."""

    def declare_tool(self, tool: ToolSpec) -> None:
        """A function tool the model may call (`<tool-definition>`)."""

    def set_runtime(self, name: str, value: Any) -> None:
        """A parameter of the model call (`<runtime>`)."""

    # ------------------------------------------------------------------ modules
    def module_frame(self) -> Sequence[Pick] | None:
        """The modules the `<use>` being rendered picked inside the module (None outside modules)."""

    def claim_union(self, mdef: ModuleDef, span: Span) -> None:
        """A top-level module placed: an error if another alternative of its union was placed."""

    def in_module(self, picks: Sequence[Pick], render: Callable[[], list[ir.Box]]) -> list[ir.Box]:
        """`render()` with `picks` as the module frame."""

    def cached(self, mark: ir.ModuleMark, render: Callable[[], list[ir.Box]]) -> ir.Module:
        """A cached module: its boxes from the module cache, rendered with `render()` on a miss."""


Layout = Callable[[LayoutContext, CNode, Mapping[str, Any], dict[str, Any], Ctx], list[Any]]

__all__ = ["Ctx", "Layout", "LayoutContext", "WrittenText"]
