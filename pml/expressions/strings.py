"""JavaScript's string methods (`s.trim()`, `s.replace(/a/g, 'b')`, `s.padStart(3, '0')`, …).

Each is registered in `STRING_METHODS` under its JavaScript name; the sandbox binds it to the
string it is read from. Results that can grow are checked against `max_string` before they
are built. Regular expressions run with the time bound of `pml.expressions.jsregex`.
"""

from __future__ import annotations

import math
import sys
import unicodedata
from collections.abc import Callable
from typing import Any

from pml.values import to_text

from .budget import check_text
from .convert import integer
from .jsregex import JSRegExp, find_all, pattern_of, search, split, substitute

Method = Callable[..., Any]
STRING_METHODS: dict[str, Method] = {}

PYTHON_STRING_METHODS = frozenset(
    "upper lower title capitalize casefold swapcase strip lstrip rstrip rsplit splitlines "
    "startswith endswith find rfind count isdigit isalpha isalnum isspace isupper islower "
    "istitle isnumeric isdecimal removeprefix removesuffix partition rpartition".split()
)
"""Python `str` methods that stay reachable (read-only, bounded); JavaScript names win."""


def js(table: dict[str, Method], *names: str) -> Callable[[Method], Method]:
    """Register a function as the JavaScript method `names[0]` (and aliases) of a type."""

    def register(function: Method) -> Method:
        function.__name__ = function.__qualname__ = names[0]
        for name in names:
            table[name] = function
        return function

    return register


@js(STRING_METHODS, "endsWith")
def _ends_with(text: str, search_text: Any, end: Any = None) -> bool:
    return text[: integer(end, len(text))].endswith(to_text(search_text))


@js(STRING_METHODS, "startsWith")
def _starts_with(text: str, search_text: Any, position: Any = None) -> bool:
    return text.startswith(to_text(search_text), max(0, integer(position)))


@js(STRING_METHODS, "includes")
def _includes(text: str, search_text: Any, position: Any = None) -> bool:
    return to_text(search_text) in text[max(0, integer(position)) :]


@js(STRING_METHODS, "trim")
def _trim(text: str) -> str:
    return text.strip()


@js(STRING_METHODS, "trimStart", "trimLeft")
def _trim_start(text: str) -> str:
    return text.lstrip()


@js(STRING_METHODS, "trimEnd", "trimRight")
def _trim_end(text: str) -> str:
    return text.rstrip()


@js(STRING_METHODS, "toUpperCase", "toLocaleUpperCase")
def _upper(text: str) -> str:
    result = text.upper()
    check_text(len(result))
    return result


@js(STRING_METHODS, "toLowerCase", "toLocaleLowerCase")
def _lower(text: str) -> str:
    return text.lower()


@js(STRING_METHODS, "toString", "valueOf")
def _to_string(text: str) -> str:
    return text


@js(STRING_METHODS, "replace")
def _replace(text: str, pattern: Any, replacement: Any) -> str:
    every = isinstance(pattern, JSRegExp) and pattern.is_global
    compiled, shown = pattern_of(pattern)
    return substitute(compiled, text, to_text(replacement), 0 if every else 1, shown)


@js(STRING_METHODS, "replaceAll")
def _replace_all(text: str, pattern: Any, replacement: Any) -> str:
    compiled, shown = pattern_of(pattern)
    return substitute(compiled, text, to_text(replacement), 0, shown)


@js(STRING_METHODS, "split")
def _split(text: str, separator: Any = None, limit: Any = None) -> list[Any]:
    parts: list[Any]
    if separator is None:
        parts = text.split()
    elif isinstance(separator, JSRegExp):
        parts = split(separator._compiled, text, str(separator))
    elif to_text(separator) == "":
        parts = list(text)
    else:
        parts = text.split(to_text(separator))
    return parts if limit is None else parts[: max(0, integer(limit))]


@js(STRING_METHODS, "slice")
def _slice(text: str, start: Any = None, end: Any = None) -> str:
    return text[integer(start) : None if end is None else integer(end)]


