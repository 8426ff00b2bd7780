"""How a batch fails. Every error is a `PMLError`; `str(error)` is the message a person reads.

- `BatchError`: the batch cannot run, or stopped: an option that makes no sense, an input that
  cannot be read, ids that are missing, invalid or duplicated, a finished run that does not match
  the one being resumed.
- `InputProblem` and `IdProblem` (both `BatchError`s): a row cannot be read, or has no usable id.
  The message names the file and the line (or the Parquet row) where the reader knows it; the id
  maker does not, and whoever asked for the id adds the row's place.
- `RowFailed` (a `BatchError`): with `on_error="fail"`, the first row that cannot become a
  request. Its `row` (a `RowError`) holds the row's index, id, place and the render's own
  diagnostics, located in the prompt.
- `RequestError`: a row's request cannot be written (larger than a shard may hold, or not JSON).
  It fails the row as a render error does, so `on_error="skip"` leaves the row out.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pml.errors import Diagnostic, PMLError


class BatchError(PMLError):
    """A batch cannot run, or stopped (module docstring)."""

    def __init__(self, message: str, hint: str | None = None, *, more: Sequence[str] = ()) -> None:
        lines = [message, *(f"  {line}" for line in more)]
        super().__init__(Diagnostic("error", "\n".join(lines), None, hint, "batch"))


class InputProblem(BatchError):
    """A row of an input file cannot be read; the message says where (`data.jsonl:17:3: …`)."""


class IdProblem(BatchError):
    """A row has no usable id; the message says why, and the caller adds where the row is."""


class RequestError(PMLError):
    """A row's request cannot be written; the row fails (module docstring)."""

    def __init__(self, message: str) -> None:
        super().__init__(Diagnostic("error", message, None, None, "batch"))


@dataclass(frozen=True, slots=True)
class RowError:
    """A row that could not become a request: its index, id, where it is, and why (the error
    message as a person reads it, and its diagnostics as JSON, each with its file, line and
    column when it has them)."""

    index: int
    id: str | None
    where: str
    message: str
    diagnostics: tuple[dict[str, Any], ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The row's line of `errors.jsonl`."""
        return {"id": self.id, "index": self.index, "input": self.where, "message": self.message,
                "diagnostics": list(self.diagnostics)}

    def describe(self) -> str:
        """`data.jsonl:3: row `r2` (index 2) cannot become a request:` and the message below it."""
        who = f"row `{self.id}` (index {self.index})" if self.id is not None else f"row {self.index}"
        return f"{self.where}: {who} cannot become a request:\n{self.message}"


class RowFailed(BatchError):
    """The first row that could not become a request stopped the run; `row` says which and why."""

    def __init__(self, row: RowError) -> None:
        super().__init__(row.describe())
        self.row = row


def placed(where: str, error: PMLError) -> PMLError:
    """`error` (of the same class) with `where` (`data.jsonl:3`, `row 2`) before its first message."""
    if not error.diagnostics:
        return BatchError(where)
    moved = copy.copy(error)
    first, *rest = error.diagnostics
    PMLError.__init__(moved, [dataclasses.replace(first, message=f"{where}: {first.message}"), *rest],
                      omitted=error.omitted)
    return moved


__all__ = ["BatchError", "IdProblem", "InputProblem", "RequestError", "RowError", "RowFailed", "placed"]
