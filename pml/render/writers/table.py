"""Writing a `Table` box: a padded markdown pipe table, CSV/TSV, JSON lines, plain text, or records.

A table box holds column names (`columns`) and rows of cell values (`rows`, one value per
column). Cell values are written with `pml.values.to_text`: numbers as JavaScript prints them,
null as an empty cell, lists and objects as compact JSON.

- **markdown**: a GitHub pipe table padded as POML pads it: every cell is padded to the width of
  its column (counted in UTF-16 units, as JavaScript counts), the separator row has as many
  dashes as the column is wide, `|` in a cell is written `\\|`, a line break in a cell (with
  the spaces around it) becomes one space, and spaces at the ends of a cell are dropped.
  `markdownTableCollapse` drops the padding.
- **csv** / **tsv**: RFC 4180 through the `csv` module: a cell is quoted when it holds the
  separator, a quote or a line break, and quotes inside are doubled. `csvHeader: false` drops
  the header row; `csvSeparator` (one character) replaces the comma (or the tab).
- **jsonl**: one compact JSON object per row, keyed by column name.
- **text**: tab-separated columns, the header row first; tabs and line breaks in cells become
  spaces (for reading, not for parsing back).
- In json, yaml and xml a table is its **records**: a list of objects keyed by column name.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from pml.components import boxes as ir
from pml.render import writers
from pml.values import to_json, to_text

LINE_SYNTAXES = ("csv", "tsv", "jsonl", "text")
"""Syntaxes written in place inside markdown (never fenced)."""
FENCED_SYNTAXES = ("json", "yaml", "xml", "html")
"""Syntaxes written as a fenced block inside markdown, like any subtree in that syntax."""

_LINE_BREAK = re.compile(r"[ \t]*(?:\r\n|\r|\n)[ \t\r\n]*")


def records(box: ir.Table) -> list[dict[str, Any]]:
    """The rows as objects keyed by column name (what json, yaml and xml write)."""
    return [dict(zip(box.columns, row, strict=False)) for row in box.rows]


def table_value(box: ir.Table) -> Any:
    """What a table stands for in a serialized syntax: its records, or its text when the table
    asked for a syntax of its own that is not a serialized one (csv inside json is a string)."""
    syntax = box.syntax
    if syntax in (None, "json", "yaml", "xml"):
        return records(box)
    if syntax == "html":
        return writers.html.write_html([replace(box, syntax=None)], box.options)
    return write_table(box, syntax)


def write_table(box: ir.Table, syntax: str) -> str:
    """A table as text in markdown, csv, tsv, jsonl or text."""
    options = box.options
    if syntax == "csv" or syntax == "tsv":
        separator = options.get("csvSeparator", "," if syntax == "csv" else "\t")
        header = options.get("csvHeader", True) is not False
        return delimited(box.columns, box.rows, str(separator), header=header)
    if syntax == "jsonl":
        return "\n".join(to_json(record) for record in records(box))
    if syntax == "text":
        return plain(box.columns, box.rows)
    return markdown(box.columns, box.rows, collapse=options.get("markdownTableCollapse") is True)


# ---------------------------------------------------------------------- markdown


def _width(text: str) -> int:
    """Length in UTF-16 code units, as JavaScript's `length` (POML pads by it)."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def markdown_cell(value: Any) -> str:
    """A value as one markdown table cell: line breaks become a space, the spaces at its ends
    (which markdown ignores) go, `|` is escaped."""
    return _LINE_BREAK.sub(" ", to_text(value)).strip().replace("|", "\\|")


def markdown(columns: Sequence[str], rows: Sequence[Sequence[Any]], *, collapse: bool = False) -> str:
    """A GitHub pipe table, padded to column widths unless `collapse`."""
    if not columns:
        return ""
    head = [markdown_cell(c) for c in columns]
    body = [[markdown_cell(v) for v in row] for row in rows]
    widths = [max(_width(r[i]) for r in (head, *body)) for i in range(len(head))]

    def line(cells: list[str]) -> str:
        if collapse:
            return "| " + " ".join(cell + " |" for cell in cells)
        return "| " + " ".join(cell + " " * (w - _width(cell)) + " |" for cell, w in zip(cells, widths, strict=True))

    dashes = [min(w, 3) if collapse else w for w in widths]
    separator = "| " + " | ".join("-" * max(1, d) for d in dashes) + " |"
    return "\n".join([line(head), separator, *(line(cells) for cells in body)])


# ---------------------------------------------------------------------- csv, tsv, text


def delimited(columns: Sequence[str], rows: Sequence[Sequence[Any]], separator: str, *, header: bool = True) -> str:
    """RFC 4180 delimited text (quotes only where needed), rows joined by `\\n`."""
    if not columns:
        return ""
    # The writer quotes cells holding a character of its line terminator: with "\r\n" that is
    # any CR or LF. Each row is written alone and its terminator replaced by "\n".
    out = io.StringIO()
    writer = csv.writer(out, delimiter=separator, quotechar='"', lineterminator="\r\n",
                        quoting=csv.QUOTE_MINIMAL, doublequote=True)
    lines = []
    for row in ([list(columns)] if header else []) + [list(r) for r in rows]:
        out.seek(0)
        out.truncate()
        writer.writerow([to_text(v) for v in row])
        lines.append(out.getvalue().removesuffix("\r\n"))
    return "\n".join(lines)


def plain(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Tab-separated text for reading: no quoting, tabs and line breaks in cells become spaces."""
    if not columns:
        return ""

    def cell(value: Any) -> str:
        return _LINE_BREAK.sub(" ", to_text(value)).replace("\t", " ")

    return "\n".join("\t".join(cell(v) for v in row) for row in [list(columns), *rows])
