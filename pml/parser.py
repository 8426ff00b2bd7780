"""Markup → AST: the Lark parser for `grammar/pml.lark` and the transformer that builds `nodes`.

The LALR parser runs with the transformer inline (no intermediate tree), so parsing and AST
construction are one pass. Every failure leaves here as a `PMLSyntaxError` with a location, an
excerpt and a hint; Lark's own exceptions never reach the caller.
"""

from __future__ import annotations

import html.entities
import re
import threading
from functools import lru_cache
from typing import Any

from lark import Lark, Token, Transformer
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken, VisitError

from pml.errors import Diagnostic, PMLSyntaxError, syntax_error
from pml.nodes import Attribute, Comment, Document, Element, Expr, Node, Text, normalize_name
from pml.resources import resource_path
from pml.source import Source, Span, normalize_newlines

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
_EXPR_IN_VALUE = re.compile(r"\{\{(?:[^}'\"]|\}(?!\})|'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")*\}\}", re.S)
_TAG_NAME = re.compile(r"[A-Za-z_][\w.\-:]*")
_ATTRIBUTE = re.compile(
    r"[ \t\n\f]+(?P<name>[A-Za-z_@:][\w.\-:]*)(?:[ \t\n\f]*=[ \t\n\f]*(?P<value>\"[^\"]*\"|'[^']*'))?"
)
_ENTITY_IN_VALUE = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]*|#[0-9]+|#[xX][0-9A-Fa-f]+);")

# The tags that may be the document's root as written (anything else gets an implicit root).
ROOT_TAGS = {"poml", "pml"}


@lru_cache(maxsize=1)
def grammar_text() -> str:
    return resource_path("grammar", "pml.lark").read_text(encoding="utf-8")


def decode_entity(entity: str) -> str | None:
    """`&lt;` → `<`, `&#65;` → `A`; None for an unknown name."""
    body = entity[1:-1]
    if body.startswith(("#x", "#X")):
        code = int(body[2:], 16)
    elif body.startswith("#"):
        code = int(body[1:])
    else:
        return html.entities.html5.get(body + ";")
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code)


class _State(threading.local):
    """The source being parsed on this thread (the parser and its callbacks are shared)."""

    source: Source
    problems: list[Diagnostic]


