"""From the parse tree of `grammar/expr.lark` to Jinja nodes.

Jinja's own nodes are used wherever Jinja has the form (`Add`, `CondExpr`, `Filter`, `Test`,
`Call`, `List`, `Dict`, …); the JavaScript forms become calls of the sandbox's helpers (see
`pml.expressions.codegen`). Each rule of the grammar has one method here, found through the
`_RULES` registry. Along the way the translator records what error messages need: the free
variable names, where each name and arrow function is written, and, baked into the code of
each member access, where it is and the text of what it is read from.

Arrow bodies are compiled as their own templates, cached by their text
(`pml.expressions.arrows.arrow_code`); `translate_body` re-translates one from its text alone
and gives the same nodes, because positions inside a body count from the body's start.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import regex
from jinja2 import nodes
from lark import Token, Tree

from pml.errors import suggest

from .arrows import ArrowSite, arrow_code
from .codegen import helper, helper_name
from .convert import bound_int
from .jsregex import cached
from .syntax import ARROW_HINT, TranslateError, parse

UNSAFE_HINT = "expressions cannot reach names starting with `_` or Python internals"
_PARAMS_HINT = ("write `x => …`, `(a, b) => …` or `([key, value]) => …`; "
                "default values and `...rest` are not supported")
_BUILDERS = (nodes.List, nodes.Dict, nodes.Tuple, nodes.Filter, nodes.Call)
_COMPARISONS = {"==": "eq", "!=": "ne", "<": "lt", ">": "gt", "<=": "lteq", ">=": "gteq", "in": "in",
                "notin": "notin"}
_BINARY = {"add": nodes.Add, "sub": nodes.Sub, "mul": nodes.Mul, "div": nodes.Div,
           "floordiv": nodes.FloorDiv, "mod": nodes.Mod, "pow": nodes.Pow}
_POSTFIX = frozenset(["attr", "opt_attr", "item", "opt_item", "call", "opt_call"])
_ESCAPE = re.compile(r"\\(u\{[0-9a-fA-F]{1,6}\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|\r\n|.)", re.DOTALL)
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0",
                   "\n": "", "\r\n": "", "\u2028": "", "\u2029": ""}


_Arguments = tuple[list[nodes.Expr], list[nodes.Keyword], nodes.Expr | None, nodes.Expr | None]


@dataclass(frozen=True, slots=True)
class Translation:
    """An expression's Jinja tree, and what error messages need to know about its code."""

    tree: nodes.Expr
    names: frozenset[str]  # free variable names (built-in globals included)
    name_sites: tuple[tuple[str, int, int, int], ...]  # (name, start, end, arrow index or -1)
    arrows: tuple[ArrowSite, ...]
    verify: bool  # the value may be a list or object the expression built


def translate(code: str) -> Translation:
    """Parse and translate `code`; raises `TranslateError`."""
    translator = _Translator(code, base=0, unit=-1)
    tree = translator.expr(parse(code))
    return Translation(tree, frozenset(translator.free), tuple(translator.name_sites),
                       tuple(translator.arrows), builds(tree))


def translate_body(body: str, base: int) -> tuple[nodes.Expr, bool]:
    """The Jinja tree of an arrow function's body, from its text alone."""
    tree = _Translator(body, base=base, unit=base - 1).expr(parse(body))
    return tree, builds(tree)


def builds(tree: nodes.Node) -> bool:
    """Whether evaluating `tree` may build a list or object (or call something that does)."""
    return isinstance(tree, _BUILDERS) or any(True for _ in tree.find_all(_BUILDERS))


@dataclass(slots=True)
class _Unit:
    index: int  # arrow index, or -1 for the expression itself
    origin: int  # where its positions count from
    bound: frozenset[str]


