"""JavaScript's conversions between values, as the library shims and operators use them.

Numbers: integers stay exact while they fit in a double's range; an integer result of `+`, `-`,
`*` or `**` at or beyond 2**1024 becomes `Infinity` (or `-Infinity`), as JavaScript's numbers
do, so no expression can build an integer too large to write (`10 ** 5000` is `Infinity`).
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Mapping
from typing import Any

from jinja2 import Undefined

from pml.values import kind_of, to_text

from .undefined import fail

_INT_LIMIT = 2**1024
_INTEGER = re.compile(r"[+-]?\d+")
_HEX = re.compile(r"0[xX][0-9a-fA-F]+")
_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_INFINITY = re.compile(r"[+-]?Infinity")


def bound_int(value: Any) -> Any:
    """An integer too large for a double becomes an infinity; anything else is returned as is."""
    if type(value) is int and not -_INT_LIMIT < value < _INT_LIMIT:
        return math.inf if value > 0 else -math.inf
    return value


def power(base: Any, exponent: Any) -> Any:
    """`**`: exact for integers that fit a double, else `Infinity`, without building huge numbers."""
    if (type(base) is int and type(exponent) is int and exponent > 1 and abs(base) > 1
            and exponent * (abs(base).bit_length() - 1) >= 1024):
        return -math.inf if base < 0 and exponent % 2 else math.inf
    if isinstance(base, (int, float)) and isinstance(exponent, (int, float)) \
            and not isinstance(base, bool) and not isinstance(exponent, bool):
        try:
            return bound_int(base**exponent)
        except OverflowError:
            return math.inf
        except ZeroDivisionError:
            return math.inf
    return base**exponent


def integer(value: Any, default: int = 0) -> int:
    """JavaScript's ToIntegerOrInfinity, with infinities clamped to the platform's range."""
    if value is None:
        return default
    number = to_number(value)
    if number != number:
        return 0
    if math.isinf(number):
        return sys.maxsize if number > 0 else -sys.maxsize
    return int(number)


def to_number(value: Any) -> int | float:
    """JavaScript's `Number(value)` (with `null`/`undefined` both giving 0)."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)):
        return value
    if value is None:
        return 0
    if isinstance(value, Undefined):
        fail(value)
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return 0
        if len(text) > 400:
            return math.nan if not _DECIMAL.fullmatch(text) else float(text)
        if _INTEGER.fullmatch(text):
            return bound_int(int(text))
        if _HEX.fullmatch(text):
            return bound_int(int(text, 16))
        if _DECIMAL.fullmatch(text):
            return float(text)
        if _INFINITY.fullmatch(text):
            return -math.inf if text.startswith("-") else math.inf
    return math.nan


def same(left: Any, right: Any) -> bool:
    """JavaScript's strict equality for `includes`/`indexOf`: booleans are not numbers."""
    if isinstance(left, bool) is not isinstance(right, bool):
        return False
    return bool(left == right)


def element_text(value: Any) -> str:
    """How `join` and `String` write one element: `null` as nothing, the rest as text."""
    return "" if value is None else text_of(value)


def text_of(value: Any) -> str:
    """A value as text, the way PML writes it, with its size bounded by `max_string`.

    Lists and objects are checked (missing members in them are errors, functions written as
    functions) before they are written.
    """
    if type(value) is str:
        return value
    if isinstance(value, Undefined):
        fail(value)
    if isinstance(value, (list, tuple, Mapping)):
        from .data import settle_text

        value = settle_text(value)
    return to_text(value)


def kind(value: Any) -> str:
    """What a value is, in the words of the expression language's error messages: `kind_of`'s,
    except that text is a `string` (JavaScript's word, the one an expression's author writes)."""
    found = kind_of(value)
    return "string" if found == "text" else found


def a_kind(value: Any) -> str:
    """A value's `kind` with its article (`a string`, `an object`), or `null`."""
    if value is None:
        return "null"
    word = kind(value)
    return ("an " if word[0] in "aeiou" else "a ") + word
