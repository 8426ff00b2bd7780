"""The document readers (`pml.readers`) and the components built on them.

The small PDF and DOCX files under `tests/cases/documents/files/` are made by `make_pdf` and
`make_docx` below (run this file as a script to write them again); the tests here also build
files on the fly to reach the corners.
"""

from __future__ import annotations

import base64
import io
import struct
import sys
import zlib
from pathlib import Path
from typing import Any

import pytest

import pml
from pml import limits
from pml.components import boxes as ir
from pml.readers import MissingExtra, ReadFailure, sniff
from pml.readers.html import parse, select, to_boxes, to_text
from pml.readers.pdf import PageSelectionError, read_pdf, select_pages
from pml.render.renderer import write

FILES = Path(__file__).resolve().parent / "cases" / "documents" / "files"

PDF_PAGES = [
    ["Quarterly report", "Revenue grew by 12 percent."],
    ["Costs", "Travel costs fell."],
    ["Outlook", "We expect steady growth."],
]


# ---------------------------------------------------------------------- fixture builders


def make_pdf(pages: list[list[str]]) -> bytes:
    """A minimal PDF: one Helvetica line per string, one page per list."""
    objects: dict[int, bytes] = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    }
    kids = []
    for index, lines in enumerate(pages):
        page, content = 4 + 2 * index, 5 + 2 * index
        kids.append(f"{page} 0 R")
        shown = " ".join(f"({_pdf_string(line)}) Tj T*" for line in lines)
        stream = f"BT /F1 12 Tf 16 TL 72 720 Td {shown} ET".encode("latin-1")
        objects[page] = (f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
                         f"/Resources << /Font << /F1 3 0 R >> >> /Contents {content} 0 R >>").encode()
        objects[content] = b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"
    objects[2] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(pages)} >>".encode()
    out = b"%PDF-1.4\n"
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offsets[n] for n in sorted(objects))
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


