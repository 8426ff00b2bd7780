"""PML render/compile benchmark against plain Jinja2, lxml and (when installed) POML.

Run from the repository root::

    python benchmarks/render.py            # full run (about 1-2 minutes with POML)
    python benchmarks/render.py --quick    # shorter timing loops, 3 POML calls per case
    python benchmarks/render.py --json results.json

Cases: a small prompt, a 200-item list (from a `for=` loop and as 200 literal items) and a
~20 KB document. For each case it measures PML compile, parse and render, the warm `pml.poml()`
one-shot call, an equivalent Jinja2 template, `lxml.etree.fromstring` on the same markup and
POML's `poml.poml()` (a Node process per call), checks that the outputs agree and checks the
performance targets. See `docs/performance.md` for a recorded run.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import jinja2  # noqa: E402
from lxml import etree  # noqa: E402

import pml  # noqa: E402
import pml.api  # noqa: E402
import pml.parser  # noqa: E402
from pml.source import Source  # noqa: E402

# Targets (seconds, or a ratio).
TARGET_SMALL_RENDER = 0.2e-3
TARGET_DOC_COMPILE = 20e-3
TARGET_POML_SPEEDUP = 1000.0


# --------------------------------------------------------------------------------------------
# Cases
# --------------------------------------------------------------------------------------------


@dataclass
class Case:
    """One benchmark input: PML markup, its context and a Jinja2 template with the same output."""

    key: str
    title: str
    markup: str
    context: dict[str, Any]
    jinja: str


def small_case() -> Case:
    """Role + task with one variable + output format + hint."""
    markup = (
        "<poml>\n"
        "  <role>You are a patient teacher who explains science to children.</role>\n"
        "  <task>Explain {{ topic }} to a ten-year-old in a few sentences.</task>\n"
        "  <output-format>Use short bullet points and plain words.</output-format>\n"
        "  <hint>Start with an everyday example.</hint>\n"
        "</poml>\n"
    )
    jinja = (
        "# Role\n\nYou are a patient teacher who explains science to children.\n\n"
        "# Task\n\nExplain {{ topic }} to a ten-year-old in a few sentences.\n\n"
        "# Output Format\n\nUse short bullet points and plain words.\n\n"
        "**Hint:** Start with an everyday example."
    )
    return Case("small", "small prompt", markup, {"topic": "gravity"}, jinja)


def list_items(count: int = 200) -> list[str]:
    """The list entries used by both list cases."""
    return [f"Order {1000 + i}: check the shipping address and refund status" for i in range(count)]


def list_for_case(count: int = 200) -> Case:
    """A list produced by a `for=` loop over 200 context items."""
    markup = '<poml>\n  <list>\n    <item for="x in items">{{ x }}</item>\n  </list>\n</poml>\n'
    jinja = "{% for x in items %}{% if not loop.first %}\n{% endif %}- {{ x }}{% endfor %}"
    return Case("list_for", f"{count}-item list (for=)", markup, {"items": list_items(count)}, jinja)


def list_literal_case(count: int = 200) -> Case:
    """A list of 200 literal `<item>` elements."""
    items = list_items(count)
    body = "\n".join(f"    <item>{x}</item>" for x in items)
    markup = f"<poml>\n  <list>\n{body}\n  </list>\n</poml>\n"
    jinja = "\n".join(f"- {x}" for x in items)
    return Case("list_literal", f"{count} literal items", markup, {}, jinja)


_WORDS = (
    "the system request response latency budget cache token model prompt message user context "
    "window retrieval ranking document section policy review deploy metric error timeout retry "
    "queue worker schema field value record index query filter result summary customer order "
    "invoice refund shipping address account billing support ticket priority escalation note "
    "agent handoff tone evidence source citation draft answer question"
).split()


class _DocBuilder:
    """Generates realistic markup and, in step, the markdown PML/POML should produce for it."""

    def __init__(self, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        self.markup: list[str] = []
        self.blocks: list[str] = []  # markdown blocks, joined by blank lines

    def words(self, n: int) -> str:
        return " ".join(self.rng.choice(_WORDS) for _ in range(n))

    def sentence(self, n: int = 12) -> str:
        text = self.words(n)
        return text[0].upper() + text[1:] + "."

    def paragraph(self, indent: str) -> None:
        s1, s2, s3 = self.sentence(), self.words(3), self.sentence(10)
        bold, ital, code = self.words(2), self.words(1), self.words(2).replace(" ", "_")
        self.markup.append(
            f"{indent}<p>{s1} The <b>{bold}</b> must respect the <i>{ital}</i> and "
            f"<code>{code}</code> settings; {s2}. {s3}</p>"
        )
        self.blocks.append(f"{s1} The **{bold}** must respect the *{ital}* and `{code}` settings; "
                           f"{s2}. {s3}")

    def bullet_list(self, indent: str, n: int, decimal: bool = False) -> None:
        items = [self.sentence(8) for _ in range(n)]
        style = ' listStyle="decimal"' if decimal else ""
        self.markup.append(f"{indent}<list{style}>")
        self.markup.extend(f"{indent}  <item>{x}</item>" for x in items)
        self.markup.append(f"{indent}</list>")
        marks = [f"{i + 1}." if decimal else "-" for i in range(n)]
        self.blocks.append("\n".join(f"{m} {x}" for m, x in zip(marks, items, strict=True)))

    def build(self, target_chars: int = 20_000) -> tuple[str, str]:
        self.markup.append("<poml>")
        self.markup.append("  <role>You are a support analyst who writes precise, sourced answers.</role>")
        self.blocks.append("# Role\n\nYou are a support analyst who writes precise, sourced answers.")
        part = 0
        while sum(len(x) + 1 for x in self.markup) < target_chars - 1500:
            part += 1
            title = self.words(3)
            self.markup.append(f'  <cp caption="Part {part}: {title}">')
            self.blocks.append(f"# Part {part}: {title}")
            self.paragraph("    ")
            self.markup.append(f'    <cp caption="Details {part}">')
            self.blocks.append(f"## Details {part}")
            self.paragraph("      ")
            self.bullet_list("      ", 4)
            self.paragraph("      ")
            self.markup.append("    </cp>")
            self.markup.append("    <section>")
            self.markup.append(f"      <h>Notes {part}</h>")
            self.blocks.append(f"### Notes {part}")
            self.paragraph("      ")
            self.bullet_list("      ", 3, decimal=True)
            self.markup.append("    </section>")
            self.markup.append("  </cp>")
        self.markup.append("  <task>Answer the question about {{ topic }} for {{ user.name }} "
                           "using only the parts above.</task>")
        self.blocks.append("# Task\n\nAnswer the question about {{ topic }} for {{ user.name }} "
                           "using only the parts above.")
        self.markup.append("</poml>")
        return "\n".join(self.markup) + "\n", "\n\n".join(self.blocks)


def doc_case() -> Case:
    """A ~20 KB document: captioned sections, paragraphs with inline formatting, lists."""
    markup, jinja = _DocBuilder().build()
    context = {"topic": "late refunds", "user": {"name": "Ada"}}
    return Case("doc", f"{len(markup) / 1000:.1f} KB document", markup, context, jinja)


def all_cases() -> list[Case]:
    return [small_case(), list_for_case(), list_literal_case(), doc_case()]


# --------------------------------------------------------------------------------------------
# Timing
# --------------------------------------------------------------------------------------------


@dataclass
class Stat:
    """Per-call time in seconds: median and minimum over `repeat` runs of `number` calls."""

    median: float
    min: float
    number: int
    repeat: int


@dataclass
class Settings:
    """How long to time each measurement."""

    budget: float  # seconds per repeat (the loop count is calibrated to it)
    repeat: int
    warmup: int
    poml_calls: int


def measure(fn: Callable[[], Any], settings: Settings) -> Stat:
    """Time `fn`: warm up, calibrate the loop count to the budget, median of repeats, gc off."""
    for _ in range(settings.warmup):
        fn()
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        fn()
        once = max(time.perf_counter() - start, 1e-7)
        number = max(1, min(100_000, int(settings.budget / once)))
        per_call: list[float] = []
        for _ in range(settings.repeat):
            start = time.perf_counter()
            for _ in range(number):
                fn()
            per_call.append((time.perf_counter() - start) / number)
    finally:
        gc.enable()
    return Stat(statistics.median(per_call), min(per_call), number, settings.repeat)


def measure_calls(fn: Callable[[], Any], calls: int) -> Stat:
    """Time a slow call (POML) `calls` times, one call per sample."""
    samples: list[float] = []
    for _ in range(calls):
        gc.collect()
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return Stat(statistics.median(samples), min(samples), 1, calls)


def fmt_time(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"


def fmt_ratio(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}×" if value >= 100 else f"{value:.2f}×"


def progress(message: str) -> None:
    print(f"  .. {message}", flush=True)


# --------------------------------------------------------------------------------------------
# Measuring one case
# --------------------------------------------------------------------------------------------


@dataclass
class CaseResult:
    """Everything measured for one case."""

    key: str
    title: str
    markup_chars: int
    output_chars: int
    stats: dict[str, Stat] = field(default_factory=dict)
    matches_jinja: bool = False
    matches_poml: bool | None = None
    poml_error: str | None = None


def contents(messages: Any) -> list[str]:
    """Message contents from a `message_dict` result (PML's or POML's)."""
    if isinstance(messages, str):
        return [messages]
    return [str(m.get("content")) for m in messages]


def run_case(case: Case, settings: Settings, poml_mod: Any) -> CaseResult:
    print(f"[{case.key}] {case.title}: {len(case.markup):,} chars of markup", flush=True)
    source_name = f"<bench:{case.key}>"

    def pml_compile() -> Any:
        return pml.api.compile_source(Source(case.markup, source_name))

    prompt = pml_compile()
    context = case.context
    rendered = prompt.render(context)
    text = rendered.messages[0].content if rendered.messages else ""
    template = jinja2.Environment().from_string(case.jinja)
    jinja_text = template.render(**context)
    result = CaseResult(case.key, case.title, len(case.markup), len(text))
    result.matches_jinja = [m.content for m in rendered.messages] == [jinja_text]
    if not result.matches_jinja:
        print(f"  !! PML output differs from the Jinja2 template output for {case.key}")
    markup_bytes = case.markup.encode("utf-8")

    timings: list[tuple[str, Callable[[], Any]]] = [
        ("pml_compile", pml_compile),
        ("pml_parse", lambda: pml.parser.parse(case.markup, source_name)),
        ("lxml_parse", lambda: etree.fromstring(markup_bytes)),
        ("pml_render", lambda: prompt.render(context)),
        ("pml_poml", lambda: pml.poml(case.markup, context)),
        ("jinja_compile", lambda: jinja2.Environment().from_string(case.jinja)),
        ("jinja_render", lambda: template.render(**context)),
    ]
    for name, fn in timings:
        stat = measure(fn, settings)
        result.stats[name] = stat
        progress(f"{name:<14} median {fmt_time(stat.median):>10}  min {fmt_time(stat.min):>10}  "
                 f"({stat.repeat}×{stat.number})")

    if poml_mod is not None:
        try:
            # The first call checks the output and doubles as the warm-up.
            theirs = poml_mod.poml(case.markup, context=context)
            result.matches_poml = contents(theirs) == contents(pml.poml(case.markup, context))
            stat = measure_calls(lambda: poml_mod.poml(case.markup, context=context),
                                 settings.poml_calls)
            result.stats["poml_poml"] = stat
            progress(f"{'POML poml()':<14} median {fmt_time(stat.median):>10}  "
                     f"min {fmt_time(stat.min):>10}  ({stat.repeat} calls); "
                     f"output {'matches' if result.matches_poml else 'DIFFERS'}")
        except Exception as exc:  # POML's failures must not stop the PML numbers
            result.poml_error = f"{type(exc).__name__}: {exc}"
            progress(f"POML poml() failed: {result.poml_error}")
    return result


# --------------------------------------------------------------------------------------------
# Memory, machine, cold start
# --------------------------------------------------------------------------------------------


def memory_peak(case: Case) -> int:
    """Peak traced allocation (bytes) while compiling and rendering `case` once."""
    gc.collect()
    tracemalloc.start()
    try:
        prompt = pml.api.compile_source(Source(case.markup, "<bench:memory>"))
        prompt.render(case.context).to_openai()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak


def rss() -> dict[str, int]:
    """Current and peak resident set size in bytes (from /proc, else getrusage)."""
    out: dict[str, int] = {}
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out["rss" if key == "VmRSS" else "peak_rss"] = int(value.split()[0]) * 1024
    except OSError:
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        out["peak_rss"] = peak if sys.platform == "darwin" else peak * 1024
    return out


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions: dict[str, str] = {"jinja2": jinja2.__version__,
                                "lxml": ".".join(map(str, etree.LXML_VERSION))}
    try:
        from importlib.metadata import version

        versions["pml"] = version("pml")
        versions["poml"] = version("poml")
    except Exception:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "versions": versions,
    }


def code_state() -> dict[str, Any]:
    """The git commit of the code measured and the PML files changed since it (if any)."""
    state: dict[str, Any] = {}
    try:
        def git(*args: str) -> str:
            return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True,
                                  timeout=10, check=True).stdout.strip()

        state["commit"] = git("rev-parse", "--short", "HEAD")
        state["dirty"] = [line[3:] for line in git("status", "--porcelain", "--", "pml", "grammar",
                                                   "stylesheets").splitlines()]
    except Exception:
        pass
    return state


def load_average() -> tuple[float, float, float] | None:
    try:
        return os.getloadavg()
    except OSError:
        return None


_COLD = """
import json, sys, time
sys.path.insert(0, {root!r})
t0 = time.perf_counter()
import pml, pml.api
from pml.source import Source
t1 = time.perf_counter()
p = pml.api.compile_source(Source({small!r}, "<cold>"))
p.render({ctx!r})
t2 = time.perf_counter()
pml.api.compile_source(Source({doc!r}, "<cold-doc>"))
t3 = time.perf_counter()
print(json.dumps({{"import": t1 - t0, "first_small": t2 - t1, "first_doc": t3 - t2}}))
"""


def cold_start(small: Case, doc: Case) -> dict[str, float] | None:
    """A fresh interpreter: `import pml`, first compile+render (grammar build), first doc compile."""
    code = _COLD.format(root=str(ROOT), small=small.markup, ctx=small.context, doc=doc.markup)
    try:
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             timeout=120, check=True)
        return json.loads(out.stdout.strip().splitlines()[-1])
    except Exception as exc:
        print(f"  !! cold-start measurement failed: {exc}")
        return None


# --------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------


def ratio(a: Stat | None, b: Stat | None) -> float | None:
    return a.median / b.median if a and b else None


ROWS: list[tuple[str, str]] = [
    ("pml_compile", "PML compile (parse+compile, uncached)"),
    ("pml_parse", "PML parse only (pml.parser.parse)"),
    ("lxml_parse", "lxml parse (etree.fromstring)"),
    ("pml_render", "PML render (compiled prompt)"),
    ("pml_render_min", "PML render, min"),
    ("pml_poml", "PML pml.poml() one-shot (warm cache)"),
    ("jinja_compile", "Jinja2 compile (from_string)"),
    ("jinja_render", "Jinja2 render"),
    ("poml_poml", "POML poml.poml() (Node per call)"),
]


def table(results: list[CaseResult], have_poml: bool) -> str:
    """A markdown table: one row per measurement, one column per case."""
    head = "| Measurement | " + " | ".join(r.key for r in results) + " |"
    lines = [head, "|---|" + "---:|" * len(results)]
    lines.append("| Markup size (chars) | " + " | ".join(f"{r.markup_chars:,}" for r in results) + " |")
    lines.append("| Output size (chars) | " + " | ".join(f"{r.output_chars:,}" for r in results) + " |")
    for key, label in ROWS:
        if key == "poml_poml" and not have_poml:
            continue
        cells = []
        for r in results:
            if key == "pml_render_min":
                cells.append(fmt_time(r.stats["pml_render"].min))
            else:
                stat = r.stats.get(key)
                cells.append(fmt_time(stat.median) if stat else "—")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    ratios = [
        ("PML render / Jinja2 render", "pml_render", "jinja_render", False),
        ("PML parse / lxml parse", "pml_parse", "lxml_parse", False),
    ]
    if have_poml:
        ratios.append(("POML poml() / PML poml() (speed-up)", "poml_poml", "pml_poml", True))
    for label, a, b, _ in ratios:
        cells = [fmt_ratio(ratio(r.stats.get(a), r.stats.get(b))) for r in results]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines.append("| Output == Jinja2 template | "
                 + " | ".join("yes" if r.matches_jinja else "NO" for r in results) + " |")
    if have_poml:
        lines.append("| Output == POML 0.0.8 | " + " | ".join(
            "—" if r.matches_poml is None else ("yes" if r.matches_poml else "NO")
            for r in results) + " |")
    return "\n".join(lines)


@dataclass
class Target:
    """One performance target and its verdict."""

    name: str
    measured: str
    limit: str
    verdict: str  # PASS, FAIL or SKIP


def targets(results: dict[str, CaseResult], have_poml: bool) -> list[Target]:
    small, doc = results["small"], results["doc"]
    render = small.stats["pml_render"].median
    compile_ = doc.stats["pml_compile"].median
    out = [
        Target("small prompt render (compiled)", fmt_time(render), "< 0.2 ms",
               "PASS" if render < TARGET_SMALL_RENDER else "FAIL"),
        Target(f"compile the {doc.markup_chars / 1000:.1f} KB document", fmt_time(compile_),
               "< 20 ms", "PASS" if compile_ < TARGET_DOC_COMPILE else "FAIL"),
    ]
    theirs = small.stats.get("poml_poml")
    if have_poml and theirs is not None:
        speedup = theirs.median / small.stats["pml_poml"].median
        out.append(Target("small pml.poml() vs POML poml()", f"{speedup:,.0f}× faster",
                          "≥ 1000×", "PASS" if speedup >= TARGET_POML_SPEEDUP else "FAIL"))
    else:
        out.append(Target("small pml.poml() vs POML poml()", "—", "≥ 1000×",
                          "SKIP (POML not measured)"))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter loops, 3 POML calls per case")
    parser.add_argument("--json", metavar="OUT", help="also write the results as JSON to OUT")
    parser.add_argument("--no-poml", action="store_true", help="skip POML even if installed")
    args = parser.parse_args(argv)
    settings = (Settings(budget=0.02, repeat=5, warmup=3, poml_calls=3) if args.quick
                else Settings(budget=0.1, repeat=7, warmup=10, poml_calls=5))

    poml_mod: Any = None
    if not args.no_poml:
        try:
            import poml as poml_mod  # type: ignore[no-redef]
        except Exception:
            print("POML not installed: pip install poml")
    have_poml = poml_mod is not None

    info = machine()
    print(f"PML benchmark — {info['cpu']}, {info['nproc']} CPUs, Python {info['python']}"
          f"{' (quick)' if args.quick else ''}", flush=True)
    code = code_state()
    if code:
        dirty = f" + uncommitted changes to {', '.join(code['dirty'])}" if code.get("dirty") else ""
        print(f"code: commit {code.get('commit', '?')}{dirty}")
    load_before = load_average()
    if load_before:
        print(f"load average before the run: {load_before[0]:.2f} (1 min)")
    started = time.perf_counter()
    cases = all_cases()
    by_key = {c.key: c for c in cases}
    print("cold start (fresh interpreter) ...", flush=True)
    cold = cold_start(by_key["small"], by_key["doc"])
    if cold:
        progress(f"import pml {fmt_time(cold['import'])}, first compile+render (builds the grammar) "
                 f"{fmt_time(cold['first_small'])}, first doc compile {fmt_time(cold['first_doc'])}")

    results = [run_case(case, settings, poml_mod) for case in cases]
    by_result = {r.key: r for r in results}

    print("memory ...", flush=True)
    peak = memory_peak(by_key["doc"])
    process = rss()
    progress(f"tracemalloc peak (compile + render doc) {peak / 1e6:.2f} MB; "
             f"RSS {process.get('rss', 0) / 1e6:.1f} MB, peak RSS {process.get('peak_rss', 0) / 1e6:.1f} MB")

    checks = targets(by_result, have_poml)
    elapsed = time.perf_counter() - started

    print()
    print(table(results, have_poml))
    print()
    if cold:
        print(f"Cold start: import pml {fmt_time(cold['import'])}; first compile+render in a fresh "
              f"process {fmt_time(cold['first_small'])}; first compile of the document "
              f"{fmt_time(cold['first_doc'])}")
    print(f"Memory: tracemalloc peak for compiling + rendering the document {peak / 1e6:.2f} MB; "
          f"process RSS {process.get('rss', 0) / 1e6:.1f} MB (peak {process.get('peak_rss', 0) / 1e6:.1f} MB)")
    print()
    print("Targets:")
    for t in checks:
        print(f"  {t.verdict:<5} {t.name}: {t.measured} (target {t.limit})")
    load_after = load_average()
    load_note = f"; load average {load_after[0]:.2f} (1 min)" if load_after else ""
    print(f"\nTotal time {elapsed:.1f} s{load_note}")
    if not have_poml:
        print("POML columns skipped (POML not installed: pip install poml)")
    failed_match = [r.key for r in results if r.matches_poml is False]
    if have_poml:
        print("PML output matches POML for all cases" if not failed_match
              else f"PML output DIFFERS from POML for: {', '.join(failed_match)}")

    if args.json:
        payload = {
            "machine": info,
            "code": code,
            "load_average": {"before": load_before, "after": load_after},
            "quick": args.quick,
            "settings": asdict(settings),
            "cold_start": cold,
            "memory": {"tracemalloc_peak_doc": peak, **process},
            "cases": [asdict(r) for r in results],
            "targets": [asdict(t) for t in checks],
            "elapsed": elapsed,
        }
        Path(args.json).write_text(json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8")
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
