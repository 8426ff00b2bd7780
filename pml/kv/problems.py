"""How `pml.kv` reports a problem: a `PMLError` whose diagnostic has the code `kv`."""

from __future__ import annotations

from pml.errors import Diagnostic, PMLError
from pml.syntax.source import Span


def kv_error(message: str, span: Span | None = None, hint: str | None = None) -> PMLError:
    """The attention-cache stage's single way to report a problem."""
    return PMLError(Diagnostic("error", message, span, hint, "kv"))
