"""`pml check`: find what a render would fail on, without writing a payload.

    pml check prompts/*.pml
    pml check review.pml --context review.json --format json

Each file is compiled: its errors and warnings are listed. Then:

- with a context (`--context`, `--var`, or FILE.context.json beside the file), the prompt is
  rendered with it, and a render error (an undefined variable, a loop over a non-list) is an
  error of `check` too, located as `pml render` locates it;
- with none, `check` lists the variables the prompt reads from its context (`pml.compile.variables`),
  so that a caller knows what to give it; a prompt that reads none is rendered as it is.

The exit status is 1 when any file has an error.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pml.cli.errors import diagnostics_of, guarded, report
from pml.cli.options import ContextOption, DebugOption, LimitOption, MaxOutputOption, RootOption, VarOption, limits_from
from pml.cli.util import beside, context_files, merged, plural
from pml.errors import Diagnostic
from pml.syntax.source import Source

if TYPE_CHECKING:
    from pml.compile.variables import Variable
    from pml.output.prompt import Prompt


class CheckFormat(str, Enum):
    text = "text"
    json = "json"


@dataclass(frozen=True, slots=True)
class FileCheck:
    """What `check` found in one file."""

    file: Path
    diagnostics: tuple[Diagnostic, ...]
    contexts: tuple[Path, ...] | None  # the context files of the render (None: not rendered)
    variables: tuple[Variable, ...] | None  # not rendered for want of a context: the variables it reads

    def to_json(self) -> dict[str, object]:
        return {
            "file": str(self.file),
            "context": None if self.contexts is None else [str(c) for c in self.contexts],
            "variables": None if self.variables is None else [v.to_json() for v in self.variables],
            "diagnostics": [d.to_json() for d in self.diagnostics],
        }


def check(
    files: Annotated[list[Path], typer.Argument(metavar="FILE", help="Prompt files to check.", show_default=False)],
    context: ContextOption = None,
    var: VarOption = None,
    format: Annotated[CheckFormat, typer.Option(
        "--format", "-f", metavar="FORMAT", help="text for people, json for tools.")] = CheckFormat.text,
    strict: Annotated[bool, typer.Option("--strict", help="Treat unknown attributes as errors.")] = False,
    no_context: Annotated[bool, typer.Option(
        "--no-context", help="Leave FILE.context.json beside a prompt unread: without --context or --var, list "
        "the variables it reads instead of rendering it.")] = False,
    root: RootOption = None,
    limit: LimitOption = None,
    max_output: MaxOutputOption = None,
    debug: DebugOption = False,
) -> None:
    """Compile prompts and list every problem; render them when a context is known, else list their variables.

    Exits 1 when any file has an error. --format json gives, per file, its diagnostics, the
    context files it was rendered with, or the variables it reads."""
    with guarded(files[0] if len(files) == 1 else None, debug=debug, limits_in_force=limits_from(limit, max_output)):
        results = [check_file(file, context, var, strict=strict, root=root, debug=debug, use_beside=not no_context)
                   for file in files]
        diagnostics = [d for r in results for d in r.diagnostics]
        errors = sum(1 for d in diagnostics if d.severity == "error")
        warnings = len(diagnostics) - errors
        if format is CheckFormat.json:
            typer.echo(json.dumps({"files": [r.to_json() for r in results], "errors": errors, "warnings": warnings},
                                  ensure_ascii=False, indent=2))
        else:
            for result in results:
                if result.diagnostics:
                    typer.echo(report(result.diagnostics, gap="\n", count=False))
                if result.variables:
                    typer.echo(_variables_line(result.file, result.variables))
            typer.echo(f"{plural(len(files), 'file')} checked: {plural(errors, 'error')}, "
                       f"{plural(warnings, 'warning')}")
    if errors:
        raise typer.Exit(1)


def check_file(file: Path, contexts: list[Path] | None, variables: list[str] | None, *, strict: bool = False,
               root: Path | None = None, debug: bool = False, use_beside: bool = True) -> FileCheck:
    """Compile `file`, then render it with its context when one is known (module docstring);
    `use_beside=False` leaves FILE.context.json out of it."""
    if file.is_dir() or not file.is_file():
        problem = "is a folder, not a prompt file" if file.is_dir() else "no such file"
        return FileCheck(file, (Diagnostic("error", f"{file}: {problem}", None, None, "io"),), None, None)
    try:
        prompt = _compile(file, strict, root)
    except Exception as exc:
        return FileCheck(file, _failure(exc, file, debug), None, None)
    found = tuple(prompt.diagnostics)
    used = context_files(file, contexts) if use_beside or contexts else []
    if not used and not variables:
        try:
            reads = _reads(prompt)
        except Exception as exc:
            return FileCheck(file, (*found, *_failure(exc, file, debug)), None, None)
        if reads:
            return FileCheck(file, found, None, reads)
    try:
        prompt.render(merged(used, variables))
    except Exception as exc:
        return FileCheck(file, (*found, *_failure(exc, file, debug)), tuple(used), None)
    return FileCheck(file, found, tuple(used), None)


def _compile(file: Path, strict: bool, root: Path | None) -> Prompt:
    from pml.api import compile_source

    source = Source.from_path(file.resolve(), str(file))
    return compile_source(source, stylesheet=beside(file, ".pss"), strict=strict, root=root)


def _reads(prompt: Prompt) -> tuple[Variable, ...]:
    from pml.compile.variables import expected

    return expected(prompt)


def _failure(exc: Exception, file: Path, debug: bool) -> tuple[Diagnostic, ...]:
    """What went wrong, as diagnostics naming `file`; with `debug`, the exception is raised again."""
    if debug:
        raise exc
    return tuple(diagnostics_of(exc, file))


def _variables_line(file: Path, variables: tuple[Variable, ...]) -> str:
    names = ", ".join(f"`{v.name}` ({v.span.line}:{v.span.column})" if v.span.file == str(file) else
                      f"`{v.name}` ({v.span})" for v in variables)
    count = plural(len(variables), "variable")
    return f"{file}: note: reads {count} from its context: {names}; give a context (--context or --var) " \
           f"to check a render with it"
