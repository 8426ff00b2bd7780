"""Decompression bombs: DOCX and XLSX archives, spreadsheets and images that unpack to far more
than they weigh are refused with a located error, before anything large is built.

The bombs are built here, at run time (nothing big is committed): a ZIP archive is written by
hand so that a member's stream can be one small compressed block repeated, and its header can
declare any size, true or not.
"""

from __future__ import annotations

import base64
import io
import resource
import struct
import time
import tracemalloc
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image

import pml
from pml import limits
from pml.readers.archive import ArchiveProblem, check_zip, count_members

FILES = Path(__file__).resolve().parent / "cases" / "documents" / "files"
MB = 1 << 20


def raise_hint(limit: str) -> str:
    """How every error about a limit says to raise it."""
    return f"raise the limit with `--limit {limit}=N` (CLI) or `limits=Limits({limit}=N)` (SDK)"


@dataclass
class Member:
    """A member as written: its name, deflated stream, CRC, true size and the size its headers declare."""

    name: str
    stream: bytes
    crc: int
    size: int
    declared: int | None = None


def deflated(data: bytes) -> Member:
    packer = zlib.compressobj(6, zlib.DEFLATED, -15)
    return Member("", packer.compress(data) + packer.flush(), zlib.crc32(data), len(data))


def repeated(head: bytes, unit: bytes, times: int, tail: bytes) -> Member:
    """`head + unit * times + tail` deflated without ever being built: full flushes make each
    compressed piece independent, so the piece for `unit` is written `times` times."""

    def piece(data: bytes, final: bool = False) -> bytes:
        packer = zlib.compressobj(9, zlib.DEFLATED, -15)
        return packer.compress(data) + (packer.flush() if final else packer.flush(zlib.Z_FULL_FLUSH))

    crc = zlib.crc32(head)
    for _ in range(times):
        crc = zlib.crc32(unit, crc)
    crc = zlib.crc32(tail, crc)
    stream = piece(head) + piece(unit) * times + piece(tail, final=True)
    return Member("", stream, crc, len(head) + len(unit) * times + len(tail))


def archive(members: list[Member]) -> bytes:
    """A ZIP archive of deflated members, headers declaring `declared` sizes where given."""
    out = io.BytesIO()
    central = io.BytesIO()
    for member in members:
        name = member.name.encode()
        declared = member.size if member.declared is None else member.declared
        offset = out.tell()
        out.write(struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0x21, member.crc, len(member.stream),
                              declared, len(name), 0))
        out.write(name + member.stream)
        central.write(struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, 8, 0, 0x21, member.crc,
                                  len(member.stream), declared, len(name), 0, 0, 0, 0, 0, offset))
        central.write(name)
    start = out.tell()
    out.write(central.getvalue())
    out.write(struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(members), len(members), len(central.getvalue()),
                          start, 0))
    return out.getvalue()


def docx_with(document: Member) -> bytes:
    """travel.docx with its `word/document.xml` replaced."""
    members = []
    with zipfile.ZipFile(FILES / "travel.docx") as real:
        for info in real.infolist():
            if info.filename == "word/document.xml":
                document.name = info.filename
                members.append(document)
            else:
                member = deflated(real.read(info))
                member.name = info.filename
                members.append(member)
    return archive(members)


HEAD = (b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        b"<w:body><w:p><w:r><w:t>")
TAIL = b"</w:t></w:r></w:p></w:body></w:document>"


def bomb_docx(megabytes: int) -> bytes:
    return docx_with(repeated(HEAD, b"A" * MB, megabytes, TAIL))


def render_error(markup: str, folder: Path, context: dict[str, object] | None = None) -> pml.PMLError:
    with pytest.raises(pml.PMLError) as info:
        pml.loads(markup, name="p.pml", base_dir=folder).render(context or {})
    return info.value


# ---------------------------------------------------------------------- DOCX


def test_the_bomb_is_what_it_claims() -> None:
    data = bomb_docx(400)
    assert len(data) < 1_500_000
    with zipfile.ZipFile(io.BytesIO(data)) as opened:
        assert opened.getinfo("word/document.xml").file_size > 400_000_000