def _pdf_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def make_png(width: int = 2, height: int = 2, rgb: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A small solid-colour PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    density = struct.pack(">IIB", 2835, 2835, 1)  # 72 dpi, as image libraries write it
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"pHYs", density)
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def make_docx(*, table: bool = False) -> bytes:
    """A DOCX with a title, headings, a bold run, a line break, lists (nested), a picture, and a table
    when asked (the case files leave tables to the table writer's own tests)."""
    import docx

    document = docx.Document()
    document.add_paragraph("Travel notes", style="Title")
    document.add_heading("Summary", level=1)
    intro = document.add_paragraph("The trip was ")
    intro.add_run("short").bold = True
    intro.add_run(" and cheap.")
    lines = document.add_paragraph("First line")
    lines.add_run().add_break()
    lines.add_run("second line")
    document.add_paragraph("")
    document.add_heading("Costs", level=2)
    document.add_paragraph("Flights", style="List Bullet")
    nested = document.add_paragraph("Economy only", style="List Bullet")
    _set_level(nested, 1)
    document.add_paragraph("")
    document.add_paragraph("Hotels", style="List Bullet")
    document.add_paragraph("Book early", style="List Number")
    document.add_paragraph("Keep receipts", style="List Number")
    if table:
        grid = document.add_table(rows=3, cols=2)
        for row, cells in zip(grid.rows, [("Item", "Cost"), ("Flight", "300"), ("Hotel", "450")], strict=True):
            for cell, text in zip(row.cells, cells, strict=True):
                cell.text = text
    picture = document.add_paragraph()
    picture.add_run().add_picture(io.BytesIO(make_png()))
    picture.runs[0]._r.xpath(".//wp:docPr")[0].set("descr", "A red square")
    document.add_paragraph("The end.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_chart_docx() -> bytes:
    """A DOCX with a picture that has no alt text between two paragraphs."""
    import docx

    document = docx.Document()
    document.add_paragraph("Sales by month:")
    document.add_paragraph().add_run().add_picture(io.BytesIO(make_png(rgb=(30, 30, 200))))
    document.add_paragraph("Sales grew every month.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _set_level(paragraph: Any, level: int) -> None:
    """Put a bulleted paragraph one level deeper: its own numbering, and that level defined."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls, qn

    num_id = paragraph.part.document.styles[paragraph.style.name].element.pPr.numPr.numId.val
    paragraph._p.get_or_add_pPr().append(parse_xml(
        f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/></w:numPr>'))
    numbering = paragraph.part.numbering_part.element
    abstract_id = numbering.num_having_numId(num_id).abstractNumId.val
    for definition in numbering.findall(qn("w:abstractNum")):
        if definition.get(qn("w:abstractNumId")) == str(abstract_id):
            definition.append(parse_xml(
                f'<w:lvl {nsdecls("w")} w:ilvl="{level}"><w:numFmt w:val="bullet"/><w:lvlText w:val="o"/></w:lvl>'))


def write_fixtures() -> None:
    FILES.mkdir(parents=True, exist_ok=True)
    (FILES / "report.pdf").write_bytes(make_pdf(PDF_PAGES))
    (FILES / "travel.docx").write_bytes(make_docx())
    (FILES / "chart.docx").write_bytes(make_chart_docx())


def text_of(boxes: list[ir.Box]) -> str:
    return write(boxes, "markdown").text


def render(markup: str, folder: Path, context: dict[str, Any] | None = None) -> pml.Rendered:
    return pml.loads(markup, base_dir=folder).render(context or {})


def error_of(markup: str, folder: Path, context: dict[str, Any] | None = None) -> str:
    with pytest.raises(pml.PMLError) as info:
        render(markup, folder, context)
    return str(info.value)


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    """A prompt folder with the fixture files copied in."""
    for name in ("report.pdf", "travel.docx", "chart.docx", "page.html", "notes.txt"):
        (tmp_path / name).write_bytes((FILES / name).read_bytes())
    return tmp_path


# ---------------------------------------------------------------------- the fixtures are current


def test_fixture_pdf_is_what_make_pdf_writes() -> None:
    assert (FILES / "report.pdf").read_bytes() == make_pdf(PDF_PAGES)


# ---------------------------------------------------------------------- pdf


@pytest.mark.parametrize(("spec", "pages"), [
    ("0", [0]), ("2", [2]), ("-1", [2]), ("1:3", [1, 2]), (":2", [0, 1]), ("1:", [1, 2]),
    (":", [0, 1, 2]), ("0:99", [0, 1, 2]), ("-2:", [1, 2]), (" 1 : 2 ", [1]),
])
def test_select_pages_is_a_python_slice(spec: str, pages: list[int]) -> None:
    assert select_pages(spec, 3) == pages


@pytest.mark.parametrize(("spec", "message"), [
    ("3", "page 3 does not exist: the PDF has 3 pages (pages count from 0)"),
    ("-4", "page -4 does not exist: the PDF has 3 pages (pages count from 0)"),
    ("2:1", '`selectedPages="2:1"` selects no page: the PDF has 3 pages'),
    ("one", "`selectedPages` should be a page number or a slice like `1:3`, not `one`"),
    ("1:2:3", "`selectedPages` should be a page number or a slice like `1:3`, not `1:2:3`"),
])
def test_select_pages_errors(spec: str, message: str) -> None:
    with pytest.raises(PageSelectionError) as info:
        select_pages(spec, 3)
    assert str(info.value) == message


def test_read_pdf_all_and_selected_pages() -> None:
    data = make_pdf(PDF_PAGES)
    assert read_pdf(data) == ("Quarterly report\nRevenue grew by 12 percent.\n\nCosts\nTravel costs fell.\n\n"
                              "Outlook\nWe expect steady growth.")
    assert read_pdf(data, "1") == "Costs\nTravel costs fell."
    assert read_pdf(data, "-1") == "Outlook\nWe expect steady growth."


def test_pdf_text_keeps_brackets_and_no_markup() -> None:
    assert read_pdf(make_pdf([["<b>not a tag</b> (a) [b]"]])) == "<b>not a tag</b> (a) [b]"


def test_damaged_pdf_is_a_read_failure() -> None:
    with pytest.raises(ReadFailure, match="not a readable PDF"):
        read_pdf(b"%PDF-1.4\nthis is not a PDF")


def test_sniff() -> None:
    assert sniff(make_pdf(PDF_PAGES)) == "pdf"
    assert sniff((FILES / "travel.docx").read_bytes()) == "docx"
    assert sniff(b"hello") is None
    assert sniff(b"PK\x03\x04 broken zip") is None


# ---------------------------------------------------------------------- docx


def test_docx_structure() -> None:
    from pml.readers.docx import read_docx

    boxes = read_docx(make_docx(table=True))
    kinds = [type(b).__name__ for b in boxes]
    assert kinds == ["Block", "Heading", "Block", "Block", "Heading", "ListBox", "ListBox", "Table", "Block",
                     "Block"]
    bullets, numbered = boxes[5], boxes[6]
    assert isinstance(bullets, ir.ListBox) and isinstance(numbered, ir.ListBox)
    assert (bullets.style, numbered.style) == ("dash", "decimal")
    assert text_of([bullets]) == "- Flights\n\n  - Economy only\n\n- Hotels"
    assert text_of([numbered]) == "1. Book early\n2. Keep receipts"
    assert boxes[7] == ir.Table(["Item", "Cost"], [["Flight", "300"], ["Hotel", "450"]])
    picture = boxes[8]
    assert isinstance(picture, ir.Block) and isinstance(picture.children[0], ir.Media)
    media = picture.children[0]
    assert (media.mime, media.alt) == ("image/png", "A red square")
    assert base64.b64decode(media.base64) == make_png()
    assert text_of(boxes[3:4]) == "First line\nsecond line"


def test_docx_without_multimedia_writes_alt_text_or_nothing() -> None:
    from pml.readers.docx import read_docx

    assert text_of(read_docx(make_docx(), multimedia=False)[-2:]) == "A red square\n\nThe end."
    assert text_of(read_docx(make_chart_docx(), multimedia=False)) == "Sales by month:\n\nSales grew every month."


def test_docx_results_are_copies() -> None:
    from pml.readers.docx import read_docx

    data = make_chart_docx()
    first = read_docx(data)
    first.clear()
    assert len(read_docx(data)) == 3


def test_damaged_docx_is_a_read_failure() -> None:
    from pml.readers.docx import read_docx

    with pytest.raises(ReadFailure, match="not a readable DOCX file"):
        read_docx(b"PK\x03\x04 nope")


# ---------------------------------------------------------------------- the optional extra


@pytest.mark.parametrize(("module", "name"), [("pypdf", "report.pdf"), ("docx", "travel.docx")])
def test_missing_reader_names_the_extra(monkeypatch: pytest.MonkeyPatch, folder: Path, module: str,
                                        name: str) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # `import module` now raises ImportError
    message = error_of(f'<poml><document src="{name}"/></poml>', folder)
    suffix = Path(name).suffix
    assert message == (f"<string>:1:22: reading {suffix} files needs the optional readers: "
                       f"pip install 'pml[documents]'\n"
                       f'  <poml><document src="{name}"/></poml>\n'
                       f"                       {'^' * len(name)}")


def test_missing_extra_error_type() -> None:
    error = MissingExtra("reading .pdf files", "pypdf")
    assert isinstance(error, ImportError)
    assert str(error) == "reading .pdf files needs the optional readers: pip install 'pml[documents]'"


# ---------------------------------------------------------------------- <document>


def test_document_from_base64_and_bytes(folder: Path) -> None:
    encoded = base64.b64encode(make_pdf([["From base64"]])).decode()
    assert render(f'<document base64="{encoded}"/>', folder).text() == "===== human =====\n\nFrom base64"
    docx_bytes = make_chart_docx()
    got = render('<document buffer="{{ data }}" multimedia="false"/>', folder, {"data": docx_bytes})
    assert got.messages[0].content == "Sales by month:\n\nSales grew every month."


def test_document_auto_parser_reads_text_extensions_and_sniffs_the_rest(folder: Path) -> None:
    (folder / "readme.md").write_text("# Title\n\nBody\n", encoding="utf-8")
    (folder / "report.bin").write_bytes(make_pdf([["Sniffed"]]))
    (folder / "plain").write_text("no extension", encoding="utf-8")
    assert render('<document src="readme.md"/>', folder).messages[0].content == "# Title\n\nBody\n"
    assert render('<document src="report.bin"/>', folder).messages[0].content == "Sniffed"
    assert render('<document src="plain"/>', folder).messages[0].content == "no extension"


def test_document_syntax_json_is_a_string_and_text_is_not_fenced(folder: Path) -> None:
    assert render('<document src="notes.txt" syntax="json"/>', folder).messages[0].content.startswith('```json\n"')
    got = render('<poml><p>Intro</p><document src="report.pdf" syntax="text" selectedPages="0"/></poml>', folder)
    assert got.messages[0].content == "Intro\n\nQuarterly report\nRevenue grew by 12 percent."


@pytest.mark.parametrize(("markup", "message"), [
    ('<document src="notes.txt" buffer="x"/>', "`<document>` takes one of src, buffer or base64, not src and buffer"),
    ('<document parser="pdf"/>', 'parser="pdf" needs a file: give src, buffer or base64'),
    ('<document src="notes.txt" selectedPages="1"/>',
     "`selectedPages` applies to PDF documents, and notes.txt is read as txt"),
    ('<document src="report.pdf" selectedPages="7"/>',
     "page 7 does not exist: the PDF has 3 pages (pages count from 0)"),
    ('<document src="report.pdf" selectedPages="x:y"/>',
     "`selectedPages` should be a page number or a slice like `1:3`, not `x:y`"),
    ('<document base64="not base64!"/>', "`base64` of the document is not valid base64"),
    ('<document src="old.doc"/>', "old Word .doc files cannot be read: old.doc"),
    ('<document src="image.png"/>', "cannot tell how to read `image.png`: it is not text, PDF or DOCX"),
    ('<document src="broken.pdf"/>', "cannot read broken.pdf: not a readable PDF"),
    ('<document src="../outside.txt"/>', "`../outside.txt` is outside the prompt's folder"),
    ('<document buffer="{{ 3 }}"/>', "`buffer` should be text or bytes, not a number `3`"),
])
def test_document_errors(folder: Path, markup: str, message: str) -> None:
    (folder / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0 old word")
    (folder / "image.png").write_bytes(make_png())
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 broken")
    shown = error_of(markup, folder)
    assert shown.startswith("<string>:1:")
    assert message in shown.splitlines()[0]


# ---------------------------------------------------------------------- html


PAGE = """<html><head><title>T</title><script>x()</script></head><body>
<h2>Top <em> level </em></h2>
<p>Some   <b>bold </b>text, <code>x = 1</code>,<br>  then a break.</p>
<h3>Deeper</h3>
<ul><li>one<ul><li>nested <a href="#">link</a></li></ul></li><li><p>para item</p></li></ul>
<pre class="language-python">def f():
    return 1
</pre>
<img src="data:image/png;base64,iVBORw0KGgo=" alt="pic"><img src="remote.png" alt="Remote">
<table><tr><th>A</th><th>B</th></tr><tr><td>1</td><td> 2 </td></tr></table>
<div id="box" class="note wide">text <div>inner</div> tail</div>
</body></html>"""


def test_html_structure() -> None:
    root = parse(PAGE)
    boxes = to_boxes(select(root, None))
    media = [b for b in _walk(boxes) if isinstance(b, ir.Media)]
    assert media == [ir.Media("image/png", "iVBORw0KGgo=", "pic")]
    assert [b for b in _walk(boxes) if isinstance(b, ir.Table)] == [ir.Table(["A", "B"], [["1", "2"]])]
    # The table is left to the table writer's tests.
    text = "\n\n".join(chunk for chunk in text_of(boxes).split("\n\n") if not chunk.startswith("|"))
    assert text == (
        "# Top *level*\n\n"
        "Some **bold** text, `x = 1`,\nthen a break.\n\n"
        "## Deeper\n\n"
        "- one\n\n  - nested link\n\n- para item\n\n"
        "```python\ndef f():\n    return 1\n```\n\n"
        "Remote\n\n"
        "text\n\ninner\n\ntail"
    )


def _walk(boxes: list[Any]) -> list[Any]:
    out = []
    for box in boxes:
        out.append(box)
        for name in ("children", "body"):
            if isinstance(getattr(box, name, None), list):
                out.extend(_walk(getattr(box, name)))
        if isinstance(box, ir.ListBox):
            out.extend(_walk(box.items))
    return out


def test_html_text() -> None:
    assert to_text(select(parse(PAGE), None)) == (
        "Top level\n\nSome bold text, x = 1,\nthen a break.\n\nDeeper\n\none\nnested link\n\npara item\n\n"
        "def f():\n    return 1\n\nA | B\n1 | 2\n\ntext\n\ninner\n\ntail"
    )


@pytest.mark.parametrize(("selector", "tags"), [
    ("#box", ["div"]), (".note", ["div"]), ("div.wide#box", ["div"]), ("ul ul li", ["li"]),
    ("h2, h3", ["h2", "h3"]), ("body > h3", ["h3"]), ("li:first-child", ["li", "li"]),
])
def test_css_selectors(selector: str, tags: list[str]) -> None:
    assert [e.tag for e in select(parse(PAGE), selector)] == tags


@pytest.mark.parametrize(("selector", "tags"), [
    ("#box", ["div"]), (".wide", ["div"]), ("div.note#box", ["div"]), ("ul ul li", ["li"]), ("h2, h3", ["h2", "h3"]),
])
def test_simple_selectors_work_without_cssselect(monkeypatch: pytest.MonkeyPatch, selector: str,
                                                 tags: list[str]) -> None:
    monkeypatch.setitem(sys.modules, "lxml.cssselect", None)
    assert [e.tag for e in select(parse(PAGE), selector)] == tags


def test_other_selectors_without_cssselect_name_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "lxml.cssselect", None)
    with pytest.raises(MissingExtra) as info:
        select(parse(PAGE), "body > h3")
    assert str(info.value) == ("the CSS selector `body > h3` needs the optional readers: "
                               "pip install 'pml[documents]'")


def test_bad_selector_is_a_read_failure() -> None:
    with pytest.raises(ReadFailure, match="is not a CSS selector"):
        select(parse(PAGE), "p[")


def test_html_declared_charset() -> None:
    page = '<html><head><meta charset="latin-1"></head><body><p>caf\xe9</p></body></html>'.encode("latin-1")
    assert to_text(select(parse(page), None)) == "café"


@pytest.mark.parametrize(("markup", "message", "hint"), [
    ('<webpage url="https://example.com"/>', "pages are not fetched from URLs: https://example.com",
     'hint: save the page next to the prompt and use src="page.html"'),
    ('<webpage src="page.html" selector="#missing"/>', "the selector `#missing` matches nothing in the page", None),
    ('<webpage src="page.html" selector="p["/>', "is not a CSS selector", None),
    ("<webpage/>", "`<webpage>` needs `src` (a saved page) or `buffer` (HTML text)",
     'hint: write <webpage src="page.html"/>'),
    ('<webpage src="gone.html"/>', "page not found: gone.html", "hint: looked for gone.html"),
    ('<webpage buffer="   "/>', "cannot read the page: the page is empty", None),
])
def test_webpage_errors(folder: Path, markup: str, message: str, hint: str | None) -> None:
    shown = error_of(markup, folder)
    assert message in shown.splitlines()[0]
    if hint:
        assert shown.splitlines()[-1] == hint


# ---------------------------------------------------------------------- <folder> and <tree>


def test_folder_skips_content_that_is_not_text_and_links_outside(tmp_path: Path) -> None:
    prompt = tmp_path / "prompt"
    (prompt / "data").mkdir(parents=True)
    (prompt / "data" / "a.txt").write_text("alpha", encoding="utf-8")
    (prompt / "data" / "b.bin").write_bytes(b"\xff\xfe\x00")
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    (prompt / "data" / "link.txt").symlink_to(tmp_path / "secret.txt")
    got = render('<folder src="data" showContent="true" syntax="json"/>', prompt).messages[0].content
    assert got == '```json\n{\n  "data": {\n    "a.txt": "alpha",\n    "b.bin": null\n  }\n}\n```'


def test_folder_entry_limit(tmp_path: Path) -> None:
    for index in range(5):
        (tmp_path / "many").mkdir(exist_ok=True)
        (tmp_path / "many" / f"{index}.txt").write_text("x", encoding="utf-8")
    with limits.using(limits.Limits(max_folder_entries=3)):
        message = error_of('<folder src="many"/>', tmp_path)
    assert "the folder holds more than 3 entries" in message
    assert message.endswith("hint: narrow it with filter or maxDepth, or raise max_folder_entries")


@pytest.mark.parametrize(("markup", "message"), [
    ('<folder src="notes.txt"/>', "`notes.txt` is not a folder"),
    ('<folder src="nowhere"/>', "folder not found: nowhere"),
    ('<folder src=".."/>', "`..` is outside the prompt's folder"),
    ('<folder src="." filter="("/>', "`filter` is not a regular expression: missing ), unterminated subpattern"),
    ("<folder/>", "`<folder>` needs `src` (a folder) or `data` (tree items)"),
    ('<tree items="{{ 3 }}"/>', "`items` should be a list, not a number `3`"),
    ('<tree items=\'[{"value": "x"}]\'/>', "`items[0]` should be an object with a `name`"),
    ('<tree items=\'[{"name": "a", "children": [1]}]\'/>', "`items[0].children[0]` should be an object with a `name`"),
    ("<tree items='[nope'/>", "`items` should be a JSON array"),
])
def test_folder_and_tree_errors(folder: Path, markup: str, message: str) -> None:
    assert message in error_of(markup, folder).splitlines()[0]


def test_folder_data_and_tree_items_from_json(folder: Path) -> None:
    items = '[{"name": "a", "children": [{"name": "b.txt", "value": "B"}]}]'
    assert render(f"<folder data='{items}'/>", folder).messages[0].content == "- a\n  - b.txt"
    assert render(f"<tree items='{items}' syntax='xml' showContent='true'/>", folder).messages[0].content == (
        "```xml\n<a>\n  <b.txt>B</b.txt>\n</a>\n```")


if __name__ == "__main__":
    write_fixtures()
    sys.exit(0)
