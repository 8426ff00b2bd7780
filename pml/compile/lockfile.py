"""`pml.lock`: the content hashes of cached modules, so that a change to one is never a surprise.

A cached module's bytes are the prefix every provider cache keys on; changing them invalidates
the caches of every prompt that places it. `pml lock` records the digest of each cached module
(its compiled markup and computed style, `pml.compile.modules.digest`) and `pml lock --check` fails
when one was changed, added or removed without the lock file being updated.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pml.compile.program import Program
from pml.compile.variables import Compiled
from pml.errors import compile_error
from pml.syntax.source import read_source

LOCK_VERSION = 1
PROMPT_SUFFIXES = (".pml", ".poml")
SKIPPED_DIRS = frozenset({"node_modules", "__pycache__", "venv", "site-packages"})


@dataclass(frozen=True, slots=True)
class LockDiff:
    """What changed between a lock file and the modules found now."""

    changed: tuple[str, ...]
    added: tuple[str, ...]
    removed: tuple[str, ...]

    @property
    def clean(self) -> bool:
        return not (self.changed or self.added or self.removed)


def prompt_files(paths: Iterable[Path]) -> list[Path]:
    """The prompt files named, and those under the folders named (hidden folders skipped), each
    once even when it is reached twice (named and in a folder named, or through a link)."""
    out: list[Path] = []
    seen: set[Path] = set()
    for file in _candidates(paths):
        key = file.resolve()
        if key not in seen:
            seen.add(key)
            out.append(file)
    return out


def _candidates(paths: Iterable[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            for folder, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIPPED_DIRS)
                for name in sorted(files):
                    if name.endswith(PROMPT_SUFFIXES):
                        yield Path(folder) / name
        else:
            yield path


def module_hashes(compiled: Program | Compiled, file: Path, base: Path) -> dict[str, str]:
    """Digest of each cached module the program (or prompt) in `file` defines or imports, by name:
    `lib.pml#schema.module` for a module defined in the file itself, `prompt.pml > lib.pml#schema.module`
    for an imported one (the importing prompt's stylesheets are part of the bytes it sends)."""
    program = compiled if isinstance(compiled, Program) else compiled.program
    out: dict[str, str] = {}
    own = _shown(file, base)
    for mdef in program.modules:
        if not mdef.cached:
            continue
        source = mdef.span.source
        defined = _shown(source.path if source.path is not None else Path(source.name), base)
        name = f"{defined}#{mdef.qualified}" if defined == own else f"{own} > {defined}#{mdef.qualified}"
        out[name] = "sha256:" + mdef.digest
    return out


def _shown(path: Path, base: Path) -> str:
    try:
        return Path(os.path.relpath(Path(path).resolve(), base.resolve())).as_posix()
    except ValueError:  # another drive
        return Path(path).as_posix()


def dumps(hashes: dict[str, str]) -> str:
    return json.dumps({"version": LOCK_VERSION, "modules": dict(sorted(hashes.items()))}, indent=2) + "\n"


_REWRITE = "run `pml lock` to write it again"


def read(path: Path) -> dict[str, str]:
    """The module hashes of a lock file; a `PMLCompileError` naming the file (and, for JSON that
    does not parse, the line and column) when it is not one."""
    source = read_source(path)
    try:
        data = json.loads(source.text)
    except json.JSONDecodeError as exc:
        raise compile_error(f"the lock file is not valid JSON: {exc.msg}", source.span(exc.pos, exc.pos),
                            _REWRITE) from None
    if not isinstance(data, dict) or not isinstance(data.get("modules"), dict):
        raise compile_error(f"{path}: not a pml lock file (no \"modules\" object)", None, _REWRITE)
    if data.get("version") != LOCK_VERSION:
        version = data.get("version")
        raise compile_error(f"{path}: lock file version {version!r}; this pml writes version {LOCK_VERSION}", None,
                            _REWRITE)
    return {str(k): str(v) for k, v in data["modules"].items()}


def compare(locked: dict[str, str], found: dict[str, str]) -> LockDiff:
    changed = tuple(k for k in sorted(found) if k in locked and locked[k] != found[k])
    added = tuple(k for k in sorted(found) if k not in locked)
    removed = tuple(k for k in sorted(locked) if k not in found)
    return LockDiff(changed, added, removed)
