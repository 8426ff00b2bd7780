"""A render from the compiled root: the root's attributes, its layout, its budget and speaker, and
the messages its boxes are written into.

`Prompt.render` (`pml.output.prompt`) and the compile-ahead tracer (`pml.render.ahead`) both
render a program this way; they differ in the renderer they pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pml.compile.program import CNode
from pml.components.boxes import Speaker
from pml.errors import PMLError, PMLUsageError, render_error
from pml.render.bound import OutputTooLong, too_long
from pml.render.hooks import RenderHook
from pml.render.messages import Built, MessageBuilder
from pml.render.renderer import Ctx, Renderer, Written, write


@dataclass(frozen=True, slots=True)
class RootRender:
    """What a render of the root made: the messages (`built`) and the written text (`written`)."""

    built: Built
    written: Written


def render_root(renderer: Renderer, root: CNode, scope: dict[str, Any], chat: bool, base_dir: Path,
                max_tokens: int | None = None, hook: RenderHook | None = None) -> RootRender:
    """Lay out the root with `renderer` in `scope` and write its boxes into messages.

    `max_tokens` is a budget for the whole prompt, a `token-limit` on the root (the smaller one
    wins). An output past the bound found by a writer is reported at the root."""
    try:
        attrs = renderer.attributes(root, scope)
        if max_tokens is not None:
            if max_tokens < 1:
                raise PMLUsageError(f"max_tokens must be at least 1, not {max_tokens}")
            attrs = {**attrs, "tokenLimit": min(int(max_tokens), int(attrs.get("tokenLimit") or max_tokens))}
        syntax = attrs.get("syntax") or "markdown"
        ctx = Ctx(syntax=syntax, chat=chat, base_dir=base_dir)
        if hook is not None:
            hook.start(root, ctx)
        assert root.component is not None
        boxes = root.component.layout(renderer.layout_context, root, attrs, scope, ctx)
        if "charLimit" in attrs or "tokenLimit" in attrs:
            boxes = renderer.fit(root, attrs, boxes)
        if attrs.get("speaker"):
            boxes = [Speaker(attrs["speaker"], boxes, span=root.span)]
        builder = MessageBuilder()
        written = write(boxes, syntax, attrs.get("writerOptions"), builder, renderer.list_marker)
    except OutputTooLong as exc:
        if exc.span is None:  # found by a writer: the whole prompt is what crossed the bound
            raise too_long(root.span, renderer.limits.max_output) from None
        raise
    except PMLError:
        raise
    except RecursionError:
        raise render_error("the document is nested too deeply to render", root.span) from None
    return RootRender(builder.finish(chat), written)


__all__ = ["RootRender", "render_root"]
