"""Stylesheets: CSS syntax (`.pss`) and POML's JSON form, read into rules of declarations.

A stylesheet supplies default attribute values to the elements its selectors match::

    list { list-style: star; }                /* every <list> */
    cp list, .steps > item { caption-style: bold !important; }
    table { writer-options: {"csvHeader": false}; }

POML's JSON form means exactly the same as its CSS translation: the key `"cp list"` is the CSS
selector `cp list` (a descendant selector), and `{"list": {"listStyle": "star"}}` is
`list { list-style: star; }`.

Reading never raises. Every problem is a warning `Diagnostic` (code "style") with a span into the
real document, and the rest of the sheet still applies: a bad selector drops its rule, an unknown
property or an unreadable value drops its declaration, and a syntax error drops the text from the
error up to the end of the block it is in (the next `}`), as CSS does.

The grammar is `grammar/pss.lark`. Values are read by `read_value`: a quoted string is the
string, a number is an int or float, `true`/`false` are booleans, `null` is None, `{…}`/`[…]` is
JSON, and anything else is the text, with runs of whitespace and comments read as one space.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from lark import Lark, Token, Transformer, Tree, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from pml import files
from pml.errors import Diagnostic, PMLCompileError, compile_error, suggest
from pml.registry import REGISTRY, CoercionError
from pml.resources import resource_path
from pml.style.properties import property_info, property_names
from pml.style.selectors import (
    AttributeSelector,
    ClassSelector,
    Combinator,
    CompoundSelector,
    IdSelector,
    Selector,
    SimpleSelector,
    TypeSelector,
    UniversalSelector,
)
from pml.syntax.source import Source, Span, normalize_newlines

# Origins, lowest precedence first (see pml.style.cascade).
ORIGIN_DEFAULT = 0  # PML's built-in default stylesheet
ORIGIN_DOCUMENT = 1  # <style>/<stylesheet> in the document, and files it names
ORIGIN_CALLER = 2  # stylesheets passed by the caller (CLI, SDK)

@lru_cache(maxsize=1)
def _parser() -> Lark:
    """The stylesheet parser, built on first use (importing PML stays cheap)."""
    return Lark(
        resource_path("grammar", "pss.lark").read_text(encoding="utf-8"),
        parser="lalr",
        lexer="contextual",
        propagate_positions=True,
        maybe_placeholders=False,
        start=["stylesheet", "selector_list"],
    )


@dataclass(frozen=True, slots=True)
class Declaration:
    """`name: value [!important]`; `name` is the canonical camelCase property name."""

    name: str
    value: Any
    important: bool = False
    span: Span | None = field(default=None, compare=False, repr=False)

    def __str__(self) -> str:
        """The declaration in canonical CSS (`captionStyle: "bold" !important`)."""
        written = json.dumps(self.value, ensure_ascii=False)
        return f"{self.name}: {written}" + (" !important" if self.important else "")


@dataclass(frozen=True, slots=True)
class Rule:
    """One selector and its declarations. `order` is the rule's position in its sheet.

    A rule written with a selector list (`a, b { … }`) becomes one `Rule` per selector, each
    with its own specificity and the same `order`.
    """

    selector: Selector
    declarations: tuple[Declaration, ...]
    order: int
    span: Span | None = field(default=None, compare=False, repr=False)

    def __str__(self) -> str:
        """The rule in canonical CSS, which `parse_css` reads back to an equal rule."""
        body = "; ".join(str(declaration) for declaration in self.declarations)
        return f"{self.selector} {{ {body} }}" if body else f"{self.selector} {{ }}"


@dataclass(frozen=True, slots=True)
class Stylesheet:
    """The rules of one sheet, the warnings found reading it, and its cascade origin."""

    rules: tuple[Rule, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    origin: int = ORIGIN_DOCUMENT


# ---- Values ------------------------------------------------------------------------------------


class ValueSyntaxError(ValueError):
    """A `{…}`/`[…]` value is not JSON; `position` is the character offset of the problem."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'')
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_KEYWORDS: dict[str, Any] = {"true": True, "false": False, "null": None}
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r"}
_NOT_READ = object()


