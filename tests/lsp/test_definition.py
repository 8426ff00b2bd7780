"""Go to definition: `src="…"` to the file, `<use module>` to the `<module>`, `<import src>` to the file."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsp_helpers import at, change, open_file, rng, uri_of
from lsprotocol import types
from pytest_lsp import LanguageClient

pytestmark = pytest.mark.asyncio(loop_scope="session")

LIB = """<schema name="travel">
  <module name="policy" cache="true">
    <param name="agency" default="Northwind"/>
    You book trips for {{ agency }}.
  </module>
  <module name="trip">
    <param name="days"/>
    Plan {{ days }} days.
    <union default="lisbon">
      <module name="lisbon">Lisbon.</module>
      <module name="kyoto">Kyoto.</module>
    </union>
  </module>
</schema>
"""

MAIN = """<poml>
  <import src="lib.pml" as="lib"/>
  <schema><module name="greeting">Hello.</module></schema>
  <use module="lib.policy"/>
  <use module="lib.trip" days="3"><use module="kyoto"/></use>
  <use module="greeting"/>
  <include src="part.pml"/>
  <document src="notes.txt"/>
</poml>
"""
# A file that does not exist is a compile error, so it has a document of its own: MAIN compiles.
WITH_MISSING = MAIN.replace("</poml>", '  <img src="missing.png"/>\n</poml>')


async def definition(client: LanguageClient, uri: str, where: types.Position) -> list[types.Location]:
    found = await client.text_document_definition_async(types.DefinitionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=where))
    if found is None:
        return []
    return list(found) if isinstance(found, list) else [found]  # type: ignore[list-item]


@pytest.fixture()
def files(tmp_path: Path) -> Path:
    (tmp_path / "lib.pml").write_text(LIB, encoding="utf-8")
    (tmp_path / "part.pml").write_text("<p>Part.</p>\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("Notes.\n", encoding="utf-8")
    return tmp_path


def top(path: Path) -> types.Location:
    return types.Location(uri=uri_of(path), range=rng(0, 0, 0, 0))


async def test_src_goes_to_the_file(client: LanguageClient, files: Path) -> None:
    uri = await open_file(client, files / "main.pml", WITH_MISSING)
    assert await definition(client, uri, at(WITH_MISSING, "part.pml", 2)) == [top(files / "part.pml")]
    assert await definition(client, uri, at(WITH_MISSING, "notes.txt")) == [top(files / "notes.txt")]
    assert await definition(client, uri, at(WITH_MISSING, "missing.png", 1)) == []  # no such file


async def test_import_src_goes_to_the_library(client: LanguageClient, files: Path) -> None:
    uri = await open_file(client, files / "main.pml", MAIN)
    assert await definition(client, uri, at(MAIN, "lib.pml", 4)) == [top(files / "lib.pml")]


async def test_use_module_goes_to_the_module_name(client: LanguageClient, files: Path) -> None:
    uri = await open_file(client, files / "main.pml", MAIN)
    lib = uri_of(files / "lib.pml")
    assert await definition(client, uri, at(MAIN, "lib.policy", 5)) == [
        types.Location(uri=lib, range=rng(1, 16, 1, 22))]
    assert await definition(client, uri, at(MAIN, '"lib.trip"', 1)) == [
        types.Location(uri=lib, range=rng(5, 16, 5, 20))]
    # a nested `<use>` picks a module nested in the one placed
    assert await definition(client, uri, at(MAIN, '"kyoto"', 2)) == [
        types.Location(uri=lib, range=rng(10, 20, 10, 25))]
    # a module of the document itself
    assert await definition(client, uri, at(MAIN, '<use module="greeting"', 14)) == [
        types.Location(uri=uri, range=rng(2, 24, 2, 32))]


async def test_use_module_resolves_while_the_document_does_not_compile(
        client: LanguageClient, files: Path) -> None:
    uri = await open_file(client, files / "main.pml", MAIN)
    broken = MAIN.replace("<poml>", "<poml>\n  <tsk/>")
    await change(client, uri, broken)
    assert await definition(client, uri, at(broken, "lib.policy", 5)) == [
        types.Location(uri=uri_of(files / "lib.pml"), range=rng(1, 16, 1, 22))]


async def test_nothing_elsewhere(client: LanguageClient, files: Path) -> None:
    uri = await open_file(client, files / "main.pml", MAIN)
    assert await definition(client, uri, at(MAIN, "poml", 1)) == []
    assert await definition(client, uri, at(MAIN, 'days="3"', 6)) == []
