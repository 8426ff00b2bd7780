"""Hover: the registry's documentation of the tag, attribute or style property under the cursor.

A tag (open or close) shows its component's doc; an attribute name or value shows the
attribute's doc, type, choices and default; a property in a `<style>` block or a `.pss` file
shows what the property sets and where it applies (`pml.lsp.vocabulary`).
"""

from __future__ import annotations

from lsprotocol import types

from pml.lsp import cursor, vocabulary
from pml.lsp.analysis import Analysis
from pml.lsp.position import line_index


def hover(analysis: Analysis, offset: int) -> types.Hover | None:
    """The hover at `offset` of an analyzed document, or None when there is nothing to say."""
    found = cursor.at(analysis.text, offset, analysis.document, stylesheet=analysis.is_stylesheet)
    text: str | None = None
    if found.kind in ("tag", "close_tag") and found.text:
        text = vocabulary.tag_markdown(found.text)
    elif found.kind in ("attribute", "value") and (found.attr or found.text):
        text = vocabulary.attribute_markdown(found.tag, found.attr or found.text)
    elif found.kind == "style_property" and found.text:
        text = vocabulary.property_markdown(found.text)
    elif found.kind == "style_value" and found.attr:
        text = vocabulary.property_markdown(found.attr)
    if text is None:
        return None
    return types.Hover(
        contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text),
        range=line_index(analysis.text).range(found.start, found.end),
    )
