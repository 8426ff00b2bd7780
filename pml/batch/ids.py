"""Request ids: from a column of the rows, or from a template such as `row-{index}`.

A template's fields are `{index}` (the row's position in all the inputs, from 0) and the
names of the row's columns; each may carry a format spec (`{index:08d}`). A field's name is
looked up as it is (no attribute or item access). An id is text or a whole number; anything
else (null, a fraction, a list) is an error naming the row.

Ids must be unique. `IdSet` finds duplicates among millions of ids in bounded memory: each
id's 64-bit digest goes to one of 64 buckets kept on disk, and each bucket is checked alone.
"""

from __future__ import annotations

import hashlib
import string
from array import array
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pml.batch.errors import BatchError

DEFAULT_TEMPLATE = "row-{index}"
_BUCKETS = 64
_BUFFERED = 16_384  # digests kept in memory per bucket before they go to its file


class IdProblem(Exception):
    """A row has no usable id (the message says why)."""


@dataclass(frozen=True, slots=True)
class IdSpec:
    """How each row's id is made: `column`, or `template` (default `row-{index}`)."""

    column: str | None = None
    template: str | None = None

    def __post_init__(self) -> None:
        if self.column is not None and self.template is not None:
            raise BatchError("give either an id column or an id template, not both")
        if self.column is not None and not self.column:
            raise BatchError("the id column name is empty")
        self.fields()  # a bad template fails here, before any row is read

    @property
    def pattern(self) -> str:
        return self.template if self.template is not None else DEFAULT_TEMPLATE

    def fields(self) -> list[tuple[str, str | None, str]]:
        """The template as (literal text, field name or None, format spec) pieces."""
        if self.column is not None:
            return []
        try:
            pieces = list(string.Formatter().parse(self.pattern))
        except ValueError as exc:
            raise BatchError(f"the id template `{self.pattern}` is not valid: {exc}",
                             "write fields as {index} or {column}; double a brace to write it: {{ }}") from None
        out: list[tuple[str, str | None, str]] = []
        for literal, name, spec, conversion in pieces:
            if name is not None and (not name or conversion or "{" in (spec or "")):
                raise BatchError(f"the id template `{self.pattern}` has a field `{{{name}}}` it cannot fill",
                                 "a field is {index} or {column}, with an optional format: {index:06d}")
            out.append((literal, name, spec or ""))
        return out

    def columns(self) -> tuple[str, ...]:
        """The columns ids are made from (none for `{index}` alone)."""
        if self.column is not None:
            return (self.column,)
        return tuple(dict.fromkeys(name for _, name, _ in self.fields() if name is not None and name != "index"))

    @property
    def needs_rows(self) -> bool:
        return bool(self.columns())

    @property
    def unique_by_index(self) -> bool:
        """Whether distinct rows always get distinct ids: the template's only fields are plain `{index}`."""
        fields = [(name, spec) for _, name, spec in self.fields() if name is not None]
        return bool(fields) and all(name == "index" and not spec for name, spec in fields)

    def describe(self) -> dict[str, str]:
        return {"column": self.column} if self.column is not None else {"template": self.pattern}

    def maker(self) -> IdMaker:
        return IdMaker(self)


class IdMaker:
    """Makes ids for rows (`IdSpec`, with the template parsed once)."""

    def __init__(self, spec: IdSpec) -> None:
        self.column = spec.column
        self.pieces = spec.fields()

    def make(self, index: int, row: Mapping[str, Any] | None) -> str:
        if self.column is not None:
            return _text(_value(row, self.column), self.column, "")
        out: list[str] = []
        for literal, name, spec in self.pieces:
            out.append(literal)
            if name is None:
                continue
            value = index if name == "index" else _value(row, name)
            out.append(_text(value, name, spec))
        return "".join(out)


def _value(row: Mapping[str, Any] | None, name: str) -> Any:
    if row is None or name not in row:
        raise IdProblem(f"the row has no column `{name}`")
    return row[name]


def _text(value: Any, name: str, spec: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise IdProblem(f"the id column `{name}` holds {_kind(value)}; ids are text or whole numbers")
    try:
        return format(value, spec) if spec else str(value)
    except ValueError as exc:
        raise IdProblem(f"`{{{name}:{spec}}}` cannot format {value!r}: {exc}") from None


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, float):
        return f"a fraction ({value!r})"
    names: dict[type, str] = {dict: "an object", list: "a list"}
    return names.get(type(value), type(value).__name__)


def digest(ident: str) -> int:
    return int.from_bytes(hashlib.blake2b(ident.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little")


class IdSet:
    """Finds digests seen more than once, in memory bounded by about n/64 ids (module docstring)."""

    def __init__(self, folder: Path, buffered: int = _BUFFERED) -> None:
        self.folder = folder
        self.buffered = buffered
        self.buffers = [array("Q") for _ in range(_BUCKETS)]
        self.spilled: set[int] = set()

    def add(self, ident: str) -> None:
        value = digest(ident)
        bucket = value % _BUCKETS
        buffer = self.buffers[bucket]
        buffer.append(value)
        if len(buffer) >= self.buffered:
            self._spill(bucket)

    def _spill(self, bucket: int) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self.folder / f"ids-{bucket:02d}.bin", "ab") as file:
            self.buffers[bucket].tofile(file)
        self.buffers[bucket] = array("Q")
        self.spilled.add(bucket)

    def repeated(self) -> set[int]:
        """The digests added more than once."""
        found: set[int] = set()
        for bucket in range(_BUCKETS):
            values = array("Q")
            if bucket in self.spilled:
                path = self.folder / f"ids-{bucket:02d}.bin"
                with open(path, "rb") as file:
                    values.frombytes(file.read())
                path.unlink()
            values.extend(self.buffers[bucket])
            seen: set[int] = set()
            for value in values:
                if value in seen:
                    found.add(value)
                seen.add(value)
        return found


def duplicates(pairs: Iterator[tuple[str, str]], repeated: set[int], shown: int) -> list[str]:
    """Lines naming each duplicated id and where it is (at most `shown` ids, three places each),
    from (id, where) pairs in input order."""
    places: dict[str, list[str]] = {}
    counts: dict[str, int] = {}
    others: set[str] = set()
    for ident, where in pairs:
        if digest(ident) not in repeated:
            continue
        if ident in places or len(places) < shown:
            wheres = places.setdefault(ident, [])
            if len(wheres) < 3:
                wheres.append(where)
            counts[ident] = counts.get(ident, 0) + 1
        else:
            others.add(ident)
    lines = []
    for ident, wheres in places.items():
        if counts[ident] < 2:
            continue  # two ids with one digest: not a duplicate
        more = f" and {counts[ident] - 3} more" if counts[ident] > 3 else ""
        lines.append(f"`{ident}`: {', '.join(wheres)}{more}")
    if others:
        lines.append(f"… and {len(others)} more duplicated ids")
    return lines


__all__ = ["DEFAULT_TEMPLATE", "IdMaker", "IdProblem", "IdSet", "IdSpec", "digest", "duplicates"]
