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
from functools import lru_cache
from typing import Any, cast

from lark import Lark, Token, Transformer
from lark.exceptions import UnexpectedInput, VisitError

from pml import limits
from pml.errors import Diagnostic, PMLSyntaxError, clip, limit_hint, syntax_error
from pml.syntax import grammar, lexicon
from pml.syntax.collector import building
from pml.syntax.explain import open_tags_in as open_tags_in  # (re-exported: the language server uses it)
from pml.syntax.explain import translate
from pml.syntax.nodes import (
    ELEMENT_SETTERS,
    TEXT_SETTERS,
    Attribute,
    Comment,
    Document,
    Element,
    Expr,
    Node,
    Text,
    make_attribute,
    make_element,
    make_text,
    normalize_name,
)
from pml.syntax.scanner import TREE_NEXT_RE, Raw, expressions_in, token_at
from pml.syntax.source import Source, Span, normalize_newlines

POML_ESCAPES = lexicon.POML_ESCAPES
_POML_ESCAPE_RE = lexicon.POML_ESCAPE_RE
_TAG_NAME = lexicon.TAG_NAME_RE
_ATTRIBUTE = lexicon.ATTRIBUTE_RE
_ENTITY_IN_VALUE = lexicon.ENTITY_RE
_FORBIDDEN = lexicon.FORBIDDEN_RE
_FORBIDDEN_ASCII = lexicon.FORBIDDEN_ASCII
_ATTRIBUTE_NAME, _ATTRIBUTE_VALUE = _ATTRIBUTE.groupindex["name"], _ATTRIBUTE.groupindex["value"]
_new_span = tuple.__new__  # (a `Span` from a tuple, without the call of a named tuple's `__new__`)

# The tags that may be the document's root as written (anything else gets an implicit root).
ROOT_TAGS = {"poml", "pml"}


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


class _Builder(Transformer[Token, list[Node]]):
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
        name_span = _new_span(Span, (source, start + 1, start + name_end))
        if name_end >= body_end or text[name_end:body_end].isspace():
            return name, (), name_span
        attrs: list[Attribute] = []
        for found in _ATTRIBUTE.finditer(text, name_end, body_end):
            attr_name = found.group(_ATTRIBUTE_NAME)
            name_start, name_stop = found.span(_ATTRIBUTE_NAME)
            value_start, value_end = found.span(_ATTRIBUTE_VALUE)
            if value_start < 0:  # a name alone: `true`
                span = _new_span(Span, (source, start + name_start, start + name_stop))
                attrs.append(make_attribute(attr_name, (make_text("true", span),), "true", span, span))
                continue
            raw = text[value_start + 1:value_end - 1]
            value_start += start + 1
            value_span = _new_span(Span, (source, value_start, value_start + len(raw)))
            if "{{" not in raw and "&" not in raw and "#" not in raw:  # (the usual literal value)
                parts: tuple[Text | Expr, ...] = (make_text(raw, value_span),)
            else:
                parts = self._split_value(raw, value_start)
            attrs.append(make_attribute(attr_name, parts, raw,
                                        _new_span(Span, (source, start + name_start, start + value_end)),
                                        value_span))
        return name, tuple(attrs), name_span

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


@lru_cache(maxsize=1)
def _lark() -> Lark:
    """The LALR parser over the scanner's tokens, building the AST with `_BUILDER`."""
    return grammar.lalr_parser(_BUILDER)


def _lark_nodes(text: str) -> list[Node]:
    """The nodes the LALR parser builds for `text` (`Lark.parse` is declared to return a parse tree;
    with a transformer run inline it returns what the transformer's `start` returns)."""
    return cast("list[Node]", _lark().parse(text))


def grammar_parser() -> Lark:
    """The grammar's specification parser (`pml.syntax.grammar.spec_parser`)."""
    return grammar.spec_parser()


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
    return _lark_nodes(source.text)


def parse(text: str, name: str = "<string>", *, path: Any = None) -> Document:
    """Parse markup into a `Document`, wrapping it in a root element the way POML does."""
    source = Source(normalize_newlines(text), name, path)
    return parse_source(source)


_TEXTUAL = frozenset(("TEXT", "ENTITY", "CDATA"))
_PIECES = 1024
# The groups of `TREE_NEXT_RE` the parser reads, by number: the names of a leaf, a tag and a close tag,
# and the text of a leaf.
_LEAF_NAME, _LEAF_TEXT, _TAG_NAME_GROUP, _CLOSED_NAME = (TREE_NEXT_RE.groupindex[group]
                                                          for group in ("leaf", "plain", "name", "closed"))


