"""Function values: what an expression holds when it names a function without calling it.

Nothing internal may reach a prompt's text, so every function an expression can reach is a
`JSFunction`, written the way JavaScript writes functions: an arrow function as its source
(`x => x + 1`), any other function as `function name() { [native code] }`, and the library
namespaces as `[object Math]`. Python callables from the context are wrapped the same way
when they are read as members or leave an expression.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jinja2 import Undefined
from jinja2.exceptions import SecurityError

from .budget import current
from .convert import a_kind
from .undefined import fail


class JSFunction:
    """The base of every function value expressions see."""

    __slots__ = ()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:  # pragma: no cover - overridden
        raise NotImplementedError


class NativeFunction(JSFunction):
    """A Python function: a library shim, a method of a value, or a callable from the context."""

    __slots__ = ("_function", "_name")

    def __init__(self, function: Callable[..., Any], name: str | None = None) -> None:
        self._function = function
        self._name = name or getattr(function, "__name__", "") or "anonymous"

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._function(*args, **kwargs)

    def __str__(self) -> str:
        name = self._name if self._name.isidentifier() and not self._name.startswith("_") else ""
        return f"function {name}() {{ [native code] }}"

    __repr__ = __str__


class UnsafeFunction(NativeFunction):
    """A context callable marked `unsafe_callable` or `alters_data`: it can be written, not called."""

    __slots__ = ()
    unsafe_callable = True


class Method(JSFunction):
    """A method read from a value (`s.trim`), bound to it."""

    __slots__ = ("_function", "_name", "_owner")

    def __init__(self, function: Callable[..., Any], owner: Any, name: str) -> None:
        self._function = function
        self._owner = owner
        self._name = name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._function(self._owner, *args, **kwargs)

    def __str__(self) -> str:
        return f"function {self._name}() {{ [native code] }}"

    __repr__ = __str__


class Namespace:
    """A read-only bag of members such as `JSON` or `Math`."""

    __slots__ = ("_members", "_name")

    def __init__(self, name: str, members: dict[str, Any]) -> None:
        self._name = name
        self._members = {key: native(value, key) if callable(value) else value
                         for key, value in members.items()}

    def member(self, name: str, default: Any) -> Any:
        return self._members.get(name, default)

    def __str__(self) -> str:
        return f"[object {self._name}]"

    __repr__ = __str__


def is_unsafe(function: Any) -> bool:
    """What Jinja's sandbox refuses to call."""
    return bool(getattr(function, "unsafe_callable", False) or getattr(function, "alters_data", False))


def native(function: Any, name: str | None = None) -> JSFunction:
    """Wrap a Python callable so that it writes as a function, never as a Python repr."""
    if isinstance(function, JSFunction):
        return function
    if is_unsafe(function):
        return UnsafeFunction(function, name)
    return NativeFunction(function, name)


def as_function(value: Any, method: str, arity: int) -> Callable[..., Any]:
    """The function a list method (`map`, `filter`, `sort`, …) was given, ready to call.

    Arrow functions receive every argument (element, index, list); any other function receives
    the first `arity` only, and each call counts against the evaluation's budget.
    """
    from .arrows import Arrow

    if isinstance(value, Arrow):
        return value
    if isinstance(value, Undefined):
        fail(value)
    if not callable(value) or isinstance(value, type):
        raise TypeError(f"`{method}` expects a function such as `x => x.name`, not {a_kind(value)}")
    if is_unsafe(value):
        raise SecurityError(f"{value!r} is not safely callable")

    def call(*args: Any) -> Any:
        budget = current()
        if budget is not None:
            budget.call()
        return value(*args[:arity])

    return call
