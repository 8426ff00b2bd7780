"""Building a large tree without Python's cyclic garbage collector walking it again and again.

A parsed tree is hundreds of thousands of small objects, none in a cycle. Left alone, the
collector wakes every few hundred allocations and walks the young objects: the growing tree,
once in the youngest generation and again in the middle one, and each walk of a large tree
costs as much as building a good part of it; then, counted as new long-lived objects, the tree
brings on full collections. `building` pauses the collector while a tree is built; when the text
was large, it then moves what the build made straight to the oldest generation (`gc.freeze` and
`gc.unfreeze`, both a constant-time splice of lists), uncounted. Objects are still freed as soon
as they are dropped, and the full collections that would come anyway still come:

- before a large build the young generations are collected, so that what the caller made
  before is counted and sorted the usual way and only the build's own objects skip them;
- `gc.freeze` forgets how many young collections ran since the last full one (the count that,
  past its threshold, lets a full collection run); the count is put back by running that many
  collections of the young generations, which are empty by then and cost next to nothing.
  Without this, a program that parses large texts often would never run a full collection, and
  the cycles it drops in the oldest generation would never be freed.

Nothing is moved when someone else has frozen objects (`gc.get_freeze_count()`), since
unfreezing would release theirs. The collector is resumed only if it was running.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

# A text of this many young-generation thresholds of characters (70 KB with the default
# threshold of 700) makes a tree of some ten thresholds of objects: enough that walking it costs
# more than the collection of the young generations made beforehand.
_LARGE = 100


@contextmanager
def building(size: int) -> Iterator[None]:
    """Pause the collector while a tree is built from a text of `size` characters (see the module)."""
    if not gc.isenabled():
        yield
        return
    promote = size > _LARGE * gc.get_threshold()[0] and gc.get_freeze_count() == 0
    owed = 0
    if promote:
        gc.collect(1)
        owed = gc.get_count()[2]  # collections of the middle generation since the last full one
    gc.disable()
    try:
        yield
    finally:
        if promote and gc.get_freeze_count() == 0:
            gc.freeze()
            gc.unfreeze()
            for _ in range(owed):
                gc.collect(1)
        gc.enable()
