"""Stylesheet rules reach the pictures, tables and lists a `<document>` or `<webpage>` expands into."""

from __future__ import annotations

import base64
import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

import pml

FILES = Path(__file__).resolve().parent / "cases" / "documents" / "files"
PAGE = """<html><body>
<h1>Prices</h1>
<img src="data:image/png;base64,{png}" alt="a square">
<table><tr><th>item</th><th>price</th></tr><tr><td>tea</td><td>3</td></tr><tr><td>cake</td><td>5</td></tr></table>
<ul><li>one</li><li>two</li></ul>
</body></html>"""


def png(width: int, height: int) -> str:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "blue").save(out, "PNG")
    return base64.b64encode(out.getvalue()).decode()


def pictures(rendered: pml.Rendered) -> list[tuple[int, int]]:
    sizes = []
    for message in rendered.messages:
        for part in message.content if isinstance(message.content, list) else []:
            if isinstance(part, dict) and "base64" in part:
                with Image.open(io.BytesIO(base64.b64decode(part["base64"]))) as image:
                    sizes.append(image.size)
    return sizes


def render(markup: str, context: dict[str, Any] | None = None, folder: Path = FILES, **options: Any) -> pml.Rendered:
    return pml.loads(markup, base_dir=folder, **options).render(context or {})


@pytest.fixture()
def chart(tmp_path: Path) -> Path:
    """chart.docx with its picture swapped for a 64 × 32 one; the folder holding it."""
    with zipfile.ZipFile(FILES / "chart.docx") as source, zipfile.ZipFile(tmp_path / "chart.docx", "w") as copy:
        for info in source.infolist():
            data = base64.b64decode(png(64, 32)) if info.filename == "word/media/image1.png" else source.read(info)
            copy.writestr(info, data)
    return tmp_path


def test_an_image_rule_scales_the_pictures_of_a_docx(chart: Path) -> None:
    assert pictures(render('<poml><document src="chart.docx"/></poml>', folder=chart)) == [(64, 32)]
    markup = '<poml><style>image { max-width: 40 }</style><document src="chart.docx"/></poml>'
    assert pictures(render(markup, folder=chart)) == [(40, 20)]


def test_the_caller_stylesheet_reaches_them_too(chart: Path) -> None:
    rendered = render('<poml><document src="chart.docx"/></poml>', folder=chart, stylesheet={"img": {"maxHeight": 8}})
    assert pictures(rendered) == [(16, 8)]


def test_a_docx_in_base64_is_styled_as_one_read_from_a_file(chart: Path) -> None:
    encoded = base64.b64encode((chart / "chart.docx").read_bytes()).decode()
    markup = '<poml><style>img { resize: 0.25 }</style><document base64="{{ data }}"/></poml>'
    assert pictures(render(markup, {"data": encoded}, folder=chart)) == [(16, 8)]


def test_selectors_see_the_document_as_the_parent(chart: Path) -> None:
    markup = ('<poml><style>.small > img { max-width: 32 }</style>'
              '<document className="small" src="chart.docx"/><document src="chart.docx"/></poml>')
    assert pictures(render(markup, folder=chart)) == [(32, 16), (64, 32)]


def test_list_table_and_image_rules_reach_a_webpage() -> None:
    markup = ('<poml><style>webpage table { syntax: csv } webpage list { list-style: star } '
              'img { max-width: 8 }</style><webpage buffer="{{ page }}"/></poml>')
    rendered = render(markup, {"page": PAGE.format(png=png(32, 16))})
    assert pictures(rendered) == [(8, 4)]
    text = re.sub(r'^\{"type":"(image/png)".*$', r"<\1>", rendered.text(), flags=re.M)
    assert text == "===== human =====\n\n# Prices\n\n<image/png>\n\nitem,price\ntea,3\ncake,5\n\n* one\n* two"


def test_table_selection_properties_apply() -> None:
    markup = ('<poml><style>table { max-records: 1; syntax: csv }</style>'
              '<webpage buffer="{{ page }}" selector="table"/></poml>')
    text = render(markup, {"page": PAGE.format(png=png(4, 4))}).text()
    assert text == "===== human =====\n\nitem,price\ntea,3\n...,..."


def test_lists_of_a_docx_take_the_list_rule() -> None:
    plain = render('<poml><document src="travel.docx"/></poml>').text()
    styled = render('<poml><style>document list { list-style: plus }</style><document src="travel.docx"/></poml>')
    expected = plain.replace("- Flights", "+ Flights").replace("- Economy", "+ Economy") \
        .replace("- Hotels", "+ Hotels").replace("1. Book early", "+ Book early") \
        .replace("2. Keep receipts", "+ Keep receipts")
    assert expected != plain
    assert styled.text() == expected


def test_the_builtin_sheet_does_not_restyle_what_readers_write() -> None:
    prompt = pml.loads('<poml><document src="travel.docx"/></poml>', base_dir=FILES)
    (document,) = prompt.root.children
    assert document.expanded == {}  # default.pss styles `list`, but no reader output
    styled = pml.loads('<poml><style>list { list-style: star }</style><document src="travel.docx"/></poml>',
                       base_dir=FILES)
    (document,) = styled.root.children
    assert document.expanded == {"list": {"listStyle": "star"}}


def test_pictures_written_in_an_inline_document_are_styled_once(tmp_path: Path) -> None:
    (tmp_path / "wide.png").write_bytes(base64.b64decode(png(40, 20)))
    markup = ('<poml><style>img { resize: 0.5 }</style>'
              '<document><img src="wide.png" syntax="multimedia"/></document></poml>')
    assert pictures(render(markup, folder=tmp_path)) == [(20, 10)]


def test_a_styled_picture_that_cannot_be_decoded_is_a_located_error() -> None:
    page = '<html><body><img src="data:image/png;base64,AAAA"></body></html>'
    with pytest.raises(pml.PMLRenderError) as info:
        render('<poml><style>img { max-width: 8 }</style>\n<webpage buffer="{{ page }}"/></poml>', {"page": page})
    assert info.value.message.startswith("cannot resize a picture of the document: not a readable image")
    assert (info.value.line, info.value.column) == (2, 1)


def test_a_styled_value_of_the_wrong_type_is_one_warning() -> None:
    prompt = pml.loads('<poml><style>image { max-width: wide }</style><document src="chart.docx"/></poml>',
                       base_dir=FILES)
    assert [d.message for d in prompt.diagnostics] == ["`maxWidth` should be a number, not `wide`; declaration ignored"]


def test_the_expanded_styles_are_part_of_a_module_digest() -> None:
    from pml.compile.modules import digest

    def document_digest(sheet: str) -> str:
        prompt = pml.loads(f'<poml><style>{sheet}</style><document src="chart.docx"/></poml>', base_dir=FILES)
        return digest(prompt.root.children[-1])

    assert document_digest("img { max-width: 10 }") != document_digest("img { max-width: 20 }")
