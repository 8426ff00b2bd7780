"""Building a large tree past the collector's young generations (pml/syntax/collector.py)."""

from __future__ import annotations

import gc

from pml.syntax.parser import parse

# Well past the size (100 young-generation thresholds of characters) from which a tree is moved.
LARGE = "<poml>\n" + "  <p>Some text with <b>bold</b> words.</p>\n" * 5_000 + "</poml>\n"


def _oldest() -> set[int]:
    return {id(o) for o in gc.get_objects(generation=2)}


def test_a_large_tree_is_moved_to_the_oldest_generation() -> None:
    gc.collect()
    document = parse(LARGE)
    assert gc.isenabled()
    first = document.root.children[1]
    oldest = _oldest()
    assert id(document.root) in oldest and id(first) in oldest and id(first.children[1]) in oldest


def test_a_paused_collector_stays_paused() -> None:
    gc.disable()
    try:
        parse(LARGE)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_objects_someone_else_froze_stay_frozen() -> None:
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        assert frozen > 0
        parse(LARGE)
        assert 0 < gc.get_freeze_count() <= frozen  # (a frozen object may be freed meanwhile)
        assert gc.isenabled()
    finally:
        gc.unfreeze()


def test_the_count_toward_the_next_full_collection_is_kept() -> None:
    gc.collect()
    for _ in range(3):
        gc.collect(1)
    owed = gc.get_count()[2]
    parse(LARGE)
    assert gc.get_count()[2] >= owed
