"""The public API: `compile_expression`, `Expression.evaluate` and `parse_for`.

Compiling parses and translates the code once (cached per code text) and raises
`PMLSyntaxError` pointing at the expression. Evaluating runs the compiled code in the sandbox
and turns every failure into a located error: `PMLUndefinedError` pointing at the missing
variable or member inside the expression (with a "did you mean" hint), `PMLRenderError` for
anything else ("error in expression `…`: …", "unsafe attribute access …"). Nothing else
escapes, whatever the input.

Plain names and paths (`question`, `example.input`, `test[0].input`) skip Jinja: they are
resolved directly with the same member rules and the same errors. A condition (`if=`) is
compiled with `condition=True`: its value is true or false, and a missing member is false
rather than an error.

The parser, the Jinja sandbox and the JavaScript library are imported the first time an
expression needs them (a plain name needs none of them, a path only the sandbox's member
rules), so a prompt that only names its variables starts without them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from pml import limits
from pml.errors import PMLError, PMLUndefinedError, clip, diagnostic, render_error, suggest, syntax_error
from pml.syntax.source import Span

from .plain import BUILTIN_NAMES, CONTAINERS, SCALARS, TranslateError

if TYPE_CHECKING:
    from .arrows import ArrowSite
    from .undefined import MissingValue

# The modules that need Jinja (`codegen`, `sandbox`, `translate`, `data`, …) are imported by the
# functions that use them, the first time one runs: see the module docstring.

_PATH_STEP = re.compile(
    r"\.(?P<attr>[^\W\d]\w*)|\.(?P<dot_index>\d+)(?!\w|\.\d)|\[(?P<index>\d+)\]"
    r"|\[(?P<key>'[^'\\]*'|\"[^\"\\]*\")\]"
)
_PATH_ROOT = re.compile(r"\s*(?P<root>[^\W\d]\w*)")
_KEYWORDS = frozenset(["and", "or", "not", "in", "is", "if", "else", "true", "false", "none", "True", "False",
                       "None", "null", "undefined", "typeof", "self"])
_Site = tuple[int, int, str, int]
_Step = tuple[bool, Any, _Site]  # (is an item lookup, key, site)
_Lookup = tuple[Callable[[Any, Any, _Site], Any], Any, _Site]  # (the sandbox's item or member lookup, key, site)
_NOT_FOUND: Any = object()


def _fast_path(code: str) -> tuple[str, tuple[_Step, ...]] | None:
    """`name`, `a.b`, `a[0].b`, `a['k']` → (root, steps); anything else → None."""
    match = _PATH_ROOT.match(code)
    if match is None:
        return None
    root = match.group("root")
    if root in _KEYWORDS or root.startswith("__"):
        return None
    steps: list[_Step] = []
    start = match.start("root")
    position = match.end()
    end = len(code.rstrip())
    while position < end:
        step = _PATH_STEP.match(code, position)
        if step is None:
            return None
        group = step.lastgroup or ""
        parent = code[start:position]
        site = (step.start(group), step.end(group), parent, -1)
        if group == "attr":
            steps.append((False, step.group("attr"), site))
        elif group == "key":
            steps.append((True, step.group("key")[1:-1], (site[0] + 1, site[1] - 1, parent, -1)))
        else:
            steps.append((True, int(step.group(group)), site))
        position = step.end()
    return root, tuple(steps)


@dataclass(frozen=True, slots=True)
class _Prepared:
    """Everything about an expression that does not depend on where it is written."""

    root: str
    path: tuple[_Lookup, ...] | None
    run: Callable[[Mapping[str, Any]], Any] | None  # evaluates the compiled code in a scope
    names: frozenset[str]
    verify: bool
    arrows: tuple[ArrowSite, ...]
    name_sites: tuple[tuple[str, int, int, int], ...]


@lru_cache(maxsize=4096)
def _prepare(code: str, depth: int) -> _Prepared:
    """Translate and compile `code` once per process (and depth limit); raises `TranslateError`."""
    path = _fast_path(code)
    if path is not None:  # a plain name or path: no parser, no Jinja
        root, steps = path
        start = code.index(root)
        return _Prepared(root, _lookups(steps), None, frozenset([root]) - BUILTIN_NAMES, False, (),
                         ((root, start, start + len(root), -1),))
    from jinja2 import TemplateSyntaxError

    from .codegen import compile_tree
    from .sandbox import ENV
    from .translate import translate

    try:
        translation = translate(code)
    except (TranslateError, RecursionError):
        raise
    except Exception as error:  # a literal Python refuses (never expected): still a syntax error
        raise TranslateError(str(error) or type(error).__name__) from None
    try:
        render = compile_tree(ENV, translation.tree)
    except TemplateSyntaxError as error:
        raise TranslateError((error.message or "").replace("template", "expression")) from None
    except (SyntaxError, RecursionError, MemoryError) as error:  # Python's own nesting limits
        most = limits.current().max_expression_depth
        raise TranslateError(f"the expression is too deeply nested to compile ({type(error).__name__})",
                             f"split it into smaller expressions; the limit is `max_expression_depth` ({most})") \
            from None
    except Exception as error:  # Jinja's compiler refusing a tree: report it, never crash
        raise TranslateError(str(error) or type(error).__name__) from None
    return _Prepared("", None, _runner(render, translation.arrows), translation.names - BUILTIN_NAMES,
                     translation.verify, translation.arrows, translation.name_sites)


def _runner(render: Callable[[Any], Iterator[str]],
            arrows: tuple[ArrowSite, ...]) -> Callable[[Mapping[str, Any]], Any]:
    """What evaluates compiled code in a scope: the sandbox's context with the globals under the scope's
    variables; arrow functions share one budget per evaluation."""
    from .arrows import SITES_KEY
    from .budget import budgeted
    from .sandbox import ENV, GLOBAL_VALUES

    def run(scope: Mapping[str, Any]) -> Any:
        variables = {**GLOBAL_VALUES, **scope}
        context = ENV.context_class(ENV, variables, None, {})
        if arrows:
            variables[SITES_KEY] = arrows
            with budgeted():
                for _ in render(context):
                    pass
        else:
            for _ in render(context):
                pass
        return context.vars["result"]

    return run


def _lookups(steps: tuple[_Step, ...]) -> tuple[_Lookup, ...]:
    """A path's steps with the sandbox's lookups they make (the sandbox is loaded for the first path that has one)."""
    if not steps:
        return ()
    from .sandbox import ENV

    return tuple((ENV.pml_item if is_item else ENV.pml_attr, key, site) for is_item, key, site in steps)


class Expression:
    """A compiled expression: evaluate it against a scope as often as needed.

    `code` is the text as written, `span` where it is, `names` the free variable names it reads
    (the built-in globals left out), and `condition` whether it is an `if=` condition.
    """

    __slots__ = ("_arrows", "_name_sites", "_path", "_root", "_run", "_verify", "code", "condition", "names",
                 "span")

    def __init__(self, code: str, span: Span, *, condition: bool = False) -> None:
        most = limits.current().max_expression_length
        if len(code) > most:
            raise syntax_error(f"the expression is {len(code)} characters long (the limit is {most})", span,
                               "compute long values in the program and pass them in the context; "
                               "the limit is `max_expression_length`")
        try:
            prepared = _prepare(code, limits.current().max_expression_depth)
        except TranslateError as error:
            raise syntax_error(f"invalid expression `{_shown(code)}`: {error.message}", span, error.hint) from None
        except RecursionError:
            raise syntax_error(f"invalid expression `{_shown(code)}`: the expression is too deeply nested",
                               span, "split it into smaller expressions") from None
        self._set(code, span, condition, prepared)

    def _set(self, code: str, span: Span, condition: bool, prepared: _Prepared) -> None:
        self.code = code
        self.span = span
        self.condition = condition
        self.names = prepared.names
        self._root = prepared.root
        self._path = prepared.path
        self._run = prepared.run
        self._verify = prepared.verify
        self._arrows = prepared.arrows
        self._name_sites = prepared.name_sites

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as its code and place; the compiled form is made again when it is loaded (once
        per code text and process: `_prepare` is cached)."""
        return _restored, (self.code, self.span, self.condition)

    def evaluate(self, scope: Mapping[str, Any]) -> Any:
        """The expression's value in `scope` (for a condition: true or false); raises
        `PMLRenderError` (or `PMLUndefinedError`)."""
        try:
            path = self._path
            value = self._evaluate_path(scope, path) if path is not None else self._evaluate_jinja(scope)
            kind = type(value)
            if self.condition:
                if kind in SCALARS or kind in CONTAINERS:
                    return bool(value)
                return _truth(value)
            if kind in SCALARS or (kind in CONTAINERS and not self._verify):
                return value
            from .data import settle

            return settle(value, walk=self._verify)
        except Exception as error:
            raise self._error(error, scope) from None

    def _evaluate_path(self, scope: Mapping[str, Any], path: tuple[_Lookup, ...]) -> Any:
        try:
            value = scope[self._root]
        except KeyError:
            value = _global(self._root)
        for lookup, key, site in path:
            value = lookup(value, key, site)
        return value

    def _evaluate_jinja(self, scope: Mapping[str, Any]) -> Any:
        run = self._run
        assert run is not None  # compiled whenever the expression is not a plain path
        return run(scope)

    # -- errors

    def _error(self, error: Exception, scope: Mapping[str, Any]) -> PMLError:
        try:
            return self._describe(error, scope)
        except Exception:  # describing must never fail: fall back to the plain message
            return render_error(f"error in expression `{self.shown}`: {error}", self.span)

    def _describe(self, error: Exception, scope: Mapping[str, Any]) -> PMLError:
        from jinja2 import UndefinedError
        from jinja2.exceptions import SecurityError

        from .translate import UNSAFE_HINT
        from .undefined import MissingValue, UnsafeAccess

        if isinstance(error, PMLError):
            return error
        if isinstance(error, MissingValue):
            return self._undefined(error, scope)
        if isinstance(error, UnsafeAccess):
            start, end = self._site_span(error.site, error.name, error.arrow)
            message = f"unsafe attribute access `{error.name}` in expression `{self.shown}`"
            return render_error(message, self._sub_span(start, end), UNSAFE_HINT)
        if isinstance(error, SecurityError):
            return render_error(f"unsafe attribute access in expression `{self.shown}`: {error}",
                                self.span, UNSAFE_HINT)
        if isinstance(error, UndefinedError):
            return _undefined_error(f"error in expression `{self.shown}`: {error.message}", self.span, None)
        message = str(error) or type(error).__name__
        return render_error(f"error in expression `{self.shown}`: {message}", self.span)

    def _undefined(self, error: MissingValue, scope: Mapping[str, Any]) -> PMLUndefinedError:
        from jinja2.utils import missing

        from .convert import kind

        name, owner = error.name, error.owner
        if owner is missing:
            if name is None:
                detail = error.message or "undefined value"
                return _undefined_error(f"error in expression `{self.shown}`: {detail}", self.span, None)
            keys = list(dict.fromkeys([*error.bound, *(key for key in scope if isinstance(key, str))]))
            names = suggest(str(name), keys) or _listing("defined names", keys, "the context defines no variables")
            start, end = self._name_site(str(name), error.arrow)
            return _undefined_error(f"undefined variable `{name}`", self._sub_span(start, end), names)
        start, end = self._site_span(error.site, name, error.arrow)
        parent = error.site[2] if error.site is not None and (start, end) != self._fallback(error.arrow) else ""
        subject = f"`{parent}`" if parent else f"this {kind(owner)}"
        hint: str | None
        if owner is None:
            message, hint = f"{subject} is null, so it has no attribute `{name}`", None
        elif isinstance(name, int) and isinstance(owner, (list, tuple, str)):
            message, hint = f"{subject} has no index {name} (its length is {len(owner)})", None
        else:
            message, hint = f"{subject} has no attribute `{name}`", _member_hint(str(name), owner)
        return _undefined_error(message, self._sub_span(start, end), hint)

    def _own_arrow(self, arrow: tuple[Any, int] | None) -> ArrowSite | None:
        """This expression's arrow function whose body raised, if one of them did."""
        if arrow is None or arrow[0] is not self._arrows:
            return None
        return self._arrows[arrow[1]]

    def _fallback(self, arrow: tuple[Any, int] | None) -> tuple[int, int]:
        site = self._own_arrow(arrow)
        return (0, len(self.code)) if site is None else (site.start, site.end)

    def _site_span(self, site: tuple[int, int, str, int] | None, name: Any,
                   arrow: tuple[Any, int] | None) -> tuple[int, int]:
        """Where a member was read, in this expression's code."""
        if site is None or (arrow is not None and arrow[0] is not self._arrows):
            return self._fallback(arrow)
        start, end, _, unit = site
        if unit >= 0:
            if unit >= len(self._arrows):
                return self._fallback(arrow)
            origin = self._arrows[unit].body_start
            start, end = start + origin, end + origin
        written = self.code[start:end]
        if isinstance(name, str) and written not in (name, f"'{name}'", f'"{name}"') and name not in written:
            return self._fallback(arrow)
        return start, end

    def _name_site(self, name: str, arrow: tuple[Any, int] | None) -> tuple[int, int]:
        """Where variable `name` is read: in the arrow function's body that raised, if any."""
        if arrow is not None and arrow[0] is not self._arrows:
            return 0, len(self.code)
        unit = arrow[1] if arrow is not None else -1
        for site_name, start, end, site_unit in self._name_sites:
            if site_name == name and site_unit == unit:
                return start, end
        for site_name, start, end, _ in self._name_sites:
            if site_name == name:
                return start, end
        return self._fallback(arrow)

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


