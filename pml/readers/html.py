"""HTML pages, parsed with lxml, as layout boxes or as plain text.

`select` picks the elements a CSS selector names (the body by default). `to_boxes` keeps the
page's structure: headings (their levels relative to the highest one selected), paragraphs,
lists, tables, bold, italic, code; links become their text. `to_text` is the text alone, with
a blank line between blocks and a newline between list items, table rows and `<br>` lines.
Scripts, styles and other non-content elements are dropped. Whitespace follows HTML's rules:
runs collapse to one space and blocks are trimmed; `<pre>` keeps its text exactly.

CSS selectors use cssselect (the `documents` extra) when it is installed; without it, simple
selectors still work: `tag`, `#id`, `.class`, `tag.class#id`, and descendants (`article p`),
alone or in a comma-separated list.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Iterator
from typing import Any

import lxml.html
from lxml import etree

from pml.components import boxes as ir
from pml.readers import MissingExtra, ReadFailure

SKIPPED = {"script", "style", "noscript", "template", "head", "title", "meta", "link", "svg", "canvas",
           "iframe", "object", "embed", "audio", "video", "source", "track", "map", "input", "select",
           "textarea", "button", "option"}
BLOCKS = {"p", "div", "section", "article", "main", "header", "footer", "nav", "aside", "figure",
          "figcaption", "blockquote", "address", "details", "summary", "dl", "dt", "dd", "form",
          "fieldset", "legend", "center", "body", "html", "caption", "hgroup", "search"}
HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
MARKS = {"b": "**", "strong": "**", "i": "*", "em": "*", "cite": "*", "s": "~~", "strike": "~~", "del": "~~"}
INLINE_CODE = {"code", "kbd", "samp", "tt", "var"}
_SPACE = re.compile(r"[ \t\n\r\f]+")
_SIMPLE = re.compile(r"^[A-Za-z][\w-]*|[#.][\w-]+")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>")


def parse(html: str | bytes) -> Any:
    """The page's root element. Bytes are decoded as the page declares (UTF-8 by default)."""
    if isinstance(html, bytes):
        html = html.decode(_charset(html), errors="replace")
    html = _XML_DECLARATION.sub("", html.lstrip("\ufeff"), count=1)
    if not html.strip():
        raise ReadFailure("the page is empty")
    try:
        return lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError) as exc:
        raise ReadFailure(f"not readable HTML ({exc})") from None


def select(root: Any, selector: str | None) -> list[Any]:
    """The elements `selector` matches, in document order; the body (or root) without one."""
    if not selector or not selector.strip():
        body = root.find(".//body")
        return [body if body is not None else root]
    try:
        from lxml.cssselect import CSSSelector
    except ImportError:
        return _simple_select(root, selector)
    from cssselect import SelectorError

    try:
        return list(CSSSelector(selector)(root))
    except SelectorError as exc:
        raise ReadFailure(f"`{selector}` is not a CSS selector: {exc}") from None


def to_boxes(elements: Iterable[Any]) -> list[ir.Box]:
    """The elements' content as layout boxes."""
    elements = list(elements)
    top = min((HEADINGS[e.tag] for root in elements for e in _iter(root) if e.tag in HEADINGS), default=1)
    converter = _Converter(top)
    out: list[ir.Box] = []
    for element in elements:
        out.extend(converter.element(element))
    return _tidy(out)


def to_text(elements: Iterable[Any]) -> str:
    """The elements' text: blocks separated by a blank line, items and rows by a newline."""
    texts = []
    for element in elements:
        writer = _TextWriter()
        writer.element(element)
        text = writer.result()
        if text:
            texts.append(text)
    return "\n\n".join(texts)


# ---------------------------------------------------------------------- structure


