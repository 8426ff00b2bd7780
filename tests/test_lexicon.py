"""One lexicon: the grammar, the scanner and the language server read markup alike.

`pml.syntax.lexicon` defines the tokens once. Checked here: the grammar declares exactly the
lexicon's terminals; the scanner splits every prompt of the repository, and strings made of the
lexicon's own parts, exactly as Lark's lexer over the terminals does; the language server finds
the tags, attributes and values the scanner finds; the shipped LALR tables are what the grammar
builds; and no other module writes the name patterns again.
"""

from __future__ import annotations

import re
from pathlib import Path

import lark
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lark.exceptions import UnexpectedCharacters

from pml.lsp import cursor
from pml.syntax import grammar, lalr_tables, lexicon
from pml.syntax.parser import parse
from pml.syntax.scanner import Raw, ScanError, scan

ROOT = Path(__file__).resolve().parent.parent
SPEC = grammar.spec_parser()


def _spec_tokens(text: str) -> list[Raw] | int:
    """Lark's own lexer over the lexicon's terminals: the tokens, or where it stops."""
    try:
        return [(t.type, str(t), t.start_pos or 0, t.end_pos or 0) for t in SPEC.lex(text)]
    except UnexpectedCharacters as exc:
        return int(exc.pos_in_stream)


def _scanned(text: str) -> list[Raw] | int:
    try:
        return list(scan(text))
    except ScanError as exc:
        return exc.pos


# ------------------------------------------------------------------ the grammar and the lexicon

def test_the_grammar_declares_the_terminals_the_lexicon_defines() -> None:
    assert {t.name for t in SPEC.terminals} == set(lexicon.TERMINALS)
    # The grammar file defines no terminal itself: its only token names are declared.
    assert re.findall(r"^([A-Z_]+)\s*:", grammar.grammar_text(), re.MULTILINE) == []
    declared = re.search(r"^%declare (.*)$", grammar.grammar_text(), re.MULTILINE)
    assert declared is not None and declared.group(1).split() == list(lexicon.TERMINALS)


def test_a_grammar_that_declares_other_terminals_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    text = grammar.grammar_text().replace(" PROLOG\n", "\n")
    monkeypatch.setattr(grammar, "grammar_text", lambda: text)
    with pytest.raises(ValueError, match="must declare exactly the terminals"):
        grammar.spec_text()


_PROMPTS = sorted(
    path for folder in ("examples", "tests/cases", "docs") for path in (ROOT / folder).rglob("*")
    if path.suffix in (".pml", ".poml")
)


def test_the_scanner_splits_every_prompt_of_the_repository_as_the_grammar_does() -> None:
    assert len(_PROMPTS) > 400
    differ = []
    for path in _PROMPTS:
        text = path.read_text(encoding="utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n")
        if _scanned(text) != _spec_tokens(text):
            differ.append(str(path.relative_to(ROOT)))
    assert differ == []


# Strings made of the lexicon's parts, well formed or nearly: names from the name patterns,
# attributes with either quote, entities and near misses, sections with or without their closer.
_NAMES = st.from_regex(lexicon.TAG_NAME, fullmatch=True).filter(lambda n: len(n) < 12)
_ATTRIBUTE_NAMES = st.from_regex(lexicon.ATTRIBUTE_NAME, fullmatch=True).filter(lambda n: len(n) < 12)
_SPACES = st.text(alphabet=lexicon.SPACE_CHARS + "\r\v\u00a0\u2028", max_size=2)
_VALUE_TEXT = st.text(alphabet="ab <>/=&;#{}'\"\n", max_size=8)
_VALUES = st.one_of(
    _VALUE_TEXT.map(lambda v: '"' + v.replace('"', "") + '"'),
    _VALUE_TEXT.map(lambda v: "'" + v.replace("'", "") + "'"),
    _VALUE_TEXT,  # unquoted or unclosed
)
_ATTRIBUTES = st.tuples(_SPACES, _ATTRIBUTE_NAMES, st.sampled_from(["", "=", " = "]), _VALUES).map(
    lambda a: a[0] + a[1] + (a[2] + a[3] if a[2] else ""))
