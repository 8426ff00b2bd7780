"""Data components: `<object>` (structured data) and `<document>` (text, PDF and DOCX files).

The format readers live in `pml.readers`; this module picks one, feeds it the bytes and puts
the located error on what goes wrong.
"""

from __future__ import annotations

import base64
import binascii
import textwrap
from collections.abc import Mapping
from typing import Any

from pml import files, readers
from pml.compile.program import CNode
from pml.components import boxes as ir
from pml.components import expanded
from pml.components.layout import Ctx, LayoutContext
from pml.components.reading import attr_span, read_bytes, read_text, resolve_path, src_span
from pml.components.text import handles_syntax
from pml.errors import render_error
from pml.readers import MissingExtra, ReadFailure, sniff
from pml.registry import SYNTAXES, Attr, component


@component("Object", "object", "obj", "dataObj", "data-obj",
           doc="Structured data. In markdown it is written as compact JSON; with `syntax` json, "
               "yaml or xml it is a fenced block in that syntax.",
           attrs=[Attr("data", "any", "The data, usually an expression: `data=\"{{ order }}\"`."),
                  Attr("syntax", "enum", "json, yaml or xml (a fenced block), or markdown.", SYNTAXES)])
@handles_syntax
def layout_object(r: LayoutContext, node: CNode, attrs: Mapping[str, Any], scope: dict[str, Any],
                  ctx: Ctx) -> list[ir.Box]:
    data = attrs.get("data")
    syntax = attrs.get("syntax")
    if ctx.syntax in ("json", "yaml", "xml"):
        return [ir.Data(data, None)]
    if syntax in (None, "markdown", "text", "html"):
        return [ir.Data(data, None)]
    return [ir.Data(data, syntax)]


TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".py", ".js", ".ts", ".json", ".csv", ".tsv", ".yaml",
                 ".yml", ".xml", ".html", ".htm", ".rst", ".log", ".toml", ".ini", ".cfg", ".sh"}
PARSERS = ("auto", "txt", "md", "pdf", "docx")
SERIALIZED = ("json", "yaml", "xml")


# ---------------------------------------------------------------------- <document>


@component("Document", "document", "doc",
           doc="The content of a document: a text file (kept exactly), a PDF (its text, page by "
               "page) or a Word DOCX (paragraphs, headings, lists, tables and pictures). The "
               "document comes from `src`, from `buffer` or `base64`, or is the element's own "
               "text. PDF and DOCX need the optional readers: `pip install 'pml[documents]'`.",
           attrs=[Attr("src", "string", "The file to read, relative to this prompt file."),
                  Attr("buffer", "binary", "The document itself, from an expression: text, or bytes of a "
                       "PDF or DOCX."),
                  Attr("base64", "string", "The document's bytes, base64-encoded."),
                  Attr("parser", "enum", "How to read it: auto (by the file's extension, else by its "
                       "content), txt, md, pdf or docx.", PARSERS),
                  Attr("multimedia", "boolean", "Keep the pictures of a DOCX as images (true), or write "
                       "their alt text instead (false).", default=True),
                  Attr("selectedPages", "string", "The PDF pages to read, counted from 0: one page (`2`) "
                       "or a slice (`1:3` is pages 1 and 2; `-1` is the last page)."),
                  Attr("syntax", "enum", "json, yaml or xml write the document as a string in that "
                       "syntax; markdown and text write it in place (never fenced).", SYNTAXES)])
@handles_syntax
def layout_document(r: LayoutContext, node: CNode, attrs: Mapping[str, Any], scope: dict[str, Any],
                    ctx: Ctx) -> list[ir.Box]:
    given = [name for name in ("src", "buffer", "base64") if attrs.get(name) not in (None, "")]
    parser = attrs.get("parser") or "auto"
    if len(given) > 1:
        raise render_error(f"`<{node.element.tag}>` takes one of src, buffer or base64, not {' and '.join(given)}",
                           node.span)
    if not given:  # inline content; laid out here, not in a helper, to keep one frame less per nesting level
        if parser in ("pdf", "docx"):
            raise render_error(f"parser=\"{parser}\" needs a file: give src, buffer or base64", node.span)
        boxes: list[ir.Box] = [ir.Block(_body(r.children(node, scope, ctx, attrs, white_space="pre")))]
    elif given[0] == "src":
        boxes = styled(node, attrs, _from_file(r, node, attrs, str(attrs["src"]), parser))
    else:
        data, parser = _inline_bytes(node, attrs, given[0], parser)
        boxes = styled(node, attrs, _convert(node, attrs, data, parser, "the document"))
    syntax = attrs.get("syntax")
    if syntax in SERIALIZED and syntax != ctx.syntax:
        return [ir.Env(syntax, boxes, dict(attrs.get("writerOptions") or {}))]
    return boxes


def styled(node: CNode, attrs: Mapping[str, Any], boxes: list[ir.Box]) -> list[ir.Box]:
    """What a reader made, with the stylesheets' rules for the components it stands for
    (`pml.components.expanded`); a failure is located at `src`, or at the element."""
    try:
        return expanded.apply(boxes, node.expanded)
    except expanded.StyleFailure as exc:
        raise render_error(str(exc), src_span(node) if attrs.get("src") else node.span, exc.hint) from None


