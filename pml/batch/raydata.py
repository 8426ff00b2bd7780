"""The `ray` engine's pipeline on Ray Data (imported only when that engine runs; it needs Ray).

    spans ── read tasks (PML's readers) ──▶ a row per chunk: index, block
          ── map_batches(RenderChunks) on actors ──▶ a row per chunk: index, result
          ── iter_rows, in order ──▶ the process that runs the batch

- `ChunkSource` is a `ray.data.Datasource` whose read tasks (about two per actor, so that
  reading keeps up on a large cluster without a task per chunk or per small file) each read
  one or more consecutive spans (`plan.Span`): a task opens a span's file where the span
  starts and reads the span's chunks with PML's own readers (so a CSV value stays text and a
  line has the same number as with the local engine), one output row and block per chunk:
  its index and the raw block, pickled. Rows are decoded where they are rendered, as with the
  local engine. A span that cannot be read gives the error as its next chunk, and ends there.
- `RenderChunks` is the class `Dataset.map_batches` runs on the actors: one `Worker` each (the
  prompt compiled, or unpickled, once per actor); a chunk in, its `ChunkResult` (pickled) out.
- `results` runs the pipeline with `preserve_order` and gives the results in chunk order, so
  the shards are written here exactly as the local engine writes them.

Actors take a share of a CPU (`num_cpus` below one), so that the read tasks always find one.
An actor that dies is not restarted (Ray cannot restart an actor whose arguments it may have
lost): the run stops, and `--resume` continues it.
"""

from __future__ import annotations

import logging
import pickle
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pyarrow
import ray
import ray.data
from ray.data.block import BlockMetadata
from ray.data.datasource import Datasource, ReadTask

from pml import limits
from pml.batch.errors import BatchError
from pml.batch.plan import Plan, Span
from pml.batch.work import ChunkResult, Job, Worker
from pml.errors import PMLError
from pml.limits import Limits

READ_CPUS = 0.25  # a read task's share of a CPU: reading a block costs little next to rendering it
SPANS_PER_WORKER = 2  # read tasks per actor: each costs a Ray task's start-up, and streams its chunks as it reads


def _row(index: int, item: Any) -> Any:
    """One chunk as a Ray Data block of one row."""
    return pyarrow.table({"index": pyarrow.array([index], pyarrow.int64()),
                          "block": pyarrow.array([pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL)],
                                                 pyarrow.large_binary())})


def read_span(span: Span, chunk_rows: int, bounds: Limits | None) -> Iterator[Any]:
    """The span's chunks as one-row blocks; a problem reading it takes the place of the next
    chunk due, and is the last (module docstring)."""
    last = span.chunk - 1
    chunks = span.blocks(chunk_rows)
    while True:
        try:
            with limits.using(bounds):  # the run's limits while reading, not while the task holds a chunk
                item = next(chunks, None)
        except PMLError as exc:
            due = next((i for i in range(last + 1, span.chunk + span.chunks) if i not in span.done), None)
            if due is not None:  # else only chunks done already were left to read
                yield _row(due, exc)
            return
        if item is None:
            return
        last, block = item
        yield _row(last, block)


def read_spans(spans: list[Span], chunk_rows: int, bounds: Limits | None) -> Iterator[Any]:
    """The chunks of consecutive spans, read one after the other."""
    for span in spans:
        yield from read_span(span, chunk_rows, bounds)


