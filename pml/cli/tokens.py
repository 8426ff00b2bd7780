"""`pml tokens`: where a rendered prompt's tokens go (`pml.output.tokenreport`).

    pml tokens prompt.pml --context ctx.json --model gpt-4o
    pml tokens prompt.pml --var name=Ada --format json
"""

from __future__ import annotations

import io
import json
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.console import Console, RenderableType
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from pml.api import load
from pml.cli.errors import guarded, warn
from pml.cli.options import ContextOption, DebugOption, LimitOption, MaxOutputOption, RootOption, VarOption, limits_from
from pml.cli.util import beside, context_of, require_file
from pml.output.tokenreport import OUTSIDE, TokenReport, measure


class TokensFormat(str, Enum):
    table = "table"
    json = "json"


ModelOption = Annotated[str | None, typer.Option(
    "--model", "-m", metavar="MODEL", show_default=False,
    help="The model whose tokenizer counts (default: o200k_base). Models without an offline tokenizer are "
    "estimated in o200k_base.")]
FormatOption = Annotated[TokensFormat, typer.Option(
    "--format", "-f", metavar="FORMAT", help="table for people, json for tools.")]


def tokens(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="The prompt file (.pml or .poml).", show_default=False)],
    context: ContextOption = None,
    var: VarOption = None,
    model: ModelOption = None,
    format: FormatOption = TokensFormat.table,
    root: RootOption = None,
    limit: LimitOption = None,
    max_output: MaxOutputOption = None,
    debug: DebugOption = False,
) -> None:
    """Count the tokens of a rendered prompt: per message, per top-level element, per module, and the total.

The prompt is rendered as `pml render` renders it (--context, --var) and
counted offline: no network, no API key.

Tokenizers (--model; default: o200k_base):
- gpt-4o, gpt-4.1, gpt-4.5, gpt-5, o1, o3, o4: o200k_base, exact;
- gpt-4, gpt-3.5, text-embedding-3, text-embedding-ada-002: cl100k_base;
- any other model (claude-…, gemini-…): an estimate in o200k_base, and
  the output says so (their tokenizers are not available offline).

What is counted:
- messages: the text of each message, its images, and tool calls and
  results (as JSON and text); the few tokens a provider adds around each
  message are not counted;
- components: each top-level element (<role>, <task>, <human-msg>, a
  <use>, …) with its file:line:col, counted on its own text; "text
  outside elements" is the rest of the total: text and {{ }} between
  elements, and the blank lines that separate them;
- modules: each placed module (<use module="…">), cached or not;
- images: OpenAI's 512px-tile rule (85 + 170 per tile; detail auto counts
  as high), the size read from the PNG, JPEG, GIF or WebP header
  (1024×1024 when it cannot be read).

--format json prints the same report for tools. Errors are printed on
stderr with their place in the prompt, and the exit status is 1.
--context files are merged, a later file's keys replacing an earlier
one's; --var wins over them.
"""
    with guarded(file, debug=debug, limits_in_force=limits_from(limit, max_output)):
        require_file(file)
        ctx = context_of(file, context, var)
        prompt = load(file, stylesheet=beside(file, ".pss"), root=root)
        warn(prompt.diagnostics)
        report = measure(prompt, ctx, model)
        if format is TokensFormat.json:
            typer.echo(json.dumps({"file": str(file), **report.to_dict()}, ensure_ascii=False, indent=2))
        else:
            _print(report, str(file))


def _print(report: TokenReport, name: str) -> None:
    console = Console()
    renderables = report_renderables(report, name)
    if not console.is_terminal:  # piped: never wrap the rows, whatever the width
        unbounded = console.options.update_width(1_000_000)
        widest = max((Measurement.get(console, unbounded, r).maximum for r in renderables), default=0)
        console = Console(width=max(console.width, widest))
    for renderable in renderables:
        console.print(renderable)


def report_renderables(report: TokenReport, name: str) -> list[RenderableType]:
    """The report as rich renderables: a summary line, then tables of messages, components and
    modules, then the notes."""
    how = f"estimated in {report.encoding}" if report.estimate else f"{report.encoding}, exact"
    label = how if report.model == report.encoding else f"{report.model}: {how}"
    out: list[RenderableType] = [
        Text(f"{name}: {report.total:,} tokens, {report.chars:,} characters ({label})"),
    ]

    images = any(m.images for m in report.messages)
    messages = _table("messages", ["#", "speaker", "tokens", "chars", *(["images"] if images else [])])
    for m in report.messages:
        messages.add_row(str(m.index + 1), m.speaker, f"{m.tokens:,}", f"{m.chars:,}",
                         *([str(m.images) if m.images else ""] if images else []))
    _footer(messages, ["", "total", f"{report.total:,}", f"{report.chars:,}",
                       *([str(sum(m.images for m in report.messages))] if images else [])])
    out.extend(["", messages])

    if report.components or report.outside_tokens or report.outside_chars:
        components = _table("components", ["component", "where", "tokens", "chars", "share"])
        for c in report.components:
            components.add_row(c.name, c.location, f"{c.tokens:,}", f"{c.chars:,}", _share(c.tokens, report.total))
        components.add_row(OUTSIDE, "", f"{report.outside_tokens:,}", f"{report.outside_chars:,}",
                           _share(report.outside_tokens, report.total))
        _footer(components, ["total", "", f"{report.total:,}", f"{report.chars:,}", _share(report.total,
                                                                                           report.total)])
        out.extend(["", components])

    if report.modules:
        modules = _table("modules", ["module", "cached", "where", "tokens", "chars"])
        for mod in report.modules:
            modules.add_row(mod.name, "yes" if mod.cached else "no", mod.location or "", f"{mod.tokens:,}",
                            f"{mod.chars:,}")
        out.extend(["", modules])

    if report.notes:
        out.append("")
        out.extend(Text(f"note: {note}") for note in report.notes)
    return out


_NUMERIC = {"#", "tokens", "chars", "share", "images"}


def _table(title: str, columns: list[str]) -> Table:
    table = Table(title=Text(title), title_justify="left", box=box.SIMPLE, show_edge=False, pad_edge=False,
                  highlight=False)
    for column in columns:
        table.add_column(Text(column), justify="right" if column in _NUMERIC else "left")
    return table


def _footer(table: Table, cells: list[str]) -> None:
    table.show_footer = True
    for column, cell in zip(table.columns, cells, strict=True):
        column.footer = Text(cell)


def _share(tokens: int, total: int) -> str:
    return f"{100 * tokens / total:.1f}%" if total else ""


def format_report(report: TokenReport, name: str, width: int = 100) -> str:
    """The table output as plain text (no colour, no terminal codes, `width` columns)."""
    out = io.StringIO()
    console = Console(file=out, width=width, no_color=True, color_system=None, force_terminal=False)
    for renderable in report_renderables(report, name):
        console.print(renderable)
    return out.getvalue()
