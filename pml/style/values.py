"""Declaration values: the text written after `property:` read as a string, number, keyword or JSON.

`read_value` tries, in order: a quoted string (its content), `true`/`false`/`null` in any case
(a boolean or None), a number (an int, or a float when written with `.` or an exponent), and a
text starting with `{` or `[` (JSON, which must then be valid). Anything else is the text itself.

A double-quoted string that is valid JSON takes JSON's escapes (`\\n`, `\\t`, `\\"`, `\\u00e9`), so
the JSON form and its CSS translation read to equal values. Any other quoted string takes CSS's
escapes: `\\` and one to six hex digits (and one optional space after them) is that code point
(`\\e9 ` is `é`), a backslash before a newline joins the lines, and a backslash before any other
character keeps that character — except `\\n`, `\\t` and `\\r`, which are a newline, a tab and a
carriage return as in JSON.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from typing import Any


class ValueSyntaxError(ValueError):
    """A `{…}`/`[…]` value is not JSON; `position` is the character offset of the problem."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


_STRING = re.compile(r'"(?:[^"\\\n]|\\.|\\\n)*"|\'(?:[^\'\\\n]|\\.|\\\n)*\'')
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_KEYWORDS: dict[str, Any] = {"true": True, "false": False, "null": None}
_ESCAPE = re.compile(r"\\(?:([0-9a-fA-F]{1,6})[ \t\n]?|(\n)|(.))", re.DOTALL)
_CONTROL_ESCAPES = {"n": "\n", "t": "\t", "r": "\r"}
_NOT_READ = object()


def _escaped(match: re.Match[str]) -> str:
    hex_digits, newline, other = match.groups()
    if hex_digits is not None:
        code = int(hex_digits, 16)
        surrogate = 0xD800 <= code <= 0xDFFF
        return chr(code) if 0 < code <= sys.maxunicode and not surrogate else "\ufffd"
    if newline is not None:
        return ""
    return _CONTROL_ESCAPES.get(other, other)


def unquote(text: str) -> str:
    """The value of a quoted string (see the module docstring for its escapes)."""
    if text[0] == '"':
        try:
            value: str = json.loads(text)
            return value
        except json.JSONDecodeError:
            pass
    return _ESCAPE.sub(_escaped, text[1:-1])


def _read_string(text: str) -> Any:
    return unquote(text) if _STRING.fullmatch(text) else _NOT_READ


def _read_keyword(text: str) -> Any:
    return _KEYWORDS.get(text.lower(), _NOT_READ)


def _read_number(text: str) -> Any:
    if not _NUMBER.fullmatch(text):
        return _NOT_READ
    if any(mark in text for mark in ".eE"):
        return float(text)
    return int(text)


def _read_json(text: str) -> Any:
    if not text.startswith(("{", "[")):
        return _NOT_READ
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueSyntaxError(error.msg, error.pos) from None


_VALUE_READERS: tuple[Callable[[str], Any], ...] = (
    _read_string, _read_keyword, _read_number, _read_json,
)


def read_value(text: str) -> Any:
    """A declaration's value from its written text (see the module docstring).

    Raises `ValueSyntaxError` when a value that starts with `{` or `[` is not JSON.
    """
    text = text.strip()
    for reader in _VALUE_READERS:
        value = reader(text)
        if value is not _NOT_READ:
            return value
    return text
