"""`<table>`: tabular data from the context or from a csv, tsv, json, jsonl or xlsx file.

The data model (documented in `docs/language.md`, "Tables"):

1. **Records.** `records` is a list of objects (keys are fields) or a list of arrays (cells by
   position); `src` reads a file instead. CSV and TSV files have a header row; their cells are
   text, and a column whose every non-empty cell is a JSON number (or every one `true`/`false`)
   holds numbers (booleans), its empty cells null. JSON files hold a list of records, JSONL files
   one record per line, XLSX files (first sheet) a header row and typed cells.
2. **Columns.** `columns` lists `{field, header}` (a bare string is both); for arrays the columns
   name the cells in order. Without it the columns are the file's header, the union of the
   objects' keys in order of appearance, or `Column 0`, `Column 1`… for arrays.
3. **Selection**, in this order: `selectedColumns` (names, `index` for the row number, `+index`
   to prepend it, or a slice like `1:3`), `selectedRecords` (a slice or a list of indexes),
   then `maxRecords` and `maxColumns`, which keep the first half and the last half and put a
   `...` row (column) between them.
4. **Writing** (`pml.render.writers.table`): the syntax is the table's own `syntax` (markdown, csv, tsv,
   json, jsonl, yaml, xml, html, text), else the syntax around it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pml import limits, readers
from pml.compile.program import CNode
from pml.components import boxes as ir
from pml.components.layout import Ctx, LayoutContext
from pml.components.reading import read_bytes, read_text, resolve_path
from pml.components.text import handles_syntax
from pml.errors import limit_hint, render_error, suggest
from pml.readers import MissingExtra, ReadFailure, cached, need
from pml.registry import Attr, component

TABLE_SYNTAXES = ("markdown", "csv", "tsv", "json", "jsonl", "yaml", "xml", "html", "text")
PARSERS = ("auto", "csv", "tsv", "json", "jsonl", "excel")
SUFFIX_PARSERS = {".csv": "csv", ".tsv": "tsv", ".json": "json", ".jsonl": "jsonl", ".xlsx": "excel",
                  ".xlsm": "excel"}
ELLIPSIS = "..."
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")


@dataclass(slots=True)
class Column:
    """One column: `field` finds the cell in a record (a key, or a position for arrays)."""

    field: str | int
    header: str


@dataclass(slots=True)
class Grid:
    """Columns and rows of cells, one cell per column."""

    columns: list[Column]
    rows: list[list[Any]]


class TableProblem(ValueError):
    """A problem with the table's data; `attr` names the attribute to point at."""

    def __init__(self, message: str, attr: str | None = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.attr = attr
        self.hint = hint


@component("Table", "table",
           doc="Tabular data: `records` from the context or a file named by `src` (csv, tsv, json, "
               "jsonl, xlsx), written as a padded markdown table, csv, tsv, json, jsonl, yaml, xml, "
               "html or text. Reading .xlsx needs the optional readers: `pip install 'pml[documents]'`.",
           attrs=[Attr("records", "array", "The rows: a list of objects, or a list of arrays, usually "
                       "from an expression: `records=\"{{ rows }}\"`."),
                  Attr("columns", "array", "The columns: a list of `{field, header}` (or of names). For "
                       "arrays of arrays they name the cells in order."),
                  Attr("src", "string", "A csv, tsv, json, jsonl or xlsx file, relative to this prompt file."),
                  Attr("parser", "enum", "How to read `src`: auto (by extension), csv, tsv, json, jsonl or "
                       "excel.", PARSERS),
                  Attr("selectedColumns", "any", "The columns to keep: a list of names (`index` is the row "
                       "number), `+index`, or a slice like `1:3`."),
                  Attr("selectedRecords", "any", "The rows to keep: a slice like `2:5` or `-3:`, or a list "
                       "of indexes."),
                  Attr("maxRecords", "integer", "Show at most this many rows: the first and last ones, "
                       "with a `...` row between."),
                  Attr("maxColumns", "integer", "Show at most this many columns, with a `...` column "
                       "between."),
                  Attr("syntax", "enum", "How the table is written: markdown, csv, tsv, json, jsonl, yaml, "
                       "xml, html or text. Default: the syntax around it.", TABLE_SYNTAXES)])
@handles_syntax
def layout_table(r: LayoutContext, node: CNode, attrs: Mapping[str, Any], scope: dict[str, Any],
                 ctx: Ctx) -> list[ir.Box]:
    options = dict(attrs.get("writerOptions") or {})
    try:
        _check_options(options)
        grid = select(load(r, node, attrs), attrs)
    except TableProblem as problem:
        span = _attr_span(node, problem.attr) if problem.attr else node.span
        raise render_error(str(problem), span, problem.hint) from None
    if not grid.columns:
        return []
    return [ir.Table([c.header for c in grid.columns], grid.rows, attrs.get("syntax"), options)]


def _attr_span(node: CNode, name: str) -> Any:
    attr = node.element.attribute(name)
    return (attr.value_span or attr.span) if attr is not None else node.span


def _check_options(options: dict[str, Any]) -> None:
    separator = options.get("csvSeparator")
    if separator is not None and (not isinstance(separator, str) or len(separator) != 1):
        raise TableProblem(f"`csvSeparator` should be one character, not {json.dumps(separator)}",
                           "writerOptions")


# ---------------------------------------------------------------------- loading


def load(r: LayoutContext, node: CNode, attrs: Mapping[str, Any]) -> Grid:
    """The table's columns and rows, from `records` or from the file `src`."""
    records = attrs.get("records")
    src = attrs.get("src")
    given = _given_columns(attrs.get("columns"))
    if records is not None and src:
        raise TableProblem("`<table>` takes `records` or `src`, not both", "src")
    if records is not None:
        return from_records(records, given, "records")
    if not src:
        raise TableProblem("`<table>` needs `records` or `src`", None,
                           'give the rows with records="{{ rows }}", or a file with src="data.csv"')
    return read_file(r, node, str(src), attrs.get("parser") or "auto", given)


def _given_columns(value: Any) -> list[Column] | None:
    if value is None:
        return None
    if not isinstance(value, list):
        raise TableProblem("`columns` should be a list of `{field, header}` objects", "columns")
    columns = []
    for item in value:
        if isinstance(item, str):
            columns.append(Column(item, item))
        elif isinstance(item, dict) and ("field" in item or "header" in item):
            field = item.get("field", item.get("header"))
            header = item.get("header", field)
            columns.append(Column(field if isinstance(field, int) else str(field), str(header)))
        else:
            raise TableProblem("each column should be a name or an object with `field` and `header`",
                               "columns")
    return columns


def from_records(records: Any, given: list[Column] | None, attr: str) -> Grid:
    """A grid from a list of objects or a list of arrays."""
    if not isinstance(records, list):
        kind = "an object" if isinstance(records, dict) else type(records).__name__
        raise TableProblem(f"`{attr}` should be a list of records, not {kind}", attr,
                           "pass a list of objects or of arrays")
    if all(isinstance(rec, dict) for rec in records):
        columns = given if given is not None else [Column(k, k) for k in _keys(records)]
        check_cells(len(records), len(columns), attr)
        return Grid(columns, [[rec.get(c.field) if isinstance(c.field, str) else rec.get(str(c.field))
                               for c in columns] for rec in records])
    if all(isinstance(rec, list) for rec in records):
        width = max([len(rec) for rec in records] + [len(given or ())])
        check_cells(len(records), width, attr)
        columns = list(given or [])
        columns += [Column(i, f"Column {i}") for i in range(len(columns), width)]
        return Grid(columns, [[rec[i] if i < len(rec) else None for i in range(width)] for rec in records])
    raise TableProblem(f"`{attr}` should hold only objects or only arrays", attr)


def check_cells(rows: int, columns: int, attr: str) -> None:
    """Refuse a table of more than `max_table_cells` cells (short rows are padded to the width,
    so a few wide rows among many short ones would otherwise multiply)."""
    limit = limits.current().max_table_cells
    if rows * columns > limit:
        raise TableProblem(f"the table would hold {rows:,} rows × {columns:,} columns, more than {limit:,} cells "
                           "(the limit `max_table_cells`)", attr,
                           limit_hint("max_table_cells", "select fewer rows or columns"))


def _keys(records: list[dict[str, Any]]) -> list[str]:
    keys: dict[str, None] = {}
    for record in records:
        keys.update(dict.fromkeys(str(k) for k in record))
    return list(keys)


def pick_columns(grid: Grid, given: list[Column]) -> Grid:
    """The columns named by `columns` (their fields are header names of the file), renamed."""
    names = [str(c.field) for c in grid.columns]
    picks = []
    for column in given:
        if str(column.field) not in names:
            raise TableProblem(f"`columns` names `{column.field}`, which the table does not have", "columns",
                               suggest(str(column.field), names) or f"its columns are {', '.join(names)}")
        picks.append(names.index(str(column.field)))
    return Grid(given, [[row[i] for i in picks] for row in grid.rows])


# ---------------------------------------------------------------------- files


def read_file(r: LayoutContext, node: CNode, src: str, parser: str, given: list[Column] | None) -> Grid:
    """Read `src` with `parser` (auto: by the file's extension); `given` columns pick and rename."""
    path = resolve_path(r, node, src, "table")
    if parser == "auto":
        parser = _parser_for(path, src)
    if parser == "excel":
        grid = read_xlsx(read_bytes(r, node, path, src, "table"), src)
    else:
        text = read_text(r, node, path, src, "table").removeprefix("\ufeff")
        if parser in ("json", "jsonl"):
            return from_records(_json_records(text, parser, src), given, "src")
        grid = read_delimited(text, "," if parser == "csv" else "\t")
    return pick_columns(grid, given) if given is not None else grid


def _parser_for(path: Path, src: str) -> str:
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise TableProblem(f"old Excel .xls files cannot be read: {src}", "src", "save it as .xlsx")
    if suffix not in SUFFIX_PARSERS:
        raise TableProblem(f"cannot tell how to read `{src}` as a table", "src",
                           'name a .csv, .tsv, .json, .jsonl or .xlsx file, or set parser="csv" (tsv, json, '
                           "jsonl, excel)")
    return SUFFIX_PARSERS[suffix]


def _json_records(text: str, parser: str, src: str) -> Any:
    lines = text.splitlines() if parser == "jsonl" else [text]
    values = []
    for number, line in enumerate(lines, 1):
        if parser == "jsonl" and not line.strip():
            continue
        try:
            values.append(json.loads(line))
        except json.JSONDecodeError as exc:
            where = f"line {number}" if parser == "jsonl" else f"line {exc.lineno} column {exc.colno}"
            raise TableProblem(f"`{src}` is not valid {parser.upper()}: {exc.msg} at {where}", "src") from None
    return values if parser == "jsonl" else values[0]


def read_delimited(text: str, separator: str) -> Grid:
    """CSV or TSV text with a header row; column types are inferred (`infer`)."""
    rows = [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=separator) if row]
    if not rows:
        return Grid([], [])
    header, body = rows[0], rows[1:]
    width = max(len(row) for row in rows)
    check_cells(len(rows), width, "src")
    columns = [Column(name, name) for name in header]
    columns += [Column(f"Column {i}", f"Column {i}") for i in range(len(header), width)]
    cells = [row + [""] * (width - len(row)) for row in body]
    return Grid(columns, infer(cells, width))


