"""Characters an output cannot carry, and what a render writes instead.

Context data is untrusted: it may hold any code point Python can hold. Two kinds cannot be
written everywhere, and a render must never crash on them:

* **Lone surrogates** (U+D800–U+DFFF not forming a pair) cannot be encoded in UTF-8, so no
  output can carry them (every payload ends up as UTF-8 JSON). A high surrogate followed by a
  low one is the character they stand for (as in JavaScript's UTF-16 strings) and is joined
  into it; any other surrogate is written as U+FFFD, the replacement character.
* **Characters XML 1.0 forbids** (the C0 controls other than tab, newline and carriage return,
  U+FFFE and U+FFFF) cannot appear in XML or HTML, not even as character references. The xml
  and html syntaxes write U+FFFD in their place. Every other syntax keeps them (JSON payloads
  escape them, YAML writes them in a double-quoted scalar as `\\x01`-style escapes).

A replacement is never silent: each one is noted (`note`) while a render runs, and the render
reports the notes as warnings (`Rendered.warnings`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from pml.errors import Diagnostic
from pml.source import Span

REPLACEMENT = "\ufffd"

_SURROGATE = re.compile("[\ud800-\udfff]")
_PAIR_OR_LONE = re.compile("[\ud800-\udbff][\udc00-\udfff]|[\ud800-\udfff]")
# Not allowed in XML 1.0 documents at all (surrogates are handled first, by `fix_surrogates`).
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

_NOTES: ContextVar[dict[tuple[str, Span | None], None] | None] = ContextVar("pml_char_notes", default=None)

SURROGATE_NOTE = ("a value held a lone surrogate (U+D800–U+DFFF), which no UTF-8 output can carry: "
                  "it was written as U+FFFD")
XML_NOTE = ("the {syntax} output had characters XML cannot carry (control characters such as U+0001, "
            "or U+FFFE/U+FFFF): they were written as U+FFFD")


def has_surrogates(text: str) -> bool:
    return _SURROGATE.search(text) is not None


def fix_surrogates(text: str, span: Span | None = None) -> str:
    """`text` with surrogate pairs joined and lone surrogates replaced by U+FFFD (noted)."""
    if _SURROGATE.search(text) is None:
        return text
    lost = False

    def join(match: re.Match[str]) -> str:
        nonlocal lost
        found = match.group()
        if len(found) == 2:
            return found.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
        lost = True
        return REPLACEMENT

    fixed = _PAIR_OR_LONE.sub(join, text)
    if lost:
        note(SURROGATE_NOTE, span)
    return fixed


def replace_surrogates(text: str, span: Span | None = None) -> str:
    """`text` with every surrogate replaced by U+FFFD, one for one, so offsets stay the same."""
    if _SURROGATE.search(text) is None:
        return text
    note(SURROGATE_NOTE, span)
    return _SURROGATE.sub(REPLACEMENT, text)


def clean(value: Any, span: Span | None = None) -> Any:
    """A value with `fix_surrogates` applied to every string in it (keys included).

    Returns the value itself when nothing needs fixing; containers are copied only then."""
    if isinstance(value, str):
        return fix_surrogates(value, span)
    if isinstance(value, dict):
        out: dict[Any, Any] | None = None
        for index, (key, item) in enumerate(value.items()):
            new_key = fix_surrogates(key, span) if isinstance(key, str) else key
            new_item = clean(item, span)
            if out is None and (new_key is not key or new_item is not item):
                out = dict(list(value.items())[:index])
            if out is not None:
                out[new_key] = new_item
        return value if out is None else out
    if isinstance(value, (list, tuple)):
        items: list[Any] | None = None
        for index, item in enumerate(value):
            new_item = clean(item, span)
            if items is None and new_item is not item:
                items = list(value[:index])
            if items is not None:
                items.append(new_item)
        if items is None:
            return value
        return items if isinstance(value, list) else tuple(items)
    return value


def xml_text(text: str, syntax: str = "xml") -> str:
    """Text that XML (and HTML) can carry: surrogates fixed, forbidden characters as U+FFFD."""
    text = fix_surrogates(text)
    if _XML_FORBIDDEN.search(text) is None:
        return text
    note(XML_NOTE.format(syntax=syntax), None)
    return _XML_FORBIDDEN.sub(REPLACEMENT, text)


def note(message: str, span: Span | None = None) -> None:
    """Record a replacement for the render in progress (nothing happens outside a render)."""
    notes = _NOTES.get()
    if notes is not None:
        notes.setdefault((message, span), None)


@contextmanager
def collecting() -> Iterator[list[Diagnostic]]:
    """Collect notes during a block; the list it yields is filled with warnings when it ends."""
    warnings: list[Diagnostic] = []
    token = _NOTES.set({})
    try:
        yield warnings
    finally:
        notes = _NOTES.get() or {}
        _NOTES.reset(token)
        warnings.extend(Diagnostic("warning", message, span, None, "output") for message, span in notes)


__all__ = ["REPLACEMENT", "clean", "collecting", "fix_surrogates", "has_surrogates", "note", "replace_surrogates",
           "xml_text"]
