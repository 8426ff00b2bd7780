"""The lexicon of PML markup: what every token looks like, defined once.

Everything that reads markup text takes its patterns from here:

- the grammar (`grammar/pml.lark`) declares its terminals, and `TERMINALS` defines them: the spec
  parser (`pml.syntax.grammar.spec_parser`) is the grammar file with these definitions written in;
- the scanner (`pml.syntax.scanner`) reads the same tokens in linear time and memory, built from
  the same pieces (`tests/test_lexicon.py` checks that it splits text exactly as the terminals do);
- the parser splits tags into names and attributes, and explains malformed markup, with them;
- the language server (`pml.lsp.cursor`, `pml.lsp.completion`) reads tags being typed with them.

Patterns are strings, so that they compose; names ending in `_RE` are compiled. Character-class
bodies (`NAME_START`, `NAME_CHAR`, …) are written without their brackets so that a class can be
extended (an attribute name may also start with `@` or `:`).

Before any token is read, characters markup cannot hold are refused (`FORBIDDEN_RE`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# ---------------------------------------------------------------- characters

FORBIDDEN_RE = re.compile("[\x00-\x08\x0b\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters markup cannot hold (XML's rule, with form feed allowed as in HTML): C0 controls other
than tab, newline, carriage return and form feed; lone surrogates, which no encoding can write; and
the non-characters U+FFFE and U+FFFF."""
FORBIDDEN_ASCII = tuple(chr(code) for code in range(128) if FORBIDDEN_RE.match(chr(code)))
"""The ASCII characters of `FORBIDDEN_RE` (an ASCII text is checked for each, faster than the search)."""

SPACE_CHARS = " \t\n\f"
"""The characters that separate a tag's name and attributes (newlines are normalized to `\\n`
before markup is read, so a carriage return never reaches a tag)."""

SPACE = r"[ \t\n\f]"
"""One of `SPACE_CHARS`, as a pattern."""

# ---------------------------------------------------------------- names

NAME_START = "A-Za-z_"
"""The characters a tag name starts with (a character-class body): an ASCII letter or `_`."""

NAME_CHAR = r"\w.\-:"
"""The characters a name continues with (a character-class body): any letter or digit, `_`, `.`,
`-` and `:`."""

TAG_NAME = rf"[{NAME_START}][{NAME_CHAR}]*"
"""A tag name: `[A-Za-z_][\\w.\\-:]*` (`system-msg`, `output.format`, `x:y`)."""

TAG_NAME_RE = re.compile(TAG_NAME)

ATTRIBUTE_NAME = rf"[{NAME_START}@:][{NAME_CHAR}]*"
"""An attribute name: a tag name that may also start with `@` or `:` (`@click`, `:value`)."""

ATTRIBUTE_NAME_RE = re.compile(ATTRIBUTE_NAME)

NAME_WORD = rf"[{NAME_CHAR}@]*"
"""The characters of a tag or attribute name around a cursor (no start character required)."""

# ---------------------------------------------------------------- attributes

QUOTES = "\"'"
"""The characters that quote an attribute value (a value runs to the next quote of its kind)."""

QUOTED_VALUE = r"\"[^\"]*\"|'[^']*'"
"""An attribute value with its quotes: `"…"` or `'…'`, any characters but its own quote inside."""

ATTRIBUTE = rf"{SPACE}+{ATTRIBUTE_NAME}(?:{SPACE}*={SPACE}*(?:{QUOTED_VALUE}))?"
"""One attribute of a tag, with the space before it: `name`, or `name="value"` (spaces allowed
around `=`). An attribute without a value is `true`."""

ATTRIBUTE_RE = re.compile(
    rf"{SPACE}+(?P<name>{ATTRIBUTE_NAME})(?:{SPACE}*={SPACE}*(?P<value>{QUOTED_VALUE}))?"
)
"""`ATTRIBUTE` with the groups `name` and `value` (the value with its quotes, or None)."""

UNQUOTED_VALUE_RE = re.compile(r"[^\s>/]*")
"""What an unquoted attribute value would be (not markup: the parser names it to explain that
values are quoted)."""

# ---------------------------------------------------------------- tags