def _global(name: str) -> Any:
    """The value of a built-in global (`Math`, `JSON`, …) a plain name reads; raises `MissingValue`
    when there is none (the context has no such variable either)."""
    from jinja2.utils import missing

    from .sandbox import GLOBAL_VALUES
    from .undefined import MissingValue

    value = GLOBAL_VALUES.get(name, _NOT_FOUND)
    if value is _NOT_FOUND:
        raise MissingValue(missing, name) from None
    return value


def _truth(value: Any) -> bool:
    """Whether a condition's value is true: a lazy sequence (`items | select('odd')`) when it selects
    something, `undefined` never."""
    from .data import LAZY, settle
    from .undefined import JSUndefined

    if isinstance(value, LAZY):
        value = settle(value)
    return False if isinstance(value, JSUndefined) else bool(value)


def _restored(code: str, span: Span, condition: bool) -> Expression:
    """An expression unpickled: compiled again from its code (it compiled when it was pickled)."""
    expression = Expression.__new__(Expression)
    try:
        prepared = _prepare(code, limits.current().max_expression_depth)
    except (TranslateError, RecursionError):
        raise syntax_error(f"invalid expression `{_shown(code)}`: it does not compile under the limits in force",
                           span, "load the program with the limits it was compiled with") from None
    expression._set(code, span, condition, prepared)
    return expression


