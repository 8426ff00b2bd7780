"""How a batch fails: `BatchError`, a `PMLError` whose message names the file, the row or the option.

A batch stops with one of these when it cannot go on: an option that makes no sense, an input
that cannot be read, ids that are missing, invalid or duplicated, a finished run that does not
match the one being resumed, or (with `on_error="fail"`) the first row that cannot be rendered.
"""

from __future__ import annotations

from collections.abc import Sequence

from pml.errors import Diagnostic, PMLError


class BatchError(PMLError):
    """A batch cannot run, or stopped. `str(error)` is the message a person reads."""

    def __init__(self, message: str, hint: str | None = None, *, more: Sequence[str] = ()) -> None:
        lines = [message, *(f"  {line}" for line in more)]
        super().__init__(Diagnostic("error", "\n".join(lines), None, hint, "batch"))


class InputProblem(Exception):
    """A row of an input file cannot be read (where it is is in the message); the run stops."""


__all__ = ["BatchError", "InputProblem"]
