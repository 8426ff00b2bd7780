"""The render cache of cached modules: bounded, least-recently-used, safe across threads.

A cached module (`<module cache="true">`) renders once per distinct key — a content hash of
the module's compiled definition (its markup and computed style), its arguments, the modules
selected inside it, and the syntax — and the result is reused by every later render of every
prompt that places it. An entry holds the module's layout boxes and, once written, its text at
each heading level it was written at, so a hit costs a dictionary lookup and a string splice.

Memory is bounded twice: by the number of entries and by the characters of text they keep.
The least recently used entries are dropped first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pml.errors import PMLUsageError

DEFAULT_ENTRIES = 1024
DEFAULT_CHARS = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class CacheStats:
    """Counters of a module cache (hits and misses since it was made or cleared)."""

    entries: int
    chars: int
    hits: int
    misses: int
    evictions: int


class Entry:
    """One cached module rendering: its boxes and its written pieces by heading level."""

    __slots__ = ("_cache", "_pieces", "boxes", "key", "size")

    def __init__(self, cache: ModuleCache, key: str, boxes: list[Any]) -> None:
        self._cache = cache
        self.key = key
        self.boxes = boxes
        self._pieces: dict[int, Any] = {}
        self.size = 0

    def piece(self, level: int) -> Any:
        """The text written at heading level `level`, if it was written before."""
        return self._pieces.get(level)

    def keep(self, level: int, piece: Any) -> Any:
        """Keep a written piece (the first one kept wins if two threads race) and return it."""
        with self._cache._lock:
            kept = self._pieces.setdefault(level, piece)
            if kept is piece:
                self.size += len(piece.text)
                self._cache._grow(self, len(piece.text))
        return kept


class ModuleCache:
    """A least-recently-used map from rendering keys to `Entry`s, bounded in entries and text."""

    def __init__(self, max_entries: int = DEFAULT_ENTRIES, max_chars: int = DEFAULT_CHARS) -> None:
        if max_entries < 1 or max_chars < 1:
            raise PMLUsageError("a module cache needs room for at least one entry and one character")
        self.max_entries = max_entries
        self.max_chars = max_chars
        self._lock = threading.RLock()
        self._entries: OrderedDict[str, Entry] = OrderedDict()
        self._chars = 0
        self._hits = self._misses = self._evictions = 0

    def get_or_render(self, key: str, render: Callable[[], list[Any]]) -> Entry:
        """The entry for `key`, rendering it with `render()` on a miss.

        Rendering happens outside the lock; if two threads miss at once, both render and the
        first to finish is kept (the renderings are equal: the key says everything they depend on).
        """
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
                self._hits += 1
                return entry
            self._misses += 1
        boxes = render()
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                entry = Entry(self, key, boxes)
                self._entries[key] = entry
                self._trim()
            return entry

    def _grow(self, entry: Entry, chars: int) -> None:
        if self._entries.get(entry.key) is entry:
            self._chars += chars
            self._trim()

    def _trim(self) -> None:
        while len(self._entries) > self.max_entries or (self._chars > self.max_chars and len(self._entries) > 1):
            _, dropped = self._entries.popitem(last=False)
            self._chars -= dropped.size
            self._evictions += 1

    def clear(self) -> None:
        """Drop every entry and reset the counters."""
        with self._lock:
            self._entries.clear()
            self._chars = 0
            self._hits = self._misses = self._evictions = 0

    def stats(self) -> CacheStats:
        with self._lock:
            return CacheStats(len(self._entries), self._chars, self._hits, self._misses, self._evictions)

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return key in self._entries

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)


_CACHE = ModuleCache()


def module_cache() -> ModuleCache:
    """The process-wide module cache every render uses."""
    return _CACHE


def configure_module_cache(max_entries: int = DEFAULT_ENTRIES, max_chars: int = DEFAULT_CHARS) -> ModuleCache:
    """Replace the process-wide module cache with an empty one of the given size."""
    global _CACHE
    _CACHE = ModuleCache(max_entries, max_chars)
    return _CACHE
