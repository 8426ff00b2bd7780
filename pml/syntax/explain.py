"""Why markup does not parse: the diagnostic for the place the LALR parser stopped.

The parser (`pml.syntax.parser`) gives up at a character no terminal matches, at a close tag with
nothing open, or at the end of a document with tags still open. This module turns that place
into one located diagnostic with a hint: an unclosed expression, comment, CDATA section or
processing instruction, a tag that is not finished (and what in it is wrong), a close tag that
closes nothing or the wrong tag. It reads the text with the patterns of `pml.syntax.lexicon`, and
scans broken markup leniently (`pml.syntax.scanner.loose_tags`) to find which tags are open.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lark.exceptions import UnexpectedInput, UnexpectedToken

from pml.errors import Diagnostic, PMLSyntaxError, clip
from pml.syntax import lexicon
from pml.syntax.nodes import normalize_name
from pml.syntax.scanner import loose_tags
from pml.syntax.source import Source


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


def translate(exc: UnexpectedInput, source: Source, earlier: list[Diagnostic], omitted: int) -> PMLSyntaxError:
    """The error for a parse that stopped with `exc`, after the problems found `earlier`."""
    pos = getattr(exc, "pos_in_stream", None)
    text = source.text
    if pos is None or (isinstance(exc, UnexpectedToken) and exc.token.type == "$END"):
        pos = len(text)
    diag = explain(source, pos)
    if any(d.message == diag.message for d in earlier):
        return PMLSyntaxError(earlier, omitted=omitted)
    return PMLSyntaxError([*earlier, diag], omitted=omitted)


@dataclass(frozen=True)
class _Opening:
    """Markup that starts with `opener` and was not finished: what to say about it."""

    opener: str
    message: str
    hint: str
    ignore_case: bool = False

    def at(self, text: str, pos: int) -> bool:
        if self.ignore_case:
            return re.compile(re.escape(self.opener), re.IGNORECASE).match(text, pos) is not None
        return text.startswith(self.opener, pos)


# In order: the first whose opener is at the place the parser stopped explains it.
_UNFINISHED = (
    _Opening(lexicon.EXPRESSION_OPEN, "unclosed expression: `{{` has no matching `}}`",
             "close it with `}}`, or write `#lbrace;#lbrace;` for literal braces"),
    _Opening(lexicon.COMMENT.opener, "unclosed comment: `<!--` has no matching `-->`", "end the comment with `-->`"),
    _Opening(lexicon.CDATA.opener, "unclosed CDATA section", "end it with `]]>`"),
    _Opening(lexicon.DOCTYPE.opener, "unclosed DOCTYPE declaration", "end it with `>`", ignore_case=True),
    _Opening("<!", "`<!` starts no comment, CDATA section or DOCTYPE",
             "write `&lt;!` for a literal `<!`, or `<!-- … -->` for a comment"),
    _Opening(lexicon.PROCESSING_INSTRUCTION.opener, "unclosed processing instruction", "end it with `?>`"),
)


def explain(source: Source, pos: int) -> Diagnostic:
    """The diagnostic for the place the parser stopped: the token at `pos` is not well formed,
    does not fit (a close tag with nothing open), or the document ends too soon."""
    text = source.text

    def at(start: int, end: int | None = None, message: str = "", hint: str | None = None) -> Diagnostic:
        return Diagnostic("error", message, source.span(start, end if end is not None else start + 1), hint, "syntax")

    if pos >= len(text):
        return _at_end(source)
    for opening in _UNFINISHED:
        if opening.at(text, pos):
            return at(pos, pos + len(opening.opener), opening.message, opening.hint)
    if text.startswith(lexicon.CLOSE_TAG_OPEN, pos):
        return _close_tag(source, pos)
    if text.startswith(lexicon.TAG_OPEN, pos) and lexicon.TAG_NAME_RE.match(text, pos + 1):
        return _diagnose_tag(source, pos)
    found = text[pos]
    shown = found if found.strip() else repr(found)
    return at(pos, pos + 1, f"unexpected `{shown}`", "expected text or a tag")


def _at_end(source: Source) -> Diagnostic:
    """The document ended too soon: a tag closed by the wrong name, one left open, or a tag unfinished."""
    text = source.text
    open_tags, mismatch = open_tags_in(text)
    if mismatch is not None:
        name, start, opened, opened_at, end = mismatch
        line, column = source.position(opened_at)
        return Diagnostic("error", f"`</{clip(name)}>` closes `<{clip(opened)}>`, opened at {line}:{column}",
                          source.span(start, end), f"close `<{clip(opened)}>` first with `</{clip(opened)}>`, "
                          "or rename this tag", "syntax")
    if open_tags:
        name, start = open_tags[-1]
        line, column = source.position(start)
        shown = clip(name)
        return Diagnostic("error", f"unexpected end of document: `<{shown}>` opened at {line}:{column} is not closed",
                          source.span(start, start + len(name) + 1),
                          f"add `</{shown}>` where its content ends, or write `<{shown}/>` if it has none", "syntax")
    return Diagnostic("error", "unexpected end of document inside a tag", source.span(max(0, len(text) - 1), len(text)),
                      "finish the tag with `>` or `/>`", "syntax")


def _close_tag(source: Source, pos: int) -> Diagnostic:
    """A close tag the parser stopped at: unfinished, without a name, or closing nothing."""
    text = source.text
    match = lexicon.LOOSE_CLOSE_START_RE.match(text, pos)
    name = clip(match.group(1)) if match else ""
    end = match.end() if match else pos + 2
    if not lexicon.CLOSE_TAG_RE.match(text, pos):
        message = f"the closing tag `</{name}` is not finished" if name else \
            "a closing tag needs a name, as in `</task>`"
        return Diagnostic("error", message, source.span(pos, end), "finish it with `>`", "syntax")
    if name and not text[pos + 2 : pos + 3].isspace():
        return Diagnostic("error", f"`</{name}>` closes nothing: there is no open tag here", source.span(pos, end + 1),
                          f"remove it, or add the matching `<{name}>` before it", "syntax")
    return Diagnostic("error", "a closing tag needs a name, as in `</task>`", source.span(pos, end), None, "syntax")


def _diagnose_tag(source: Source, pos: int) -> Diagnostic:
    """Explain why the tag starting at `pos` is not well formed."""
    text = source.text
    spaces = lexicon.SPACE_CHARS

    def problem(start: int, end: int, message: str, hint: str) -> Diagnostic:
        return Diagnostic("error", message, source.span(start, max(end, start + 1)), hint, "syntax")

    match = lexicon.TAG_NAME_RE.match(text, pos + 1)
    assert match is not None
    name = clip(match.group(0))
    i = match.end()
    while True:
        spaced = i < len(text) and text[i] in spaces
        while i < len(text) and text[i] in spaces:
            i += 1
        if i >= len(text):
            return problem(pos, match.end(), f"the tag `<{name}` is not finished at the end of the document",
                           "finish the tag with `>` or `/>`")
        ch = text[i]
        if ch == lexicon.TAG_CLOSE or text.startswith(lexicon.EMPTY_TAG_CLOSE, i):
            return problem(i, i + 1, f"unexpected `{ch}` inside the tag `<{name}>`",
                           "a tag ends with `>` or `/>`")
        if ch == lexicon.TAG_OPEN:
            return problem(i, i + 1, f"the tag `<{name}` is not finished before the next `<`",
                           "finish the tag with `>` or `/>`")
        attr = lexicon.ATTRIBUTE_NAME_RE.match(text, i)
        if attr is None or not spaced:
            shown = ch if not ch.isspace() else repr(ch)
            hint = "put a space before each attribute" if attr is not None else \
                'attributes are written `name="value"`, and a tag ends with `>` or `/>`'
            return problem(i, i + 1, f"unexpected `{shown}` inside the tag `<{name}>`", hint)
        i = attr.end()
        j = i
        while j < len(text) and text[j] in spaces:
            j += 1
        if j < len(text) and text[j] == "=":
            j += 1
            while j < len(text) and text[j] in spaces:
                j += 1
            if j >= len(text):
                return problem(j - 1, j, "an attribute value is missing after `=`",
                               'write a quoted value, as in `name="value"`')
            quote = text[j]
            if quote in lexicon.QUOTES:
                close = text.find(quote, j + 1)
                if close == -1:
                    return problem(j, j + 1, f"the value of `{clip(attr.group(0))}` has no closing {quote}",
                                   f"close the value with {quote}")
                i = close + 1
                continue
            raw = lexicon.UNQUOTED_VALUE_RE.match(text, j)
            value = raw.group(0) if raw else ""
            if not value:
                return problem(j, j + 1, "an attribute value is missing after `=`",
                               'write a quoted value, as in `name="value"`')
            return problem(j, j + len(value), f"attribute values must be quoted, not `{clip(value)}`",
                           f'write {clip(attr.group(0))}="{clip(value)}"')