def test_a_docx_bomb_by_src_is_refused_quickly_and_in_little_memory(tmp_path: Path) -> None:
    (tmp_path / "bomb.docx").write_bytes(bomb_docx(400))
    tracemalloc.start()
    started = time.perf_counter()
    try:
        error = render_error('<poml>\n<document src="bomb.docx"/>\n</poml>', tmp_path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - started < 5
    assert peak < 50 * MB
    assert str(error) == (
        "p.pml:2:16: cannot read bomb.docx: the archive member `word/document.xml` unpacks to more than "
        "100,000,000 bytes (the limit `max_archive_member`)\n"
        '  <document src="bomb.docx"/>\n'
        "                 ^^^^^^^^^\n"
        "hint: " + raise_hint("max_archive_member"))


def test_a_docx_bomb_in_base64_from_the_context_is_refused(tmp_path: Path) -> None:
    encoded = base64.b64encode(bomb_docx(400)).decode()
    error = render_error('<poml>\n<document base64="{{ data }}"/>\n</poml>', tmp_path, {"data": encoded})
    assert error.message == ("cannot read the document: the archive member `word/document.xml` unpacks to more "
                             "than 100,000,000 bytes (the limit `max_archive_member`)")
    assert error.line == 2


def test_a_docx_bomb_in_a_buffer_with_the_parser_named_is_refused(tmp_path: Path) -> None:
    error = render_error('<poml><document buffer="{{ data }}" parser="docx"/></poml>', tmp_path,
                         {"data": bomb_docx(400)})
    assert "the archive member `word/document.xml` unpacks to more than 100,000,000 bytes" in error.message


def test_a_header_that_lies_about_the_size_cannot_pass(tmp_path: Path) -> None:
    lying = repeated(HEAD, b"A" * MB, 30, TAIL)
    lying.declared = 1000  # the headers say 1,000 bytes; the stream unpacks to 30 MB
    (tmp_path / "lying.docx").write_bytes(docx_with(lying))
    with limits.using(limits.Limits(max_archive_member=5 * MB)):
        error = render_error('<poml><document src="lying.docx"/></poml>', tmp_path)
    assert error.message.startswith("cannot read lying.docx: the archive member `word/document.xml` is damaged: "
                                    "it does not unpack to what its header declares")


def test_a_member_that_unpacks_to_less_than_declared_is_damaged() -> None:
    short = deflated(b"x" * 100)
    short.name, short.declared = "a.txt", 50
    with pytest.raises(ArchiveProblem, match=r"`a\.txt` is damaged"):
        check_zip(archive([short]))


def test_the_total_of_the_members_is_bounded(tmp_path: Path) -> None:
    members = []
    for index in range(4):
        member = repeated(b"", b"B" * MB, 1, b"")
        member.name = f"word/media/part{index}.bin"
        members.append(member)
    with limits.using(limits.Limits(max_archive_total=3 * MB)):
        with pytest.raises(ArchiveProblem) as info:
            check_zip(archive(members))
    assert str(info.value) == ("the archive's members unpack to more than 3,145,728 bytes together, counting up to "
                               "`word/media/part3.bin` (the limit `max_archive_total`)")
    assert info.value.hint == raise_hint("max_archive_total")


def test_headers_that_understate_several_members_are_caught_while_unpacking() -> None:
    members = []
    for index in range(4):
        member = repeated(b"", b"C" * MB, 1, b"")
        member.name, member.declared = f"m{index}", 10  # each claims 10 bytes
        members.append(member)
    with limits.using(limits.Limits(max_archive_total=3 * MB)), pytest.raises(ArchiveProblem, match="damaged"):
        check_zip(archive(members))


def test_overlapping_members_count_once_each() -> None:
    """Many directory entries pointing at one stream (each honest alone) add up."""
    one = repeated(b"", b"D" * MB, 60, b"")
    one.name = "word/document.xml"
    data = bytearray(archive([one]))
    central = data.index(b"PK\x01\x02")
    entry = bytes(data[central:data.index(b"PK\x05\x06")])
    copies = [entry.replace(b"word/document.xml", f"word/copy{i:04}.xml".encode()) for i in range(10)]
    body = bytes(data[:central])
    directory = b"".join(copies)
    eocd = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 10, 10, len(directory), len(body), 0)
    with pytest.raises(ArchiveProblem, match="unpack to more than 500,000,000 bytes together"):
        check_zip(body + directory + eocd)


