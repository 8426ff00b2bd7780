"""Document symbols: the element tree, named by tag and `name`/`caption`, with ranges."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsp_helpers import open_file, rng
from lsprotocol import types
from pytest_lsp import LanguageClient

pytestmark = pytest.mark.asyncio(loop_scope="session")

DOC = """<poml>
  <role>You help.</role>
  <cp caption="Policy">
    <list><item>One</item></list>
  </cp>
  <schema name="lib">
    <module name="greeting">Hi</module>
  </schema>
</poml>
"""


async def outline(client: LanguageClient, uri: str) -> list[types.DocumentSymbol]:
    found = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=uri)))
    return list(found or [])  # type: ignore[arg-type]


def tree(symbols: list[types.DocumentSymbol]) -> list[tuple[str, types.SymbolKind, types.Range, types.Range, list]]:
    return [(s.name, s.kind, s.range, s.selection_range, tree(list(s.children or []))) for s in symbols]


async def test_the_element_tree_with_ranges(client: LanguageClient, tmp_path: Path) -> None:
    uri = await open_file(client, tmp_path / "o.pml", DOC)
    struct = types.SymbolKind.Struct
    assert tree(await outline(client, uri)) == [
        ("poml", struct, rng(0, 0, 8, 7), rng(0, 1, 0, 5), [
            ("role", struct, rng(1, 2, 1, 24), rng(1, 3, 1, 7), []),
            ("cp Policy", struct, rng(2, 2, 4, 7), rng(2, 3, 2, 5), [
                ("list", struct, rng(3, 4, 3, 33), rng(3, 5, 3, 9), [
                    ("item", struct, rng(3, 10, 3, 26), rng(3, 11, 3, 15), []),
                ]),
            ]),
            ("schema lib", types.SymbolKind.Namespace, rng(5, 2, 7, 11), rng(5, 3, 5, 9), [
                ("module greeting", types.SymbolKind.Module, rng(6, 4, 6, 39), rng(6, 5, 6, 11), []),
            ]),
        ]),
    ]
    symbols = await outline(client, uri)
    assert symbols[0].children[1].detail == "CaptionedParagraph"  # type: ignore[index]


async def test_without_a_root_element_the_top_level_is_the_outline(client: LanguageClient, tmp_path: Path) -> None:
    uri = await open_file(client, tmp_path / "flat.pml", '<task>Do.</task>\n<let name="x" value="1"/>\n')
    assert [(s.name, s.kind) for s in await outline(client, uri)] == [
        ("task", types.SymbolKind.Struct), ("let x", types.SymbolKind.Variable)]


async def test_no_outline_when_the_markup_does_not_parse(client: LanguageClient, tmp_path: Path) -> None:
    uri = await open_file(client, tmp_path / "broken.pml", "<task>unclosed\n")
    assert await outline(client, uri) == []
