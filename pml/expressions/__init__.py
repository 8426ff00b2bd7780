"""Expressions: `{{ … }}`, `if=`, `for=` and `<let value=…>`, evaluated in a sandbox.

An expression is Jinja2 *expression* syntax (`user.name | upper`, `a if ok else b`,
`items | join(", ")`, `x ~ y`) or the JavaScript forms POML documents use (`a && b`, `c ? a : b`,
`user?.name ?? 'anon'`, `` `Hi ${name}` ``, `xs.map(x => x.name)`, `/^- /gm`), in one grammar
(`grammar/expr.lark`). The modules:

* `syntax` parses with the grammar and explains syntax errors; nesting is bounded before
  anything recursive runs;
* `translate` turns the parse tree into Jinja nodes, `codegen` compiles them;
* `sandbox` is the one Jinja sandbox every expression runs in: members, operators, undefined
  values (`undefined`), and the helpers of the JavaScript forms;
* `strings`, `lists`, `jsglobals` and `jsregex` are the JavaScript library: string and list
  methods, `JSON`, `Math`, `Object`, …, and regular expressions with a time bound;
* `arrows` runs arrow functions; `functions` and `data` keep Python internals out of values
  and bound what leaves an expression; `budget` and `convert` are shared by all of these;
* `expression` is the public API: `compile_expression`, `Expression`, `parse_for`; `plain`
  holds what it needs before the rest is loaded: a plain name or path (`{{ question }}`) is
  resolved without the parser or Jinja, which are imported the first time an expression needs
  them.

`docs/language.md` (Expressions) describes the language; `docs/security.md` the limits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .expression import Expression, compile_expression, parse_for
from .plain import BUILTIN_NAMES

if TYPE_CHECKING:
    from .jsregex import JSRegExp


def __getattr__(name: str) -> Any:
    """`JSRegExp` is imported when it is first asked for: the JavaScript library (and the `regex`
    package it runs on) loads only when an expression needs it."""
    if name == "JSRegExp":
        from .jsregex import JSRegExp

        return JSRegExp
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["BUILTIN_NAMES", "Expression", "JSRegExp", "compile_expression", "parse_for"]
