"""Source texts and spans: where every node, diagnostic and error points.

Lines and columns are 1-based (as editors show them); offsets are 0-based character offsets
into the text. Conversion to the 0-based UTF-16 positions of the Language Server Protocol happens
only at that boundary (`pml/lsp/position.py`).
"""

from __future__ import annotations

import codecs
import unicodedata
from bisect import bisect_right
from pathlib import Path
from typing import NamedTuple

from pml import files, limits
from pml.errors import Diagnostic, PMLCompileError, PMLSyntaxError, syntax_error
from pml.syntax.printable import visible


class Source:
    """One text being compiled: a file's contents or a string, with a name to show in messages."""

    __slots__ = ("_line_starts", "base", "name", "path", "text")

    def __init__(self, text: str, name: str = "<string>", path: Path | None = None,
                 base: Path | None = None) -> None:
        self.text = text
        self.name = name
        self.path = path
        self.base = base
        self._line_starts: list[int] | None = None

    @classmethod
    def from_path(cls, path: Path, display: str | None = None) -> Source:
        """Read a UTF-8 file (see `read_source`)."""
        return read_source(path, display)

    @property
    def directory(self) -> Path:
        """The folder relative paths in this source resolve against."""
        if self.base is not None:
            return self.base
        return self.path.parent if self.path is not None else Path.cwd()

    def _starts(self) -> list[int]:
        if self._line_starts is None:
            starts = [0]
            find = self.text.find
            pos = find("\n")
            while pos != -1:
                starts.append(pos + 1)
                pos = find("\n", pos + 1)
            self._line_starts = starts
        return self._line_starts

    def position(self, offset: int) -> tuple[int, int]:
        """Return the 1-based (line, column) of a character offset."""
        starts = self._starts()
        offset = max(0, min(offset, len(self.text)))
        index = bisect_right(starts, offset) - 1
        return index + 1, offset - starts[index] + 1

    def offset(self, line: int, column: int) -> int:
        starts = self._starts()
        line = max(1, min(line, len(starts)))
        return min(starts[line - 1] + column - 1, len(self.text))

    def line_bounds(self, line: int) -> tuple[int, int]:
        """The offsets where a line starts and ends (its newline excluded); (0, 0) past the text."""
        starts = self._starts()
        if not 1 <= line <= len(starts):
            return 0, 0
        end = starts[line] - 1 if line < len(starts) else len(self.text)
        return starts[line - 1], end

    def line_text(self, line: int) -> str:
        start, end = self.line_bounds(line)
        return self.text[start:end]

    def span(self, start: int, end: int | None = None) -> Span:
        return Span(self, start, start if end is None else end)

    def whole(self) -> Span:
        return self.span(0, len(self.text))

    def __repr__(self) -> str:
        return f"Source({self.name!r})"