class _Translator:
    def __init__(self, code: str, base: int, unit: int) -> None:
        self.code = code
        self.base = base
        self.shift = 0  # added to positions of a template literal's parts
        self.units = [_Unit(unit, 0, frozenset())]
        self.arrows: list[ArrowSite] = []
        self.free: set[str] = set()
        self.name_sites: list[tuple[str, int, int, int]] = []

    # -- helpers

    def span(self, item: Tree | Token) -> tuple[int, int]:
        if isinstance(item, Token):
            return (item.start_pos or 0) + self.shift, (item.end_pos or 0) + self.shift
        return item.meta.start_pos + self.shift, item.meta.end_pos + self.shift

    def site(self, start: int, end: int, parent: str) -> tuple[int, int, str, int]:
        unit = self.units[-1]
        return start - unit.origin, end - unit.origin, parent, unit.index

    def expr(self, tree: Tree | Token) -> nodes.Expr:
        if isinstance(tree, Token):  # pragma: no cover - every token is wrapped in a rule
            raise TranslateError(f"unexpected `{tree}`")
        rule = _RULES.get(tree.data)
        if rule is None:
            raise TranslateError(f"unexpected {tree.data}")
        return rule(self, tree)

    def reserved(self, name: str) -> str:
        if name.startswith("__"):
            raise TranslateError(f"names starting with `__` are reserved (`{name}`)", UNSAFE_HINT)
        return name

    # -- atoms

    def name(self, tree: Tree) -> nodes.Expr:
        token = tree.children[0]
        name = self.reserved(str(token))
        start, end = self.span(token)
        self.name_sites.append((name, start, end, self.units[-1].index))
        if not any(name in unit.bound for unit in self.units):
            self.free.add(name)
        if name == "self":  # Jinja would give its template reference
            return helper("name", constants=(name,), pass_context=True)
        return nodes.Name(name, "load", lineno=1)

    def number(self, tree: Tree) -> nodes.Expr:
        return _constant(_number(str(tree.children[0])))

    def string(self, tree: Tree) -> nodes.Expr:
        """A string literal; adjacent literals join, as in Jinja (`'a' "b"`)."""
        return nodes.Const("".join(_unescape(str(token)[1:-1]) for token in tree.children), lineno=1)

    def template(self, tree: Tree) -> nodes.Expr:
        token = tree.children[0]
        assert isinstance(token, Token)
        parts: list[nodes.Expr] = []
        for text, start in _template_parts(str(token)):
            if start < 0:
                parts.append(nodes.Const(_unescape(text), lineno=1))
                continue
            shift = self.shift
            self.shift = shift + int(token.start_pos or 0) + start
            try:
                parts.append(self.expr(parse(text)))
            finally:
                self.shift = shift
        if len(parts) == 1 and isinstance(parts[0], nodes.Const):
            return parts[0]
        return helper("concat", *parts)

    def regex(self, tree: Tree) -> nodes.Expr:
        literal = str(tree.children[0])
        closing = literal.rindex("/")
        source, flags = literal[1:closing], literal[closing + 1 :]
        try:
            cached(source, flags)
        except (ValueError, regex.error) as error:
            raise TranslateError(f"invalid regular expression `{literal}`: {error}",
                                 "write a JavaScript regular expression such as `/^- /gm`") from None
        return helper("regex", constants=(source, flags))

    def true(self, tree: Tree) -> nodes.Expr:
        return nodes.Const(True, lineno=1)

    def false(self, tree: Tree) -> nodes.Expr:
        return nodes.Const(False, lineno=1)

    def null(self, tree: Tree) -> nodes.Expr:
        return nodes.Const(None, lineno=1)

    def undefined(self, tree: Tree) -> nodes.Expr:
        return helper("undefined")

    def array(self, tree: Tree) -> nodes.Expr:
        return nodes.List([self.expr(item) for item in _present(tree.children)], lineno=1)

    def mapping(self, tree: Tree) -> nodes.Expr:
        pairs = []
        for pair in _present(tree.children):
            if pair.data == "shorthand":
                name = self.reserved(str(pair.children[0]))
                pairs.append(nodes.Pair(nodes.Const(name), self.name(Tree("name", [pair.children[0]])), lineno=1))
            elif pair.data == "computed":
                pairs.append(nodes.Pair(self.expr(pair.children[0]), self.expr(pair.children[1]), lineno=1))
            else:
                pairs.append(nodes.Pair(self.key(pair.children[0]), self.expr(pair.children[1]), lineno=1))
        return nodes.Dict(pairs, lineno=1)

    def key(self, tree: Tree) -> nodes.Expr:
        item = tree.children[0]
        if isinstance(item, Tree):
            return self.group(item)
        text = str(item)
        if item.type in ("NAME", "UNDEFINED", "NULL", "TRUE", "FALSE", "NONE"):
            return nodes.Const(text, lineno=1)  # `{a: 1}`: keys are names, as in JavaScript
        if item.type == "STRING":
            return nodes.Const(_unescape(text[1:-1]), lineno=1)
        return _constant(_number(text))

    def group(self, tree: Tree) -> nodes.Expr:
        items = _present(tree.children)
        for item in items:
            if item.data == "keyword":
                raise TranslateError("`name=value` is only for the arguments of a call or a filter",
                                     "compare with `==`, or write `f(name=value)`")
            if item.data in ("spread", "spread_keywords"):
                raise TranslateError("`...`, `*` and `**` are only for the arguments of a call")
        if len(items) == 1:
            return self.expr(items[0])
        return nodes.Tuple([self.expr(item) for item in items], "load", lineno=1)

    # -- member access, calls, indexes (one chain at a time, so that `?.` can skip its rest)

    def postfix(self, tree: Tree) -> nodes.Expr:
        links: list[Tree] = []
        node: Tree = tree
        while isinstance(node, Tree) and node.data in _POSTFIX:
            links.append(node)
            node = node.children[0]
        start = self.span(node)[0]
        result = self.expr(node)
        optional = False
        for link in reversed(links):
            if link.data.startswith("opt_"):
                result = helper("optional", result)
                optional = True
            operand = link.children[1]
            if link.data in ("attr", "opt_attr"):
                member = operand.children[0]
                key: Any = int(str(member).replace("_", ""), 0) if member.type == "INT" else str(member)
                member_start, member_end = self.span(member)
                site = self.site(member_start, member_end, self.parent(start, member_start))
                result = helper("attr", result, constants=(key, site))
            elif link.data in ("item", "opt_item"):
                result = self.subscript(result, operand, start)
            else:
                result = nodes.Call(result, *self.arguments(operand), lineno=1)
        return helper("chain", result, lazy=(True,)) if optional else result

    def parent(self, start: int, end: int) -> str:
        text = self.code[start:end].rstrip()
        while text and text[-1] in ".?[":
            text = text[:-1].rstrip()
        return " ".join(text.split())

    def subscript(self, result: nodes.Expr, operand: Tree, start: int) -> nodes.Expr:
        if isinstance(operand, Tree) and operand.data == "slice":
            bounds = [None if part is None else self.expr(part) for part in operand.children]
            bounds += [None] * (3 - len(bounds))
            return nodes.Getitem(result, nodes.Slice(*bounds, lineno=1), "load", lineno=1)
        key_start, key_end = self.span(operand)
        site = self.site(key_start, key_end, self.parent(start, key_start))
        return helper("item", result, self.expr(operand), constants=(site,))

    def arguments(self, tree: Tree | None) -> _Arguments:
        """A call's arguments: positional, `name=value`, one `...list` (or `*list`) and one `**object`."""
        args: list[nodes.Expr] = []
        kwargs: list[nodes.Keyword] = []
        spread: nodes.Expr | None = None
        spread_keywords: nodes.Expr | None = None
        for item in _present(tree.children if tree is not None else []):
            if item.data == "keyword":
                if spread_keywords is not None:
                    raise TranslateError("`name=value` arguments come before `**object`")
                name = self.reserved(str(item.children[0]))
                kwargs.append(nodes.Keyword(name, self.expr(item.children[1]), lineno=1))
            elif item.data == "spread":
                if spread is not None or kwargs or spread_keywords is not None:
                    raise TranslateError("a call takes one `...list`, after its positional arguments")
                spread = self.expr(item.children[0])
            elif item.data == "spread_keywords":
                if spread_keywords is not None:
                    raise TranslateError("a call takes one `**object`, after its other arguments")
                spread_keywords = self.expr(item.children[0])
            else:
                if kwargs or spread is not None or spread_keywords is not None:
                    raise TranslateError("positional arguments come before `name=value` and `...list`")
                args.append(self.expr(item))
        return args, kwargs, spread, spread_keywords

    # -- filters and tests

    def filter(self, tree: Tree) -> nodes.Expr:
        value, name_token, call = tree.children
        name = str(name_token)
        _known("filter", name)
        return nodes.Filter(self.expr(value), name, *self.arguments(call), lineno=1)

    def test(self, tree: Tree) -> nodes.Expr:
        value, negated, name_tree, argument = tree.children
        name = str(name_tree.children[0])
        name = "none" if name == "null" else name
        _known("test", name)
        arguments: _Arguments = ([], [], None, None)
        if argument is not None and argument.data == "test_value":
            arguments = ([self.expr(argument.children[0])], [], None, None)
        elif argument is not None:
            arguments = self.arguments(argument)
        node: nodes.Expr = nodes.Test(self.expr(value), name, *arguments, lineno=1)
        return nodes.Not(node, lineno=1) if negated is not None else node

    # -- operators

    def binary(self, tree: Tree) -> nodes.Expr:
        left, right = tree.children
        return _BINARY[tree.data](self.expr(left), self.expr(right), lineno=1)

    def logical(self, tree: Tree) -> nodes.Expr:
        left, _, right = tree.children
        kind = nodes.And if tree.data == "and_" else nodes.Or
        return kind(self.expr(left), self.expr(right), lineno=1)

    def negate(self, tree: Tree) -> nodes.Expr:
        return nodes.Not(self.expr(tree.children[0]), lineno=1)

    def neg(self, tree: Tree) -> nodes.Expr:
        return nodes.Neg(self.expr(tree.children[0]), lineno=1)

    def pos(self, tree: Tree) -> nodes.Expr:
        return nodes.Pos(self.expr(tree.children[0]), lineno=1)

    def typeof(self, tree: Tree) -> nodes.Expr:
        return helper("typeof", self.expr(tree.children[0]))

    def tilde(self, tree: Tree) -> nodes.Expr:
        left, right = (self.expr(child) for child in tree.children)
        if isinstance(left, nodes.Call) and helper_name(left) == "concat":
            return helper("concat", *left.args, right)
        return helper("concat", left, right)

    def nullish(self, tree: Tree) -> nodes.Expr:
        left, right = tree.children
        return helper("nullish", self.expr(left), self.expr(right), lazy=(False, True))

    def compare(self, tree: Tree) -> nodes.Expr:
        children = tree.children
        result = self.expr(children[0])
        ops: list[nodes.Operand] = []
        for index in range(1, len(children), 2):
            operator = "".join(str(token) for token in children[index].children)
            right = self.expr(children[index + 1])
            if operator in ("===", "!=="):
                if ops:
                    result, ops = nodes.Compare(result, ops, lineno=1), []
                result = helper("same" if operator == "===" else "not_same", result, right)
            else:  # Jinja's comparisons chain (`1 < n <= 3`); `===` and `!==` do not, as in JavaScript
                ops.append(nodes.Operand(_COMPARISONS[operator], right, lineno=1))
        return nodes.Compare(result, ops, lineno=1) if ops else result

    def js_if(self, tree: Tree) -> nodes.Expr:
        test, yes, no = (self.expr(child) for child in tree.children)
        return nodes.CondExpr(test, yes, no, lineno=1)

    def jinja_if(self, tree: Tree) -> nodes.Expr:
        yes, test = (self.expr(child) for child in tree.children)
        return nodes.CondExpr(test, yes, helper("undefined"), lineno=1)

    def jinja_if_else(self, tree: Tree) -> nodes.Expr:
        yes, test, no = (self.expr(child) for child in tree.children)
        return nodes.CondExpr(test, yes, no, lineno=1)

    def misplaced(self, tree: Tree) -> nodes.Expr:
        raise TranslateError("`name=value` and `...` are only for the arguments of a call")

    # -- arrow functions

    def arrow(self, tree: Tree) -> nodes.Expr:
        params, body = tree.children
        signature, names = self.params(params)
        if isinstance(body, Tree) and body.data == "object":
            raise TranslateError(
                "arrow functions with a `{ … }` body are not supported",
                "write the value after `=>`: `x => x.name`; "
                "to return an object, wrap it in parentheses: `x => ({name: x.name})`")
        start, end = self.span(tree)
        body_start = self.span(body)[0]
        index = self.base + len(self.arrows)
        position = len(self.arrows)
        self.arrows.append(ArrowSite(signature, names, "", start, body_start, end))
        self.units.append(_Unit(index, body_start, names))
        try:
            body_tree = self.expr(body)
        finally:
            self.units.pop()
        source = self.code[start:end]
        self.arrows[position] = ArrowSite(signature, names, source, start, body_start, end)
        body_text = self.code[body_start:end]
        arrow_code(signature, body_text, index + 1, lambda: (body_tree, builds(body_tree)))
        return helper("arrow", constants=(index, signature, body_text, index + 1), pass_context=True)

    def params(self, tree: Tree | Token) -> tuple[str, frozenset[str]]:
        """`x` or `(a, [k, v], {name})` → the normalised signature and the names it binds."""
        names: list[str] = []

        def name_of(item: Any) -> str:
            if not isinstance(item, Tree) or item.data != "name":
                raise TranslateError("arrow function parameters must be names", _PARAMS_HINT)
            name = self.reserved(str(item.children[0]))
            if name == "self":
                raise TranslateError(f"`{name}` cannot be a parameter name", ARROW_HINT)
            if name in names:
                raise TranslateError(f"parameter `{name}` is declared twice", ARROW_HINT)
            names.append(name)
            return name

        if isinstance(tree, Token):
            return name_of(Tree("name", [tree])), frozenset(names)
        parts: list[str] = []
        for item in _present(tree.children):
            if item.data == "list":
                parts.append("[" + ",".join(name_of(part) for part in _present(item.children)) + "]")
            elif item.data == "object":
                fields = []
                for pair in _present(item.children):
                    if pair.data != "shorthand":
                        name_of(pair)  # raises: defaults and renaming are not supported
                    fields.append(name_of(Tree("name", [pair.children[0]])))
                parts.append("{" + ",".join(fields) + "}")
            else:
                parts.append(name_of(item))
        return ",".join(parts), frozenset(names)