def _read_string(text: str) -> Any:
    return _unquote(text) if _STRING.fullmatch(text) else _NOT_READ


def _unquote(text: str) -> str:
    """The value of a quoted string. Double quotes take JSON's escapes; otherwise a backslash
    keeps the next character, except in `\\n`, `\\t` and `\\r`."""
    if text[0] == '"':
        try:
            value: str = json.loads(text)
            return value
        except json.JSONDecodeError:
            pass
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), text[1:-1])


def _read_keyword(text: str) -> Any:
    return _KEYWORDS.get(text.lower(), _NOT_READ)


def _read_number(text: str) -> Any:
    if not _NUMBER.fullmatch(text):
        return _NOT_READ
    if any(mark in text for mark in ".eE"):
        return float(text)
    return int(text)


def _read_json(text: str) -> Any:
    if not text.startswith(("{", "[")):
        return _NOT_READ
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueSyntaxError(error.msg, error.pos) from None


_VALUE_READERS: tuple[Callable[[str], Any], ...] = (
    _read_string, _read_keyword, _read_number, _read_json,
)


def read_value(text: str) -> Any:
    """A declaration's value from its written text (see the module docstring).

    Raises `ValueSyntaxError` when a value that starts with `{` or `[` is not JSON.
    """
    text = text.strip()
    for reader in _VALUE_READERS:
        value = reader(text)
        if value is not _NOT_READ:
            return value
    return text


# ---- Checks shared by the CSS and JSON readers -------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Place:
    """Turns offsets in the text being read into spans of the real document."""

    source: Source | None
    base: int = 0

    def span(self, start: int, end: int | None = None) -> Span | None:
        if self.source is None:
            return None
        end = start if end is None else end
        return self.source.span(self.base + start, self.base + end)


class _Reporter:
    """Collects the warnings of one stylesheet and checks names against the registries."""

    def __init__(self) -> None:
        self.diagnostics: list[Diagnostic] = []

    def warn(self, message: str, span: Span | None, hint: str | None = None) -> None:
        self.diagnostics.append(Diagnostic("warning", message, span, hint, "style"))

    def property_name(self, written: str, span: Span | None) -> str | None:
        """The canonical property name, or None (with a warning) if it can't be styled."""
        info = property_info(written)
        if info is None:
            kebab = "-" in written
            hint = suggest(written, property_names(kebab=kebab))
            self.warn(f"unknown property `{written}`; declaration ignored", span, hint)
            return None
        if not info.styleable:
            self.warn(f"`{written}` cannot be set by a stylesheet; declaration ignored", span,
                      info.note or None)
            return None
        return info.name

    def value_fits(self, name: str, value: Any, span: Span | None) -> bool:
        """Whether a value fits the property's type; a misfit is a warning and is ignored."""
        attr = REGISTRY.find_attr(name)
        if attr is None or value is None or REGISTRY.fits(name, value):
            return True
        try:
            attr.coerce(value)
        except CoercionError as problem:
            self.warn(f"{problem}; declaration ignored", span, problem.hint)
            return False
        return True

    def check_types(self, selector: Selector, spans: Mapping[int, Span | None]) -> None:
        """Warn about type names the registry does not know (the selector still applies)."""
        for part in selector.type_selectors():
            if not part.known:
                self.warn(f"unknown tag `{part.name}` in selector", spans.get(id(part)),
                          suggest(part.name, REGISTRY.tag_names()))


# ---- Selectors from the flat run of parts the grammar gives -------------------------------------


