"""Engines: where blocks are rendered. Each gives the chunks' results in input order, with at
most a few blocks in flight per worker, so memory stays bounded however large the input.

- `local`: processes on this machine (`multiprocessing`, the platform's start method);
  `workers=1` renders in this process.
- `ray`: Ray actors, one compiled prompt each; it connects to the cluster at `RAY_ADDRESS`
  when that is set, else starts a local one (and stops it at the end). Blocks are read by this
  process and sent to the actors; results come back here in order, so both engines write the
  same bytes.

An engine is a context manager that yields `map(chunks) -> results`; `ENGINES` names them.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any, TypeVar

from pml.batch.errors import BatchError
from pml.batch.inputs import Block
from pml.batch.work import ChunkResult, Job, Worker

Chunks = Iterable[tuple[int, Block]]
Mapper = Callable[[Chunks], Iterator[ChunkResult]]
H = TypeVar("H")

IN_FLIGHT = 2  # blocks sent ahead per worker


def ordered(handles: Iterator[H], window: int, get: Callable[[H], ChunkResult]) -> Iterator[ChunkResult]:
    """The results of submitted work in submission order, with at most `window` submitted and not
    yet collected (`handles` submits as it is iterated)."""
    pending: deque[H] = deque()
    for handle in handles:
        pending.append(handle)
        if len(pending) >= window:
            yield get(pending.popleft())
    while pending:
        yield get(pending.popleft())


def default_workers() -> int:
    """The CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


# ---------------------------------------------------------------- local
_WORKER: Worker | None = None


def _start(job: Job) -> None:
    global _WORKER
    _WORKER = Worker(job)


def _run(index: int, block: Block) -> ChunkResult:
    assert _WORKER is not None
    return _WORKER.run(index, block)


@contextmanager
def local(job: Job, workers: int | None) -> Iterator[Mapper]:
    count = workers or default_workers()
    if count == 1:
        worker = Worker(job)
        yield lambda chunks: (worker.run(index, block) for index, block in chunks)
        return
    with multiprocessing.get_context().Pool(count, initializer=_start, initargs=(job,)) as pool:
        def submit(chunks: Chunks) -> Iterator[Any]:
            for index, block in chunks:
                yield pool.apply_async(_run, (index, block))

        yield lambda chunks: ordered(submit(chunks), IN_FLIGHT * count, lambda handle: handle.get())


# ---------------------------------------------------------------- ray
class RayWorker:
    """A Ray actor's state: one `Worker` (the class is made remote when the engine starts)."""

    def __init__(self, job: Job) -> None:
        self.worker = Worker(job)

    def run(self, index: int, block: Block) -> ChunkResult:
        return self.worker.run(index, block)


def _ray() -> Any:
    try:
        import ray
    except ImportError:
        raise BatchError("the ray engine needs Ray", "pip install 'pml[ray]'") from None
    return ray


@contextmanager
def ray(job: Job, workers: int | None) -> Iterator[Mapper]:
    api = _ray()
    started = not api.is_initialized()
    if started:
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
        address = os.environ.get("RAY_ADDRESS") or None
        options: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False,
                                   "logging_level": logging.ERROR}
        if address is None:
            options["num_cpus"] = workers or default_workers()
        try:
            api.init(address=address, **options)
        except Exception as exc:
            where = f"the Ray cluster at {address}" if address else "a local Ray cluster"
            raise BatchError(f"cannot start or reach {where}: {type(exc).__name__}: {exc}",
                             "check RAY_ADDRESS, or unset it to start a local cluster") from None
    actors: list[Any] = []
    try:
        cpus = float(api.cluster_resources().get("CPU", 1.0))
        count = workers or max(1, int(cpus))
        share = min(1.0, cpus / count)  # more actors than CPUs share them rather than wait forever
        remote = api.remote(num_cpus=share)(RayWorker)
        actors = [remote.remote(job) for _ in range(count)]

        def submit(chunks: Chunks) -> Iterator[Any]:
            for n, (index, block) in enumerate(chunks):
                yield actors[n % count].run.remote(index, block)

        def get(ref: Any) -> ChunkResult:
            try:
                return api.get(ref)
            except Exception as exc:
                raise BatchError(f"a Ray worker failed: {type(exc).__name__}: {str(exc).splitlines()[0]}") from None

        yield lambda chunks: ordered(submit(chunks), IN_FLIGHT * count, get)
    finally:
        for actor in actors:
            api.kill(actor)
        if started:
            api.shutdown()


ENGINES: dict[str, Callable[[Job, int | None], AbstractContextManager[Mapper]]] = {"local": local, "ray": ray}


def engine(name: str, job: Job, workers: int | None) -> AbstractContextManager[Mapper]:
    """The engine called `name`, started for `job` with `workers` (None: one per CPU)."""
    try:
        start = ENGINES[name]
    except KeyError:
        raise BatchError(f"unknown engine `{name}`; the engines are {', '.join(ENGINES)}") from None
    if workers is not None and workers < 1:
        raise BatchError(f"workers must be at least 1, not {workers}")
    return start(job, workers)


__all__ = ["ENGINES", "IN_FLIGHT", "RayWorker", "default_workers", "engine", "local", "ordered", "ray"]
