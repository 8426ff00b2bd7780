"""The markup grammar as Lark parsers: the LALR parser that explains errors, and the specification.

`grammar/pml.lark` holds the rules and declares the terminals; `pml.syntax.lexicon.TERMINALS`
defines them. Two parsers come of it:

- `lalr_parser(transformer)`: the rules over the tokens of `pml.syntax.scanner` (a custom lexer),
  building the AST with `transformer`. The markup parser falls back on it when its fast path
  gives up, to find where the text stops fitting the grammar. It is loaded from the tables in
  `pml/syntax/lalr_tables.py`, built from the grammar ahead of time, in a few milliseconds; when
  they were built from another grammar text or by another Lark version, it is built from the
  grammar instead (some tens of milliseconds). `python tests/tools/lalr_tables.py` writes the tables;
  `tests/test_lexicon.py` checks that they are what the grammar builds.
- `spec_parser()`: the grammar with the lexicon's terminal definitions written in, read by Lark's
  own lexer: the specification the scanner is checked against (tests and tools).
"""

from __future__ import annotations

import hashlib
import pprint
import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import lark
from lark import Lark, Token
from lark.exceptions import UnexpectedCharacters
from lark.grammar import Rule
from lark.lexer import Lexer, TerminalDef

from pml.resources import resource_path
from pml.syntax import lexicon
from pml.syntax.scanner import ScanError, scan

_DECLARE = re.compile(r"^%declare[ \t]+(.*)$", re.MULTILINE)
_LEXER_MARK = "pml.syntax.scanner"  # the custom lexer, as the tables name it
_OPTIONS = {"parser": "lalr", "propagate_positions": False, "maybe_placeholders": False, "start": "start"}
_TABLES = Path(__file__).with_name("lalr_tables.py")


@lru_cache(maxsize=1)
def grammar_text() -> str:
    """The text of `grammar/pml.lark` (rules; terminals declared)."""
    return resource_path("grammar", "pml.lark").read_text(encoding="utf-8")


def grammar_digest() -> str:
    """The SHA-256 of the grammar text: the tables say which text they were built from."""
    return hashlib.sha256(grammar_text().encode("utf-8")).hexdigest()


def spec_text() -> str:
    """The grammar with its declared terminals defined by the lexicon."""
    text = grammar_text()
    declared = _DECLARE.search(text)
    if declared is None or set(declared.group(1).split()) != set(lexicon.TERMINALS):
        raise ValueError("grammar/pml.lark must declare exactly the terminals of pml.syntax.lexicon.TERMINALS")
    return text[: declared.start()] + lexicon.lark_terminals() + text[declared.end():]


def spec_parser() -> Lark:
    """A tree-building parser for the grammar with Lark's own lexer over the lexicon's terminals
    (for tools and property tests: the specification `pml.syntax.scanner` is checked against)."""
    return Lark(spec_text(), parser="lalr", lexer="basic", propagate_positions=True)


class ScannerLexer(Lexer):
    """`pml.syntax.scanner` as Lark's lexer, so that the LALR parser sees exactly the fast path's tokens.

    (Lark's first custom-lexer interface: `lex` is given the whole text.)"""

    def __init__(self, conf: Any) -> None:
        self.allowed = set(lexicon.TERMINALS)

    def lex(self, data: str) -> Iterator[Token]:  # type: ignore[override]
        try:
            for kind, text, start, end in scan(data):
                yield Token(kind, text, start_pos=start, end_pos=end)
        except ScanError as exc:
            raise UnexpectedCharacters(data, exc.pos, 0, 0, allowed=self.allowed) from None


def build_parser(transformer: Any = None) -> Lark:
    """The LALR parser over the scanner's tokens, built from the grammar text."""
    return Lark(grammar_text(), lexer=ScannerLexer, transformer=transformer, **_OPTIONS)


