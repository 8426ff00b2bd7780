"""POML's own golden examples (tests/conformance/poml-examples, MIT licence, see LICENSE-POML.txt).

Expected files hold one `===== speaker =====` block per message; contents are compared after
trimming the newlines around each block, as POML's own test does.

Examples with pictures (`PICTURES`) are compared with each picture reduced to its type: POML
re-encodes every image it sends, so the bytes cannot match; 103's stylesheet shrinks the pictures
of its DOCX, and `test_103_stylesheet_scales_the_pictures_of_the_document` checks their sizes.
107 reads a PDF, whose text POML gets from pdfjs and PML from pypdf; `test_107_pdf_text` says
how they differ. 104 names one chart by URL; PML does not fetch URLs, so its test reads the
same chart from the assets folder (`test_104_from_local_files`).
"""

from __future__ import annotations

import base64
import io
import re
import struct
from pathlib import Path

import pytest
from PIL import Image

import pml

EXAMPLES = Path(__file__).resolve().parent / "conformance" / "poml-examples"

PICTURES = {
    "101_explain_character": "pictures (a docx document, images)",
    "103_word_todos": "pictures inside a docx document (and its tables)",
}
PDF = "107_read_report_pdf"

# 104 names one chart by URL. PML never fetches URLs (a prompt must not reach the network while
# it renders), so the test points that image at the same file in the examples' assets folder,
# which is the file the URL serves.
CHART_URL = "https://raw.githubusercontent.com/microsoft/poml/refs/heads/main/examples/assets/104_chart_normalized_price.png"
LOCAL_104 = "104_financial_analysis"
# Reads a PDF (as 107 does: the text differs in whitespace only) and declares an output schema.
SCHEMA_PDF = "203_expense_extract_document"

# Where an example meets a deliberate difference from POML (docs/language.md, "Deliberate
# differences from POML"), its expected text is changed before comparing: (POML's text, PML's
# text, which difference). Each POML text must occur in the expected file.
DIFFERENCES: dict[str, list[tuple[str, str, str]]] = {
    "201_orders_qa": [
        ("| 2024-01-19       |             |", "| 2024-01-19       | true        |",
         "booleans render as true/false (POML leaves the IsCancelled cells empty)"),
        ("**QUESTION:**", "**Question:**",
         "a `cp` rule does not style components built from it internally (here `<qa>`)"),
    ],
}

_BLOCK = re.compile(r"^===== (system|human|ai|tool) =====$", re.M)


def parse_expected(text: str) -> list[tuple[str, str]]:
    parts = _BLOCK.split(text)
    return [(parts[i], parts[i + 1].strip("\n")) for i in range(1, len(parts), 2)]


def examples() -> list[str]:
    return sorted(p.stem for p in EXAMPLES.glob("*.poml"))


@pytest.mark.parametrize("name", [n for n in examples()
                                  if n not in PICTURES and n not in (PDF, SCHEMA_PDF, LOCAL_104)])
def test_example(name: str) -> None:
    context_file = EXAMPLES / f"{name}.context.json"
    context = context_file if context_file.exists() else None
    text = (EXAMPLES / "expects" / f"{name}.txt").read_text(encoding="utf-8")
    for theirs, ours, _why in DIFFERENCES.get(name, []):
        assert theirs in text, f"{name}: the documented difference no longer applies: {theirs!r}"
        text = text.replace(theirs, ours)
    expected = parse_expected(text)
    for _ in range(2):  # `pml.render` keeps the compiled prompt: the second render runs from its plan, if any
        messages = pml.render(EXAMPLES / f"{name}.poml", context, format="message_dict")
        got = [(m["speaker"], m["content"].strip("\n")) for m in messages]
        assert got == expected


_PICTURE = re.compile(r'^\{"type":"(image/[\w.+-]+)","base64":.*$', re.M)


def _pictures_as_types(text: str) -> list[tuple[str, str]]:
    """Messages of the `text` format with each picture line reduced to `<image/TYPE>`."""
    return parse_expected(_PICTURE.sub(r"<\1>", text))


@pytest.mark.parametrize("name", sorted(PICTURES))
def test_example_with_pictures(name: str) -> None:
    context_file = EXAMPLES / f"{name}.context.json"
    context = pml.load(EXAMPLES / f"{name}.poml").render(
        pml.api._context(context_file if context_file.exists() else None))
    expected = (EXAMPLES / "expects" / f"{name}.txt").read_text(encoding="utf-8")
    assert _pictures_as_types(context.text()) == _pictures_as_types(expected)


def _picture_sizes(parts: list[str]) -> list[tuple[int, int]]:
    """The (width, height) of each base64 picture, read from its bytes."""
    sizes = []
    for encoded in parts:
        with Image.open(io.BytesIO(base64.b64decode(encoded))) as image:
            sizes.append(image.size)
    return sizes