def _shown(code: str) -> str:
    """An expression as a message quotes it: on one line, cut in the middle when it is long."""
    return clip(" ".join(code.split()))


def _undefined_error(message: str, span: Span, hint: str | None) -> PMLUndefinedError:
    return PMLUndefinedError(diagnostic(message, span, hint, code="render"))


def _listing(label: str, names: list[str], empty: str) -> str:
    if not names:
        return empty
    shown = ", ".join(f"`{name}`" for name in names[:5])
    more = f" (and {len(names) - 5} more)" if len(names) > 5 else ""
    return f"{label}: {shown}{more}"


def _member_hint(name: str, owner: Any) -> str | None:
    from .lists import LIST_METHODS
    from .strings import STRING_METHODS

    if isinstance(owner, Mapping):
        keys = [key for key in owner if isinstance(key, str)]
        return suggest(name, keys) or _listing("its keys", keys, "it is an empty object")
    if isinstance(owner, str):
        if name in ("format", "format_map"):
            return "`str.format` is not available: use `~` or the `format` filter"
        return suggest(name, [*STRING_METHODS, "length"])
    if isinstance(owner, (list, tuple)):
        return suggest(name, [*LIST_METHODS, "length"])
    return None


def compile_expression(code: str, span: Span, *, condition: bool = False) -> Expression:
    """Compile `code` (the text between `{{` and `}}`, or an `if=`/`value=` attribute) once.

    Raises `PMLSyntaxError` pointing at `span` when the code is not a valid expression.
    `condition=True` compiles an `if=` condition (see the module docstring).
    """
    if not code.strip():
        raise syntax_error("empty expression", span, "write a variable name or a value, e.g. `{{ name }}`")
    return Expression(code, span, condition=condition)


_FOR = re.compile(r"\s*([^\W\d]\w*)\s+in\s+(\S.*?)\s*", re.DOTALL)
_FOR_OF = re.compile(r"\s*([^\W\d]\w*)\s+of\s+(\S.*?)\s*", re.DOTALL)


def parse_for(text: str, span: Span) -> tuple[str, Expression]:
    """Split a `for=` value: `"item in items"` → `("item", Expression("items"))`."""
    match = _FOR.fullmatch(text)
    if match is None or match.group(1) in _KEYWORDS:
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
