"""Markup → AST: the Lark parser for `grammar/pml.lark` and the transformer that builds `nodes`.

The LALR parser runs with the transformer inline (no intermediate tree), so parsing and AST
construction are one pass. Every failure leaves here as a `PMLSyntaxError` with a location, an
excerpt and a hint; Lark's own exceptions never reach the caller.
"""

from __future__ import annotations

import html.entities
import re
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


class _Builder(Transformer):  # type: ignore[type-arg]
    """Lark callbacks → AST nodes. One instance per parse (it holds the source)."""

    def __init__(self, source: Source) -> None:
        super().__init__(visit_tokens=False)
        self.source = source
        self.problems: list[Diagnostic] = []

    # -- helpers
    def _span(self, start: int, end: int) -> Span:
        return self.source.span(start, end)

    def _tok_span(self, tok: Token) -> Span:
        return self.source.span(tok.start_pos or 0, tok.end_pos or 0)

    # -- content
    def start(self, children: list[Any]) -> list[Node]:
        return children[0]

    def content(self, children: list[Any]) -> list[Node]:
        out: list[Node] = []
        pending: list[str] = []
        pending_start = 0
        pending_end = 0

        def flush() -> None:
            if pending:
                out.append(Text("".join(pending), self._span(pending_start, pending_end)))
                pending.clear()

        for child in children:
            if isinstance(child, Token):
                kind = child.type
                start, end = child.start_pos or 0, child.end_pos or 0
                if kind in ("TEXT", "ENTITY", "CDATA"):
                    if not pending:
                        pending_start = start
                    pending.append(self._text_value(child))
                    pending_end = end
                    continue
                flush()
                if kind == "EXPRESSION":
                    out.append(Expr(str(child)[2:-2], self._span(start + 2, end - 2)))
                elif kind == "COMMENT":
                    out.append(Comment(str(child)[4:-3], self._span(start, end)))
                # PROLOG (<?xml …?>, <!DOCTYPE …>) carries nothing to render.
            else:
                flush()
                out.append(child)
        flush()
        return out

    def _text_value(self, tok: Token) -> str:
        text = str(tok)
        if tok.type == "TEXT":
            if "#" in text:
                text = _POML_ESCAPE_RE.sub(lambda m: POML_ESCAPES[m.group(0)], text)
            return text
        if tok.type == "CDATA":
            return text[9:-3]
        value = decode_entity(text)
        if value is None:
            self.problems.append(
                Diagnostic(
                    "error",
                    f"unknown entity `{text}`",
                    self._tok_span(tok),
                    "write `&amp;` for a literal `&`, or use a numeric entity such as `&#38;`",
                    "syntax",
                )
            )
            return text
        return value

    # -- elements
    def open_tag(self, children: list[Any]) -> tuple[Token, Token, list[Attribute], Token]:
        return children[0], children[1], children[2:-1], children[-1]

    def empty_tag(self, children: list[Any]) -> tuple[Token, Token, list[Attribute], Token]:
        return children[0], children[1], children[2:-1], children[-1]

    def close_tag(self, children: list[Any]) -> tuple[Token, Token, Token]:
        return children[0], children[1], children[2]

    def element(self, children: list[Any]) -> Element:
        (lt, name, attrs, _), body, (close_lt, close_name, close_end) = children
        if normalize_name(str(name)) != normalize_name(str(close_name)):
            opened = self._tok_span(name)
            self.problems.append(
                Diagnostic(
                    "error",
                    f"`</{close_name}>` closes `<{name}>`, opened at {opened.line}:{opened.column}",
                    self._span(close_lt.start_pos or 0, close_end.end_pos or 0),
                    f"close `<{name}>` first with `</{name}>`, or rename this tag",
                    "syntax",
                )
            )
        span = self._span(lt.start_pos or 0, close_end.end_pos or 0)
        return Element(str(name), tuple(attrs), tuple(body), span, self._tok_span(name))

    def empty_element(self, children: list[Any]) -> Element:
        lt, name, attrs, end = children[0]
        span = self._span(lt.start_pos or 0, end.end_pos or 0)
        return Element(str(name), tuple(attrs), (), span, self._tok_span(name))

    def attribute(self, children: list[Any]) -> Attribute:
        name_tok, _, value_tok = children
        name = str(name_tok).lstrip()
        name_start = (name_tok.end_pos or 0) - len(name)
        value_start = (value_tok.start_pos or 0) + 1
        raw = str(value_tok)[1:-1]
        parts = self._split_value(raw, value_start)
        return Attribute(
            name,
            parts,
            raw,
            self._span(name_start, value_tok.end_pos or 0),
            self._span(value_start, value_start + len(raw)),
        )

    def bare_attribute(self, children: list[Any]) -> Attribute:
        (name_tok,) = children
        name = str(name_tok).lstrip()
        start = (name_tok.end_pos or 0) - len(name)
        span = self._span(start, name_tok.end_pos or 0)
        return Attribute(name, (Text("true", span),), "true", span, span)

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


@lru_cache(maxsize=1)
def _lark() -> Lark:
    return Lark(
        grammar_text(),
        parser="lalr",
        lexer="contextual",
        propagate_positions=False,
        maybe_placeholders=False,
        start="start",
    )


def grammar_parser() -> Lark:
    """A tree-building parser for the same grammar (for tools and property tests)."""
    return Lark(grammar_text(), parser="lalr", lexer="contextual", propagate_positions=True)


def parse(text: str, name: str = "<string>", *, path: Any = None) -> Document:
    """Parse markup into a `Document`, wrapping it in a root element the way POML does."""
    source = Source(normalize_newlines(text), name, path)
    return parse_source(source)


def parse_source(source: Source) -> Document:
    builder = _Builder(source)
    try:
        tree = _lark().parse(source.text)
        nodes = builder.transform(tree)
    except UnexpectedInput as exc:
        raise _translate(exc, source, builder.problems) from None
    except VisitError as exc:  # pragma: no cover - the builder raises nothing itself
        raise exc.orig_exc from None
    if builder.problems:
        raise PMLSyntaxError(builder.problems)
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


def _open_tags(text: str) -> tuple[list[tuple[str, int]], tuple[str, int, str, int, int] | None]:
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
    return PMLSyntaxError([*earlier, diag])


def _explain(exc: UnexpectedInput, source: Source, pos: int, found: str) -> Diagnostic:
    text = source.text

    def at(start: int, end: int | None = None, message: str = "", hint: str | None = None) -> Diagnostic:
        return Diagnostic("error", message, source.span(start, end if end is not None else start + 1), hint, "syntax")

    if pos >= len(text):
        open_tags, mismatch = _open_tags(text)
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
        if name and not rest[2:3].isspace():
            return at(pos, end + 1, f"`</{name}>` closes nothing: there is no open tag here",
                      f"remove it, or add the matching `<{name}>` before it")
        return at(pos, end, "a closing tag needs a name, as in `</task>`")
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


def syntax_error_at(source: Source, start: int, end: int, message: str, hint: str | None = None) -> PMLSyntaxError:
    """Raise-ready syntax error for other modules that find problems in markup text."""
    return syntax_error(message, source.span(start, end), hint)