TAG_OPEN = "<"
TAG_CLOSE = ">"
EMPTY_TAG_CLOSE = "/>"
CLOSE_TAG_OPEN = "</"

MARKUP_START = rf"[{NAME_START}/!?]"
"""The character after a `<` that may start markup: a tag name, `/` (a close tag), `!` (a
comment, CDATA or DOCTYPE) or `?` (a processing instruction). A `<` followed by anything else is
text (`1 < 2`)."""

OPEN_TAG = rf"<{TAG_NAME}(?:{ATTRIBUTE})*{SPACE}*>"
"""An open tag: `<name attributes…>`."""

EMPTY_TAG = rf"<{TAG_NAME}(?:{ATTRIBUTE})*{SPACE}*/>"
"""An empty-element tag: `<name attributes…/>`."""

CLOSE_TAG = rf"</{TAG_NAME}{SPACE}*>"
"""A close tag: `</name>`, spaces allowed before the `>` only."""

CLOSE_TAG_RE = re.compile(CLOSE_TAG)

# ---------------------------------------------------------------- entities and escapes

ENTITY_BODY = r"(?:[A-Za-z][A-Za-z0-9]*|#[0-9]+|#[xX][0-9A-Fa-f]+);"
"""What follows the `&` of an entity: a name (`amp;`), a decimal (`#65;`) or a hexadecimal
(`#x41;`) character number, and `;`."""

ENTITY = rf"&{ENTITY_BODY}"
"""An entity reference (`&amp;`, `&#65;`, `&#x41;`); whether a name is known is decided when it
is decoded (HTML's names)."""

ENTITY_RE = re.compile(ENTITY)

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
"""POML's own escapes and the characters they stand for, decoded in literal text and attribute
values (never inside expressions). They are text to the grammar."""

POML_ESCAPE_RE = re.compile("|".join(re.escape(k) for k in POML_ESCAPES))

# ---------------------------------------------------------------- expressions

EXPRESSION_OPEN = "{{"
EXPRESSION_CLOSE = "}}"

EXPRESSION = (
    r"\{\{"
    r"(?:[^}'\"]|\}(?!\})|'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")*"
    r"\}\}"
)
"""An expression: `{{`, then anything up to the first `}}` outside a quoted string, and `}}`. It
may span lines; in a `'…'` or `"…"` string a backslash escapes the next character."""

EXPRESSION_STRING_QUOTES = "'\""
"""The quotes of strings inside an expression (a `}}` inside one does not end the expression)."""

# ---------------------------------------------------------------- delimited sections


def _until(closer: str) -> str:
    """Any characters up to and including the first `closer`."""
    first = re.escape(closer[0])
    if len(closer) == 1:
        return f"[^{first}]*{first}"
    return rf"(?:[^{first}]|{first}(?!{re.escape(closer[1:])}))*{re.escape(closer)}"


@dataclass(frozen=True)
class Section:
    """A token that runs from its opener to the first closer after it, whatever is between."""

    terminal: str
    """The grammar terminal the section is read as."""
    opener: str
    closer: str
    ignore_case: bool = False
    """Whether the opener is matched without regard to case (`<!doctype`)."""

    @property
    def pattern(self) -> str:
        return re.escape(self.opener) + _until(self.closer)

    @property
    def flags(self) -> str:
        """The regular-expression flags of `pattern`, as Lark writes them."""
        return "i" if self.ignore_case else "s"


COMMENT = Section("COMMENT", "<!--", "-->")
"""`<!-- … -->`: kept in the tree for tools, never rendered."""

CDATA = Section("CDATA", "<![CDATA[", "]]>")
"""`<![CDATA[ … ]]>`: literal text, markup and entities in it not read."""

PROCESSING_INSTRUCTION = Section("PROLOG", "<?", "?>")
"""`<?xml … ?>`: read and ignored."""

DOCTYPE = Section("PROLOG", "<!DOCTYPE", ">", ignore_case=True)
"""`<!DOCTYPE …>` (any case): read and ignored."""

SECTIONS = (COMMENT, CDATA, PROCESSING_INSTRUCTION, DOCTYPE)

DOCTYPE_RE = re.compile(re.escape(DOCTYPE.opener), re.IGNORECASE)

