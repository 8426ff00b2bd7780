"""`<meta>`, read while compiling: it checks the PML version and turns components off or on.

`<meta minVersion="1.2" maxVersion="2">` stops the compile of a document written for another
version; `<meta components="-table,+img">` turns components off (`-`, an unknown tag from then on)
or back on (`+`) for the rest of the document.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from pml.errors import Diagnostic, Severity
from pml.registry import REGISTRY
from pml.syntax.nodes import Element
from pml.syntax.source import Span
from pml.version import VERSION

_OLD_META = {"schema": "output-schema", "tool": "tool-definition", "runtime": "runtime"}
_BOUNDS: tuple[tuple[str, Callable[[int], bool], str], ...] = (
    ("minVersion", lambda c: c >= 0, "or higher"),
    ("maxVersion", lambda c: c <= 0, "or lower"),
)


def read_meta(element: Element, disabled: dict[str, Span]) -> list[Diagnostic]:
    """Apply a `<meta>` while compiling: check versions, update `disabled` (component name → where it
    was turned off); return the problems."""
    problems: list[Diagnostic] = []

    def problem(message: str, span: Span, hint: str | None = None, severity: Severity = "error") -> None:
        problems.append(Diagnostic(severity, message, span, hint, "compile"))

    old = element.attribute("type")
    if old is not None:
        kind = old.text.strip()
        problem(f"`<meta type=\"{kind}\">` is no longer supported", element.span,
                f"write <{_OLD_META.get(kind, kind)}> instead")
        return problems
    for attr_name, check, word in _BOUNDS:
        attr = element.attribute(attr_name)
        if attr is None or not attr.is_static:  # `{{ }}` here is reported by the compiler (a literal attribute)
            continue
        span = attr.value_span or attr.span
        wanted = _version(attr.text)
        if wanted is None:
            problem(f"`{attr_name}` should be a version such as 1.2.0, not `{attr.raw}`", span)
        elif not check(_compare(_version(VERSION) or (0,), wanted)):
            problem(f"this document needs PML {attr.text.strip()} {word}; this is PML {VERSION}", span)
    attr = element.attribute("components")
    if attr is not None and attr.is_static:
        span = attr.value_span or attr.span
        for token in re.split(r"[,\s]+", attr.text.strip()):
            if not token:
                continue
            op, name = token[0], token[1:].strip()
            if op not in "+-" or not name:
                problem(f"`{token}` in `components` should be `+name` (turn on) or `-name` (turn off)", span)
                continue
            found = REGISTRY.lookup(name)
            if found is None:
                problem(f"unknown component `{name}` in `components`", span, severity="warning")
            elif op == "-":
                disabled[found.name] = span
            else:
                disabled.pop(found.name, None)
    return problems


def _version(text: str) -> tuple[int, ...] | None:
    match = re.fullmatch(r"\s*v?(\d+(?:\.\d+)*)(?:[-+][\w.]*)?\s*", text)
    return tuple(int(p) for p in match.group(1).split(".")) if match else None


def _compare(have: tuple[int, ...], wanted: tuple[int, ...]) -> int:
    width = max(len(have), len(wanted))
    left = have + (0,) * (width - len(have))
    right = wanted + (0,) * (width - len(wanted))
    return (left > right) - (left < right)


__all__ = ["read_meta"]
