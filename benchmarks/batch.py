"""Batch rendering throughput: rows per second for a plain loop, `pml batch` with 1 and 2 local
workers, and the Ray engine, on the same rows. Run from the repository root::

    python benchmarks/batch.py                  # 200,000 rows (about 2 minutes on 2 cores)
    python benchmarks/batch.py --rows 20000     # a quick look
    python benchmarks/batch.py --no-ray --json results.json

The prompt is tests/cases/batch/support.pml (a role, a task, a 5-policy list from the base
context, the row's question); the rows are generated into a JSONL file in a temporary folder.

- **plain loop**: read each line, `prompt.render(context).to_openai()`, wrap it as an OpenAI
  batch line and `json.dumps` it into one file: the floor, with no ids checked, no chunks kept
  and no shards.
- **workers 1 / workers 2**: `pml.batch.write_requests(..., workers=N)`: the whole command's
  work (fingerprints, the id pass, chunks written, shards assembled, the manifest).
- **ray**: the same with `engine="ray"` and 2 workers; it starts a local Ray cluster, whose
  start-up is included (and also timed alone on 10 rows).

Every run's requests must be byte-identical to the plain loop's; the script checks it. Targets:
2 workers at least 1.6× one worker; one worker within 1.2× of the plain loop's time.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
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

CASE = ROOT / "tests" / "cases" / "batch"
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


def timed(work: Callable[[], str]) -> tuple[float, str]:
    start = time.perf_counter()
    digest = work()
    return time.perf_counter() - start, digest


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
        runs: list[tuple[str, Callable[[], str]]] = [
            ("plain loop", lambda: plain_loop(data, tmp / "loop.jsonl")),
            ("workers 1", lambda: batch_run(data, tmp / "w1", workers=1)),
            ("workers 2", lambda: batch_run(data, tmp / "w2", workers=2)),
        ]
        if not args.no_ray:
            runs.append(("ray (2 workers)", lambda: batch_run(data, tmp / "ray", workers=2, engine="ray")))
        digests = {}
        print(f"{'run':<18}{'seconds':>10}{'rows/s':>12}")
        for name, work in runs:
            seconds, digests[name] = timed(work)
            results[name] = {"seconds": round(seconds, 3), "rows_per_second": round(args.rows / seconds)}
            print(f"{name:<18}{seconds:>10.2f}{args.rows / seconds:>12,.0f}")
        if not args.no_ray:
            small = tmp / "small.jsonl"
            make_rows(small, 10)
            seconds, _ = timed(lambda: batch_run(small, tmp / "ray-small", workers=2, engine="ray"))
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
