"""Source texts and spans: where every node, diagnostic and error points.

Lines and columns are 1-based (as editors show them); offsets are 0-based character offsets
into the text. Conversion to the 0-based UTF-16 positions of the Language Server Protocol happens
only at that boundary (`pml/lsp/position.py`).
"""

from __future__ import annotations

from bisect import bisect_right
from pathlib import Path
from typing import NamedTuple


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
        text = path.read_text(encoding="utf-8")
        return cls(normalize_newlines(text), display or str(path), path.resolve())

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

    def line_text(self, line: int) -> str:
        starts = self._starts()
        if not 1 <= line <= len(starts):
            return ""
        end = starts[line] - 1 if line < len(starts) else len(self.text)
        return self.text[starts[line - 1] : end]

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

    def excerpt(self) -> str:
        """The first source line of the span with a caret line under the spanned columns."""
        line, column = self.source.position(self.start)
        end_line, end_column = self.source.position(self.end)
        text = self.source.line_text(line)
        width = (end_column - column) if end_line == line else len(text) - column + 1
        width = max(1, min(width, max(1, len(text) - column + 1)))
        prefix = "".join(ch if ch == "\t" else " " for ch in text[: column - 1])
        return f"  {text}\n  {prefix}{'^' * width}"

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


def normalize_newlines(text: str) -> str:
    """CRLF and lone CR become LF before anything else looks at the text."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text
