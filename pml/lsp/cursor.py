"""What is under a cursor, or being typed before it: a tag, an attribute, a value, an expression,
a style property.

`at(text, offset, document)` answers for hover and go-to-definition. It asks the parsed tree
first (`pml.syntax.parser.parse_source`: elements with their `name_span`, attributes with their
`span` and `value_span`); when the document does not parse, it scans the text around the cursor.

`before(text, offset)` answers for completion. What is being typed is usually not markup yet
(`<ta`, `<list listSt`, `syntax="`), so it always reads the text before the cursor: the last
unclosed `{{`, the last unclosed `<tag`, or the `<style>` block the cursor is in.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from pml.syntax import lexicon
from pml.syntax.nodes import Document, Element, Expr, Text, normalize_name

Kind = Literal["tag", "close_tag", "attribute", "value", "expression", "style_property", "style_value",
               "style_selector", "text"]


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where the cursor is. `text` is the token (for completion: up to the cursor) and
    `start`/`end` its offsets; `tag` and `attr` say whose attribute or value it is."""

    kind: Kind
    start: int
    end: int
    text: str = ""
    tag: str | None = None
    attr: str | None = None
    written: tuple[str, ...] = ()  # the attribute names the tag already has
    element: Element | None = None  # the parsed element, when the document parsed

    def contains(self, offset: int) -> bool:
        return self.start <= offset <= self.end


TEXT = Cursor("text", 0, 0)

# Tag syntax comes from the lexicon; what is being typed is read more loosely than the parser reads it.
_NAME = lexicon.TAG_NAME_RE
_WORD = re.compile(lexicon.NAME_WORD)
_TAG_START = re.compile(rf"{lexicon.TAG_OPEN}(?=[{lexicon.NAME_START}/])")
_ATTRIBUTES = re.compile(rf"(?:^|(?<=[\s{lexicon.QUOTES}]))({lexicon.ATTRIBUTE_NAME})(?=\s*=|\s|/|>|$)")
# The attribute a value belongs to: its name and `=`, up to the value's quote.
_VALUE_OF = re.compile(rf"({lexicon.ATTRIBUTE_NAME})\s*=\s*$")
_PARTIAL_ATTRIBUTE = re.compile(rf"{lexicon.ATTRIBUTE_NAME}$")
_VALUES = re.compile(lexicon.LOOSE_QUOTED_VALUE)
_STYLE_OPEN = re.compile(lexicon.loose_open_tag("style"), re.I)
_STYLE_CLOSE = re.compile(lexicon.loose_close_tag("style"), re.I)
_CSS_COMMENT = re.compile(r"/\*.*?(?:\*/|$)", re.S)
_CSS_WORD = re.compile(r"[\w-]*")
_CSS_WORD_BEFORE = re.compile(r"[\w-]*$")
_CSS_PROPERTY_VALUE = re.compile(r"([\w-]+)\s*:\s*([^;{}]*)$")


# ------------------------------------------------------------------ completion: before the cursor
def before(text: str, offset: int, *, stylesheet: bool = False) -> Cursor:
    """What is being typed just before `offset` (module docstring)."""
    offset = max(0, min(offset, len(text)))
    if stylesheet:
        return _style(text, 0, offset)
    head = text[:offset]
    if head.rfind(lexicon.COMMENT.opener) > head.rfind(lexicon.COMMENT.closer):
        return TEXT
    opened, closed = head.rfind(lexicon.EXPRESSION_OPEN), head.rfind(lexicon.EXPRESSION_CLOSE)
    if opened != -1 and opened > closed:
        return Cursor("expression", opened + 2, offset, text[opened + 2 : offset])
    style = _inside_style(head)
    if style is not None:
        return _style(text, style, offset)
    return _in_tag(text, offset)


def _inside_style(head: str) -> int | None:
    """Where the `<style>` body the end of `head` is in starts, or None."""
    opened = [m.end() for m in _STYLE_OPEN.finditer(head)]
    if not opened:
        return None
    return None if _STYLE_CLOSE.search(head, opened[-1]) else opened[-1]


def _unquoted(text: str, start: int, stop: int) -> Iterator[tuple[int, str]]:
    """The characters of `text[start:stop]` that stand outside attribute quotes, with their offsets."""
    quote = ""
    for at in range(start, stop):
        ch = text[at]
        if quote:
            if ch == quote:
                quote = ""
        elif ch in lexicon.QUOTES:
            quote = ch
        else:
            yield at, ch


