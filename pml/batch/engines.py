"""Engines: where chunks are read and rendered. Each gives the results of a plan's chunks not
yet done (`plan.Plan`) in input order, with a bounded number of chunks in flight, so memory
stays bounded however large the input.

- `local`: this process reads the blocks and processes on this machine render them
  (`multiprocessing`, the platform's start method); `workers=1` renders in this process.
- `ray`: a Ray Data pipeline (`pml.batch.raydata`): read tasks read the spans of the inputs
  with PML's readers, `workers` actors render them (`Dataset.map_batches`), and the results
  come back here in order, so both engines write the same bytes. It connects to the cluster at
  `RAY_ADDRESS` when that is set, else starts a local one (and stops it at the end).

An engine is a context manager that yields `map(plan) -> results`; `ENGINES` names them.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import socket
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any, TypeVar

from pml.batch.errors import BatchError
from pml.batch.inputs import Block
from pml.batch.plan import Plan
from pml.batch.work import ChunkResult, Job, Worker

Mapper = Callable[[Plan], Iterator[ChunkResult]]
H = TypeVar("H")

IN_FLIGHT = 2  # blocks sent ahead per worker
CONNECT_SECONDS = 10.0  # how long the head node of the cluster at RAY_ADDRESS has to answer


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
        yield lambda plan: (worker.run(index, block) for index, block in plan.blocks())
        return
    with multiprocessing.get_context().Pool(count, initializer=_start, initargs=(job,)) as pool:
        def submit(chunks: Iterable[tuple[int, Block]]) -> Iterator[Any]:
            for index, block in chunks:
                yield pool.apply_async(_run, (index, block))

        yield lambda plan: ordered(submit(plan.blocks()), IN_FLIGHT * count, lambda handle: handle.get())


# ---------------------------------------------------------------- ray
def _ray() -> Any:
    try:
        import ray
        import ray.data
    except ImportError:
        raise BatchError("the ray engine needs Ray Data", "pip install 'pml[ray]'") from None
    return ray


def check_address(address: str, seconds: float = CONNECT_SECONDS) -> None:
    """A `BatchError` unless something answers at a `HOST:PORT` or `ray://HOST:PORT` address
    (Ray itself waits for an absent cluster for minutes); other forms (`auto`) are Ray's to check."""
    text = address.strip()
    if text.startswith("ray://"):
        text = text[len("ray://"):]
    host, _, port = text.rpartition(":")
    if "://" in text or not host or not port.isdigit():
        return
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=seconds).close()
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        raise BatchError(f"cannot reach the Ray cluster at {address}: {reason[:1].lower() + reason[1:]}",
                         "check RAY_ADDRESS (HOST:PORT of the head node, or ray://HOST:10001), or unset it to "
                         "start a local cluster") from None


def actor_share(cpus: float, workers: int) -> float:
    """The CPUs each of `workers` actors asks for on a cluster of `cpus`: what is left once the
    read tasks have one, shared out, at most one each (the actors may ask for less than they use;
    they must not ask for more than there is, or they wait forever)."""
    spare = max(cpus - 1.0, cpus / 2)
    return round(max(0.01, min(1.0, spare / workers)), 2)


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
        else:
            check_address(address)
        try:
            api.init(address=address, **options)
        except Exception as exc:
            where = f"the Ray cluster at {address}" if address else "a local Ray cluster"
            raise BatchError(f"cannot start or reach {where}: {type(exc).__name__}: {str(exc).strip()[:300]}",
                             "check RAY_ADDRESS, or unset it to start a local cluster") from None
    runs: list[Iterator[ChunkResult]] = []
    try:
        from pml.batch import raydata

        cpus = float(api.cluster_resources().get("CPU", 1.0))
        count = workers or max(1, int(cpus))
        share = actor_share(cpus, count)

        def render(plan: Plan) -> Iterator[ChunkResult]:
            run = raydata.results(plan, job, count, share)
            runs.append(run)
            return run

        yield render
    finally:
        for run in runs:
            close = getattr(run, "close", None)
            if callable(close):
                close()
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


__all__ = ["CONNECT_SECONDS", "ENGINES", "IN_FLIGHT", "actor_share", "check_address", "default_workers", "engine",
           "local", "ordered", "ray"]
