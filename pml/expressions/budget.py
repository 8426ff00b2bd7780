"""What one evaluation may spend: string and list sizes, function calls and call depth.

Every bound comes from `pml.limits.current()`: `max_string` characters in one string,
`max_items` items in one list (and function calls per evaluation), `max_expression_depth`
functions calling one another. Sizes are checked before a value is built wherever the size is
known in advance. Within one evaluation that calls functions (arrow functions, or a stored
arrow called directly), the strings and lists those functions build are also counted together,
so nested `map`s and recursion stay bounded.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from pml import limits


class LimitError(ValueError):
    """A value an expression builds would go over one of the limits."""


class Budget:
    """What the functions called during one evaluation may still spend."""

    __slots__ = ("calls", "depth", "items", "max_calls", "max_depth", "text")

    def __init__(self) -> None:
        self.calls = self.items = self.text = self.depth = 0
        bounds = limits.current()
        self.max_calls = bounds.max_items
        self.max_depth = bounds.max_expression_depth

    def call(self) -> None:
        self.calls += 1
        if self.calls > self.max_calls:
            raise LimitError(f"functions were called more than {self.max_calls} times")

    def enter(self) -> None:
        """One function call inside another: bounded by `max_expression_depth` (`leave` after)."""
        self.depth += 1
        if self.depth > self.max_depth:
            self.depth -= 1
            raise LimitError(f"functions called one another more than {self.max_depth} deep (runaway recursion?)")

    def leave(self) -> None:
        self.depth -= 1


_BUDGET: ContextVar[Budget | None] = ContextVar("pml_expression_budget", default=None)


def current() -> Budget | None:
    """The budget of the evaluation under way, if it calls functions."""
    return _BUDGET.get()


@contextmanager
def budgeted() -> Iterator[Budget]:
    """The budget in force, or a new one for the calls made inside this block."""
    budget = _BUDGET.get()
    if budget is not None:
        yield budget
        return
    budget = Budget()
    token = _BUDGET.set(budget)
    try:
        yield budget
    finally:
        _BUDGET.reset(token)


def limit_text(length: int) -> None:
    """Refuse a string longer than `max_string` (without counting it as built)."""
    most = limits.current().max_string
    if length > most:
        raise LimitError(f"the result would be {length} characters long (the limit is {most})")


def check_text(length: int) -> None:
    """Refuse a string longer than `max_string`; inside functions, also count it as built."""
    limit_text(length)
    budget = _BUDGET.get()
    if budget is not None:
        budget.text += length
        most = limits.current().max_string
        if budget.text > most:
            raise LimitError(f"functions built {budget.text} characters in all (the limit is {most})")


def check_items(count: int) -> None:
    """Refuse a list longer than `max_items`; inside functions, also count it as built."""
    most = limits.current().max_items
    if count > most:
        raise LimitError(f"the result would have {count} items (the limit is {most})")
    budget = _BUDGET.get()
    if budget is not None:
        budget.items += count
        if budget.items > most:
            raise LimitError(f"functions built {budget.items} items in all (the limit is {most})")