def test_the_members_are_counted_before_the_directory_is_read() -> None:
    empty = deflated(b"")
    members = []
    for index in range(30):
        member = Member(f"f{index}", empty.stream, empty.crc, 0)
        members.append(member)
    data = archive(members)
    with limits.using(limits.Limits(max_archive_members=20)):
        assert count_members(data) == 21  # counting stops one past the limit
        with pytest.raises(ArchiveProblem) as info:
            check_zip(data)
    assert str(info.value) == "the archive has more than 20 members (the limit `max_archive_members`)"
    assert count_members(data) == 30
    assert count_members(b"not a zip") is None


def test_a_normal_docx_passes_and_raising_the_limit_lets_a_big_one_through(tmp_path: Path) -> None:
    check_zip((FILES / "travel.docx").read_bytes())
    (tmp_path / "big.docx").write_bytes(bomb_docx(3))
    with limits.using(limits.Limits(max_archive_member=2 * MB)):
        error = render_error('<poml><document src="big.docx"/></poml>', tmp_path)
    assert "unpacks to more than 2,097,152 bytes" in error.message
    with limits.using(limits.Limits(max_archive_member=4 * MB)):
        text = pml.loads('<poml><document src="big.docx"/></poml>', base_dir=tmp_path).render().text()
    assert text.count("A") == 3 * MB


# ---------------------------------------------------------------------- XLSX


def xlsx_with_sheet(sheet: bytes) -> bytes:
    """A minimal workbook whose first sheet's XML is `sheet`."""
    parts = {
        "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                               b'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
                               b'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
                               b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
                               b'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
                               b'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
                               b'worksheet+xml"/></Types>',
        "_rels/.rels": b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                       b'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                       b'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": b'<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
                           b'2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
                           b'<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                                      b'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
                                      b'openxmlformats.org/officeDocument/2006/relationships/worksheet" '
                                      b'Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": sheet,
    }
    members = []
    for name, data in parts.items():
        member = deflated(data)
        member.name = name
        members.append(member)
    return archive(members)


SHEET_HEAD = b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def test_an_xlsx_bomb_is_refused(tmp_path: Path) -> None:
    row = b'<row r="1"><c r="A1" t="inlineStr"><is><t>' + b"x" * 1000 + b"</t></is></c></row>"
    sheet = repeated(SHEET_HEAD + b"<sheetData>", row, 200_000, b"</sheetData></worksheet>")
    sheet.name = "xl/worksheets/sheet1.xml"
    (tmp_path / "bomb.xlsx").write_bytes(archive([sheet]))
    error = render_error('<poml><table src="bomb.xlsx"/></poml>', tmp_path)
    assert error.message == ("cannot read `bomb.xlsx` as an Excel workbook: the archive member "
                             "`xl/worksheets/sheet1.xml` unpacks to more than 100,000,000 bytes "
                             "(the limit `max_archive_member`)")
    assert error.hint == raise_hint("max_archive_member")


@pytest.mark.parametrize("dimension", [b'<dimension ref="A1:XFD1048576"/>', b""])
def test_a_sheet_padded_to_a_huge_size_is_refused(tmp_path: Path, dimension: bytes) -> None:
    """One cell far away makes openpyxl fill every row to the sheet's width: a few bytes that
    would be 17 billion cells."""
    sheet = (SHEET_HEAD + dimension + b'<sheetData><row r="1"><c r="A1"><v>1</v></c><c r="XFD1"><v>2</v></c></row>'
             b'<row r="1048576"><c r="A1048576"><v>3</v></c></row></sheetData></worksheet>')
    (tmp_path / "wide.xlsx").write_bytes(xlsx_with_sheet(sheet))
    started = time.perf_counter()
    with limits.using(limits.Limits(max_table_cells=1_000_000)):
        error = render_error('<poml><table src="wide.xlsx"/></poml>', tmp_path)
    assert time.perf_counter() - started < 10
    assert error.message == ("cannot read `wide.xlsx` as an Excel workbook: the first sheet holds more than "
                             "1,000,000 cells (the limit `max_table_cells`)")


