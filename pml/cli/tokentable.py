"""The tables of `pml tokens` (rich): messages, components and modules, with their totals.

`print_report` prints them on the terminal (never wrapping a row when the output is piped);
`format_report` gives them as plain text.
"""

from __future__ import annotations

import io

from rich import box
from rich.console import Console, RenderableType
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from pml.output.tokenreport import OUTSIDE, TokenReport


def print_report(report: TokenReport, name: str) -> None:
    """The report's tables on stdout."""
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


__all__ = ["format_report", "print_report", "report_renderables"]
