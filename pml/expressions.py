"""Expressions: `{{ … }}`, `if=`, `for=` and `<let value=…>`, evaluated in a sandbox.

An expression is Jinja2 *expression* syntax (`user.name | upper`, `a if ok else b`,
`items | join(", ")`, `x ~ y`) evaluated by one module-level `SandboxedEnvironment` with strict
undefined values. POML files are written in JavaScript, so the JavaScript forms they use are
translated to Jinja before compiling, by a small tokenizer that respects string literals:

* `&&` `||` `!x` → `and` `or` `(not x)`; `===` `!==` → `==` `!=`;
  `null` and `undefined` → `none` (both are Python's `None`);
* `c ? a : b` → `(a if c else b)`, nested and parenthesised; `{key: v}` object keys are names;
* regular expression literals `/pattern/flags` → a JS-like regex object (flags `g i m s u d`);
* `+` with a string on either side concatenates the `to_text` of both sides (`'a' + 1` → `a1`);
* arrow functions `x => body`, `(a, b) => body`, `([key, value]) => body` and
  `({name, age}) => body` → a call of the hidden global `__pml_arrow__` (see below).

Values get JavaScript members when the name is not a dict key (a key always wins): `.length`
on strings, lists and dicts; string methods (`trim`, `replace`, `split`, `padStart`,
`localeCompare`, …); list methods (`join`, `includes`, `slice`, `concat`, …); and the globals
`JSON`, `Math`, `Object`, `Array`, `String`, `Number`, `parseInt`, `parseFloat`, `isNaN`, `NaN`,
`Infinity`. Template literals, `?.` and `??` are not supported and say so.

Arrow functions are for the list methods that take a function: `map`, `flatMap`, `filter`,
`some`, `every`, `find`, `findIndex`, `findLast`, `findLastIndex`, `reduce`, `reduceRight` and
`sort`/`toSorted` (`items.filter(i => i.done).length`, `xs.reduce((a, b) => a + b, 0)`,
`Object.entries(d).map(([k, v]) => k + '=' + v)`). As in JavaScript they receive (element,
index, list) — `reduce` (total, element, index, list), `sort` (a, b) — and extra parameters are
`null`; a plain function such as `String` receives the element only. The body is one
expression (a `{ … }` block body is refused: write `x => ({key: x})` for an object); it sees the
variables where the arrow is written, and its parameters shadow them, so arrows nest and close
over outer parameters. Each body is compiled once, as its own Jinja expression cached by its
text; calling the arrow evaluates it with the enclosing variables plus the parameters.
`sort` returns a sorted copy (context data is never changed); without a comparator it
compares the elements' text as JavaScript does (`[10, 9, 1].sort()` → `[1, 10, 9]`), `null`
last. Arrows can be stored with `<let>` and called later (`f(x)`, `items.map(f)`); they keep the
variables of the evaluation that made them, and write their source as text. Destructuring is
one level deep, with no defaults and no `...rest`; a destructured list that is too short gives
`null`, a missing object key is undefined.

Differences from JavaScript to know about: a string `replace` pattern replaces the first match
(the Jinja filter `| replace` replaces all); `split()` with no separator splits on whitespace;
`join` and `String(x)` write elements with `to_text` (so `null` is empty and lists are JSON);
`Math.max(list)` accepts one list; `%` is Python's modulo; `~` uses Python's `str`; as in
Jinja, `**` is left-associative and `~` binds tighter than `+` (write `(i + 1) ~ '/'`).
Conditions use Python truthiness, for `!`, `&&`, `? :` and the results of `filter`, `some`,
`every`, `find` and `findIndex` functions alike: `[]`, `{}` and `0` are false, `NaN` and
`'0'` are true. `localeCompare` approximates a locale's order (letters ignoring case and
accents, then lower case first); `map(f, thisArg)` takes no `thisArg`.

Safety: no name starting with `_` is ever resolved as an attribute, Python strings, lists and
dicts expose only an allowlist of read-only methods (`str.format` is not one of them), and
builtin mutators are blocked. Results that could grow without bound (`repeat`, `padStart`, `*`,
`**`, `replace`, `join`, the `center`/`indent`/`format`/`batch`/`slice` filters) are capped.
Jinja's `lipsum`, `cycler`, `joiner` and `namespace` globals are removed; `range` (capped at
100,000 items) stays, and `dict(a=1)` stays as a plain function (the `dict` type itself would
reach `dict.update(data)`). Regular expressions run on Python's `re`, so a pathological
pattern can still be slow. An arrow function is an opaque object (all its attributes start
with `_`) whose body runs in the same sandbox; `__pml_arrow__` cannot be named by expressions.
Within one evaluation of an expression with arrows (or one method call or direct call that
uses a stored arrow), functions may be called at most `MAX_ITEMS` times, and the capped
operations above may build at most `MAX_ITEMS` list items and `MAX_TEXT` characters in all, so
nested `map`s and recursion stay bounded (runaway recursion stops at Python's recursion limit).

Errors: bad syntax raises `PMLSyntaxError` at compile time, pointing at the expression. At
evaluation, a missing variable or attribute raises `PMLUndefinedError` pointing at the name
inside the expression, with a "did you mean" hint; anything else that goes wrong raises
`PMLRenderError` ("error in expression `…`: …", or "unsafe attribute access …"). Nothing else
escapes. Errors inside an arrow's body are reported the same way, pointing into that body; a
missing variable there suggests its parameters (and those of enclosing arrows) too. Lazy
results (`map`, `select`, `reverse`, `range`, `dict.items()`) become lists, also when an
arrow returns them.

Plain names and paths (`question`, `example.input`, `test[0].input`, `loop.index`) skip Jinja:
they are resolved directly with the same member rules and the same errors. Compilation is
cached per code text, so compiling the same expression again is cheap.
"""

from __future__ import annotations

import math
import re
import sys
import unicodedata
from collections.abc import Callable, ItemsView, Iterator, KeysView, Mapping, ValuesView
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cmp_to_key, lru_cache, partial
from typing import Any, NamedTuple

from jinja2 import StrictUndefined, TemplateSyntaxError, Undefined, UndefinedError, meta
from jinja2 import nodes as jinja_nodes
from jinja2.exceptions import SecurityError
from jinja2.parser import Parser
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import missing, pass_context, pass_eval_context

from pml.errors import (
    PMLError,
    PMLUndefinedError,
    diagnostic,
    render_error,
    suggest,
    syntax_error,
)
from pml.source import Span
from pml.values import parse_json, to_json, to_text

__all__ = [
    "BUILTIN_NAMES",
    "MAX_ITEMS",
    "MAX_TEXT",
    "Expression",
    "JSRegExp",
    "compile_expression",
    "parse_for",
]

MAX_TEXT = 10_000_000
"""The longest string an expression may build with a repeating operation."""
MAX_ITEMS = 1_000_000
"""The longest list an expression may build with `*` or a filter."""

_SYNTAX_HINT = (
    "expressions use Jinja syntax (`name | upper`, `a if ok else b`) "
    "or simple JavaScript (`a ? b : c`, `a && b`, `text.trim()`)"
)
_UNSAFE_HINT = "expressions cannot reach names starting with `_` or Python internals"


# --------------------------------------------------------------------------------------------
# Limits and conversions shared by the JavaScript helpers


class _Budget:
    """What the functions called by one list method (`map`, `filter`, …) may still spend."""

    __slots__ = ("calls", "items", "text")

    def __init__(self) -> None:
        self.calls = self.items = self.text = 0

    def call(self) -> None:
        self.calls += 1
        if self.calls > MAX_ITEMS:
            raise ValueError(f"functions were called more than {MAX_ITEMS} times")


_BUDGET: ContextVar[_Budget | None] = ContextVar("pml_expression_budget", default=None)


@contextmanager
def _budgeted() -> Iterator[_Budget]:
    """The budget in force, or a new one for the calls made inside this block."""
    budget = _BUDGET.get()
    if budget is not None:
        yield budget
        return
    budget = _Budget()
    token = _BUDGET.set(budget)
    try:
        yield budget
    finally:
        _BUDGET.reset(token)


def _limit_text(length: int) -> None:
    if length > MAX_TEXT:
        raise ValueError(f"the result would be {length} characters long (the limit is {MAX_TEXT})")


def _check_text(length: int) -> None:
    """Refuse a string longer than `MAX_TEXT`; inside functions, also count it as built."""
    _limit_text(length)
    budget = _BUDGET.get()
    if budget is not None:
        budget.text += length
        if budget.text > MAX_TEXT:
            raise ValueError(f"functions built {budget.text} characters in all "
                             f"(the limit is {MAX_TEXT})")


def _check_items(count: int) -> None:
    """Refuse a list longer than `MAX_ITEMS`; inside functions, also count it as built."""
    if count > MAX_ITEMS:
        raise ValueError(f"the result would have {count} items (the limit is {MAX_ITEMS})")
    budget = _BUDGET.get()
    if budget is not None:
        budget.items += count
        if budget.items > MAX_ITEMS:
            raise ValueError(f"functions built {budget.items} items in all "
                             f"(the limit is {MAX_ITEMS})")


def _integer(value: Any, default: int = 0) -> int:
    """JavaScript's ToIntegerOrInfinity, with infinities clamped to the platform's range."""
    if value is None:
        return default
    number = _to_number(value)
    if number != number:
        return 0
    if math.isinf(number):
        return sys.maxsize if number > 0 else -sys.maxsize
    return int(number)


