"""Markup → AST: the parser for `grammar/pml.lark` and the builder of `nodes`.

Text is split into tokens by `pml.syntax.scanner` (the grammar's terminals, in linear time and memory)
and nested with a stack; the LALR parser over the same tokens takes over only to explain an
error. Both build the AST as they go. The parse enforces the `max_depth` limit, refuses
characters markup cannot hold (control characters, lone surrogates), and stops keeping
diagnostics after `max_diagnostics` (the rest are counted). Every failure leaves here as a
`PMLSyntaxError` with a location, an excerpt and a hint; Lark's own exceptions never reach the
caller.
"""

from __future__ import annotations

import html.entities
import re
import threading
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from lark import Lark, Token, Transformer
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken, VisitError
from lark.lexer import Lexer

from pml import limits
from pml.errors import Diagnostic, PMLSyntaxError, clip, limit_hint, syntax_error
from pml.resources import resource_path
from pml.syntax.nodes import Attribute, Comment, Document, Element, Expr, Node, Text, normalize_name
from pml.syntax.scanner import Raw, ScanError, expressions_in, loose_tags, scan
from pml.syntax.source import Source, Span, normalize_newlines

# POML's own escapes, decoded in literal text (never inside expressions).
POML_ESCAPES = {
    "#lt;": "<",
    "#gt;": ">",
    "#amp;": "&",
    "#quot;": '"',
    "#apos;": "'",
    "#hash;": "#",
    "#lbrace;": "{",
    "#rbrace;": "}",
}
_POML_ESCAPE_RE = re.compile("|".join(re.escape(k) for k in POML_ESCAPES))
_TAG_NAME = re.compile(r"[A-Za-z_][\w.\-:]*")
_ATTRIBUTE = re.compile(
    r"[ \t\n\f]+(?P<name>[A-Za-z_@:][\w.\-:]*)(?:[ \t\n\f]*=[ \t\n\f]*(?P<value>\"[^\"]*\"|'[^']*'))?"
)
_ENTITY_IN_VALUE = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]*|#[0-9]+|#[xX][0-9A-Fa-f]+);")

# The tags that may be the document's root as written (anything else gets an implicit root).
ROOT_TAGS = {"poml", "pml"}

# Characters markup cannot hold (XML's rule, with form feed allowed as in HTML): C0 controls other
# than tab, newline, carriage return and form feed; lone surrogates, which no encoding can write;
# and the non-characters U+FFFE and U+FFFF.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@lru_cache(maxsize=1)
def grammar_text() -> str:
    return resource_path("grammar", "pml.lark").read_text(encoding="utf-8")


def decode_entity(entity: str) -> str | None:
    """`&lt;` → `<`, `&#65;` → `A`; None for an unknown name or a character markup cannot hold."""
    body = entity[1:-1]
    if body.startswith("#"):
        hexadecimal = body[1:2] in ("x", "X")
        digits = (body[2:] if hexadecimal else body[1:]).lstrip("0") or "0"
        # Seven digits pass U+10FFFF either way (and int() refuses very long numbers).
        code = int(digits, 16 if hexadecimal else 10) if len(digits) <= 7 else 0x110000
        if code > 0x10FFFF:
            return None
        char = chr(code)
        return None if _FORBIDDEN.match(char) else char
    return html.entities.html5.get(body + ";")


class _State(threading.local):
    """The source being parsed on this thread (the parser and its callbacks are shared)."""

    source: Source
    problems: list[Diagnostic]
    omitted: int  # problems found after `max_diagnostics`, counted but not kept


def _raw(token: Token) -> Raw:
    return (token.type, str(token), token.start_pos or 0, token.end_pos or 0)


