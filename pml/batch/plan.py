"""What a run renders: the chunks not yet done, read in this process (`Plan.blocks`) or cut
into spans that other processes read for themselves (`Plan.spans`).

A chunk is one block of `chunk_rows` rows of one file (the last block of a file may be
shorter), numbered from 0 across the inputs in order, so a file of N rows is ceil(N /
chunk_rows) chunks. The pass over the inputs that checks the ids notes where reading can start
(`Marks`: the first block of every file, and blocks of a file spread evenly over it, at most
`SPANS` of them). A span is the chunks of one file from such a place to the next one; whoever
reads it opens the file there (`inputs.blocks_from`) and reads only its own chunks.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from pml.batch.inputs import At, Block, InputFile, blocks, blocks_from

SPANS = 256  # places to start reading kept besides the files' starts: a few read tasks per worker on a large cluster


@dataclass(frozen=True, slots=True)
class Mark:
    """A block that reading can start at: its file (the position in the inputs), its chunk, its
    first row among all the inputs, and where in the file it starts."""

    file: int
    chunk: int
    first: int
    at: At


class Marks:
    """Notes the blocks reading can start at, as they are read in order: every file's first,
    and at most `keep` others, evenly spread (when there are too many, every other one goes)."""

    def __init__(self, files: Sequence[InputFile], keep: int = SPANS) -> None:
        self.position = {file.shown: n for n, file in enumerate(files)}
        self.keep = keep
        self.starts: list[Mark] = []
        self.others: list[tuple[int, Mark]] = []  # the nth place seen (from 1), kept when n is a multiple of stride
        self.stride = 1
        self.seen = 0
        self.last = -1

    def note(self, chunk: int, block: Block) -> None:
        if block.at is None:
            return
        file = self.position[block.file]
        mark = Mark(file, chunk, block.first, block.at)
        if file != self.last:
            self.last = file
            self.starts.append(mark)
            return
        self.seen += 1
        if self.seen % self.stride == 0:
            self.others.append((self.seen, mark))
            if len(self.others) > self.keep:
                self.stride *= 2
                self.others = [(n, kept) for n, kept in self.others if n % self.stride == 0]

    def marks(self) -> tuple[Mark, ...]:
        return tuple(sorted([*self.starts, *(mark for _, mark in self.others)], key=lambda mark: mark.chunk))


@dataclass(frozen=True, slots=True)
class Span:
    """Chunks `chunk` … `chunk + chunks - 1` of `file`, read from `at`, the first holding row
    `first` of all the inputs; those in `done` are read past, not given."""

    file: InputFile
    at: At
    chunk: int
    first: int
    chunks: int
    done: frozenset[int] = frozenset()

    def blocks(self, chunk_rows: int) -> Iterator[tuple[int, Block]]:
        """The span's chunks not done, in order, read from the file."""
        if self.chunks <= 0:
            return
        for index, block in enumerate(blocks_from(self.file, chunk_rows, self.at, self.first), self.chunk):
            if index not in self.done:
                yield index, block
            if index + 1 >= self.chunk + self.chunks:
                return


@dataclass(frozen=True, slots=True)
class Plan:
    """The inputs (with each file's rows), how they are cut, the chunks done already, and the
    places reading can start (module docstring)."""

    files: tuple[InputFile, ...]
    rows: tuple[int, ...]
    chunk_rows: int
    done: frozenset[int] = frozenset()
    marks: tuple[Mark, ...] = ()

    @property
    def counts(self) -> tuple[int, ...]:
        """Each file's chunks."""
        return tuple(-(-rows // self.chunk_rows) for rows in self.rows)

    @property
    def chunks(self) -> int:
        return sum(self.counts)

    @property
    def pending(self) -> int:
        """The chunks not done."""
        return self.chunks - len(self.done)

    def blocks(self) -> Iterator[tuple[int, Block]]:
        """The chunks not done, in order, read here."""
        for index, block in enumerate(blocks(self.files, self.chunk_rows)):
            if index not in self.done:
                yield index, block

    def spans(self, most: int | None = None) -> list[Span]:
        """The chunks not done as spans, in order (a span whose chunks are all done is left out);
        with `most`, neighbouring spans of a file are joined until there are about that many (a
        span is then at least pending / most chunks long, and every file starts a span)."""
        ends: dict[int, int] = {}  # each file's chunks end before this index
        total = 0
        for n, count in enumerate(self.counts):
            total += count
            ends[n] = total
        done_in_order = sorted(self.done)
        found = []
        for mark, after in zip(self.marks, [*self.marks[1:], None], strict=True):
            end = ends[mark.file] if after is None or after.file != mark.file else after.chunk
            done = frozenset(done_in_order[bisect.bisect_left(done_in_order, mark.chunk):
                                           bisect.bisect_left(done_in_order, end)])
            if len(done) < end - mark.chunk:
                found.append(Span(self.files[mark.file], mark.at, mark.chunk, mark.first, end - mark.chunk, done))
        return found if most is None else _joined(found, -(-self.pending // max(1, most)))


def _joined(spans: list[Span], size: int) -> list[Span]:
    """Neighbouring spans of a file joined while the first holds fewer than `size` chunks not done."""
    joined: list[Span] = []
    for span in spans:
        last = joined[-1] if joined else None
        if last is not None and last.file == span.file and last.chunk + last.chunks == span.chunk and \
                last.chunks - len(last.done) < size:
            joined[-1] = Span(last.file, last.at, last.chunk, last.first, last.chunks + span.chunks,
                              last.done | span.done)
        else:
            joined.append(span)
    return joined


__all__ = ["SPANS", "Mark", "Marks", "Plan", "Span"]
