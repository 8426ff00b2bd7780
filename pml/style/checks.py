"""Warnings about a stylesheet, where they point, and the checks both readers share.

Reading a stylesheet never raises: every problem is a warning `Diagnostic` (code "style") with a
span into the real document. `Place` turns offsets in the text being read into such spans (a
`<style>` element's text starts somewhere inside its document); `Reporter` collects the warnings
and checks property names, value types and type names against the registries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pml.errors import Diagnostic, suggest
from pml.registry import REGISTRY, Attr, CoercionError
from pml.style.properties import known_properties, property_attributes, property_names
from pml.style.selectors import Selector
from pml.syntax.nodes import normalize_name
from pml.syntax.source import Source, Span


@dataclass(frozen=True, slots=True)
class Place:
    """Turns offsets in the text being read into spans of the real document."""

    source: Source | None
    base: int = 0

    def span(self, start: int, end: int | None = None) -> Span | None:
        if self.source is None:
            return None
        end = start if end is None else end
        return self.source.span(self.base + start, self.base + end)


class Reporter:
    """Collects the warnings of one stylesheet and checks names against the registries."""

    def __init__(self) -> None:
        self.diagnostics: list[Diagnostic] = []
        self._properties = known_properties()  # the registry does not grow while a sheet is read

    def warn(self, message: str, span: Span | None, hint: str | None = None) -> None:
        self.diagnostics.append(Diagnostic("warning", message, span, hint, "style"))

    def property_name(self, written: str, where: Callable[[], Span | None]) -> str | None:
        """The canonical property name, or None (with a warning at `where()`) if it can't be styled."""
        info = self._properties.get(normalize_name(written))
        if info is None:
            kebab = "-" in written
            hint = suggest(written, property_names(kebab=kebab))
            self.warn(f"unknown property `{written}`; declaration ignored", where(), hint)
            return None
        if not info.styleable:
            self.warn(f"`{written}` cannot be set by a stylesheet; declaration ignored", where(),
                      info.note or None)
            return None
        return info.name

    def value_fits(self, name: str, value: Any, span: Span | None) -> bool:
        """Whether a value fits the property's type; a misfit is a warning and is ignored."""
        found = property_attributes(name)
        merged = found.merged
        if merged is None or value is None:
            return True
        try:
            merged.coerce(value)
        except CoercionError as problem:
            if _fits_one(found.attrs, value):
                return True
            self.warn(f"{problem}; declaration ignored", span, problem.hint)
            return False
        return True

    def check_types(
        self,
        selector: Selector,
        places: Mapping[int, tuple[int, int]],
        span: Callable[[int, int], Span | None],
    ) -> None:
        """Warn about type names the registry does not know (the selector still applies).

        `places` gives where each type selector of `selector` is written, by its `id()`, and
        `span` makes those offsets a span.
        """
        for part in selector.type_selectors():
            if not part.known:
                self.warn(f"unknown tag `{part.name}` in selector", span(*places[id(part)]),
                          suggest(part.name, REGISTRY.tag_names()))

    def in_order(self) -> tuple[Diagnostic, ...]:
        """The warnings in the order of their places in the text."""
        return in_order(self.diagnostics)


def _fits_one(attrs: Iterable[Attr], value: Any) -> bool:
    """Whether a value fits at least one of the attributes (a rule may target any of them:
    `syntax: csv` is valid for `<table>` only), as `Registry.fits` decides."""
    for attr in attrs:
        try:
            attr.coerce(value)
        except CoercionError:
            continue
        return True
    return False


def in_order(diagnostics: Iterable[Diagnostic]) -> tuple[Diagnostic, ...]:
    return tuple(sorted(diagnostics, key=lambda d: d.span.start if d.span is not None else -1))
