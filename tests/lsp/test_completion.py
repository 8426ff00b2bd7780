"""Completion at the places a prompt author types: tags, attributes, values, variables, modules, styles."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lsp_helpers import change, open_file, position, rng
from lsprotocol import types
from pytest_lsp import LanguageClient

from pml.registry import GLOBAL_ATTRS, REGISTRY

pytestmark = pytest.mark.asyncio(loop_scope="session")

COMMON = [a.name for key, a in GLOBAL_ATTRS.items() if key != "class"]


async def complete(client: LanguageClient, uri: str, text: str, marker: str = "|") -> list[types.CompletionItem]:
    """Open or change `uri` to `text` without its cursor marker, and complete at the marker."""
    offset = text.index(marker)
    await change(client, uri, text.replace(marker, "", 1))
    found = await client.text_document_completion_async(types.CompletionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=position(text, offset)))
    assert isinstance(found, types.CompletionList)
    return list(found.items)


def labels(items: list[types.CompletionItem]) -> list[str]:
    return [i.label for i in items]


async def test_tags_after_a_less_than(client: LanguageClient, tmp_path: Path) -> None:
    uri = await open_file(client, tmp_path / "t.pml", "")
    items = await complete(client, uri, "<poml>\n  <ta|\n</poml>")
    restricted = {"param", "module", "union", "item"}  # valid only inside their own parents
    expected = [tag for c in REGISTRY for tag in c.tags if tag not in restricted]
    assert labels(items) == [*expected, "include", "style", "stylesheet", "context"]
    assert all(i.sort_text == "1" + i.label for i in items)
    task = next(i for i in items if i.label == "task")
    assert task.detail == "Task"
    assert task.documentation.value.startswith("**`<task>`** · Task\n\nWhat the model should do.")  # type: ignore
    assert task.text_edit == types.TextEdit(range=rng(1, 3, 1, 5), new_text="task")


@pytest.mark.parametrize(("text", "first", "present", "absent"), [
    ("<poml><list>\n  <|\n</list></poml>", ["item"], ["p", "b"], ["param", "schema", "module"]),
    ("<poml><schema name='s'><module name='m'>\n  <|</module></schema></poml>",
     ["module", "param", "union", "use"], ["p"], ["schema", "import", "item"]),
    ("<poml><schema name='s'><union>\n  <|</union></schema></poml>", ["module"], [], ["p", "param", "union"]),
    ("<poml><p>\n  <|\n</p></poml>", [], ["b", "span"], ["schema", "import", "param", "item"]),
    ("<poml>\n  <|\n</poml>", [], ["schema", "import", "use"], ["param", "module"]),
])
async def test_tags_valid_where_the_cursor_is(client: LanguageClient, tmp_path: Path, text: str, first: list[str],
                                              present: list[str], absent: list[str]) -> None:
    uri = await open_file(client, tmp_path / "v.pml", "")
    items = await complete(client, uri, text)
    ordered = [i.label for i in sorted(items, key=lambda i: i.sort_text or "")]
    assert ordered[:len(first)] == sorted(first)
    assert all(i.sort_text == "0" + i.label for i in items if i.label in first)
    assert set(present) <= set(ordered)
    assert not set(absent) & set(ordered)


async def test_attributes_inside_a_tag_leave_out_those_written(client: LanguageClient, tmp_path: Path) -> None:
    uri = await open_file(client, tmp_path / "a.pml", "")
    items = await complete(client, uri, '<list speaker="human" | >\n</list>')
    assert labels(items) == ["listStyle", *(n for n in COMMON if n != "speaker")]
    list_style = items[0]
    assert list_style.detail == "dash | star | plus | decimal | latin"
    assert list_style.insert_text_format == types.InsertTextFormat.Snippet
    assert list_style.text_edit == types.TextEdit(range=rng(0, 22, 0, 22), new_text='listStyle="$1"')


async def test_attributes_while_typing_a_name(client: LanguageClient, tmp_path: Path) -> None:
    uri = await open_file(client, tmp_path / "b.pml", "")
    items = await complete(client, uri, "<img sr|")
    assert "src" in labels(items) and "alt" in labels(items)
    src = next(i for i in items if i.label == "src")
    assert src.text_edit.range == rng(0, 5, 0, 7)  # type: ignore[union-attr]


async def test_enum_values_inside_syntax(client: LanguageClient, tmp_path: Path) -> None:
    uri = await open_file(client, tmp_path / "v.pml", "")
    assert labels(await complete(client, uri, '<p syntax="|">x</p>')) == [
        "markdown", "html", "json", "yaml", "xml", "text"]
    assert labels(await complete(client, uri, '<cp caption="C" speaker="a|">x</cp>')) == ["human", "ai", "system"]
    items = await complete(client, uri, '<list listStyle="de|">')
    assert labels(items) == ["dash", "star", "plus", "decimal", "latin"]
    assert items[3].text_edit == types.TextEdit(range=rng(0, 17, 0, 19), new_text="decimal")
    assert labels(await complete(client, uri, '<item blankLine="|"/>')) == ["true", "false"]


async def test_closing_tag_for_the_innermost_open_element(client: LanguageClient, tmp_path: Path) -> None:
    uri = await open_file(client, tmp_path / "c.pml", "")
    items = await complete(client, uri, "<poml>\n  <task>\n    <list><item>a</item>\n    </|")
    assert labels(items) == ["list"]
    assert items[0].text_edit == types.TextEdit(range=rng(3, 6, 3, 6), new_text="list>")
    items = await complete(client, uri, "<poml>\n  <task>\n    <list><item>a</item></list>\n  </|>")
    assert labels(items) == ["task"]
    assert items[0].text_edit.new_text == "task"  # type: ignore[union-attr]


async def test_context_variables_inside_braces(client: LanguageClient, tmp_path: Path) -> None:
    (tmp_path / "vars.context.json").write_text(json.dumps({
        "user": {"name": "Ada", "plan": {"tier": "gold"}}, "question": "Where?", "rules": [{"text": "Be kind"}],
    }), encoding="utf-8")
    uri = await open_file(client, tmp_path / "vars.pml", "")
    items = await complete(client, uri, "<p>Hello {{ |</p>")
    assert labels(items) == ["user", "question", "rules"]
    assert [i.detail for i in items] == ["object", "string", "array"]
    assert labels(await complete(client, uri, "<p>Hello {{ user.| }}</p>")) == ["name", "plan"]
    assert labels(await complete(client, uri, "<p>Hello {{ user.plan.ti| }}</p>")) == ["tier"]
    # loop variables take the fields of the list's items; `<let>`s are variables too
    text = '<let name="today" value="1"/>\n<list><item for="rule in rules">{{ rule.| }} {{ x }}</item></list>'
    assert labels(await complete(client, uri, text)) == ["text"]
    text = '<let name="today" value="1"/>\n<list><item for="rule in rules">{{ | }}</item></list>'
    assert labels(await complete(client, uri, text)) == ["user", "question", "rules", "today", "rule", "loop"]
    assert labels(await complete(client, uri, '<p if="ques|">x</p>')) == ["user", "question", "rules"]


async def test_module_names_inside_use(client: LanguageClient, tmp_path: Path) -> None:
    (tmp_path / "lib.pml").write_text(
        '<schema name="travel">\n'
        '  <module name="policy" cache="true"><param name="agency" default="Northwind"/>Be {{ agency }}.</module>\n'
        '  <module name="trip"><param name="days"/>Plan {{ days }} days.</module>\n'
        "</schema>\n", encoding="utf-8")
    text = '<import src="lib.pml" as="lib"/>\n<schema><module name="local">Mine</module></schema>\n'
    uri = await open_file(client, tmp_path / "uses.pml", text + '<use module="lib.trip" days="3"/>\n')
    # While a `<use>` is typed the document does not compile: names come from the last compile that did.
    items = await complete(client, uri, text + '<use module="|"/>\n')
    assert labels(items) == ["lib.policy", "lib.travel.policy", "lib.travel.trip", "lib.trip", "local"]
    policy = items[0]
    assert policy.detail == "cached module travel.policy"
    assert policy.documentation.value == (  # type: ignore[union-attr]
        "Cached module `travel.policy`, defined in lib.pml at line 2.\n\nParams: `agency` (optional)")
    # the params of the module a `<use>` names are attributes of it
    items = await complete(client, uri, text + '<use module="lib.trip" | />\n')
    assert "days" in labels(items)
    assert next(i for i in items if i.label == "days").detail == "required param"


async def test_style_properties_and_values(client: LanguageClient, tmp_path: Path) -> None:
    uri = await open_file(client, tmp_path / "s.pml", "")
    items = await complete(client, uri, "<style>\n  task { cap| }\n</style>\n<task>x</task>")
    assert "caption-style" in labels(items) and "list-style" in labels(items)
    assert "class" not in labels(items) and "for" not in labels(items)  # not styleable
    caption = next(i for i in items if i.label == "caption-style")
    assert caption.text_edit == types.TextEdit(range=rng(1, 9, 1, 12), new_text="caption-style: ")
    items = await complete(client, uri, "<style>\n  task { caption-style: | }\n</style>\n<task>x</task>")
    assert labels(items) == ["header", "bold", "plain", "hidden"]
    items = await complete(client, uri, "<style>\n  ta| { }\n</style>")
    assert "task" in labels(items)


async def test_style_properties_in_a_pss_file(client: LanguageClient, tmp_path: Path) -> None:
    uri = await open_file(client, tmp_path / "look.pss", "")
    items = await complete(client, uri, "list { list-style: | }")
    assert labels(items) == ["dash", "star", "plus", "decimal", "latin"]


async def test_nothing_in_plain_text_or_comments(client: LanguageClient, tmp_path: Path) -> None:
    uri = await open_file(client, tmp_path / "n.pml", "")
    assert await complete(client, uri, "<p>Just | words</p>") == []
    assert await complete(client, uri, "<!-- <ta| -->") == []
