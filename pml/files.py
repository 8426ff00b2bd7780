"""Reading files named in prompts: every `src` a prompt names is resolved and read here.

`<include>`, `<import>`, `<document>`, `<webpage>`, `<img>`, `<audio>`, `<table>`, `<let>` and
`<folder>` all go through these functions, so the rules hold for every one of them:

- **The root.** Relative paths resolve against the file that names them, and the result must
  stay inside the prompt's root folder (by default the folder of the prompt being compiled; the
  SDK's `root=` and the CLI's `--root` widen it). A prompt can therefore not read
  `../../.ssh/id_rsa` unless its caller allows it.
- **Regular files only.** A FIFO, a socket or a device could block a render forever or never
  end; they are refused before they are read, and the file is opened without blocking and
  checked again on the open descriptor.
- **Bounded.** At most `limits.current().max_file_size` bytes are read; a larger file is refused.
- **Every failure is a `FileProblem`** with a message for a person, whatever the operating
  system says (a NUL in the path, a name too long, a loop of links, a permission denied…).
  Callers turn it into a located error with `explain`.
"""

from __future__ import annotations

import difflib
import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from pml import limits
from pml.errors import limit_hint

ROOT_HINT = "files are read only under the prompt's folder; pass root=… (SDK) or --root (CLI) to allow more"
UTF8_HINT = "save the file as UTF-8"
_SHOWN_PATH = 80  # characters of a path repeated in a message (the excerpt shows all of it)
# How alike two file names (without extension), and the whole relative paths, must be for
# "did you mean".
_NAME_CUTOFF = 0.75
_PATH_CUTOFF = 0.6


class FileProblem(Exception):
    """Why a file named in a prompt cannot be read. `reason` completes "cannot read X: …"."""

    def __init__(self, reason: str, hint: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.hint = hint


class OutsideRoot(FileProblem):
    """The path leaves the root folder."""


class Missing(FileProblem):
    """Nothing exists at the path."""


class NotAFolder(FileProblem):
    """A folder was asked for, and the path names something else."""


class TooLarge(FileProblem):
    """The file holds more than `max_file_size` bytes."""


# ---------------------------------------------------------------------- resolving


def resolve_under(base: Path, relative: str, root: Path) -> Path:
    """`base / relative`, resolved, checked to lie inside `root`."""
    if "\0" in relative:
        raise _nul()
    try:
        path = (base / relative).resolve()
        root = root.resolve()
    except (OSError, ValueError, RuntimeError) as exc:  # RuntimeError: a loop of links on older Pythons
        raise os_problem(exc) from None
    if path != root and root not in path.parents:
        raise OutsideRoot(f"`{clip(relative)}` is outside the prompt's folder", ROOT_HINT)
    return path


# ---------------------------------------------------------------------- reading


_KINDS = (
    (stat.S_ISDIR, "a folder", "name a file in it"),
    (stat.S_ISFIFO, "a FIFO (named pipe)", "only regular files are read"),
    (stat.S_ISSOCK, "a socket", "only regular files are read"),
    (stat.S_ISCHR, "a character device", "only regular files are read"),
    (stat.S_ISBLK, "a block device", "only regular files are read"),
)

_OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
               | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0))


def read_file(path: Path) -> bytes:
    """The bytes of a regular file, at most `max_file_size` of them; a `FileProblem` otherwise.

    The file is looked at before it is opened (a FIFO is never opened), opened without blocking,
    and looked at again through the open descriptor, in case it was swapped in between.
    """
    limit = limits.current().max_file_size
    try:
        _check_regular(os.stat(path), limit)
        descriptor = os.open(path, _OPEN_FLAGS)
    except (OSError, ValueError) as exc:
        raise os_problem(exc) from None
    try:
        info = os.fstat(descriptor)
        _check_regular(info, limit)
        chunks: list[bytes] = []
        total = 0
        while total <= limit:
            # One read takes a regular file whole; later ones catch a file that grew.
            chunk = os.read(descriptor, min(limit + 1 - total, max(info.st_size + 1 - total, 1 << 16)))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as exc:
        raise os_problem(exc) from None
    finally:
        os.close(descriptor)
    if total > limit:
        raise too_large(limit)
    return b"".join(chunks)


