"""Parsing expressions with `grammar/expr.lark`, and syntax errors a person can act on.

`parse(code)` returns the Lark tree. Nesting is bounded by `limits.max_expression_depth` twice,
before anything recursive looks at the tree: while the tokens are read (a lower bound of the
depth, so a 2,000-deep ternary or 5,000 `!` stop at the limit, in milliseconds), and on the
finished tree, measured without recursion (the LALR parser itself keeps an explicit stack).
Lark's own exceptions never escape: each becomes a `TranslateError` whose message names what
went wrong (an unclosed bracket, a `?` without `:`, an unterminated string or regular
expression, …).
"""

from __future__ import annotations

import hashlib
import json
import re
from contextvars import ContextVar
from functools import cache
from typing import Any

import lark
from lark import Lark, Token, Tree
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from pml import limits
from pml.resources import resource_path

from .plain import ARROW_HINT as ARROW_HINT
from .plain import SYNTAX_HINT as SYNTAX_HINT
from .plain import TranslateError as TranslateError


def grammar_text() -> str:
    """The text of `grammar/expr.lark`."""
    return resource_path("grammar", "expr.lark").read_text(encoding="utf-8")


def grammar_digest() -> str:
    """The SHA-256 of the grammar text: the shipped tables say which text they were built from."""
    return hashlib.sha256(grammar_text().encode("utf-8")).hexdigest()


def build_parser() -> Lark:
    """The LALR parser of `grammar/expr.lark`, built from the grammar (about 150 ms)."""
    return Lark(grammar_text(), parser="lalr", propagate_positions=True, maybe_placeholders=True,
                lexer_callbacks=dict.fromkeys(_WATCHED, _watch))


TABLES = ("grammar", "expr.tables.json")


@cache
def parser() -> Lark:
    """The LALR parser of `grammar/expr.lark`, once per process: loaded from its tables, built from
    the grammar ahead of time (`grammar/expr.tables.json`), in a few milliseconds; when they were
    built from another grammar text or by another Lark version, built from the grammar instead.
    `python tests/tools/expr_tables.py` writes the tables; `tests/test_expressions.py` checks that
    they are what the grammar builds."""
    tables = shipped_tables()
    if tables is None:
        return build_parser()
    data, memo = tables
    return Lark._load_from_dict(data, memo, lexer_callbacks=dict.fromkeys(_WATCHED, _watch))


def shipped_tables() -> tuple[dict[str, Any], dict[Any, Any]] | None:
    """The shipped tables (Lark's serialized parser and its memo), or None when they are missing or
    were built from another grammar text or by another Lark version."""
    try:
        shipped = json.loads(resource_path(*TABLES).read_text(encoding="utf-8"), object_hook=_decoded)
    except (OSError, ValueError):
        return None
    if shipped.get("grammar_sha256") != grammar_digest() or shipped.get("lark_version") != lark.__version__:
        return None
    return shipped["data"], shipped["memo"]


def _decoded(value: dict[str, Any]) -> Any:
    """The JSON form of the tables back to Lark's data: `{"__tuple__": [...]}` is a tuple,
    `{"__items__": [[key, value], ...]}` a dictionary whose keys are not all strings."""
    if len(value) == 1:
        if "__tuple__" in value:
            return tuple(value["__tuple__"])
        if "__items__" in value:
            return {key: item for key, item in value["__items__"]}
    return value


def parse(code: str) -> Tree:
    """The tree of `code`; raises `TranslateError`."""
    token = _NESTING.set(_Nesting(limits.current().max_expression_depth))
    try:
        tree = parser().parse(code)
    except UnexpectedInput as error:
        raise _explain(code, error) from None
    except LarkError as error:  # pragma: no cover - a grammar problem, not an input problem
        raise TranslateError(str(error)) from None
    finally:
        _NESTING.reset(token)
    if isinstance(tree, Token):  # a lone token is never the start symbol's tree, but be safe
        return Tree("expr", [tree])
    check_depth(tree)
    return tree