def infer(rows: list[list[str]], width: int) -> list[list[Any]]:
    """Give each column a type: numbers if every non-empty cell is a JSON number, booleans if every
    one is true/false (any case), else text. Empty cells of a typed column become null."""
    out: list[list[Any]] = [list(row) for row in rows]
    for i in range(width):
        filled = [row[i] for row in rows if row[i] != ""]
        if not filled:
            continue
        if all(_NUMBER.fullmatch(v) and math.isfinite(float(v)) for v in filled):
            convert: Any = _number
        elif all(v.lower() in ("true", "false") for v in filled):
            convert = _boolean
        else:
            continue
        for row in out:
            row[i] = convert(row[i]) if row[i] != "" else None
    return out


def _number(text: str) -> int | float:
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    value = float(text)
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def _boolean(text: str) -> bool:
    return text.lower() == "true"


def read_xlsx(data: bytes, src: str) -> Grid:
    """The first sheet of an .xlsx workbook: a header row, then typed rows (read with openpyxl)."""
    try:
        need("openpyxl", "reading .xlsx files")
    except MissingExtra as exc:
        raise TableProblem(str(exc), "src") from None
    try:
        options = (*readers.archive.limits_key(), limits.current().max_table_cells)
        rows = cached("xlsx", data, options, lambda: _xlsx_rows(data))
    except ReadFailure as exc:
        raise TableProblem(f"cannot read `{src}` as an Excel workbook: {exc}", "src", exc.hint) from None
    except Exception as exc:  # openpyxl raises many kinds of error for a broken file
        raise TableProblem(f"cannot read `{src}` as an Excel workbook: {exc}", "src") from None
    if not rows:
        return Grid([], [])
    header = list(rows[0])
    while header and header[-1] in (None, ""):
        header.pop()
    columns = [Column(f"Column {i}" if h in (None, "") else str(h), "" if h is None else str(h))
               for i, h in enumerate(header)]
    body = [[row[i] if i < len(row) else None for i in range(len(header))] for row in rows[1:]]
    return Grid(columns, body)