def tasks(spans: list[Span], most: int) -> list[list[Span]]:
    """Consecutive spans grouped into at most about `most` read tasks of about as many chunks
    (many small files need not cost a task each)."""
    size = -(-sum(span.chunks - len(span.done) for span in spans) // max(1, most))
    groups: list[list[Span]] = []
    held = size
    for span in spans:
        if held >= size:
            groups.append([])
            held = 0
        groups[-1].append(span)
        held += span.chunks - len(span.done)
    return groups


class ChunkSource(Datasource):
    """The spans of a plan as read tasks (each reads one or more consecutive spans), in order."""

    def __init__(self, groups: list[list[Span]], chunk_rows: int, bounds: Limits | None) -> None:
        super().__init__()
        self.groups = groups
        self.chunk_rows = chunk_rows
        self.bounds = bounds

    def get_name(self) -> str:
        return "PMLChunks"

    def estimate_inmemory_data_size(self) -> int | None:
        return None

    def get_read_tasks(self, parallelism: int, per_task_row_limit: int | None = None,
                       data_context: Any = None) -> list[Any]:
        found = []
        for group in self.groups:
            def read(group: list[Span] = group) -> Iterator[Any]:
                return read_spans(group, self.chunk_rows, self.bounds)

            rows = sum(span.chunks - len(span.done) for span in group)
            found.append(ReadTask(read, _metadata(rows, tuple(dict.fromkeys(str(s.file.path) for s in group)))))
        return found


def _metadata(rows: int, paths: tuple[str, ...]) -> Any:
    fields: dict[str, Any] = {"num_rows": rows, "size_bytes": None, "exec_stats": None, "input_files": paths}
    if "schema" in getattr(BlockMetadata, "__dataclass_fields__", {}):  # Ray before 2.46 has it, and requires it
        fields["schema"] = None
    return BlockMetadata(**fields)


class RenderChunks:
    """Renders chunks on a Ray Data actor: a batch of rows (index, block) in, rows (index,
    result) out."""

    def __init__(self, job: Job) -> None:
        self.worker = Worker(job)

    def __call__(self, batch: Any) -> Any:
        indices = batch.column("index").to_pylist()
        results = []
        for index, payload in zip(indices, batch.column("block").to_pylist(), strict=True):
            item = pickle.loads(payload)
            result = ChunkResult(index, 0, fatal=item) if isinstance(item, PMLError) else self.worker.run(index, item)
            results.append(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
        return pyarrow.table({"index": pyarrow.array(indices, pyarrow.int64()),
                              "result": pyarrow.array(results, pyarrow.large_binary())})


@contextmanager
def _quiet() -> Iterator[None]:
    """Ray Data's own messages (execution started and finished, progress bars off) kept out of
    the command's output while a pipeline runs; its errors still show."""
    logger = logging.getLogger("ray.data")
    level = logger.level
    logger.setLevel(max(level, logging.ERROR))
    try:
        yield
    finally:
        logger.setLevel(level)


@contextmanager
def _ordered_context() -> Iterator[None]:
    """Datasets made inside keep their rows in order and print nothing (Ray Data copies the
    current `DataContext` into each dataset; the current one is put back after)."""
    context = ray.data.DataContext.get_current()
    wanted = {"enable_progress_bars": False, "print_on_execution_start": False, "enable_auto_log_stats": False}
    saved = {name: getattr(context, name) for name in wanted if hasattr(context, name)}
    order = context.execution_options.preserve_order
    context.execution_options.preserve_order = True
    for name in saved:
        setattr(context, name, wanted[name])
    try:
        yield
    finally:
        context.execution_options.preserve_order = order
        for name, value in saved.items():
            setattr(context, name, value)


def dataset(spans: list[Span], chunk_rows: int, job: Job, workers: int, share: float) -> Any:
    """The pipeline for the chunks of `spans`, read by about two tasks per actor and rendered by
    `workers` actors (no more than there are chunks) of `share` CPUs each; nothing runs until it
    is read."""
    chunks = sum(span.chunks - len(span.done) for span in spans)
    groups = tasks(spans, SPANS_PER_WORKER * workers)
    with warnings.catch_warnings(), _ordered_context():
        warnings.simplefilter("ignore", DeprecationWarning)  # max_restarts goes to Ray as is, which Ray Data deprecates
        source = ray.data.read_datasource(ChunkSource(groups, chunk_rows, job.spec.limits),
                                          override_num_blocks=len(groups), num_cpus=READ_CPUS)
        return source.map_batches(RenderChunks, fn_constructor_args=(job,), batch_size=1, batch_format="pyarrow",
                                  compute=ray.data.ActorPoolStrategy(size=max(1, min(workers, chunks))),
                                  num_cpus=share, max_restarts=0)


def results(plan: Plan, job: Job, workers: int, share: float) -> Iterator[ChunkResult]:
    """The results of the chunks of `plan` not yet done, in order."""
    spans = plan.spans(most=SPANS_PER_WORKER * workers)
    if not spans:
        return
    expected = (index for span in spans for index in range(span.chunk, span.chunk + span.chunks)
                if index not in span.done)
    with _quiet():
        yield from _ordered(dataset(spans, plan.chunk_rows, job, workers, share), expected)


def _ordered(pipeline: Any, expected: Iterator[int]) -> Iterator[ChunkResult]:
    """The pipeline's results, checked to come in the order `expected`."""
    rows = iter(pipeline.iter_rows())
    try:
        while True:
            try:
                row = next(rows)
            except StopIteration:
                break
            except Exception as exc:
                raise BatchError(f"Ray Data failed: {_first_line(exc)}") from None
            result: ChunkResult = pickle.loads(row["result"])
            wanted = next(expected, None)
            if result.index != wanted:
                raise BatchError(f"Ray Data gave chunk {result.index} where chunk {wanted} was due")
            yield result
        missing = next(expected, None)
        if missing is not None:
            raise BatchError(f"Ray Data ended before chunk {missing}")
    finally:
        close = getattr(rows, "close", None)
        if callable(close):
            close()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text.splitlines()[0]}" if text else type(exc).__name__


__all__ = ["READ_CPUS", "SPANS_PER_WORKER", "ChunkSource", "RenderChunks", "dataset", "read_span", "read_spans",
           "results", "tasks"]
