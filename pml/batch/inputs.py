"""Batch inputs: JSONL, CSV and Parquet files, named one by one, as folders or as globs.

Each input is streamed in blocks of rows, never read whole: a block is what the driver reads
(`Block`: raw JSONL lines, CSV records, or Arrow record batches of a Parquet file, read row
group by row group), and a worker decodes it into the rows' contexts (`decode`). Reading and
decoding are separate so that decoding and rendering run in parallel.

Every block of a file holds `size` rows but the last, whatever the columns read, so a file of
N rows is ceil(N / size) blocks. A block that reading can start at (`Block.at`: the byte
offset and the lines before it in a JSONL or CSV file; the row group and the rows before it in
a Parquet file, when the block starts a row group) lets another process read the blocks from
there on (`blocks_from`) without reading what comes before.

- JSONL (`.jsonl`, `.ndjson`): one JSON object a line, UTF-8; blank lines are skipped.
- CSV (`.csv`): a header line, then one record a row (RFC 4180 quoting, UTF-8, a BOM is
  skipped); every value is text. A record whose field count differs from the header's stops
  the run.
- Parquet (`.parquet`, `.pq`, needs pyarrow): nested values become lists and objects,
  dates and times ISO 8601 text, decimals numbers, bytes text (UTF-8) or base64.

A folder stands for the input files in it and its subfolders (sorted by path), a glob for the
files it matches (sorted). Any problem names the file, and the line (JSONL, CSV) or the row
(Parquet).
"""

from __future__ import annotations

import base64
import csv
import datetime
import decimal
import glob
import hashlib
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pml import limits
from pml.batch.errors import BatchError, InputProblem

Blocks = Iterator[tuple[Any, Sequence[int], "At | None"]]

SUFFIXES = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
_GLOB = frozenset("*?[")
_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class InputFile:
    """One input file: where it is, how the user named it, and its format."""

    path: Path
    shown: str
    kind: str


@dataclass(frozen=True, slots=True)
class At:
    """Where reading a file can start: `offset` is a byte offset (JSONL, CSV) or a row group
    (Parquet), `number` the lines (JSONL, CSV) or the rows (Parquet) before it."""

    offset: int
    number: int


@dataclass(frozen=True, slots=True)
class Block:
    """Consecutive rows of one input file as read: `data` is a tuple of JSONL lines (bytes), a
    CSV `(header, records)` pair, or a Parquet record batch or table. `places` are the rows' line
    numbers (JSONL, CSV) or their row numbers in the file, from 1 (Parquet). `at` is where
    reading can start to read this block first, when it can (module docstring)."""

    file: str
    kind: str
    first: int
    data: Any
    places: Sequence[int]
    at: At | None = None

    def __len__(self) -> int:
        return len(self.places)

    def where(self, offset: int) -> str:
        """`data.jsonl:17` (the line) or `data.parquet row 17` for the row at `offset` in the block."""
        place = self.places[offset]
        return f"{self.file} row {place}" if self.kind == "parquet" else f"{self.file}:{place}"


def expand(data: Sequence[str | os.PathLike[str]]) -> list[InputFile]:
    """The input files `data` names: files, folders and globs, in the order given."""
    if not data:
        raise BatchError("no input: name one or more .jsonl, .csv or .parquet files, folders or globs")
    found: list[InputFile] = []
    seen: dict[Path, str] = {}
    for item in data:
        text = os.fspath(item)
        path = Path(text)
        if path.is_dir():
            matches = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
            if not matches:
                raise BatchError(f"{text}: the folder holds no .jsonl, .csv or .parquet file")
            shown = [str(p) for p in matches]
        elif path.is_file():
            if path.suffix.lower() not in SUFFIXES:
                raise BatchError(f"{text}: not an input format PML reads", "name the file .jsonl, .csv or .parquet")
            matches, shown = [path], [text]
        elif any(c in text for c in _GLOB):
            names = sorted(glob.glob(text, recursive=True))
            matches = [Path(n) for n in names if Path(n).is_file() and Path(n).suffix.lower() in SUFFIXES]
            if not matches:
                raise BatchError(f"{text}: no .jsonl, .csv or .parquet file matches")
            shown = [str(p) for p in matches]
        else:
            raise BatchError(f"{text}: no such file or folder")
        for match, name in zip(matches, shown, strict=True):
            key = match.resolve()
            if key in seen:
                raise BatchError(f"{name}: the input is named twice (also as {seen[key]})")
            seen[key] = name
            found.append(InputFile(match, name, SUFFIXES[match.suffix.lower()]))
    return found