class _Converter:
    """HTML elements → boxes. `top` is the heading level written at the current depth."""

    def __init__(self, top: int) -> None:
        self.top = top

    def children(self, element: Any) -> list[ir.Box]:
        out: list[ir.Box] = []
        if element.text:
            out.append(ir.Inline(element.text))
        for child in element:
            out.extend(self.element(child))
            if child.tail:
                out.append(ir.Inline(child.tail))
        return out

    def element(self, element: Any) -> list[ir.Box]:
        tag = element.tag if isinstance(element.tag, str) else ""
        tag = tag.lower()
        if not tag or tag in SKIPPED:
            return []
        if tag in HEADINGS:
            box: ir.Box = ir.Heading(_tidy(self.children(element)))
            for _ in range(max(0, HEADINGS[tag] - self.top)):
                box = ir.Section([box])
            return [box]
        if tag in ("ul", "ol", "menu"):
            return [self.list_box(element, "decimal" if tag == "ol" else "dash")]
        if tag == "li":
            return [ir.Block(_tidy(self.children(element)))]
        if tag == "table":
            return self.table(element)
        if tag == "pre":
            text = element.text_content()
            return [ir.Code(text[1:] if text.startswith("\n") else text.rstrip("\n"), _language(element), False)]
        if tag in BLOCKS:
            return [ir.Block(_tidy(self.children(element)))]
        if tag == "br":
            return [ir.Break(1)]
        if tag == "hr":
            return [ir.Block([])]
        if tag in MARKS:
            return [ir.Wrap(MARKS[tag], MARKS[tag], self.children(element))]
        if tag in INLINE_CODE:
            text = _SPACE.sub(" ", element.text_content())
            return [ir.Code(text, None, True)] if text.strip() else []
        if tag == "img":
            return self.image(element)
        return self.children(element)

    def list_box(self, element: Any, style: str) -> ir.ListBox:
        items: list[ir.Item] = []
        for child in element:
            if not isinstance(child.tag, str) or child.tag.lower() in SKIPPED:
                continue
            body = self.children(child) if child.tag.lower() == "li" else self.element(child)
            body = _tidy(body)
            if body:
                items.append(ir.Item(body))
        return ir.ListBox(style, items)

    def table(self, element: Any) -> list[ir.Box]:
        rows = []
        for tr in element.iter("tr"):
            if _owner_table(tr) is not element:
                continue
            cells = [_SPACE.sub(" ", cell.text_content()).strip() for cell in tr if cell.tag in ("td", "th")]
            if cells:
                rows.append(cells)
        if not rows:
            return []
        width = max(len(row) for row in rows)
        rows = [row + [""] * (width - len(row)) for row in rows]
        return [ir.Table(rows[0], rows[1:])]

    def image(self, element: Any) -> list[ir.Box]:
        src = element.get("src") or ""
        alt = element.get("alt")
        match = re.match(r"data:(image/[\w.+-]+);base64,(.*)$", src, re.DOTALL)
        if match:
            return [ir.Media(match.group(1), re.sub(r"\s", "", match.group(2)), alt or None)]
        return [ir.Inline(alt)] if alt and alt.strip() else []


def _owner_table(tr: Any) -> Any:
    parent = tr.getparent()
    while parent is not None and parent.tag != "table":
        parent = parent.getparent()
    return parent


def _language(pre: Any) -> str | None:
    for element in (pre, *pre.iterchildren("code")):
        for name in (element.get("class") or "").split():
            if name.startswith(("language-", "lang-")):
                return name.split("-", 1)[1] or None
    return None


def _iter(root: Any) -> Iterator[Any]:
    for element in root.iter():
        if isinstance(element.tag, str):
            yield element


# ---------------------------------------------------------------------- whitespace

_OPEN = object()
_CLOSE = object()


def _tidy(boxes: list[ir.Box]) -> list[ir.Box]:
    """Collapse whitespace in each run of inline boxes, trim the runs, move spaces out of marks."""
    out: list[ir.Box] = []
    run: list[ir.Box] = []
    for box in boxes:
        if isinstance(box, (ir.Inline, ir.Wrap, ir.Break, ir.Media)) or (isinstance(box, ir.Code) and box.inline):
            run.append(box)
            continue
        out.extend(_tidy_run(run))
        run = []
        if not (isinstance(box, ir.Block) and not box.children):
            out.append(box)
    out.extend(_tidy_run(run))
    return out


def _tidy_run(run: list[ir.Box]) -> list[ir.Box]:
    tokens: list[Any] = []
    _flatten(run, tokens)
    # Spaces at the inner edges of a mark move outside it: `<b> x </b>` is ` **x** `.
    moved: list[Any] = []
    for token in tokens:
        if isinstance(token, str) and token.startswith(" "):
            at = len(moved)
            while at and isinstance(moved[at - 1], tuple) and moved[at - 1][0] is _OPEN:
                at -= 1
            if at < len(moved):
                moved.insert(at, " ")
                token = token[1:]
            moved.append(token)
        elif isinstance(token, tuple) and token[0] is _CLOSE and moved and isinstance(moved[-1], str) \
                and moved[-1].endswith(" "):
            moved[-1] = moved[-1][:-1]
            moved.extend([token, " "])
        else:
            moved.append(token)
    tokens = moved
    # One space between words; none at the edges of the run or next to a line break.
    out: list[Any] = []
    space = True
    for token in tokens:
        if isinstance(token, str):
            if space:
                token = token.lstrip(" ")
            if token:
                out.append(token)
                space = token.endswith(" ")
        elif isinstance(token, ir.Break):
            _strip_trailing(out)
            out.append(token)
            space = True
        else:
            out.append(token)
            if not isinstance(token, tuple):
                space = False
    _strip_trailing(out)
    return _rebuild(out)