def _to_number(value: Any) -> int | float:
    """JavaScript's `Number(value)` (with `null`/`undefined` both giving 0)."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)):
        return value
    if value is None:
        return 0
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return 0
        if re.fullmatch(r"[+-]?\d+", text):
            return int(text)
        if re.fullmatch(r"0[xX][0-9a-fA-F]+", text):
            return int(text, 16)
        if re.fullmatch(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", text):
            return float(text)
        if re.fullmatch(r"[+-]?Infinity", text):
            return -math.inf if text.startswith("-") else math.inf
    return math.nan


def _same(left: Any, right: Any) -> bool:
    """JavaScript's strict equality for `includes`/`indexOf`: booleans are not numbers."""
    if isinstance(left, bool) is not isinstance(right, bool):
        return False
    return bool(left == right)


def _element_text(value: Any) -> str:
    return "" if value is None else to_text(value)


# --------------------------------------------------------------------------------------------
# Regular expressions


class JSRegExp:
    """A JavaScript regular expression literal, run on Python's `re`.

    Flags: `g` (replace/match every occurrence), `i`, `m`, `s`; `u` and `d` are accepted and
    ignored. `source` and `flags` are readable from expressions, as is `test(text)`.
    """

    __slots__ = ("_compiled", "flags", "is_global", "source")

    def __init__(self, source: str, flags: str) -> None:
        for flag in flags:
            if flag == "y":
                raise ValueError("the sticky flag `y` is not supported")
            if flag not in "gimsud" or flags.count(flag) > 1:
                raise ValueError(f"flag `{flag}` is unknown or repeated")
        options = re.IGNORECASE if "i" in flags else 0
        options |= re.MULTILINE if "m" in flags else 0
        options |= re.DOTALL if "s" in flags else 0
        self.source = source
        self.flags = flags
        self.is_global = "g" in flags
        self._compiled = re.compile(_python_pattern(source, "m" in flags), options)

    def test(self, text: Any) -> bool:
        """Whether the pattern matches anywhere in `text`."""
        return self._compiled.search(to_text(text)) is not None

    def __str__(self) -> str:
        return f"/{self.source}/{self.flags}"

    __repr__ = __str__


def _python_pattern(source: str, multiline: bool) -> str:
    """Rewrite the few JavaScript regex forms Python spells differently."""
    out: list[str] = []
    index, in_class = 0, False
    while index < len(source):
        char = source[index]
        if char == "\\":
            if source.startswith("\\k<", index) and ">" in source[index:]:
                end = source.index(">", index)
                out.append(f"(?P={source[index + 3 : end]})")
                index = end + 1
                continue
            out.append(source[index : index + 2])
            index += 2
            continue
        if in_class:
            in_class = char != "]"
            out.append(char)
        elif source.startswith("[^]", index):
            out.append(r"[\s\S]")
            index += 3
            continue
        elif char == "[":
            in_class = True
            out.append(char)
        elif source.startswith("(?<", index) and source[index + 3 : index + 4] not in ("=", "!"):
            out.append("(?P<")
            index += 3
            continue
        elif char == "$" and not multiline:
            out.append(r"\Z")
        else:
            out.append(char)
        index += 1
    return "".join(out)


@lru_cache(maxsize=512)
def _regex(source: str, flags: str) -> JSRegExp:
    return JSRegExp(source, flags)


_DOLLAR = re.compile(r"\$(\$|&|`|'|\d{1,2}|<[^>]*>)")


def _expand(template: str, match: re.Match[str]) -> str:
    """Apply JavaScript's `$&`, `$1`, `$<name>`, `` $` ``, `$'` and `$$` to one match."""
    groups = match.re.groups

    def one(token: re.Match[str]) -> str:
        key = token.group(1)
        if key == "$":
            return "$"
        if key == "&":
            return match.group(0)
        if key == "`":
            return match.string[: match.start()]
        if key == "'":
            return match.string[match.end() :]
        if key.startswith("<"):
            name = key[1:-1]
            if not match.re.groupindex:
                return token.group(0)
            return (match.group(name) or "") if name in match.re.groupindex else ""
        if len(key) == 2 and 1 <= int(key) <= groups:
            return match.group(int(key)) or ""
        if 1 <= int(key[0]) <= groups:
            return (match.group(int(key[0])) or "") + key[1:]
        return token.group(0)

    return _DOLLAR.sub(one, template)


def _substitute(pattern: re.Pattern[str], text: str, replacement: str, count: int) -> str:
    total = len(text)
    dollars = "$" in replacement

    def replace(match: re.Match[str]) -> str:
        nonlocal total
        out = _expand(replacement, match) if dollars else replacement
        total += len(out) - (match.end() - match.start())
        _limit_text(total)
        return out

    result = pattern.sub(replace, text, count=count)
    _check_text(len(result))
    return result


def _pattern_of(pattern: Any) -> re.Pattern[str]:
    if isinstance(pattern, JSRegExp):
        return pattern._compiled
    return _literal_pattern(to_text(pattern))


@lru_cache(maxsize=256)
def _literal_pattern(text: str) -> re.Pattern[str]:
    return re.compile(re.escape(text))


# --------------------------------------------------------------------------------------------
# JavaScript members of strings and lists

_Method = Callable[..., Any]
_STRING_METHODS: dict[str, _Method] = {}
_LIST_METHODS: dict[str, _Method] = {}


def _js(table: dict[str, _Method], *names: str) -> Callable[[_Method], _Method]:
    """Register a function as the JavaScript method `names[0]` (and aliases) of a type."""

    def register(function: _Method) -> _Method:
        function.__name__ = function.__qualname__ = names[0]
        for name in names:
            table[name] = function
        return function

    return register


@_js(_STRING_METHODS, "endsWith")
def _ends_with(text: str, search: Any, end: Any = None) -> bool:
    return text[: _integer(end, len(text))].endswith(to_text(search))


@_js(_STRING_METHODS, "startsWith")
def _starts_with(text: str, search: Any, position: Any = None) -> bool:
    return text.startswith(to_text(search), max(0, _integer(position)))


@_js(_STRING_METHODS, "includes")
def _str_includes(text: str, search: Any, position: Any = None) -> bool:
    return to_text(search) in text[max(0, _integer(position)) :]


@_js(_STRING_METHODS, "trim")
def _trim(text: str) -> str:
    return text.strip()


@_js(_STRING_METHODS, "trimStart", "trimLeft")
def _trim_start(text: str) -> str:
    return text.lstrip()


@_js(_STRING_METHODS, "trimEnd", "trimRight")
def _trim_end(text: str) -> str:
    return text.rstrip()


@_js(_STRING_METHODS, "toUpperCase", "toLocaleUpperCase")
def _upper(text: str) -> str:
    return text.upper()


@_js(_STRING_METHODS, "toLowerCase", "toLocaleLowerCase")
def _lower(text: str) -> str:
    return text.lower()


@_js(_STRING_METHODS, "toString", "valueOf")
def _to_string(text: str) -> str:
    return text


@_js(_STRING_METHODS, "replace")
def _replace(text: str, pattern: Any, replacement: Any) -> str:
    every = isinstance(pattern, JSRegExp) and pattern.is_global
    return _substitute(_pattern_of(pattern), text, to_text(replacement), 0 if every else 1)


@_js(_STRING_METHODS, "replaceAll")
def _replace_all(text: str, pattern: Any, replacement: Any) -> str:
    return _substitute(_pattern_of(pattern), text, to_text(replacement), 0)


@_js(_STRING_METHODS, "split")
def _split(text: str, separator: Any = None, limit: Any = None) -> list[Any]:
    parts: list[Any]
    if separator is None:
        parts = text.split()
    elif isinstance(separator, JSRegExp):
        parts = separator._compiled.split(text)
    elif to_text(separator) == "":
        parts = list(text)
    else:
        parts = text.split(to_text(separator))
    return parts if limit is None else parts[: max(0, _integer(limit))]


@_js(_STRING_METHODS, "slice")
def _str_slice(text: str, start: Any = None, end: Any = None) -> str:
    return text[_integer(start) : None if end is None else _integer(end)]


@_js(_STRING_METHODS, "substring")
def _substring(text: str, start: Any = None, end: Any = None) -> str:
    low = min(max(_integer(start), 0), len(text))
    high = min(max(_integer(end, len(text)), 0), len(text))
    return text[min(low, high) : max(low, high)]


@_js(_STRING_METHODS, "indexOf")
def _str_index_of(text: str, search: Any, position: Any = None) -> int:
    return text.find(to_text(search), max(0, _integer(position)))


@_js(_STRING_METHODS, "lastIndexOf")
def _str_last_index_of(text: str, search: Any) -> int:
    return text.rfind(to_text(search))


