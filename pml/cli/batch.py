"""`pml batch`: render one prompt over every row of JSONL, CSV or Parquet inputs into provider
batch files (`pml.batch`; docs/batch.md is the guide).

    pml batch prompt.pml questions.parquet -o out/ --target openai --model gpt-4o-mini --id-column id

The work is imported when the command runs, so that other commands start no slower.
"""

from __future__ import annotations

import json
import re
import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from pml.cli.errors import InputError, guarded
from pml.cli.options import ContextOption, DebugOption, LimitOption, MaxOutputOption, RootOption, VarOption, limits_from
from pml.cli.util import beside, merged, require_file

if TYPE_CHECKING:
    from pml.batch.run import Progress

_SIZE = re.compile(r"(?P<number>\d+(?:\.\d+)?)\s*(?P<unit>[kmg]i?b?|b)?", re.I)
_UNITS = {"": 1, "b": 1, "k": 10**3, "kb": 10**3, "m": 10**6, "mb": 10**6, "g": 10**9, "gb": 10**9,
          "ki": 2**10, "kib": 2**10, "mi": 2**20, "mib": 2**20, "gi": 2**30, "gib": 2**30}


class TargetName(str, Enum):
    """The batch APIs (`pml.batch.targets.TARGETS`)."""

    openai = "openai"
    openai_responses = "openai-responses"
    anthropic = "anthropic"


class EngineName(str, Enum):
    local = "local"
    ray = "ray"


class OnError(str, Enum):
    fail = "fail"
    skip = "skip"


def parse_size(text: str) -> int:
    """`200MB`, `1.5GB`, `512KiB` or a number of bytes; MB is 10^6 bytes, MiB 2^20."""
    found = _SIZE.fullmatch(text.strip())
    if found is None:
        raise typer.BadParameter(f"expected a size such as 100MB, 512KiB or 1000000, not `{text}`",
                                 param_hint="--max-bytes")
    value = int(float(found["number"]) * _UNITS[(found["unit"] or "").lower()])
    if value < 1:
        raise typer.BadParameter(f"the size must be at least 1 byte, not `{text}`", param_hint="--max-bytes")
    return value


def parse_params(items: list[str] | None) -> dict[str, Any]:
    """`KEY=VALUE` settings; a value is JSON when it parses (`temperature=0.2` is a number), else text."""
    params: dict[str, Any] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise typer.BadParameter(f"expected KEY=VALUE, not `{item}`", param_hint="--param")
        try:
            params[key] = json.loads(value)
        except (json.JSONDecodeError, RecursionError):
            params[key] = value
    return params


