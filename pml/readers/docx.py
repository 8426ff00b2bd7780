"""DOCX documents with python-docx (optional: the `documents` extra), as layout boxes.

The conversion follows what POML gets from mammoth, so that prompts render the same text:

- a paragraph is a block (its text kept exactly); empty paragraphs are skipped;
- a paragraph styled "Heading 1" … "Heading 6" is a heading at the section depth where the
  document is placed (POML writes every heading level the same way);
- numbered and bulleted paragraphs are list items (`1.` for numbered lists, `-` otherwise),
  nested by their list level; empty paragraphs between items do not end the list;
- a table is a table whose first row is the header;
- a picture is a media box (its alt text when `multimedia` is false, or when its format is not
  one chat models take);
- bold and italic runs are plain text, as in POML; line breaks and tabs are kept.
"""

from __future__ import annotations

import base64
import io
import re
from typing import Any

from pml.components import boxes as ir
from pml.readers import ReadFailure, cached, need
from pml.readers.archive import check_zip, limits_key

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
_V = "urn:schemas-microsoft-com:vml"
_O = "urn:schemas-microsoft-com:office:office"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"

# Image types chat models accept; other pictures (EMF, WMF, TIFF) are shown by their alt text.
IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")

_HEADING = re.compile(r"^heading\s*([1-6])$", re.IGNORECASE)
_COLLAPSE = re.compile(r"[ \t\r\n]+")
# Containers whose children are read as if they stood in their place.
_TRANSPARENT = {"hyperlink", "ins", "smartTag", "fldSimple", "customXml", "moveTo", "dir", "bdo"}


def w(name: str) -> str:
    return f"{{{_W}}}{name}"


def _local(element: Any) -> str:
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def read_docx(data: bytes, *, multimedia: bool = True) -> list[ir.Box]:
    """A DOCX file's body as layout boxes."""
    docx = need("docx", "reading .docx files")
    return cached("docx", data, (multimedia, *limits_key()), lambda: _read(docx, data, multimedia))


def _read(docx: Any, data: bytes, multimedia: bool) -> list[ir.Box]:
    check_zip(data)  # before python-docx unpacks anything
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises zip, XML and package errors
        raise ReadFailure(f"not a readable DOCX file ({type(exc).__name__}: {exc})") from None
    return _Converter(document, multimedia).convert(document.element.body)