def _pad(text: str, length: Any, fill: Any) -> str:
    target = _integer(length)
    filler = " " if fill is None else to_text(fill)
    if target <= len(text) or not filler:
        return ""
    _check_text(target)
    missing_count = target - len(text)
    return (filler * (missing_count // len(filler) + 1))[:missing_count]


@_js(_STRING_METHODS, "padStart")
def _pad_start(text: str, length: Any, fill: Any = None) -> str:
    return _pad(text, length, fill) + text


@_js(_STRING_METHODS, "padEnd")
def _pad_end(text: str, length: Any, fill: Any = None) -> str:
    return text + _pad(text, length, fill)


@_js(_STRING_METHODS, "repeat")
def _repeat(text: str, count: Any) -> str:
    times = _integer(count)
    if times < 0 or times >= sys.maxsize:
        raise ValueError(f"invalid repeat count: {to_text(count)}")
    _check_text(len(text) * times)
    return text * times


@_js(_STRING_METHODS, "charAt")
def _char_at(text: str, index: Any = None) -> str:
    position = _integer(index)
    return text[position] if 0 <= position < len(text) else ""


@_js(_STRING_METHODS, "charCodeAt")
def _char_code_at(text: str, index: Any = None) -> int | float:
    position = _integer(index)
    return ord(text[position]) if 0 <= position < len(text) else math.nan


@_js(_STRING_METHODS, "at")
def _str_at(text: str, index: Any = None) -> str | None:
    position = _integer(index)
    return text[position] if -len(text) <= position < len(text) else None


@_js(_STRING_METHODS, "concat")
def _str_concat(text: str, *others: Any) -> str:
    result = text + "".join(to_text(other) for other in others)
    _check_text(len(result))
    return result


@_js(_STRING_METHODS, "match")
def _match(text: str, pattern: Any) -> list[Any] | None:
    compiled = _pattern_of(pattern)
    if isinstance(pattern, JSRegExp) and pattern.is_global:
        found = [match.group(0) for match in compiled.finditer(text)]
        return found or None
    match = compiled.search(text)
    return None if match is None else [match.group(0), *match.groups()]


@_js(_STRING_METHODS, "search")
def _search(text: str, pattern: Any) -> int:
    match = _pattern_of(pattern).search(text)
    return -1 if match is None else match.start()


def _collation_key(text: str) -> tuple[str, str]:
    """An approximation of a locale's order: by letters ignoring case and accents, then with
    lower case before upper case and plain letters before accented ones."""
    bare = "".join(char for char in unicodedata.normalize("NFD", text.casefold())
                   if not unicodedata.combining(char))
    return bare, text.swapcase()


@_js(_STRING_METHODS, "localeCompare")
def _locale_compare(text: str, other: Any) -> int:
    left, right = _collation_key(text), _collation_key(to_text(other))
    return 0 if left == right else (-1 if left < right else 1)


@_js(_LIST_METHODS, "join")
def _join(items: list[Any], separator: Any = None) -> str:
    glue = "," if separator is None else to_text(separator)
    parts = [_element_text(item) for item in items]
    _check_text(sum(map(len, parts)) + len(glue) * max(0, len(parts) - 1))
    return glue.join(parts)


@_js(_LIST_METHODS, "includes")
def _list_includes(items: list[Any], value: Any) -> bool:
    return any(_same(item, value) for item in items)


@_js(_LIST_METHODS, "indexOf")
def _list_index_of(items: list[Any], value: Any, start: Any = None) -> int:
    for index in range(max(0, _integer(start)), len(items)):
        if _same(items[index], value):
            return index
    return -1


@_js(_LIST_METHODS, "lastIndexOf")
def _list_last_index_of(items: list[Any], value: Any) -> int:
    for index in range(len(items) - 1, -1, -1):
        if _same(items[index], value):
            return index
    return -1


@_js(_LIST_METHODS, "slice")
def _list_slice(items: list[Any], start: Any = None, end: Any = None) -> list[Any]:
    return list(items[_integer(start) : None if end is None else _integer(end)])


@_js(_LIST_METHODS, "concat")
def _list_concat(items: list[Any], *others: Any) -> list[Any]:
    result = list(items)
    for other in others:
        if isinstance(other, (list, tuple)):
            result.extend(other)
        else:
            result.append(other)
    _check_items(len(result))
    return result


@_js(_LIST_METHODS, "at")
def _list_at(items: list[Any], index: Any = None) -> Any:
    position = _integer(index)
    return items[position] if -len(items) <= position < len(items) else None


@_js(_LIST_METHODS, "toString")
def _list_to_string(items: list[Any]) -> str:
    return _join(items)


# List methods that take a function: an arrow function (`x => x.name`), called with
# (element, index, list) like JavaScript, or a plain function (`String`), called with the
# element only. Conditions use Python truthiness, as `&&` and `!` do.


def _function(value: Any, method: str, arity: int) -> Callable[..., Any]:
    if isinstance(value, _Arrow):
        return value
    if isinstance(value, Undefined):
        return _fail(value)  # type: ignore[no-any-return]
    if not callable(value) or isinstance(value, type):
        raise TypeError(f"`{method}` expects a function such as `x => x.name`, "
                        f"not {_article(_kind(value))}")
    if not _ENV.is_safe_callable(value):
        raise SecurityError(f"{value!r} is not safely callable")

    def call(*args: Any) -> Any:
        _BUDGET.get().call()  # type: ignore[union-attr]
        return value(*args[:arity])

    return call


def _article(kind: str) -> str:
    return ("an " if kind[0] in "aeiou" else "a ") + kind


@_js(_LIST_METHODS, "map")
def _list_map(items: list[Any], function: Any) -> list[Any]:
    call = _function(function, "map", 1)
    with _budgeted():
        return [call(item, index, items) for index, item in enumerate(items)]


@_js(_LIST_METHODS, "flatMap")
def _list_flat_map(items: list[Any], function: Any) -> list[Any]:
    call = _function(function, "flatMap", 1)
    result: list[Any] = []
    with _budgeted():
        for index, item in enumerate(items):
            value = call(item, index, items)
            if isinstance(value, (list, tuple)):
                _check_items(len(value))
                result.extend(value)
            else:
                result.append(value)
    return result


@_js(_LIST_METHODS, "filter")
def _list_filter(items: list[Any], function: Any) -> list[Any]:
    call = _function(function, "filter", 1)
    with _budgeted():
        return [item for index, item in enumerate(items) if bool(call(item, index, items))]


@_js(_LIST_METHODS, "some")
def _list_some(items: list[Any], function: Any) -> bool:
    call = _function(function, "some", 1)
    with _budgeted():
        return any(bool(call(item, index, items)) for index, item in enumerate(items))


@_js(_LIST_METHODS, "every")
def _list_every(items: list[Any], function: Any) -> bool:
    call = _function(function, "every", 1)
    with _budgeted():
        return all(bool(call(item, index, items)) for index, item in enumerate(items))


def _find_index(items: list[Any], function: Any, method: str, backwards: bool = False) -> int:
    call = _function(function, method, 1)
    indexes = range(len(items) - 1, -1, -1) if backwards else range(len(items))
    with _budgeted():
        for index in indexes:
            if bool(call(items[index], index, items)):
                return index
    return -1


@_js(_LIST_METHODS, "find")
def _list_find(items: list[Any], function: Any) -> Any:
    index = _find_index(items, function, "find")
    return None if index < 0 else items[index]


@_js(_LIST_METHODS, "findIndex")
def _list_find_index(items: list[Any], function: Any) -> int:
    return _find_index(items, function, "findIndex")


@_js(_LIST_METHODS, "findLast")
def _list_find_last(items: list[Any], function: Any) -> Any:
    index = _find_index(items, function, "findLast", backwards=True)
    return None if index < 0 else items[index]


@_js(_LIST_METHODS, "findLastIndex")
def _list_find_last_index(items: list[Any], function: Any) -> int:
    return _find_index(items, function, "findLastIndex", backwards=True)


_NO_VALUE: Any = object()


def _fold(items: list[Any], function: Any, initial: Any, method: str, backwards: bool) -> Any:
    call = _function(function, method, 2)
    indexes = list(range(len(items) - 1, -1, -1) if backwards else range(len(items)))
    if initial is _NO_VALUE:
        if not indexes:
            raise TypeError(f"`{method}` of an empty list needs an initial value")
        initial = items[indexes.pop(0)]
    with _budgeted():
        for index in indexes:
            initial = call(initial, items[index], index, items)
    return initial


@_js(_LIST_METHODS, "reduce")
def _list_reduce(items: list[Any], function: Any, initial: Any = _NO_VALUE) -> Any:
    return _fold(items, function, initial, "reduce", backwards=False)


@_js(_LIST_METHODS, "reduceRight")
def _list_reduce_right(items: list[Any], function: Any, initial: Any = _NO_VALUE) -> Any:
    return _fold(items, function, initial, "reduceRight", backwards=True)


def _sort_key(value: Any) -> tuple[bool, bytes]:
    """JavaScript's default order: by text, compared as UTF-16; `null` last (as `undefined`)."""
    return value is None, _element_text(value).encode("utf-16-be", "surrogatepass")


def _order(value: Any) -> int:
    number = _to_number(value)
    return 0 if number != number or number == 0 else (-1 if number < 0 else 1)


@_js(_LIST_METHODS, "sort", "toSorted")
def _list_sort(items: list[Any], compare: Any = None) -> list[Any]:
    """A sorted copy (JavaScript's `sort` sorts in place; context data is never changed)."""
    if compare is None:
        return sorted(items, key=_sort_key)
    call = _function(compare, "sort", 2)
    with _budgeted():
        return sorted(items, key=cmp_to_key(lambda left, right: _order(call(left, right))))


def _bounded_str_join(text: str, items: Any) -> str:
    parts = [to_text(item) if not isinstance(item, str) else item for item in items]
    _check_text(sum(map(len, parts)) + len(text) * max(0, len(parts) - 1))
    return text.join(parts)


# Python methods that stay reachable (read-only, bounded); JavaScript names win over these.
_STRING_PYTHON = frozenset(
    "upper lower title capitalize casefold swapcase strip lstrip rstrip rsplit splitlines "
    "startswith endswith find rfind count isdigit isalpha isalnum isspace isupper islower "
    "istitle isnumeric isdecimal removeprefix removesuffix partition rpartition".split()
)
_LIST_PYTHON = frozenset(["index", "count"])
_DICT_PYTHON = frozenset(["keys", "values", "items", "get"])


# --------------------------------------------------------------------------------------------
# Globals: JSON, Math, Object, Array, String, Number, parseInt, parseFloat


class _Namespace:
    """A read-only bag of members such as `JSON` or `Math`."""

    __slots__ = ("_members", "_name")

    def __init__(self, name: str, members: dict[str, Any]) -> None:
        self._name = name
        self._members = members

    def __str__(self) -> str:
        return f"[object {self._name}]"


def _stringify(value: Any, replacer: Any = None, space: Any = None) -> str:
    if replacer is not None:
        raise ValueError("JSON.stringify: a replacer is not supported")
    if isinstance(space, str):
        indent = space[:10]
    else:
        indent = " " * min(10, max(0, _integer(space)))
    return to_json(value, indent)


def _parse(text: Any) -> Any:
    return parse_json(to_text(text))


def _numbers(args: tuple[Any, ...]) -> list[int | float]:
    values = args[0] if len(args) == 1 and isinstance(args[0], (list, tuple)) else args
    return [_to_number(value) for value in values]


def _math_max(*args: Any) -> int | float:
    numbers = _numbers(args)
    if any(number != number for number in numbers):
        return math.nan
    return max(numbers, default=-math.inf)


def _math_min(*args: Any) -> int | float:
    numbers = _numbers(args)
    if any(number != number for number in numbers):
        return math.nan
    return min(numbers, default=math.inf)


def _finite(function: Callable[[float], int]) -> Callable[[Any], int | float]:
    def apply(value: Any) -> int | float:
        number = _to_number(value)
        return function(number) if math.isfinite(number) else number

    return apply


def _power(base: Any, exponent: Any) -> Any:
    if (
        isinstance(base, int) and isinstance(exponent, int) and exponent > 0
        and abs(base) > 1 and exponent * abs(base).bit_length() > 100_000
    ):
        raise ValueError("the number would be too large")
    return base**exponent


def _sign(value: Any) -> int | float:
    number = _to_number(value)
    return number if number == 0 or number != number else (1 if number > 0 else -1)


def _parse_int(text: Any, radix: Any = None) -> int | float:
    source = to_text(text).strip()
    match = re.match(r"([+-]?)(0[xX])?", source)
    sign, prefix = match.group(1) if match else "", match.group(2) if match else None
    base = _integer(radix, 0)
    if prefix and base in (0, 16):
        base, source = 16, source[len(sign) + 2 :]
    else:
        base, source = base or 10, source[len(sign) :]
    if not 2 <= base <= 36:
        return math.nan
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"[:base]
    length = 0
    while length < len(source) and source[length].lower() in digits:
        length += 1
    if not length:
        return math.nan
    number = int(source[:length], base)
    return -number if sign == "-" else number


def _parse_float(text: Any) -> float:
    source = to_text(text).strip()
    match = re.match(r"[+-]?(?:Infinity|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)", source)
    if not match:
        return math.nan
    return float(match.group().replace("Infinity", "inf"))


def _is_nan(value: Any) -> bool:
    number = _to_number(value)
    return number != number


def _keys(value: Any) -> list[Any]:
    if isinstance(value, Mapping):
        return list(value.keys())
    if isinstance(value, (list, tuple, str)):
        return [str(index) for index in range(len(value))]
    return []


def _values(value: Any) -> list[Any]:
    if isinstance(value, Mapping):
        return list(value.values())
    return list(value) if isinstance(value, (list, tuple, str)) else []


def _entries(value: Any) -> list[list[Any]]:
    return [[key, item] for key, item in zip(_keys(value), _values(value), strict=True)]


_GLOBALS: dict[str, Any] = {
    "JSON": _Namespace("JSON", {"stringify": _stringify, "parse": _parse}),
    "Math": _Namespace("Math", {
        "max": _math_max, "min": _math_min, "abs": lambda x: abs(_to_number(x)),
        "round": _finite(lambda x: math.floor(x + 0.5)), "floor": _finite(math.floor),
        "ceil": _finite(math.ceil), "trunc": _finite(math.trunc), "sign": _sign,
        "pow": lambda x, y: _power(_to_number(x), _to_number(y)),
        "sqrt": lambda x: math.sqrt(_to_number(x)), "PI": math.pi, "E": math.e,
    }),
    "Object": _Namespace("Object", {"keys": _keys, "values": _values, "entries": _entries}),
    "Array": _Namespace("Array", {"isArray": lambda x: isinstance(x, (list, tuple))}),
    "String": lambda value="": to_text(value),
    "Number": lambda value=0: _to_number(value),
    "parseInt": _parse_int,
    "parseFloat": _parse_float,
    "isNaN": _is_nan,
    "NaN": math.nan,
    "Infinity": math.inf,
    "__pml_regex__": _regex,
}


# --------------------------------------------------------------------------------------------
# The sandbox


class _MissingValue(UndefinedError):
    """Raised when a strict undefined value is used; remembers what was missing.

    Raised inside arrow functions, it also learns the innermost function (`arrow`: its
    expression's sites and its index) and the parameters in scope (`bound`).
    """

    def __init__(self, owner: Any, name: Any, message: str | None = None) -> None:
        super().__init__(message)
        self.owner = owner
        self.name = name
        self.arrow: tuple[Any, int] | None = None
        self.bound: tuple[str, ...] = ()


class _UnsafeAccess(SecurityError):
    """An expression reached for a private or internal attribute."""

    def __init__(self, name: str) -> None:
        super().__init__(f"unsafe attribute access `{name}`")
        self.name = name
        self.arrow: tuple[Any, int] | None = None


class _Undefined(StrictUndefined):
    """Strict undefined whose error knows which variable or attribute was missing."""

    __slots__ = ()

    def __init__(
        self, hint: str | None = None, obj: Any = missing, name: str | None = None,
        exc: type[Exception] = UndefinedError,
    ) -> None:
        if exc is UndefinedError:
            exc = partial(_MissingValue, obj, name)  # type: ignore[assignment]
        super().__init__(hint, obj, name, exc)  # type: ignore[arg-type]


def _fail(value: Undefined) -> Any:
    return value._fail_with_undefined_error()


_NOT_FOUND: Any = object()


class _Sandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox with JavaScript members, capped operators and no `_` names."""

    intercepted_binops = frozenset(["+", "*", "**", "%"])

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        """`+`, `*`, `**` and `%` with JavaScript concatenation and size limits."""
        return _BINOPS[operator](left, right)

    def getattr(self, obj: Any, attribute: str) -> Any:
        """`obj.attribute`: a dict key, then a JavaScript member, then an allowed attribute."""
        if isinstance(obj, Undefined):
            return _fail(obj)
        if attribute.startswith("_"):
            raise _UnsafeAccess(attribute)
        value = self._member(obj, attribute)
        return self.undefined(obj=obj, name=attribute) if value is _NOT_FOUND else value

    def getitem(self, obj: Any, argument: Any) -> Any:
        """`obj[argument]`: keys and indexes; a string that is not a key is read as a member."""
        if isinstance(obj, Undefined):
            return _fail(obj)
        if isinstance(argument, Undefined):
            return _fail(argument)
        if isinstance(argument, str):
            if isinstance(obj, Mapping) and argument in obj:
                return obj[argument]
            return self.getattr(obj, argument)
        if isinstance(argument, float) and argument.is_integer():
            argument = int(argument)
        try:
            return obj[argument]
        except (TypeError, LookupError):
            return self.undefined(obj=obj, name=argument)

    def _member(self, obj: Any, name: str) -> Any:
        if isinstance(obj, str):
            return _bound(obj, name, _STRING_METHODS, _STRING_PYTHON)
        if isinstance(obj, Mapping):
            if name in obj:
                return obj[name]
            if name == "length":
                return len(obj)
            return getattr(obj, name) if name in _DICT_PYTHON else _NOT_FOUND
        if isinstance(obj, (list, tuple)):
            return _bound(obj, name, _LIST_METHODS, _LIST_PYTHON)
        if isinstance(obj, _Namespace):
            return obj._members.get(name, _NOT_FOUND)
        value = super().getattr(obj, name)
        return _NOT_FOUND if type(value) is _Undefined and value._undefined_hint is None else value


def _bound(obj: Any, name: str, methods: dict[str, _Method], python: frozenset[str]) -> Any:
    if name == "length":
        return len(obj)
    method = methods.get(name)
    if method is not None:
        return partial(method, obj)
    if name == "join" and isinstance(obj, str):
        return partial(_bounded_str_join, obj)
    return getattr(obj, name) if name in python else _NOT_FOUND


def _plus(left: Any, right: Any) -> Any:
    if isinstance(left, str) or isinstance(right, str):
        left, right = to_text(left), to_text(right)
    if isinstance(left, (str, list, tuple)) and isinstance(right, (str, list, tuple)):
        size = len(left) + len(right)
        _check_text(size) if isinstance(left, str) else _check_items(size)
    return left + right


def _times(left: Any, right: Any) -> Any:
    for sized, count in ((left, right), (right, left)):
        if isinstance(sized, (str, list, tuple)) and isinstance(count, int):
            size = len(sized) * count
            _check_text(size) if isinstance(sized, str) else _check_items(size)
    return left * right


_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d+))?")


def _check_format(template: str) -> None:
    for spec in _PERCENT_SPEC.finditer(template):
        for width in spec.groups():
            if width == "*" or (width is not None and int(width) > 10_000):
                raise ValueError(f"format width `{spec.group()}` is not allowed")


def _modulo(left: Any, right: Any) -> Any:
    if isinstance(left, str):
        _check_format(left)
    return left % right


_BINOPS: dict[str, Callable[[Any, Any], Any]] = {
    "+": _plus, "*": _times, "**": _power, "%": _modulo,
}


def _dict(*args: Any, **kwargs: Any) -> dict[Any, Any]:
    return dict(*args, **kwargs)


def _guard_filters(filters: dict[str, Any]) -> None:
    """Wrap the filters whose arguments control how much they allocate."""
    join, replace, center = filters["join"], filters["replace"], filters["center"]
    indent, text_format = filters["indent"], filters["format"]
    batch, slice_ = filters["batch"], filters["slice"]

    @pass_eval_context
    def guarded_join(context: Any, value: Any, d: str = "", attribute: Any = None) -> str:
        items = list(value)
        _check_text(len(to_text(d)) * max(0, len(items) - 1))
        return str(join(context, items, d, attribute))

    @pass_eval_context
    def guarded_replace(context: Any, s: Any, old: Any, new: Any, count: Any = None) -> str:
        text, old_text, new_text = to_text(s), to_text(old), to_text(new)
        hits = text.count(old_text) if old_text else len(text) + 1
        _check_text(len(text) + hits * max(0, len(new_text) - len(old_text)))
        return str(replace(context, s, old, new, count))

    def guarded_center(value: Any, width: Any = 80) -> str:
        _check_text(_integer(width))
        return str(center(value, width))

    def guarded_indent(s: Any, width: Any = 4, first: bool = False, blank: bool = False) -> str:
        pad = len(width) if isinstance(width, str) else _integer(width)
        _check_text(len(to_text(s)) + pad * (to_text(s).count("\n") + 1))
        return str(indent(s, width, first, blank))

    def guarded_format(value: Any, *args: Any, **kwargs: Any) -> str:
        _check_format(to_text(value))
        return str(text_format(value, *args, **kwargs))

    def guarded_batch(value: Any, linecount: Any, fill_with: Any = None) -> Any:
        _check_items(_integer(linecount))
        return batch(value, linecount, fill_with)

    def guarded_slice(value: Any, slices: Any, fill_with: Any = None) -> Any:
        _check_items(_integer(slices))
        return slice_(value, slices, fill_with)

    filters.update(
        join=guarded_join, replace=guarded_replace, center=guarded_center, indent=guarded_indent,
        format=guarded_format, batch=guarded_batch, slice=guarded_slice,
    )


# --------------------------------------------------------------------------------------------
# Arrow functions

_Param = str | tuple[str, tuple[str, ...]]  # a name, or ("[" or "{", names) to destructure
_SIGNATURE_PART = re.compile(r"\[[^\]]*\]|\{[^}]*\}|[^,]+")


class _ArrowSite(NamedTuple):
    """An arrow function as written: its parameters, its body in Jinja, and where it is."""

    signature: str  # the parameters, normalised: `x,i`, `[k,v]`, `{name,age},i`
    names: frozenset[str]  # the names the parameters bind
    body: str
    source: str  # the arrow function as written
    start: int  # where the parameters start in the code,
    arrow: int  # where `=>` is,
    body_start: int  # where the body starts
    end: int  # and where it ends

    def binds(self, position: int, name: str) -> bool:
        """Whether `name` written at `position` declares or reads one of these parameters."""
        return self.start <= position < self.arrow or (
            name in self.names and self.body_start <= position < self.end)


@dataclass(frozen=True, slots=True)
class _Compiled:
    render: Callable[[Any], Iterator[str]]
    names: frozenset[str]  # free names, the built-in globals left out
    verify: bool  # whether the result may hold undefined values


@dataclass(frozen=True, slots=True)
class _ArrowCode:
    params: tuple[_Param, ...]
    names: tuple[str, ...]
    body: _Compiled
    simple: bool  # no destructuring: `names` are the parameters


def _parse_param(text: str) -> _Param:
    if text[0] in "[{":
        return text[0], tuple(name for name in text[1:-1].split(",") if name)
    return text


@lru_cache(maxsize=4096)
def _arrow_code(signature: str, body: str) -> _ArrowCode:
    """Compile an arrow function's body once per process; raises `_TranslateError`."""
    params = tuple(_parse_param(part) for part in _SIGNATURE_PART.findall(signature))
    names = tuple(name for param in params
                  for name in ((param,) if isinstance(param, str) else param[1]))
    simple = all(isinstance(param, str) for param in params)
    return _ArrowCode(params, names, _compile(body), simple)


@pass_context
def _make_arrow(context: Any, site: int, signature: str, body: str) -> _Arrow:
    """`__pml_arrow__(…)`, which the translator writes for each arrow function."""
    variables = context.get_all()
    return _Arrow(variables, variables.get(_SITES_KEY), site, _arrow_code(signature, body))


_SITES_KEY = "__pml_arrows__"  # the evaluating expression's `_ArrowSite`s, for error spans


class _Arrow:
    """An arrow function: evaluates its body with the variables where it was written, with
    its parameters bound to the arguments (missing ones are `null`, extra ones are ignored)."""

    __slots__ = ("_code", "_site", "_sites", "_variables")

    def __init__(self, variables: Mapping[str, Any], sites: tuple[_ArrowSite, ...] | None,
                 site: int, code: _ArrowCode) -> None:
        self._variables = variables
        self._sites = sites
        self._site = site
        self._code = code

    def __call__(self, *args: Any) -> Any:
        budget = _BUDGET.get()
        if budget is None:
            with _budgeted():
                return self(*args)
        budget.call()
        code = self._code
        context = _ENV.context_class(_ENV, self._variables, None, {})
        bindings = context.vars
        try:
            missing_count = len(code.params) - len(args)
            if missing_count > 0:
                args += (None,) * missing_count
            if code.simple:
                bindings.update(zip(code.names, args, strict=False))
            else:
                for param, value in zip(code.params, args, strict=False):
                    _bind(bindings, param, value)
            for _ in code.body.render(context):
                pass
            result = bindings["result"]
            if type(result) in _SCALARS:
                return result
            if isinstance(result, Undefined):
                _fail(result)
            if isinstance(result, _LAZY):
                result = list(result)
                _check_items(len(result))
                _verify_defined(result)
            elif code.body.verify:
                _verify_defined(result)
            return result
        except (_MissingValue, _UnsafeAccess) as error:
            if error.arrow is None:
                error.arrow = (self._sites, self._site)
            if isinstance(error, _MissingValue):
                error.bound += code.names
            raise

    def __str__(self) -> str:
        return "[function]" if self._sites is None else self._sites[self._site].source

    __repr__ = __str__


_SCALARS = frozenset([str, int, float, bool, type(None)])


def _bind(bindings: dict[str, Any], param: _Param, value: Any) -> None:
    if isinstance(param, str):
        bindings[param] = value
        return
    kind, names = param
    if kind == "{":
        for name in names:
            bindings[name] = _ENV.getattr(value, name)
        return
    if not isinstance(value, (list, tuple, str)):
        shown = "null" if value is None else _article(_kind(value))
        raise TypeError(f"cannot unpack {shown} into `[{', '.join(names)}]`")
    for index, name in enumerate(names):
        bindings[name] = value[index] if index < len(value) else None


def _make_environment() -> _Sandbox:
    # No constant folding: it would run sandboxed code (and raise its errors) at compile time.
    environment = _Sandbox(undefined=_Undefined, autoescape=False, optimized=False)
    for name in ("lipsum", "cycler", "joiner", "namespace"):
        environment.globals.pop(name, None)
    environment.globals["dict"] = _dict  # the `dict` type would reach `dict.update(some_data)`
    environment.globals.update(_GLOBALS)
    environment.globals["__pml_arrow__"] = _make_arrow
    _guard_filters(environment.filters)
    return environment


_ENV = _make_environment()
_GLOBAL_VALUES: dict[str, Any] = dict(_ENV.globals)
BUILTIN_NAMES: frozenset[str] = frozenset(_GLOBAL_VALUES)
"""Names every expression can use without the context defining them."""


# --------------------------------------------------------------------------------------------
# Translating JavaScript forms to Jinja


class _Token(NamedTuple):
    kind: str  # ws, str, num, name, op, regex, other
    text: str  # as written
    start: int
    out: str  # what is written into the Jinja code

    @property
    def end(self) -> int:
        return self.start + len(self.text)


@dataclass(slots=True)
class _Group:
    open: _Token
    items: list[_Token | _Group]
    close: _Token


_Node = _Token | _Group


class _TranslateError(Exception):
    def __init__(self, message: str, hint: str = _SYNTAX_HINT) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
    |(?P<str>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
    |(?P<num>0[xXoObB][0-9a-fA-F_]+|\d[\d_]*(?:\.\d[\d_]*)?(?:[eE][+-]?\d+)?)
    |(?P<name>[^\W\d]\w*)
    |(?P<op>===|!==|=>|\?\.(?!\d)|\?\?|==|!=|<=|>=|&&|\|\||\*\*|//|[-+*/%<>=!?:,.()\[\]{}|~&])
    |(?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_WORD_OPERATORS = frozenset(["and", "or", "not", "in", "is", "if", "else"])
_CONSTANTS = frozenset(["true", "false", "none", "True", "False", "None", "null", "undefined"])
_OPERATORS = {"&&": " and ", "||": " or ", "===": "==", "!==": "!="}
_UNSUPPORTED = {
    "?.": ("optional chaining `?.` is not supported",
           "use `user.name if user else none`, or `user.name | default('')` for a missing key"),
    "??": ("`??` is not supported",
           "use `value | default(fallback)` or `value if value is not none else fallback`"),
    "`": ("template literals are not supported",
          "join text and values with `~`: `'Hello ' ~ name`"),
}


def _tokenize(code: str) -> list[_Token]:
    tokens: list[_Token] = []
    position, operand_expected = 0, True
    while position < len(code):
        if code[position] == "/" and operand_expected:
            end = _scan_regex(code, position)
            text = code[position:end]
            tokens.append(_Token("regex", text, position, _regex_call(text)))
            position, operand_expected = end, False
            continue
        match = _TOKEN.match(code, position)
        assert match is not None and match.lastgroup is not None
        kind, text = match.lastgroup, match.group()
        if kind == "other" and text in "'\"":
            raise _TranslateError("unterminated string literal",
                                  "close the string with a matching quote")
        tokens.append(_Token(kind, text, position, text))
        if kind != "ws":
            operand_expected = (kind == "op" and text not in ")]}") or text in _WORD_OPERATORS
        position = match.end()
    return tokens


def _scan_regex(code: str, start: int) -> int:
    index, in_class = start + 1, False
    while index < len(code) and code[index] != "\n":
        char = code[index]
        if char == "\\":
            index += 1
        elif char == "[":
            in_class = True
        elif char == "]":
            in_class = False
        elif char == "/" and not in_class:
            if index == start + 1:
                raise _TranslateError("empty regular expression `//`")
            index += 1
            while index < len(code) and (code[index].isalnum() or code[index] == "_"):
                index += 1
            return index
        index += 1
    raise _TranslateError("unterminated regular expression",
                          "close the regular expression with `/`")


def _jinja_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _regex_call(literal: str) -> str:
    closing = literal.rindex("/")
    source, flags = literal[1:closing], literal[closing + 1 :]
    try:
        _regex(source, flags)
    except (ValueError, re.error) as error:
        raise _TranslateError(f"invalid regular expression `{literal}`: {error}",
                              "write a JavaScript regular expression such as `/^- /gm`") from None
    return f"__pml_regex__({_jinja_string(source)}, {_jinja_string(flags)})"


def _rewrite(tokens: list[_Token]) -> list[_Token]:
    """Token-level rewrites: operators, `null`/`undefined`, reserved and unsupported forms."""
    previous: list[str] = ["", ""]
    result: list[_Token] = []
    for token in tokens:
        out = token.out
        if token.text in _UNSUPPORTED and token.kind in ("op", "other"):
            raise _TranslateError(*_UNSUPPORTED[token.text])
        if token.kind == "op":
            out = _OPERATORS.get(token.text, out)
        elif token.kind == "name" and previous[-1] != ".":
            if token.text.startswith("__"):
                raise _TranslateError(f"names starting with `__` are reserved (`{token.text}`)",
                                      _UNSAFE_HINT)
            after_is = previous[-1] == "is" or previous[-2:] == ["is", "not"]
            if token.text in ("null", "undefined") and not after_is:
                out = "none"
        result.append(token._replace(out=out))
        if token.kind != "ws":
            previous = [previous[-1], token.text]
    return result


_PAIRS = {"(": ")", "[": "]", "{": "}"}


def _group(tokens: list[_Token]) -> list[_Node]:
    stack: list[tuple[_Token | None, list[_Node]]] = [(None, [])]
    for token in tokens:
        if token.kind == "op" and token.text in _PAIRS:
            stack.append((token, []))
        elif token.kind == "op" and token.text in ")]}":
            opener, items = stack.pop() if len(stack) > 1 else (None, [])
            if opener is None or _PAIRS[opener.text] != token.text:
                raise _TranslateError(f"unexpected `{token.text}`")
            stack[-1][1].append(_Group(opener, items, token))
        else:
            stack[-1][1].append(token)
    if len(stack) > 1:
        opener = stack[-1][0]
        assert opener is not None
        closer = _PAIRS[opener.text]
        raise _TranslateError(f"`{opener.text}` is never closed", f"add the missing `{closer}`")
    return stack[0][1]


def _is_op(node: _Node, text: str) -> bool:
    return isinstance(node, _Token) and node.kind == "op" and node.text == text


def _emit_sequence(nodes: list[_Node], brace: bool = False) -> str:
    """Comma-separated items, each translated on its own."""
    items: list[list[_Node]] = [[]]
    for node in nodes:
        if _is_op(node, ","):
            items.append([])
        else:
            items[-1].append(node)
    return ",".join(_emit_item(item, brace) for item in items)


def _emit_item(nodes: list[_Node], brace: bool = False) -> str:
    """One item: an arrow function, `key: value` (dicts, slices) or a ternary, else plain
    operands and operators."""
    significant = _significant(nodes)
    if len(significant) > 1 and _is_op(significant[1], "=>") and _is_params(significant[0]):
        return _emit_arrow(significant[0], significant[1], nodes[nodes.index(significant[1]) + 1 :])
    first = significant[0] if len(significant) > 2 else None
    if isinstance(first, _Token) and first.kind == "name" and _is_op(significant[1], "="):
        keyword = nodes.index(significant[1]) + 1  # `name=value` in a call
        return _emit_plain(nodes[:keyword]) + _emit_item(nodes[keyword:])
    for index, node in enumerate(nodes):
        if _is_op(node, ":"):
            left = nodes[:index]
            key = _emit_key(left) if brace else _emit_plain(left)
            return f"{key}:{_emit_item(nodes[index + 1 :])}"
        if _is_op(node, "?"):
            colon = _matching_colon(nodes, index)
            condition, yes, no = nodes[:index], nodes[index + 1 : colon], nodes[colon + 1 :]
            if not _significant(condition) or not _significant(yes) or not _significant(no):
                raise _TranslateError("`? :` needs a condition and a value on each side of `:`")
            return f"({_emit_item(yes)} if {_emit_plain(condition)} else {_emit_item(no)})"
    return _emit_plain(nodes)


def _significant(nodes: list[_Node]) -> list[Any]:
    return [node for node in nodes if not _is_space(node)]


def _matching_colon(nodes: list[_Node], question: int) -> int:
    depth = 0
    for index in range(question + 1, len(nodes)):
        if _is_op(nodes[index], "?"):
            depth += 1
        elif _is_op(nodes[index], ":"):
            if depth == 0:
                return index
            depth -= 1
    raise _TranslateError("`?` without a matching `:`", "write `condition ? value : other`")


def _emit_key(nodes: list[_Node]) -> str:
    significant = _significant(nodes)
    only = significant[0] if len(significant) == 1 else None
    if isinstance(only, _Token) and only.kind == "name":
        return repr(only.text)
    return _emit_plain(nodes)


def _emit_plain(nodes: list[_Node]) -> str:
    parts: list[str] = []
    index = 0
    while index < len(nodes):
        _reject_function_keyword(nodes, index)
        if _is_op(nodes[index], "!"):
            text, index = _emit_not(nodes, index)
            parts.append(text)
        else:
            parts.append(_emit_node(nodes[index]))
            index += 1
    return "".join(parts)


def _emit_node(node: _Node) -> str:
    if isinstance(node, _Group):
        return node.open.out + _emit_sequence(node.items, node.open.text == "{") + node.close.out
    if node.kind == "op" and node.text == "=>":
        raise _TranslateError("unexpected `=>`", _ARROW_HINT)
    return node.out


# Arrow functions: `x => body` and `(a, b) => body` become `__pml_arrow__(site, "a,b", "body")`,
# with the body translated to Jinja; each is recorded as an `_ArrowSite` of the expression.

_ARROW_HINT = "write an arrow function as `x => x.name` or `(a, b) => a + b`"
_ARROW_SITES: ContextVar[list[_ArrowSite]] = ContextVar("pml_arrow_sites")
_CODE: ContextVar[str] = ContextVar("pml_code")


def _is_params(node: _Node) -> bool:
    if isinstance(node, _Group):
        return node.open.text == "("
    return node.kind == "name"


def _emit_arrow(params: _Node, arrow: _Token, body: list[_Node]) -> str:
    signature, names = _arrow_params(params)
    significant = _significant(body)
    if not significant:
        raise _TranslateError("an arrow function needs a value after `=>`", _ARROW_HINT)
    first, last = significant[0], significant[-1]
    if isinstance(first, _Group) and first.open.text == "{":
        raise _TranslateError(
            "arrow functions with a `{ … }` body are not supported",
            "write the value after `=>`: `x => x.name`; "
            "to return an object, wrap it in parentheses: `x => ({name: x.name})`")
    code = _emit_item(body).strip()
    sites = _ARROW_SITES.get()
    start, end = _node_start(params), _node_end(last)
    source = _CODE.get()[start:end]
    sites.append(_ArrowSite(signature, names, code, source, start, arrow.start,
                            _node_start(first), end))
    return f"__pml_arrow__({len(sites) - 1}, {_jinja_string(signature)}, {_jinja_string(code)})"


def _node_start(node: _Node) -> int:
    return node.open.start if isinstance(node, _Group) else node.start


def _node_end(node: _Node) -> int:
    return node.close.end if isinstance(node, _Group) else node.end


def _arrow_params(params: _Node) -> tuple[str, frozenset[str]]:
    """`x` or `(a, [k, v], {name})` → the normalised signature and the names it binds."""
    names: list[str] = []

    def name_of(node: _Node) -> str:
        if not isinstance(node, _Token) or node.kind != "name":
            raise _TranslateError("arrow function parameters must be names",
                                  "write `x => …`, `(a, b) => …` or `([key, value]) => …`; "
                                  "default values and `...rest` are not supported")
        if node.text in _CONSTANTS or node.text in _WORD_OPERATORS or node.text == "self":
            raise _TranslateError(f"`{node.text}` cannot be a parameter name", _ARROW_HINT)
        if node.text in names:
            raise _TranslateError(f"parameter `{node.text}` is declared twice", _ARROW_HINT)
        names.append(node.text)
        return node.text

    if isinstance(params, _Token):
        return name_of(params), frozenset(names)
    parts: list[str] = []
    items = _split_commas(params.items)
    for item in [] if items == [[]] else items:
        only = item[0] if len(item) == 1 else None
        if isinstance(only, _Group) and only.open.text in "[{":
            inner = _split_commas(only.items)
            if any(len(part) != 1 for part in inner):
                name_of(only)  # raises: nested patterns, defaults and holes are not supported
            listed = ",".join(name_of(part[0]) for part in inner)
            parts.append(only.open.text + listed + only.close.text)
        else:
            parts.append(name_of(only if only is not None else params))
    return ",".join(parts), frozenset(names)


def _split_commas(nodes: list[_Node]) -> list[list[_Node]]:
    """The significant nodes between commas."""
    items: list[list[_Node]] = [[]]
    for node in nodes:
        if _is_op(node, ","):
            items.append([])
        elif not _is_space(node):
            items[-1].append(node)
    return items


def _reject_function_keyword(nodes: list[_Node], index: int) -> None:
    """`function (x) { … }` is JavaScript's older function syntax: point to arrows instead."""
    node = nodes[index]
    if isinstance(node, _Token) and node.kind == "name" and node.text == "function":
        following = _significant(nodes[index + 1 :])[:2]
        if len(following) == 2 and isinstance(following[1], _Group) \
                and following[1].open.text == "{":
            raise _TranslateError("`function` expressions are not supported",
                                  "write an arrow function: `x => x.name`")


def _emit_not(nodes: list[_Node], index: int) -> tuple[str, int]:
    """`!operand` → `(not operand)`, where the operand is a primary with its `.x`, `(…)`, `[…]`."""
    start = _skip_space(nodes, index + 1)
    if start >= len(nodes):
        raise _TranslateError("`!` needs a value after it")
    first = nodes[start]
    if _is_op(first, "!"):
        inner, end = _emit_not(nodes, start)
        return f"(not {inner})", end
    if isinstance(first, _Token) and first.text in ("-", "+"):
        inner, end = _emit_not_operand(nodes, _skip_space(nodes, start + 1))
        return f"(not {first.out}{inner})", end
    inner, end = _emit_not_operand(nodes, start)
    return f"(not {inner})", end


def _emit_not_operand(nodes: list[_Node], start: int) -> tuple[str, int]:
    end = start + 1
    while end < len(nodes):
        node = nodes[end]
        if isinstance(node, _Group) and node.open.text in "([":
            end += 1
        elif _is_op(node, ".") and end + 1 < len(nodes) and not _is_op(nodes[end + 1], "."):
            end += 2
        else:
            break
    return _emit_plain(nodes[start:end]), end


def _skip_space(nodes: list[_Node], index: int) -> int:
    while index < len(nodes) and _is_space(nodes[index]):
        index += 1
    return index


def _is_space(node: _Node) -> bool:
    return isinstance(node, _Token) and node.kind == "ws"


def _translate(code: str) -> tuple[str, list[_Token], list[_ArrowSite]]:
    """JavaScript forms to Jinja; returns the Jinja code, the tokens as written and the arrow
    functions (innermost first)."""
    tokens = _tokenize(code)
    sites: list[_ArrowSite] = []
    sites_token, code_token = _ARROW_SITES.set(sites), _CODE.set(code)
    try:
        return _emit_sequence(_group(_rewrite(tokens))), tokens, sites
    finally:
        _ARROW_SITES.reset(sites_token)
        _CODE.reset(code_token)


# --------------------------------------------------------------------------------------------
# Expressions


_LAZY = (Iterator, range, KeysView, ValuesView, ItemsView)
_BUILDERS = (jinja_nodes.List, jinja_nodes.Dict, jinja_nodes.Tuple, jinja_nodes.Filter,
             jinja_nodes.Call)
_PATH_STEP = re.compile(
    r"\.(?P<attr>[^\W\d]\w*)|\.(?P<dot_index>\d+)(?!\w|\.\d)|\[(?P<index>\d+)\]"
    r"|\[(?P<key>'[^'\\]*'|\"[^\"\\]*\")\]"
)
_PATH_ROOT = re.compile(r"\s*(?P<root>[^\W\d]\w*)")
_Step = tuple[bool, Any]  # (is an item lookup, key)


def _fast_path(code: str) -> tuple[str, tuple[_Step, ...]] | None:
    """`name`, `a.b`, `a[0].b`, `a['k']` → (root, steps); anything else → None."""
    match = _PATH_ROOT.match(code)
    if match is None:
        return None
    root = match.group("root")
    if root in _CONSTANTS or root in _WORD_OPERATORS or root.startswith("__"):
        return None
    steps: list[_Step] = []
    position = match.end()
    end = len(code.rstrip())
    while position < end:
        step = _PATH_STEP.match(code, position)
        if step is None:
            return None
        if step.group("attr"):
            steps.append((False, step.group("attr")))
        elif step.group("key"):
            steps.append((True, step.group("key")[1:-1]))
        else:
            steps.append((True, int(step.group("dot_index") or step.group("index"))))
        position = step.end()
    return root, tuple(steps)


@dataclass(frozen=True, slots=True)
class _Prepared:
    """Everything about an expression that does not depend on where it is written."""

    translated: str
    tokens: tuple[_Token, ...]
    root: str
    path: tuple[_Step, ...] | None
    render: Callable[[Any], Iterator[str]] | None
    names: frozenset[str]
    verify: bool
    arrows: tuple[_ArrowSite, ...]


@lru_cache(maxsize=4096)
def _prepare(code: str) -> _Prepared:
    """Translate and compile `code` once per process; raises `_TranslateError`."""
    translated, tokens, sites = _translate(code)
    translated = translated.strip()
    path = _fast_path(code)
    if path is not None:
        root, steps = path
        return _Prepared(translated, tuple(tokens), root, steps, None,
                         frozenset([root]) - BUILTIN_NAMES, False, ())
    compiled = _compile(translated)
    names = set(compiled.names)
    for site in sites:  # an arrow's free names, less those bound by it or around it
        free = _arrow_code(site.signature, site.body).body.names - site.names
        for other in sites:
            if other.body_start <= site.start and site.end <= other.end:
                free -= other.names
        names |= free
    return _Prepared(translated, tuple(tokens), "", None, compiled.render, frozenset(names),
                     compiled.verify, tuple(sites))


def _compile(translated: str) -> _Compiled:
    """Compile Jinja expression code into a function that stores its value as `result`."""
    try:
        parser = Parser(_ENV, translated, state="variable")
        tree = parser.parse_expression()
        if not parser.stream.eos:
            parser.fail("unexpected text after the expression")
        outline = jinja_nodes.Template([jinja_nodes.Output([tree])], lineno=1)
        outline.set_environment(_ENV)
        names = frozenset(meta.find_undeclared_variables(outline)) - BUILTIN_NAMES
        # What `Environment.compile_expression` builds; evaluation runs it without its copies.
        store = jinja_nodes.Assign(jinja_nodes.Name("result", "store"), tree, lineno=1)
        render = _ENV.from_string(jinja_nodes.Template([store], lineno=1)).root_render_func
    except TemplateSyntaxError as error:
        raise _jinja_error(error) from None
    except Exception as error:  # Jinja's code generator folds some constants, e.g. `null.a ~ 1`
        raise _TranslateError(str(error) or type(error).__name__) from None
    verify = isinstance(tree, _BUILDERS) or any(True for _ in tree.find_all(_BUILDERS))
    return _Compiled(render, names, verify)


def _jinja_error(error: TemplateSyntaxError) -> _TranslateError:
    message = (error.message or "").replace("template", "expression")
    unknown = re.fullmatch(r"No (filter|test) named '(.*)'\.?", message)
    if unknown is None:
        return _TranslateError(message)
    kind, name = unknown.groups()
    known = _ENV.filters if kind == "filter" else _ENV.tests
    hint = suggest(name, known) or f"Jinja {kind}s include " + ", ".join(
        f"`{known_name}`" for known_name in sorted(known)[:8]) + ", …"
    return _TranslateError(f"unknown {kind} `{name}`", hint)


class Expression:
    """A compiled expression: evaluate it against a scope as often as needed.

    `code` is the text as written, `span` where it is, `names` the free variable names it reads
    (the built-in globals left out), and `translated` the Jinja code it was compiled to.
    """

    __slots__ = ("_arrows", "_path", "_render", "_root", "_tokens", "_verify", "code", "names",
                 "span", "translated")

    def __init__(self, code: str, span: Span) -> None:
        try:
            prepared = _prepare(code)
        except _TranslateError as error:
            message = f"invalid expression `{_shown(code)}`: {error.message}"
            raise syntax_error(message, span, error.hint) from None
        self.code = code
        self.span = span
        self.names = prepared.names
        self.translated = prepared.translated
        self._tokens = prepared.tokens
        self._root = prepared.root
        self._path = prepared.path
        self._render = prepared.render
        self._verify = prepared.verify
        self._arrows = prepared.arrows

    def evaluate(self, scope: Mapping[str, Any]) -> Any:
        """The expression's value in `scope`; raises `PMLRenderError` (or `PMLUndefinedError`)."""
        path = self._path
        if path is None:
            return self._evaluate_jinja(scope)
        try:
            try:
                value = scope[self._root]
            except KeyError:
                value = _ENV.globals.get(self._root, _NOT_FOUND)
                if value is _NOT_FOUND:
                    raise _MissingValue(missing, self._root) from None
            for is_item, key in path:
                value = _ENV.getitem(value, key) if is_item else _ENV.getattr(value, key)
                if isinstance(value, Undefined):
                    _fail(value)
            return value
        except Exception as error:
            raise self._error(error, scope) from None

    def _evaluate_jinja(self, scope: Mapping[str, Any]) -> Any:
        try:
            variables = {**_GLOBAL_VALUES, **scope}
            context = _ENV.context_class(_ENV, variables, None, {})
            if self._arrows:  # functions share one budget per evaluation
                variables[_SITES_KEY] = self._arrows
                with _budgeted():
                    for _ in self._render(context):  # type: ignore[misc]
                        pass
            else:
                for _ in self._render(context):  # type: ignore[misc]
                    pass
            result = context.vars["result"]
            if isinstance(result, Undefined):
                _fail(result)
            if isinstance(result, _LAZY):
                result = list(result)
                _verify_defined(result)
            elif self._verify:
                _verify_defined(result)
            return result
        except Exception as error:
            raise self._error(error, scope) from None

    def _error(self, error: Exception, scope: Mapping[str, Any]) -> PMLError:
        try:
            return self._describe(error, scope)
        except Exception:  # describing must never fail: fall back to the plain message
            return render_error(f"error in expression `{self.shown}`: {error}", self.span)

    def _describe(self, error: Exception, scope: Mapping[str, Any]) -> PMLError:
        if isinstance(error, PMLError):
            return error
        if isinstance(error, _MissingValue):
            return self._undefined(error, scope)
        if isinstance(error, _UnsafeAccess):
            start, end, _ = self._member_site(error.name, self._arrow_of(error))
            message = f"unsafe attribute access `{error.name}` in expression `{self.shown}`"
            return render_error(message, self._sub_span(start, end), _UNSAFE_HINT)
        if isinstance(error, SecurityError):
            return render_error(f"unsafe attribute access in expression `{self.shown}`: {error}",
                                self.span, _UNSAFE_HINT)
        if isinstance(error, UndefinedError):
            message = f"error in expression `{self.shown}`: {error.message}"
            return _undefined_error(message, self.span, None)
        message = str(error) or type(error).__name__
        return render_error(f"error in expression `{self.shown}`: {message}", self.span)

    def _undefined(self, error: _MissingValue, scope: Mapping[str, Any]) -> PMLUndefinedError:
        name, owner = error.name, error.owner
        site = self._arrow_of(error)
        if owner is missing:
            if name is None:
                detail = error.message or "undefined value"
                message = f"error in expression `{self.shown}`: {detail}"
                return _undefined_error(message, self.span, None)
            keys = list(dict.fromkeys([*error.bound, *(key for key in scope
                                                         if isinstance(key, str))]))
            hint = suggest(str(name), keys) or _listing(
                "defined names", keys, "the context defines no variables")
            start, end = self._name_site(str(name), site)
            message = f"undefined variable `{name}`"
            return _undefined_error(message, self._sub_span(start, end), hint)
        start, end, parent = self._member_site(name, site)
        subject = f"`{parent}`" if parent else f"this {_kind(owner)}"
        if owner is None:
            message = f"{subject} is null, so it has no attribute `{name}`"
            hint = None
        elif isinstance(name, int) and isinstance(owner, (list, tuple, str)):
            message = f"{subject} has no index {name} (its length is {len(owner)})"
            hint = None
        else:
            message = f"{subject} has no attribute `{name}`"
            hint = _member_hint(str(name), owner)
        return _undefined_error(message, self._sub_span(start, end), hint)

    def _arrow_of(self, error: _MissingValue | _UnsafeAccess) -> _ArrowSite | None:
        """The arrow function of this expression whose body raised `error`, if one did."""
        if error.arrow is None or error.arrow[0] is not self._arrows:
            return None
        return self._arrows[error.arrow[1]]

    def _name_site(self, name: str, site: _ArrowSite | None = None) -> tuple[int, int]:
        """Where variable `name` is read: in `site`'s body if given, never as a parameter."""
        start, end = (0, len(self.code)) if site is None else (site.body_start, site.end)
        previous = ""
        for token in self._tokens:
            if (token.kind == "name" and token.text == name and previous != "."
                    and start <= token.start < end
                    and not any(arrow.binds(token.start, name) for arrow in self._arrows)):
                return token.start, token.end
            if token.kind != "ws":
                previous = token.text
        return (0, len(self.code)) if site is None else (site.start, site.end)

    def _member_site(self, name: Any, site: _ArrowSite | None = None,
                     ) -> tuple[int, int, str | None]:
        """Where `.name`, `[name]` or `['name']` is written (in `site`'s body if given), and the
        text of what precedes it."""
        start, end = (0, len(self.code)) if site is None else (site.body_start, site.end)
        tokens = [token for token in self._tokens
                  if token.kind != "ws" and start <= token.start < end]
        for index, token in enumerate(tokens[:-1]):
            following = tokens[index + 1]
            attribute = following.kind in ("name", "num") and following.text == str(name)
            if token.text == "." and attribute:
                return following.start, following.end, self._parent_text(tokens, index)
            if token.text == "[" and index + 2 < len(tokens) and tokens[index + 2].text == "]":
                literal = following.text[1:-1] if following.kind == "str" else following.text
                if following.kind in ("str", "num") and literal == str(name):
                    return following.start, following.end, self._parent_text(tokens, index)
        return (0, len(self.code), None) if site is None else (site.start, site.end, None)

    def _parent_text(self, tokens: list[_Token], index: int) -> str | None:
        position = index - 1
        start: int | None = None
        while position >= 0:
            token = tokens[position]
            if token.text in (")", "]"):
                depth = 0
                while position >= 0:
                    depth += {")": 1, "]": 1, "(": -1, "[": -1}.get(tokens[position].text, 0)
                    if depth == 0:
                        break
                    position -= 1
                start = tokens[max(position, 0)].start
                position -= 1
                continue
            if token.kind in ("name", "num", "str"):
                start = token.start
                position -= 1
                if position >= 0 and tokens[position].text == ".":
                    position -= 1
                    continue
            break
        return None if start is None else self.code[start : tokens[index].start].strip()

    @property
    def shown(self) -> str:
        """The code as messages quote it: stripped, with runs of whitespace as one space."""
        return _shown(self.code)

    def _sub_span(self, start: int, end: int) -> Span:
        span = self.span
        source = span.source
        if source.text[span.start : span.start + len(self.code)] != self.code:
            return span
        return source.span(span.start + start, span.start + end)

    def __repr__(self) -> str:
        return f"Expression({self.code!r})"


def _shown(code: str) -> str:
    return " ".join(code.split())


def _undefined_error(message: str, span: Span, hint: str | None) -> PMLUndefinedError:
    return PMLUndefinedError(diagnostic(message, span, hint, code="render"))


def _verify_defined(value: Any, depth: int = 0) -> None:
    if isinstance(value, Undefined):
        _fail(value)
    if depth < 64 and isinstance(value, (list, tuple)):
        for item in value:
            _verify_defined(item, depth + 1)
    elif depth < 64 and isinstance(value, dict):
        for item in value.values():
            _verify_defined(item, depth + 1)


def _kind(value: Any) -> str:
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, (list, tuple)):
        return "list"
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, _Arrow):
        return "function"
    return type(value).__name__


def _listing(label: str, names: list[str], empty: str) -> str:
    if not names:
        return empty
    shown = ", ".join(f"`{name}`" for name in names[:5])
    more = f" (and {len(names) - 5} more)" if len(names) > 5 else ""
    return f"{label}: {shown}{more}"


def _member_hint(name: str, owner: Any) -> str | None:
    if isinstance(owner, Mapping):
        keys = [key for key in owner if isinstance(key, str)]
        return suggest(name, keys) or _listing("its keys", keys, "it is an empty object")
    if isinstance(owner, str):
        if name in ("format", "format_map"):
            return "`str.format` is not available: use `~` or the `format` filter"
        return suggest(name, [*_STRING_METHODS, "length"])
    if isinstance(owner, (list, tuple)):
        return suggest(name, [*_LIST_METHODS, "length"])
    return None


def compile_expression(code: str, span: Span) -> Expression:
    """Compile `code` (the text between `{{` and `}}`, or an `if=`/`value=` attribute) once.

    Raises `PMLSyntaxError` pointing at `span` when the code is not a valid expression.
    """
    if not code.strip():
        hint = "write a variable name or a value, e.g. `{{ name }}`"
        raise syntax_error("empty expression", span, hint)
    return Expression(code, span)


_FOR = re.compile(r"\s*([^\W\d]\w*)\s+in\s+(\S.*?)\s*", re.DOTALL)
_FOR_OF = re.compile(r"\s*([^\W\d]\w*)\s+of\s+(\S.*?)\s*", re.DOTALL)


def parse_for(text: str, span: Span) -> tuple[str, Expression]:
    """Split a `for=` value: `"item in items"` → `("item", Expression("items"))`."""
    match = _FOR.fullmatch(text)
    if match is None or match.group(1) in _CONSTANTS or match.group(1) in _WORD_OPERATORS:
        shown = " ".join(text.split())
        written_of = _FOR_OF.fullmatch(text)
        hint = (f"write `{written_of.group(1)} in {written_of.group(2)}`" if written_of
                else "for example `item in items`")
        raise syntax_error(f"`for` expects `name in expression`, not `{shown}`", span, hint)
    code = match.group(2)
    source = span.source
    inner = span
    if source.text[span.start : span.start + len(text)] == text:
        inner = source.span(span.start + match.start(2), span.start + match.end(2))
    return match.group(1), compile_expression(code, inner)

