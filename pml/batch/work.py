"""The unit of work: a block of rows in, a chunk of request lines out, in any process.

A worker is built once per process from a `Job` (the prompt, the request spec, the id spec and
what to do with a bad row) and then renders blocks (`Worker.run`). The prompt travels as a
`PromptShip`: the compiled prompt pickled when it can be, else where to compile it from (the
file and its load options), compiled once per worker. Both give the same bytes.

A chunk's result (`ChunkResult`) is the lines joined with newlines, each line's size and id,
the rows that failed (with `on_error="skip"`), or `fatal`: the error that stops the run (a
row that failed with `on_error="fail"`, a row that cannot be read, a request without a
required parameter), raised by the process that runs the batch.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pml
from pml.batch.errors import BatchError, IdProblem, InputProblem, RowError, RowFailed, placed
from pml.batch.ids import IdSpec
from pml.batch.inputs import Block, decode
from pml.batch.requests import Builder, RequestSpec, row_error
from pml.batch.targets import target
from pml.errors import PMLError
from pml.limits import Limits


@dataclass(frozen=True, slots=True)
class PromptSource:
    """Where a worker compiles the prompt from: the file and the options `pml.load` takes."""

    path: str
    stylesheet: str | None = None
    strict: bool = False
    root: str | None = None
    limits: Limits | None = None

    def load(self) -> Any:
        return pml.load(self.path, stylesheet=Path(self.stylesheet) if self.stylesheet else None, strict=self.strict,
                        root=self.root, limits=self.limits)


@dataclass(frozen=True, slots=True)
class PromptShip:
    """The prompt as workers receive it: `pickled` (the compiled prompt) or `source`; `here` is
    the compiled prompt itself, for the one worker of a run in this process (never sent)."""

    pickled: bytes | None = None
    source: PromptSource | None = None
    here: Any = field(default=None, compare=False, repr=False)

    @classmethod
    def of(cls, prompt: Any, source: PromptSource | None) -> PromptShip:
        """The compiled prompt pickled when it can be (it then need not be compiled again), else
        its source; a prompt that neither pickles nor has a source is a `BatchError`."""
        try:
            return cls(pickled=pickle.dumps(prompt, protocol=pickle.HIGHEST_PROTOCOL))
        except Exception:  # not picklable (yet): each worker compiles it from its file
            if source is None:
                raise BatchError("this compiled prompt cannot be sent to worker processes",
                                 "pass the prompt's path instead of a compiled prompt, or use workers=1") from None
            return cls(source=source)

    def open(self) -> Any:
        if self.here is not None:
            return self.here
        if self.pickled is not None:
            return pickle.loads(self.pickled)
        assert self.source is not None
        return self.source.load()


@dataclass(frozen=True, slots=True)
class Job:
    """Everything a worker needs, sent once per worker."""

    prompt: PromptShip
    spec: RequestSpec
    ids: IdSpec
    on_error: str = "fail"


@dataclass(frozen=True, slots=True)
class ChunkResult:
    """What one block became (module docstring)."""

    index: int
    rows: int
    data: bytes = b""
    sizes: tuple[int, ...] = ()
    ids: tuple[str, ...] = ()
    errors: tuple[RowError, ...] = ()
    fatal: PMLError | None = field(default=None)


class Worker:
    """Renders blocks with one compiled prompt (built once per process)."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self.builder: Builder | None = None
        self.broken: PMLError | None = None
        try:
            self.builder = Builder(job.prompt.open(), job.spec)
        except PMLError as exc:  # reported with the first block: a pool must not restart a failing worker
            self.broken = placed("a worker cannot load the prompt", exc)
        except Exception as exc:
            self.broken = BatchError(f"a worker cannot load the prompt: {type(exc).__name__}: {exc}")
        self.maker = job.ids.maker()
        self.target = target(job.spec.target)

    def run(self, index: int, block: Block) -> ChunkResult:
        if self.broken is not None or self.builder is None:
            return ChunkResult(index, len(block), fatal=self.broken)
        try:
            rows = decode(block)
        except InputProblem as exc:
            return ChunkResult(index, len(block), fatal=exc)
        lines: list[bytes] = []
        ids: list[str] = []
        errors: list[RowError] = []
        for offset, row in enumerate(rows):
            number = block.first + offset
            try:
                ident = self.maker.make(number, row)
            except IdProblem as exc:
                return ChunkResult(index, len(block), fatal=placed(block.where(offset), exc))
            try:
                line = self.builder.line(row, ident)
            except BatchError as exc:
                return ChunkResult(index, len(block), fatal=placed(block.where(offset), exc))
            except Exception as exc:
                error = row_error(number, ident, block.where(offset), exc)
                if self.job.on_error == "fail":
                    return ChunkResult(index, len(block), fatal=RowFailed(error))
                errors.append(error)
                continue
            lines.append(line)
            ids.append(ident)
        data = b"\n".join(lines) + b"\n" if lines else b""
        return ChunkResult(index, len(block), data, tuple(len(line) + 1 for line in lines), tuple(ids),
                           tuple(errors))


__all__ = ["ChunkResult", "Job", "PromptShip", "PromptSource", "Worker"]
