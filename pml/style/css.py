"""The CSS reader: a stylesheet in CSS syntax → rules of declarations, recovering as CSS does.

tinycss2 tokenizes the text (undoing CSS's escapes) and splits it into rules and, inside each
rule's block, declarations. Its recovery is CSS's own:

- a bad declaration is dropped up to the next `;` (or the end of the block); the rest of the
  block still applies;
- a rule whose selector cannot be read is dropped whole, up to the end of its block;
- a block, string or comment left open at the end of the text is closed there (the rule still
  applies);
- a string is never continued past the end of its line (the declaration holding it is dropped);
- a stray `}` outside any block becomes part of the next rule's selector, which drops that rule;
- an at-rule (`@media …;` or `@media … { … }`) is dropped whole.

This module words every problem as a located warning (`pml.style.checks`), reads selectors
(`pml.style.selector_syntax`) and values (`pml.style.values.read_value`): a value that is a
single token keeps its written text (a quoted string, a number, `{…}`/`[…]` JSON); a longer one
is its tokens with each run of whitespace and comments read as one space, names taken with
their escapes undone (`Don\\'t  panic` is `Don't panic`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import tinycss2

from pml.style.checks import Place, Reporter
from pml.style.layout import Layout, Node, significant
from pml.style.model import Declaration
from pml.style.selector_syntax import CSS_RULE, read_selector_list, unexpected
from pml.style.selectors import Selector
from pml.style.values import ValueSyntaxError, read_value
from pml.syntax.source import Span

AT_RULE_HINT = "at-rules such as `@media` are not supported; a stylesheet holds only rules"
_NESTED_HINT = "write it as a rule of its own, with the whole selector"
_MIXED_HINT = "a value in `{ }` is a JSON object and stands alone; quote text that holds braces"
_CDO_CDC = ("<!--", "-->")


@dataclass(frozen=True, slots=True)
class ParsedRule:
    """A rule as written: its selector list (one rule per selector later), declarations, span."""

    selectors: tuple[Selector, ...]
    declarations: tuple[Declaration, ...]
    span: Span | None


def read_css(text: str, place: Place, reporter: Reporter) -> list[ParsedRule]:
    """The rules of a stylesheet in CSS syntax whose selectors could be read, in order."""
    return _SheetReader(text, place, reporter).read()


def _block_index(nodes: Sequence[Node], start: int) -> int:
    """The index of the first `{…}` block at or after `start` (a rule's block)."""
    for index in range(start, len(nodes)):
        if nodes[index].type == "{} block":
            return index
    return len(nodes)


def _at_rule_end(nodes: Sequence[Node], start: int) -> int:
    """Where the at-rule whose keyword is `nodes[start]` ends: after its `;` or its `{…}` block."""
    for index in range(start + 1, len(nodes)):
        node = nodes[index]
        if node == ";" or node.type == "{} block":
            return index + 1
    return len(nodes)


def _semicolon_index(nodes: Sequence[Node], start: int) -> int:
    """The index of the first `;` after `start`, or the length of `nodes`."""
    for index in range(start + 1, len(nodes)):
        if nodes[index] == ";":
            return index
    return len(nodes)


def _next_significant(nodes: Sequence[Node], start: int, stop: int) -> int | None:
    for index in range(start, stop):
        if significant(nodes[index]):
            return index
    return None


def _at_end_of_text(node: Node) -> bool:
    """A parse error that only says a string or URL was still open at the end of the text."""
    return bool(node.type == "error" and node.kind.startswith("eof-"))


def _bad_string(node: Node) -> bool:
    return bool(node.type == "error" and node.kind == "bad-string")


class _SheetReader:
    """Reads one stylesheet. Offsets are in the layout's text until they become spans."""

    def __init__(self, text: str, place: Place, reporter: Reporter) -> None:
        self.layout = Layout(text)
        self.place = place
        self.reporter = reporter
        # Set when a comment or string runs to the end of the text: it explains whatever else
        # the end of the text leaves open, so that is not reported again.
        self.open_at_end = False

    # ---- Warnings ------------------------------------------------------------------------------

    def span(self, start: int, end: int | None = None) -> Span | None:
        layout = self.layout
        end = start if end is None else end
        return self.place.span(layout.source_offset(start), layout.source_offset(end))

    def warn(self, message: str, start: int, end: int, hint: str | None = None) -> None:
        self.reporter.warn(message, self.span(start, end), hint)

    def warn_at_end(self, message: str) -> None:
        if not self.open_at_end:
            end = len(self.layout.text.rstrip())
            self.warn(message, end, end + 1)

    def end_of(self, nodes: Sequence[Node], index: int, list_end: int) -> int:
        """Where `nodes[index]` ends (a string open at the end of the text runs to the end)."""
        after = index + 1
        while after < len(nodes) and _at_end_of_text(nodes[after]):
            after += 1
        return self.layout.start(nodes[after]) if after < len(nodes) else list_end

    # ---- The sheet -----------------------------------------------------------------------------

    def read(self) -> list[ParsedRule]:
        tokens = self.layout.tokens()
        self._check_open_at_end(tokens)
        rules: list[ParsedRule] = []
        index = 0
        for item in tinycss2.parse_stylesheet(tokens):
            while index < len(tokens) and tokens[index] is not item and tokens[index] in _CDO_CDC:
                index += 1
            kind = item.type
            if kind in ("whitespace", "comment"):
                index += 1
            elif kind == "qualified-rule":
                block = _block_index(tokens, index)
                rule = self._rule(tokens, index, block)
                if rule is not None:
                    rules.append(rule)
                index = block + 1
            elif kind == "at-rule":
                self.at_rule(tokens, index, "a selector")
                index = _at_rule_end(tokens, index)
            else:  # the text ends before the rule's block
                self._no_block(tokens[index:])
                index = len(tokens)
        return rules

    def _check_open_at_end(self, tokens: Sequence[Node]) -> None:
        last = self.layout.last_leaf(tokens)
        if last is None:
            return
        start = self.layout.start(last)
        if last.type == "comment" and start + 2 + len(last.value) == self.layout.length:
            self.warn("unterminated comment; the rest of the stylesheet is ignored", start, start + 2,
                      "close it with `*/`")
            self.open_at_end = True
        elif _at_end_of_text(last):
            quote = self.layout.slice(start, start + 1)
            what = "string" if last.kind == "eof-in-string" else "`url(`"
            hint = f"close it with `{quote}`" if what == "string" else "close it with `)`"
            self.warn(f"unterminated {what} at the end of the stylesheet", start, start + 1, hint)
            self.open_at_end = True

    def _rule(self, tokens: Sequence[Node], first: int, block_index: int) -> ParsedRule | None:
        layout = self.layout
        block = tokens[block_index]
        block_start = layout.start(block)
        block_end = layout.end(tokens, block_index, layout.length)
        closed = layout.closed(block, block_end)
        if not closed:
            opened = self.span(block_start)
            where = f" at {opened.line}:{opened.column}" if opened is not None else ""
            self.warn_at_end(f"unexpected end of stylesheet: `{{` opened{where} is not closed; "
                             "the rule still applies")
        start = layout.start(tokens[first])
        selectors = self._selectors(tokens[first:block_index], block_start)
        parent = " ".join(layout.slice(start, block_start).split())
        content_end = block_end - 1 if closed else block_end
        declarations = _BlockReader(self, block.content, content_end, closed, parent).read()
        if not selectors:
            return None
        return ParsedRule(selectors, declarations, self.span(start, block_end))

    def _selectors(self, prelude: Sequence[Node], end: int) -> tuple[Selector, ...]:
        found = read_selector_list(prelude, self.layout, end, CSS_RULE)
        if found.problem is not None:
            problem = found.problem
            self.warn(f"{problem.text}; rule ignored", problem.start, problem.end, problem.hint)
            return ()
        selectors: list[Selector] = []
        valid = True
        for read in found.selectors:
            if read.selector is None:
                assert read.problem is not None
                written = self.layout.slice(read.start, read.end)
                self.warn(f"invalid selector `{written}`: {read.problem.message}; rule ignored",
                          read.start, read.end)
                valid = False
                continue
            self.reporter.check_types(read.selector, read.type_places, self.span)
            selectors.append(read.selector)
        return tuple(selectors) if valid else ()

    def at_rule(self, nodes: Sequence[Node], index: int, expected: str) -> None:
        start = self.layout.start(nodes[index])
        end = self.layout.end(nodes, index, self.layout.length)
        written = self.layout.slice(start, end)
        consequence = "rule ignored" if expected == "a selector" else "at-rule ignored"
        self.warn(f"unexpected `{written}`, expected {expected}; {consequence}", start, end, AT_RULE_HINT)

    def _no_block(self, rest: Sequence[Node]) -> None:
        """The text ends in a rule's selector: name the bracket left open, or what is wrong with
        the selector, or else that the block is missing."""
        last = rest[_last_significant(rest, len(rest))]
        if last.type in ("[] block", "() block", "function"):
            start = self.layout.start(last)
            if not self.layout.closed(last, self.layout.length):
                opened = self.span(start)
                where = f" at {opened.line}:{opened.column}" if opened is not None else ""
                bracket = self.layout.slice(start, start + 1) if last.type != "function" else "("
                self.warn_at_end(f"unexpected end of stylesheet: `{bracket}` opened{where} is not closed; "
                                 "rule ignored")
                return
        problem = read_selector_list(rest, self.layout, self.layout.length, CSS_RULE).problem
        if problem is not None and problem.start < len(self.layout.text.rstrip()):
            self.warn(f"{problem.text}; rule ignored", problem.start, problem.end, problem.hint)
            return
        self.warn_at_end("unexpected end of stylesheet, expected `{`")


def _last_significant(nodes: Sequence[Node], stop: int) -> int:
    """The index of the last significant node before `stop` (the first node if none is)."""
    index = stop - 1
    while index > 0 and not significant(nodes[index]):
        index -= 1
    return index


class _BlockReader:
    """Reads the declarations of one rule's block, as CSS consumes a block's contents.

    An at-rule runs to its `;` or through its `{…}` block. Anything else is read as a
    declaration up to the next `;` (tinycss2 reads the name, the value and `!important`); what
    is not a declaration is a nested rule if a `{…}` block comes before the `;` (it runs through
    that block), and otherwise is dropped up to the `;`. (tinycss2's own reader of a block's
    contents ends a declaration at any `{…}` block, so it would not read
    `writer-options: {"a": 1} !important` as one declaration.)
    """

    def __init__(self, sheet: _SheetReader, nodes: Sequence[Node], end: int, closed: bool, parent: str) -> None:
        self.sheet = sheet
        self.layout = sheet.layout
        self.nodes = nodes
        self.end = end  # where the block's inside ends (at its `}`, or the end of the text)
        self.closed = closed
        self.parent = parent  # the rule's selector as written, for hints

    def read(self) -> tuple[Declaration, ...]:
        nodes = self.nodes
        declarations: list[Declaration] = []
        index = 0
        while index < len(nodes):
            node = nodes[index]
            if not significant(node) or node == ";":
                index += 1
            elif node.type == "at-keyword":
                self.sheet.at_rule(nodes, index, "a property")
                index = _at_rule_end(nodes, index)
            else:
                index = self._declaration_or_rule(index, declarations)
        return tuple(declarations)

    def _declaration_or_rule(self, index: int, declarations: list[Declaration]) -> int:
        """Read what starts at `index`; the index after it."""
        nodes = self.nodes
        stop = _semicolon_index(nodes, index)
        item = tinycss2.parse_one_declaration(nodes[index:stop]) if nodes[index].type == "ident" else None
        if item is not None and item.type == "declaration":
            declaration = self._declaration(item, index, stop)
            if declaration is not None:
                declarations.append(declaration)
            return stop
        block = _block_index(nodes, index)
        if block < stop:
            self._rule_in_block(index, block)
            return block + 1
        self._not_a_declaration(index, stop)
        return stop

    def _declaration(self, item: Node, index: int, stop: int) -> Declaration | None:
        layout, nodes, sheet = self.layout, self.nodes, self.sheet
        colon = _next_significant(nodes, index + 1, stop)
        assert colon is not None
        first, last = colon + 1, colon + 1 + len(item.value)
        while first < last and not significant(nodes[first]):
            first += 1
        while last > first and not significant(nodes[last - 1]):
            last -= 1
        final = _last_significant(nodes, stop)
        name_start = layout.start(nodes[index])
        span = sheet.span(name_start, sheet.end_of(nodes, final, self.end))
        if self._value_syntax(first, last, stop):
            return None

        def name_span() -> Span | None:
            return sheet.span(name_start, layout.end(nodes, index, self.end))

        name = sheet.reporter.property_name(item.name, name_span)
        if name is None:
            return None
        written = self._value_text(first, last)
        if written is None:
            sheet.reporter.warn(f"`{item.name}` has no value; declaration ignored", name_span())
            return None
        text, start, exact = written
        try:
            value = read_value(text)
        except ValueSyntaxError as problem:
            where = start + problem.position if exact else start
            sheet.warn(f"the value of `{item.name}` is not valid JSON: {problem.message}; declaration ignored",
                       where, where + 1)
            return None
        if not sheet.reporter.value_fits(name, value, span):
            return None
        return Declaration(name, value, bool(item.important), span)

    def _value_syntax(self, first: int, last: int, stop: int) -> bool:
        """Report what makes a value unreadable: a string cut by the end of its line, or
        `!important` before the end. True if there is such a problem."""
        nodes = self.nodes
        for index in range(first, last):
            node = nodes[index]
            if _bad_string(node):
                self._warn_unexpected(index, None, "declaration ignored")
                return True
            if node == "!":
                following = _next_significant(nodes, index + 1, stop)
                if following is not None and nodes[following].type == "ident" \
                        and nodes[following].lower_value == "important":
                    extra = _next_significant(nodes, following + 1, stop)
                    if extra is not None:
                        self._warn_unexpected(extra, "`;` or `}`", "declaration ignored")
                        return True
        return False

    def _value_text(self, first: int, last: int) -> tuple[str, int, bool] | None:
        """The value's text, where it starts, and whether the text is the written text itself
        (so that offsets in it are offsets in the layout's text); None for no value."""
        layout, nodes = self.layout, self.nodes
        meaningful = [k for k in range(first, last) if significant(nodes[k]) and not _at_end_of_text(nodes[k])]
        if not meaningful:
            return None
        if len(meaningful) == 1:
            node = nodes[meaningful[0]]
            start = layout.start(node)
            if node.type == "ident":
                return node.value, start, False
            written = layout.slice(start, self.sheet.end_of(nodes, meaningful[0], self.end))
            if node.type == "string" and _at_end_of_text_after(nodes, meaningful[0]):
                written += written[0]
            return written, start, True
        pieces: list[str] = []
        gap = False
        for index in range(first, last):
            node = nodes[index]
            if not significant(node):
                gap = True
                continue
            if _at_end_of_text(node):
                continue
            if gap and pieces:
                pieces.append(" ")
            gap = False
            if node.type == "ident":
                pieces.append(node.value)
            else:
                start = layout.start(node)
                pieces.append(layout.slice(start, self.sheet.end_of(nodes, index, self.end)))
        return "".join(pieces), layout.start(nodes[first]), False

    def _rule_in_block(self, index: int, block: int) -> None:
        """A rule inside the block (nested rules are not supported), or a declaration whose value
        mixes words and a `{…}` block."""
        nodes = self.nodes
        if self._warned_bad_string(index, block):
            return
        if block == index:
            self._warn_unexpected(index, "a property", "ignored")
            return
        colon = _next_significant(nodes, index + 1, block)
        if nodes[index].type == "ident" and colon is not None and nodes[colon] == ":":
            start = self.layout.start(nodes[block])
            self.sheet.warn(f"the value of `{nodes[index].value}` mixes words and a `{{…}}` block; "
                            "declaration ignored", start, start + 1, _MIXED_HINT)
            return
        layout = self.layout
        start = layout.start(nodes[index])
        selector = " ".join(layout.slice(start, layout.start(nodes[block])).split())
        hint = _NESTED_HINT
        if "," not in self.parent and "," not in selector:
            hint += f": `{self.parent} {selector} {{ … }}`"
        self.sheet.warn("nested rules are not supported; rule ignored", start,
                        layout.end(nodes, index, self.end), hint)

    def _not_a_declaration(self, index: int, stop: int) -> None:
        """What runs from `index` to the next `;` is neither a declaration nor a rule."""
        nodes = self.nodes
        if self._warned_bad_string(index, stop):
            return
        if nodes[index].type != "ident":
            self._warn_unexpected(index, "a property", "declaration ignored")
            return
        following = _next_significant(nodes, index + 1, stop)
        if following is not None:
            self._warn_unexpected(following, "`:`", "declaration ignored")
        elif stop < len(nodes):
            self._warn_unexpected(stop, "`:`", "declaration ignored")
        elif self.closed:
            self.sheet.warn("unexpected `}`, expected `:`; declaration ignored", self.end, self.end + 1)
        else:
            self.sheet.warn_at_end("unexpected end of stylesheet, expected `:`; declaration ignored")

    def _warned_bad_string(self, start: int, stop: int) -> bool:
        for index in range(start, stop):
            if _bad_string(self.nodes[index]):
                self._warn_unexpected(index, None, "declaration ignored")
                return True
        return False

    def _warn_unexpected(self, index: int, expected: str | None, consequence: str) -> None:
        problem = unexpected(self.nodes, index, self.layout, self.end, expected)
        self.sheet.warn(f"{problem.text}; {consequence}", problem.start, problem.end, problem.hint)


def _at_end_of_text_after(nodes: Sequence[Node], index: int) -> bool:
    return index + 1 < len(nodes) and _at_end_of_text(nodes[index + 1])