def test_a_small_sheet_reads(tmp_path: Path) -> None:
    sheet = (SHEET_HEAD + b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>n</t></is></c></row>'
             b'<row r="2"><c r="A2"><v>7</v></c></row></sheetData></worksheet>')
    (tmp_path / "small.xlsx").write_bytes(xlsx_with_sheet(sheet))
    text = pml.loads('<poml><table src="small.xlsx" syntax="csv"/></poml>', base_dir=tmp_path).render().text()
    assert text == "===== human =====\n\nn\n7"


@pytest.mark.parametrize(("markup", "context", "message"), [
    ('<table records="{{ rows }}"/>', {"rows": [list(range(2000))] + [[]] * 2000},
     "the table would hold 2,001 rows × 2,000 columns, more than 1,000,000 cells (the limit `max_table_cells`)"),
    ('<table records="{{ rows }}"/>', {"rows": [{f"k{i}": i} for i in range(1001)]},
     "the table would hold 1,001 rows × 1,001 columns, more than 1,000,000 cells (the limit `max_table_cells`)"),
])
def test_records_that_would_pad_to_a_huge_table_are_refused(tmp_path: Path, markup: str,
                                                           context: dict[str, object], message: str) -> None:
    with limits.using(limits.Limits(max_table_cells=1_000_000)):
        error = render_error(f"<poml>{markup}</poml>", tmp_path, context)
    assert error.message == message


def test_a_csv_that_would_pad_to_a_huge_table_is_refused(tmp_path: Path) -> None:
    (tmp_path / "wide.csv").write_text("," * 5000 + "\n" + "x\n" * 5000, encoding="utf-8")
    with limits.using(limits.Limits(max_table_cells=1_000_000)):
        error = render_error('<poml><table src="wide.csv"/></poml>', tmp_path)
    assert error.message == "the table would hold 5,001 rows × 5,001 columns, more than 1,000,000 cells " \
                            "(the limit `max_table_cells`)"


# ---------------------------------------------------------------------- images


