"""`<webpage>`: an HTML page saved next to the prompt, or HTML text, as prompt content.

PML reads no network: a `url` is an error that says to save the page and use `src`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pml import readers
from pml.compile.program import CNode
from pml.components import boxes as ir
from pml.components.data import styled
from pml.components.layout import Ctx, LayoutContext
from pml.components.reading import attr_span, read_bytes, resolve_path, src_span
from pml.errors import render_error
from pml.readers import MissingExtra, ReadFailure
from pml.registry import Attr, component


@component("Webpage", "webpage",
           doc="The content of an HTML page: headings, paragraphs, lists, tables, bold and italic "
               "are kept (links become their text), or only its text with `extractText`. The page "
               "comes from a saved file (`src`) or from HTML text (`buffer`); PML does not fetch "
               "`url`s.",
           attrs=[Attr("src", "string", "The HTML file to read, relative to this prompt file."),
                  Attr("buffer", "binary", "The HTML itself, usually from an expression."),
                  Attr("url", "string", "Not fetched: PML reads no network. Save the page and use `src`."),
                  Attr("selector", "string", "A CSS selector: only the elements it matches are used "
                       "(default: the body)."),
                  Attr("extractText", "boolean", "Only the text, with a blank line between blocks "
                       "(true), or the page's structure (false).", default=False)])
def layout_webpage(r: LayoutContext, node: CNode, attrs: Mapping[str, Any], scope: dict[str, Any],
                   ctx: Ctx) -> list[ir.Box]:
    data, where = _page(r, node, attrs)
    selector = attrs.get("selector")
    try:
        root = readers.html.parse(data)
    except ReadFailure as exc:
        raise render_error(f"cannot read the page: {exc}", where) from None
    try:
        elements = readers.html.select(root, str(selector) if selector else None)
    except MissingExtra as exc:
        raise render_error(str(exc), attr_span(node, "selector"),
                           "or use a simple selector: tag, #id, .class, or those separated by spaces") from None
    except ReadFailure as exc:
        raise render_error(str(exc), attr_span(node, "selector")) from None
    if not elements:
        raise render_error(f"the selector `{selector}` matches nothing in the page", attr_span(node, "selector"))
    if attrs.get("extractText"):
        return [ir.Block([ir.Inline(readers.html.to_text(elements), True)])]
    return styled(node, attrs, [ir.Block(readers.html.to_boxes(elements))])


def _page(r: LayoutContext, node: CNode, attrs: Mapping[str, Any]) -> tuple[str | bytes, Any]:
    """The page's HTML and where it was named (for errors)."""
    if attrs.get("url"):
        raise render_error(f"pages are not fetched from URLs: {attrs['url']}", attr_span(node, "url"),
                           'save the page next to the prompt and use src="page.html"')
    src = attrs.get("src")
    if src:
        path = resolve_path(r, node, str(src), "page")
        return read_bytes(r, node, path, str(src), "page"), src_span(node)
    buffer = attrs.get("buffer")
    if isinstance(buffer, (str, bytes)) and buffer:
        return buffer, attr_span(node, "buffer")
    if buffer not in (None, ""):
        raise render_error(f"`buffer` should be HTML text, not {type(buffer).__name__}", attr_span(node, "buffer"))
    raise render_error(f"`<{node.element.tag}>` needs `src` (a saved page) or `buffer` (HTML text)", node.span,
                       f'write <{node.element.tag} src="page.html"/>')


__all__ = ["layout_webpage"]