def _tag_start(text: str, offset: int) -> int | None:
    """The `<` of the tag the cursor is inside, or None when it is in text."""
    lt = -1
    for found in _TAG_START.finditer(text, 0, offset):
        lt = found.start()
    if lt == -1:
        return None
    if any(ch == lexicon.TAG_CLOSE for _, ch in _unquoted(text, lt + 1, offset)):
        return None
    return lt


def _tag_end(text: str, start: int) -> int:
    """Where the tag from `start` ends (after its `>`), or where the next tag starts, or the end."""
    for at, ch in _unquoted(text, start, len(text)):
        if ch == lexicon.TAG_CLOSE:
            return at + 1
        if ch == lexicon.TAG_OPEN:
            return at
    return len(text)


def _in_tag(text: str, offset: int) -> Cursor:
    if offset and text[offset - 1] == lexicon.TAG_OPEN and (offset == len(text) or not _NAME.match(text, offset)):
        return Cursor("tag", offset, offset, "")  # a `<` just typed: a tag name comes next
    lt = _tag_start(text, offset)
    if lt is None:
        return Cursor("text", offset, offset)
    segment = text[lt:offset]
    if segment.startswith(lexicon.CLOSE_TAG_OPEN):
        name = segment[2:]
        if _NAME.fullmatch(name) or name == "":
            return Cursor("close_tag", lt + 2, offset, name)
        return TEXT
    found = _NAME.match(segment, 1)
    if found is None:
        return TEXT
    tag = found.group(0)
    if found.end() == len(segment):
        return Cursor("tag", lt + 1, offset, tag)
    whole = text[lt + 1 + len(tag) : _tag_end(text, lt + 1)]
    quote = _open_quote(segment, found.end())
    if quote >= 0:  # in a value: the attribute is the name before `=` and the quote
        named = _VALUE_OF.search(segment, found.end(), quote)
        if named is None:
            return TEXT
        typed = segment[quote + 1 :]
        return Cursor("value", offset - len(typed), offset, typed, tag, named.group(1), _written(whole))
    partial = _PARTIAL_ATTRIBUTE.search(segment)
    typed = partial.group(0) if partial is not None and partial.start() > found.end() else ""
    before_typed = segment[: len(segment) - len(typed)]
    if not before_typed[-1:].isspace():
        return TEXT
    written = tuple(n for n in _written(whole) if n != typed)
    return Cursor("attribute", offset - len(typed), offset, typed, tag, None, written)


def _open_quote(segment: str, start: int) -> int:
    """Where the quote left open at the end of `segment` (read from `start`) is, or -1."""
    quote, opened = "", -1
    for at in range(start, len(segment)):
        ch = segment[at]
        if quote:
            if ch == quote:
                quote = ""
        elif ch in lexicon.QUOTES:
            quote, opened = ch, at
    return opened if quote else -1


def _written(body: str) -> tuple[str, ...]:
    """The attribute names written in a tag's text after its name (values left out)."""
    stripped = _VALUES.sub(" ", body)
    return tuple(m.group(1) for m in _ATTRIBUTES.finditer(stripped))


def _style(text: str, base: int, offset: int) -> Cursor:
    """A cursor in CSS (a `<style>` body from `base`, or a `.pss` file)."""
    css = _CSS_COMMENT.sub(lambda m: " " * len(m.group(0)), text[base:offset])
    depth = 0
    last_mark = -1
    for at, ch in enumerate(css):
        if ch == "{":
            depth += 1
            last_mark = at
        elif ch == "}":
            depth = max(0, depth - 1)
            last_mark = at
        elif ch in ";:" and depth:
            last_mark = at
    word = _CSS_WORD_BEFORE.search(css)
    typed = word.group(0) if word is not None else ""
    if depth == 0:
        return Cursor("style_selector", offset - len(typed), offset, typed)
    if last_mark != -1 and css[last_mark] == ":":
        found = _CSS_PROPERTY_VALUE.search(css)
        if found is not None:
            typed_value = found.group(2).lstrip()
            return Cursor("style_value", offset - len(typed_value), offset, typed_value, attr=found.group(1))
        return TEXT
    return Cursor("style_property", offset - len(typed), offset, typed)


