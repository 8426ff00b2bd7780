"""POML's JSON stylesheets: `{"selector": {"property": value, …}, …}` → rules, and selector keys.

The JSON form means exactly its CSS translation: the key `"cp list"` is the CSS selector
`cp list` (a descendant selector, read as CSS reads it, escapes included), and
`{"list": {"listStyle": "star"}}` is `list { list-style: star; }`. Values are used as they are:
JSON already says what type they have. Warnings point at the keys where they are written.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pml.style.checks import Place, Reporter
from pml.style.layout import Layout
from pml.style.model import Declaration, Origin, Rule, Stylesheet
from pml.style.selector_syntax import JSON_KEY, read_selector_list
from pml.style.selectors import Selector
from pml.syntax.source import Source, Span


def read_selectors(text: str, place: Place, reporter: Reporter, whole: Span | None = None) -> tuple[Selector, ...]:
    """A selector list written on its own (a JSON key); an empty tuple if it is invalid. Warnings
    point into the key, or at `whole` where its characters cannot be found (a key written with
    escapes)."""
    layout = Layout(text)
    found = read_selector_list(layout.tokens(), layout, layout.length, JSON_KEY)

    def span(start: int, end: int) -> Span | None:
        return place.span(layout.source_offset(start), layout.source_offset(end)) or whole

    if found.problem is not None:
        reporter.warn(f"invalid selector `{text}`: {found.problem.text}; rule ignored",
                      place.span(0, len(text)) or whole, found.problem.hint)
        return ()
    return reporter.selectors(found, layout, span)


class _KeyFinder:
    """Finds where the keys of a JSON text are written, in order, to point warnings at them."""

    def __init__(self, text: str | None, source: Source | None, offset: int) -> None:
        self._text = text if source is not None else None
        self._source = source
        self._offset = offset
        self._cursor = 0

    def place(self, key: str) -> tuple[Place, Span | None]:
        """Where the key's characters start, and the span of the key with its quotes."""
        if self._text is None:
            return Place(None), None
        written = json.dumps(key, ensure_ascii=False)
        found = self._text.find(written, self._cursor)
        if found < 0:  # written with escapes: try the all-ASCII spelling, else point at the sheet
            written = json.dumps(key)
            found = self._text.find(written, self._cursor)
        if found < 0:
            whole = Place(self._source).span(self._offset, self._offset + min(len(self._text), 1))
            return Place(None), whole
        self._cursor = found + len(written)
        start = self._offset + found
        key_span = Place(self._source).span(start, start + len(written))
        return Place(self._source, start + 1), key_span


def _load(data: str, place: Place, reporter: Reporter) -> Any:
    try:
        return json.loads(data)
    except json.JSONDecodeError as error:
        reporter.warn(f"the stylesheet is not valid JSON: {error.msg}", place.span(error.pos, error.pos + 1))
        return None


def read_json_stylesheet(
    data: str | Mapping[str, Any], source: Source | None, offset: int, origin: Origin
) -> Stylesheet:
    """Read the JSON form, as text (starting at `offset` in `source.text`) or as an object."""
    reporter = Reporter()
    text = data if isinstance(data, str) else None
    loaded = _load(data, Place(source, offset), reporter) if isinstance(data, str) else data
    if not isinstance(loaded, Mapping):
        if loaded is not None:
            reporter.warn('a JSON stylesheet is an object: {"selector": {"property": value}}',
                          Place(source, offset).span(0, 1))
        return Stylesheet((), tuple(reporter.diagnostics), origin)
    finder = _KeyFinder(text, source, offset)
    rules: list[Rule] = []
    for order, (key, body) in enumerate(loaded.items()):
        rules.extend(_rule(str(key), body, order, finder, reporter))
    return Stylesheet(tuple(rules), reporter.in_order(), origin)


def _rule(key: str, body: Any, order: int, finder: _KeyFinder, reporter: Reporter) -> list[Rule]:
    place, span = finder.place(key)
    selectors = read_selectors(key, place, reporter, span)
    if not isinstance(body, Mapping):
        reporter.warn(f"the rule for `{key}` should be an object of properties; rule ignored", span)
        return []
    declarations = []
    for written, value in body.items():
        _, name_span = finder.place(str(written))
        name = reporter.property_name(str(written), lambda: name_span)  # noqa: B023 (called at once)
        if name is not None and reporter.value_fits(name, value, name_span):
            declarations.append(Declaration(name, value, False, name_span))
    return [Rule(selector, tuple(declarations), order, span) for selector in selectors]