_TAGS = st.tuples(st.sampled_from(["<", "</"]), _NAMES, st.lists(_ATTRIBUTES, max_size=3).map("".join), _SPACES,
                  st.sampled_from([">", "/>", "", " >"])).map("".join)
_ENTITIES = st.one_of(
    st.from_regex(lexicon.ENTITY, fullmatch=True).filter(lambda e: len(e) < 12),
    st.sampled_from(["&", "&#", "&#x", "&#x;", "&a", "&1;", "#lt;", "#lbrace;", "&#65"]),
)
_SECTIONS = st.tuples(
    st.sampled_from([s.opener for s in lexicon.SECTIONS] + ["<!doctype", "{{", "<!"]),
    st.text(alphabet="ab-]?>{}'\"\\ \n", max_size=8),
    st.sampled_from([s.closer for s in lexicon.SECTIONS] + ["}}", ""]),
).map("".join)
_PIECES = st.one_of(_TAGS, _ENTITIES, _SECTIONS, st.text(alphabet="ab <>&{}/!?\n", max_size=4))
LEXICON_STRINGS = st.lists(_PIECES, max_size=12).map("".join)


@settings(max_examples=500, deadline=None)
@given(LEXICON_STRINGS)
def test_the_scanner_splits_strings_made_of_the_lexicons_parts_as_the_grammar_does(text: str) -> None:
    assert _scanned(text) == _spec_tokens(text), repr(text)


# ------------------------------------------------------------------ the language server

# Documents the scanner reads, tags with names and attributes of every shape the lexicon allows.
# (Values hold no `<`, `{`, `}` or `!`: inside a value, those start what the language server
# reads as a tag, an expression or a comment being typed.)
_PLAIN = st.text(alphabet="ab .,=/#'\"\n>", max_size=6)
_GOOD_VALUES = st.one_of(
    _PLAIN.map(lambda v: '"' + v.replace('"', "") + '"'),
    _PLAIN.map(lambda v: "'" + v.replace("'", "") + "'"),
)
_GOOD_SPACES = st.text(alphabet=lexicon.SPACE_CHARS, min_size=1, max_size=2)
_GOOD_ATTRIBUTES = st.tuples(_GOOD_SPACES, _ATTRIBUTE_NAMES, st.sampled_from(["", "=", " =\n"]), _GOOD_VALUES).map(
    lambda a: a[0] + a[1] + (a[2] + a[3] if a[2] else ""))
_NOT_STYLE = _NAMES.filter(lambda n: re.match(r"style(?![\w.\-:])", n, re.IGNORECASE) is None)


@st.composite
def _elements(draw: st.DrawFn, depth: int = 0) -> str:
    name = draw(_NOT_STYLE)
    attributes = "".join(draw(st.lists(_GOOD_ATTRIBUTES, max_size=3)))
    space = draw(st.sampled_from(["", " ", "\n"]))
    if depth > 2 or draw(st.booleans()):
        return f"<{name}{attributes}{space}/>"
    inside = draw(st.lists(st.one_of(_CONTENT, _elements(depth + 1)), max_size=3))
    return f"<{name}{attributes}{space}>{''.join(inside)}</{name}{space}>"


_CONTENT = st.sampled_from(["text", " a < b ", "&amp;", "{{ x }}", "<!-- note -->", "\n", "#lt;", "<![CDATA[ c ]]>"])
DOCUMENTS = st.lists(st.one_of(_CONTENT, _elements()), min_size=1, max_size=4).map("".join)


