"""Batch rendering throughput: rows per second for a plain loop, `pml batch` with 1 and 2 local
workers, and the Ray engine, on the same rows. Run from the repository root::

    python benchmarks/batch.py                  # 200,000 rows (a few minutes on 2 cores)
    python benchmarks/batch.py --rows 20000     # a quick look
    python benchmarks/batch.py --no-ray --json results.json

The prompt is tests/batch/support.pml (a role, a task, a 5-policy list from the base
context, the row's question); the rows are generated into a JSONL file in a temporary folder.

Before the timed runs, the plain loop renders 500 rows untimed, so that no run pays for the
process's first renders (imports, caches).

- **plain loop**: read each line, `prompt.render(context).to_openai()`, wrap it as an OpenAI
  batch line and `json.dumps` it into one file: the floor, with no ids checked, no chunks kept
  and no shards.
- **workers 1 / workers 2**: `pml.batch.write_requests(..., workers=N)`: the whole command's
  work (fingerprints, the id pass, chunks written, shards assembled, the manifest).
- **ray**: the same with `engine="ray"` and 2 workers: a Ray Data pipeline (read tasks, 2
  actors in `map_batches`) on a local Ray cluster that the run starts, whose start-up is
  included (and also timed alone on 10 rows).

Every run's requests must be byte-identical to the plain loop's; the script checks it. Targets:
2 workers at least 1.6× one worker; one worker within 1.2× of the plain loop's time. The
machine's load average is printed before and after each run: on a machine shared with other
work, a second worker only helps as much as a second core is free. So is the CPU time of the run
(this process and its worker processes; Ray's tasks and actors are not its children, so not for Ray),
which does not depend on the load: the 1-worker run's CPU time against the loop's is the cost of
the batch machinery, and the 2-worker run's against the 1-worker run's what parallel work wastes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pml  # noqa: E402
from pml.batch import write_requests  # noqa: E402

CASE = ROOT / "tests" / "batch"
PROMPT = CASE / "support.pml"
CONTEXT = json.loads((CASE / "context.json").read_text(encoding="utf-8"))
MODEL = "gpt-4o-mini"
TARGET_PARALLEL = 1.6
TARGET_OVERHEAD = 1.2


def make_rows(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for i in range(count):
            handle.write(json.dumps({"id": f"q-{i:07d}", "question": f"Order {i}: can I return item #{i % 97}?"})
                         + "\n")


def plain_loop(data: Path, out: Path) -> str:
    prompt = pml.load(PROMPT)
    hasher = hashlib.sha256()
    with data.open("rb") as rows, out.open("wb") as target:
        for raw in rows:
            row = json.loads(raw)
            payload = prompt.render({**CONTEXT, **row}).to_openai()
            request = {"custom_id": row["id"], "method": "POST", "url": "/v1/chat/completions",
                       "body": {"model": MODEL, **payload}}
            line = json.dumps(request, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"
            target.write(line)
            hasher.update(line)
    return hasher.hexdigest()


def batch_run(data: Path, out: Path, **options: Any) -> str:
    manifest = write_requests(PROMPT, data, out, model=MODEL, context=CONTEXT, id_column="id", **options)
    hasher = hashlib.sha256()
    for shard in manifest.shards:
        hasher.update((out / shard.file).read_bytes())
    return hasher.hexdigest()


def load() -> str:
    """The 1-minute load average (as `uptime` shows it), or `?` where the platform has none."""
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except (AttributeError, OSError):
        return "?"


def cpu() -> float:
    """CPU seconds used so far by this process and its finished child processes."""
    mine, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return mine.ru_utime + mine.ru_stime + children.ru_utime + children.ru_stime


def timed(work: Callable[[], str]) -> tuple[float, float, str]:
    """Wall-clock seconds, CPU seconds and the digest of the requests of one run."""
    start, used = time.perf_counter(), cpu()
    digest = work()
    return time.perf_counter() - start, cpu() - used, digest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--no-ray", action="store_true", help="skip the Ray engine")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)

    results: dict[str, Any] = {"rows": args.rows, "cpus": os.cpu_count(), "python": platform.python_version()}
    with tempfile.TemporaryDirectory(prefix="pml-batch-bench-") as folder:
        tmp = Path(folder)
        data = tmp / "rows.jsonl"
        make_rows(data, args.rows)
        print(f"{args.rows:,} rows, {data.stat().st_size / 1e6:.1f} MB of JSONL; {os.cpu_count()} CPUs; "
              f"Python {platform.python_version()}")
        warm = tmp / "warm.jsonl"  # the first renders of a process pay for imports and caches: not timed
        make_rows(warm, 500)
        plain_loop(warm, tmp / "warm-loop.jsonl")
        runs: list[tuple[str, Callable[[], str]]] = [
            ("plain loop", lambda: plain_loop(data, tmp / "loop.jsonl")),
            ("workers 1", lambda: batch_run(data, tmp / "w1", workers=1)),
            ("workers 2", lambda: batch_run(data, tmp / "w2", workers=2)),
        ]
        if not args.no_ray:
            runs.append(("ray (2 workers)", lambda: batch_run(data, tmp / "ray", workers=2, engine="ray")))
        digests = {}
        print(f"{'run':<18}{'seconds':>10}{'rows/s':>12}{'cpu s':>9}{'load before':>13}{'after':>7}")
        for name, work in runs:
            before = load()
            seconds, used, digests[name] = timed(work)
            after = load()
            shown = "—" if name.startswith("ray") else f"{used:.2f}"
            results[name] = {"seconds": round(seconds, 3), "rows_per_second": round(args.rows / seconds),
                             "cpu_seconds": None if name.startswith("ray") else round(used, 3),
                             "load_before": before, "load_after": after}
            print(f"{name:<18}{seconds:>10.2f}{args.rows / seconds:>12,.0f}{shown:>9}{before:>13}{after:>7}")
        if not args.no_ray:
            small = tmp / "small.jsonl"
            make_rows(small, 10)
            seconds, _, _ = timed(lambda: batch_run(small, tmp / "ray-small", workers=2, engine="ray"))
            results["ray start-up (10 rows)"] = {"seconds": round(seconds, 3)}
            print(f"{'ray, 10 rows':<18}{seconds:>10.2f}   (start-up and shut-down of a local cluster)")

    same = len(set(digests.values())) == 1
    print(f"\nbyte-identical requests in every run: {'yes' if same else 'NO'}")
    one, two, loop = (results[k]["seconds"] for k in ("workers 1", "workers 2", "plain loop"))
    speedup, overhead = one / two, one / loop
    results.update(identical=same, speedup_2_workers=round(speedup, 2), overhead_1_worker=round(overhead, 2))
    print(f"2 workers / 1 worker: {speedup:.2f}× (target ≥ {TARGET_PARALLEL}×): "
          f"{'PASS' if speedup >= TARGET_PARALLEL else 'FAIL'}")
    print(f"1 worker / plain loop (time): {overhead:.2f}× (target ≤ {TARGET_OVERHEAD}×): "
          f"{'PASS' if overhead <= TARGET_OVERHEAD else 'FAIL'}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