def _xlsx_rows(data: bytes) -> list[tuple[Any, ...]]:
    import openpyxl

    readers.archive.check_zip(data)  # before openpyxl unpacks anything
    limit = limits.current().max_table_cells
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        too_many = ReadFailure(f"the first sheet holds more than {limit:,} cells (the limit `max_table_cells`)",
                               limit_hint("max_table_cells", "select fewer rows or columns"))
        if (sheet.max_row or 0) * (sheet.max_column or 0) > limit:  # its declared size: fail before reading
            raise too_many
        rows: list[tuple[Any, ...]] = []
        cells = 0
        for row in sheet.iter_rows(values_only=True):  # rows come padded to the sheet's width
            cells += max(1, len(row))
            if cells > limit:  # the declared size was missing or wrong
                raise too_many
            rows.append(tuple(_cell(v) for v in row))
        return rows
    finally:
        workbook.close()


def _cell(value: Any) -> Any:
    """An Excel cell as a JSON-like value: dates in ISO form, whole floats as integers."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


# ---------------------------------------------------------------------- selection


def select(grid: Grid, attrs: Mapping[str, Any]) -> Grid:
    """Apply selectedColumns, selectedRecords, maxRecords and maxColumns, in that order."""
    if attrs.get("selectedColumns") not in (None, ""):
        grid = select_columns(grid, _json_text(attrs["selectedColumns"], "selectedColumns"))
    if attrs.get("selectedRecords") not in (None, ""):
        grid = Grid(grid.columns, select_records(grid.rows, _json_text(attrs["selectedRecords"], "selectedRecords")))
    if attrs.get("maxRecords") is not None:
        grid = Grid(grid.columns, elide(grid.rows, _limit(attrs["maxRecords"], "maxRecords"),
                                         [ELLIPSIS] * len(grid.columns)))
    if attrs.get("maxColumns") is not None:
        grid = limit_columns(grid, _limit(attrs["maxColumns"], "maxColumns"))
    return grid


def _json_text(value: Any, attr: str) -> Any:
    """A written list (`'["a", "b"]'`) is read as JSON; other values are used as they are."""
    if isinstance(value, str) and value.strip().startswith("["):
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            raise TableProblem(f"`{attr}` is not a valid JSON list: {exc.msg}", attr) from None
    return value


def _limit(value: Any, attr: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise TableProblem(f"`{attr}` should be a whole number of at least 1, not {json.dumps(value)}", attr)
    return value


def parse_slice(text: str, length: int, attr: str) -> slice:
    """A Python-style slice (`1:3`, `-2:`, `:4`, `:`) or one index (`2`, `-1`)."""
    parts = text.strip().split(":")
    try:
        numbers = [int(p) if p.strip() else None for p in parts]
    except ValueError:
        numbers = []
    if len(parts) > 2 or not numbers:
        raise TableProblem(f"`{attr}` should be a slice like `1:3`, `-2:` or `2`, not `{text}`", attr)
    if len(numbers) == 1:
        index = numbers[0]
        if index is None or not -length <= index < length:
            raise TableProblem(f"`{attr}` index {text.strip()} is out of range (the table has {length})", attr)
        index %= length
        return slice(index, index + 1)
    return slice(numbers[0], numbers[1])


def select_columns(grid: Grid, selection: Any) -> Grid:
    """Keep the named columns (`index` is the row number), `+index`, or a slice of the columns."""
    if selection == "+index":
        selection = ["index", *(c.field for c in grid.columns)]
    if isinstance(selection, (str, int)) and not isinstance(selection, bool):
        chosen = slice_of(list(range(len(grid.columns))), str(selection), "selectedColumns")
        return Grid([grid.columns[i] for i in chosen], [[row[i] for i in chosen] for row in grid.rows])
    if not isinstance(selection, list):
        raise TableProblem("`selectedColumns` should be a list of column names or a slice like `1:3`",
                           "selectedColumns")
    picks = [_find_column(grid.columns, name) for name in selection]
    columns = [Column("index", "Index") if i is None else grid.columns[i] for i in picks]
    rows = [[n if i is None else row[i] for i in picks] for n, row in enumerate(grid.rows)]
    return Grid(columns, rows)


def _find_column(columns: list[Column], name: Any) -> int | None:
    """The position of the column named `name` (by field, then header); None for `index`."""
    for attribute in ("field", "header"):
        for i, column in enumerate(columns):
            if str(getattr(column, attribute)) == str(name):
                return i
    if name == "index":
        return None
    names = [str(c.field) for c in columns]
    raise TableProblem(f"`selectedColumns` names `{name}`, which the table does not have", "selectedColumns",
                       suggest(str(name), names) or f"its columns are {', '.join(names)}")


def slice_of(items: list[Any], text: str, attr: str) -> list[Any]:
    return items[parse_slice(text, len(items), attr)]


def select_records(rows: list[list[Any]], selection: Any) -> list[list[Any]]:
    """Rows by a slice (`2:5`) or by a list of indexes (`[0, 2]`, negative counting from the end)."""
    if isinstance(selection, (str, int)) and not isinstance(selection, bool):
        return slice_of(rows, str(selection), "selectedRecords")
    if not isinstance(selection, list):
        raise TableProblem("`selectedRecords` should be a slice like `2:5` or a list of indexes", "selectedRecords")
    out = []
    for index in selection:
        if isinstance(index, bool) or not isinstance(index, int) or not -len(rows) <= index < len(rows):
            raise TableProblem(f"`selectedRecords` index {json.dumps(index)} is out of range "
                               f"(the table has {len(rows)} rows)", "selectedRecords")
        out.append(rows[index])
    return out


def elide(items: list[Any], limit: int, filler: Any) -> list[Any]:
    """At most `limit` items: the first ⌈limit/2⌉ and the last ⌊limit/2⌋, with `filler` between."""
    if len(items) <= limit:
        return items
    top, bottom = (limit + 1) // 2, limit // 2
    return [*items[:top], filler, *(items[len(items) - bottom:] if bottom else [])]


def limit_columns(grid: Grid, limit: int) -> Grid:
    """At most `limit` columns, with a `...` column between the first and the last ones."""
    if len(grid.columns) <= limit:
        return grid
    positions = elide(list(range(len(grid.columns))), limit, None)
    columns = [Column(ELLIPSIS, ELLIPSIS) if i is None else grid.columns[i] for i in positions]
    rows = [[ELLIPSIS if i is None else row[i] for i in positions] for row in grid.rows]
    return Grid(columns, rows)