class _Builder(Transformer):  # type: ignore[type-arg]
    """Tokens → AST nodes. Run inline by the LALR parser (no parse tree), or by the fast path."""

    def __init__(self) -> None:
        super().__init__(visit_tokens=False)
        self.state = _State()

    @property
    def source(self) -> Source:
        return self.state.source

    @property
    def problems(self) -> list[Diagnostic]:
        return self.state.problems

    def _span(self, start: int, end: int) -> Span:
        return Span(self.state.source, start, end)

    def report(self, diagnostic: Diagnostic) -> None:
        """Keep a problem, or only count it once `max_diagnostics` are kept."""
        state = self.state
        if len(state.problems) < limits.current().max_diagnostics:
            state.problems.append(diagnostic)
        else:
            state.omitted += 1

    # -- Lark callbacks (rule names)
    def start(self, children: list[Any]) -> list[Node]:
        return children[0]

    def content(self, children: list[Any]) -> list[Node]:
        return self.content_raw([_raw(c) if isinstance(c, Token) else c for c in children])

    def element(self, children: list[Any]) -> Element:
        open_tok, body, close_tok = children
        return self.element_raw(_raw(open_tok), body, _raw(close_tok))

    def empty_element(self, children: list[Any]) -> Element:
        return self.empty_raw(_raw(children[0]))

    # -- the builder proper
    def content_raw(self, children: list[Any]) -> list[Node]:
        """Merge text, entities and CDATA into `Text` nodes; keep expressions and elements."""
        source = self.state.source
        out: list[Node] = []
        pending: list[str] = []
        pending_start = pending_end = 0
        for child in children:
            if type(child) is tuple:
                kind, text, start, end = child
                if kind == "TEXT" or kind == "ENTITY" or kind == "CDATA":
                    if not pending:
                        pending_start = start
                    pending.append(self.text_value(kind, text, start, end))
                    pending_end = end
                    continue
                if pending:
                    out.append(Text("".join(pending), Span(source, pending_start, pending_end)))
                    pending = []
                if kind == "EXPRESSION":
                    out.append(Expr(text[2:-2], Span(source, start + 2, end - 2)))
                elif kind == "COMMENT":
                    out.append(Comment(text[4:-3], Span(source, start, end)))
                # PROLOG (<?xml …?>, <!DOCTYPE …>) carries nothing to render.
            else:
                if pending:
                    out.append(Text("".join(pending), Span(source, pending_start, pending_end)))
                    pending = []
                out.append(child)
        if pending:
            out.append(Text("".join(pending), Span(source, pending_start, pending_end)))
        return out

    def text_value(self, kind: str, text: str, start: int, end: int) -> str:
        if kind == "TEXT":
            if "#" in text:
                text = _POML_ESCAPE_RE.sub(lambda m: POML_ESCAPES[m.group(0)], text)
            return text
        if kind == "CDATA":
            return text[9:-3]
        value = decode_entity(text)
        if value is None:
            if text.startswith("&#"):
                message = f"`{clip(text)}` is not a character markup can hold"
                hint = "a numeric entity names a Unicode character other than NUL, a control character, " \
                       "a surrogate or U+FFFE/U+FFFF"
            else:
                message = f"unknown entity `{clip(text)}`"
                hint = "write `&amp;` for a literal `&`, or use a numeric entity such as `&#38;`"
            self.report(Diagnostic("error", message, self._span(start, end), hint, "syntax"))
            return text
        return value

    def _tag(self, text: str, start: int, end_len: int) -> tuple[str, tuple[Attribute, ...], Span]:
        """Split an open or empty tag into its name and attributes."""
        source = self.state.source
        match = _TAG_NAME.match(text, 1)
        assert match is not None
        name = match.group(0)
        name_end = match.end()
        body_end = len(text) - end_len
        if name_end >= body_end or text[name_end:body_end].isspace():
            return name, (), Span(source, start + 1, start + name_end)
        attrs: list[Attribute] = []
        for found in _ATTRIBUTE.finditer(text, name_end, body_end):
            attr_name = found.group("name")
            name_start = start + found.start("name")
            value = found.group("value")
            if value is None:
                span = Span(source, name_start, start + found.end("name"))
                attrs.append(Attribute(attr_name, (Text("true", span),), "true", span, span))
                continue
            raw = value[1:-1]
            value_start = start + found.start("value") + 1
            attrs.append(Attribute(
                attr_name,
                self._split_value(raw, value_start),
                raw,
                Span(source, name_start, start + found.end("value")),
                Span(source, value_start, value_start + len(raw)),
            ))
        return name, tuple(attrs), Span(source, start + 1, start + name_end)

    def element_raw(self, open_tag: Raw, body: list[Node], close_tag: Raw) -> Element:
        name, attrs, name_span = self._tag(open_tag[1], open_tag[2], 1)
        close_name = close_tag[1][2:].rstrip(" \t\n\f>")
        if close_name != name and normalize_name(close_name) != normalize_name(name):
            shown = clip(name)
            self.report(
                Diagnostic(
                    "error",
                    f"`</{clip(close_name)}>` closes `<{shown}>`, opened at {name_span.line}:{name_span.column - 1}",
                    self._span(close_tag[2], close_tag[3]),
                    f"close `<{shown}>` first with `</{shown}>`, or rename this tag",
                    "syntax",
                )
            )
        return Element(name, attrs, tuple(body), self._span(open_tag[2], close_tag[3]), name_span)

    def empty_raw(self, tag: Raw) -> Element:
        name, attrs, name_span = self._tag(tag[1], tag[2], 2)
        return Element(name, attrs, (), self._span(tag[2], tag[3]), name_span)

    def _split_value(self, raw: str, offset: int) -> tuple[Text | Expr, ...]:
        """Split an attribute value into literal text (entities decoded) and expressions."""
        if "{{" not in raw and "&" not in raw and "#" not in raw:
            return (Text(raw, self._span(offset, offset + len(raw))),)
        parts: list[Text | Expr] = []
        pos = 0
        for start, end in expressions_in(raw):
            if start > pos:
                parts.append(self._literal(raw[pos:start], offset + pos))
            parts.append(Expr(raw[start + 2 : end - 2], self._span(offset + start + 2, offset + end - 2)))
            pos = end
        if pos < len(raw) or not parts:
            parts.append(self._literal(raw[pos:], offset + pos))
        return tuple(parts)

    def _literal(self, text: str, offset: int) -> Text:
        if "{{" in text:
            start = offset + text.index("{{")
            self.report(
                Diagnostic("error", "unclosed expression: `{{` has no matching `}}`",
                           self._span(start, start + 2),
                           "close it with `}}`, or write `#lbrace;#lbrace;` for literal braces", "syntax")
            )
        value = _ENTITY_IN_VALUE.sub(lambda m: decode_entity(m.group(0)) or m.group(0), text)
        if "#" in value:
            value = _POML_ESCAPE_RE.sub(lambda m: POML_ESCAPES[m.group(0)], value)
        return Text(value, self._span(offset, offset + len(text)))