class Span(NamedTuple):
    """A range in a source. Spans never take part in the equality of the nodes that carry them.

    A span stores offsets; lines and columns (1-based) are worked out when asked for, since
    most spans are only read when something goes wrong. (A named tuple: spans are made by the
    thousand, and a tuple is the cheapest immutable value Python has.)
    """

    source: Source
    start: int
    end: int

    @property
    def line(self) -> int:
        return self.source.position(self.start)[0]

    @property
    def column(self) -> int:
        return self.source.position(self.start)[1]

    @property
    def end_line(self) -> int:
        return self.source.position(self.end)[0]

    @property
    def end_column(self) -> int:
        return self.source.position(self.end)[1]

    @property
    def file(self) -> str:
        return self.source.name

    def excerpt(self, width: int | None = None) -> str:
        """The first source line of the span with a caret line under the spanned columns.

        A line longer than `width` characters (default: the `excerpt_width` limit) is cut to a
        window around the caret, with `…` where it was cut. Control characters and lone
        surrogates are shown as visible symbols, so that the excerpt can always be printed.
        """
        if not self.source.text:
            return ""
        line, column = self.source.position(self.start)
        end_line, end_column = self.source.position(self.end)
        line_start, line_end = self.source.line_bounds(line)
        length = line_end - line_start
        first = column - 1
        last = (end_column - 1) if end_line == line else length
        last = max(first + 1, min(last, length))
        width = max(8, width or limits.current().excerpt_width)
        lo, hi = 0, length
        if hi > width:
            lo = max(0, min(first - width // 4, hi - width))
            hi = lo + width
        # Only the window is ever copied out of the text, however long the line.
        window = self.source.text[line_start + lo : line_start + hi]
        if not window.isascii():
            cut_lo, cut_hi = _fit(window, first - lo, width)
            window = window[cut_lo:cut_hi]
            lo, hi = lo + cut_lo, lo + cut_hi
        shown = visible(window)
        before = "…" if lo > 0 else ""
        after = "…" if hi < length else ""
        pad = _pad(shown[: first - lo])
        carets = max(1, _display_width(shown[first - lo : min(last, hi) - lo]))
        return f"  {before}{shown}{after}\n  {' ' * len(before)}{pad}{'^' * carets}"

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


def _char_width(char: str) -> int:
    if char == "\t":
        return 1
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def _display_width(text: str) -> int:
    return len(text) if text.isascii() else sum(_char_width(c) for c in text)


def _fit(text: str, caret: int, width: int) -> tuple[int, int]:
    """The part `lo:hi` of `text` at most `width` columns wide on screen (wide characters take
    two), cut on the side with more context around `caret`."""
    lo, hi = 0, len(text)
    used = _display_width(text)
    while used > width and hi - lo > 1:
        if caret - lo > hi - caret - 1:
            used -= _char_width(text[lo])
            lo += 1
        else:
            hi -= 1
            used -= _char_width(text[hi])
    return lo, hi


def _pad(text: str) -> str:
    """Blanks as wide on screen as `text` (tabs kept, so that the caret lines up under them)."""
    if text.isascii():
        return "".join(c if c == "\t" else " " for c in text)
    return "".join(c if c == "\t" else " " * _char_width(c) for c in text)


def normalize_newlines(text: str) -> str:
    """CRLF and lone CR become LF before anything else looks at the text."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


# ---------------------------------------------------------------- reading files

_BOM = codecs.BOM_UTF8


def decode(data: bytes, name: str, path: Path | None = None) -> Source:
    """A `Source` from the bytes of a UTF-8 file (a leading byte-order mark is dropped).

    Bytes that are not UTF-8 raise a `PMLSyntaxError` at the line and column of the first bad
    byte, its excerpt showing the line with the bad bytes as U+FFFD.
    """
    if data.startswith(_BOM):
        data = data[len(_BOM):]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _not_utf8(data, exc, name, path) from None
    return Source(normalize_newlines(text), name, path)


def read_source(path: Path, display: str | None = None) -> Source:
    """Read a prompt file as a `Source` named `display` (default: the path).

    Raises a located `PMLSyntaxError` when the file is not UTF-8, and a `PMLCompileError` naming
    the file when it cannot be read: missing, not a regular file (a FIFO is never opened), larger
    than the `max_file_size` limit.
    """
    name = display or str(path)
    try:
        data = files.read_file(path)  # regular files only, never blocking, at most `max_file_size` bytes
    except files.FileProblem as problem:
        where = Source("", name, path).span(0)
        raise PMLCompileError(Diagnostic("error", f"cannot read the file: {problem.reason}", where, problem.hint,
                                         "io")) from None
    return decode(data, name, path.resolve())


def _not_utf8(data: bytes, exc: UnicodeDecodeError, name: str, path: Path | None) -> PMLSyntaxError:
    good = normalize_newlines(data[: exc.start].decode("utf-8"))
    shown = normalize_newlines(data.decode("utf-8", errors="replace"))
    bad = data[exc.start : max(exc.end, exc.start + 1)]
    source = Source(shown, name, path)
    what = " ".join(f"0x{b:02X}" for b in bad[:4])
    return syntax_error(
        f"the file is not UTF-8 text: the byte{'s' if len(bad) > 1 else ''} {what} cannot be decoded",
        source.span(len(good), len(good) + 1),
        "save the file as UTF-8 (a file in Latin-1 or Windows-1252 has bytes like these for accented letters)",
    )