def _arrow_rule(translator: _Translator, tree: Tree) -> nodes.Expr:
    return translator.arrow(tree)


_RULES: dict[str, Callable[[_Translator, Tree], nodes.Expr]] = {
    "name": _Translator.name, "number": _Translator.number, "string": _Translator.string,
    "template": _Translator.template, "regex": _Translator.regex, "true": _Translator.true,
    "false": _Translator.false, "null": _Translator.null, "undefined": _Translator.undefined,
    "list": _Translator.array, "object": _Translator.mapping, "group": _Translator.group,
    **{rule: _Translator.postfix for rule in _POSTFIX},
    "filter": _Translator.filter, "test": _Translator.test,
    **{rule: _Translator.binary for rule in _BINARY},
    "and_": _Translator.logical, "or_": _Translator.logical, "not_": _Translator.negate,
    "not_word": _Translator.negate, "neg": _Translator.neg, "pos": _Translator.pos,
    "typeof": _Translator.typeof, "tilde": _Translator.tilde, "nullish": _Translator.nullish,
    "compare": _Translator.compare, "js_if": _Translator.js_if, "jinja_if": _Translator.jinja_if,
    "jinja_if_else": _Translator.jinja_if_else, "arrow_name": _arrow_rule, "arrow_group": _arrow_rule,
    "keyword": _Translator.misplaced, "spread": _Translator.misplaced, "spread_keywords": _Translator.misplaced,
}