# Nesting is watched while tokens are read, so that a 2,000-deep ternary stops at its 65th `?`
# instead of after the whole text is parsed. What is counted is a lower bound of the parse
# tree's depth: open brackets, `?` and `=>` between two commas at one bracket level (each
# nests in the one before), runs of prefix operators (`!!!x`), and binary operators between
# two commas at one level divided by the number of precedence levels that nest (eight).

_OPEN = frozenset(["LPAR", "LSQB", "LBRACE"])
_CLOSE = frozenset(["RPAR", "RSQB", "RBRACE"])
_OPERANDS = frozenset(["NAME", "INT", "NUMBER", "STRING", "TEMPLATE", "REGEX", "TRUE", "FALSE", "NONE", "NULL",
                       "UNDEFINED", *_CLOSE])
_PREFIX = frozenset(["BANG", "TYPEOF", "NOT"])
_SIGNS = frozenset(["PLUS", "MINUS"])
_BINARY = frozenset(["STAR", "SLASH", "PERCENT", "FLOORDIV", "POW", "TILDE", "VBAR", "OR", "AND", "NULLISH",
                     "IS", *_SIGNS])
_NESTED = frozenset(["QMARK", "ARROW"])
_PRECEDENCE_LEVELS = 8
_WATCHED = frozenset([*_OPEN, *_OPERANDS, *_PREFIX, *_BINARY, *_NESTED, "COMMA", "COLON", "DOT", "OPTIONAL",
                      "EQUAL", "EQ", "NE", "STRICT_EQ", "STRICT_NE", "LESSTHAN", "MORETHAN", "LE", "GE", "IN",
                      "IF", "ELSE", "SPREAD"])  # Lark names "(" LPAR, "?" QMARK, "!" BANG, …


