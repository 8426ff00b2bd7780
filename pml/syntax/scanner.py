"""Markup → tokens: the lexer of `grammar/pml.lark`, written out by hand so it runs in linear time and memory.

The grammar's terminals (`pml.syntax.lexicon.TERMINALS`) are the specification; this module
splits text exactly as they do, with the same named parts (`tests/test_lexicon.py` and
`tests/test_scanner.py` check it against Lark's lexer over the terminals). It exists because
CPython's regular-expression engine keeps a backtracking record for every repetition of a
group with alternatives: matching the grammar's `TEXT`, `COMMENT`, `CDATA` or `EXPRESSION` over a
10 MB run held about 120 bytes per character. Here every token's end is found with `str.find`,
searches for a few stop characters, and regular expressions that repeat only single character
classes (which the engine runs without records) or a group a bounded number of times.

A token is `(terminal name, text, start offset, end offset)`. `scan` yields them in order and
raises `ScanError` at the first character no terminal matches. The parser does not take tokens:
it runs the same search (`TREE_NEXT_RE`, which also reads an element of plain text whole) and
reads the usual tokens from its matches, and the rest with `token_at`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from pml.syntax import lexicon

# A token as the parser sees it: (terminal name, text, start offset, end offset).
Raw = tuple[str, str, int, int]


class ScanError(Exception):
    """No terminal matches at `pos` (the parser explains why)."""

    def __init__(self, pos: int) -> None:
        super().__init__(pos)
        self.pos = pos


_WS = lexicon.SPACE
# Where text stops: a `<` that may start a tag, comment, CDATA, prolog or close tag; `{{`; an entity.
_TEXT_STOP = re.compile(lexicon.TEXT_STOP)
# Where text stops, and the token there when it is a tag with at most eight attributes, a close tag
# or an entity (the usual cases, read whole in the same match; the outer group is named for the
# token, so it is the match's `lastgroup`; `name` and `closed` are the tag names).
_TAG_CHOICES = (
    rf"(?P<TAG>(?P<name>{lexicon.TAG_NAME})(?:{lexicon.ATTRIBUTE}){{0,8}}{_WS}*/?>)"
    rf"|(?P<CLOSE_TAG>/(?P<closed>{lexicon.TAG_NAME}){_WS}*>)|{lexicon.MARKUP_START}"
)
_OTHER_CHOICES = rf"\{{\{{|&(?P<ENTITY>{lexicon.ENTITY_BODY})"
# (Each choice starts with its character, so the engine skips text quickly.)
NEXT_RE = re.compile(rf"<(?:{_TAG_CHOICES})|{_OTHER_CHOICES}")
# The same for the parser, with one more choice tried first: a whole element without attributes that
# holds only plain text (`lexicon.PLAIN_TEXT`), `<name>text</name>`, as `LEAF` (its name `leaf`, its
# text `plain`). It stands for the tokens open tag, text (when there is some) and close tag. (The text
# is an atomic group: when no close tag follows it, giving characters back cannot find one, since the
# text holds no `<`, so the engine gives up at once instead of backing through it.)
_LEAF = rf"(?P<LEAF>(?P<leaf>{lexicon.TAG_NAME})>(?P<plain>(?>{lexicon.PLAIN_TEXT}))</(?P=leaf){_WS}*>)"
TREE_NEXT_RE = re.compile(rf"<(?:{_LEAF}|{_TAG_CHOICES})|{_OTHER_CHOICES}")
# A tag with more attributes: the name, one attribute at a time, and the end.
_TAG_NAME = re.compile(rf"<{lexicon.TAG_NAME}")
_ONE_ATTR = re.compile(lexicon.ATTRIBUTE)
_TAG_END = re.compile(rf"{_WS}*(/?)>")
_CLOSE_TAG = lexicon.CLOSE_TAG_RE
_EXPRESSION_STOP = re.compile(rf"{re.escape(lexicon.EXPRESSION_CLOSE)}|[{lexicon.EXPRESSION_STRING_QUOTES}]")
_STRING_STOP = {quote: re.compile(rf"[{quote}\\]") for quote in lexicon.EXPRESSION_STRING_QUOTES}
# The sections a `<!` or `<?` may open, and the lengths of their openers.
_SECTIONS = tuple(
    (re.compile(re.escape(section.opener), re.IGNORECASE if section.ignore_case else 0), section)
    for section in lexicon.SECTIONS
)


def scan(text: str) -> Iterator[Raw]:
    """The tokens of `text`, in order; `ScanError` where no terminal matches."""
    end = len(text)
    pos = 0
    search = NEXT_RE.search
    while pos < end:
        found = search(text, pos)
        if found is None:
            yield ("TEXT", text[pos:], pos, end)
            return
        stop = found.start()
        if stop > pos:
            yield ("TEXT", text[pos:stop], pos, stop)
        kind = found.lastgroup
        if kind is not None:  # a whole tag, close tag or entity
            pos = found.end()
            if kind == "TAG":
                kind = "EMPTY_TAG" if text[pos - 2] == "/" else "OPEN_TAG"
            yield (kind, found.group(), stop, pos)
            continue
        raw = token_at(text, stop)
        if raw is None:
            raise ScanError(stop)
        yield raw
        pos = raw[3]


def token_at(text: str, pos: int) -> Raw | None:
    """The token at a stop `NEXT_RE` found but did not read whole: an expression, a comment, CDATA, a
    prolog or a tag with many attributes; None when none is there (a `ScanError` to `scan`)."""
    return _expression(text, pos) if text[pos] == "{" else _markup(text, pos)


def text_end(text: str, pos: int) -> int:
    """Where the `TEXT` token starting at `pos` ends (`pos` itself when no text starts there)."""
    found = _TEXT_STOP.search(text, pos)
    return len(text) if found is None else found.start()


def _expression(text: str, pos: int) -> Raw | None:
    end = expression_end(text, pos)
    return ("EXPRESSION", text[pos:end], pos, end) if end >= 0 else None


def _markup(text: str, pos: int) -> Raw | None:
    """The token at a `<` that text stops at: a tag, close tag, comment, CDATA or prolog."""
    second = text[pos + 1]
    if second == "/":
        found = _CLOSE_TAG.match(text, pos)
        return ("CLOSE_TAG", found.group(), pos, found.end()) if found else None
    if second == "!" or second == "?":
        return _section(text, pos)
    return _tag(text, pos)


def _section(text: str, pos: int) -> Raw | None:
    """The comment, CDATA section, processing instruction or DOCTYPE at `pos`: to its first closer."""
    for opener, section in _SECTIONS:
        if opener.match(text, pos):
            at = text.find(section.closer, pos + len(section.opener))
            if at < 0:
                return None
            end = at + len(section.closer)
            return (section.terminal, text[pos:end], pos, end)
    return None


def _tag(text: str, pos: int) -> Raw | None:
    """A tag with more attributes than `NEXT_RE` reads at once, or no tag (None)."""
    name = _TAG_NAME.match(text, pos)
    if name is None:
        return None
    at = name.end()
    attribute = _ONE_ATTR.match
    while (found := attribute(text, at)) is not None:
        at = found.end()
    close = _TAG_END.match(text, at)
    if close is None:
        return None
    return ("EMPTY_TAG" if close.group(1) else "OPEN_TAG", text[pos : close.end()], pos, close.end())


def expression_end(text: str, start: int) -> int:
    """The end of the `{{ … }}` at `start` (just after its `}}`), or -1 when it is not closed.

    The expression ends at the first `}}` outside a quoted string; a backslash in a string
    escapes the next character, and a string that is not closed leaves the expression open.
    """
    search = _EXPRESSION_STOP.search
    pos = start + 2
    while True:
        found = search(text, pos)
        if found is None:
            return -1
        at = found.start()
        char = text[at]
        if char == "}":
            return at + 2
        pos = _string_end(text, at + 1, char)
        if pos < 0:
            return -1


def _string_end(text: str, pos: int, quote: str) -> int:
    search = _STRING_STOP[quote].search
    while True:
        found = search(text, pos)
        if found is None:
            return -1
        at = found.start()
        if text[at] == quote:
            return at + 1
        if at + 1 >= len(text):
            return -1
        pos = at + 2


def expressions_in(value: str) -> Iterator[tuple[int, int]]:
    """The `{{ … }}` expressions in an attribute value, as (start, end) offsets.

    Stops at the first `{{` that is not closed (the parser reports it), so that a value full of
    unclosed braces costs one pass, not one pass per brace.
    """
    pos = 0
    while (start := value.find("{{", pos)) >= 0:
        end = expression_end(value, start)
        if end < 0:
            return
        yield start, end
        pos = end


# ---------------------------------------------------------------- a lenient scan for explanations

_LOOSE_STOP = re.compile(rf"{re.escape(lexicon.TAG_OPEN)}|{re.escape(lexicon.EXPRESSION_OPEN)}")
_LOOSE_TAG = lexicon.LOOSE_TAG_RE
_LOOSE_ATTR = lexicon.LOOSE_ATTRIBUTE_RE
_LOOSE_END = lexicon.LOOSE_TAG_END_RE
_LOOSE_SKIPS = lexicon.LOOSE_SKIPS


def loose_tags(text: str) -> Iterator[tuple[str, bool, bool, int, int]]:
    """The tags of possibly broken markup: (name, is a close tag, is empty, start, end).

    Comments, CDATA, prologs and expressions are skipped (an unclosed one runs to the end);
    attribute names may be anything but space, `=`, `/` and `>`; what is not a tag is passed over.
    Used to explain errors and by the language server on text being edited.
    """
    pos = 0
    while (found := _LOOSE_STOP.search(text, pos)) is not None:
        at = found.start()
        skipped = False
        for opener, closer in _LOOSE_SKIPS:
            if text.startswith(opener, at):
                close = text.find(closer, at + len(opener))
                pos = len(text) if close < 0 else close + len(closer)
                skipped = True
                break
        if skipped:
            continue
        name = _LOOSE_TAG.match(text, at)
        if name is None:
            pos = at + 1
            continue
        end = name.end()
        while (attribute := _LOOSE_ATTR.match(text, end)) is not None:
            end = attribute.end()
        close_mark = _LOOSE_END.match(text, end)
        if close_mark is None:
            pos = at + 1
            continue
        yield name.group(2), bool(name.group(1)), bool(close_mark.group(1)), at, close_mark.end()
        pos = close_mark.end()


__all__ = [
    "NEXT_RE",
    "TREE_NEXT_RE",
    "Raw",
    "ScanError",
    "expression_end",
    "expressions_in",
    "loose_tags",
    "scan",
    "text_end",
    "token_at",
]