# A token as the builder sees it: (terminal name, text, start offset, end offset).
Raw = tuple[str, str, int, int]


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
                    pending.append(self._text_value(kind, text, start, end))
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

    def _text_value(self, kind: str, text: str, start: int, end: int) -> str:
        if kind == "TEXT":
            if "#" in text:
                text = _POML_ESCAPE_RE.sub(lambda m: POML_ESCAPES[m.group(0)], text)
            return text
        if kind == "CDATA":
            return text[9:-3]
        value = decode_entity(text)
        if value is None:
            self.state.problems.append(
                Diagnostic(
                    "error",
                    f"unknown entity `{text}`",
                    self._span(start, end),
                    "write `&amp;` for a literal `&`, or use a numeric entity such as `&#38;`",
                    "syntax",
                )
            )
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
            self.state.problems.append(
                Diagnostic(
                    "error",
                    f"`</{close_name}>` closes `<{name}>`, opened at {name_span.line}:{name_span.column - 1}",
                    self._span(close_tag[2], close_tag[3]),
                    f"close `<{name}>` first with `</{name}>`, or rename this tag",
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
        for match in _EXPR_IN_VALUE.finditer(raw):
            if match.start() > pos:
                parts.append(self._literal(raw[pos : match.start()], offset + pos))
            parts.append(Expr(match.group(0)[2:-2], self._span(offset + match.start() + 2, offset + match.end() - 2)))
            pos = match.end()
        if pos < len(raw) or not parts:
            parts.append(self._literal(raw[pos:], offset + pos))
        return tuple(parts)

    def _literal(self, text: str, offset: int) -> Text:
        if "{{" in text:
            start = offset + text.index("{{")
            self.problems.append(
                Diagnostic("error", "unclosed expression: `{{` has no matching `}}`",
                           self._span(start, start + 2),
                           "close it with `}}`, or write `#lbrace;#lbrace;` for literal braces", "syntax")
            )
        value = _ENTITY_IN_VALUE.sub(lambda m: decode_entity(m.group(0)) or m.group(0), text)
        if "#" in value:
            value = _POML_ESCAPE_RE.sub(lambda m: POML_ESCAPES[m.group(0)], value)
        return Text(value, self._span(offset, offset + len(text)))


_BUILDER = _Builder()


@lru_cache(maxsize=1)
def _lark() -> Lark:
    return Lark(
        grammar_text(),
        parser="lalr",
        lexer="basic",
        transformer=_BUILDER,
        propagate_positions=False,
        maybe_placeholders=False,
        start="start",
    )


def grammar_parser() -> Lark:
    """A tree-building parser for the same grammar (for tools and property tests)."""
    return Lark(grammar_text(), parser="lalr", lexer="basic", propagate_positions=True)


def parse_with_lark(text: str, name: str = "<string>") -> list[Node]:
    """The LALR parse alone, without the fast path (for tests that compare the two)."""
    source = Source(normalize_newlines(text), name)
    state = _BUILDER.state
    state.source = source
    state.problems = []
    return _lark().parse(source.text)


def parse(text: str, name: str = "<string>", *, path: Any = None) -> Document:
    """Parse markup into a `Document`, wrapping it in a root element the way POML does."""
    source = Source(normalize_newlines(text), name, path)
    return parse_source(source)


@lru_cache(maxsize=1)
def _scanner() -> re.Pattern[str]:
    """One regular expression made of the grammar's own terminals, for the fast path."""
    terminals = {t.name: t.pattern.to_regexp() for t in _lark().terminals}
    return re.compile("|".join(f"(?P<{name}>{pattern})" for name, pattern in terminals.items()))


def _fast_nodes(text: str) -> list[Node] | None:
    """Tokenize with the grammar's terminals and nest elements with a stack.

    The grammar's only structure is "an element is an open tag, content, a close tag", so a
    stack builds the same AST as the LALR parser, with the same callbacks, several times
    faster. Anything unexpected (a character no terminal matches, a close tag with nothing
    open, a tag left open) returns None, and the LALR parser takes over to report it.
    """
    match = _scanner().match
    builder = _BUILDER
    frames: list[tuple[Raw | None, list[Any]]] = [(None, [])]
    children = frames[0][1]
    pos = 0
    end = len(text)
    while pos < end:
        found = match(text, pos)
        if found is None:
            return None
        kind = found.lastgroup
        stop = found.end()
        raw: Raw = (kind, found.group(), pos, stop)  # type: ignore[assignment]
        if kind == "OPEN_TAG":
            frames.append((raw, []))
            children = frames[-1][1]
        elif kind == "CLOSE_TAG":
            if len(frames) == 1:
                return None
            opened, body = frames.pop()
            children = frames[-1][1]
            children.append(builder.element_raw(opened, builder.content_raw(body), raw))  # type: ignore[arg-type]
        elif kind == "EMPTY_TAG":
            children.append(builder.empty_raw(raw))
        else:
            children.append(raw)
        pos = stop
    if len(frames) != 1:
        return None
    return builder.content_raw(children)


def parse_source(source: Source) -> Document:
    """Parse a `Source` (see `parse`)."""
    state = _BUILDER.state
    state.source = source
    state.problems = problems = []
    nodes = _fast_nodes(source.text)
    if nodes is not None:
        if problems:
            raise PMLSyntaxError(problems)
        return _wrap(nodes, source)
    state.problems = problems = []
    try:
        nodes = _lark().parse(source.text)
    except UnexpectedInput as exc:
        raise _translate(exc, source, problems) from None
    except VisitError as exc:  # pragma: no cover - the builder raises nothing itself
        raise exc.orig_exc from None
    if problems:
        raise PMLSyntaxError(problems)
    return _wrap(nodes, source)


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

_TERMINAL_NAMES = {
    "TAG_NAME": "a tag name",
    "ATTR_NAME": "an attribute",
    "ATTR_VALUE": "a quoted attribute value",
    "EQUALS": "`=`",
    "TAG_END": "`>`",
    "EMPTY_TAG_END": "`/>`",
    "LESSTHAN": "`<`",
    "__ANON_0": "`<`",
    "$END": "the end of the document",
}

_SCAN = re.compile(
    r"<!--.*?(?:-->|$)|<!\[CDATA\[.*?(?:\]\]>|$)|<\?.*?(?:\?>|$)|\{\{.*?(?:\}\}|$)"
    r"|<(/?)([A-Za-z_][\w.\-:]*)((?:\s+[^\s=/>]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'))?)*)\s*(/?)>",
    re.S,
)


def open_tags_in(text: str) -> tuple[list[tuple[str, int]], tuple[str, int, str, int, int] | None]:
    """Scan tags as the parser nests them (a close tag closes the innermost open tag).

    Returns the tags still open at the end and the first close tag whose name does not match
    the tag it closes (`close name, its offset, open name, open offset, close end`). Used only
    to explain an error.
    """
    stack: list[tuple[str, int]] = []
    mismatch: tuple[str, int, str, int, int] | None = None
    for match in _SCAN.finditer(text):
        name = match.group(2)
        if not name:
            continue
        if match.group(1):
            if stack:
                opened, at = stack.pop()
                if mismatch is None and normalize_name(opened) != normalize_name(name):
                    mismatch = (name, match.start(), opened, at, match.end())
        elif not match.group(4):
            stack.append((name, match.start()))
    return stack, mismatch


def _translate(exc: UnexpectedInput, source: Source, earlier: list[Diagnostic]) -> PMLSyntaxError:
    pos = getattr(exc, "pos_in_stream", None)
    text = source.text
    if isinstance(exc, UnexpectedToken) and exc.token.type == "$END":
        pos = len(text)
    if pos is None:
        pos = len(text)
    found = text[pos : pos + 1]
    diag = _explain(exc, source, pos, found)
    if any(d.message == diag.message for d in earlier):
        return PMLSyntaxError(earlier)
    return PMLSyntaxError([*earlier, diag])


def _explain(exc: UnexpectedInput, source: Source, pos: int, found: str) -> Diagnostic:
    text = source.text

    def at(start: int, end: int | None = None, message: str = "", hint: str | None = None) -> Diagnostic:
        return Diagnostic("error", message, source.span(start, end if end is not None else start + 1), hint, "syntax")

    if pos >= len(text):
        open_tags, mismatch = open_tags_in(text)
        if mismatch is not None:
            name, start, opened, opened_at, end = mismatch
            line, column = source.position(opened_at)
            return at(start, end, f"`</{name}>` closes `<{opened}>`, opened at {line}:{column}",
                      f"close `<{opened}>` first with `</{opened}>`, or rename this tag")
        if open_tags:
            name, start = open_tags[-1]
            line, column = source.position(start)
            end = start + len(name) + 1
            return at(start, end, f"unexpected end of document: `<{name}>` opened at {line}:{column} is not closed",
                      f"add `</{name}>` where its content ends, or write `<{name}/>` if it has none")
        return at(max(0, len(text) - 1), len(text), "unexpected end of document inside a tag",
                  "finish the tag with `>` or `/>`")
    rest = text[pos:]
    if rest.startswith("{{"):
        return at(pos, pos + 2, "unclosed expression: `{{` has no matching `}}`",
                  "close it with `}}`, or write `#lbrace;#lbrace;` for literal braces")
    if rest.startswith("<!--"):
        return at(pos, pos + 4, "unclosed comment: `<!--` has no matching `-->`", "end the comment with `-->`")
    if rest.startswith("<![CDATA["):
        return at(pos, pos + 9, "unclosed CDATA section", "end it with `]]>`")
    if rest.startswith("<?"):
        return at(pos, pos + 2, "unclosed processing instruction", "end it with `?>`")
    if rest.startswith("</"):
        match = re.match(r"</\s*([\w.\-:]*)", rest)
        name = match.group(1) if match else ""
        end = pos + (match.end() if match else 2)
        if not re.match(r"</[A-Za-z_][\w.\-:]*[ \t\n\f]*>", rest):
            return at(pos, end, f"the closing tag `</{name}` is not finished" if name else
                      "a closing tag needs a name, as in `</task>`", "finish it with `>`")
        if name and not rest[2:3].isspace():
            return at(pos, end + 1, f"`</{name}>` closes nothing: there is no open tag here",
                      f"remove it, or add the matching `<{name}>` before it")
        return at(pos, end, "a closing tag needs a name, as in `</task>`")
    if re.match(r"<[A-Za-z_]", rest):
        return _diagnose_tag(source, pos)
    expected = set(getattr(exc, "expected", None) or getattr(exc, "allowed", None) or ())
    if isinstance(exc, UnexpectedToken):
        expected = set(exc.expected)
    if "ATTR_VALUE" in expected:
        match = re.match(r"\s*([^\s>/]*)", rest)
        raw = match.group(1) if match else ""
        if raw:
            return at(pos, pos + len(raw), f"attribute values must be quoted, not `{raw}`",
                      f'write "{raw}" in quotes')
        return at(pos, pos + 1, "an attribute value is missing after `=`", 'write a quoted value, as in `name="value"`')
    if "TAG_NAME" in expected and pos > 0 and text[pos - 1] == "<":
        return at(pos - 1, pos + 1, "`<` must start a tag name",
                  "write `&lt;` (or `#lt;`) for a literal `<`")
    if expected & {"TAG_END", "EMPTY_TAG_END", "ATTR_NAME"}:
        if found == '"' or found == "'":
            return at(pos, pos + 1, "a quoted value needs an attribute name and `=` before it",
                      'write `name="value"`')
        if rest[:1] == "=":
            return at(pos, pos + 1, "`=` needs an attribute name before it", 'write `name="value"`')
        if rest[:1] == "<":
            return at(pos, pos + 1, "a tag is not finished before the next `<`", "finish the tag with `>` or `/>`")
        shown = found if found.strip() else repr(found)
        return at(pos, pos + 1, f"unexpected `{shown}` inside a tag",
                  "attributes are written `name=\"value\"`, and a tag ends with `>` or `/>`")
    shown = found if found.strip() else repr(found)
    names = ", ".join(sorted(_TERMINAL_NAMES.get(e, e) for e in expected)) or "something else"
    if isinstance(exc, UnexpectedCharacters) and not names:
        names = "text or a tag"
    return at(pos, pos + 1, f"unexpected `{shown}`", f"expected {names}")


_WS_CHARS = " \t\n\f"


def _diagnose_tag(source: Source, pos: int) -> Diagnostic:
    """Explain why the tag starting at `pos` is not well formed."""
    text = source.text

    def problem(start: int, end: int, message: str, hint: str) -> Diagnostic:
        return Diagnostic("error", message, source.span(start, max(end, start + 1)), hint, "syntax")

    match = _TAG_NAME.match(text, pos + 1)
    assert match is not None
    name = match.group(0)
    i = match.end()
    while True:
        spaced = i < len(text) and text[i] in _WS_CHARS
        while i < len(text) and text[i] in _WS_CHARS:
            i += 1
        if i >= len(text):
            return problem(pos, pos + 1 + len(name), f"the tag `<{name}` is not finished at the end of the document",
                           "finish the tag with `>` or `/>`")
        ch = text[i]
        if ch == ">" or text.startswith("/>", i):
            return problem(i, i + 1, f"unexpected `{ch}` inside the tag `<{name}>`",
                           "a tag ends with `>` or `/>`")
        if ch == "<":
            return problem(i, i + 1, f"the tag `<{name}` is not finished before the next `<`",
                           "finish the tag with `>` or `/>`")
        attr = re.compile(r"[A-Za-z_@:][\w.\-:]*").match(text, i)
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
                    return problem(j, j + 1, f"the value of `{attr.group(0)}` has no closing {quote}",
                                   f"close the value with {quote}")
                i = close + 1
                continue
            raw = re.compile(r"[^\s>/]*").match(text, j)
            value = raw.group(0) if raw else ""
            if not value:
                return problem(j, j + 1, "an attribute value is missing after `=`",
                               'write a quoted value, as in `name="value"`')
            return problem(j, j + len(value), f"attribute values must be quoted, not `{value}`",
                           f'write {attr.group(0)}="{value}"')


def syntax_error_at(source: Source, start: int, end: int, message: str, hint: str | None = None) -> PMLSyntaxError:
    """Raise-ready syntax error for other modules that find problems in markup text."""
    return syntax_error(message, source.span(start, end), hint)