def lalr_parser(transformer: Any = None) -> Lark:
    """The LALR parser over the scanner's tokens: from the shipped tables when they fit, else built."""
    from pml.syntax import lalr_tables

    if lalr_tables.GRAMMAR_SHA256 != grammar_digest() or lalr_tables.LARK_VERSION != lark.__version__:
        return build_parser(transformer)
    data = _with_lexer(lalr_tables.DATA, ScannerLexer)
    return Lark._load_from_dict(data, lalr_tables.MEMO, transformer=transformer)


def tables(parser: Lark) -> tuple[dict[str, Any], dict[Any, Any]]:
    """The parse tables of `parser` as plain data (its lexer named by a mark, its transformer left out),
    numbered the same way whatever order Lark's analysis found the states in."""
    data, memo = parser.memo_serialize([TerminalDef, Rule])
    options = {k: v for k, v in data["options"].items() if k != "transformer"}
    front = data["parser"]
    data = {**data, "options": options, "parser": {**front, "parser": _canonical(front["parser"])}}
    return _with_lexer(data, _LEXER_MARK), memo


def _canonical(table: dict[str, Any]) -> dict[str, Any]:
    """A serialized LALR table renumbered: symbols in name order, states in the order a walk from
    the start state reaches them (shifts taken in symbol order)."""
    names = table["tokens"]
    symbol = {old: new for new, old in enumerate(sorted(names, key=lambda k: names[k]))}
    states = table["states"]
    order: list[int] = []
    queue = sorted(table["start_states"].values())
    seen = set(queue)
    while queue:
        state = queue.pop(0)
        order.append(state)
        for token in sorted(states[state], key=lambda k: names[k]):
            action, target = states[state][token]
            if action == 0 and target not in seen:
                seen.add(target)
                queue.append(target)
    order += sorted(set(states) - seen)
    number = {old: new for new, old in enumerate(order)}

    def action(kind: int, arg: Any) -> tuple[int, Any]:
        return (kind, number[arg]) if kind == 0 else (kind, arg)

    return {
        "tokens": {symbol[old]: name for old, name in names.items()},
        "states": {
            number[state]: {symbol[token]: action(*states[state][token]) for token in states[state]}
            for state in order
        },
        "start_states": {start: number[state] for start, state in table["start_states"].items()},
        "end_states": {start: number[state] for start, state in table["end_states"].items()},
    }


def _with_lexer(data: dict[str, Any], lexer: Any) -> dict[str, Any]:
    """`data` with the lexer named in its options and its lexer configuration replaced by `lexer`."""
    front = data["parser"]
    return {
        **data,
        "options": {**data["options"], "lexer": lexer},
        "parser": {**front, "lexer_conf": {**front["lexer_conf"], "lexer_type": lexer}},
    }


def tables_source() -> str:
    """The text of `pml/syntax/lalr_tables.py` for the grammar and Lark installed now."""
    data, memo = tables(build_parser())
    return (
        '"""The LALR tables of `grammar/pml.lark`, built ahead of time (`python tests/tools/lalr_tables.py`).\n\n'
        "Generated: do not edit. `pml.syntax.grammar.lalr_parser` loads them when `GRAMMAR_SHA256` is the\n"
        "digest of the grammar text and `LARK_VERSION` the installed Lark's; `tests/test_lexicon.py` checks\n"
        'that they are what the grammar builds.\n"""\n\n'
        "from typing import Any\n\n"
        f"GRAMMAR_SHA256 = {grammar_digest()!r}\n"
        f"LARK_VERSION = {lark.__version__!r}\n\n"
        "DATA: dict[str, Any]\n"
        f"DATA = {pprint.pformat(data, width=112, compact=True)}\n\n"
        "MEMO: dict[Any, Any]\n"
        f"MEMO = {pprint.pformat(memo, width=112, compact=True)}\n"
    )


def write_tables() -> Path:
    """Write `pml/syntax/lalr_tables.py` (after changing the grammar or upgrading Lark)."""
    _TABLES.write_text(tables_source(), encoding="utf-8")
    return _TABLES
