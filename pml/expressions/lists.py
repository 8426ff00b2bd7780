"""JavaScript's list methods (`xs.join(', ')`, `xs.map(x => x.name)`, `xs.sort()`, …).

Each is registered in `LIST_METHODS` under its JavaScript name. The methods that take a
function accept an arrow function, called with (element, index, list) like JavaScript, or a
plain function such as `String`, called with the element only; conditions use Python
truthiness, as `&&` and `!` do. The calls a method makes share the evaluation's budget
(`pml.expressions.budget`). `sort` returns a sorted copy: context data is never changed.
"""

from __future__ import annotations

from functools import cmp_to_key
from typing import Any

from .budget import budgeted, check_items, check_text
from .convert import element_text, integer, same, to_number
from .functions import as_function
from .strings import Method, js

LIST_METHODS: dict[str, Method] = {}

PYTHON_LIST_METHODS = frozenset(["index", "count"])
PYTHON_DICT_METHODS = frozenset(["keys", "values", "items", "get"])


@js(LIST_METHODS, "join")
def _join(items: list[Any], separator: Any = None) -> str:
    glue = "," if separator is None else element_text(separator)
    check_text(len(glue) * max(0, len(items) - 1))
    parts = [element_text(item) for item in items]
    check_text(sum(map(len, parts)) + len(glue) * max(0, len(parts) - 1))
    return glue.join(parts)


@js(LIST_METHODS, "includes")
def _includes(items: list[Any], value: Any) -> bool:
    return any(same(item, value) for item in items)


@js(LIST_METHODS, "indexOf")
def _index_of(items: list[Any], value: Any, start: Any = None) -> int:
    for index in range(max(0, integer(start)), len(items)):
        if same(items[index], value):
            return index
    return -1


@js(LIST_METHODS, "lastIndexOf")
def _last_index_of(items: list[Any], value: Any) -> int:
    for index in range(len(items) - 1, -1, -1):
        if same(items[index], value):
            return index
    return -1


@js(LIST_METHODS, "slice")
def _slice(items: list[Any], start: Any = None, end: Any = None) -> list[Any]:
    return list(items[integer(start) : None if end is None else integer(end)])


@js(LIST_METHODS, "concat")
def _concat(items: list[Any], *others: Any) -> list[Any]:
    size = len(items) + sum(len(other) if isinstance(other, (list, tuple)) else 1 for other in others)
    check_items(size)
    result = list(items)
    for other in others:
        if isinstance(other, (list, tuple)):
            result.extend(other)
        else:
            result.append(other)
    return result


@js(LIST_METHODS, "at")
def _at(items: list[Any], index: Any = None) -> Any:
    position = integer(index)
    return items[position] if -len(items) <= position < len(items) else None


@js(LIST_METHODS, "toString")
def _to_string(items: list[Any]) -> str:
    return _join(items)


@js(LIST_METHODS, "map")
def _map(items: list[Any], function: Any) -> list[Any]:
    call = as_function(function, "map", 1)
    with budgeted():
        return [call(item, index, items) for index, item in enumerate(items)]


@js(LIST_METHODS, "flatMap")
def _flat_map(items: list[Any], function: Any) -> list[Any]:
    call = as_function(function, "flatMap", 1)
    result: list[Any] = []
    with budgeted():
        for index, item in enumerate(items):
            value = call(item, index, items)
            if isinstance(value, (list, tuple)):
                check_items(len(value))
                result.extend(value)
            else:
                result.append(value)
    return result


@js(LIST_METHODS, "filter")
def _filter(items: list[Any], function: Any) -> list[Any]:
    call = as_function(function, "filter", 1)
    with budgeted():
        return [item for index, item in enumerate(items) if bool(call(item, index, items))]


@js(LIST_METHODS, "some")
def _some(items: list[Any], function: Any) -> bool:
    call = as_function(function, "some", 1)
    with budgeted():
        return any(bool(call(item, index, items)) for index, item in enumerate(items))


@js(LIST_METHODS, "every")
def _every(items: list[Any], function: Any) -> bool:
    call = as_function(function, "every", 1)
    with budgeted():
        return all(bool(call(item, index, items)) for index, item in enumerate(items))


def _find_index(items: list[Any], function: Any, method: str, backwards: bool = False) -> int:
    call = as_function(function, method, 1)
    indexes = range(len(items) - 1, -1, -1) if backwards else range(len(items))
    with budgeted():
        for index in indexes:
            if bool(call(items[index], index, items)):
                return index
    return -1


@js(LIST_METHODS, "find")
def _find(items: list[Any], function: Any) -> Any:
    index = _find_index(items, function, "find")
    return None if index < 0 else items[index]


@js(LIST_METHODS, "findIndex")
def _find_index_method(items: list[Any], function: Any) -> int:
    return _find_index(items, function, "findIndex")


@js(LIST_METHODS, "findLast")
def _find_last(items: list[Any], function: Any) -> Any:
    index = _find_index(items, function, "findLast", backwards=True)
    return None if index < 0 else items[index]


@js(LIST_METHODS, "findLastIndex")
def _find_last_index(items: list[Any], function: Any) -> int:
    return _find_index(items, function, "findLastIndex", backwards=True)


_NO_VALUE: Any = object()


def _fold(items: list[Any], function: Any, initial: Any, method: str, backwards: bool) -> Any:
    call = as_function(function, method, 2)
    indexes = list(range(len(items) - 1, -1, -1) if backwards else range(len(items)))
    if initial is _NO_VALUE:
        if not indexes:
            raise TypeError(f"`{method}` of an empty list needs an initial value")
        initial = items[indexes.pop(0)]
    with budgeted():
        for index in indexes:
            initial = call(initial, items[index], index, items)
    return initial


@js(LIST_METHODS, "reduce")
def _reduce(items: list[Any], function: Any, initial: Any = _NO_VALUE) -> Any:
    return _fold(items, function, initial, "reduce", backwards=False)


@js(LIST_METHODS, "reduceRight")
def _reduce_right(items: list[Any], function: Any, initial: Any = _NO_VALUE) -> Any:
    return _fold(items, function, initial, "reduceRight", backwards=True)


def _sort_key(value: Any) -> tuple[bool, bytes]:
    """JavaScript's default order: by text, compared as UTF-16; `null` last (as `undefined`)."""
    return value is None, element_text(value).encode("utf-16-be", "surrogatepass")


def _order(value: Any) -> int:
    number = to_number(value)
    return 0 if number != number or number == 0 else (-1 if number < 0 else 1)


@js(LIST_METHODS, "sort", "toSorted")
def _sort(items: list[Any], compare: Any = None) -> list[Any]:
    """A sorted copy (JavaScript's `sort` sorts in place; context data is never changed)."""
    if compare is None:
        return sorted(items, key=_sort_key)
    call = as_function(compare, "sort", 2)
    with budgeted():
        return sorted(items, key=cmp_to_key(lambda left, right: _order(call(left, right))))