def _flatten(boxes: list[ir.Box], tokens: list[Any]) -> None:
    for box in boxes:
        if isinstance(box, ir.Inline):
            tokens.append(_SPACE.sub(" ", box.text))
        elif isinstance(box, ir.Wrap):
            tokens.append((_OPEN, box))
            _flatten(box.children, tokens)
            tokens.append((_CLOSE, box))
        else:
            tokens.append(box)


def _strip_trailing(tokens: list[Any]) -> None:
    for i in range(len(tokens) - 1, -1, -1):
        token = tokens[i]
        if isinstance(token, str):
            tokens[i] = token.rstrip(" ")
            if tokens[i]:
                return
        elif not isinstance(token, tuple):
            return


def _rebuild(tokens: list[Any]) -> list[ir.Box]:
    stack: list[list[ir.Box]] = [[]]
    for token in tokens:
        if isinstance(token, tuple):
            if token[0] is _OPEN:
                stack.append([])
            else:
                children = stack.pop()
                if any(not isinstance(c, ir.Inline) or c.text for c in children):
                    stack[-1].append(ir.Wrap(token[1].prefix, token[1].suffix, children))
        elif isinstance(token, str):
            if token:
                stack[-1].append(ir.Inline(token))
        else:
            stack[-1].append(token)
    return stack[0]


# ---------------------------------------------------------------------- text


class _TextWriter:
    """Plain text with HTML's whitespace rules and line breaks between blocks."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pending = 0
        self.space = False

    def result(self) -> str:
        return "".join(self.parts).strip()

    def brk(self, count: int) -> None:
        if count:
            self.pending = max(self.pending, count)
            self.space = False

    def text(self, text: str, *, pre: bool = False) -> None:
        if not pre:
            text = _SPACE.sub(" ", text)
            if (self.space or self.pending or not self.parts) and text.startswith(" "):
                text = text[1:]
            if not text:
                return
        if self.pending and self.parts:
            while self.parts and self.parts[-1].endswith(" "):
                self.parts[-1] = self.parts[-1].rstrip(" ")
            self.parts.append("\n" * self.pending)
        self.pending = 0
        self.parts.append(text)
        self.space = text.endswith(" ")

    def element(self, element: Any) -> None:
        tag = element.tag.lower() if isinstance(element.tag, str) else ""
        if not tag or tag in SKIPPED:
            return
        if tag == "br":
            self.brk(1)
            return
        if tag == "pre":
            self.brk(2)
            self.text(element.text_content().strip("\n"), pre=True)
            self.brk(2)
            return
        margin = _text_margin(element, tag)
        self.brk(margin)
        if tag in ("td", "th") and element.getprevious() is not None:
            self.text(" | ")
        if element.text:
            self.text(element.text)
        for child in element:
            self.element(child)
            if child.tail:
                self.text(child.tail)
        self.brk(margin)


def _text_margin(element: Any, tag: str) -> int:
    """Newlines around an element's text: 1 for items, rows and nested lists, 2 for blocks."""
    if tag in ("li", "tr", "dt", "dd"):
        return 1
    if tag in ("ul", "ol", "menu"):
        parent = element.getparent()
        return 1 if parent is not None and parent.tag == "li" else 2
    return 2 if tag in BLOCKS or tag in HEADINGS or tag in ("table", "hr") else 0


# ---------------------------------------------------------------------- selectors without cssselect


def _simple_select(root: Any, selector: str) -> list[Any]:
    """Simple CSS selectors (`tag`, `#id`, `.class`, descendants, lists) as XPath."""
    paths = []
    for alternative in selector.split(","):
        steps = alternative.split()
        if not steps:
            raise ReadFailure(f"`{selector}` is not a CSS selector")
        path = ""
        for step in steps:
            if "".join(_SIMPLE.findall(step)) != step:
                raise MissingExtra(f"the CSS selector `{selector}`", "cssselect")
            path += "//" + _step(step)
        paths.append(path)
    found = root.xpath(" | ".join(paths))
    return [e for e in found if isinstance(e.tag, str)]


def _step(step: str) -> str:
    tag = "*"
    tests = []
    for part in _SIMPLE.findall(step):
        if part[0] == "#":
            tests.append(f"@id='{part[1:]}'")
        elif part[0] == ".":
            tests.append(f"contains(concat(' ', normalize-space(@class), ' '), ' {part[1:]} ')")
        else:
            tag = part.lower()
    return tag + "".join(f"[{t}]" for t in tests)


def _charset(html: bytes) -> str:
    """The Python codec of the charset a page declares in a `<meta>`, else UTF-8."""
    match = re.search(rb"""<meta[^>]+charset=["']?([\w-]+)""", html[:4096], re.IGNORECASE)
    if match:
        try:
            return codecs.lookup(match.group(1).decode("ascii")).name
        except LookupError:
            pass
    return "utf-8"


__all__ = ["parse", "select", "to_boxes", "to_text"]
