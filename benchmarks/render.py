"""PML render/compile benchmark against plain Jinja2, lxml and (when installed) POML.

Run from the repository root::

    python benchmarks/render.py            # full run (about 2-3 minutes with POML)
    python benchmarks/render.py --quick    # shorter timing loops, 3 POML calls per case (1 for large inputs)
    python benchmarks/render.py --json results.json

Cases: a small prompt, a 200-item list (from a `for=` loop and as 200 literal items) and a
~20 KB document. For each case it measures PML compile, parse and render, the warm `pml.poml()`
one-shot call, an equivalent Jinja2 template, `lxml.etree.fromstring` on the same markup and
POML's `poml.poml()` (a Node process per call), checks that the outputs agree and checks the
performance targets.

Large inputs, in their own table: a 1,000-row 4-column markdown table (records from the context,
and the same rows from a csv file), a 10,000-item `for=` list and a 5-page PDF `<document>`. The
csv and PDF files are generated into a temporary folder on every run (the PDF is written byte by
byte, deterministic). For each: PML compile+render, PML render and POML's `poml.poml()`; the
tables and the list are checked against POML's output (the PDF is not: POML reads PDFs with
pdf.js, PML with pypdf). Then linear scaling: render time at 100 vs 1,000 rows, 1,000 vs 10,000
items and 1 vs 5 PDF pages (text extraction not cached); PASS when n× the input takes at most
1.2·n× the time. See `docs/performance.md` for a recorded run.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
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
import pml.readers  # noqa: E402
import pml.syntax.parser  # noqa: E402
from pml.syntax.source import Source  # noqa: E402

# Targets (seconds, or a ratio).
TARGET_SMALL_RENDER = 0.2e-3
TARGET_DOC_COMPILE = 20e-3
TARGET_POML_SPEEDUP = 1000.0
TARGET_SCALING = 1.2  # n× the input renders in at most 1.2·n× the time


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
    poml_large_calls: int


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


def measure_pair(small: Callable[[], Any], large: Callable[[], Any], settings: Settings,
                 repeat: int = 7) -> tuple[Stat, Stat]:
    """Time two functions interleaved (small, large, large, small, ...), so that a change in the
    machine's load during the run hits both; each loop count is calibrated to the budget."""
    numbers: list[int] = []
    for fn in (small, large):
        for _ in range(settings.warmup):
            fn()
        start = time.perf_counter()
        fn()
        numbers.append(max(1, min(100_000, int(settings.budget / max(time.perf_counter() - start, 1e-7)))))
    samples: tuple[list[float], list[float]] = ([], [])
    gc.collect()
    gc.disable()
    try:
        for r in range(max(repeat, settings.repeat)):
            for which in ((0, 1) if r % 2 == 0 else (1, 0)):
                fn, number = (small, large)[which], numbers[which]
                start = time.perf_counter()
                for _ in range(number):
                    fn()
                samples[which].append((time.perf_counter() - start) / number)
    finally:
        gc.enable()
    a, b = samples
    return (Stat(statistics.median(a), min(a), numbers[0], len(a)),
            Stat(statistics.median(b), min(b), numbers[1], len(b)))


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
        ("pml_parse", lambda: pml.syntax.parser.parse(case.markup, source_name)),
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
# Large inputs: a 1,000-row table, a 10,000-item list, a 5-page PDF; and linear scaling
# --------------------------------------------------------------------------------------------

TABLE_ROWS = 1_000
LIST_ITEMS = 10_000
PDF_PAGES = 5
_CITIES = ("Oslo", "Lima", "Pune", "Kyiv", "Accra", "Quito", "Hanoi")


def table_rows(count: int) -> list[dict[str, Any]]:
    """`count` records with 4 columns: an int, two strings and a number with up to 2 decimals."""
    return [{"id": 1000 + i, "customer": f"Customer {i:04d}", "city": _CITIES[i % len(_CITIES)],
             "total": round((i * 37 % 1000) * 0.25 + 5, 2)} for i in range(count)]