def batch(
    prompt: Annotated[Path, typer.Argument(metavar="PROMPT", help="The prompt file (.pml or .poml).",
                                           show_default=False)],
    data: Annotated[list[str], typer.Argument(
        metavar="DATA", show_default=False,
        help="JSONL, CSV or Parquet files, folders or globs; each row is the context of one request.")],
    out: Annotated[Path, typer.Option(
        "--output", "-o", metavar="OUTDIR", show_default=False,
        help="The folder for requests-NNNNN.jsonl, manifest.json and errors.jsonl.")],
    model: Annotated[str, typer.Option("--model", "-m", metavar="MODEL", show_default=False,
                                       help="The model every request names.")],
    target: Annotated[TargetName, typer.Option(
        "--target", "-t", metavar="TARGET", help="The batch API: openai, openai-responses or anthropic.")]
    = TargetName.openai,
    param: Annotated[list[str] | None, typer.Option(
        "--param", metavar="KEY=VALUE", show_default=False,
        help="A request parameter for every request, e.g. --param temperature=0.2 (the value is JSON when it "
        "parses). Repeatable; wins over the prompt's <runtime>. Anthropic needs max_tokens.")] = None,
    context: ContextOption = None,
    var: VarOption = None,
    id_column: Annotated[str | None, typer.Option(
        "--id-column", metavar="COL", show_default=False, help="The column that holds each request's id.")] = None,
    id_template: Annotated[str | None, typer.Option(
        "--id", metavar="TEMPLATE", show_default=False,
        help="Make ids from a template of {index} (the row's position from 0) and columns. Default: row-{index}.")]
    = None,
    max_requests: Annotated[int | None, typer.Option(
        "--max-requests", metavar="N", min=1, show_default=False,
        help="At most N requests a file (default: the provider's limit).")] = None,
    max_bytes: Annotated[str | None, typer.Option(
        "--max-bytes", metavar="SIZE", show_default=False,
        help="At most SIZE a file, e.g. 100MB (default: the provider's limit).")] = None,
    workers: Annotated[int | None, typer.Option(
        "--workers", "-w", metavar="N", min=1, show_default=False,
        help="Processes (or Ray actors) that render (default: one per CPU).")]
    = None,
    engine: Annotated[EngineName, typer.Option(
        "--engine", metavar="ENGINE", help="local (processes on this machine) or ray (a Ray Data pipeline on the "
        "cluster at RAY_ADDRESS, else on a local one).")] = EngineName.local,
    resume: Annotated[bool, typer.Option(
        "--resume", help="Continue the unfinished run in OUTDIR, skipping the rows it finished.")] = False,
    on_error: Annotated[OnError, typer.Option(
        "--on-error", metavar="fail|skip", help="fail: stop at the first row that cannot be rendered; skip: leave it "
        "out and record it in errors.jsonl.")] = OnError.fail,
    progress: Annotated[bool, typer.Option(
        "--progress/--no-progress", help="Show progress (only when stdout is a terminal).")] = True,
    chunk_rows: Annotated[int, typer.Option(
        "--chunk-rows", metavar="N", min=1, help="Rows in one unit of work: what --resume skips or redoes.")] = 1000,
    stylesheet: Annotated[Path | None, typer.Option(
        "--stylesheet", "-s", metavar="FILE", show_default=False,
        help="A stylesheet (.pss CSS or .json). Default: PROMPT.pss beside the prompt, when present.")] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Treat unknown attributes as errors.")] = False,
    root: RootOption = None,
    limit: LimitOption = None,
    max_output: MaxOutputOption = None,
    debug: DebugOption = False,
) -> None:
    """Render a prompt over every row of JSONL, CSV or Parquet files into batch request files."""
    size = parse_size(max_bytes) if max_bytes is not None else None
    params = parse_params(param)
    with guarded(None, debug=debug, limits_in_force=limits_from(limit, max_output)):
        require_file(prompt)
        if stylesheet is not None and not stylesheet.is_file():
            raise InputError(f"{stylesheet}: stylesheet file not found")
        stylesheet = stylesheet or beside(prompt, ".pss")
        base = merged(list(context or []), var)
        from pml.batch.run import write_requests

        with _Display(progress and sys.stdout.isatty()) as display:
            manifest = write_requests(
                prompt, data, out, target=target.value, model=model, params=params, context=base,
                id_column=id_column, id_template=id_template, max_requests=max_requests, max_bytes=size,
                workers=workers, engine=engine.value, resume=resume, on_error=on_error.value, chunk_rows=chunk_rows,
                stylesheet=stylesheet, strict=strict, root=root, progress=display.update)
        files = len(manifest.shards)
        typer.echo(f"{manifest.requests:,} request{'s' if manifest.requests != 1 else ''} in {files} "
                   f"file{'s' if files != 1 else ''} in {out}")
        if on_error is OnError.skip:
            typer.echo(f"{manifest.errors:,} row{'s' if manifest.errors != 1 else ''} left out "
                       f"(listed in {out / 'errors.jsonl'})")


class _Display:
    """A progress bar on stderr (rows done of the total, rows/s, time left, rows left out), or nothing."""

    def __init__(self, shown: bool) -> None:
        self.shown = shown
        self.bar: Any = None
        self.task: Any = None

    def __enter__(self) -> _Display:
        return self

    def update(self, state: Progress) -> None:
        if not self.shown:
            return
        if self.bar is None:
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

            self.bar = Progress(TextColumn("rendering"), BarColumn(),
                                TextColumn("{task.completed:,}/{task.total:,} rows"),
                                TextColumn("{task.fields[rate]}"), TimeRemainingColumn(),
                                TextColumn("{task.fields[errors]}"), console=Console(stderr=True), transient=True)
            self.bar.start()
            self.task = self.bar.add_task("rows", total=state.total, completed=state.rows, rate="", errors="")
        speed = self.bar.tasks[0].speed
        self.bar.update(self.task, completed=state.rows, rate=f"{speed:,.0f} rows/s" if speed else "",
                        errors=f"{state.errors:,} left out" if state.errors else "")

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


__all__ = ["batch", "parse_params", "parse_size"]
