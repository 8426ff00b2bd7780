"""Where computed attention states are kept: a least-recently-used map in memory, bounded in bytes,
and optionally a folder of safetensors files that outlives the process.

Keys are hashes of everything the states depend on (`pml.kv.cache`): the model's identity, the
tokens, their positions, what they attend to, and the module's rendering hash. A changed module
has a new key, so it is computed anew and never served stale; files whose key is no longer asked
for are simply not read. A file that cannot be read is a miss, never an error.
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pml.errors import PMLError
from pml.kv.engine import Engine

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True, slots=True)
class StoreStats:
    entries: int
    bytes: int
    hits: int
    disk_hits: int
    misses: int
    evictions: int


class StateStore:
    """Computed states by key (module docstring). Safe to share between threads."""

    def __init__(self, engine: Engine, max_bytes: int, directory: str | os.PathLike[str] | None = None) -> None:
        self.engine = engine
        self.max_bytes = max_bytes
        self.directory = Path(directory) / _UNSAFE.sub("-", engine.identity) if directory is not None else None
        self._entries: OrderedDict[str, Any] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._hits = self._disk_hits = self._misses = self._evictions = 0

    def get(self, key: str) -> Any | None:
        with self._lock:
            states = self._entries.get(key)
            if states is not None:
                self._entries.move_to_end(key)
                self._hits += 1
                return states
        states = self._read(key)
        with self._lock:
            if states is None:
                self._misses += 1
                return None
            self._disk_hits += 1
        self._keep(key, states)
        return states

    def put(self, key: str, states: Any, meta: Mapping[str, str] | None = None) -> None:
        self._keep(key, states)
        self._write(key, states, meta or {})

    def stats(self) -> StoreStats:
        with self._lock:
            return StoreStats(len(self._entries), self._bytes, self._hits, self._disk_hits, self._misses,
                              self._evictions)

    def clear(self) -> None:
        """Forget what is in memory (files on disk stay)."""
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    # ------------------------------------------------------------------
    def _keep(self, key: str, states: Any) -> None:
        size = int(states.nbytes)
        if size > self.max_bytes:
            return
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return
            self._entries[key] = states
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, old = self._entries.popitem(last=False)
                self._bytes -= int(old.nbytes)
                self._evictions += 1

    def _path(self, key: str) -> Path | None:
        return self.directory / f"{key}.safetensors" if self.directory is not None else None

    def _read(self, key: str) -> Any | None:
        path = self._path(key)
        if path is None or not path.is_file():
            return None
        from safetensors import SafetensorError
        from safetensors.torch import load_file
        try:
            return self.engine.from_tensors(load_file(str(path)))
        except (OSError, ValueError, SafetensorError, PMLError):
            return None

    def _write(self, key: str, states: Any, meta: Mapping[str, str]) -> None:
        path = self._path(key)
        if path is None:
            return
        from safetensors.torch import save_file
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".safetensors")
        os.close(handle)
        try:
            save_file(self.engine.to_tensors(states), temp, metadata={"model": self.engine.identity, **meta})
            os.replace(temp, path)
        finally:
            if os.path.exists(temp):
                os.unlink(temp)