def write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    """The records as a csv file: a header row, then one line per record."""
    lines = [",".join(rows[0])] + [",".join(str(v) for v in row.values()) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _pdf_string(text: str) -> str:
    return "(" + text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


def pdf_bytes(pages: int, lines_per_page: int = 40, seed: int = 11) -> bytes:
    """A minimal PDF 1.4 file: `pages` Letter pages of Helvetica text (no download, no writer lib).

    Each page is a heading line and `lines_per_page` lines of 10 words drawn from a seeded generator,
    so the same arguments always give the same bytes.
    """
    rng = random.Random(seed)
    kids = " ".join(f"{4 + 2 * p} 0 R" for p in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    for p in range(pages):
        lines = [f"Page {p + 1}: support notes"]
        for _ in range(lines_per_page):
            text = " ".join(rng.choice(_WORDS) for _ in range(10))
            lines.append(text[0].upper() + text[1:] + ".")
        ops = ["BT", "/F1 11 Tf", "14 TL", "72 740 Td", f"{_pdf_string(lines[0])} Tj"]
        ops += [f"T* {_pdf_string(line)} Tj" for line in lines[1:]]
        ops.append("ET")
        stream = "\n".join(ops).encode("latin-1")
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources "
                       f"<< /Font << /F1 3 0 R >> >> /Contents {5 + 2 * p} 0 R >>".encode())
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


@dataclass
class LargeCase:
    """A large input. The markup is written to `folder` (POML is given that file; PML compiles the
    same text with `folder` as its base). `not_compared` says why the outputs are not compared."""

    key: str
    title: str
    input: str
    markup: str
    context: dict[str, Any]
    folder: Path
    not_compared: str | None = None
    reads_pdf: bool = False

    @property
    def path(self) -> Path:
        return self.folder / f"{self.key}.poml"

    def compile(self) -> Any:
        return pml.api.compile_source(Source(self.markup, f"<bench:{self.key}>", None, self.folder))


TABLE_MARKUP = '<poml>\n  <table records="{{ rows }}" syntax="markdown"/>\n</poml>\n'
TABLE_CSV_MARKUP = '<poml>\n  <table src="rows.csv" syntax="markdown"/>\n</poml>\n'
PDF_MARKUP = '<poml>\n  <document src="{name}"/>\n</poml>\n'


def large_cases(folder: Path) -> list[LargeCase]:
    """The large inputs, their files written into `folder` (deterministic, made on every run)."""
    rows = table_rows(TABLE_ROWS)
    write_csv(folder / "rows.csv", rows)
    pdf = pdf_bytes(PDF_PAGES)
    (folder / "doc5.pdf").write_bytes(pdf)
    list_markup = list_for_case(LIST_ITEMS).markup
    csv_kb = (folder / "rows.csv").stat().st_size / 1000
    cases = [
        LargeCase("table_records", f"{TABLE_ROWS:,}-row table (records)",
                  f"{TABLE_ROWS:,} rows × 4 columns from the context", TABLE_MARKUP, {"rows": rows}, folder),
        LargeCase("table_csv", f"{TABLE_ROWS:,}-row table (csv file)",
                  f"the same rows from a {csv_kb:.1f} KB csv file", TABLE_CSV_MARKUP, {}, folder),
        LargeCase("list_10k", f"{LIST_ITEMS:,}-item list (for=)", f"{LIST_ITEMS:,} strings from the context",
                  list_markup, {"items": list_items(LIST_ITEMS)}, folder),
        LargeCase("pdf", f"{PDF_PAGES}-page PDF document", f"{PDF_PAGES} pages of text, {len(pdf) / 1000:.1f} KB PDF",
                  PDF_MARKUP.format(name="doc5.pdf"), {}, folder,
                  not_compared="POML extracts PDF text with pdf.js, PML with pypdf: the outputs are not compared",
                  reads_pdf=True),
    ]
    for case in cases:
        case.path.write_text(case.markup, encoding="utf-8")
    return cases


@dataclass
class LargeResult:
    """What was measured for one large input."""

    key: str
    title: str
    input: str
    output_chars: int
    stats: dict[str, Stat] = field(default_factory=dict)
    matches_poml: bool | None = None
    not_compared: str | None = None
    poml_error: str | None = None
    poml_output_lines: int = 0


@contextlib.contextmanager
def output_into(path: Path) -> Iterator[None]:
    """Send file descriptors 1 and 2 to `path`: POML's Node process prints pdf.js warnings there
    (its result goes to a file of its own)."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    try:
        with path.open("wb") as sink:
            os.dup2(sink.fileno(), 1)
            os.dup2(sink.fileno(), 2)
            yield
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        for fd, copy in zip((1, 2), saved, strict=True):
            os.dup2(copy, fd)
            os.close(copy)


def clear_reader_cache() -> None:
    """Forget the extracted document texts PML keeps by content digest (`pml.readers._CACHE`)."""
    pml.readers._CACHE.clear()


def run_large(case: LargeCase, settings: Settings, poml_mod: Any) -> LargeResult:
    print(f"[{case.key}] {case.title}: {case.input}", flush=True)
    prompt = case.compile()
    context = case.context
    mine = [m.content for m in prompt.render(context).messages]
    result = LargeResult(case.key, case.title, case.input, sum(len(c) for c in mine),
                         not_compared=case.not_compared)

    def uncached() -> Any:
        clear_reader_cache()
        return prompt.render(context)

    timings: list[tuple[str, Callable[[], Any]]] = [
        ("pml_compile_render", lambda: case.compile().render(context)),
        ("pml_render", lambda: prompt.render(context)),
    ]
    if case.reads_pdf:
        timings.append(("pml_render_uncached", uncached))
    for name, fn in timings:
        stat = measure(fn, settings)
        result.stats[name] = stat
        progress(f"{name:<19} median {fmt_time(stat.median):>10}  min {fmt_time(stat.min):>10}  "
                 f"({stat.repeat}×{stat.number})")

    if poml_mod is not None:
        log = case.folder / f"{case.key}.poml-output.txt"
        try:
            with output_into(log):
                # The first call checks the output and doubles as the warm-up.
                theirs = poml_mod.poml(case.path, context=context)
                stat = measure_calls(lambda: poml_mod.poml(case.path, context=context),
                                     settings.poml_large_calls)
            result.stats["poml_poml"] = stat
            if case.not_compared is None:
                result.matches_poml = contents(theirs) == mine
                verdict = f"output {'matches' if result.matches_poml else 'DIFFERS'}"
            else:
                verdict = "output not compared (different PDF text extractors)"
            progress(f"{'POML poml()':<19} median {fmt_time(stat.median):>10}  min {fmt_time(stat.min):>10}  "
                     f"({stat.repeat} calls); {verdict}")
        except Exception as exc:  # POML's failures must not stop the PML numbers
            tail = log.read_text(errors="replace").strip().splitlines()[-3:] if log.exists() else []
            result.poml_error = f"{type(exc).__name__}: {exc}" + (f" [{' | '.join(tail)}]" if tail else "")
            progress(f"POML poml() failed: {result.poml_error}")
        if log.exists():
            lines = log.read_text(errors="replace").strip().splitlines()
            result.poml_output_lines = len(lines)
            if lines:
                progress(f"POML's Node process printed {len(lines)} lines, e.g. {lines[0][:100]}")
    return result


def count(n: int, unit: str) -> str:
    """`1 page`, `5 pages`, `1,000 rows`."""
    return f"{n:,} {unit[:-1] if n == 1 and unit.endswith('s') else unit}"


@dataclass
class Scaling:
    """Render time at two input sizes; linear if `factor`× the input takes ≤ limit× the time."""

    name: str
    measure: str
    small: int
    large: int
    small_time: Stat
    large_time: Stat
    factor: float
    time_ratio: float
    limit: float
    verdict: str


def run_scaling(folder: Path, settings: Settings) -> list[Scaling]:
    """Render each shape at two sizes (medians of 7 interleaved repeats) and compare the times."""
    (folder / "doc1.pdf").write_bytes(pdf_bytes(1))
    table = pml.api.compile_source(Source(TABLE_MARKUP, "<bench:scale-table>", None, folder))
    items = pml.api.compile_source(Source(list_for_case().markup, "<bench:scale-list>", None, folder))
    pdf1 = pml.api.compile_source(Source(PDF_MARKUP.format(name="doc1.pdf"), "<bench:pdf1>", None, folder))
    pdf5 = pml.api.compile_source(Source(PDF_MARKUP.format(name="doc5.pdf"), "<bench:pdf5>", None, folder))

    def uncached(prompt: Any) -> Callable[[], Any]:
        def fn() -> Any:
            clear_reader_cache()
            return prompt.render({})
        return fn

    def rows(n: int) -> Callable[[], Any]:
        context = {"rows": table_rows(n)}
        return lambda: table.render(context)

    def entries(n: int) -> Callable[[], Any]:
        context = {"items": list_items(n)}
        return lambda: items.render(context)

    plans = [
        ("table (records, markdown)", "rows", 100, TABLE_ROWS, rows(100), rows(TABLE_ROWS)),
        ("list (for=)", "items", 1_000, LIST_ITEMS, entries(1_000), entries(LIST_ITEMS)),
        ("PDF document, text not cached", "pages", 1, PDF_PAGES, uncached(pdf1), uncached(pdf5)),
    ]
    out: list[Scaling] = []
    for name, unit, small, large, small_fn, large_fn in plans:
        a, b = measure_pair(small_fn, large_fn, settings)
        factor = large / small
        time_ratio = b.median / a.median
        limit = TARGET_SCALING * factor
        verdict = "PASS" if time_ratio <= limit else "FAIL"
        out.append(Scaling(name, unit, small, large, a, b, factor, time_ratio, limit, verdict))
        progress(f"{name}: {count(small, unit)} {fmt_time(a.median)}, {count(large, unit)} {fmt_time(b.median)}: "
                 f"{factor:g}× the input, {time_ratio:.2f}× the time (limit {limit:g}×) {verdict}")
    return out


LARGE_ROWS: list[tuple[str, str]] = [
    ("pml_compile_render", "PML compile+render (uncached compile)"),
    ("pml_render", "PML render (compiled prompt)"),
    ("pml_render_min", "PML render, min"),
    ("pml_render_uncached", "PML render, PDF text not cached"),
    ("poml_poml", "POML poml.poml() (Node per call)"),
]


def large_table(results: list[LargeResult], have_poml: bool) -> str:
    """A markdown table: one row per measurement, one column per large input."""
    lines = ["| Measurement | " + " | ".join(r.key for r in results) + " |", "|---|" + "---:|" * len(results)]
    lines.append("| Input | " + " | ".join(r.input for r in results) + " |")
    lines.append("| Output size (chars) | " + " | ".join(f"{r.output_chars:,}" for r in results) + " |")
    for key, label in LARGE_ROWS:
        if key == "poml_poml" and not have_poml:
            continue
        if key == "pml_render_min":
            cells = [fmt_time(r.stats["pml_render"].min) for r in results]
        else:
            cells = [fmt_time(r.stats[key].median) if key in r.stats else "—" for r in results]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    if have_poml:
        cells = [fmt_ratio(ratio(r.stats.get("poml_poml"), r.stats.get("pml_compile_render"))) for r in results]
        lines.append("| POML poml() / PML compile+render (speed-up) | " + " | ".join(cells) + " |")
        lines.append("| Output == POML 0.0.8 | " + " | ".join(
            ("not compared" if r.not_compared else "—") if r.matches_poml is None
            else ("yes" if r.matches_poml else "NO") for r in results) + " |")
    return "\n".join(lines)


def scaling_table(rows: list[Scaling]) -> str:
    lines = ["| Render (median) | small | large | input × | time × | limit | verdict |",
             "|---|---:|---:|---:|---:|---:|---|"]
    for s in rows:
        lines.append(f"| {s.name} | {count(s.small, s.measure)}: {fmt_time(s.small_time.median)} | "
                     f"{count(s.large, s.measure)}: {fmt_time(s.large_time.median)} | {s.factor:g}× | "
                     f"{s.time_ratio:.2f}× | ≤ {s.limit:g}× | {s.verdict} |")
    return "\n".join(lines)


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
from pml.syntax.source import Source
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
    ("pml_parse", "PML parse only (pml.syntax.parser.parse)"),
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
    settings = (Settings(budget=0.02, repeat=5, warmup=3, poml_calls=3, poml_large_calls=1) if args.quick
                else Settings(budget=0.1, repeat=7, warmup=10, poml_calls=5, poml_large_calls=3))

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

    print("large inputs (files made in a temporary folder) ...", flush=True)
    with tempfile.TemporaryDirectory(prefix="pml-bench-") as tmp:
        folder = Path(tmp)
        large = [run_large(case, settings, poml_mod) for case in large_cases(folder)]
        print("linear scaling (render at two sizes) ...", flush=True)
        scaling = run_scaling(folder, settings)
        clear_reader_cache()

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
    print()
    print("Large inputs:")
    print()
    print(large_table(large, have_poml))
    for r in large:
        if r.not_compared and have_poml:
            print(f"  {r.key}: {r.not_compared}")
    print()
    print(f"Linear scaling (PASS when n× the input takes ≤ {TARGET_SCALING:g}·n× the time):")
    print()
    print(scaling_table(scaling))
    load_after = load_average()
    load_note = f"; load average {load_after[0]:.2f} (1 min)" if load_after else ""
    print(f"\nTotal time {elapsed:.1f} s{load_note}")
    if not have_poml:
        print("POML columns skipped (POML not installed: pip install poml)")
    failed_match = [r.key for r in results if r.matches_poml is False]
    failed_match += [r.key for r in large if r.matches_poml is False]
    if have_poml:
        print("PML output matches POML for all cases" if not failed_match
              else f"PML output DIFFERS from POML for: {', '.join(failed_match)}")
        compared = [r.key for r in large if r.matches_poml is not None]
        print(f"(large inputs compared with POML: {', '.join(compared) or 'none'}; "
              f"not compared: {', '.join(r.key for r in large if r.not_compared) or 'none'})")

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
            "large_cases": [asdict(r) for r in large],
            "scaling": [asdict(s) for s in scaling],
            "elapsed": elapsed,
        }
        Path(args.json).write_text(json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8")
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