def _tag_parts(raw: Raw) -> tuple[str, list[tuple[str, int, int, int]]]:
    """A tag token's name and its attributes: (name, where the name ends, value start, value end)
    with offsets in the document (value offsets -1 when the attribute has none)."""
    kind, text, start, _ = raw
    name = lexicon.TAG_NAME_RE.match(text, 1 if kind != "CLOSE_TAG" else 2)
    assert name is not None
    attributes = []
    for found in lexicon.ATTRIBUTE_RE.finditer(text, name.end()):
        value = (start + found.start("value") + 1, start + found.end("value") - 1) if found.group("value") else (-1, -1)
        attributes.append((found.group("name"), start + found.end("name"), *value))
    return name.group(0), attributes


@settings(max_examples=300, deadline=None)
@given(DOCUMENTS)
def test_the_language_server_finds_the_tags_attributes_and_values_the_scanner_finds(text: str) -> None:
    parse(text)  # the documents are well formed
    for raw in scan(text):
        kind, _, start, _ = raw
        if kind not in ("OPEN_TAG", "EMPTY_TAG", "CLOSE_TAG"):
            continue
        name, attributes = _tag_parts(raw)
        if kind == "CLOSE_TAG":
            name_end = start + 2 + len(name)
            assert cursor.before(text, name_end) == cursor.Cursor("close_tag", start + 2, name_end, name)
            continue
        name_end = start + 1 + len(name)
        assert cursor.before(text, name_end) == cursor.Cursor("tag", start + 1, name_end, name)
        assert cursor.at(text, start + 1).text == name
        written = tuple(a[0] for a in attributes)
        for attr, attr_end, value_start, value_end in attributes:
            typed = cursor.before(text, attr_end)
            assert (typed.kind, typed.text, typed.tag) == ("attribute", attr, name), (text, attr)
            assert cursor.at(text, attr_end - 1).text == attr
            if value_start < 0:
                continue
            for at in {value_start, (value_start + value_end) // 2, value_end}:
                typed = cursor.before(text, at)
                assert (typed.kind, typed.text, typed.attr, typed.written) == \
                    ("value", text[value_start:at], attr, written), (text, attr, at)
            value = text[value_start:value_end]
            if "\n" not in value:
                assert cursor.at(text, value_start).text == value


# ------------------------------------------------------------------ the shipped LALR tables

def test_the_shipped_lalr_tables_are_what_the_grammar_builds() -> None:
    built_data, built_memo = grammar.tables(grammar.build_parser())
    assert lalr_tables.GRAMMAR_SHA256 == grammar.grammar_digest(), "run python tests/tools/lalr_tables.py"
    assert lalr_tables.DATA["parser"]["parser"] == built_data["parser"]["parser"]
    assert lalr_tables.MEMO == built_memo
    if lalr_tables.LARK_VERSION == lark.__version__:
        assert (ROOT / "pml/syntax/lalr_tables.py").read_text(encoding="utf-8") == grammar.tables_source()


def test_the_parser_is_loaded_from_the_shipped_tables() -> None:
    loaded = grammar.lalr_parser()
    # (Tables written by another Lark version are not read: the parser is built from the grammar.)
    assert (loaded.source_path == "<deserialized>") == (lalr_tables.LARK_VERSION == lark.__version__)
    assert grammar.tables(loaded) == grammar.tables(grammar.build_parser())


def test_tables_of_another_grammar_are_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lalr_tables, "GRAMMAR_SHA256", "0" * 64)
    built = grammar.lalr_parser()
    assert built.source_path != "<deserialized>"
    assert grammar.tables(built) == grammar.tables(grammar.build_parser())


# ------------------------------------------------------------------ written once

def test_no_other_module_writes_the_name_patterns() -> None:
    # The name characters (and so the tag-name and attribute-name patterns) are spelled out in
    # the lexicon only.
    writers = sorted(
        str(path.relative_to(ROOT)) for path in (ROOT / "pml").rglob("*.py")
        if r"\w.\-:" in path.read_text(encoding="utf-8") or "A-Za-z_@" in path.read_text(encoding="utf-8")
    )
    assert writers == ["pml/syntax/lexicon.py"]