def _poml_escape(found: re.Match[str]) -> str:
    return POML_ESCAPES[found.group(0)]


def _fast_nodes(text: str) -> list[Node] | None:
    """Scan the grammar's tokens and nest elements with a stack.

    The grammar's only structure is "an element is an open tag, content, a close tag", so a
    stack builds the same AST as the LALR parser (the same callbacks), several times faster. The
    scanner's search (`scanner.TREE_NEXT_RE`) is run here directly: the usual tokens (text, tags,
    close tags, entities, and whole elements that hold plain text) are read from its match without
    making a token, and the rest are read by `scanner.token_at`. Text, entities and CDATA are
    merged into `Text` as they come, so a run of thousands of entities holds no token per entity.
    Anything unexpected (a character no terminal matches, a close tag with nothing open, a tag
    left open) returns None, and the LALR parser takes over to report it. An element nested
    deeper than the `max_depth` limit is reported (once) where it opens.

    This loop runs for every token of every document: the nodes and spans of the usual tokens are
    made here, as `make_text` and `make_element` make them, without a call for each.
    """
    builder = _BUILDER
    source = builder.source
    text_value = builder.text_value
    split_tag = builder._tag
    new_span = tuple.__new__
    new_node = object.__new__
    set_value, set_text_span = TEXT_SETTERS
    set_tag, set_attributes, set_children, set_span, set_name_span = ELEMENT_SETTERS
    # The search goes on where its last match ended (a new one starts where a token read on its own ends).
    search = TREE_NEXT_RE.finditer(text).__next__
    # The element being read (its open tag, where that starts, its name), and those around it.
    opened: tuple[str, int, str] | None = None
    stack: list[tuple[tuple[str, int, str] | None, list[Node]]] = []
    children: list[Node] = []
    pending: list[str] = []  # the pieces of a text that entities or CDATA break up …
    runs: list[str] = []  # … and earlier pieces, joined _PIECES at a time
    pending_start = pending_end = 0
    deepest = limits.current().max_depth
    too_deep_seen = False
    pos = 0
    size = len(text)
    while pos < size:
        try:
            found: re.Match[str] | None = search()
        except StopIteration:
            found = None
        if found is None:
            stop = end = size
            kind = None
        else:
            stop, end = found.span()
            kind = found.lastgroup
        if kind is None or pending or runs or kind == "ENTITY":  # a text that may go on, or a rarer token
            if stop > pos:
                value = text[pos:stop]
                if "#" in value:
                    value = _POML_ESCAPE_RE.sub(_poml_escape, value)
                if not pending and not runs:
                    pending_start = pos
                pending.append(value)
                pending_end = stop
                if len(pending) == _PIECES:  # thousands of entities: hold them as one string each
                    runs.append("".join(pending))
                    pending.clear()
            if found is None:
                break
            pos = end
            if kind is None:  # an expression, comment, CDATA, prolog or long tag: read on its own
                raw = token_at(text, stop)
                if raw is None:
                    return None
                kind, value, _, pos = raw
                search = TREE_NEXT_RE.finditer(text, pos).__next__
            if kind == "ENTITY" or kind == "CDATA":
                if not pending and not runs:
                    pending_start = stop
                pending.append(text_value(kind, text[stop:pos], stop, pos))
                pending_end = pos
                if len(pending) == _PIECES:
                    runs.append("".join(pending))
                    pending.clear()
                continue
            if pending:
                joined = pending[0] if len(pending) == 1 and not runs else "".join([*runs, *pending])
                children.append(make_text(joined, new_span(Span, (source, pending_start, pending_end))))
                pending.clear()
                runs.clear()
            elif runs:
                children.append(make_text("".join(runs), new_span(Span, (source, pending_start, pending_end))))
                runs.clear()
        else:  # the usual case: a whole text (if any), then a tag, a close tag or an element of plain text
            if stop > pos:
                value = text[pos:stop]
                if "#" in value:
                    value = _POML_ESCAPE_RE.sub(_poml_escape, value)
                node = new_node(Text)
                set_value(node, value)
                set_text_span(node, new_span(Span, (source, pos, stop)))
                children.append(node)
            pos = end
        if kind == "LEAF":  # `<name>plain text</name>`
            assert found is not None
            name = found.group(_LEAF_NAME)
            name_end = stop + 1 + len(name)
            if len(stack) >= deepest and not too_deep_seen:
                builder.report(_too_deep_tag(source, ("OPEN_TAG", text[stop:name_end + 1], stop, name_end + 1),
                                             len(stack) + 1))
                too_deep_seen = True
            plain_start, plain_end = found.span(_LEAF_TEXT)
            element = new_node(Element)
            set_tag(element, name)
            set_attributes(element, ())
            if plain_end > plain_start:
                node = new_node(Text)
                set_value(node, text[plain_start:plain_end])
                set_text_span(node, new_span(Span, (source, plain_start, plain_end)))
                set_children(element, (node,))
            else:
                set_children(element, ())
            set_span(element, new_span(Span, (source, stop, pos)))
            set_name_span(element, new_span(Span, (source, stop + 1, name_end)))
            children.append(element)
        elif kind == "CLOSE_TAG":
            if opened is None:
                return None
            tag, tag_start, name = opened
            closed = found.group(_CLOSED_NAME) if found is not None and found.lastgroup else \
                text[stop + 2:pos].rstrip(" \t\n\f>")
            if closed != name:
                element = builder.element_raw(("OPEN_TAG", tag, tag_start, tag_start + len(tag)), children,
                                              ("CLOSE_TAG", text[stop:pos], stop, pos))
            else:
                element = new_node(Element)
                set_tag(element, name)
                if len(tag) == len(name) + 2:  # `<name>`: no attributes
                    set_attributes(element, ())
                    set_name_span(element, new_span(Span, (source, tag_start + 1, tag_start + 1 + len(name))))
                else:
                    _, attributes, name_span = split_tag(tag, tag_start, 1)
                    set_attributes(element, attributes)
                    set_name_span(element, name_span)
                set_children(element, tuple(children))
                set_span(element, new_span(Span, (source, tag_start, pos)))
            opened, children = stack.pop()
            children.append(element)
        elif kind == "TAG" or kind == "OPEN_TAG" or kind == "EMPTY_TAG":
            value = text[stop:pos]
            name = found.group(_TAG_NAME_GROUP) if found is not None and found.lastgroup else _tag_name(value)
            if value[-2] != "/":
                stack.append((opened, children))
                opened, children = (value, stop, name), []
                if len(stack) > deepest and not too_deep_seen:
                    builder.report(_too_deep_tag(source, ("OPEN_TAG", value, stop, pos), len(stack)))
                    too_deep_seen = True
                continue
            if len(stack) >= deepest and not too_deep_seen:
                builder.report(_too_deep_tag(source, ("EMPTY_TAG", value, stop, pos), len(stack) + 1))
                too_deep_seen = True
            if len(value) == len(name) + 3:  # `<name/>`
                children.append(make_element(name, (), (), new_span(Span, (source, stop, pos)),
                                             new_span(Span, (source, stop + 1, stop + 1 + len(name)))))
            else:
                _, attributes, name_span = split_tag(value, stop, 2)
                children.append(make_element(name, attributes, (), new_span(Span, (source, stop, pos)), name_span))
        elif kind == "EXPRESSION":
            children.append(Expr(text[stop + 2:pos - 2], new_span(Span, (source, stop + 2, pos - 2))))
        elif kind == "COMMENT":
            children.append(Comment(text[stop + 4:pos - 3], new_span(Span, (source, stop, pos))))
        # PROLOG (<?xml …?>, <!DOCTYPE …>) carries nothing to render.
    if opened is not None:
        return None
    if pending or runs:
        children.append(make_text("".join([*runs, *pending]), new_span(Span, (source, pending_start, pending_end))))
    return children


