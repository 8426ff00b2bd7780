"""What a stylesheet is read into: declarations, rules, sheets, and the origins that rank sheets.

Both readers (`pml.style.css` for CSS syntax, `pml.style.json_form` for POML's JSON form) make
these objects; the cascade (`pml.style.cascade`) applies them. `str()` of a rule is canonical CSS
that `parse_css` reads back to an equal rule.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from pml.errors import Diagnostic
from pml.style.selectors import Selector
from pml.syntax.source import Span


class Origin(IntEnum):
    """Where a stylesheet comes from. A higher origin wins the cascade (see `pml.style.cascade`)."""

    DEFAULT = 0  # PML's built-in default stylesheet
    DOCUMENT = 1  # <style>/<stylesheet> in the document, and files it names
    CALLER = 2  # stylesheets passed by the caller (CLI, SDK)


ORIGIN_DEFAULT = Origin.DEFAULT
ORIGIN_DOCUMENT = Origin.DOCUMENT
ORIGIN_CALLER = Origin.CALLER


@dataclass(frozen=True, slots=True)
class Declaration:
    """`name: value [!important]`; `name` is the canonical camelCase property name."""

    name: str
    value: Any
    important: bool = False
    span: Span | None = field(default=None, compare=False, repr=False)

    def __str__(self) -> str:
        """The declaration in canonical CSS (`captionStyle: "bold" !important`)."""
        written = json.dumps(self.value, ensure_ascii=False)
        return f"{self.name}: {written}" + (" !important" if self.important else "")


@dataclass(frozen=True, slots=True)
class Rule:
    """One selector and its declarations. `order` is the rule's position in its sheet.

    A rule written with a selector list (`a, b { … }`) becomes one `Rule` per selector, each
    with its own specificity and the same `order`.
    """

    selector: Selector
    declarations: tuple[Declaration, ...]
    order: int
    span: Span | None = field(default=None, compare=False, repr=False)

    def __str__(self) -> str:
        """The rule in canonical CSS, which `parse_css` reads back to an equal rule."""
        body = "; ".join(str(declaration) for declaration in self.declarations)
        return f"{self.selector} {{ {body} }}" if body else f"{self.selector} {{ }}"


@dataclass(frozen=True, slots=True)
class Stylesheet:
    """The rules of one sheet, the warnings found reading it, and its cascade origin.

    `origin` may be given as a plain number (0, 1, 2); it is kept as an `Origin`.
    """

    rules: tuple[Rule, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    origin: Origin = Origin.DOCUMENT

    def __post_init__(self) -> None:
        if type(self.origin) is not Origin:
            object.__setattr__(self, "origin", Origin(self.origin))
