"""The JavaScript globals expressions can use: `JSON`, `Math`, `Object`, `Array`, `String`,
`Number`, `parseInt`, `parseFloat`, `isNaN`, `NaN` and `Infinity`.

`JSON.stringify(value, null, indent)` writes compact or indented JSON (indents longer than 10
are cut to 10, as in JavaScript), size-checked before it is built. `Math.max(list)` accepts
one list as well as several numbers.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Any

from jinja2 import Undefined

from pml.values import parse_json, to_json, to_text

from .convert import bound_int, integer, power, text_of, to_number
from .data import settle_text
from .functions import Namespace
from .undefined import fail


def _stringify(value: Any, replacer: Any = None, space: Any = None) -> str:
    if replacer is not None:
        raise ValueError("JSON.stringify: a replacer is not supported")
    indent = space[:10] if isinstance(space, str) else " " * min(10, max(0, integer(space)))
    if isinstance(value, Undefined):
        fail(value)
    return to_json(settle_text(value, len(indent)), indent)


def _parse(text: Any) -> Any:
    return parse_json(to_text(text))


def _numbers(args: tuple[Any, ...]) -> list[int | float]:
    values = args[0] if len(args) == 1 and isinstance(args[0], (list, tuple)) else args
    return [to_number(value) for value in values]


def _max(*args: Any) -> int | float:
    numbers = _numbers(args)
    if any(number != number for number in numbers):
        return math.nan
    return max(numbers, default=-math.inf)


def _min(*args: Any) -> int | float:
    numbers = _numbers(args)
    if any(number != number for number in numbers):
        return math.nan
    return min(numbers, default=math.inf)


def _finite(function: Callable[[float], int]) -> Callable[[Any], int | float]:
    def apply(value: Any) -> int | float:
        number = to_number(value)
        return function(number) if math.isfinite(number) else number

    return apply


def _sign(value: Any) -> int | float:
    number = to_number(value)
    return number if number == 0 or number != number else (1 if number > 0 else -1)


def _sqrt(value: Any) -> float:
    number = to_number(value)
    return math.sqrt(number) if number >= 0 else math.nan


def _parse_int(text: Any, radix: Any = None) -> int | float:
    source = to_text(text).strip()
    match = re.match(r"([+-]?)(0[xX])?", source)
    sign, prefix = match.group(1) if match else "", match.group(2) if match else None
    base = integer(radix, 0)
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
    if length > 1100:  # more digits than any double holds
        return -math.inf if sign == "-" else math.inf
    number = bound_int(int(source[:length], base))
    return -number if sign == "-" else number


def _parse_float(text: Any) -> float:
    source = to_text(text).strip()
    match = re.match(r"[+-]?(?:Infinity|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)", source)
    if not match:
        return math.nan
    return float(match.group().replace("Infinity", "inf"))


def _is_nan(value: Any) -> bool:
    number = to_number(value)
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


def _string(value: Any = "") -> str:
    return text_of(value)


def _number(value: Any = 0) -> int | float:
    return to_number(value)


def _abs(value: Any) -> int | float:
    return abs(to_number(value))


def _pow(base: Any, exponent: Any) -> Any:
    return power(to_number(base), to_number(exponent))


def _is_array(value: Any) -> bool:
    return isinstance(value, (list, tuple))


GLOBALS: dict[str, Any] = {
    "JSON": Namespace("JSON", {"stringify": _stringify, "parse": _parse}),
    "Math": Namespace("Math", {
        "max": _max, "min": _min, "abs": _abs,
        "round": _finite(lambda x: math.floor(x + 0.5)), "floor": _finite(math.floor),
        "ceil": _finite(math.ceil), "trunc": _finite(math.trunc), "sign": _sign,
        "pow": _pow, "sqrt": _sqrt, "PI": math.pi, "E": math.e,
    }),
    "Object": Namespace("Object", {"keys": _keys, "values": _values, "entries": _entries}),
    "Array": Namespace("Array", {"isArray": _is_array}),
    "String": _string,
    "Number": _number,
    "parseInt": _parse_int,
    "parseFloat": _parse_float,
    "isNaN": _is_nan,
    "NaN": math.nan,
    "Infinity": math.inf,
}
"""The globals, before the sandbox wraps its functions (`pml.expressions.functions`)."""
