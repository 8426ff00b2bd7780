"""What the language server may read: the folder a document's prompt reads under, and which URIs
a request may name.

The server reads only what the editor has opened and the prompt files of the workspace:

- A document's **root** is the innermost workspace folder the client named (`workspaceFolders`, or
  `rootUri`) that holds it; a document in no workspace folder has its own folder as root, as
  `pml check` does. Its includes, imports and `src="…"` targets resolve only under that root
  (`pml.files.resolve_under`), so go-to-definition never points outside it either. An unsaved
  (`untitled:`) document reads under the first workspace folder, else the server's working folder,
  as `pml.loads` does.
- A **request** (hover, completion, definition, symbols, `pml/preview`) may name a document the
  client opened (the preview only a `.pml`/`.poml` one), or a regular file under a workspace
  folder whose suffix the request accepts (`.pml`/`.poml` for the preview, those and
  `.pss`/`.css` for the others), no larger than `max_file_size`. Anything else is `Refused`: the
  request answers an error (the preview) or nothing, and the file is never opened.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable
from pathlib import Path

from pygls import uris

from pml import limits

PROMPT_SUFFIXES = (".pml", ".poml")
STYLESHEET_SUFFIXES = (".pss", ".css")
DOCUMENT_SUFFIXES = PROMPT_SUFFIXES + STYLESHEET_SUFFIXES
PROMPT_LANGUAGES = ("pml", "poml")


class Refused(ValueError):
    """A request named something the server does not read; the message is user-facing."""


def uri_path(uri: str) -> Path | None:
    """The file a `file:` URI names (resolved), or None for other schemes (`untitled:`) and URIs
    that name no file."""
    if not isinstance(uri, str) or not uri.startswith("file:"):
        return None
    try:
        path = uris.to_fs_path(uri)
        return Path(path).resolve() if path else None
    except (OSError, ValueError):
        return None


def path_uri(path: Path | str) -> str:
    """The `file:` URI of a path."""
    return uris.from_fs_path(str(path)) or Path(path).as_uri()


def inside(path: Path, folder: Path) -> bool:
    """Whether `path` is `folder` or lies under it (both resolved)."""
    return path == folder or folder in path.parents


class Access:
    """The workspace folders the client gave, and what follows from them (module docstring)."""

    def __init__(self, folders: Callable[[], Iterable[str]]) -> None:
        self._folders = folders

    def roots(self) -> list[Path]:
        """The workspace folders, resolved, in the client's order."""
        found: list[Path] = []
        for uri in self._folders():
            path = uri_path(uri)
            if path is not None and path not in found:
                found.append(path)
        return found

    def root_of(self, path: Path | None) -> Path:
        """The folder the prompt at `path` reads files under (None: an unsaved document)."""
        roots = self.roots()
        if path is None:
            return roots[0] if roots else Path.cwd().resolve()
        holding = [root for root in roots if inside(path, root)]
        return max(holding, key=lambda r: len(r.parts)) if holding else path.parent

    def in_workspace(self, path: Path) -> bool:
        return any(inside(path, root) for root in self.roots())

    def read(self, uri: str, suffixes: tuple[str, ...]) -> str:
        """The text of a file that is not open in the editor, if a request may read it."""
        path = uri_path(uri)
        if path is None:
            raise Refused(f"`{_short(uri)}` is neither a document open in the editor nor a file")
        if path.suffix.lower() not in suffixes:
            raise Refused(f"`{path.name}` is not a {' / '.join(suffixes)} file")
        if not self.in_workspace(path):
            raise Refused(f"`{path}` is not open in the editor and not under a workspace folder")
        try:
            info = os.stat(path)
        except OSError as exc:
            raise Refused(f"`{path}`: {exc.strerror or exc}") from None
        if not stat.S_ISREG(info.st_mode):
            raise Refused(f"`{path}` is not a regular file")
        bound = limits.current().max_file_size
        if info.st_size > bound:
            raise Refused(f"`{path}` is larger than max_file_size ({bound} bytes)")
        try:
            with open(path, "rb") as handle:
                data = handle.read(bound + 1)
        except OSError as exc:
            raise Refused(f"`{path}`: {exc.strerror or exc}") from None
        if len(data) > bound:
            raise Refused(f"`{path}` is larger than max_file_size ({bound} bytes)")
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise Refused(f"`{path}` is not UTF-8 text (byte {exc.start})") from None


def accepts_open(uri: str, language: str | None, suffixes: tuple[str, ...]) -> bool:
    """Whether a request accepting `suffixes` may use this document the editor opened: a file with
    one of those suffixes, or an unsaved document in the PML language."""
    path = uri_path(uri)
    if path is not None:
        return path.suffix.lower() in suffixes
    if uri.startswith("file:"):
        return False
    return (language or "").lower() in PROMPT_LANGUAGES


def _short(uri: str, width: int = 120) -> str:
    text = uri if isinstance(uri, str) else repr(uri)
    return text if len(text) <= width else text[: width - 1] + "…"