class _Nesting:
    __slots__ = ("levels", "limit", "operand", "run")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.levels: list[list[int]] = [[0, 0]]  # per open bracket: [nested `?`/`=>`, binary operators]
        self.run = 0  # prefix operators in a row
        self.operand = False  # whether the last token ends an operand

    def see(self, kind: str) -> None:
        operand, self.operand = self.operand, kind in _OPERANDS
        if kind in _PREFIX or (kind in _SIGNS and not operand):
            self.run += 1
        else:
            self.run = 0
            if kind in _OPEN:
                self.levels.append([0, 0])
            elif kind in _CLOSE:
                if len(self.levels) > 1:
                    self.levels.pop()
                return
            elif kind == "COMMA":
                self.levels[-1] = [0, 0]
                return
            elif kind in _NESTED:
                self.levels[-1][0] += 1
            elif kind in _BINARY:
                self.levels[-1][1] += 1
            else:
                return
        depth = self.run + sum(1 + nested + binary // _PRECEDENCE_LEVELS for nested, binary in self.levels)
        if depth > self.limit:
            raise _too_deep(self.limit)


_NESTING: ContextVar[_Nesting | None] = ContextVar("pml_expression_nesting", default=None)


def _watch(token: Token) -> Token:
    nesting = _NESTING.get()
    if nesting is not None:
        nesting.see(token.type)
    return token


def _too_deep(most: int) -> TranslateError:
    return TranslateError(f"the expression is nested more than {most} levels deep",
                          "split it into smaller expressions, e.g. with `<let>`; the limit is "
                          "`max_expression_depth`")


def check_depth(tree: Tree) -> None:
    """Refuse a tree nested deeper than `max_expression_depth`, without recursing."""
    most = limits.current().max_expression_depth
    stack: list[tuple[Tree, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > most:
            raise _too_deep(most)
        for child in node.children:
            if isinstance(child, Tree):
                stack.append((child, depth + 1))


# Explaining syntax errors. The simple tokenizer below only serves to look around the place
# where the parser stopped.

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
    |(?P<str>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
    |(?P<num>\d[\w.]*)
    |(?P<name>[^\W\d]\w*)
    |(?P<op>===|!==|=>|\?\.|\?\?|==|!=|<=|>=|&&|\|\||\*\*|//|\.\.\.|[-+*/%<>=!?:,.()\[\]{}|~&`])
    |(?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_PAIRS = {"(": ")", "[": "]", "{": "}"}
_KEYWORDS = frozenset(["null", "undefined", "true", "false", "none", "None", "True", "False", "and",
                       "or", "not", "in", "is", "if", "else", "typeof"])


def _tokens(code: str) -> list[tuple[str, str, int]]:
    """(kind, text, start) of each significant token; strings that never close end the list."""
    found: list[tuple[str, str, int]] = []
    position = 0
    while position < len(code):
        match = _TOKEN.match(code, position)
        assert match is not None and match.lastgroup is not None
        if match.lastgroup != "ws":
            found.append((match.lastgroup, match.group(), position))
        position = match.end()
    return found


def _brackets(tokens: list[tuple[str, str, int]]) -> TranslateError | None:
    stack: list[str] = []
    for kind, text, _ in tokens:
        if kind != "op":
            continue
        if text in _PAIRS:
            stack.append(text)
        elif text in ")]}":
            if not stack or _PAIRS[stack.pop()] != text:
                return TranslateError(f"unexpected `{text}`")
    if stack:
        return TranslateError(f"`{stack[-1]}` is never closed", f"add the missing `{_PAIRS[stack[-1]]}`")
    return None


def _explain(code: str, error: UnexpectedInput) -> TranslateError:
    position = error.pos_in_stream if error.pos_in_stream is not None else len(code)
    if isinstance(error, UnexpectedCharacters):
        char = code[position]
        if char in "'\"":
            return TranslateError("unterminated string literal", "close the string with a matching quote")
        if char == "`":
            return TranslateError("unterminated template literal",
                                  "close it with a backtick; `${ }` may not hold `}` or another template")
        if char == "/":
            if code.startswith("//", position):
                return TranslateError("empty regular expression `//`")
            return TranslateError("unterminated regular expression", "close the regular expression with `/`")
    tokens = _tokens(code)
    unbalanced = _brackets(tokens)
    if unbalanced is not None:
        return unbalanced
    if re.search(r"=>\s*\{", code):
        return TranslateError(
            "arrow functions with a `{ … }` body are not supported",
            "write the value after `=>`: `x => x.name`; "
            "to return an object, wrap it in parentheses: `x => ({name: x.name})`")
    if re.search(r"\bfunction\b\s*\w*\s*\([^)]*\)\s*\{", code):
        return TranslateError("`function` expressions are not supported", "write an arrow function: `x => x.name`")
    if isinstance(error, UnexpectedCharacters):
        return TranslateError(f"unexpected `{code[position]}`")
    assert isinstance(error, UnexpectedToken)
    token = error.token
    before = [text for _, text, start in tokens if start < position]
    previous = before[-1] if before else ""
    if token.type == "$END":
        if previous == "=>":
            return TranslateError("an arrow function needs a value after `=>`", ARROW_HINT)
        if before.count("?") > before.count(":"):
            return TranslateError("`?` without a matching `:`", "write `condition ? value : other`")
        return TranslateError("unexpected 'end of expression'")
    text = str(token)
    if text == "=>":
        if previous in _KEYWORDS:
            return TranslateError(f"`{previous}` cannot be a parameter name", ARROW_HINT)
        return TranslateError("unexpected `=>`", ARROW_HINT)
    if previous == "=>":
        return TranslateError("an arrow function needs a value after `=>`", ARROW_HINT)
    if text in ("?", ":") and "?" in [*before, text]:
        return TranslateError("`? :` needs a condition and a value on each side of `:`")
    if text == "/":
        if code.startswith("//", position):
            return TranslateError("empty regular expression `//`")
        return TranslateError("unterminated regular expression", "close the regular expression with `/`")
    if _complete(code[:position]):
        return TranslateError("unexpected text after the expression")
    return TranslateError(f"unexpected `{text}`")


def _complete(prefix: str) -> bool:
    """Whether `prefix` is a whole expression (so what follows it is extra text)."""
    if not prefix.strip():
        return False
    token = _NESTING.set(None)
    try:
        parser().parse(prefix)
    except (LarkError, TranslateError):
        return False
    finally:
        _NESTING.reset(token)
    return True