_BUILDER = _Builder()


class _ScannerLexer(Lexer):
    """`pml.syntax.scanner` as Lark's lexer, so that the LALR parser sees exactly the fast path's tokens.

    (Lark's first custom-lexer interface: `lex` is given the whole text.)"""

    def __init__(self, conf: Any) -> None:
        self.allowed = {t.name for t in conf.terminals}

    def lex(self, data: str) -> Iterator[Token]:  # type: ignore[override]
        try:
            for kind, text, start, end in scan(data):
                yield Token(kind, text, start_pos=start, end_pos=end)
        except ScanError as exc:
            raise UnexpectedCharacters(data, exc.pos, 0, 0, allowed=self.allowed) from None


@lru_cache(maxsize=1)
def _lark() -> Lark:
    return Lark(
        grammar_text(),
        parser="lalr",
        lexer=_ScannerLexer,
        transformer=_BUILDER,
        propagate_positions=False,
        maybe_placeholders=False,
        start="start",
    )


def grammar_parser() -> Lark:
    """A tree-building parser for the grammar with Lark's own lexer over its terminals (for tools
    and property tests: it is the specification `pml.syntax.scanner` is checked against)."""
    return Lark(grammar_text(), parser="lalr", lexer="basic", propagate_positions=True)


def _begin(source: Source) -> _State:
    state = _BUILDER.state
    state.source = source
    state.problems = []
    state.omitted = 0
    return state