# ---------------------------------------------------------------- text

TEXT = (
    rf"(?:[^<&{{]|\{{(?!\{{)|<(?!{MARKUP_START})|&(?!{ENTITY_BODY}))+"
)
"""Literal text: everything up to the next tag, entity, expression or section. A `<` that cannot
start markup, a `&` that starts no entity and a single `{` are text."""

TEXT_STOP = rf"<{MARKUP_START}|\{{\{{|{ENTITY}"
"""Where text stops: a `<` that may start markup, `{{`, or an entity."""

PLAIN_TEXT = r"[^<&{#]*"
"""Text that holds no `<`, `&`, `{` or `#`: nothing in it can start markup, an entity, an expression
or a POML escape, so it is one `TEXT` token, taken as written."""

# ---------------------------------------------------------------- the grammar's terminals

TERMINALS: dict[str, tuple[tuple[str, str], ...]] = {
    "OPEN_TAG": ((OPEN_TAG, ""),),
    "EMPTY_TAG": ((EMPTY_TAG, ""),),
    "CLOSE_TAG": ((CLOSE_TAG, ""),),
    "TEXT": ((TEXT, ""),),
    "ENTITY": ((ENTITY, ""),),
    "EXPRESSION": ((EXPRESSION, "s"),),
    "COMMENT": ((COMMENT.pattern, COMMENT.flags),),
    "CDATA": ((CDATA.pattern, CDATA.flags),),
    "PROLOG": ((PROCESSING_INSTRUCTION.pattern, PROCESSING_INSTRUCTION.flags), (DOCTYPE.pattern, DOCTYPE.flags)),
}
"""The terminals `grammar/pml.lark` declares: each a choice of (pattern, flags) alternatives."""


def lark_terminals() -> str:
    """`TERMINALS` written as Lark terminal definitions (`NAME: /pattern/flags | …`)."""
    lines = []
    for name, alternatives in TERMINALS.items():
        written = " | ".join(f"/{pattern.replace('/', chr(92) + '/')}/{flags}" for pattern, flags in alternatives)
        lines.append(f"{name}: {written}")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- markup being edited

LOOSE_TAG_RE = re.compile(rf"<(/?)({TAG_NAME})")
"""The start of a tag in text that may be broken: `<name` or `</name` (group 1 is the `/`)."""

LOOSE_ATTRIBUTE_RE = re.compile(rf"\s+[^\s=/>]+(?:\s*=\s*(?:{QUOTED_VALUE}))?")
"""An attribute in text that may be broken: any name without space, `=`, `/` or `>`."""

LOOSE_TAG_END_RE = re.compile(r"\s*(/?)>")
"""The end of a tag in text that may be broken: `>` or `/>` (group 1 is the `/`)."""

LOOSE_SKIPS = (
    (COMMENT.opener, COMMENT.closer),
    (CDATA.opener, CDATA.closer),
    (PROCESSING_INSTRUCTION.opener, PROCESSING_INSTRUCTION.closer),
    (EXPRESSION_OPEN, EXPRESSION_CLOSE),
)
"""What a scan of broken markup passes over, from opener to the first closer (or the end)."""

LOOSE_QUOTED_VALUE = r"\"[^\"]*\"?|'[^']*'?"
"""A quoted attribute value that may not be closed yet (it then runs to the end)."""

LOOSE_CLOSE_START_RE = re.compile(rf"</\s*([{NAME_CHAR}]*)")
"""The start of a close tag that may be broken, and the name written after it (maybe none)."""


def loose_open_tag(name: str) -> str:
    """A pattern for an open tag named `name` (not a longer name) in text that may be broken (no `>`
    inside it)."""
    return rf"<{re.escape(name)}(?![{NAME_CHAR}])[^>]*>"


def loose_close_tag(name: str) -> str:
    """A pattern for a close tag named `name`, spaces allowed before its `>`."""
    return rf"</{re.escape(name)}\s*>"


def loose_attribute_value(name: str) -> str:
    """A pattern for `name="value"` (either quote) in a tag; group 1 is the value."""
    return rf"\b{re.escape(name)}\s*=\s*[{QUOTES}]([^{QUOTES}]*)[{QUOTES}]"