def _present(children: list[Any]) -> list[Any]:
    return [child for child in children if child is not None]


def _known(kind: str, name: str) -> None:
    from .sandbox import ENV

    known = ENV.filters if kind == "filter" else ENV.tests
    if name in known:
        return
    hint = suggest(name, known) or f"Jinja {kind}s include " + ", ".join(
        f"`{known_name}`" for known_name in sorted(known)[:8]) + ", …"
    raise TranslateError(f"unknown {kind} `{name}`", hint)


def _number(text: str) -> int | float:
    digits = text.replace("_", "")
    if digits[:2].lower() in ("0x", "0o", "0b"):
        return bound_int(int(digits, 0))
    if re.fullmatch(r"\d+", digits):
        return math.inf if len(digits) > 400 else bound_int(int(digits))
    return float(digits)


def _constant(value: int | float) -> nodes.Expr:
    if isinstance(value, float) and not math.isfinite(value):
        return helper("float", constants=(repr(value),))
    return nodes.Const(value, lineno=1)


def _unescape(text: str) -> str:
    """A JavaScript string literal's escapes: `\\n`, `\\t`, `\\xHH`, `\\uHHHH`, `\\u{H…}`, …;
    any other escaped character stands for itself."""
    if "\\" not in text:
        return text

    def one(match: re.Match[str]) -> str:
        escape = match.group(1)
        if escape in _SIMPLE_ESCAPES:
            return _SIMPLE_ESCAPES[escape]
        if escape[0] in "ux" and len(escape) > 1:
            code = int(escape.strip("ux{}"), 16)
            if code > 0x10FFFF:
                raise TranslateError(f"invalid escape `\\{escape}`")
            return chr(code)
        return escape

    result = _ESCAPE.sub(one, text)
    if any("\ud800" <= char <= "\udfff" for char in result):  # pairs join; lone halves are replaced
        result = result.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return result


def _template_parts(literal: str) -> list[tuple[str, int]]:
    """A template literal's parts: (text, -1) for text, (code, its offset in the literal) for `${…}`."""
    parts: list[tuple[str, int]] = []
    text: list[str] = []
    index, end = 1, len(literal) - 1
    while index < end:
        char = literal[index]
        if char == "\\":
            text.append(literal[index : index + 2])
            index += 2
        elif literal.startswith("${", index):
            close = _closing_brace(literal, index + 2)
            if text:
                parts.append(("".join(text), -1))
                text = []
            code = literal[index + 2 : close]
            if not code.strip():
                raise TranslateError("empty `${}` in a template literal")
            parts.append((code, index + 2))
            index = close + 1
        else:
            text.append(char)
            index += 1
    if text or not parts:
        parts.append(("".join(text), -1))
    return parts


def _closing_brace(literal: str, index: int) -> int:
    depth, quote = 0, ""
    while index < len(literal):
        char = literal[index]
        if quote:
            if char == "\\":
                index += 1
            elif char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "{":
            depth += 1
        elif char == "}":
            if depth == 0:
                return index
            depth -= 1
        index += 1
    raise TranslateError("unterminated `${` in a template literal")  # pragma: no cover - the lexer checks