def check_file(path: Path) -> None:
    """Raise the `FileProblem` `read_file` would raise for what is at `path` now, without opening it."""
    try:
        info = os.stat(path)
    except (OSError, ValueError) as exc:
        raise os_problem(exc) from None
    _check_regular(info, limits.current().max_file_size)


def check_folder(path: Path) -> None:
    """Raise a `FileProblem` unless `path` is a folder."""
    try:
        info = os.stat(path)
    except (OSError, ValueError) as exc:
        raise os_problem(exc) from None
    if not stat.S_ISDIR(info.st_mode):
        raise NotAFolder("it is not a folder", "use <document src> for a file")


def read_text(path: Path) -> str:
    """A regular file's text (UTF-8), with the rules of `read_file`."""
    return decode_text(read_file(path))


def _check_regular(info: os.stat_result, limit: int) -> None:
    if not stat.S_ISREG(info.st_mode):
        for test, kind, hint in _KINDS:
            if test(info.st_mode):
                raise FileProblem(f"it is {kind}, not a regular file", hint)
        raise FileProblem("it is not a regular file", "only regular files are read")
    if info.st_size > limit:
        raise too_large(limit)


def too_large(limit: int) -> TooLarge:
    return TooLarge(f"it is larger than {limit:,} bytes (the limit `max_file_size`)",
                    limit_hint("max_file_size", "split the file"))


def decode_text(data: bytes) -> str:
    """UTF-8 bytes as text; a `FileProblem` naming the line, column and offset of a bad byte."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FileProblem(f"it is not UTF-8 text ({where_undecodable(data, exc)})", UTF8_HINT) from None


def where_undecodable(data: bytes, exc: UnicodeDecodeError) -> str:
    """"byte 0xE9 at line 3, column 7, offset 42": where UTF-8 decoding of `data` failed."""
    start = exc.start
    line_start = data.rfind(b"\n", 0, start) + 1
    line = data.count(b"\n", 0, start) + 1
    column = len(data[line_start:start].decode("utf-8", errors="replace")) + 1
    return f"byte 0x{data[start]:02X} at line {line}, column {column}, offset {start}"


# ---------------------------------------------------------------------- what went wrong

# What each error number means for a file named in a prompt.
_ERRNO_REASONS: dict[int, tuple[str, str | None]] = {
    errno.EACCES: ("permission denied", "check the file's permissions"),
    errno.EPERM: ("permission denied", "check the file's permissions"),
    errno.EISDIR: ("it is a folder, not a regular file", "name a file in it"),
    errno.ENOTDIR: ("a part of the path is not a folder", None),
    errno.ENAMETOOLONG: ("the path is too long", "use a shorter path"),
    errno.ELOOP: ("the path goes round a loop of symbolic links", "fix the links"),
    errno.EINVAL: ("the path is not valid", None),
    errno.ENXIO: ("it is not a regular file", "only regular files are read"),
    errno.ENODEV: ("it is not a regular file", "only regular files are read"),
    errno.EMFILE: ("too many files are open", None),
    errno.EIO: ("the disk reported an input/output error", None),
}


def os_problem(exc: BaseException) -> FileProblem:
    """A `FileProblem` for what `os` or `pathlib` raised."""
    if isinstance(exc, FileNotFoundError):
        return Missing("it does not exist")
    if isinstance(exc, OSError) and exc.errno in _ERRNO_REASONS:
        reason, hint = _ERRNO_REASONS[exc.errno]
        return FileProblem(reason, hint)
    if isinstance(exc, OSError) and exc.strerror:
        return FileProblem(exc.strerror[:1].lower() + exc.strerror[1:])
    if isinstance(exc, ValueError):
        return _nul() if "null" in str(exc) else FileProblem("the path is not valid")
    if isinstance(exc, RuntimeError):
        return FileProblem("the path goes round a loop of symbolic links", "fix the links")
    return FileProblem(str(exc) or type(exc).__name__)


def _nul() -> FileProblem:
    return FileProblem("the path contains a NUL character", "a path cannot hold NUL; check what builds it")


def explain(problem: FileProblem, what: str, src: str, source_name: str, directory: Path,
            root: Path, *, folder: bool = False) -> tuple[str, str | None]:
    """The message and hint of a located error about the file `src` (`what` says what it is for).

    Paths are shown as the prompt wrote them (a long one is shortened; the excerpt shows it).
    `folder` says a folder was wanted (a missing one is compared with the folders around).
    """
    if isinstance(problem, OutsideRoot):
        return problem.reason, problem.hint
    if isinstance(problem, Missing):
        return f"{what} not found: {clip(src)}", missing_hint(src, source_name, directory, root, folder=folder)
    if isinstance(problem, NotAFolder):
        return f"`{clip(src)}` is not a folder", problem.hint
    return f"cannot read {what} `{clip(src)}`: {problem.reason}", problem.hint


def clip(src: str) -> str:
    """A path as shown in a message: NUL and line breaks escaped, at most `_SHOWN_PATH` characters."""
    shown_src = src.replace("\0", "\\0").replace("\n", "\\n").replace("\r", "\\r")
    if len(shown_src) > _SHOWN_PATH:
        half = _SHOWN_PATH // 2
        shown_src = f"{shown_src[:half]}…{shown_src[-half:]}"
    return shown_src


def shown(source_name: str, relative: str) -> str:
    """How a file named in a prompt is shown in messages: next to the prompt's own name."""
    if source_name.startswith("<"):
        return relative
    return (Path(source_name).parent / relative).as_posix()