def fingerprint(file: InputFile) -> tuple[int, str]:
    """The file's size and SHA-256, read in pieces."""
    hasher = hashlib.sha256()
    size = 0
    with _open(file) as handle:
        while piece := handle.read(1 << 20):
            hasher.update(piece)
            size += len(piece)
    return size, hasher.hexdigest()


def _open(file: InputFile) -> Any:
    try:
        return open(file.path, "rb")
    except OSError as exc:
        raise BatchError(f"{file.shown}: cannot read the input: {_reason(exc)}") from None


def _reason(exc: OSError) -> str:
    text = exc.strerror or str(exc) or type(exc).__name__
    return text[:1].lower() + text[1:]


# ---------------------------------------------------------------- JSONL
def _jsonl_blocks(file: InputFile, size: int, need: Sequence[str], only: Sequence[str] | None,
                  at: At | None) -> Blocks:
    lines: list[bytes] = []
    places: list[int] = []
    with _open(file) as handle:
        start = _seek(file, handle, at)
        for number, raw in enumerate(_lines(file, handle, start.number), start.number + 1):
            if number == 1 and raw.startswith(_BOM):
                raw = raw[len(_BOM):]
            if not raw.strip():
                continue
            lines.append(raw)
            places.append(number)
            if len(lines) == size:
                yield tuple(lines), places, start
                lines, places = [], []
                start = At(handle.tell(), number)
        if lines:
            yield tuple(lines), places, start


def _seek(file: InputFile, handle: Any, at: At | None) -> At:
    """Move to `at` (the file's start when it is None), and say where reading starts."""
    if at is None:
        return At(0, 0)
    try:
        handle.seek(at.offset)
    except OSError as exc:
        raise BatchError(f"{file.shown}: cannot read the input: {_reason(exc)}") from None
    return at


def _lines(file: InputFile, handle: Any, number: int = 0) -> Iterator[bytes]:
    """The file's lines after the first `number`, none longer than the `max_string` limit (a
    longer one stops the run)."""
    longest = limits.current().max_string
    while True:
        try:
            line = handle.readline(longest + 1)
        except OSError as exc:
            raise BatchError(f"{file.shown}: cannot read the input: {_reason(exc)}") from None
        if not line:
            return
        number += 1
        if len(line) > longest and not line.endswith(b"\n"):
            raise BatchError(f"{file.shown}:{number}: the line is longer than {longest:,} bytes",
                             "raise the limit with --limit max_string=N")
        yield line


def _jsonl_decode(block: Block) -> list[dict[str, Any]]:
    rows = []
    for offset, line in enumerate(block.data):
        try:
            row = json.loads(line)
        except UnicodeDecodeError as exc:
            raise InputProblem(f"{block.where(offset)}: the line is not UTF-8 text (byte "
                               f"0x{line[exc.start]:02x})") from None
        except json.JSONDecodeError as exc:
            raise InputProblem(f"{block.where(offset)}:{exc.colno}: not valid JSON: {exc.msg}") from None
        except RecursionError:
            raise InputProblem(f"{block.where(offset)}: the JSON is nested too deeply") from None
        if not isinstance(row, dict):
            raise InputProblem(f"{block.where(offset)}: a row must be a JSON object, not {_kind(row)}")
        rows.append(row)
    return rows


def _kind(value: Any) -> str:
    return {list: "a list", str: "a string", bool: "a boolean", type(None): "null"}.get(type(value), "a number")


