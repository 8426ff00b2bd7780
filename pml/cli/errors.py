"""How every `pml` command fails: a located message on stderr, status 1, never a traceback.

Each command runs its work inside `guarded(...)`. Whatever goes wrong becomes diagnostics
(`diagnostics_of`) printed the same way everywhere (`report`):

- a `PMLError`: its diagnostics, warnings and hints included, at most
  `limits.current().max_diagnostics` of them ("… and 12 more");
- an `OSError` or a file that is not UTF-8: "FILE: reason" (located when the file is the prompt);
- anything else is a bug in PML: one line "FILE: internal error: … (run with --debug for the
  traceback)".

The file a command works on is always named. `--debug` re-raises instead, so Python prints the
traceback. Typer's own exits (`typer.Exit`, usage errors with status 2) pass through untouched.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer

from pml import limits
from pml.errors import Diagnostic, PMLError
from pml.limits import Limits
from pml.syntax.source import Source, Span, normalize_newlines

INTERNAL_HINT = "run with --debug for the traceback"

# Typer's own control flow (exits, aborts, usage errors) is never reported as a failure here.
_PASS_THROUGH: tuple[type[BaseException], ...] = (
    typer.Exit, typer.Abort,
    *(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException"),
)


class InputError(PMLError):
    """A command's own input is wrong (a context file, a `--var`, the prompt path): the message
    names the file it is about, and is shown as it is."""

    def __init__(self, message: str) -> None:
        super().__init__(Diagnostic("error", message, None, None, "io"))


def diagnostics_of(exc: BaseException, file: Path | None) -> list[Diagnostic]:
    """What went wrong, as diagnostics that name `file` (the file being worked on) when they have no
    location of their own."""
    for kind, describe in _DESCRIBERS:
        if isinstance(exc, kind):
            return describe(exc, file)
    detail = "the prompt is nested too deeply" if isinstance(exc, RecursionError) else first_line(exc)
    return [_unlocated(file, f"internal error: {type(exc).__name__}" + (f": {detail}" if detail else "") +
                       f" ({INTERNAL_HINT})", None, "internal")]


def _input(exc: InputError, file: Path | None) -> list[Diagnostic]:
    return list(exc.diagnostics)  # its message names the file already


def _pml(exc: PMLError, file: Path | None) -> list[Diagnostic]:
    return [_named(d, file) for d in exc.diagnostics]


def _io(exc: OSError, file: Path | None) -> list[Diagnostic]:
    return [Diagnostic("error", os_message(exc, file), None, None, "io")]


def os_message(exc: OSError, file: Path | None) -> str:
    """`PATH: reason`, in lower case, for an error reading or writing a file."""
    path = exc.filename if exc.filename is not None else file
    reason = exc.strerror or str(exc) or type(exc).__name__
    reason = reason[:1].lower() + reason[1:]
    if isinstance(exc, FileNotFoundError):
        reason = "no such file"
    return f"{path}: {reason}" if path is not None else reason


def _not_utf8(exc: UnicodeDecodeError, file: Path | None) -> list[Diagnostic]:
    data = exc.object if isinstance(exc.object, bytes) else bytes(exc.object)
    byte = data[exc.start:exc.start + 1].hex()
    message = f"the file is not UTF-8 text: byte 0x{byte} cannot be decoded"
    hint = "save the file as UTF-8"
    if file is not None and _holds(file, data):
        # The prompt itself: point at the byte, in a copy of the text where bad bytes are replaced.
        head = normalize_newlines(data[:exc.start].decode("utf-8"))
        text = normalize_newlines(data.decode("utf-8", errors="replace"))
        source = Source(text, str(file), None)
        return [Diagnostic("error", message, Span(source, len(head), len(head) + 1), hint, "io")]
    return [_unlocated(file, "a file it reads is not UTF-8 text: " + message.split(": ", 1)[1], hint, "io")]


def _holds(file: Path, data: bytes) -> bool:
    """Whether `file` holds exactly `data` (the bytes a decoding error was about)."""
    try:
        return file.stat().st_size == len(data) and file.read_bytes() == data
    except OSError:
        return False


def _unlocated(file: Path | None, message: str, hint: str | None, code: str) -> Diagnostic:
    return Diagnostic("error", f"{file}: {message}" if file is not None else message, None, hint, code)


def _named(diagnostic: Diagnostic, file: Path | None) -> Diagnostic:
    if diagnostic.span is not None or file is None or diagnostic.message.startswith(f"{file}:"):
        return diagnostic
    return dataclasses.replace(diagnostic, message=f"{file}: {diagnostic.message}")


def first_line(exc: BaseException) -> str:
    try:
        text = str(exc).strip()
    except Exception:  # a broken __str__ must not hide the failure
        return ""
    line = text.splitlines()[0] if text else ""
    width = limits.current().excerpt_width
    return line if len(line) <= width else line[:width - 1] + "…"


# The first that matches describes an exception (order matters: UnicodeDecodeError is a ValueError).
_DESCRIBERS: tuple[tuple[type[BaseException], Callable[[Any, Path | None], list[Diagnostic]]], ...] = (
    (InputError, _input),
    (PMLError, _pml),
    (UnicodeDecodeError, _not_utf8),
    (OSError, _io),
)


def report(diagnostics: Sequence[Diagnostic], *, gap: str = "\n\n", count: bool = True) -> str:
    """Diagnostics as people read them: each with its excerpt and hint, `gap` between them, at most
    `limits.current().max_diagnostics` of them ("… and N more"), then the count of errors when
    there are several (unless `count` is false)."""
    cap = max(1, int(limits.current().max_diagnostics))
    shown = [d.format() for d in diagnostics[:cap]]
    if len(diagnostics) > cap:
        shown.append(f"… and {len(diagnostics) - cap} more")
    errors = sum(1 for d in diagnostics if d.severity == "error")
    if count and errors > 1:
        shown.append(f"{errors} errors")
    return gap.join(shown)


def warn(diagnostics: Sequence[Diagnostic]) -> None:
    """Print warnings on stderr, one after another, as many as `max_diagnostics` allows."""
    if diagnostics:
        typer.echo(report(diagnostics, gap="\n", count=False), err=True)


@contextmanager
def guarded(file: Path | None, *, debug: bool = False, limits_in_force: Limits | None = None) -> Iterator[None]:
    """Run a command's work under `limits_in_force`; any failure is reported (module docstring)."""
    try:
        with limits.using(limits_in_force):
            yield
    except _PASS_THROUGH:
        raise
    except BrokenPipeError:  # the reader went away (`pml render … | head`): nothing more to say
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        if debug:
            raise
        raise typer.Exit(130) from None
    except Exception as exc:
        if debug:
            raise
        with limits.using(limits_in_force):
            text = report(diagnostics_of(exc, file))
        typer.echo(text, err=True)
        raise typer.Exit(1) from None


__all__ = ["InputError", "diagnostics_of", "first_line", "guarded", "os_message", "report", "warn"]
