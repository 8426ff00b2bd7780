"""Start-up time of the `pml` command, against importing the libraries it cannot do without.

Each run is a fresh process (a cold start of the interpreter, the modules' bytecode already
compiled on disk): `pml render examples/support.pml --format text` and a few lighter commands,
and, measured in the same run so that the figures compare on one machine at one moment,
`python -c "import jinja2, lark, lxml.etree"` (the floor: what any render must import) and
`python -c "pass"` (the interpreter alone). Each is run `--runs` times, interleaved; the best
and the median are printed, in milliseconds. `--imports` also prints the modules a render
imports that take longest (`python -X importtime`, cumulative).

    .venv/bin/python benchmarks/startup.py              # 15 runs each
    .venv/bin/python benchmarks/startup.py --runs 40 --imports
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
PML = [PYTHON, "-m", "pml"]
EXAMPLE = str(ROOT / "examples" / "support.pml")

COMMANDS: dict[str, list[str]] = {
    "python -c pass": [PYTHON, "-c", "pass"],
    "import jinja2, lark, lxml.etree": [PYTHON, "-c", "import jinja2, lark, lxml.etree"],
    "pml --version": [*PML, "--version"],
    "pml render support.pml --format text": [*PML, "render", EXAMPLE, "--format", "text"],
    "pml render support.pml (openai)": [*PML, "render", EXAMPLE],
    "pml check support.pml": [*PML, "check", EXAMPLE],
}


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # the warming run writes the bytecode the others load, as installed
    return env


def run_once(command: list[str], env: dict[str, str]) -> float:
    """Seconds one run of `command` takes; a failing command stops the benchmark."""
    start = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr.decode(errors='replace')}")
    return elapsed


def measure(runs: int) -> dict[str, list[float]]:
    """Each command `runs` times, interleaved (so that a busy moment of the machine is shared)."""
    env = _environment()
    for command in COMMANDS.values():  # warm the bytecode caches and the disk cache
        run_once(command, env)
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(runs):
        for name, command in COMMANDS.items():
            times[name].append(run_once(command, env))
    return times


def slowest_imports(count: int = 15) -> list[tuple[int, str]]:
    """The modules a render spends most time importing (cumulative microseconds), top-level first."""
    done = subprocess.run([PYTHON, "-X", "importtime", "-m", "pml", "render", EXAMPLE, "--format", "text"],
                          env=_environment(), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          check=True)
    rows: list[tuple[int, str]] = []
    for line in done.stderr.decode().splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = line.split("|")
        if cumulative.strip().isdigit():
            rows.append((int(cumulative), name.rstrip()))
    return sorted(rows, reverse=True)[:count]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="runs of each command (default 15)")
    parser.add_argument("--imports", action="store_true", help="also list the slowest imports of a render")
    args = parser.parse_args()
    times = measure(max(1, args.runs))
    floor = min(times["import jinja2, lark, lxml.etree"])
    width = max(len(name) for name in times)
    print(f"{'command':<{width}}  {'best':>7}  {'median':>7}  {'best − floor':>12}   ({args.runs} runs, ms)")
    for name, found in times.items():
        best, median = min(found) * 1000, statistics.median(found) * 1000
        print(f"{name:<{width}}  {best:7.0f}  {median:7.0f}  {best - floor * 1000:12.0f}")
    if args.imports:
        print("\nslowest imports of `pml render` (cumulative ms):")
        for cumulative, name in slowest_imports():
            print(f"  {cumulative / 1000:7.1f}  {name}")


if __name__ == "__main__":
    main()
