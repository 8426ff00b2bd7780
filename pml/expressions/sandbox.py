"""The sandbox every expression runs in: Jinja's immutable sandbox, with JavaScript members,
JavaScript operators and undefined values, bounded operators and no `_` names.

* `obj.name`: a dict key, then a JavaScript member (`length`, the methods of
  `pml.expressions.strings` and `pml.expressions.lists`, a namespace's members), then an
  allowlisted read-only Python method; names starting with `_` are refused (`UnsafeAccess`).
  What is not there is `JSUndefined`, located where it was read.
* `+` concatenates as JavaScript does when a string is on either side; `+`, `*`, `**` and `%`
  check the sizes of what they build, and integer results stay within a double's range.
* `pml_*` methods are what the code generator's `Helper` nodes call: `??`, `?.`, `===`,
  `typeof`, `~` and template literals, regular expression literals, arrow functions.

Functions reachable from expressions are `JSFunction`s (see `pml.expressions.functions`);
Jinja's `lipsum`, `cycler`, `joiner` and `namespace` are removed; `self` is an ordinary
(undefined) name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from jinja2 import Undefined
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import missing

from pml.values import to_text

from .budget import check_items, check_text
from .codegen import Generator
from .convert import bound_int, power, text_of
from .filters import check_format, guard
from .functions import JSFunction, Method, Namespace, native
from .jsglobals import GLOBALS
from .jsregex import JSRegExp, cached
from .lists import LIST_METHODS, PYTHON_DICT_METHODS, PYTHON_LIST_METHODS
from .strings import PYTHON_STRING_METHODS, STRING_METHODS, python_join
from .strings import Method as MethodFunction
from .undefined import UNDEFINED, JSUndefined, MissingName, Site, UnsafeAccess, fail, is_nullish

_NOT_FOUND: Any = object()


class ShortCircuit(Exception):
    """`a?.b` where `a` is null or undefined: the rest of the chain is skipped."""


class _Context(Context):
    """Jinja's context, giving Python callables from the scope as function values."""

    def resolve_or_missing(self, key: str) -> Any:
        value = super().resolve_or_missing(key)
        if callable(value) and not isinstance(value, (JSFunction, Undefined, type)):
            return native(value)
        return value


class Sandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox with JavaScript members, operators and undefined values."""

    code_generator_class = Generator
    context_class = _Context
    intercepted_binops = frozenset(["+", "-", "*", "**", "%"])

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        """`+`, `-`, `*`, `**` and `%` with JavaScript concatenation and size limits."""
        return _BINOPS[operator](left, right)

    # -- members

    def getattr(self, obj: Any, attribute: str) -> Any:
        """`obj.attribute` (also what Jinja's filters use)."""
        return self.pml_attr(obj, attribute, None)

    def getitem(self, obj: Any, argument: Any) -> Any:
        """`obj[argument]` (also what Jinja's filters use)."""
        return self.pml_item(obj, argument, None)

    def pml_attr(self, obj: Any, name: str, site: Site | None) -> Any:
        """`obj.name`: a dict key, then a JavaScript member, then an allowed attribute."""
        if isinstance(obj, Undefined):
            fail(obj)
        if not isinstance(name, str):
            return self.pml_item(obj, name, site)
        if name.startswith("_"):
            raise UnsafeAccess(name, site)
        value = self._member(obj, name)
        if value is _NOT_FOUND:
            return JSUndefined(obj, name, site)
        if callable(value) and not isinstance(value, (JSFunction, Undefined, type)):
            return native(value)
        return value

    def pml_item(self, obj: Any, key: Any, site: Site | None) -> Any:
        """`obj[key]`: keys and indexes; a string that is not a key is read as a member."""
        if isinstance(obj, Undefined):
            fail(obj)
        if isinstance(key, Undefined):
            fail(key)
        if isinstance(key, str):
            if isinstance(obj, Mapping) and key in obj:
                value = obj[key]
                if callable(value) and not isinstance(value, (JSFunction, Undefined, type)):
                    return native(value)
                return value
            return self.pml_attr(obj, key, site)
        if isinstance(key, float) and key.is_integer():
            key = int(key)
        try:
            value = obj[key]
        except (TypeError, LookupError):
            return JSUndefined(obj, key, site)
        if callable(value) and not isinstance(value, (JSFunction, Undefined, type)):
            return native(value)
        return value

    def _member(self, obj: Any, name: str) -> Any:
        if isinstance(obj, str):
            return _bound(obj, name, STRING_METHODS, PYTHON_STRING_METHODS)
        if isinstance(obj, Mapping):
            if name in obj:
                return obj[name]
            if name == "length":
                return len(obj)
            return getattr(obj, name) if name in PYTHON_DICT_METHODS else _NOT_FOUND
        if isinstance(obj, (list, tuple)):
            return _bound(obj, name, LIST_METHODS, PYTHON_LIST_METHODS)
        if isinstance(obj, Namespace):
            return obj.member(name, _NOT_FOUND)
        if obj is None:
            return _NOT_FOUND
        value = super().getattr(obj, name)
        return _NOT_FOUND if type(value) is MissingName and value._undefined_hint is None else value

    # -- helpers the code generator calls

    def pml_name(self, context: Any, name: str) -> Any:
        """A variable Jinja would treat specially (`self`): looked up as any other."""
        value = context.resolve_or_missing(name)
        return MissingName(name=name) if value is missing else value

    def pml_optional(self, value: Any) -> Any:
        """The object of `value?.…`: skips the rest of the chain when it is null or undefined."""
        if is_nullish(value):
            raise ShortCircuit
        return value

    def pml_chain(self, chain: Callable[[], Any]) -> Any:
        """A chain with `?.` in it: `undefined` when one of them skipped the rest."""
        try:
            return chain()
        except ShortCircuit:
            return UNDEFINED

    def pml_nullish(self, left: Any, right: Callable[[], Any]) -> Any:
        """`left ?? right`."""
        return right() if is_nullish(left) else left

    def pml_same(self, left: Any, right: Any) -> bool:
        """`left === right`: no conversions; `null` and `undefined` differ."""
        return strict_equals(left, right)

    def pml_not_same(self, left: Any, right: Any) -> bool:
        """`left !== right`."""
        return not strict_equals(left, right)

    def pml_typeof(self, value: Any) -> str:
        """`typeof value`: `undefined` (also for a missing variable), `object` (also `null`), `boolean`,
        `number`, `string` or `function`. These are JavaScript's answers, a language value a template
        may compare with, not the kinds error messages name (`pml.values.kind_of`): lists, `null`,
        regular expressions and `Math` are all `object` here."""
        if isinstance(value, Undefined):
            return "undefined"
        if isinstance(value, bool):
            return "boolean"
        if isinstance(value, (int, float)):
            return "number"
        if isinstance(value, str):
            return "string"
        if callable(value) and not isinstance(value, type):
            return "function"
        return "object"

    def pml_concat(self, *parts: Any) -> str:
        """`a ~ b` and template literals: each part written as PML writes values."""
        texts = [part if type(part) is str else text_of(part) for part in parts]
        check_text(sum(map(len, texts)))
        return "".join(texts)

    def pml_regex(self, source: str, flags: str) -> JSRegExp:
        """A regular expression literal (validated and compiled when the expression was)."""
        return cached(source, flags)

    def pml_undefined(self) -> Any:
        """The literal `undefined`."""
        return UNDEFINED

    def pml_float(self, text: str) -> float:
        """A number literal Python cannot write as one (`Infinity`, `NaN`)."""
        return float(text)

    def pml_arrow(self, context: Any, site: int, signature: str, body: str, base: int) -> Any:
        """An arrow function, closing over the variables of `context`."""
        from .arrows import make_arrow

        return make_arrow(self, context, site, signature, body, base)


def strict_equals(left: Any, right: Any) -> bool:
    """JavaScript's `===`."""
    if isinstance(left, MissingName):
        fail(left)
    if isinstance(right, MissingName):
        fail(right)
    left_undefined, right_undefined = isinstance(left, Undefined), isinstance(right, Undefined)
    if left_undefined or right_undefined:
        return left_undefined and right_undefined
    if isinstance(left, bool) is not isinstance(right, bool):
        return False
    if isinstance(left, (list, tuple, Mapping)) or isinstance(right, (list, tuple, Mapping)):
        return left is right  # objects are equal only to themselves
    return bool(left == right)


def _bound(obj: Any, name: str, methods: dict[str, MethodFunction], python: frozenset[str]) -> Any:
    if name == "length":
        return len(obj)
    method = methods.get(name)
    if method is not None:
        return Method(method, obj, name)
    if name == "join" and isinstance(obj, str):
        return Method(python_join, obj, "join")
    return native(getattr(obj, name), name) if name in python else _NOT_FOUND


def _plus(left: Any, right: Any) -> Any:
    if isinstance(left, str) or isinstance(right, str):
        left = left if type(left) is str else text_of(left)
        right = right if type(right) is str else text_of(right)
        check_text(len(left) + len(right))
        return left + right
    if isinstance(left, (list, tuple)) and isinstance(right, (list, tuple)):
        check_items(len(left) + len(right))
    return bound_int(left + right)


def _minus(left: Any, right: Any) -> Any:
    return bound_int(left - right)


def _times(left: Any, right: Any) -> Any:
    for sized, count in ((left, right), (right, left)):
        if isinstance(sized, (str, list, tuple)) and isinstance(count, int):
            size = len(sized) * count
            check_text(size) if isinstance(sized, str) else check_items(size)
    return bound_int(left * right)


def _modulo(left: Any, right: Any) -> Any:
    if isinstance(left, str):
        widths = check_format(left)
        values = right if isinstance(right, tuple) else (right,)
        check_text(len(left) + widths + sum(len(to_text(value)) if isinstance(value, str) else 32
                                            for value in values))
    return left % right


_BINOPS: dict[str, Callable[[Any, Any], Any]] = {
    "+": _plus, "-": _minus, "*": _times, "**": power, "%": _modulo,
}


def _dict(*args: Any, **kwargs: Any) -> dict[Any, Any]:
    return dict(*args, **kwargs)


def make_environment() -> Sandbox:
    """The one sandbox every expression runs in."""
    # No constant folding: it would run sandboxed code (and raise its errors) at compile time.
    environment = Sandbox(undefined=MissingName, autoescape=False, optimized=False)
    for name in ("lipsum", "cycler", "joiner", "namespace"):
        environment.globals.pop(name, None)
    environment.globals["range"] = native(environment.globals["range"], "range")
    environment.globals["dict"] = native(_dict, "dict")  # the `dict` type would reach `dict.update(data)`
    environment.globals.update({name: native(value, name) if callable(value) else value
                                for name, value in GLOBALS.items()})
    guard(environment.filters)
    return environment


ENV = make_environment()
GLOBAL_VALUES: dict[str, Any] = dict(ENV.globals)
BUILTIN_NAMES: frozenset[str] = frozenset(GLOBAL_VALUES)
"""Names every expression can use without the context defining them (`pml.expressions.plain.BUILTIN_NAMES`
says the same before this module is loaded)."""
