"""What compiling and evaluating a plain name or path needs, without the Jinja engine.

`{{ question }}`, `for="rule in policy"` and `if="ok"` are resolved directly (see
`pml.expressions.expression`); the parser, the Jinja sandbox and the JavaScript library are
imported the first time an expression needs them. This module holds what both sides share and
what the plain side reads before any of that is loaded.
"""

from __future__ import annotations

SYNTAX_HINT = (
    "expressions use Jinja syntax (`name | upper`, `a if ok else b`) "
    "or simple JavaScript (`a ? b : c`, `a && b`, `text.trim()`)"
)
ARROW_HINT = "write an arrow function as `x => x.name` or `(a, b) => a + b`"


class TranslateError(Exception):
    """An expression that cannot be compiled; becomes a located `PMLSyntaxError`."""

    def __init__(self, message: str, hint: str = SYNTAX_HINT) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


BUILTIN_NAMES: frozenset[str] = frozenset([
    "range", "dict",  # Jinja's globals the sandbox keeps
    "JSON", "Math", "Object", "Array", "String", "Number", "parseInt", "parseFloat", "isNaN", "NaN", "Infinity",
])
"""Names every expression can use without the context defining them: the globals of the sandbox
(`pml.expressions.sandbox.GLOBAL_VALUES`, which `tests/test_expressions.py` holds to this set)."""

SCALARS = frozenset([str, int, float, bool, type(None)])
"""The types of values that leave an expression as they are."""

CONTAINERS = frozenset([list, tuple, dict])
"""The types of lists and objects, which leave an expression unchanged when nothing inside needs checking."""
