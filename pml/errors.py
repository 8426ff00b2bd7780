"""Errors and diagnostics.

Every problem PML reports is a `Diagnostic`: a severity, a message, a span and an optional hint.
Errors are raised as `PMLError` subclasses that carry their diagnostics, and `str(error)` is the
text a person reads::

    prompt.pml:3:5: `</task>` closes `<role>`, opened at 2:1
      </task>
      ^^^^^^^
    hint: close `<role>` first, or rename this tag to `</role>`

Each stage raises through one helper (`syntax_error`, `compile_error`, `render_error`) so that the
location is always stamped the same way. A call of the Python API that PML cannot take (an unknown
format name, an argument of the wrong type) raises `PMLUsageError` or `PMLTypeError`: `PMLError`s
that are also a `ValueError` and a `TypeError`, so callers that catch the builtin keep working.
Nothing else leaves PML on purpose (`tests/test_errors_root.py` holds the list of the internal
exceptions that stages raise to each other and locate before they reach a caller).

Reports stay readable and cheap however much went wrong: an error prints at most the
`max_diagnostics` limit of diagnostics and counts the rest ("and 120 more errors"), excerpts are cut
to `excerpt_width` characters around the caret, and `clip` shortens long source text quoted in a
message.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from pml import limits
from pml.syntax.printable import visible

if TYPE_CHECKING:
    from pml.syntax.source import Span

Severity = Literal["error", "warning"]

# Lone surrogates (from untrusted source text or data) cannot be printed as UTF-8.
_UNENCODABLE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding of the compiler, with where it is and what to do about it."""

    severity: Severity
    message: str
    span: Span | None = field(default=None, compare=False)
    hint: str | None = None
    code: str = "pml"

    def format(self, *, excerpt: bool = True) -> str:
        where = f"{visible(str(self.span))}: " if self.span is not None else ""
        label = "warning: " if self.severity == "warning" else ""
        lines = [f"{where}{label}{visible(self.message)}"]
        if excerpt and self.span is not None:
            snippet = self.span.excerpt()
            if snippet:
                lines.append(snippet)
        if self.hint:
            lines.append(f"hint: {visible(self.hint)}")
        return _UNENCODABLE.sub("\ufffd", "\n".join(lines))  # a report is printed: no lone surrogates

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "severity": self.severity,
            "message": visible(self.message),
            "code": self.code,
            "hint": visible(self.hint) if self.hint else self.hint,
        }
        if self.span is not None:
            data.update(
                file=self.span.file,
                line=self.span.line,
                column=self.span.column,
                end_line=self.span.end_line,
                end_column=self.span.end_column,
            )
        return data

    def __str__(self) -> str:
        return self.format()


class PMLError(Exception):
    """The root of every error PML raises. Carries one or more diagnostics.

    `omitted` counts further errors that were found but not kept (a stage stops collecting
    after the `max_diagnostics` limit); reports add them to the count of those not shown.
    """

    def __init__(self, diagnostics: Diagnostic | Sequence[Diagnostic], *, omitted: int = 0) -> None:
        if isinstance(diagnostics, Diagnostic):
            diagnostics = [diagnostics]
        self.diagnostics: list[Diagnostic] = list(diagnostics)
        self.omitted = omitted
        super().__init__(self.message)

    @property
    def first(self) -> Diagnostic:
        return self.errors[0] if self.errors else self.diagnostics[0]

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def message(self) -> str:
        return self.first.message

    @property
    def span(self) -> Span | None:
        return self.first.span

    @property
    def hint(self) -> str | None:
        return self.first.hint

    @property
    def line(self) -> int | None:
        return self.span.line if self.span else None

    @property
    def column(self) -> int | None:
        return self.span.column if self.span else None

    @property
    def filename(self) -> str | None:
        return self.span.file if self.span else None

    def __str__(self) -> str:
        errors = self.errors
        found = errors or self.diagnostics
        total = len(found) + self.omitted
        shown = found[: limits.current().max_diagnostics]
        text = "\n\n".join(d.format() for d in shown)
        if total > len(shown):
            noun = "errors" if errors or self.omitted else "warnings"
            text += f"\n\nand {total - len(shown)} more {noun} ({total} in all)"
        elif total > 1:
            text += f"\n\n{total} errors"
        return text

    def to_json(self) -> dict[str, object]:
        """Every diagnostic kept, and how many more errors were found but not kept."""
        return {"diagnostics": [d.to_json() for d in self.diagnostics], "omitted": self.omitted}

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuilt from its diagnostics, whatever its class's constructor takes, so that an error
        # crosses a process boundary (a pool of workers) as it is.
        return _rebuild, (type(self), self.diagnostics, self.omitted), dict(self.__dict__)


