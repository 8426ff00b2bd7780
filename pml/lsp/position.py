"""Offsets ↔ LSP positions.

PML counts offsets in characters (code points) of a text whose newlines are normalized to `\\n`
(`pml.syntax.source.normalize_newlines`). The Language Server Protocol counts a position as a 0-based
line and a 0-based character in UTF-16 code units: a character outside the Basic Multilingual
Plane (an emoji, say) is two units. Lines are the same in both (CRLF, CR and LF each end one
line), so a position only needs its column converted within its line.

UTF-16 is the protocol's default and what editors use. A client may offer other encodings
(`general.positionEncodings`); pygls then picks the client's first choice, and the server tells
this module with `set_encoding` ("utf-8" counts bytes, "utf-32" characters).
"""

from __future__ import annotations

from bisect import bisect_right
from functools import lru_cache

from lsprotocol import types

from pml.syntax.source import Span


def utf16_len(text: str) -> int:
    """The length of `text` in UTF-16 code units."""
    if text.isascii():
        return len(text)
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _utf16_units(ch: str) -> int:
    return 2 if ord(ch) > 0xFFFF else 1


def _utf8_units(ch: str) -> int:
    code = ord(ch)
    return 1 if code < 0x80 else 2 if code < 0x800 else 3 if code < 0x10000 else 4


_UNITS = {"utf-16": _utf16_units, "utf-8": _utf8_units, "utf-32": lambda ch: 1}
_encoding = "utf-16"


def set_encoding(name: str | None) -> None:
    """Count characters in `name` units from now on ("utf-16", "utf-8" or "utf-32")."""
    global _encoding
    _encoding = name if name in _UNITS else "utf-16"


def units(text: str, encoding: str | None = None) -> int:
    """The length of `text` in the code units of `encoding` (default: the one in use)."""
    encoding = encoding or _encoding
    if text.isascii() or encoding == "utf-32":
        return len(text)
    if encoding == "utf-8":
        return len(text.encode("utf-8", "surrogatepass"))
    return utf16_len(text)


class LineIndex:
    """Where each line of a (newline-normalized) text starts, for fast conversions."""

    __slots__ = ("encoding", "starts", "text")

    def __init__(self, text: str, encoding: str | None = None) -> None:
        self.text = text
        self.encoding = encoding or _encoding
        starts = [0]
        find = text.find
        at = find("\n")
        while at != -1:
            starts.append(at + 1)
            at = find("\n", at + 1)
        self.starts = starts

    def position(self, offset: int) -> types.Position:
        """The LSP position of a character offset (clamped to the text)."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect_right(self.starts, offset) - 1
        return types.Position(line=line, character=units(self.text[self.starts[line] : offset], self.encoding))

    def offset(self, position: types.Position) -> int:
        """The character offset of an LSP position. A line past the end is the end of the text; a
        character past the end of its line is the end of that line (as the protocol says)."""
        if position.line < 0:
            return 0
        if position.line >= len(self.starts):
            return len(self.text)
        start = self.starts[position.line]
        end = self.starts[position.line + 1] - 1 if position.line + 1 < len(self.starts) else len(self.text)
        size = _UNITS[self.encoding]
        counted = 0
        at = start
        while at < end and counted < position.character:
            counted += size(self.text[at])
            at += 1
        return at

    def range(self, start: int, end: int) -> types.Range:
        return types.Range(start=self.position(start), end=self.position(max(start, end)))


def line_index(text: str) -> LineIndex:
    """The (cached) line index of a text, in the encoding in use."""
    return _line_index(text, _encoding)


@lru_cache(maxsize=64)
def _line_index(text: str, encoding: str) -> LineIndex:
    return LineIndex(text, encoding)


def span_range(span: Span) -> types.Range:
    """The LSP range of a span, in its own source's text."""
    return line_index(span.source.text).range(span.start, span.end)


ORIGIN = types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=0))