def missing_hint(src: str, source_name: str, directory: Path, root: Path, *, folder: bool = False) -> str:
    """`did you mean data/orders.csv?` when a file (a folder, with `folder`) under the root has a
    close relative path, else where the file was looked for."""
    wanted = src.strip().replace("\\", "/").removeprefix("./").rstrip("/")
    match = closest_path(wanted, list(nearby_paths(directory, root, folders=folder)))
    if match is not None and match != wanted:
        return f"did you mean {match}?"
    return f"looked for {shown(source_name, src.strip())}"


def closest_path(wanted: str, candidates: list[str]) -> str | None:
    """The candidate path nearest to `wanted`: one with the same file name (the shortest), else
    the closest relative path whose file name is close too (so that a shared folder or extension
    alone never makes two paths look alike)."""
    wanted = wanted.lower()
    name = PurePosixPath(wanted).name
    same_name = [c for c in candidates if PurePosixPath(c).name.lower() == name]
    if same_name:
        return min(same_name, key=lambda c: (len(c), c))
    stem = PurePosixPath(wanted).stem
    best: tuple[float, str] | None = None
    for candidate in candidates:
        lowered = candidate.lower()
        if difflib.SequenceMatcher(None, stem, PurePosixPath(lowered).stem).ratio() < _NAME_CUTOFF:
            continue
        score = difflib.SequenceMatcher(None, wanted, lowered).ratio()
        if score >= _PATH_CUTOFF and (best is None or score > best[0]):
            best = (score, candidate)
    return best[1] if best else None


def nearby_paths(directory: Path, root: Path, *, folders: bool = False) -> Iterator[str]:
    """The files (or the folders) under `directory`, or under `root` when `directory` lies
    within it, as paths relative to `directory`; at most `max_folder_entries` entries are
    visited, and hidden ones skipped."""
    budget = limits.current().max_folder_entries
    try:
        directory = directory.resolve()
        root = root.resolve()
    except (OSError, RuntimeError):
        return
    start = directory if directory == root or root in directory.parents else root
    pending = [start]
    while pending and budget > 0:
        folder = pending.pop(0)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            budget -= 1
            if budget < 0:
                return
            if entry.name.startswith("."):
                continue
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if is_dir:
                pending.append(Path(entry.path))
            if is_dir == folders:
                yield Path(os.path.relpath(entry.path, directory)).as_posix()


__all__ = [
    "ROOT_HINT", "FileProblem", "Missing", "NotAFolder", "OutsideRoot", "TooLarge", "check_file", "check_folder",
    "clip", "closest_path", "decode_text", "explain", "missing_hint", "nearby_paths", "os_problem", "read_file",
    "read_text", "resolve_under", "shown", "where_undecodable",
]