class _Converter:
    """One walk over a document body, collecting boxes and the lists still open."""

    def __init__(self, document: Any, multimedia: bool) -> None:
        self.part = document.part
        self.multimedia = multimedia
        self.styles = _paragraph_styles(document)
        self.formats = _numbering_formats(document)
        self.out: list[ir.Box] = []
        self.lists: list[tuple[int, ir.ListBox]] = []

    def convert(self, body: Any) -> list[ir.Box]:
        self.blocks(body)
        self.lists.clear()
        return self.out

    # ------------------------------------------------------------------ blocks
    def blocks(self, element: Any) -> None:
        for child in element.iterchildren():
            tag = _local(child)
            if tag == "p":
                self.paragraph(child)
            elif tag == "tbl":
                self.lists.clear()
                self.table(child)
            elif tag == "sdt":
                content = child.find(w("sdtContent"))
                if content is not None:
                    self.blocks(content)
            elif tag == "customXml":
                self.blocks(child)

    def paragraph(self, p: Any) -> None:
        boxes = self.inline(p)
        if not _has_content(boxes):
            return
        style_id = _style_id(p)
        name, style_numbering = self.styles.get(style_id or "", ("", None))
        if _HEADING.match(name) or _HEADING.match(style_id or ""):
            self.lists.clear()
            self.out.append(ir.Heading(boxes))
            return
        numbering = _numbering(p) or style_numbering
        style = self.formats.get(numbering) if numbering else None
        if numbering is None or style is None:
            self.lists.clear()
            self.out.append(ir.Block(boxes))
            return
        self.list_item(numbering[1], style, _collapse(boxes))

    def list_item(self, level: int, style: str, boxes: list[ir.Box]) -> None:
        # A deeper list ends at a shallower item; a bulleted list ends at a numbered item.
        while self.lists and (self.lists[-1][0] > level or
                              (self.lists[-1][0] == level and self.lists[-1][1].style != style)):
            self.lists.pop()
        if not self.lists or self.lists[-1][0] < level:
            box = ir.ListBox(style, [])
            if self.lists:
                parent = self.lists[-1][1]
                if not parent.items:
                    parent.items.append(ir.Item([]))
                parent.items[-1].children.append(box)
            else:
                self.out.append(box)
            self.lists.append((level, box))
        self.lists[-1][1].items.append(ir.Item(boxes))

    def table(self, tbl: Any) -> None:
        rows: list[list[str]] = []
        for tr in tbl.iterchildren(w("tr")):
            cells = [self.cell_text(tc) for tc in tr.iterchildren(w("tc"))]
            if cells:
                rows.append(cells)
        if not rows:
            return
        width = max(len(row) for row in rows)
        rows = [row + [""] * (width - len(row)) for row in rows]
        self.out.append(ir.Table(rows[0], rows[1:]))

    def cell_text(self, tc: Any) -> str:
        texts = []
        for p in tc.iter(w("p")):
            text = "".join(b.text if isinstance(b, ir.Inline) else " " for b in self.inline(p, images=False)).strip()
            if text:
                texts.append(text)
        return " ".join(texts)

    # ------------------------------------------------------------------ inline
    def inline(self, element: Any, *, images: bool = True) -> list[ir.Box]:
        out: list[ir.Box] = []
        self._inline_into(element, out, images)
        return _merge(out)

    def _inline_into(self, element: Any, out: list[ir.Box], images: bool) -> None:
        for child in element.iterchildren():
            tag = _local(child)
            if tag == "r":
                self.run(child, out, images)
            elif tag in _TRANSPARENT:
                self._inline_into(child, out, images)
            elif tag == "sdt":
                content = child.find(w("sdtContent"))
                if content is not None:
                    self._inline_into(content, out, images)
            elif tag == "AlternateContent":
                fallback = child.find(f"{{{_MC}}}Fallback")
                if fallback is not None:
                    self._inline_into(fallback, out, images)

    def run(self, r: Any, out: list[ir.Box], images: bool) -> None:
        for child in r.iterchildren():
            tag = _local(child)
            if tag == "t":
                out.append(ir.Inline(child.text or "", True))
            elif tag == "tab":
                out.append(ir.Inline("\t", True))
            elif tag in ("br", "cr"):
                if child.get(w("type")) in (None, "textWrapping"):
                    out.append(ir.Break(1))
            elif tag == "noBreakHyphen":
                out.append(ir.Inline("-", True))
            elif tag == "drawing" and images:
                self.drawing(child, out)
            elif tag == "pict" and images:
                self.vml(child, out)
            elif tag == "AlternateContent":
                fallback = child.find(f"{{{_MC}}}Fallback")
                if fallback is not None:
                    self.run(fallback, out, images)

    def drawing(self, drawing: Any, out: list[ir.Box]) -> None:
        props = drawing.find(f".//{{{_WP}}}docPr")
        alt = None
        if props is not None:
            alt = props.get("descr") or props.get("title")
        for blip in drawing.iter(f"{{{_A}}}blip"):
            self.image(blip.get(f"{{{_R}}}embed"), alt, out)

    def vml(self, pict: Any, out: list[ir.Box]) -> None:
        for data in pict.iter(f"{{{_V}}}imagedata"):
            shape = data.getparent()
            alt = (shape.get("alt") if shape is not None else None) or data.get(f"{{{_O}}}title")
            self.image(data.get(f"{{{_R}}}id"), alt, out)

    def image(self, rid: str | None, alt: str | None, out: list[ir.Box]) -> None:
        alt = alt if alt and alt.strip() else None
        part = self.part.related_parts.get(rid) if rid else None
        mime = getattr(part, "content_type", None)
        if part is not None and self.multimedia and mime in IMAGE_TYPES:
            out.append(ir.Media(mime, base64.b64encode(part.blob).decode("ascii"), alt))
        elif alt:
            out.append(ir.Inline(alt, True))


# ---------------------------------------------------------------------- document tables