# ------------------------------------------------------------------ hover and definition: at the cursor
def at(text: str, offset: int, document: Document | None = None, *, stylesheet: bool = False) -> Cursor:
    """What is at `offset`: from the parsed `document` when there is one, else from the text."""
    offset = max(0, min(offset, len(text)))
    if document is not None and not stylesheet:
        found = _from_tree(text, offset, document)
        if found is not None:
            return found
    return _from_text(text, offset, stylesheet=stylesheet)


def _from_text(text: str, offset: int, *, stylesheet: bool) -> Cursor:
    """The regex fallback: what is being typed at the end of the word under the cursor."""
    stop = _WORD.match(text, offset).end()  # type: ignore[union-attr]
    found = before(text, stop, stylesheet=stylesheet)
    if found.kind.startswith("style_"):  # CSS words have no `.`, `:` or `@`
        stop = _CSS_WORD.match(text, offset).end()  # type: ignore[union-attr]
        found = before(text, stop, stylesheet=stylesheet)
    if found.kind in ("text", "expression") or found.start > offset:
        return TEXT if found.kind == "text" else found
    if found.kind in ("value", "style_value"):
        # the whole value, to its closing quote (the one it opened with) or `;`
        closing = text[found.start - 1] if found.kind == "value" else ";}"
        rest = len(text)
        for at_ in range(stop, len(text)):
            if text[at_] in closing or (text[at_] == "\n" and found.kind == "value"):
                rest = at_
                break
        value = text[found.start : rest]
        return Cursor(found.kind, found.start, rest, value, found.tag, found.attr, found.written)
    return found


def _innermost(element: Element, offset: int) -> list[Element]:
    """The chain of elements from `element` down to the innermost one containing `offset`."""
    chain = [element]
    current = element
    while True:
        inner = next((c for c in current.children if isinstance(c, Element)
                      and c.span.start <= offset <= c.span.end), None)
        if inner is None:
            return chain
        chain.append(inner)
        current = inner


def _from_tree(text: str, offset: int, document: Document) -> Cursor | None:
    chain = _innermost(document.root, offset)
    element = chain[-1]
    if element.name_span is None:  # the implicit root: nothing of it is written
        return None
    name = element.name_span
    if name.start <= offset <= name.end:
        return Cursor("tag", name.start, name.end, element.tag, element.tag, element=element)
    close = text.rfind(lexicon.CLOSE_TAG_OPEN, element.span.start, element.span.end)
    if close > name.end and text[element.span.end - 1 : element.span.end] == lexicon.TAG_CLOSE:
        name_end = close + 2 + len(element.tag)
        if close + 2 <= offset <= name_end and text[close + 2 : name_end] == element.tag:
            return Cursor("close_tag", close + 2, name_end, element.tag, element.tag, element=element)
    written = tuple(a.name for a in element.attributes)
    for attr in element.attributes:
        if attr.span.start <= offset <= attr.span.start + len(attr.name):
            return Cursor("attribute", attr.span.start, attr.span.start + len(attr.name), attr.name, element.tag,
                          attr.name, written, element)
        value = attr.value_span
        if value is not None and value is not attr.span and value.start <= offset <= value.end:
            for part in attr.parts:
                if isinstance(part, Expr) and part.span.start <= offset <= part.span.end:
                    return Cursor("expression", part.span.start, part.span.end, part.code, element.tag,
                                  attr.name, written, element)
            return Cursor("value", value.start, value.end, attr.raw, element.tag, attr.name, written, element)
    if element.key == "style":
        body = [c for c in element.children if isinstance(c, Text)]
        if body and body[0].span.start <= offset <= body[-1].span.end:
            return _from_text(text, offset, stylesheet=False)
    for child in element.children:
        if isinstance(child, Expr) and child.span.start <= offset <= child.span.end:
            return Cursor("expression", child.span.start, child.span.end, child.code, element.tag,
                          element=element)
    open_end = _tag_end(text, element.span.start + 1)
    if element.span.start <= offset < open_end:
        return Cursor("text", offset, offset, tag=element.tag, written=written, element=element)
    return Cursor("text", offset, offset, element=element)


def same_name(a: str, b: str) -> bool:
    return normalize_name(a) == normalize_name(b)
