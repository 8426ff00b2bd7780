"""The resource bounds every compile and render runs under.

A prompt compiler runs inside servers and CI pipelines, so every resource an input can make it
spend is bounded: nesting, string and output sizes, loops, regular-expression time, file and
archive sizes, and the size of error reports. `Limits` holds them all; `docs/security.md` lists
each with its default and how to raise it.

The limits in force are carried by a context variable, so deep code reads them with `current()`
without threading a parameter through every call. The SDK and the CLI set them::

    with limits.using(Limits(max_output=1_000_000)):
        prompt.render(context)

(`Prompt.render(..., limits=...)`, `pml.load(..., limits=...)` and the CLI's `--limit NAME=VALUE`
do this for you.)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, fields

# `pml.errors` reads the limits in force when it formats a report, and the limits raise its usage
# errors: each module uses the other only inside functions, so either may be imported first.
from pml import errors


@dataclass(frozen=True, slots=True)
class Limits:
    """Every bound PML applies, with its default. Each is a positive number."""

    max_depth: int = 100
    """Elements nested inside one another, in the markup and after includes; also lists and objects
    nested inside one another in a value an expression builds.

    Rendering walks the tree recursively, about 5 Python frames per element (8 in a token
    report), so 100 levels need some 800 of the 1,000 frames Python allows by default and leave
    the rest to the caller's own stack. Raising it may also need `sys.setrecursionlimit`."""
    max_expression_depth: int = 64
    """Brackets, operators and calls nested inside one `{{ }}` expression; also arrow functions
    calling one another while it is evaluated."""
    max_expression_length: int = 100_000
    """Characters in one expression."""
    max_string: int = 10_000_000
    """Characters in any one string an expression, a filter or a method builds; also bytes in one
    line of a `pml batch` JSONL or CSV input."""
    max_items: int = 1_000_000
    """Items in any one list an expression builds, and calls made by list methods."""
    max_output: int = 50_000_000
    """Characters in a whole render's output (all messages, parts and payload text)."""
    max_loop: int = 100_000
    """Elements a render may expand from `for=` loops in all."""
    max_include_depth: int = 32
    """`<include>` and `<import>` files nested inside one another."""
    regex_timeout: float = 1.0
    """Seconds one regular-expression operation may run."""
    max_file_size: int = 100_000_000
    """Bytes of any one file a prompt reads (an include, a document, a table, a picture, a stylesheet)."""
    max_archive_member: int = 100_000_000
    """Uncompressed bytes of any one member of a DOCX or XLSX archive, or of one PDF page's content."""
    max_archive_total: int = 500_000_000
    """Uncompressed bytes of all members of a DOCX or XLSX archive together, or of the PDF pages read."""
    max_archive_members: int = 10_000
    """Members in a DOCX or XLSX archive (counted in its central directory before it is opened)."""
    max_table_cells: int = 10_000_000
    """Cells (rows × columns, empty ones included) of one `<table>`'s data, from a file or the context."""
    max_image_pixels: int = 89_478_485
    """Pixels (width × height) of an image PML decodes to resize it (Pillow's own default bound)."""
    max_folder_entries: int = 10_000
    """Entries a `<folder>` listing may visit."""
    max_diagnostics: int = 50
    """Diagnostics printed in one error report (the rest are counted: "and 12 more")."""
    excerpt_width: int = 160
    """Characters of a source line shown in an error excerpt (long lines are cut around the caret)."""
    max_frame: int = 64_000_000
    """Bytes of one language-server message (`Content-Length`)."""
    max_kv_memory: int = 2_000_000_000
    """Bytes of attention states `pml.kv` keeps in memory for one `ModuleCache` (least recently used
    out first); states on disk are not counted."""

    def replace(self, **changes: int | float) -> Limits:
        """A copy with some limits changed; an unknown name or a value that is not a positive number
        is a `PMLUsageError` (also a `ValueError`)."""
        known = {f.name for f in fields(self)}
        for name, value in changes.items():
            if name not in known:
                raise errors.PMLUsageError(f"unknown limit {name!r}", errors.suggest(name, sorted(known)))
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0:
                raise errors.PMLUsageError(f"the limit {name} must be a positive number, not {value!r}")
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in fields(cls)]


DEFAULT = Limits()

_CURRENT: ContextVar[Limits] = ContextVar("pml_limits", default=DEFAULT)


def current() -> Limits:
    """The limits in force on this thread or task."""
    return _CURRENT.get()


@contextmanager
def using(limits: Limits | None) -> Iterator[Limits]:
    """Run a block under `limits` (None: keep the ones in force)."""
    if limits is None:
        yield _CURRENT.get()
        return
    if not isinstance(limits, Limits):
        raise errors.PMLTypeError(f"limits must be a pml.Limits, not {type(limits).__name__}")
    token = _CURRENT.set(limits)
    try:
        yield limits
    finally:
        _CURRENT.reset(token)


__all__ = ["DEFAULT", "Limits", "current", "using"]