def png_of_size(width: int, height: int) -> bytes:
    """A PNG that declares `width` × `height` (its pixels are never needed: it is refused first)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


@pytest.mark.parametrize("side", [20_000, 100_000])  # past Pillow's warning, and past its own error
def test_an_image_bomb_is_a_located_error_not_a_warning(tmp_path: Path, side: int,
                                                        recwarn: pytest.WarningsRecorder) -> None:
    (tmp_path / "huge.png").write_bytes(png_of_size(side, side))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    error = render_error('<poml>\n<img src="huge.png" maxWidth="500"/>\n</poml>', tmp_path)
    assert str(error) == (
        "p.pml:2:11: cannot resize the image: the image has more than 89,478,485 pixels "
        "(the limit `max_image_pixels`)\n"
        '  <img src="huge.png" maxWidth="500"/>\n'
        "            ^^^^^^^^\n"
        "hint: use a smaller image, or " + raise_hint("max_image_pixels"))
    assert not recwarn.list
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200 * 1024  # KiB


def test_the_pixel_limit_is_the_one_in_force(tmp_path: Path) -> None:
    image = Image.new("RGB", (100, 100), "red")
    out = io.BytesIO()
    image.save(out, "PNG")
    (tmp_path / "red.png").write_bytes(out.getvalue())
    with limits.using(limits.Limits(max_image_pixels=9_999)):
        error = render_error('<poml><img src="red.png" maxWidth="10"/></poml>', tmp_path)
    assert error.message == ("cannot resize the image: the image has more than 9,999 pixels "
                             "(the limit `max_image_pixels`)")
    rendered = pml.loads('<poml><img src="red.png" maxWidth="10"/></poml>', base_dir=tmp_path).render()
    with Image.open(io.BytesIO(base64.b64decode(rendered.messages[0].content[0]["base64"]))) as small:
        assert small.size == (10, 10)


def test_bytes_that_are_not_an_image_cannot_be_resized(tmp_path: Path) -> None:
    (tmp_path / "fake.png").write_bytes(b"not an image at all")
    error = render_error('<poml><img src="fake.png" maxWidth="10"/></poml>', tmp_path)
    assert error.message.startswith("cannot resize the image: not a readable image (UnidentifiedImageError")


# ---------------------------------------------------------------------- PDF


def flate(head: bytes, unit: bytes, times: int) -> bytes:
    """A zlib stream (PDF's FlateDecode) of `head + unit * times`, built without the data."""
    raw = repeated(head, unit, times, b"").stream
    check = zlib.adler32(head)
    for _ in range(times):
        check = zlib.adler32(unit, check)
    return b"\x78\xda" + raw + struct.pack(">I", check)


def pdf_of(page_streams: list[bytes]) -> bytes:
    """A PDF whose pages have these (FlateDecode) content streams."""
    count = len(page_streams)
    font = 3 + 2 * count
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               f"<< /Type /Pages /Kids [{' '.join(f'{3 + 2 * i} 0 R' for i in range(count))}] /Count {count} >>"
               .encode()]
    for index, stream in enumerate(page_streams):
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 {font} 0 R "
                       f">> >> /Contents {4 + 2 * index} 0 R >>".encode())
        objects.append(f"<< /Length {len(stream)} /Filter /FlateDecode >>\nstream\n".encode() + stream + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010} 00000 n \n".encode() for offset in offsets)
    return out + f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()


TEXT = b"BT /F1 12 Tf 72 720 Td (Hello) Tj ET\n"


def test_pdf_pages_whose_content_unpacks_past_the_total_are_refused_before_any_text(tmp_path: Path) -> None:
    (tmp_path / "pages.pdf").write_bytes(pdf_of([flate(TEXT, b" " * MB, 1) for _ in range(4)]))
    markup = '<poml>\n<document src="pages.pdf"/>\n</poml>'
    with limits.using(limits.Limits(max_archive_total=3 * MB)):
        error = render_error(markup, tmp_path)
    assert str(error) == (
        "p.pml:2:16: cannot read pages.pdf: the content of the pages up to page 2 unpacks to more than 3,145,728 "
        "bytes (the limit `max_archive_total`)\n"
        '  <document src="pages.pdf"/>\n'
        "                 ^^^^^^^^^\n"
        "hint: select fewer pages, or " + raise_hint("max_archive_total"))
    with limits.using(limits.Limits(max_archive_total=3 * MB)):
        text = pml.loads('<poml><document src="pages.pdf" selectedPages="0:2"/></poml>',
                         base_dir=tmp_path).render().text()
    assert text == "===== human =====\n\nHello\n\nHello"


def test_a_pdf_page_over_the_member_limit_is_refused(tmp_path: Path) -> None:
    (tmp_path / "page.pdf").write_bytes(pdf_of([flate(TEXT, b" " * MB, 3)]))
    with limits.using(limits.Limits(max_archive_member=2 * MB)):
        error = render_error('<poml><document src="page.pdf"/></poml>', tmp_path)
    assert error.message == ("cannot read page.pdf: the content of page 0 unpacks to more than 2,097,152 bytes "
                             "(the limit `max_archive_member`)")


def test_a_pdf_stream_past_what_pypdf_reads_is_refused(tmp_path: Path) -> None:
    (tmp_path / "bomb.pdf").write_bytes(pdf_of([flate(TEXT, b" " * MB, 100)]))
    started = time.perf_counter()
    error = render_error('<poml><document src="bomb.pdf"/></poml>', tmp_path)
    assert time.perf_counter() - started < 5
    assert error.message == ("cannot read bomb.pdf: a stream of the PDF unpacks to more than pypdf reads "
                             "(75,000,000 bytes)")
