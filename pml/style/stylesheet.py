"""Stylesheets: read CSS syntax (`.pss`, `.css`) or POML's JSON form into rules of declarations.

A stylesheet supplies default attribute values to the elements its selectors match::

    list { list-style: star; }                /* every <list> */
    cp list, .steps > item { caption-style: bold !important; }
    table { writer-options: {"csvHeader": false}; }

This module is the stage's entry point: `parse_css`, `parse_json_stylesheet`, `parse_selector`,
`load_stylesheet` (a file) and `default_stylesheet` (PML's built-in sheet, read once per
process). The objects read are in `pml.style.model` (re-exported here), the CSS reader in
`pml.style.css`, the JSON reader in `pml.style.json_form`, values in `pml.style.values`.

Reading never raises. Every problem is a warning `Diagnostic` (code "style") with a span into the
real document, and the rest of the sheet still applies, as CSS recovers: a bad selector drops
its rule, a bad declaration (an unknown property, an unreadable value, a syntax error) drops
itself up to the next `;`, and whatever is left open at the end of the text is closed there.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from pml import files
from pml.errors import Diagnostic, PMLCompileError, compile_error
from pml.resources import resource_path
from pml.style.checks import Place, Reporter
from pml.style.css import read_css
from pml.style.json_form import read_json_stylesheet, read_selectors
from pml.style.model import (
    ORIGIN_CALLER,
    ORIGIN_DEFAULT,
    ORIGIN_DOCUMENT,
    Declaration,
    Origin,
    Rule,
    Stylesheet,
)
from pml.style.selectors import Selector
from pml.style.values import ValueSyntaxError, read_value
from pml.syntax.source import Source, normalize_newlines

__all__ = [
    "ORIGIN_CALLER",
    "ORIGIN_DEFAULT",
    "ORIGIN_DOCUMENT",
    "Declaration",
    "Origin",
    "Rule",
    "Stylesheet",
    "ValueSyntaxError",
    "default_stylesheet",
    "load_stylesheet",
    "parse_css",
    "parse_json_stylesheet",
    "parse_selector",
    "read_value",
]


def parse_css(text: str, source: Source, offset: int = 0, origin: Origin = ORIGIN_DOCUMENT) -> Stylesheet:
    """Read a stylesheet in CSS syntax. `offset` is where `text` starts in `source.text`."""
    reporter = Reporter()
    parsed = read_css(text, Place(source, offset), reporter)
    rules = tuple(
        Rule(selector, item.declarations, order, item.span)
        for order, item in enumerate(parsed)
        for selector in item.selectors
    )
    return Stylesheet(rules, reporter.in_order(), Origin(origin))


def parse_json_stylesheet(
    data: str | Mapping[str, Any],
    source: Source | None = None,
    offset: int = 0,
    origin: Origin = ORIGIN_DOCUMENT,
) -> Stylesheet:
    """Read POML's JSON form `{"selector": {"property": value, …}, …}`.

    `data` is the JSON text (then `offset` is where it starts in `source.text`) or the parsed
    object. Values are used as they are: JSON already says what type they have.
    """
    return read_json_stylesheet(data, source, offset, Origin(origin))


def parse_selector(
    text: str, source: Source | None = None, offset: int = 0
) -> tuple[tuple[Selector, ...], list[Diagnostic]]:
    """Read a selector list (`cp list, .steps > item`); an empty tuple if it is invalid."""
    reporter = Reporter()
    selectors = read_selectors(text, Place(source, offset), reporter)
    return selectors, reporter.diagnostics


# ---- Files -------------------------------------------------------------------------------------


def _read_json_file(text: str, source: Source, offset: int, origin: Origin) -> Stylesheet:
    return parse_json_stylesheet(text, source, offset, origin)


_READERS: dict[str, Callable[[str, Source, int, Origin], Stylesheet]] = {
    ".pss": parse_css,
    ".css": parse_css,
    ".json": _read_json_file,
}


def load_stylesheet(path: str | Path, origin: Origin = ORIGIN_DOCUMENT) -> Stylesheet:
    """Read a stylesheet file: JSON for `.json`, CSS syntax otherwise (`.pss`, `.css`).

    The file is read as every file PML reads (`pml.files`: a regular file, at most
    `max_file_size` bytes). One that cannot be read raises `PMLCompileError` (a text that is not
    UTF-8 is located at its first bad byte); what is inside never raises.
    """
    path = Path(path)
    try:
        data = files.read_file(path)
    except files.FileProblem as problem:
        raise _unreadable(path, problem, None) from None
    try:
        text = files.decode_text(data)
    except files.FileProblem as problem:
        raise _unreadable(path, problem, data) from None
    source = Source(normalize_newlines(text), str(path), path.resolve())
    reader = _READERS.get(path.suffix.lower(), parse_css)
    return reader(source.text, source, 0, Origin(origin))


def _unreadable(path: Path, problem: files.FileProblem, data: bytes | None) -> PMLCompileError:
    if isinstance(problem, files.Missing):
        return compile_error(f"stylesheet not found: {files.clip(str(path))}", None, "check the path")
    span = None
    if data is not None:  # read, but not UTF-8: point at the first bad byte
        text = data.decode("utf-8", errors="replace")
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            at = len(data[: exc.start].decode("utf-8", errors="replace"))
            span = Source(text, str(path), path).span(at, at + 1)
    return compile_error(f"cannot read the stylesheet `{files.clip(str(path))}`: {problem.reason}", span, problem.hint)


@cache
def default_stylesheet() -> Stylesheet:
    """PML's built-in stylesheet (`stylesheets/default.pss`, origin `DEFAULT`), read once per process.

    Type selectors resolve through the component registry when they are read, so the components
    must be registered first (importing `pml.components` does it).
    """
    path = resource_path("stylesheets", "default.pss")
    source = Source(normalize_newlines(path.read_text(encoding="utf-8")), "default.pss", path)
    return parse_css(source.text, source, 0, ORIGIN_DEFAULT)