def _tag_name(tag: str) -> str:
    found = _TAG_NAME.match(tag, 1)
    assert found is not None
    return found.group(0)


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
    if text.isascii():  # (a flag of the string: no search needed to know)
        if not any(char in text for char in _FORBIDDEN_ASCII):
            return
    elif _FORBIDDEN.search(text) is None:
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
    with building(len(source.text)):
        nodes = _fast_nodes(source.text)
    if nodes is None:
        _begin(source)
        _check_characters(state)
        try:
            nodes = _lark_nodes(source.text)
        except UnexpectedInput as exc:
            raise translate(exc, source, _in_order(state.problems), state.omitted) from None
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
    attrs: tuple[Attribute, ...]
    if not elements:
        attrs = (_implicit_attr("syntax", "text", whole), _implicit_attr("whiteSpace", "pre", whole))
    else:
        attrs = (_implicit_attr("syntax", "markdown", whole),)
    root = Element("poml", attrs, tuple(n for n in nodes), whole, None)
    return Document(root, source, ())


def _implicit_attr(name: str, value: str, span: Span) -> Attribute:
    return Attribute(name, (Text(value, span),), value, span, span)


def syntax_error_at(source: Source, start: int, end: int, message: str, hint: str | None = None) -> PMLSyntaxError:
    """Raise-ready syntax error for other modules that find problems in markup text."""
    return syntax_error(message, source.span(start, end), hint)
