"""Arrow functions: `x => body`, `(a, b) => body`, `([key, value]) => body`, `({name}) => body`.

An arrow is written into the compiled code as a call of the sandbox's `pml_arrow` with its
index among the expression's arrows, its parameters (normalised: `x,i`, `[k,v]`, `{name,age}`)
and its body's source. The body is compiled once per process, as its own Jinja template, and
cached by that text (`arrow_code`). Calling an arrow evaluates its body with the variables
where it was written plus its parameters (missing arguments are `null`, extra ones ignored).
Each call counts against the evaluation's budget, and calls nested inside one another are
bounded by `max_expression_depth`.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from jinja2 import Undefined

from .budget import budgeted, check_items, current
from .convert import a_kind
from .data import LAZY, SCALARS, settle
from .functions import JSFunction
from .undefined import JSUndefined, MissingValue, UnsafeAccess, fail

Param = str | tuple[str, tuple[str, ...]]  # a name, or ("[" or "{", names) to destructure
_SIGNATURE_PART = re.compile(r"\[[^\]]*\]|\{[^}]*\}|[^,]+")
SITES_KEY = "__pml_arrows__"  # the evaluating expression's `ArrowSite`s, for error spans


class ArrowSite(NamedTuple):
    """An arrow function as written: its parameters, its body, and where it is in the code."""

    signature: str  # the parameters, normalised: `x,i`, `[k,v]`, `{name,age},i`
    names: frozenset[str]  # the names the parameters bind
    source: str  # the arrow function as written
    start: int  # where the parameters start in the code,
    body_start: int  # where the body starts
    end: int  # and where it ends


@dataclass(frozen=True, slots=True)
class ArrowCode:
    params: tuple[Param, ...]
    names: tuple[str, ...]
    render: Callable[[Any], Iterator[str]]
    simple: bool  # no destructuring: `names` are the parameters
    verify: bool  # the body builds lists or objects, or calls functions


def parse_signature(signature: str) -> tuple[tuple[Param, ...], tuple[str, ...]]:
    params = tuple(_param(part) for part in _SIGNATURE_PART.findall(signature))
    names = tuple(name for param in params for name in ((param,) if isinstance(param, str) else param[1]))
    return params, names


def _param(text: str) -> Param:
    if text[0] in "[{":
        return text[0], tuple(name for name in text[1:-1].split(",") if name)
    return text


_CACHE: OrderedDict[tuple[str, str, int], ArrowCode] = OrderedDict()
_CACHE_SIZE = 4096
statistics = {"compiled": 0}


def arrow_code(signature: str, body: str, base: int, build: Callable[[], tuple[Any, bool]] | None = None) -> ArrowCode:
    """The compiled body of an arrow, once per process per (parameters, body, index of its first
    inner arrow). `build` gives the body's Jinja tree when the caller already has it."""
    key = (signature, body, base)
    code = _CACHE.get(key)
    if code is not None:
        _CACHE.move_to_end(key)
        return code
    from .codegen import compile_tree
    from .sandbox import ENV
    from .translate import translate_body

    tree, verify = build() if build is not None else translate_body(body, base)
    params, names = parse_signature(signature)
    code = ArrowCode(params, names, compile_tree(ENV, tree), all(isinstance(p, str) for p in params), verify)
    statistics["compiled"] += 1
    _CACHE[key] = code
    if len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return code


def make_arrow(environment: Any, context: Any, site: int, signature: str, body: str, base: int) -> Arrow:
    variables = context.get_all()
    return Arrow(environment, variables, variables.get(SITES_KEY), site, arrow_code(signature, body, base))


class Arrow(JSFunction):
    """An arrow function: evaluates its body with the variables where it was written, with
    its parameters bound to the arguments (missing ones are `null`, extra ones are ignored)."""

    __slots__ = ("_code", "_environment", "_site", "_sites", "_variables")

    def __init__(self, environment: Any, variables: Mapping[str, Any], sites: tuple[ArrowSite, ...] | None,
                 site: int, code: ArrowCode) -> None:
        self._environment = environment
        self._variables = variables
        self._sites = sites
        self._site = site
        self._code = code

    def __call__(self, *args: Any) -> Any:
        budget = current()
        if budget is None:  # called directly, not from an evaluation that has a budget
            with budgeted():
                return self(*args)
        budget.call()
        budget.enter()
        try:
            return self._run(args)
        finally:
            budget.leave()

    def _run(self, args: tuple[Any, ...]) -> Any:
        code = self._code
        environment = self._environment
        context = environment.context_class(environment, self._variables, None, {})
        bindings = context.vars
        try:
            missing_count = len(code.params) - len(args)
            if missing_count > 0:
                args += (None,) * missing_count
            if code.simple:
                bindings.update(zip(code.names, args, strict=False))
            else:
                for param, value in zip(code.params, args, strict=False):
                    _bind(environment, bindings, param, value)
            for _ in code.render(context):
                pass
            result = bindings["result"]
            if type(result) in SCALARS:
                return result
            if isinstance(result, Undefined):
                if not isinstance(result, JSUndefined):
                    fail(result)  # a missing variable: reported here, with the parameters in scope
                return result  # an arrow may return undefined; using it is what fails
            if isinstance(result, LAZY):
                result = list(result)
                check_items(len(result))
                return settle(result)
            return settle(result, walk=code.verify)
        except (MissingValue, UnsafeAccess) as error:
            if error.arrow is None:
                error.arrow = (self._sites, self._site)
            if isinstance(error, MissingValue):
                error.bound += code.names
            raise

    def __str__(self) -> str:
        return "[function]" if self._sites is None else self._sites[self._site].source

    __repr__ = __str__


def _bind(environment: Any, bindings: dict[str, Any], param: Param, value: Any) -> None:
    if isinstance(param, str):
        bindings[param] = value
        return
    form, names = param
    if form == "{":
        for name in names:
            bound = environment.getattr(value, name)
            if isinstance(bound, Undefined):
                fail(bound)
            bindings[name] = bound
        return
    if not isinstance(value, (list, tuple, str)):
        raise TypeError(f"cannot unpack {a_kind(value)} into `[{', '.join(names)}]`")
    for index, name in enumerate(names):
        bindings[name] = value[index] if index < len(value) else None
