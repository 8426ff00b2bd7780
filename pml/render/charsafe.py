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
from pml.syntax.source import Span
from pml.values import Memo, survey

REPLACEMENT = "\ufffd"

_SURROGATE = re.compile("[\ud800-\udfff]")
_PAIR_OR_LONE = re.compile("[\ud800-\udbff][\udc00-\udfff]|[\ud800-\udfff]")
# Not allowed in XML 1.0 documents at all (surrogates are handled first, by `fix_surrogates`).
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

_NOTES: ContextVar[dict[tuple[str, Span | None], None] | None] = ContextVar("pml_char_notes", default=None)

SURROGATE_NOTE = ("a value held a lone surrogate (U+D800–U+DFFF), which no UTF-8 output can carry: "
                  "it was written as U+FFFD")
XML_NOTE = ("the {syntax} output had characters {name} cannot carry (control characters such as U+0001, "
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


def clean(value: Any, span: Span | None = None, memo: Memo | None = None) -> Any:
    """A value with `fix_surrogates` applied to every string in it (keys included).

    Returns the value itself when nothing needs fixing; containers are copied only then. `memo`
    keeps what is known of values already looked at (`pml.values.survey`)."""
    if isinstance(value, str):
        return fix_surrogates(value, span)
    if not isinstance(value, (dict, list, tuple)) or not survey(value, memo).surrogates:
        return value
    return _cleaned(value, span)


def _cleaned(value: Any, span: Span | None, depth: int = 0) -> Any:
    if isinstance(value, str):
        return fix_surrogates(value, span)
    if depth > 1000:  # a cycle, or data deeper than anything renders: leave it to the final check
        return value
    if isinstance(value, dict):
        return {_cleaned(k, span, depth + 1): _cleaned(v, span, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        items = [_cleaned(v, span, depth + 1) for v in value]
        return items if isinstance(value, list) else tuple(items)
    return value


def xml_text(text: str, syntax: str = "xml") -> str:
    """Text that XML (and HTML) can carry: surrogates fixed, forbidden characters as U+FFFD."""
    text = fix_surrogates(text)
    if _XML_FORBIDDEN.search(text) is None:
        return text
    note(XML_NOTE.format(syntax=syntax, name=syntax.upper()), None)
    return _XML_FORBIDDEN.sub(REPLACEMENT, text)


def check_xml(text: str, syntax: str, span: Span | None) -> None:
    """Note, at `span`, that text bound for XML or HTML holds characters those cannot carry (the
    writer replaces them; this only says where they came from)."""
    if _XML_FORBIDDEN.search(text) is not None:
        note(XML_NOTE.format(syntax=syntax, name=syntax.upper()), span)


def note(message: str, span: Span | None = None) -> None:
    """Record a replacement for the render in progress (nothing happens outside a render)."""
    notes = _NOTES.get()
    if notes is not None:
        notes.setdefault((message, span), None)


class Notes:
    """The notes of a block (`collecting`)."""

    def __init__(self) -> None:
        self.found: dict[tuple[str, Span | None], None] = {}

    def warnings(self) -> list[Diagnostic]:
        """The notes so far as warnings; a note made with a location and without is kept once, located."""
        located = {message for message, span in self.found if span is not None}
        return [Diagnostic("warning", message, span, None, "output") for message, span in self.found
                if span is not None or message not in located]


@contextmanager
def collecting() -> Iterator[Notes]:
    """Collect the notes made during a block."""
    notes = Notes()
    token = _NOTES.set(notes.found)
    try:
        yield notes
    finally:
        _NOTES.reset(token)


__all__ = ["REPLACEMENT", "Notes", "check_xml", "clean", "collecting", "fix_surrogates", "has_surrogates", "note",
           "replace_surrogates", "xml_text"]