def test_103_stylesheet_scales_the_pictures_of_the_document() -> None:
    """103's stylesheet sets `image { maxWidth: 500; maxHeight: 500 }`: it reaches the pictures the
    DOCX expands into, which come out at the sizes POML sends."""
    rendered = pml.load(EXAMPLES / "103_word_todos.poml").render()
    parts = [p["base64"] for m in rendered.messages if isinstance(m.content, list)
             for p in m.content if isinstance(p, dict) and "base64" in p]
    sizes = _picture_sizes(parts)
    assert len(sizes) == 5
    assert all(width <= 500 and height <= 500 for width, height in sizes)
    expected = (EXAMPLES / "expects" / "103_word_todos.txt").read_text(encoding="utf-8")
    # The expected file keeps only the start of each picture: enough for a PNG's IHDR (its size).
    theirs = re.findall(r'^\{"type":"image/png","base64":"([A-Za-z0-9+/]{32})', expected, re.M)
    assert sizes == [struct.unpack(">II", base64.b64decode(start)[16:24]) for start in theirs]


def test_104_from_local_files() -> None:
    markup = (EXAMPLES / f"{LOCAL_104}.poml").read_text(encoding="utf-8")
    assert CHART_URL in markup
    markup = markup.replace(CHART_URL, "assets/104_chart_normalized_price.png")
    rendered = pml.loads(markup, name=f"{LOCAL_104}.poml", base_dir=EXAMPLES).render()
    expected = (EXAMPLES / "expects" / f"{LOCAL_104}.txt").read_text(encoding="utf-8")
    assert _pictures_as_types(rendered.text()) == _pictures_as_types(expected)


def test_104_as_written_says_urls_are_not_fetched() -> None:
    with pytest.raises(pml.PMLRenderError) as info:
        pml.render(EXAMPLES / f"{LOCAL_104}.poml")
    assert info.value.message == f"image URLs are not fetched: {CHART_URL}"


def test_101_document_matches_its_section_of_the_expected_output() -> None:
    """The DOCX of 101 alone (in a section, as it sits under the hint's header there)."""
    expected = (EXAMPLES / "expects" / "101_explain_character.txt").read_text(encoding="utf-8")
    start = expected.index("# Background Knowledge\n\n") + len("# Background Knowledge\n\n")
    section = expected[start:expected.index("===== human =====")].strip("\n")
    markup = '<poml><section><Document src="assets/101_tom_and_jerry.docx"/></section></poml>'
    messages = pml.loads(markup, base_dir=EXAMPLES).render().to_message_dict()
    assert messages == [{"speaker": "human", "content": section}]


def test_107_pdf_text() -> None:
    """107 reads pages 1 and 2 of a PDF. POML extracts text with pdfjs, PML with pypdf; the
    characters are the same and in the same order, and whitespace differs in four ways:

    - POML starts a new line whenever the baseline moves at all, pypdf keeps pieces on one line
      when they sit on nearly the same baseline (the keyboard figure's labels: `Sleep Wake Up`
      against `Sleep \\nWake\\nUp`; a footnote marker: `Prince,[a] a` against `Prince,\\n[a] \\na`);
    - pdfjs keeps a space at the end of some lines, pypdf does not;
    - pypdf can lose the space between two words set in different fonts (`captionelement`,
      `citeelement` where pdfjs has `caption element`, `cite element`);
    - POML puts two blank lines before the text of each selected page after the first
      (pdf-parse's page separator), PML one blank line between pages and none before them.

    The prompt text before the document and the prose of sections 3.2 to 3.4 and 4 to the end
    are the same to the character.
    """
    messages = pml.render(EXAMPLES / f"{PDF}.poml", format="message_dict")
    [(speaker, expected)] = parse_expected((EXAMPLES / "expects" / f"{PDF}.txt").read_text(encoding="utf-8"))
    assert [m["speaker"] for m in messages] == [speaker]
    got = messages[0]["content"]
    assert re.sub(r"\s", "", got) == re.sub(r"\s", "", expected)
    intro = expected[: expected.index("F1 F2")].rstrip("\n")
    assert got.startswith(intro + "\n\nF1 F2")

    def part(text: str, start: str, end: str | None) -> str:
        begin = text.index(start)
        return text[begin : text.index(end, begin)] if end else text[begin:]

    for start, end in (("3.2 CSS", "3.4 PDF"), ("4 Tables", None)):
        assert part(got, start, end) == part(expected, start, end)


def test_203_output_schema_and_pdf_text() -> None:
    """203: the schema comes from the context (`{{ document_output_schema }}`); the PDF's text
    differs from POML's in whitespace only (see `test_107_pdf_text`)."""
    context = pml.api._context(EXAMPLES / f"{SCHEMA_PDF}.context.json")
    rendered = pml.load(EXAMPLES / f"{SCHEMA_PDF}.poml").render(context)
    assert rendered.schema == context["document_output_schema"]
    expected = (EXAMPLES / "expects" / f"{SCHEMA_PDF}.txt").read_text(encoding="utf-8")
    assert re.sub(r"\s", "", rendered.text()) == re.sub(r"\s", "", expected)