def parse_with_lark(text: str, name: str = "<string>") -> list[Node]:
    """The LALR parse alone, without the fast path (for tests that compare the two)."""
    source = Source(normalize_newlines(text), name)
    _begin(source)
    return _lark().parse(source.text)


def parse(text: str, name: str = "<string>", *, path: Any = None) -> Document:
    """Parse markup into a `Document`, wrapping it in a root element the way POML does."""
    source = Source(normalize_newlines(text), name, path)
    return parse_source(source)


_TEXTUAL = frozenset(("TEXT", "ENTITY", "CDATA"))
_PIECES = 1024


def _fast_nodes(text: str) -> list[Node] | None:
    """Scan the grammar's tokens and nest elements with a stack.

    The grammar's only structure is "an element is an open tag, content, a close tag", so a
    stack builds the same AST as the LALR parser (`content_raw` and the same callbacks), several
    times faster. Text, entities and CDATA are merged into `Text` as they come, so a run of
    thousands of entities holds no token per entity. Anything unexpected (a character no
    terminal matches, a close tag with nothing open, a tag left open) returns None, and the
    LALR parser takes over to report it. An element nested deeper than the `max_depth` limit
    is reported (once) where it opens.
    """
    builder = _BUILDER
    source = builder.source
    text_value = builder.text_value
    stack: list[tuple[Raw | None, list[Node]]] = []
    opened: Raw | None = None
    children: list[Node] = []
    pending: list[str] = []  # the pieces of the text being read …
    runs: list[str] = []  # … and earlier pieces, joined _PIECES at a time
    pending_start = pending_end = 0
    deepest = limits.current().max_depth
    too_deep_seen = False
    try:
        for raw in scan(text):
            kind, value, start, end = raw
            if kind in _TEXTUAL:
                if not pending and not runs:
                    pending_start = start
                pending.append(text_value(kind, value, start, end))
                pending_end = end
                if len(pending) == _PIECES:  # thousands of entities: hold them as one string each
                    runs.append("".join(pending))
                    pending = []
                continue
            if pending or runs:
                children.append(Text("".join([*runs, *pending]), Span(source, pending_start, pending_end)))
                pending, runs = [], []
            if kind == "OPEN_TAG":
                stack.append((opened, children))
                opened, children = raw, []
                if len(stack) > deepest and not too_deep_seen:
                    builder.report(_too_deep_tag(source, raw, len(stack)))
                    too_deep_seen = True
            elif kind == "CLOSE_TAG":
                if opened is None:
                    return None
                element = builder.element_raw(opened, children, raw)
                opened, children = stack.pop()
                children.append(element)
            elif kind == "EMPTY_TAG":
                if len(stack) >= deepest and not too_deep_seen:
                    builder.report(_too_deep_tag(source, raw, len(stack) + 1))
                    too_deep_seen = True
                children.append(builder.empty_raw(raw))
            elif kind == "EXPRESSION":
                children.append(Expr(value[2:-2], Span(source, start + 2, end - 2)))
            elif kind == "COMMENT":
                children.append(Comment(value[4:-3], Span(source, start, end)))
            # PROLOG (<?xml …?>, <!DOCTYPE …>) carries nothing to render.
    except ScanError:
        return None
    if opened is not None:
        return None
    if pending or runs:
        children.append(Text("".join([*runs, *pending]), Span(source, pending_start, pending_end)))
    return children


