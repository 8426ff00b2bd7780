"""The value model: how context values become text, and how `<let>` bodies become values.

PML values are plain Python data as JSON produces it: `str`, `int`, `float`, `bool`, `None`,
`list` and `dict`. JavaScript's `null` and `undefined` are both `None`.

Writing a value into text (`to_text`) follows JavaScript, because that is what POML files
expect:

* strings are written as they are, `None` as nothing, booleans as `true` / `false`;
* numbers as JavaScript prints them: `1.0` is `1`, `1e21` is `1e+21`, `0.1 + 0.2` is
  `0.30000000000000004`, NaN is `NaN`, infinity is `Infinity`;
* lists and dicts as compact `JSON.stringify` output (`{"a":1,"b":[1,2]}`), keys in insertion
  order, non-ASCII characters kept, non-finite numbers as `null`;
* anything else as `str(value)`.

`guess_type` reads the body of `<let name="x">…</let>` the way POML does (`null`, booleans,
numbers and JSON are parsed; everything else stays text) and `convert_type` applies an explicit
`<let type="…">`. Conversion problems raise `ValueProblem` (a `ValueError`) with a message meant
for the user; the stage that called knows where the value was written, and reports it there.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "TYPE_NAMES", "Memo", "Survey", "ValueProblem", "convert_type", "describe", "find_non_data", "guess_type",
    "is_data", "js_number", "kind_of", "parse_json", "survey", "to_json", "to_text",
]

_JSON_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?")
_INTEGER = re.compile(r"[+-]?\d+")
_FLOAT = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


class ValueProblem(ValueError):
    """A text does not hold a value of the type asked for. The message is for people; it carries
    no location, so the caller (a `<let>`, `JSON.parse` in an expression) raises it again as a
    located error of its stage."""


def to_text(value: Any) -> str:
    """Write a value into text, the way JavaScript would (see the module docstring)."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return js_number(value)
    if isinstance(value, (list, tuple, Mapping)):
        return to_json(value)
    return str(value)


def js_number(number: float) -> str:
    """Format a float exactly as JavaScript's `String(number)` does."""
    if number != number:
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    if number == 0:
        return "0"
    sign = "-" if number < 0 else ""
    mantissa, _, exponent = repr(abs(number)).partition("e")
    whole, _, fraction = mantissa.partition(".")
    all_digits = whole + fraction
    significant = all_digits.lstrip("0")
    # The value is 0.<digits> × 10^point, with `digits` the shortest round-trip digits.
    point = len(whole) + int(exponent or 0) - (len(all_digits) - len(significant))
    digits = significant.rstrip("0")
    count = len(digits)
    if count <= point <= 21:
        text = digits + "0" * (point - count)
    elif 0 < point <= 21:
        text = f"{digits[:point]}.{digits[point:]}"
    elif -6 < point <= 0:
        text = f"0.{'0' * -point}{digits}"
    else:
        power = point - 1
        head = digits[0] if count == 1 else f"{digits[0]}.{digits[1:]}"
        text = f"{head}e{'+' if power > 0 else '-'}{abs(power)}"
    return sign + text


def to_json(value: Any, indent: str = "") -> str:
    """Serialize like JavaScript's `JSON.stringify(value, null, indent)`.

    With an empty `indent` the output is compact (`{"a":1}`); otherwise each member goes on its
    own line, indented by `indent` per level, with `": "` after keys.
    """
    parts: list[str] = []
    _write_json(value, indent, "", parts.append)
    return "".join(parts)


def _write_json(value: Any, indent: str, prefix: str, out: Callable[[str], object]) -> None:
    if isinstance(value, str):
        out(json.dumps(value, ensure_ascii=False))
    elif value is None or value is True or value is False:
        out("null" if value is None else "true" if value else "false")
    elif isinstance(value, int):
        out(int.__repr__(value))
    elif isinstance(value, float):
        out(js_number(value) if math.isfinite(value) else "null")
    elif isinstance(value, (list, tuple, Mapping)):
        _write_container(value, indent, prefix, out)
    else:
        out(json.dumps(to_text(value), ensure_ascii=False))


