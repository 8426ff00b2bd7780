"""Readers: the bytes of a PDF, DOCX or HTML file turned into text or layout boxes.

One module per format (`pdf`, `docx`, `html`), each imported the first time it is used
(`readers.pdf.read_pdf(…)`). The third-party libraries they use (pypdf,
python-docx, cssselect) are the optional `documents` extra: each is imported only when a file
of its kind is read, and `need` raises `MissingExtra`, whose message names the extra, when it
is not installed. Readers know nothing about prompts: they raise `ReadFailure` with a message
for a person, and the component that called them adds the location.
"""

from __future__ import annotations

import copy
import hashlib
import importlib
import io
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from types import ModuleType
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from pml.readers import archive as archive
    from pml.readers import docx as docx
    from pml.readers import html as html
    from pml.readers import images as images
    from pml.readers import pdf as pdf

T = TypeVar("T")

EXTRA = "documents"
INSTALL = f"pip install 'pml[{EXTRA}]'"


class ReadFailure(ValueError):
    """A file could not be read or converted; the message (and the hint, if any) are user-facing."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


class MissingExtra(ImportError):
    """An optional reader library is not installed; the message names the extra to install."""

    def __init__(self, purpose: str, module: str) -> None:
        super().__init__(f"{purpose} needs the optional readers: {INSTALL}")
        self.module = module


def need(module: str, purpose: str) -> ModuleType:
    """Import an optional library, or raise `MissingExtra` saying `purpose` needs it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingExtra(purpose, module) from None


_CACHE: OrderedDict[tuple[Hashable, ...], Any] = OrderedDict()
_CACHE_SIZE = 32
_LOCK = threading.Lock()


def cached(kind: str, data: bytes, options: tuple[Hashable, ...], read: Callable[[], T]) -> T:
    """`read()`, remembered by the bytes' digest and the options (rendering again is free).

    Results are copied on the way out, so a caller may change what it gets.
    """
    key = (kind, hashlib.sha256(data).digest(), *options)
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return copy.deepcopy(_CACHE[key])
    value = read()
    with _LOCK:
        _CACHE[key] = value
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return copy.deepcopy(value)


def sniff(data: bytes) -> str | None:
    """The document format the bytes look like (`pdf`, `docx`), or None.

    An archive over the archive limits raises `ReadFailure` before its names are read.
    """
    if data[:1024].lstrip().startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        import zipfile  # here: most processes read no archive

        from pml.readers.archive import check_declared

        check_declared(data)  # raises ReadFailure for an archive over the limits
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                if "word/document.xml" in archive.namelist():
                    return "docx"
        except zipfile.BadZipFile:
            return None
    return None


_READERS = frozenset(["archive", "docx", "html", "images", "pdf"])


def __getattr__(name: str) -> ModuleType:
    """The reader modules, imported when first used (`readers.pdf.read_pdf(…)`): a prompt that
    reads no document loads none of them, nor lxml's HTML parser."""
    if name in _READERS:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["EXTRA", "INSTALL", "MissingExtra", "ReadFailure", "cached", "need", "sniff"]