def too_deep(name: str, span: Span, depth: int, code: str) -> Diagnostic:
    """The report of an element (its name and where it is written) nested deeper than `max_depth`."""
    return Diagnostic(
        "error",
        f"`<{clip(name)}>` is nested {depth} elements deep; the limit is {limits.current().max_depth}",
        span,
        limit_hint("max_depth", "nest fewer elements inside one another"),
        code,
    )


def _too_deep_tag(source: Source, raw: Raw, depth: int) -> Diagnostic:
    found = _TAG_NAME.match(raw[1], 1)
    name = found.group(0) if found else raw[1]
    start = raw[2] + 1
    return too_deep(name, source.span(start, start + len(name)), depth, "syntax")


def _check_characters(state: _State) -> None:
    """Report the characters markup cannot hold (`_FORBIDDEN`), counting those past the limit."""
    text = state.source.text
    if _FORBIDDEN.search(text) is None:
        return
    cap = limits.current().max_diagnostics
    for found in _FORBIDDEN.finditer(text):
        if len(state.problems) >= cap:
            rest = text[found.start():]
            state.omitted += len(rest) - len(_FORBIDDEN.sub("", rest))
            return
        char = found.group()
        code = ord(char)
        if 0xD800 <= code <= 0xDFFF:
            message = f"a lone surrogate (U+{code:04X}) is not a character"
            hint = "remove it: half of a UTF-16 pair cannot be written as UTF-8; the text was probably cut " \
                   "in the middle of an emoji or decoded wrongly"
        elif code < 0x20:
            message = f"the control character U+{code:04X} cannot appear in markup"
            hint = "remove it; markup holds text, tabs and newlines (pass other data in the context)"
        else:
            message = f"U+{code:04X} is not a character and cannot appear in markup"
            hint = "remove it"
        state.problems.append(Diagnostic("error", message, state.source.span(found.start(), found.end()), hint,
                                         "syntax"))


def parse_source(source: Source) -> Document:
    """Parse a `Source` (see `parse`)."""
    state = _begin(source)
    _check_characters(state)
    nodes = _fast_nodes(source.text)
    if nodes is None:
        _begin(source)
        _check_characters(state)
        try:
            nodes = _lark().parse(source.text)
        except UnexpectedInput as exc:
            raise _translate(exc, source, _in_order(state.problems), state.omitted) from None
        except VisitError as exc:  # pragma: no cover - the builder raises nothing itself
            raise exc.orig_exc from None
    if state.problems or state.omitted:
        raise PMLSyntaxError(_in_order(state.problems), omitted=state.omitted)
    return _wrap(nodes, source)


def _in_order(problems: list[Diagnostic]) -> list[Diagnostic]:
    """Problems in the order of the text (characters are checked before the rest is read)."""
    return sorted(problems, key=lambda d: d.span.start if d.span is not None else 0)


def _wrap(nodes: list[Node], source: Source) -> Document:
    """Give the document a single root element (POML's rules, `poml-study.md` §5.3)."""
    elements = [n for n in nodes if isinstance(n, Element)]
    loose = [
        n for n in nodes
        if isinstance(n, Expr) or (isinstance(n, Text) and n.value.strip())
    ]
    prolog = tuple(n for n in nodes if isinstance(n, Comment))
    whole = source.whole()
    if len(elements) == 1 and not loose and elements[0].key in ROOT_TAGS:
        return Document(elements[0], source, prolog)
    if not elements:
        attrs = (_implicit_attr("syntax", "text", whole), _implicit_attr("whiteSpace", "pre", whole))
    else:
        attrs = (_implicit_attr("syntax", "markdown", whole),)
    root = Element("poml", attrs, tuple(n for n in nodes), whole, None)
    return Document(root, source, ())


def _implicit_attr(name: str, value: str, span: Span) -> Attribute:
    return Attribute(name, (Text(value, span),), value, span, span)


# ---------------------------------------------------------------- error translation