@js(STRING_METHODS, "substring")
def _substring(text: str, start: Any = None, end: Any = None) -> str:
    low = min(max(integer(start), 0), len(text))
    high = min(max(integer(end, len(text)), 0), len(text))
    return text[min(low, high) : max(low, high)]


@js(STRING_METHODS, "indexOf")
def _index_of(text: str, search_text: Any, position: Any = None) -> int:
    return text.find(to_text(search_text), max(0, integer(position)))


@js(STRING_METHODS, "lastIndexOf")
def _last_index_of(text: str, search_text: Any) -> int:
    return text.rfind(to_text(search_text))


def _pad(text: str, length: Any, fill: Any) -> str:
    target = integer(length)
    filler = " " if fill is None else to_text(fill)
    if target <= len(text) or not filler:
        return ""
    check_text(target)
    missing_count = target - len(text)
    return (filler * (missing_count // len(filler) + 1))[:missing_count]


@js(STRING_METHODS, "padStart")
def _pad_start(text: str, length: Any, fill: Any = None) -> str:
    return _pad(text, length, fill) + text


@js(STRING_METHODS, "padEnd")
def _pad_end(text: str, length: Any, fill: Any = None) -> str:
    return text + _pad(text, length, fill)


@js(STRING_METHODS, "repeat")
def _repeat(text: str, count: Any) -> str:
    times = integer(count)
    if times < 0 or times >= sys.maxsize:
        raise ValueError(f"invalid repeat count: {to_text(count)}")
    check_text(len(text) * times)
    return text * times


@js(STRING_METHODS, "charAt")
def _char_at(text: str, index: Any = None) -> str:
    position = integer(index)
    return text[position] if 0 <= position < len(text) else ""


@js(STRING_METHODS, "charCodeAt")
def _char_code_at(text: str, index: Any = None) -> int | float:
    position = integer(index)
    return ord(text[position]) if 0 <= position < len(text) else math.nan


@js(STRING_METHODS, "at")
def _at(text: str, index: Any = None) -> str | None:
    position = integer(index)
    return text[position] if -len(text) <= position < len(text) else None


@js(STRING_METHODS, "concat")
def _concat(text: str, *others: Any) -> str:
    from .convert import text_of

    parts = [text_of(other) for other in others]
    check_text(len(text) + sum(map(len, parts)))
    return text + "".join(parts)


@js(STRING_METHODS, "match")
def _match(text: str, pattern: Any) -> list[Any] | None:
    compiled, shown = pattern_of(pattern)
    if isinstance(pattern, JSRegExp) and pattern.is_global:
        found = [match.group(0) for match in find_all(compiled, text, shown)]
        return found or None
    match = search(compiled, text, shown)
    return None if match is None else [match.group(0), *match.groups()]


@js(STRING_METHODS, "search")
def _search(text: str, pattern: Any) -> int:
    compiled, shown = pattern_of(pattern)
    match = search(compiled, text, shown)
    return -1 if match is None else int(match.start())


def _collation_key(text: str) -> tuple[str, str]:
    """An approximation of a locale's order: by letters ignoring case and accents, then with
    lower case before upper case and plain letters before accented ones."""
    bare = "".join(char for char in unicodedata.normalize("NFD", text.casefold())
                   if not unicodedata.combining(char))
    return bare, text.swapcase()


@js(STRING_METHODS, "localeCompare")
def _locale_compare(text: str, other: Any) -> int:
    left, right = _collation_key(text), _collation_key(to_text(other))
    return 0 if left == right else (-1 if left < right else 1)


def python_join(text: str, items: Any) -> str:
    """Python's `sep.join(items)`, with its size checked before it is built."""
    from .convert import text_of

    parts = [item if isinstance(item, str) else text_of(item) for item in items]
    check_text(sum(map(len, parts)) + len(text) * max(0, len(parts) - 1))
    return text.join(parts)