def _style_id(p: Any) -> str | None:
    props = p.find(w("pPr"))
    style = props.find(w("pStyle")) if props is not None else None
    return style.get(w("val")) if style is not None else None


def _numbering(element: Any) -> tuple[str, int] | None:
    """`(numId, level)` of a paragraph's (or a style's) own numbering, or None."""
    props = element.find(w("pPr"))
    num = props.find(w("numPr")) if props is not None else None
    if num is None:
        return None
    num_id = num.find(w("numId"))
    level = num.find(w("ilvl"))
    if num_id is None or num_id.get(w("val")) in (None, "0"):
        return None
    try:
        return num_id.get(w("val")), int(level.get(w("val"))) if level is not None else 0
    except (TypeError, ValueError):
        return None


def _paragraph_styles(document: Any) -> dict[str, tuple[str, tuple[str, int] | None]]:
    """Paragraph styles by id: their name and the numbering they give."""
    styles: dict[str, tuple[str, tuple[str, int] | None]] = {}
    try:
        root = document.styles.element
    except Exception:  # a document without a styles part
        return styles
    for style in root.iterchildren(w("style")):
        if style.get(w("type")) != "paragraph":
            continue
        name = style.find(w("name"))
        styles[style.get(w("styleId")) or ""] = (
            name.get(w("val")) if name is not None else "",
            _numbering(style),
        )
    return styles


def _numbering_formats(document: Any) -> dict[tuple[str, int], str]:
    """The list style (`dash` or `decimal`) of every `(numId, level)` the document defines."""
    try:
        root = document.part.numbering_part.element
    except Exception:  # no numbering part: no lists
        return {}
    abstract: dict[str, dict[int, str]] = {}
    for definition in root.iterchildren(w("abstractNum")):
        abstract[definition.get(w("abstractNumId")) or ""] = _levels(definition)
    formats: dict[tuple[str, int], str] = {}
    for num in root.iterchildren(w("num")):
        ref = num.find(w("abstractNumId"))
        levels = dict(abstract.get(ref.get(w("val")) if ref is not None else "", {}))
        for override in num.iterchildren(w("lvlOverride")):
            levels.update(_levels(override))
        for level, fmt in levels.items():
            formats[(num.get(w("numId")) or "", level)] = "dash" if fmt == "bullet" else "decimal"
    return formats


def _levels(element: Any) -> dict[int, str]:
    levels: dict[int, str] = {}
    for lvl in element.iterchildren(w("lvl")):
        fmt = lvl.find(w("numFmt"))
        try:
            levels[int(lvl.get(w("ilvl")) or 0)] = fmt.get(w("val")) if fmt is not None else "decimal"
        except ValueError:
            continue
    return levels


# ---------------------------------------------------------------------- inline helpers


def _merge(boxes: list[ir.Box]) -> list[ir.Box]:
    out: list[ir.Box] = []
    for box in boxes:
        if isinstance(box, ir.Inline) and out and isinstance(out[-1], ir.Inline):
            out[-1] = ir.Inline(out[-1].text + box.text, True)
        elif not (isinstance(box, ir.Inline) and not box.text):
            out.append(box)
    return out


def _has_content(boxes: list[ir.Box]) -> bool:
    return any(isinstance(b, ir.Media) or (isinstance(b, ir.Inline) and b.text.strip()) for b in boxes)


def _collapse(boxes: list[ir.Box]) -> list[ir.Box]:
    """A list item's text with its whitespace collapsed and trimmed (POML's default for items)."""
    out: list[ir.Box] = []
    for box in boxes:
        if isinstance(box, ir.Inline):
            box = ir.Inline(_COLLAPSE.sub(" ", box.text), True)
        out.append(box)
    if out and isinstance(out[0], ir.Inline):
        out[0] = ir.Inline(out[0].text.lstrip(" "), True)
    if out and isinstance(out[-1], ir.Inline):
        out[-1] = ir.Inline(out[-1].text.rstrip(" "), True)
    return [b for b in out if not (isinstance(b, ir.Inline) and not b.text)]


__all__ = ["IMAGE_TYPES", "read_docx"]