def open_tags_in(text: str) -> tuple[list[tuple[str, int]], tuple[str, int, str, int, int] | None]:
    """Scan tags as the parser nests them (a close tag closes the innermost open tag).

    Returns the tags still open at the end and the first close tag whose name does not match
    the tag it closes (`close name, its offset, open name, open offset, close end`). Used to
    explain an error, and by the language server on text being edited (`scanner.loose_tags`).
    """
    stack: list[tuple[str, int]] = []
    mismatch: tuple[str, int, str, int, int] | None = None
    for name, closing, empty, start, end in loose_tags(text):
        if closing:
            if stack:
                opened, at = stack.pop()
                if mismatch is None and normalize_name(opened) != normalize_name(name):
                    mismatch = (name, start, opened, at, end)
        elif not empty:
            stack.append((name, start))
    return stack, mismatch


def _translate(exc: UnexpectedInput, source: Source, earlier: list[Diagnostic], omitted: int) -> PMLSyntaxError:
    pos = getattr(exc, "pos_in_stream", None)
    text = source.text
    if pos is None or (isinstance(exc, UnexpectedToken) and exc.token.type == "$END"):
        pos = len(text)
    diag = _explain(source, pos)
    if any(d.message == diag.message for d in earlier):
        return PMLSyntaxError(earlier, omitted=omitted)
    return PMLSyntaxError([*earlier, diag], omitted=omitted)


_CLOSE_START = re.compile(r"</\s*([\w.\-:]*)")
_CLOSE_WHOLE = re.compile(r"</[A-Za-z_][\w.\-:]*[ \t\n\f]*>")
_DOCTYPE = re.compile(r"<!doctype", re.IGNORECASE)


def _explain(source: Source, pos: int) -> Diagnostic:
    """The diagnostic for the place the parser stopped: the token at `pos` is not well formed,
    does not fit (a close tag with nothing open), or the document ends too soon."""
    text = source.text

    def at(start: int, end: int | None = None, message: str = "", hint: str | None = None) -> Diagnostic:
        return Diagnostic("error", message, source.span(start, end if end is not None else start + 1), hint, "syntax")

    if pos >= len(text):
        open_tags, mismatch = open_tags_in(text)
        if mismatch is not None:
            name, start, opened, opened_at, end = mismatch
            line, column = source.position(opened_at)
            return at(start, end, f"`</{clip(name)}>` closes `<{clip(opened)}>`, opened at {line}:{column}",
                      f"close `<{clip(opened)}>` first with `</{clip(opened)}>`, or rename this tag")
        if open_tags:
            name, start = open_tags[-1]
            line, column = source.position(start)
            end = start + len(name) + 1
            shown = clip(name)
            return at(start, end, f"unexpected end of document: `<{shown}>` opened at {line}:{column} is not closed",
                      f"add `</{shown}>` where its content ends, or write `<{shown}/>` if it has none")
        return at(max(0, len(text) - 1), len(text), "unexpected end of document inside a tag",
                  "finish the tag with `>` or `/>`")
    if text.startswith("{{", pos):
        return at(pos, pos + 2, "unclosed expression: `{{` has no matching `}}`",
                  "close it with `}}`, or write `#lbrace;#lbrace;` for literal braces")
    if text.startswith("<!--", pos):
        return at(pos, pos + 4, "unclosed comment: `<!--` has no matching `-->`", "end the comment with `-->`")
    if text.startswith("<![CDATA[", pos):
        return at(pos, pos + 9, "unclosed CDATA section", "end it with `]]>`")
    if _DOCTYPE.match(text, pos):
        return at(pos, pos + 9, "unclosed DOCTYPE declaration", "end it with `>`")
    if text.startswith("<!", pos):
        return at(pos, pos + 2, "`<!` starts no comment, CDATA section or DOCTYPE",
                  "write `&lt;!` for a literal `<!`, or `<!-- … -->` for a comment")
    if text.startswith("<?", pos):
        return at(pos, pos + 2, "unclosed processing instruction", "end it with `?>`")
    if text.startswith("</", pos):
        match = _CLOSE_START.match(text, pos)
        name = clip(match.group(1)) if match else ""
        end = match.end() if match else pos + 2
        if not _CLOSE_WHOLE.match(text, pos):
            return at(pos, end, f"the closing tag `</{name}` is not finished" if name else
                      "a closing tag needs a name, as in `</task>`", "finish it with `>`")
        if name and not text[pos + 2 : pos + 3].isspace():
            return at(pos, end + 1, f"`</{name}>` closes nothing: there is no open tag here",
                      f"remove it, or add the matching `<{name}>` before it")
        return at(pos, end, "a closing tag needs a name, as in `</task>`")
    if _TAG_NAME.match(text, pos + 1) and text.startswith("<", pos):
        return _diagnose_tag(source, pos)
    found = text[pos]
    shown = found if found.strip() else repr(found)
    return at(pos, pos + 1, f"unexpected `{shown}`", "expected text or a tag")