def _write_container(
    value: list[Any] | tuple[Any, ...] | Mapping[Any, Any], indent: str, prefix: str,
    out: Callable[[str], object],
) -> None:
    is_object = isinstance(value, Mapping)
    opening, closing = ("{", "}") if is_object else ("[", "]")
    if not value:
        out(opening + closing)
        return
    inner = prefix + indent
    separator = f",\n{inner}" if indent else ","
    out(f"{opening}\n{inner}" if indent else opening)
    items = value.items() if is_object else enumerate(value)  # type: ignore[union-attr]
    for index, (key, item) in enumerate(items):
        if index:
            out(separator)
        if is_object:
            out(json.dumps(key if isinstance(key, str) else to_text(key), ensure_ascii=False))
            out(": " if indent else ":")
        _write_json(item, indent, inner, out)
    out(f"\n{prefix}{closing}" if indent else closing)


_DATA_SCALARS = (str, int, float, bool, type(None))
_SURROGATES = re.compile("[\ud800-\udfff]")


def kind_of(value: Any) -> str:
    """The kind of a value, as error messages name it: text, number, boolean, null, list, object,
    function, regular expression, built-in object (`Math`), or `value` for anything else."""
    if isinstance(value, str):
        return "text"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if value is None:
        return "null"
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, (list, tuple)):
        return "list"
    if _is_regex(value):
        return "regular expression"
    if callable(value):
        return "function"
    if _of_expressions(value):
        return "built-in object"
    return "value"


def _of_expressions(value: Any) -> bool:
    """Whether a value is an object of the expression language (its classes live in `pml.expressions`,
    which imports this module, hence the test by module name)."""
    module = type(value).__module__
    return module == "pml.expressions" or module.startswith("pml.expressions.")


def _is_regex(value: Any) -> bool:
    return type(value).__name__ == "JSRegExp" and _of_expressions(value)


def is_data(value: Any) -> bool:
    """Whether a single value is data: not a function, a regular expression or another object of
    the expression language (`Math`, `JSON`); containers are not looked into."""
    if isinstance(value, _DATA_SCALARS) or isinstance(value, (Mapping, list, tuple)):
        return True
    if callable(value) or _of_expressions(value):
        return False
    return True  # other Python objects from the caller's context (dates, decimals) are written as text


class _Found(Exception):
    pass


@dataclass(frozen=True, slots=True)
class Survey:
    """What one walk over a value finds out: its size in characters (of its strings, numbers and
    keys: a lower bound of any serialization of it), the first thing in it that is not data
    (`is_data`; `foreign` tells whether there is one), and whether a string in it holds a
    surrogate code point."""

    size: int
    foreign: bool
    first_foreign: Any
    surrogates: bool


Memo = dict[int, tuple[Any, Survey]]


def survey(value: Any, memo: Memo | None = None) -> Survey:
    """Walk a value once (`Survey`). A container's survey is kept in `memo` by its id (with the
    container itself, so that the id stays its own), so a value used again costs nothing."""
    if memo is not None:
        known = memo.get(id(value))
        if known is not None and known[0] is value:
            return known[1]
    size = 0
    foreign: Any = None
    found = surrogates = False
    visited: set[int] = set()
    stack: list[Any] = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is str:
            size += len(item)
            if not surrogates and _SURROGATES.search(item) is not None:
                surrogates = True
        elif kind is int or kind is float or kind is bool or item is None:
            size += 1
        elif isinstance(item, Mapping):
            if id(item) in visited:
                continue
            visited.add(id(item))
            size += 2
            for key, child in item.items():
                if isinstance(key, str):
                    size += len(key) + 1
                    if not surrogates and _SURROGATES.search(key) is not None:
                        surrogates = True
                else:
                    size += 2
                stack.append(child)
        elif isinstance(item, (list, tuple)):
            if id(item) in visited:
                continue
            visited.add(id(item))
            size += 2 + len(item)
            stack.extend(item)
        elif isinstance(item, str):
            size += len(item)
            surrogates = surrogates or _SURROGATES.search(item) is not None
        elif isinstance(item, (bytes, bytearray)):
            size += len(item)
        elif not is_data(item):
            if not found:
                found, foreign = True, item
        else:
            size += 1
    result = Survey(size, found, foreign, surrogates)
    if memo is not None and isinstance(value, (Mapping, list, tuple)):
        memo[id(value)] = (value, result)
    return result


def find_non_data(value: Any, memo: Memo | None = None) -> tuple[str, Any] | None:
    """The first thing inside `value` that is not data (`is_data`), with where it is
    (`[2].run`), or None."""
    found = survey(value, memo)
    if not found.foreign:
        return None
    return _path_to(value, found.first_foreign), found.first_foreign