def _body(boxes: list[ir.Box]) -> list[ir.Box]:
    """An inline document's text: kept exactly, less the blank lines that open it and the
    whitespace that closes it, and dedented when it is all written text (no values)."""
    if not boxes:
        return boxes
    if all(isinstance(b, ir.Inline) and not b.verbatim for b in boxes):
        text = textwrap.dedent("".join(b.text for b in boxes))  # type: ignore[union-attr]
        boxes = [ir.Inline(text)]
    first, last = boxes[0], boxes[-1]
    if isinstance(first, ir.Inline) and not first.verbatim:
        lines = first.text.split("\n")
        while len(lines) > 1 and not lines[0].strip():
            lines.pop(0)
        boxes[0] = ir.Inline("\n".join(lines))
    if isinstance(last, ir.Inline) and not last.verbatim:
        boxes[-1] = ir.Inline(boxes[-1].text.rstrip())  # type: ignore[union-attr]
    return boxes


def _from_file(r: LayoutContext, node: CNode, attrs: Mapping[str, Any], src: str, parser: str) -> list[ir.Box]:
    path = resolve_path(r, node, src, "document")
    suffix = path.suffix.lower()
    if parser == "auto":
        if suffix in (".pdf", ".docx"):
            parser = suffix[1:]
        elif suffix in TEXT_SUFFIXES:
            parser = "txt"
    if parser in ("txt", "md") and attrs.get("selectedPages") in (None, ""):
        text = read_text(r, node, path, src, "document")
        return [ir.Block([ir.Inline(text.replace("\r\n", "\n"), True)])]
    if parser == "auto" and suffix == ".doc":
        raise render_error(f"old Word .doc files cannot be read: {src}", src_span(node), "save it as .docx")
    data = read_bytes(r, node, path, src, "document")
    if parser == "auto":
        parser = _guess(node, data, src)
    return _convert(node, attrs, data, parser, src)


def _inline_bytes(node: CNode, attrs: Mapping[str, Any], name: str, parser: str) -> tuple[bytes, str]:
    """The bytes of `buffer` or `base64`, and the parser (text for a string buffer, as POML)."""
    if name == "base64":
        try:
            data = base64.b64decode(str(attrs["base64"]), validate=True)
        except (binascii.Error, ValueError):
            raise render_error("`base64` of the document is not valid base64", attr_span(node, "base64")) from None
    else:
        buffer = attrs["buffer"]
        if isinstance(buffer, str):
            return buffer.encode("utf-8"), "txt" if parser == "auto" else parser
        if not isinstance(buffer, (bytes, bytearray, memoryview)):
            raise render_error(f"`buffer` should be text or bytes, not {type(buffer).__name__}",
                               attr_span(node, "buffer"))
        data = bytes(buffer)
    return data, _guess(node, data, None) if parser == "auto" else parser


def _guess(node: CNode, data: bytes, src: str | None) -> str:
    """The parser for bytes whose name does not tell: PDF and DOCX by content, else UTF-8 text."""
    try:
        found = sniff(data)
    except ReadFailure as exc:
        what = f"`{src}`" if src else "the document"
        raise render_error(f"cannot read {what}: {exc}", src_span(node) if src else node.span, exc.hint) from None
    if found:
        return found
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        what = f"`{src}`" if src else "the document"
        raise render_error(f"cannot tell how to read {what}: it is not text, PDF or DOCX",
                           src_span(node) if src else node.span,
                           'set parser="txt", "pdf" or "docx"; spreadsheets are read by <table src>') from None
    return "txt"


def _convert(node: CNode, attrs: Mapping[str, Any], data: bytes, parser: str, name: str) -> list[ir.Box]:
    """Run the reader for `parser` over the bytes; reader problems become located errors."""
    pages = attrs.get("selectedPages")
    if pages not in (None, "") and parser != "pdf":
        raise render_error(f"`selectedPages` applies to PDF documents, and {name} is read as {parser}",
                           attr_span(node, "selectedPages"))
    where = src_span(node) if attrs.get("src") else node.span
    try:
        if parser == "pdf":
            return [ir.Block([ir.Inline(readers.pdf.read_pdf(data, None if pages is None else str(pages)), True)])]
        if parser == "docx":
            return readers.docx.read_docx(data, multimedia=attrs.get("multimedia") is not False)
        text = files.decode_text(data).removeprefix("\ufeff")
    except MissingExtra as exc:
        raise render_error(str(exc), where) from None
    except readers.pdf.PageSelectionError as exc:
        raise render_error(str(exc), attr_span(node, "selectedPages")) from None
    except ReadFailure as exc:
        raise render_error(f"cannot read {name}: {exc}", where, exc.hint) from None
    except files.FileProblem as problem:
        raise render_error(f"cannot read {name} as text: {problem.reason}", where,
                           f'{problem.hint}, or set parser="pdf" or "docx" if it is one') from None
    return [ir.Block([ir.Inline(text.replace("\r\n", "\n"), True)])]