_WS_CHARS = " \t\n\f"
_ATTR_NAME = re.compile(r"[A-Za-z_@:][\w.\-:]*")
_UNQUOTED = re.compile(r"[^\s>/]*")


def _diagnose_tag(source: Source, pos: int) -> Diagnostic:
    """Explain why the tag starting at `pos` is not well formed."""
    text = source.text

    def problem(start: int, end: int, message: str, hint: str) -> Diagnostic:
        return Diagnostic("error", message, source.span(start, max(end, start + 1)), hint, "syntax")

    match = _TAG_NAME.match(text, pos + 1)
    assert match is not None
    name = clip(match.group(0))
    i = match.end()
    while True:
        spaced = i < len(text) and text[i] in _WS_CHARS
        while i < len(text) and text[i] in _WS_CHARS:
            i += 1
        if i >= len(text):
            return problem(pos, match.end(), f"the tag `<{name}` is not finished at the end of the document",
                           "finish the tag with `>` or `/>`")
        ch = text[i]
        if ch == ">" or text.startswith("/>", i):
            return problem(i, i + 1, f"unexpected `{ch}` inside the tag `<{name}>`",
                           "a tag ends with `>` or `/>`")
        if ch == "<":
            return problem(i, i + 1, f"the tag `<{name}` is not finished before the next `<`",
                           "finish the tag with `>` or `/>`")
        attr = _ATTR_NAME.match(text, i)
        if attr is None or not spaced:
            shown = ch if not ch.isspace() else repr(ch)
            hint = "put a space before each attribute" if attr is not None else \
                'attributes are written `name="value"`, and a tag ends with `>` or `/>`'
            return problem(i, i + 1, f"unexpected `{shown}` inside the tag `<{name}>`", hint)
        i = attr.end()
        j = i
        while j < len(text) and text[j] in _WS_CHARS:
            j += 1
        if j < len(text) and text[j] == "=":
            j += 1
            while j < len(text) and text[j] in _WS_CHARS:
                j += 1
            if j >= len(text):
                return problem(j - 1, j, "an attribute value is missing after `=`",
                               'write a quoted value, as in `name="value"`')
            quote = text[j]
            if quote in "\"'":
                close = text.find(quote, j + 1)
                if close == -1:
                    return problem(j, j + 1, f"the value of `{clip(attr.group(0))}` has no closing {quote}",
                                   f"close the value with {quote}")
                i = close + 1
                continue
            raw = _UNQUOTED.match(text, j)
            value = raw.group(0) if raw else ""
            if not value:
                return problem(j, j + 1, "an attribute value is missing after `=`",
                               'write a quoted value, as in `name="value"`')
            return problem(j, j + len(value), f"attribute values must be quoted, not `{clip(value)}`",
                           f'write {clip(attr.group(0))}="{clip(value)}"')


def syntax_error_at(source: Source, start: int, end: int, message: str, hint: str | None = None) -> PMLSyntaxError:
    """Raise-ready syntax error for other modules that find problems in markup text."""
    return syntax_error(message, source.span(start, end), hint)
