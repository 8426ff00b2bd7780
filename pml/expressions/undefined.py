"""Undefined values: a missing variable, and JavaScript's `undefined` for a missing member.

A missing *variable* (`nme`) is strict, as a JavaScript ReferenceError is: using it in any way
is an error, except where an expression tests for it (`typeof`, `??`, `?.`, `is defined`,
`| default`). A missing *member* (`user.nickname`) is `JSUndefined`: it is false, equal to
`null` and `undefined`, and it can be tested, but writing it, computing with it or reading a
member of it is an error that names what was missing and points where it was read. The
literal `undefined` is the nameless `UNDEFINED`; at the end of an evaluation it becomes `null`.

The errors raised are `MissingValue` and `UnsafeAccess`; `pml.expressions.expression` turns
them into located `PMLUndefinedError`s and `PMLRenderError`s.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, NoReturn

from jinja2 import StrictUndefined, Undefined, UndefinedError
from jinja2.exceptions import SecurityError
from jinja2.utils import missing

Site = tuple[int, int, str, int]
"""Where a member is read: (start, end) relative to the code it was compiled from (an expression,
or an arrow function's body), the text of what precedes it, and which arrow function's body
it is in (-1: none)."""


class MissingValue(UndefinedError):
    """A missing variable or member was used. Remembers what was missing and where it was read.

    Raised inside arrow functions, it also learns the innermost function (`arrow`: its
    expression's arrow sites and its index) and the parameters in scope (`bound`).
    """

    def __init__(self, owner: Any, name: Any, message: str | None = None, site: Site | None = None) -> None:
        super().__init__(message)
        self.owner = owner
        self.name = name
        self.site = site
        self.arrow: tuple[Any, int] | None = None
        self.bound: tuple[str, ...] = ()


class UnsafeAccess(SecurityError):
    """An expression reached for a private or internal attribute."""

    def __init__(self, name: str, site: Site | None = None) -> None:
        super().__init__(f"unsafe attribute access `{name}`")
        self.name = name
        self.site = site
        self.arrow: tuple[Any, int] | None = None


class MissingName(StrictUndefined):
    """A variable the scope does not define (strict: any use is an error)."""

    __slots__ = ()

    def __init__(
        self, hint: str | None = None, obj: Any = missing, name: str | None = None,
        exc: Callable[[str], Exception] = UndefinedError,
    ) -> None:
        if exc is UndefinedError:
            exc = partial(MissingValue, obj, name)
        # Jinja declares `exc` an exception class, but only ever calls it with the message.
        super().__init__(hint, obj, name, exc)  # type: ignore[arg-type]


class JSUndefined(Undefined):
    """JavaScript's `undefined`, for a member that is not there."""

    __slots__ = ()

    def __init__(self, obj: Any = missing, name: Any = None, site: Site | None = None) -> None:
        # Jinja declares `exc` an exception class, but only ever calls it with the message.
        super().__init__(None, obj, name, partial(MissingValue, obj, name, site=site))  # type: ignore[arg-type]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, MissingName):
            fail(other)
        return other is None or isinstance(other, JSUndefined)

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return hash(None)

    def __str__(self) -> str:
        return fail(self)

    def __iter__(self) -> Any:
        return fail(self)

    def __len__(self) -> int:
        return fail(self)

    def __contains__(self, item: object) -> bool:
        return fail(self)

    def __repr__(self) -> str:
        return "undefined"


UNDEFINED = JSUndefined()
"""The literal `undefined`."""


def fail(value: Undefined) -> NoReturn:
    """Raise the error of using `value`."""
    value._fail_with_undefined_error()
    raise AssertionError("unreachable")  # pragma: no cover


def is_nullish(value: Any) -> bool:
    """`null`, `undefined` or a missing variable: what `??` and `?.` replace."""
    return value is None or isinstance(value, Undefined)