# ---------------------------------------------------------------- CSV
def _csv_blocks(file: InputFile, size: int, need: Sequence[str], only: Sequence[str] | None,
                at: At | None) -> Blocks:
    csv.field_size_limit(min(sys.maxsize, limits.current().max_string))
    with _open(file) as handle:
        source = _Text(file, handle)
        reader = csv.reader(source, strict=True)
        header = _record(file, reader, source)
        if header is None:
            return
        twice = sorted({name for name in header if header.count(name) > 1})
        if twice:
            raise BatchError(f"{file.shown}:1: the header names {', '.join(f'`{n}`' for n in twice)} more than once")
        for column in need:
            if column not in header:
                raise BatchError(f"{file.shown}:1: the header has no column `{column}`",
                                 f"its columns are {', '.join(header) or '(none)'}")
        head = tuple(header)
        if at is not None:
            _seek(file, handle, at)
            source = _Text(file, handle, at.number)
            reader = csv.reader(source, strict=True)
        begins = At(handle.tell(), source.number)
        records: list[list[str]] = []
        places: list[int] = []
        while True:
            start = source.number + 1
            record = _record(file, reader, source)
            if record is None:
                break
            if not record:
                continue
            if len(record) != len(head):
                raise BatchError(f"{file.shown}:{start}: this record has {len(record)} field"
                                 f"{'s' if len(record) != 1 else ''}, the header has {len(head)}",
                                 "quote values that hold commas or line breaks with double quotes")
            records.append(record)
            places.append(start)
            if len(records) == size:
                yield (head, tuple(records)), places, begins
                records, places = [], []
                begins = At(handle.tell(), source.number)
        if records:
            yield (head, tuple(records)), places, begins


class _Text:
    """The lines of a binary file as text, counted, for `csv.reader` (after the first `number`)."""

    def __init__(self, file: InputFile, handle: Any, number: int = 0) -> None:
        self.file = file
        self.lines = _lines(file, handle, number)
        self.number = number

    def __iter__(self) -> _Text:
        return self

    def __next__(self) -> str:
        raw = next(self.lines)
        self.number += 1
        if self.number == 1 and raw.startswith(_BOM):
            raw = raw[len(_BOM):]
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise BatchError(f"{self.file.shown}:{self.number}: the line is not UTF-8 text "
                             f"(byte 0x{raw[exc.start]:02x})", "save the file as UTF-8") from None


def _record(file: InputFile, reader: Any, source: _Text) -> list[str] | None:
    try:
        return next(reader)
    except StopIteration:
        return None
    except csv.Error as exc:
        raise BatchError(f"{file.shown}:{source.number}: not valid CSV: {exc}") from None


def _csv_decode(block: Block) -> list[dict[str, Any]]:
    header, records = block.data
    return [dict(zip(header, record, strict=True)) for record in records]


# ---------------------------------------------------------------- Parquet
def _parquet() -> Any:
    try:
        import pyarrow.parquet
    except ImportError:
        raise BatchError("reading Parquet needs pyarrow", "pip install 'pml[parquet]'") from None
    return pyarrow.parquet


def _parquet_blocks(file: InputFile, size: int, need: Sequence[str], only: Sequence[str] | None,
                    at: At | None) -> Blocks:
    parquet = _parquet()
    try:
        reader = parquet.ParquetFile(file.path)
    except OSError as exc:
        raise BatchError(f"{file.shown}: cannot read the input: {_reason(exc)}") from None
    except Exception as exc:  # pyarrow's own errors: not a Parquet file, a damaged footer
        raise BatchError(f"{file.shown}: not a readable Parquet file: {_first_line(exc)}") from None
    names = reader.schema_arrow.names
    for column in need:
        if column not in names:
            raise BatchError(f"{file.shown}: the file has no column `{column}`",
                             f"its columns are {', '.join(names) or '(none)'}")
    groups: dict[int, int] = {}  # the first row of each row group → the group
    rows = 0
    for group in range(reader.num_row_groups):
        groups.setdefault(rows, group)
        rows += reader.metadata.row_group(group).num_rows
    start = at or At(0, 0)
    batches = reader.iter_batches(batch_size=size, row_groups=range(start.offset, reader.num_row_groups),
                                  columns=list(only) if only is not None else None)
    done = start.number
    held = _Held()
    while True:
        try:
            batch = next(batches)
        except StopIteration:
            break
        except Exception as exc:  # a damaged page
            raise BatchError(f"{file.shown}: cannot read rows after row {done + held.rows}: "
                             f"{_first_line(exc)}") from None
        held.add(batch)
        while held.rows >= size:
            yield held.take(size), range(done + 1, done + 1 + size), _row_group(groups, done)
            done += size
    if held.rows:
        rest = held.rows
        yield held.take(rest), range(done + 1, done + 1 + rest), _row_group(groups, done)


