"""Hover: the registry's documentation of tags, attributes and style properties."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsp_helpers import at, open_file, rng
from lsprotocol import types
from pytest_lsp import LanguageClient

pytestmark = pytest.mark.asyncio(loop_scope="session")

DOC = """<poml>
  <list listStyle="decimal">
    <item>One</item>
  </list>
  <style>
    list { list-style: star; }
  </style>
</poml>
"""


async def hover(client: LanguageClient, uri: str, where: types.Position) -> types.Hover | None:
    return await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=where))


LIST = (
    "**`<list>`** · List\n\n"
    "A list of `<item>`s. Nested lists are indented under their item.\n\n"
    "Attributes: `listStyle`"
)
LIST_STYLE = (
    "**`listStyle`** · attribute of `<list>` · `dash | star | plus | decimal | latin`\n\n"
    "The marker: dash, star, plus, decimal or latin.\n\n"
    "Style property: `list-style`."
)


async def test_hover_on_a_tag(client: LanguageClient, tmp_path: Path) -> None:
    uri = await open_file(client, tmp_path / "h.pml", DOC)
    found = await hover(client, uri, at(DOC, "<list", 3))
    assert found is not None
    assert found.contents == types.MarkupContent(kind=types.MarkupKind.Markdown, value=LIST)
    assert found.range == rng(1, 3, 1, 7)


async def test_hover_on_a_closing_tag(client: LanguageClient, tmp_path: Path) -> None:
    uri = await open_file(client, tmp_path / "h.pml", DOC)
    found = await hover(client, uri, at(DOC, "</list>", 4))
    assert found is not None and found.contents.value == LIST  # type: ignore[union-attr]
    assert found.range == rng(3, 4, 3, 8)


async def test_hover_on_an_attribute_and_its_value(client: LanguageClient, tmp_path: Path) -> None:
    uri = await open_file(client, tmp_path / "h.pml", DOC)
    name = await hover(client, uri, at(DOC, "listStyle", 2))
    assert name is not None and name.contents.value == LIST_STYLE  # type: ignore[union-attr]
    assert name.range == rng(1, 8, 1, 17)
    value = await hover(client, uri, at(DOC, "decimal", 1))
    assert value is not None and value.contents.value == LIST_STYLE  # type: ignore[union-attr]
    assert value.range == rng(1, 19, 1, 26)


async def test_hover_on_a_common_attribute(client: LanguageClient, tmp_path: Path) -> None:
    text = '<p speaker="human">Hi</p>\n'
    uri = await open_file(client, tmp_path / "c.pml", text)
    found = await hover(client, uri, at(text, "speaker"))
    assert found is not None
    assert found.contents.value == (  # type: ignore[union-attr]
        "**`speaker`** · common attribute · `human | ai | system`\n\n"
        "The chat speaker of this subtree (and of its following siblings).\n\n"
        "Style property: `speaker`."
    )


async def test_hover_on_a_style_property(client: LanguageClient, tmp_path: Path) -> None:
    uri = await open_file(client, tmp_path / "h.pml", DOC)
    found = await hover(client, uri, at(DOC, "list-style", 5))
    assert found is not None
    assert found.contents.value == (  # type: ignore[union-attr]
        "**`list-style`** · style property (attribute `listStyle`) · `dash | star | plus | decimal | latin`\n\n"
        "The marker: dash, star, plus, decimal or latin.\n\n"
        "Applies to: `<list>`."
    )
    assert found.range == rng(5, 11, 5, 21)


async def test_hover_in_a_pss_file(client: LanguageClient, tmp_path: Path) -> None:
    text = "cp { caption-style: bold; }\n"
    uri = await open_file(client, tmp_path / "look.pss", text)
    found = await hover(client, uri, at(text, "caption-style", 3))
    assert found is not None
    assert found.contents.value.startswith(  # type: ignore[union-attr]
        "**`caption-style`** · style property (attribute `captionStyle`) · `header | bold | plain | hidden`\n\n"
        "How the caption is shown: header, bold, plain or hidden.\n\nApplies to: `<cp>`, `<role>`, `<task>`,")


async def test_hover_falls_back_to_the_text_when_the_document_does_not_parse(
        client: LanguageClient, tmp_path: Path) -> None:
    text = '<list listStyle="star">\n  <item>unclosed\n'
    uri = await open_file(client, tmp_path / "broken.pml", text)
    tag = await hover(client, uri, at(text, "list", 1))
    assert tag is not None and tag.contents.value == LIST  # type: ignore[union-attr]
    assert tag.range == rng(0, 1, 0, 5)
    attr = await hover(client, uri, at(text, "listStyle", 4))
    assert attr is not None and attr.contents.value == LIST_STYLE  # type: ignore[union-attr]


async def test_no_hover_on_plain_text_or_unknown_names(client: LanguageClient, tmp_path: Path) -> None:
    text = "<p>Just words</p>\n<zzz/>\n"
    uri = await open_file(client, tmp_path / "plain.pml", text)
    assert await hover(client, uri, at(text, "words")) is None
    assert await hover(client, uri, at(text, "zzz", 1)) is None
