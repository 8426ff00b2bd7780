"""ZIP archives (DOCX and XLSX files) checked before any library unpacks them.

A DOCX or XLSX file is a ZIP archive, and a small archive can unpack to gigabytes (a
"decompression bomb"): a 1 MB DOCX whose `word/document.xml` is 400 MB of one repeated byte.
`check_zip` makes sure an archive stays inside the limits (`pml.limits`) before python-docx or
openpyxl sees it:

1. the members are counted in the central directory itself, so that a directory of millions of
   entries is refused before `zipfile` builds an object for each (`max_archive_members`);
2. each member's declared uncompressed size, and their sum, are held against
   `max_archive_member` and `max_archive_total`;
3. every member is then unpacked, a chunk at a time, and the bytes it really gives are counted
   against the same limits, so that a header that lies about a size cannot pass; a member that
   does not unpack to what its header declares is refused as damaged.

Only a chunk is ever held in memory, and nothing is unpacked from an archive whose declared
sizes are already too large.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Hashable

from pml import limits
from pml.errors import limit_hint
from pml.readers import ReadFailure

_EOCD = b"PK\x05\x06"
_EOCD64_LOCATOR = b"PK\x06\x07"
_EOCD64 = b"PK\x06\x06"
_CENTRAL = b"PK\x01\x02"
_CHUNK = 1 << 20
_SHOWN_NAME = 80




class ArchiveProblem(ReadFailure):
    """An archive is over a limit or damaged; the message names the member, the hint the limit."""


def limits_key() -> tuple[Hashable, ...]:
    """The limits `check_zip` applies, for the keys of caches of what was read from archives."""
    current = limits.current()
    return (current.max_archive_member, current.max_archive_total, current.max_archive_members)


def check_zip(data: bytes) -> None:
    """Raise `ArchiveProblem` unless the ZIP archive `data` is inside the archive limits.

    Bytes that are not a ZIP archive at all are let through: the reader reports that itself.
    """
    check_declared(data)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _unpack_counting(archive)
    except zipfile.BadZipFile:
        return  # not an archive: the reader says so in its own words


def check_declared(data: bytes) -> None:
    """The checks that unpack nothing: the number of members and their declared sizes."""
    current = limits.current()
    count = count_members(data)
    if count is None:
        return
    if count > current.max_archive_members:
        raise ArchiveProblem(f"the archive has more than {current.max_archive_members:,} members "
                             "(the limit `max_archive_members`)", limit_hint("max_archive_members"))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError):
        return
    total = 0
    for info in infos:
        _check_member(info.filename, info.file_size, current.max_archive_member)
        total += info.file_size
        _check_total(info.filename, total, current.max_archive_total)


def _unpack_counting(archive: zipfile.ZipFile) -> None:
    current = limits.current()
    total = 0
    for info in archive.infolist():
        if info.is_dir():
            continue
        size = 0
        try:
            with archive.open(info) as member:
                while chunk := member.read(_CHUNK):
                    size += len(chunk)
                    total += len(chunk)
                    _check_member(info.filename, size, current.max_archive_member)
                    _check_total(info.filename, total, current.max_archive_total)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError) as exc:
            raise ArchiveProblem(f"the archive member `{_name(info.filename)}` is damaged: it does not unpack "
                                 f"to what its header declares ({exc})") from None
        if size != info.file_size:
            raise ArchiveProblem(f"the archive member `{_name(info.filename)}` is damaged: it unpacks to "
                                 f"{size:,} bytes, and its header declares {info.file_size:,}")


def _check_member(name: str, size: int, limit: int) -> None:
    if size > limit:
        raise ArchiveProblem(f"the archive member `{_name(name)}` unpacks to more than {limit:,} bytes "
                             "(the limit `max_archive_member`)", limit_hint("max_archive_member"))


def _check_total(name: str, total: int, limit: int) -> None:
    if total > limit:
        raise ArchiveProblem(f"the archive's members unpack to more than {limit:,} bytes together, counting up "
                             f"to `{_name(name)}` (the limit `max_archive_total`)",
                             limit_hint("max_archive_total"))


def _name(name: str) -> str:
    name = name.replace("\n", "\\n").replace("\r", "\\r")
    return name if len(name) <= _SHOWN_NAME else f"{name[:_SHOWN_NAME // 2]}…{name[-_SHOWN_NAME // 2:]}"


# ---------------------------------------------------------------------- the central directory


def count_members(data: bytes) -> int | None:
    """The entries of the archive's central directory, counted up to one past the limit (so a
    huge directory costs no more than a small one); None when `data` is not a ZIP archive."""
    found = _central_directory(data)
    if found is None:
        return None
    start, size = found
    stop = min(start + size, len(data))
    limit = limits.current().max_archive_members
    count = 0
    at = start
    while at + 46 <= stop and data[at:at + 4] == _CENTRAL and count <= limit:
        name_length, extra_length, comment_length = struct.unpack_from("<HHH", data, at + 28)
        at += 46 + name_length + extra_length + comment_length
        count += 1
    return count


def _central_directory(data: bytes) -> tuple[int, int] | None:
    """Where the central directory starts and how many bytes it spans (as `zipfile` finds it:
    it ends where the end record, or the ZIP64 end record, begins)."""
    end = data.rfind(_EOCD, max(0, len(data) - (22 + 0xFFFF)))
    if end < 0 or end + 22 > len(data):
        return None
    (size, _offset) = struct.unpack_from("<II", data, end + 12)
    locator = end - 20
    if locator >= 56 and data[locator:locator + 4] == _EOCD64_LOCATOR:
        record = locator - 56
        if data[record:record + 4] == _EOCD64:
            (size,) = struct.unpack_from("<Q", data, record + 40)
            end = record
    start = end - size
    if start < 0:
        return None
    return start, size


__all__ = ["ArchiveProblem", "check_declared", "check_zip", "count_members", "limits_key"]
