"""A compiled prompt against hand-written Jinja2: rendering, start-up, compile speed and memory.

Run from the repository root::

    .venv/bin/python benchmarks/ahead.py            # full run (about a minute)
    .venv/bin/python benchmarks/ahead.py --quick    # shorter loops (about 20 s)
    .venv/bin/python benchmarks/ahead.py --json results.json

Every ratio is measured in this run, on this machine, PML against the peer beside it:

- four render cases, each a PML document compiled once and a Jinja2 template written by hand to
  give the same text (checked equal before timing): a small prompt (role, task with a variable, a
  three-item list, a hint); a static 20 KB document with no variables (its Jinja2 template is a
  constant); a 1,000-item `for=` list; 30 sections with `for=`, variables and a nested list. PML's
  side is `prompt.render(context).to_openai()`; Jinja2's is `template.render(context)` put in the
  same one-message payload;
- the cold command line: `pml render examples/support.pml --format text` in a new process, against
  `python -c "import jinja2, lark, lxml.etree"`;
- compile throughput: `pml.loads` of a generated 1 MB document (and of 100 KB, to show it is linear);
- memory: the peak traced allocation while rendering a 100,000-item `for=` list, against Jinja2's
  peak while rendering the same list.

Timings are medians of interleaved repeats (PML, Jinja2, Jinja2, PML, …) with the collector off.
The targets are in TARGETS; each line says PASS or MISS. Results are recorded in
docs/performance.md.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
for entry in (ROOT, ROOT / "benchmarks"):
    if str(entry) not in sys.path:
        sys.path.insert(0, str(entry))

import jinja2  # noqa: E402

# The realistic document generator, the interleaved timer and the time format of benchmarks/render.py.
from render import Settings, _DocBuilder, fmt_time, measure_pair  # noqa: E402

import pml  # noqa: E402

# Target ratios (PML ÷ peer; lower is better) and the compile throughput floor.
TARGETS = {
    "small": 2.5,
    "static": 3.0,
    "list": 4.0,
    "sections": 4.0,
    "cold": 2.5,
    "memory": 3.0,
}
TARGET_MB_PER_S = 10.0


@dataclass(frozen=True)
class Case:
    """A PML document and a Jinja2 template that renders the same text."""

    key: str
    title: str
    markup: str
    template: str
    context: dict[str, Any]


def small_case() -> Case:
    markup = (
        "<poml>\n"
        "  <role>You are a patient teacher who explains science to children.</role>\n"
        "  <task><p>Explain {{ topic }} to a ten-year-old.</p>\n"
        "    <list>\n"
        "      <item>Use one everyday example.</item>\n"
        "      <item>Keep it under five sentences.</item>\n"
        "      <item>End with a question for the child.</item>\n"
        "    </list>\n"
        "  </task>\n"
        "  <hint>Start with what the child can see or feel.</hint>\n"
        "</poml>\n"
    )
    template = (
        "# Role\n\nYou are a patient teacher who explains science to children.\n\n"
        "# Task\n\nExplain {{ topic }} to a ten-year-old.\n\n"
        "- Use one everyday example.\n- Keep it under five sentences.\n- End with a question for the child.\n\n"
        "**Hint:** Start with what the child can see or feel."
    )
    return Case("small", "small prompt", markup, template, {"topic": "gravity"})


def static_case() -> Case:
    markup, text = _DocBuilder().build()
    # No variables: the last paragraph names its reader literally.
    markup = markup.replace("{{ topic }}", "late refunds").replace("{{ user.name }}", "Ada")
    text = text.replace("{{ topic }}", "late refunds").replace("{{ user.name }}", "Ada")
    return Case("static", f"static {len(markup) / 1000:.0f} KB document", markup, text, {})


def list_case(count: int = 1000) -> Case:
    markup = '<poml>\n  <list>\n    <item for="x in items">{{ x }}</item>\n  </list>\n</poml>\n'
    template = "{% for x in items %}{% if not loop.first %}\n{% endif %}- {{ x }}{% endfor %}"
    items = [f"Order {1000 + i}: check the shipping address and refund status" for i in range(count)]
    return Case("list", f"{count:,}-item for= list", markup, template, {"items": items})


def sections_case(count: int = 30) -> Case:
    markup = (
        "<poml>\n"
        '  <cp for="s in sections" caption="{{ s.title }}">\n'
        "    <p>{{ s.summary }} Owner: {{ s.owner }}.</p>\n"
        "    <list>\n"
        '      <item for="step in s.steps">{{ step }}</item>\n'
        "    </list>\n"
        "  </cp>\n"
        "  <task>Answer for {{ user }} using only the sections above.</task>\n"
        "</poml>\n"
    )
    template = (
        "{% for s in sections %}# {{ s.title }}\n\n{{ s.summary }} Owner: {{ s.owner }}.\n\n"
        "{% for step in s.steps %}{% if not loop.first %}\n{% endif %}- {{ step }}{% endfor %}\n\n{% endfor %}"
        "# Task\n\nAnswer for {{ user }} using only the sections above."
    )
    sections = [
        {"title": f"Section {i}: refunds and returns", "owner": f"team {i % 7}",
         "summary": f"Policy {i} covers what happens when an order arrives late or damaged.",
         "steps": [f"Step {j} of section {i}: check the order record" for j in range(5)]}
        for i in range(count)
    ]
    return Case("sections", f"{count} dynamic sections", markup, template, {"sections": sections, "user": "Ada"})


def cases() -> list[Case]:
    return [small_case(), static_case(), list_case(), sections_case()]


# ---------------------------------------------------------------------------------------- timing
def verdict(ratio: float, target: float, higher_is_better: bool = False) -> str:
    ok = ratio >= target if higher_is_better else ratio <= target
    return "PASS" if ok else "MISS"


# ----------------------------------------------------------------------------------------- parts
def render_cases(budget: float, repeat: int) -> list[dict[str, Any]]:
    env = jinja2.Environment(autoescape=False, keep_trailing_newline=False)
    out = []
    for case in cases():
        prompt = pml.loads(case.markup)
        template = env.from_string(case.template)
        context = case.context

        def by_pml(prompt: pml.Prompt = prompt, context: dict[str, Any] = context) -> Any:
            return prompt.render(context).to_openai()

        def by_jinja(template: jinja2.Template = template, context: dict[str, Any] = context) -> Any:
            return {"messages": [{"role": "user", "content": template.render(context)}]}

        if by_pml() != by_jinja():
            ours = by_pml()["messages"][0]["content"]
            theirs = by_jinja()["messages"][0]["content"]
            at = next((i for i, (x, y) in enumerate(zip(ours, theirs, strict=False)) if x != y),
                      min(len(ours), len(theirs)))
            raise SystemExit(f"{case.title}: PML and Jinja2 differ at character {at}: "
                             f"{ours[at - 20:at + 40]!r} vs {theirs[at - 20:at + 40]!r}")
        settings = Settings(budget=budget, repeat=repeat, warmup=3, poml_calls=0, poml_large_calls=0)
        ours, theirs = measure_pair(by_pml, by_jinja, settings, repeat)
        ours_s, theirs_s = ours.median, theirs.median
        ratio = ours_s / theirs_s
        out.append({"case": case.key, "title": case.title, "pml_s": ours_s, "jinja2_s": theirs_s,
                    "ratio": ratio, "target": TARGETS[case.key], "verdict": verdict(ratio, TARGETS[case.key])})
        print(f"  {case.title:<28} PML {fmt_time(ours_s):>10}   Jinja2 {fmt_time(theirs_s):>10}   "
              f"{ratio:6.1f}×  (target ≤ {TARGETS[case.key]}×) {out[-1]['verdict']}", flush=True)
    return out


def _run_best(command: list[str], runs: int) -> float:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # the first run writes the bytecode the others load, as installed
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def cold_start(runs: int) -> dict[str, Any]:
    example = str(ROOT / "examples" / "support.pml")
    ours_cmd = [sys.executable, "-m", "pml", "render", example, "--format", "text"]
    floor_cmd = [sys.executable, "-c", "import jinja2, lark, lxml.etree"]
    _run_best(ours_cmd, 1)  # bytecode written, files in the page cache
    ours: list[float] = []
    floor: list[float] = []
    for _ in range(runs):  # interleaved, one of each at a time
        ours.append(_run_best(ours_cmd, 1))
        floor.append(_run_best(floor_cmd, 1))
    ours_s, floor_s = statistics.median(ours), statistics.median(floor)
    ratio = ours_s / floor_s
    result = {"pml_s": ours_s, "floor_s": floor_s, "ratio": ratio, "target": TARGETS["cold"],
              "verdict": verdict(ratio, TARGETS["cold"])}
    print(f"  {'pml render --format text':<28} {fmt_time(ours_s):>10}   import jinja2, lark, lxml "
          f"{fmt_time(floor_s):>10}   {ratio:6.1f}×  (target ≤ {TARGETS['cold']}×) {result['verdict']}", flush=True)
    return result


def compile_throughput(repeat: int) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for size in (100_000, 1_000_000):
        markup, _ = _DocBuilder(seed=size).build(size)
        pml.loads(markup)  # warm: the parser and the default stylesheet are built
        times = []
        for run in range(repeat):
            text = f"{markup}<!-- {run} -->\n"  # a new text each time: no compiled prompt is reused
            gc.collect()
            start = time.perf_counter()
            pml.loads(text)
            times.append(time.perf_counter() - start)
        seconds = statistics.median(times)
        rate = len(markup.encode()) / seconds / 1e6
        result[str(size)] = {"bytes": len(markup.encode()), "seconds": seconds, "mb_per_s": rate}
        print(f"  compile {len(markup) / 1e6:.2f} MB{'':<15} {fmt_time(seconds):>10}   {rate:6.1f} MB/s", flush=True)
    big = result["1000000"]
    big["target"] = TARGET_MB_PER_S
    big["verdict"] = verdict(big["mb_per_s"], TARGET_MB_PER_S, higher_is_better=True)
    small = result["100000"]
    per_byte = (big["seconds"] / big["bytes"]) / (small["seconds"] / small["bytes"])
    result["linearity"] = per_byte
    print(f"  {'':<28} target ≥ {TARGET_MB_PER_S} MB/s: {big['verdict']}; time per byte at 1 MB ÷ at "
          f"100 KB: {per_byte:.2f}", flush=True)
    return result


def _peak(fn: Callable[[], Any]) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        kept = fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    del kept
    return peak


def memory(count: int) -> dict[str, Any]:
    case = list_case(count)
    prompt = pml.loads(case.markup)
    template = jinja2.Environment().from_string(case.template)
    prompt.render(case.context)
    ours = _peak(lambda: prompt.render(case.context).to_openai())
    theirs = _peak(lambda: {"messages": [{"role": "user", "content": template.render(case.context)}]})
    ratio = ours / theirs
    result = {"items": count, "pml_bytes": ours, "jinja2_bytes": theirs, "ratio": ratio,
              "target": TARGETS["memory"], "verdict": verdict(ratio, TARGETS["memory"])}
    print(f"  {count:,}-item list, peak{'':<9} PML {ours / 1e6:8.1f} MB   Jinja2 {theirs / 1e6:8.1f} MB   "
          f"{ratio:6.1f}×  (target ≤ {TARGETS['memory']}×) {result['verdict']}", flush=True)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter loops and fewer cold starts")
    parser.add_argument("--json", metavar="OUT", help="also write the results as JSON to OUT")
    args = parser.parse_args(argv)
    budget, repeat, runs = (0.02, 5, 5) if args.quick else (0.1, 9, 15)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    print(f"PML {pml.__version__} against Jinja2 {jinja2.__version__}, Python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPUs" + (f", load {load:.2f}" if load is not None else ""), flush=True)
    print("render (compiled once; one call, to_openai() included):", flush=True)
    results: dict[str, Any] = {"render": render_cases(budget, repeat)}
    print("start-up (a new process each run):", flush=True)
    results["cold"] = cold_start(runs)
    print("compile:", flush=True)
    results["compile"] = compile_throughput(3 if args.quick else 5)
    print("memory:", flush=True)
    results["memory"] = memory(100_000)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