class _BadSelector(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class _Part:
    """A simple selector or `>` and where it was written (offsets in the text being read)."""

    item: SimpleSelector | None  # None for the child combinator `>`
    start: int
    end: int


_SIMPLE_FROM_TOKEN: dict[str, Callable[[str], SimpleSelector]] = {
    "IDENT": TypeSelector,
    "UNIVERSAL": lambda _text: UniversalSelector(),
    "CLASS_NAME": lambda text: ClassSelector(text[1:]),
    "ID_NAME": lambda text: IdSelector(text[1:]),
}

_LEADING_ONLY = (TypeSelector, UniversalSelector)


class _SelectorBuilder:
    """Groups a flat run of parts into compounds: adjacent parts share a compound."""

    def __init__(self) -> None:
        self.compounds: list[CompoundSelector] = []
        self.combinators: list[Combinator] = []
        self.current: list[SimpleSelector] = []
        self.pending: Combinator | None = None
        self.last_end = -1

    def build(self, parts: Sequence[_Part]) -> Selector:
        for part in parts:
            if part.item is None:
                self._child()
            else:
                self._simple(part)
            self.last_end = part.end
        if self.pending is not None:
            raise _BadSelector("`>` must be followed by a selector")
        self._close()
        return Selector(tuple(self.compounds), tuple(self.combinators))

    def _child(self) -> None:
        if self.pending is not None:
            raise _BadSelector("two `>` in a row")
        if not self.current:
            raise _BadSelector("`>` must follow a selector")
        self._close()
        self.pending = ">"

    def _simple(self, part: _Part) -> None:
        assert part.item is not None
        if self.current and part.start == self.last_end:
            if isinstance(part.item, _LEADING_ONLY):
                raise _BadSelector(f"`{part.item}` must come first in `{self._joined(part)}`")
            self.current.append(part.item)
            return
        if self.current:
            self._close()
            self.combinators.append(" ")
        elif self.compounds:
            self.combinators.append(self.pending or " ")
        self.pending = None
        self.current = [part.item]

    def _joined(self, part: _Part) -> str:
        return "".join(str(item) for item in self.current) + str(part.item)

    def _close(self) -> None:
        if self.current:
            self.compounds.append(CompoundSelector(tuple(self.current)))
            self.current = []


# ---- Tree → stylesheet objects -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _ParsedRule:
    selectors: tuple[Selector, ...]
    declarations: tuple[Declaration, ...]
    span: Span | None


@dataclass(frozen=True, slots=True)
class _RawValue:
    text: str
    start: int
    end: int
    exact: bool  # `text` is the source slice itself, so offsets in it map back to the source


def _bounds(child: Token | Tree[Any]) -> tuple[int, int]:
    if isinstance(child, Token):
        return child.start_pos or 0, child.end_pos or 0
    return child.meta.start_pos, child.meta.end_pos


class _Builder(Transformer[Token, Any]):
    """The parse tree of `grammar/pss.lark` → rules; methods are named after grammar rules."""

    def __init__(self, text: str, place: _Place, reporter: _Reporter) -> None:
        super().__init__()
        self._text = text
        self._place = place
        self._reporter = reporter

    def _span(self, start: int, end: int) -> Span | None:
        return self._place.span(start, end)

    def stylesheet(self, children: list[_ParsedRule | None]) -> list[_ParsedRule]:
        return [rule for rule in children if rule is not None]

    @v_args(meta=True)
    def rule(self, meta: Any, children: list[Any]) -> _ParsedRule | None:
        selectors, declarations = children
        if selectors is None:
            return None
        return _ParsedRule(selectors, declarations, self._span(meta.start_pos, meta.end_pos))

    def selector_list(self, children: list[Selector | None]) -> tuple[Selector, ...] | None:
        if any(selector is None for selector in children):
            return None
        return tuple(selector for selector in children if selector is not None)

    @v_args(meta=True)
    def selector(self, meta: Any, children: list[Token | _Part]) -> Selector | None:
        parts = [self._part(child) for child in children]
        try:
            selector = _SelectorBuilder().build(parts)
        except _BadSelector as problem:
            written = self._text[meta.start_pos : meta.end_pos]
            self._reporter.warn(f"invalid selector `{written}`: {problem.reason}; rule ignored",
                                self._span(meta.start_pos, meta.end_pos))
            return None
        spans = {id(p.item): self._span(p.start, p.end) for p in parts if p.item is not None}
        self._reporter.check_types(selector, spans)
        return selector

    def _part(self, child: Token | _Part) -> _Part:
        if isinstance(child, _Part):
            return child
        start, end = _bounds(child)
        make = _SIMPLE_FROM_TOKEN.get(child.type)
        return _Part(make(str(child)) if make is not None else None, start, end)

    @v_args(meta=True)
    def attribute_selector(self, meta: Any, children: list[Token]) -> _Part:
        name = str(children[0])
        if len(children) == 1:
            item = AttributeSelector(name)
        else:
            written = children[2]
            wanted = _unquote(written) if written.type == "STRING" else str(written)
            item = AttributeSelector(name, str(children[1]), wanted)
        return _Part(item, meta.start_pos, meta.end_pos)

    def declaration_list(self, children: list[Declaration | None]) -> tuple[Declaration, ...]:
        return tuple(d for d in children if d is not None)

    @v_args(meta=True)
    def declaration(self, meta: Any, children: list[Any]) -> Declaration | None:
        name_token, value = children[0], children[1]
        important = len(children) > 2
        name_span = self._span(*_bounds(name_token))
        name = self._reporter.property_name(str(name_token), name_span)
        if name is None:
            return None
        if value is None:
            self._reporter.warn(f"`{name_token}` has no value; declaration ignored", name_span)
            return None
        try:
            parsed = read_value(value.text)
        except ValueSyntaxError as problem:
            where = value.start + problem.position if value.exact else value.start
            self._reporter.warn(
                f"the value of `{name_token}` is not valid JSON: {problem.message}; "
                "declaration ignored", self._span(where, where + 1),
            )
            return None
        span = self._span(meta.start_pos, meta.end_pos)
        if not self._reporter.value_fits(name, parsed, span):
            return None
        return Declaration(name, parsed, important, span)

    def value(self, children: list[Token | Tree[Any]]) -> _RawValue | None:
        if not children:
            return None
        bounds = [_bounds(child) for child in children]
        pieces = [self._text[start:end] for start, end in bounds]
        text = pieces[0]
        for index in range(1, len(pieces)):
            gap = bounds[index][0] > bounds[index - 1][1]
            text += (" " if gap else "") + pieces[index]
        return _RawValue(text, bounds[0][0], bounds[-1][1], len(children) == 1)


# ---- Parsing with recovery ---------------------------------------------------------------------


@dataclass(slots=True)
class _BlockTracker:
    """Follows `{`/`}` in the tokens the parser accepted, to know where complete rules end."""

    depth: int = 0
    boundary: int = 0  # the end of the last complete rule
    opened_at: int = -1  # where the outermost open `{` is

    def accept(self, token: Token) -> None:
        if token.type == "LBRACE":
            if self.depth == 0:
                self.opened_at = token.start_pos or 0
            self.depth += 1
        elif token.type == "RBRACE":
            self.depth -= 1
            if self.depth == 0:
                self.boundary = token.end_pos or 0


@dataclass(frozen=True, slots=True)
class _Failure:
    position: int
    message: str
    hint: str | None = None
    consequence: str = "rule ignored"  # what reading skips because of it

    @property
    def text(self) -> str:
        return f"{self.message}; {self.consequence}" if self.consequence else self.message


def _scan(text: str) -> tuple[Tree[Token] | None, _BlockTracker, UnexpectedInput | None]:
    """Parse a whole sheet, or find where it fails and where its last complete rule ends."""
    parser = _parser().parse_interactive(text, start="stylesheet")
    tracker = _BlockTracker()
    pending: Token | None = None
    last: Token | None = None
    try:
        for token in parser.iter_parse():
            # `iter_parse` feeds a token to the parser only when asked for the next one.
            if pending is not None:
                tracker.accept(pending)
            pending = last = token
        if pending is not None:
            tracker.accept(pending)
            pending = None
        tree: Tree[Token] = parser.feed_eof(last)  # type: ignore[no-untyped-call]
        return tree, tracker, None
    except UnexpectedInput as error:
        rejected = isinstance(error, UnexpectedToken) and error.token is pending
        if pending is not None and not rejected:
            tracker.accept(pending)
        return None, tracker, error


# Terminal names → words for "expected …"; groups of terminals that mean one thing come first.
_EXPECTED_GROUPS: tuple[tuple[str, frozenset[str], str], ...] = (
    ("CLASS_NAME", frozenset({"IDENT", "UNIVERSAL", "CLASS_NAME", "ID_NAME", "LSQB", "CHILD"}),
     "a selector"),
    ("WORD", frozenset({"WORD", "STRING", "LBRACE", "LSQB"}), "a value"),
)
_TERMINAL_WORDS: dict[str, str] = {
    "IDENT": "a name",
    "LBRACE": "`{`",
    "RBRACE": "`}`",
    "LSQB": "`[`",
    "RSQB": "`]`",
    "COMMA": "`,`",
    "COLON": "`:`",
    "SEMICOLON": "`;`",
    "UNIVERSAL": "`*`",
    "CHILD": "`>`",
    "CLASS_NAME": "a `.class`",
    "ID_NAME": "an `#id`",
    "STRING": "a quoted string",
    "WORD": "a value",
    "BARE_VALUE": "a value",
    "ATTR_OPERATOR": "`=`",
    "IMPORTANT": "`!important`",
    "$END": "the end of the stylesheet",
}
def _open_comment(text: str, position: int) -> bool:
    return text.startswith("/*", position) and "*/" not in text[position + 2 :]


def _open_string(quote: str) -> Callable[[str, int], bool]:
    def test(text: str, position: int) -> bool:
        return text.startswith(quote, position) and not _STRING.match(text, position)

    return test


# Problems recognised by the text where reading stopped: (test, message, hint, consequence).
_TEXT_PROBLEMS: tuple[tuple[Callable[[str, int], bool], str, str, str], ...] = (
    (_open_comment, "unterminated comment", "close it with `*/`",
     "the rest of the stylesheet is ignored"),
    (_open_string('"'), "unterminated string", 'close it with `"` on the same line',
     "rule ignored"),
    (_open_string("'"), "unterminated string", "close it with `'` on the same line",
     "rule ignored"),
)
_TOKEN_HINTS: dict[str, str] = {
    "@": "at-rules such as `@media` are not supported; a stylesheet holds only rules",
    ":": "pseudo-classes such as `:first-child` are not supported",
    "<": "a stylesheet is CSS, not markup",
}


def _expected(names: Iterable[str]) -> str:
    names = set(names)
    words: set[str] = set()
    for trigger, members, word in _EXPECTED_GROUPS:
        if trigger in names:
            names -= members
            words.add(word)
    words.update(_TERMINAL_WORDS.get(name, f"`{name}`") for name in names)
    ordered = sorted(words)
    if len(ordered) <= 1:
        return "".join(ordered)
    return ", ".join(ordered[:-1]) + " or " + ordered[-1]


def _shown(text: str) -> str:
    text = text if len(text) <= 20 else text[:20] + "…"
    return f"`{text}`" if "`" not in text else repr(text)


def _describe(error: UnexpectedInput, text: str, tracker: _BlockTracker, place: _Place) -> _Failure:
    """A readable failure, positioned in `text`, for a Lark error."""
    if isinstance(error, UnexpectedToken) and error.token.type == "$END":
        end = len(text.rstrip())
        if tracker.depth > 0:
            opened = place.span(tracker.opened_at)
            where = f" at {opened.line}:{opened.column}" if opened is not None else ""
            message = f"unexpected end of stylesheet: `{{` opened{where} is not closed"
            return _Failure(end, message, consequence="")
        message = f"unexpected end of stylesheet, expected {_expected(error.expected)}"
        return _Failure(end, message, consequence="")
    if isinstance(error, UnexpectedToken):
        position = error.token.start_pos or 0
        written = str(error.token)
        expected = error.expected
    else:
        assert isinstance(error, UnexpectedCharacters)
        position = error.pos_in_stream or 0
        written = text[position : position + 1]
        expected = error.allowed or set()
    for test, message, hint, consequence in _TEXT_PROBLEMS:
        if test(text, position):
            return _Failure(position, message, hint, consequence)
    message = f"unexpected {_shown(written)}"
    if expected:
        message += f", expected {_expected(expected)}"
    return _Failure(position, message, _TOKEN_HINTS.get(written[:1]))


_SKIPPED = re.compile(
    r'"(?:[^"\\\n]|\\.)*"?|\'(?:[^\'\\\n]|\\.)*\'?|/\*[\s\S]*?(?:\*/|\Z)|[{}]|[^"\'/{}]+|/'
)


def _resume_after(text: str, position: int) -> int:
    """Where reading resumes after an error: past the `}` that ends the broken block."""
    depth = 0
    for match in _SKIPPED.finditer(text, position):
        piece = match.group()
        if piece == "{":
            depth += 1
        elif piece == "}":
            depth -= 1
            if depth <= 0:
                return match.end()
    return len(text)


def _parse_trees(text: str, place: _Place, reporter: _Reporter) -> list[tuple[int, Tree[Token]]]:
    """The parse trees of the readable parts of `text`, each with its offset in `text`."""
    trees: list[tuple[int, Tree[Token]]] = []
    base = 0
    while base < len(text):
        chunk = text[base:]
        here = _Place(place.source, place.base + base)
        tree, tracker, error = _scan(chunk)
        if error is None:
            assert tree is not None
            trees.append((base, tree))
            break
        if tracker.boundary:
            trees.append((base, _parser().parse(chunk[: tracker.boundary], start="stylesheet")))
        failure = _describe(error, chunk, tracker, here)
        reporter.warn(failure.text, here.span(failure.position, failure.position + 1),
                      failure.hint)
        base += _resume_after(chunk, failure.position)
    return trees


def parse_css(
    text: str, source: Source, offset: int = 0, origin: int = ORIGIN_DOCUMENT
) -> Stylesheet:
    """Read a stylesheet in CSS syntax. `offset` is where `text` starts in `source.text`."""
    reporter = _Reporter()
    parsed: list[_ParsedRule] = []
    for base, tree in _parse_trees(text, _Place(source, offset), reporter):
        builder = _Builder(text[base:], _Place(source, offset + base), reporter)
        parsed.extend(builder.transform(tree))
    rules = tuple(
        Rule(selector, item.declarations, order, item.span)
        for order, item in enumerate(parsed)
        for selector in item.selectors
    )
    return Stylesheet(rules, _in_order(reporter.diagnostics), origin)


def _in_order(diagnostics: Iterable[Diagnostic]) -> tuple[Diagnostic, ...]:
    return tuple(sorted(diagnostics, key=lambda d: d.span.start if d.span is not None else -1))


def _parse_selector_list(text: str, place: _Place, reporter: _Reporter) -> tuple[Selector, ...]:
    try:
        tree = _parser().parse(text, start="selector_list")
    except UnexpectedInput as error:
        failure = _describe(error, text, _BlockTracker(), place)
        reporter.warn(f"invalid selector `{text}`: {failure.message}; rule ignored",
                      place.span(0, len(text)), failure.hint)
        return ()
    return _Builder(text, place, reporter).transform(tree) or ()


def parse_selector(
    text: str, source: Source | None = None, offset: int = 0
) -> tuple[tuple[Selector, ...], list[Diagnostic]]:
    """Read a selector list (`cp list, .steps > item`); an empty tuple if it is invalid."""
    reporter = _Reporter()
    selectors = _parse_selector_list(text, _Place(source, offset), reporter)
    return selectors, reporter.diagnostics


# ---- POML's JSON form --------------------------------------------------------------------------


class _KeyFinder:
    """Finds where the keys of a JSON text are written, in order, to point warnings at them."""

    def __init__(self, text: str | None, source: Source | None, offset: int) -> None:
        self._text = text if source is not None else None
        self._source = source
        self._offset = offset
        self._cursor = 0

    def place(self, key: str) -> tuple[_Place, Span | None]:
        """Where the key's characters start, and the span of the key with its quotes."""
        if self._text is None:
            return _Place(None), None
        written = json.dumps(key, ensure_ascii=False)
        found = self._text.find(written, self._cursor)
        if found < 0:  # written with escapes: try the all-ASCII spelling, else point at the sheet
            written = json.dumps(key)
            found = self._text.find(written, self._cursor)
        if found < 0:
            whole = _Place(self._source).span(self._offset, self._offset + min(len(self._text), 1))
            return _Place(None), whole
        self._cursor = found + len(written)
        start = self._offset + found
        key_span = _Place(self._source).span(start, start + len(written))
        return _Place(self._source, start + 1), key_span


def _load_json(data: str, place: _Place, reporter: _Reporter) -> Any:
    try:
        return json.loads(data)
    except json.JSONDecodeError as error:
        reporter.warn(f"the stylesheet is not valid JSON: {error.msg}",
                      place.span(error.pos, error.pos + 1))
        return None


def parse_json_stylesheet(
    data: str | Mapping[str, Any],
    source: Source | None = None,
    offset: int = 0,
    origin: int = ORIGIN_DOCUMENT,
) -> Stylesheet:
    """Read POML's JSON form `{"selector": {"property": value, …}, …}`.

    `data` is the JSON text (then `offset` is where it starts in `source.text`) or the parsed
    object. Values are used as they are: JSON already says what type they have.
    """
    reporter = _Reporter()
    text = data if isinstance(data, str) else None
    loaded = _load_json(data, _Place(source, offset), reporter) if isinstance(data, str) else data
    if not isinstance(loaded, Mapping):
        if loaded is not None:
            reporter.warn('a JSON stylesheet is an object: {"selector": {"property": value}}',
                          _Place(source, offset).span(0, 1))
        return Stylesheet((), tuple(reporter.diagnostics), origin)
    finder = _KeyFinder(text, source, offset)
    rules: list[Rule] = []
    for order, (key, body) in enumerate(loaded.items()):
        rules.extend(_json_rule(str(key), body, order, finder, reporter))
    return Stylesheet(tuple(rules), _in_order(reporter.diagnostics), origin)


def _json_rule(
    key: str, body: Any, order: int, finder: _KeyFinder, reporter: _Reporter
) -> list[Rule]:
    place, span = finder.place(key)
    selectors = _parse_selector_list(key, place, reporter)
    if not isinstance(body, Mapping):
        reporter.warn(f"the rule for `{key}` should be an object of properties; rule ignored", span)
        return []
    declarations = []
    for written, value in body.items():
        _, name_span = finder.place(str(written))
        name = reporter.property_name(str(written), name_span)
        if name is not None and reporter.value_fits(name, value, name_span):
            declarations.append(Declaration(name, value, False, name_span))
    return [Rule(selector, tuple(declarations), order, span) for selector in selectors]


# ---- Files -------------------------------------------------------------------------------------

_READERS: dict[str, Callable[[str, Source, int, int], Stylesheet]] = {
    ".pss": parse_css,
    ".css": parse_css,
    ".json": parse_json_stylesheet,
}


def load_stylesheet(path: str | Path, origin: int = ORIGIN_DOCUMENT) -> Stylesheet:
    """Read a stylesheet file: JSON for `.json`, CSS syntax otherwise (`.pss`, `.css`).

    The file is read as every file PML reads (`pml.files`: a regular file, at most
    `max_file_size` bytes). One that cannot be read raises `PMLCompileError` (a text that is not
    UTF-8 is located at its first bad byte); what is inside never raises.
    """
    path = Path(path)
    try:
        data = files.read_file(path)
    except files.FileProblem as problem:
        raise _unreadable(path, problem, None) from None
    try:
        text = files.decode_text(data)
    except files.FileProblem as problem:
        raise _unreadable(path, problem, data) from None
    source = Source(normalize_newlines(text), str(path), path.resolve())
    reader = _READERS.get(path.suffix.lower(), parse_css)
    return reader(source.text, source, 0, origin)


def _unreadable(path: Path, problem: files.FileProblem, data: bytes | None) -> PMLCompileError:
    if isinstance(problem, files.Missing):
        return compile_error(f"stylesheet not found: {files.clip(str(path))}", None, "check the path")
    span = None
    if data is not None:  # read, but not UTF-8: point at the first bad byte
        text = data.decode("utf-8", errors="replace")
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            at = len(data[: exc.start].decode("utf-8", errors="replace"))
            span = Source(text, str(path), path).span(at, at + 1)
    return compile_error(f"cannot read the stylesheet `{files.clip(str(path))}`: {problem.reason}", span, problem.hint)