def _rebuild(kind: type[PMLError], diagnostics: list[Diagnostic], omitted: int) -> PMLError:
    error = kind.__new__(kind)
    PMLError.__init__(error, diagnostics, omitted=omitted)
    return error


class PMLSyntaxError(PMLError):
    """The markup, a stylesheet or an expression is not well formed."""


class PMLCompileError(PMLError):
    """The document is well formed but wrong: unknown tags, bad attribute values, include cycles."""


class PMLRenderError(PMLError):
    """Rendering with a context failed: an expression raised, a loop is not over a list, a file is missing."""


class PMLUndefinedError(PMLRenderError):
    """An expression used a variable the context does not define."""


class PMLUsageError(PMLError, ValueError):
    """PML's Python API was called with a value it does not take: an unknown format or provider
    name, a number out of range. It is a `ValueError` too, so `except ValueError` still catches it."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(Diagnostic("error", message, None, hint, "usage"))


class PMLTypeError(PMLError, TypeError):
    """PML's Python API was given an argument of a type it does not take (a number where a path
    or a stylesheet belongs). It is a `TypeError` too."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(Diagnostic("error", message, None, hint, "usage"))


def diagnostic(
    message: str, span: Span | None, hint: str | None = None, *, severity: Severity = "error",
    code: str = "pml",
) -> Diagnostic:
    return Diagnostic(severity, message, span, hint, code)


def syntax_error(message: str, span: Span | None, hint: str | None = None) -> PMLSyntaxError:
    """The parse stage's single way to report a problem."""
    return PMLSyntaxError(Diagnostic("error", message, span, hint, "syntax"))


def compile_error(message: str, span: Span | None, hint: str | None = None) -> PMLCompileError:
    """The compile stage's single way to report a fatal problem."""
    return PMLCompileError(Diagnostic("error", message, span, hint, "compile"))


def render_error(message: str, span: Span | None, hint: str | None = None) -> PMLRenderError:
    """The render stage's single way to report a problem."""
    return PMLRenderError(Diagnostic("error", message, span, hint, "render"))


def clip(text: str, width: int | None = None) -> str:
    """Source text to quote in a message, cut in the middle with `…` when it is long.

    The default width is half the `excerpt_width` limit, so that a message and its excerpt
    together stay about one excerpt wide.
    """
    width = max(8, width or limits.current().excerpt_width // 2)
    if len(text) <= width:
        return text
    head = (width - 1) * 2 // 3
    return f"{text[:head]}…{text[len(text) - (width - 1 - head):]}"


def limit_hint(name: str, advice: str | None = None) -> str:
    """A hint for a resource limit that was reached: what to do, and how to raise the limit."""
    raise_it = f"raise the limit with `--limit {name}=N` (CLI) or `limits=Limits({name}=N)` (SDK)"
    return f"{advice}, or {raise_it}" if advice else raise_it


def closest(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate closest to a misspelt name, or None when nothing is close."""
    pool = list(dict.fromkeys(candidates))
    lowered = {c.lower(): c for c in pool}
    cutoff = 0.6 if len(name) <= 2 else 0.7  # short names are close to everything
    matches = difflib.get_close_matches(name.lower(), list(lowered), n=1, cutoff=cutoff)
    return lowered[matches[0]] if matches else None


def suggest(name: str, candidates: Iterable[str], *, quote: str = "`", end: str | None = None) -> str | None:
    """A "did you mean" hint for a misspelt name, or None when nothing is close."""
    match = closest(name, candidates)
    if match is None:
        return None
    return f"did you mean {quote}{match}{end if end is not None else quote}?"
