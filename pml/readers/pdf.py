"""PDF text with pypdf (pure Python, optional: the `documents` extra).

The text of each page is kept as pypdf extracts it (line breaks where the PDF breaks lines,
hyphenation as printed); pages are separated by a blank line. `select_pages` reads POML's
`selectedPages`: a 0-based page index or a Python slice (`1:3` is pages 1 and 2).
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from pml import limits
from pml.errors import limit_hint
from pml.readers import ReadFailure, cached, need
from pml.readers.archive import ArchiveProblem, limits_key


class PageSelectionError(ReadFailure):
    """`selectedPages` is malformed or selects no page; the message is user-facing."""


def select_pages(spec: str, count: int) -> list[int]:
    """The 0-based page indexes `spec` selects among `count` pages.

    `"2"` is page 2 alone, `"1:3"` pages 1 and 2, `":2"` the first two, `"3:"` page 3 on;
    negative numbers count from the end, as in Python (`"-1"` is the last page).
    """
    text = str(spec).strip()
    if ":" in text:
        parts = text.split(":")
        if len(parts) != 2:
            raise PageSelectionError(_bad_spec(spec))
        start, stop = (_number(p, spec) if p.strip() else None for p in parts)
        pages = list(range(count))[slice(start, stop)]
        if not pages:
            raise PageSelectionError(f"`selectedPages=\"{spec}\"` selects no page: the PDF has {_pages(count)}")
        return pages
    index = _number(text, spec)
    if not -count <= index < count:
        raise PageSelectionError(f"page {index} does not exist: the PDF has {_pages(count)} (pages count from 0)")
    return [index % count]


def read_pdf(data: bytes, pages: str | None = None) -> str:
    """The text of a PDF's pages (all, or those `pages` selects), separated by blank lines."""
    pypdf = need("pypdf", "reading .pdf files")
    return cached("pdf", data, (pages, *limits_key()), lambda: _read(pypdf, data, pages))


def _read(pypdf: Any, data: bytes, pages: str | None) -> str:
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ReadFailure("the PDF is encrypted with a password")
        count = len(reader.pages)
        indexes = select_pages(pages, count) if pages not in (None, "") else range(count)
        _check_contents(pypdf, reader, indexes)
        texts = [reader.pages[i].extract_text() or "" for i in indexes]
    except ReadFailure:
        raise
    except pypdf.errors.LimitReachedError:
        raise ArchiveProblem("a stream of the PDF unpacks to more than pypdf reads (75,000,000 bytes)") from None
    except Exception as exc:  # pypdf raises many kinds of errors on damaged files
        raise ReadFailure(f"not a readable PDF ({type(exc).__name__}: {exc})") from None
    return "\n\n".join(t.strip("\n") for t in texts if t.strip())


def _check_contents(pypdf: Any, reader: Any, indexes: Iterable[int]) -> None:
    """Hold the unpacked size of each selected page's content stream against `max_archive_member`,
    and their sum against `max_archive_total`, before any text is extracted (extracting text
    takes time in proportion to the unpacked size)."""
    current = limits.current()
    total = 0
    for index in indexes:
        size = _content_size(pypdf, reader.pages[index])
        if size > current.max_archive_member:
            raise ArchiveProblem(f"the content of page {index} unpacks to more than {current.max_archive_member:,} "
                                 "bytes (the limit `max_archive_member`)",
                                 limit_hint("max_archive_member"))
        total += size
        if total > current.max_archive_total:
            raise ArchiveProblem(f"the content of the pages up to page {index} unpacks to more than "
                                 f"{current.max_archive_total:,} bytes (the limit `max_archive_total`)",
                                 limit_hint("max_archive_total", "select fewer pages"))


def _content_size(pypdf: Any, page: Any) -> int:
    """The unpacked bytes of a page's content streams, each unpacked and let go (pypdf keeps
    what `get_contents` unpacks, which would hold every page's content at once)."""
    from pypdf.filters import decode_stream_data  # the documents extra, imported by read_pdf already

    contents = page.get("/Contents")
    contents = contents.get_object() if contents is not None else None
    streams = list(contents) if isinstance(contents, pypdf.generic.ArrayObject) else [contents]
    size = 0
    for stream in streams:
        stream = stream.get_object() if stream is not None else None
        if isinstance(stream, pypdf.generic.EncodedStreamObject):
            size += len(decode_stream_data(stream))
        elif isinstance(stream, pypdf.generic.StreamObject):
            size += len(stream.get_data())
    return size


def _number(text: str, spec: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise PageSelectionError(_bad_spec(spec)) from None


def _bad_spec(spec: str) -> str:
    return f"`selectedPages` should be a page number or a slice like `1:3`, not `{spec}`"


def _pages(count: int) -> str:
    return "1 page" if count == 1 else f"{count} pages"


__all__ = ["PageSelectionError", "read_pdf", "select_pages"]