def _row_group(groups: dict[int, int], row: int) -> At | None:
    group = groups.get(row)
    return At(group, row) if group is not None else None


class _Held:
    """Record batches read and not yet given out, cut into blocks of an exact size whatever
    sizes pyarrow reads; a cut block is copied, so that it travels without the rest."""

    def __init__(self) -> None:
        self.batches: list[Any] = []
        self.whole = True  # the one batch held is as pyarrow read it
        self.rows = 0

    def add(self, batch: Any) -> None:
        if batch.num_rows:
            self.whole = not self.batches
            self.batches.append(batch)
            self.rows += batch.num_rows

    def take(self, count: int) -> Any:
        if self.whole and len(self.batches) == 1 and self.batches[0].num_rows == count:
            batch = self.batches.pop()
            self.rows = 0
            return batch
        import pyarrow

        table = pyarrow.Table.from_batches(self.batches)
        block = table.slice(0, count)
        block = block.take(pyarrow.array(range(count), pyarrow.int64()))
        self.batches = [batch for batch in table.slice(count).to_batches() if batch.num_rows]
        self.rows -= count
        self.whole = False
        return block


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _parquet_decode(block: Block) -> list[dict[str, Any]]:
    return [{key: plain(value) for key, value in row.items()} for row in block.data.to_pylist()]


def plain(value: Any) -> Any:
    """A value read from Parquet as JSON would carry it (module docstring)."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        if value and all(isinstance(item, tuple) and len(item) == 2 for item in value):  # a map column
            return {str(k): plain(v) for k, v in value}
        return [plain(item) for item in value]
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return base64.b64encode(value).decode("ascii")
    return str(value)


# ---------------------------------------------------------------- the registry
@dataclass(frozen=True, slots=True)
class Reader:
    """How one format is read: raw blocks (from the file's start or from an `At`), with the
    columns `need` checked where the format declares its columns (CSV, Parquet) and only the
    columns `only` read where it can skip the others (Parquet); rows from a block in a worker."""

    blocks: Callable[[InputFile, int, Sequence[str], Sequence[str] | None, At | None], Blocks]
    decode: Callable[[Block], list[dict[str, Any]]]


READERS: dict[str, Reader] = {
    "jsonl": Reader(_jsonl_blocks, _jsonl_decode),
    "csv": Reader(_csv_blocks, _csv_decode),
    "parquet": Reader(_parquet_blocks, _parquet_decode),
}


def blocks(files: Sequence[InputFile], size: int, need: Sequence[str] = (),
           only: Sequence[str] | None = None) -> Iterator[Block]:
    """Every input's rows in blocks of at most `size`, in order; `first` counts rows across files.
    A CSV or Parquet file without a column of `need` stops the run; with `only`, a Parquet block
    holds only those columns."""
    first = 0
    for file in files:
        for data, places, at in READERS[file.kind].blocks(file, size, need, only, None):
            yield Block(file.shown, file.kind, first, data, places, at)
            first += len(places)


def blocks_from(file: InputFile, size: int, at: At | None, first: int) -> Iterator[Block]:
    """The blocks of one file from `at` (a block's `at`; None: the start), the first of them
    holding row `first` of all the inputs: the same blocks `blocks` gives from there on."""
    for data, places, start in READERS[file.kind].blocks(file, size, (), None, at):
        yield Block(file.shown, file.kind, first, data, places, start)
        first += len(places)


def decode(block: Block) -> list[dict[str, Any]]:
    """The rows of a block as contexts; a row that cannot be read is an `InputProblem`."""
    return READERS[block.kind].decode(block)


__all__ = ["READERS", "SUFFIXES", "At", "Block", "InputFile", "Reader", "blocks", "blocks_from", "decode", "expand",
           "fingerprint", "plain"]
