"""The HTML writer: layout boxes → real HTML, built with lxml so escaping is exact.

Paragraphs are `<p>`, captions headings (`<h1>`…`<h6>` by depth) or a bold lead-in, lists
`<ul>`/`<ol>` with `<li>`, code `<code>` or `<pre><code>`, inline formatting `<b>`, `<i>`,
`<s>`, `<u>`, tables `<table>` with `<thead>` and `<tbody>`, data a `<pre>` of JSON. Images
and audio are written as their alt text (their bytes travel as message parts).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from lxml import etree

from pml.components import boxes as ir
from pml.errors import render_error
from pml.render.charsafe import xml_text
from pml.values import to_text

_WRAPS = {"**": "b", "*": "i", "~~": "s", "__": "u"}
_ORDERED = {"decimal": None, "latin": "a"}


class HtmlWriter:
    """Writes boxes as HTML elements under a container."""

    def __init__(self) -> None:
        self._depth = 0

    def write(self, boxes: Sequence[ir.Box], options: dict[str, Any]) -> str:
        holder = etree.Element("div")
        self._into(holder, boxes)
        indent = " " * int(options.get("htmlIndent", 2))
        if options.get("htmlPrettyPrint", True) is False:
            return "".join(_html(child, "", "") for child in _children(holder))
        return "\n".join(_html(child, "", indent) for child in _children(holder))

    # ------------------------------------------------------------------ plumbing
    def _into(self, parent: etree._Element, boxes: Sequence[ir.Box]) -> None:
        """Write boxes under `parent`; loose inline content in a block container becomes a `<p>`."""
        wrap = parent.tag in ("div", "section") or (
            parent.tag in _CONTAINERS and any(ir.is_block(b) for b in boxes))
        paragraph: etree._Element | None = None
        for box in boxes:
            if wrap and not ir.is_block(box) and not isinstance(box, (ir.Named, ir.Speaker, ir.Item)):
                if isinstance(box, ir.Inline) and not box.text.strip() and paragraph is None:
                    continue
                if paragraph is None:
                    paragraph = etree.SubElement(parent, "p")
                getattr(self, "box_" + type(box).__name__)(paragraph, box)
                continue
            paragraph = None
            getattr(self, "box_" + type(box).__name__)(parent, box)

    def _text(self, parent: etree._Element, text: str) -> None:
        if not text:
            return
        text = _safe(text)
        if len(parent):
            last = parent[-1]
            last.tail = (last.tail or "") + text
        else:
            parent.text = (parent.text or "") + text

    def _inline_holder(self, parent: etree._Element) -> etree._Element:
        """Inline content directly under a block container goes into a paragraph."""
        if parent.tag in ("div", "li", "td", "th", "p", "b", "i", "s", "u", "h1", "h2", "h3", "h4", "h5",
                          "h6", "code", "span"):
            return parent
        return etree.SubElement(parent, "p")

    # ------------------------------------------------------------------ boxes
    def box_Inline(self, parent: etree._Element, box: ir.Inline) -> None:
        self._text(parent, box.text)

    def box_SoftSpace(self, parent: etree._Element, box: ir.SoftSpace) -> None:
        self._text(parent, " ")

    def box_Break(self, parent: etree._Element, box: ir.Break) -> None:
        for _ in range(box.count):
            etree.SubElement(parent, "br")

    def box_Wrap(self, parent: etree._Element, box: ir.Wrap) -> None:
        tag = _WRAPS.get(box.prefix, "span")
        self._into(etree.SubElement(parent, tag), box.children)

    def box_Block(self, parent: etree._Element, box: ir.Block) -> None:
        if all(not ir.is_block(b) for b in box.children):
            self._into(etree.SubElement(parent, "p"), box.children)
        else:
            self._into(parent, box.children)

    def box_Item(self, parent: etree._Element, box: ir.Item) -> None:
        """An item outside a `<list>`: an error, as in markdown (`<li>` needs a list around it)."""
        raise render_error("`<item>` is not inside a `<list>`", box.span,
                           "put the items in a `<list>`, or use `<p>` for a paragraph")

    def box_Named(self, parent: etree._Element, box: ir.Named) -> None:
        self._into(parent, box.children)

    def box_Speaker(self, parent: etree._Element, box: ir.Speaker) -> None:
        self._into(parent, box.children)

    def box_Module(self, parent: etree._Element, box: ir.Module) -> None:
        self._into(parent, box.children)

    def box_Mark(self, parent: etree._Element, box: ir.Mark) -> None:
        self._into(parent, box.children)

    def box_Env(self, parent: etree._Element, box: ir.Env) -> None:
        self._into(parent, box.children)

    def box_Heading(self, parent: etree._Element, box: ir.Heading) -> None:
        self._into(etree.SubElement(parent, f"h{min(6, self._depth + 1)}"), box.children)

    def box_Section(self, parent: etree._Element, box: ir.Section) -> None:
        self._depth += 1
        self._into(etree.SubElement(parent, "section"), box.children)
        self._depth -= 1

    def box_Captioned(self, parent: etree._Element, box: ir.Captioned) -> None:
        if box.style == "hidden":
            self._into(parent, box.body)
            return
        if box.style == "header":
            heading = etree.SubElement(parent, f"h{min(6, self._depth + 1)}")
            heading.text = _safe(box.caption)
            self._depth += 1
            self._into(parent, box.body)
            self._depth -= 1
            return
        paragraph = etree.SubElement(parent, "p")
        lead = etree.SubElement(paragraph, "b") if box.style == "bold" else paragraph
        colon = ":" if box.ending in ("colon", "colon-newline") else ""
        if lead is paragraph:
            paragraph.text = _safe(box.caption + colon)
        else:
            lead.text = _safe(box.caption + colon)
        if all(not ir.is_block(b) for b in box.body):
            self._text(paragraph, " ")
            self._into(paragraph, box.body)
        else:
            self._into(parent, box.body)

    def box_ListBox(self, parent: etree._Element, box: ir.ListBox) -> None:
        ordered = box.style in _ORDERED
        element = etree.SubElement(parent, "ol" if ordered else "ul")
        if box.style == "latin":
            element.set("type", "a")
        for item in box.items:
            self._into(etree.SubElement(element, "li"), item.children)

    def box_Code(self, parent: etree._Element, box: ir.Code) -> None:
        if box.inline:
            etree.SubElement(parent, "code").text = _safe(box.text)
            return
        pre = etree.SubElement(parent, "pre")
        code = etree.SubElement(pre, "code")
        if box.lang:
            code.set("class", _safe(f"language-{box.lang}"))
        code.text = _safe(box.text)

    def box_Data(self, parent: etree._Element, box: ir.Data) -> None:
        etree.SubElement(parent, "pre").text = _safe(to_text(box.value))

    def box_Media(self, parent: etree._Element, box: ir.Media) -> None:
        if box.alt:
            self._text(parent, box.alt)

    def box_ToolPart(self, parent: etree._Element, box: ir.ToolPart) -> None:
        """Tool calls and results travel as message parts only: nothing is written."""

    def box_Table(self, parent: etree._Element, box: ir.Table) -> None:
        table = etree.SubElement(parent, "table")
        head = etree.SubElement(etree.SubElement(table, "thead"), "tr")
        for column in box.columns:
            etree.SubElement(head, "th").text = _safe(to_text(column))
        body = etree.SubElement(table, "tbody")
        for row in box.rows:
            tr = etree.SubElement(body, "tr")
            for cell in row:
                etree.SubElement(tr, "td").text = _safe(to_text(cell))


_CONTAINERS = {"div", "section", "li", "td"}
_BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "table", "thead", "tbody", "tr", "pre",
           "section", "div"}


def _children(element: etree._Element) -> list[etree._Element]:
    return list(element)


def _html(element: etree._Element, pad: str, indent: str) -> str:
    """One element as HTML: block children on their own lines, inline content kept inline."""
    if element.tag == "pre" or not any(child.tag in _BLOCKS for child in element):
        tail, element.tail = element.tail, None
        text = etree.tostring(element, encoding="unicode", method="html")
        element.tail = tail
        return pad + text
    attrs = "".join(f' {k}="{_escape(v, True)}"' for k, v in element.attrib.items())
    lines = [f"{pad}<{element.tag}{attrs}>"]
    if element.text and element.text.strip():
        lines.append(pad + indent + _escape(element.text.strip()))
    for child in element:
        lines.append(_html(child, pad + indent, indent))
        if child.tail and child.tail.strip():
            lines.append(pad + indent + _escape(child.tail.strip()))
    lines.append(f"{pad}</{element.tag}>")
    return "\n".join(lines)


def _safe(text: str) -> str:
    """Text HTML can carry: as in XML, control characters other than tab and newline cannot be
    written (not even as references), so they become U+FFFD (`pml.render.charsafe`)."""
    return xml_text(text, "html")


def _escape(text: str, quote: bool = False) -> str:
    return html.escape(text, quote=quote)


def write_html(boxes: Sequence[ir.Box], options: dict[str, Any]) -> str:
    """Write boxes as HTML."""
    return HtmlWriter().write(boxes, options)