def _path_to(value: Any, target: Any) -> str:
    """Where `target` is inside `value`: `` for the value itself, else `.key` / `[index]` steps."""
    stack: list[tuple[Any, str]] = [(value, "")]
    seen: set[int] = set()
    while stack:
        item, path = stack.pop()
        if item is target:
            return path
        if isinstance(item, (Mapping, list, tuple)):
            if id(item) in seen:
                continue
            seen.add(id(item))
            pairs = item.items() if isinstance(item, Mapping) else enumerate(item)
            for key, child in pairs:
                step = f"[{key}]" if not isinstance(item, Mapping) else (
                    f".{key}" if isinstance(key, str) and key.isidentifier() else f"[{to_json(key)}]")
                stack.append((child, path + step))
    return ""


def describe(value: Any, width: int = 40) -> str:
    """A value as an error message shows it: `` `text` `` for text, else its kind and a short form
    (``a list `[1,2]` ``, ``a function `x => 1` ``, `null`); long forms are cut with `…`."""
    if value is None:
        return "null"
    shown = _preview(value, width)
    if isinstance(value, str):
        return f"`{shown}`"
    kind = kind_of(value)
    article = "an" if kind[0] in "aeiou" else "a"
    return f"{article} {kind} `{shown}`"


def _preview(value: Any, width: int) -> str:
    """The text form of a value (`to_text`, strings as they are), built no further than `width`."""
    if isinstance(value, str):
        return _clip(_SURROGATES.sub("\ufffd", value.replace("\n", "\\n")), width)
    if not isinstance(value, (list, tuple, Mapping)):
        try:
            return _clip(to_text(value), width)
        except Exception:  # a caller's object whose str() fails
            return type(value).__name__
    parts: list[str] = []
    length = 0

    def out(piece: str) -> None:
        nonlocal length
        parts.append(piece)
        length += len(piece)
        if length > width:
            raise _Found

    try:
        _write_json(value, "", "", out)
    except _Found:
        pass
    except RecursionError:
        pass
    return _clip(_SURROGATES.sub("\ufffd", "".join(parts)), width)


def guess_type(text: str) -> Any:
    """Read a `<let>` body as POML does: `null`, `true`/`false`, a JSON number, a JSON array,
    object or quoted string become that value; any other text is returned exactly as given."""
    stripped = text.strip()
    if stripped == "null":
        return None
    if stripped in ("true", "false"):
        return stripped == "true"
    number = _JSON_NUMBER.fullmatch(stripped)
    if number:
        return float(stripped) if number.group(1) or number.group(2) else int(stripped)
    if stripped[:1] in ("{", "[", '"'):
        try:
            return parse_json(stripped)
        except ValueError:
            return text
    return text


TYPE_NAMES = (
    "string", "integer", "float", "number", "boolean", "array", "object", "null", "undefined",
    "json",
)


def convert_type(text: str, type_name: str) -> Any:
    """Convert a `<let type="…">` body to the named type.

    Raises `ValueProblem` with a user-facing message when the text does not fit the type or the
    type is unknown.
    """
    kind = type_name.strip().lower()
    if kind not in TYPE_NAMES:
        raise ValueProblem(f"unknown type `{type_name}`: expected one of {', '.join(TYPE_NAMES)}")
    if kind == "string":
        return text
    if kind in ("null", "undefined"):
        return None
    stripped = text.strip()
    if kind == "integer":
        if not _INTEGER.fullmatch(stripped):
            raise ValueProblem(f"`{_clip(stripped)}` is not an integer")
        return int(stripped)
    if kind in ("float", "number"):
        if not _FLOAT.fullmatch(stripped):
            raise ValueProblem(f"`{_clip(stripped)}` is not a number")
        return float(stripped)
    if kind == "boolean":
        if stripped.lower() not in ("true", "false"):
            raise ValueProblem(f"`{_clip(stripped)}` is not a boolean: write `true` or `false`")
        return stripped.lower() == "true"
    try:
        value = parse_json(stripped)
    except ValueError as error:
        raise ValueProblem(f"invalid JSON for type `{kind}`: {error}") from None
    expected = {"array": list, "object": dict}.get(kind)
    if expected is not None and not isinstance(value, expected):
        raise ValueProblem(f"expected a JSON {kind}, got `{_clip(stripped)}`")
    return value


def parse_json(text: str) -> Any:
    """Parse strict JSON (no NaN/Infinity), as JavaScript's `JSON.parse` does.

    Errors are raised as `ValueProblem("<reason> at line L column C")`.
    """
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        raise ValueProblem(f"{error.msg} at line {error.lineno} column {error.colno}") from None


def _reject_constant(name: str) -> Any:
    raise ValueProblem(f"`{name}` is not valid JSON")


def _clip(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
