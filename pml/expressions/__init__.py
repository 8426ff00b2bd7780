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
* `expression` is the public API: `compile_expression`, `Expression`, `parse_for`.

`docs/language.md` (Expressions) describes the language; `docs/security.md` the limits.
"""

from __future__ import annotations

from .expression import Expression, compile_expression, parse_for
from .jsregex import JSRegExp
from .sandbox import BUILTIN_NAMES

__all__ = ["BUILTIN_NAMES", "Expression", "JSRegExp", "compile_expression", "parse_for"]
