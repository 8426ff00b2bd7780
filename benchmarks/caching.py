"""PML modules and provider prompt caching: render cost of a cached module, and a cache simulation.

Run from the repository root::

    python benchmarks/caching.py            # full run (under a minute)
    python benchmarks/caching.py --quick    # fewer renders and requests (under 10 s)
    python benchmarks/caching.py --json results.json

Part (a), render cost. A prompt places a ~50 KB cached module (`<module cache="true">`: policy
sections, an FAQ and a 300-item catalogue list, generated deterministically as PML markup, with a
`company` param) before a `<human-msg>{{ question }}</human-msg>`. It is compiled once
(`pml.loads`) and rendered 1,000 times, with a different question each time. The same loop runs
for the prompt without the module (just the question) and for the same content written inline
(no module; its `{{ company }}` comes from the context; 100 renders per loop, since every render
re-renders the 50 KB; `--quick`: 200 and 20 renders). Each loop is timed with
`time.perf_counter` after a warm-up render, gc off, and repeated (variants interleaved); the
table gives the median (and the minimum) per render, for `render()`,
`render().to_anthropic(model=…)` and `render().to_openai()`. The ratio module / without-module
has a target of at most 2×. The first (cold) render after compiling, with the module cache
empty, and the module cache's counters (`pml.render.modcache.module_cache().stats()`) are reported too.
The module and inline variants are checked to render the same messages.

Part (b), a prefix-cache simulation. Nothing is sent to a provider: each request is rendered
with PML, turned into the provider payload PML produces, and fed to a model of the provider's
prompt cache, in simulated time. Prices are in "uncached-token units": an uncached input token
costs 1, a cache read 0.1 and a cache write 1.25 (the 5-minute write price of Anthropic).

- Anthropic (model claude-sonnet-4-5, minimum cacheable prefix 1,024 tokens). The request's
  content blocks are read from the `to_anthropic()` payload in cache order: tools, then system
  blocks, then message blocks (a string content counts as one text block). A block's prefix is
  every block up to and including it; its key is a hash of their serialization (without
  `cache_control`). A breakpoint is a block with `cache_control`. For each breakpoint whose prefix
  reaches the minimum, the cache is looked up at that block and at up to 20 blocks before it
  (Anthropic's lookback); a prefix is in the cache when a request wrote or read it at most
  5 minutes before (a hit refreshes it). The longest hit among the request's breakpoints is read
  (0.1×); the tokens after it up to the last breakpoint are written (1.25×) and every breakpoint's
  prefix is stored; the rest is uncached (1×). Without breakpoints nothing is cached. Tokens are
  counted per block with o200k_base (Claude's tokenizer is not public: an estimate). For the PML
  rows the breakpoints sit where the cache plan puts them (the ends of cached modules, at most 4,
  only where the prefix reaches the minimum); PML does not place a rolling breakpoint on the
  conversation, so the conversation workload has one extra row where the caller adds one to the
  last block of the request (what the Anthropic docs recommend for multi-turn chats).
- OpenAI (model gpt-4o). Caching is automatic: a request reads the longest prefix it shares with
  an earlier request still in the cache, if it is at least 1,024 tokens, in whole 128-token steps
  (1,024 + 128·k). The request is tokenized in provider order — tools (as JSON), then each
  message as a role marker followed by `tokenizer_for("gpt-4o").encode(content)` (messages are
  tokenized separately, as a chat template does) — and the cache holds the hashes of every
  1,024 + 128·k prefix of every request, each evicted after 5 minutes without use (OpenAI says
  5–10 minutes idle). Reads cost 0.1×, the same factor as for Anthropic (OpenAI's discount
  differs by model: 50–90 %). OpenAI does not bill writes: tokens that are not read are billed
  as uncached (1×), so the cache-write column is 0. Routing is taken to be perfect (one cache
  for all requests), so `prompt_cache_key` — which PML sets to improve routing — changes nothing
  here: for OpenAI the rows with and without modules cost the same when the content and its
  order are the same. What matters there is the order: stable content first.

Workloads (content generated with a fixed seed; the variants of a workload render the same
text, which the script checks):

1. A 20-turn support conversation: two tools, a system prompt with a cached ~3.6K-token policy
   module and a cached ~1.2K-token FAQ/tool-use module, then the turns so far (`<human-msg>` /
   `<ai-msg>` in a `for` loop over the `turns` context list) and the new user message; one
   request every 30 s.
2. 1,000 requests (`--quick`: 300) arriving every ~2 s (exponential gaps, mean 2 s, fixed seed):
   the shared cached ~3.8K-token policy, one of three cached ~1.1K-token task modules (a
   `<union>`, picked with `if`), then a per-request customer profile (volatile) in the system
   prompt and a per-request question.

Variants of each workload: "PML modules" (cached modules: breakpoints, `prompt_cache_key`);
"no modules" (the same prompts rendered with the module bodies written inline: the same text, no
breakpoints, no key — a hand-written `cache_control` would of course do as well as PML's);
"naive order" (the modules, but a volatile timestamp — the request time, to the second — opens
the system prompt before the policy, which defeats the prefix caches except for requests that
fall in the same second; for Anthropic the breakpoints are still placed, so every request pays
for cache writes it never reads). The prompts declare `now`, the profile, the turns and the
question volatile (`<let name="now" volatile="true"/>`), so PML's stability check warns about
the naive order at compile time; the script prints the warnings. The saving is the cost without
modules divided by the cost with them.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pml  # noqa: E402
import pml.api  # noqa: E402
from pml.output.cacheplan import anthropic_minimum, openai_cacheable  # noqa: E402
from pml.render.modcache import module_cache  # noqa: E402
from pml.syntax.source import Source  # noqa: E402
from pml.tokens.encodings import count_tokens, tokenizer_for  # noqa: E402

ANTHROPIC_MODEL = "claude-sonnet-4-5"
OPENAI_MODEL = "gpt-4o"
TTL = 300.0  # seconds a cache entry lives without use (both providers)
LOOKBACK = 20  # blocks Anthropic looks back from a breakpoint
READ_PRICE = 0.1
WRITE_PRICE = 1.25
TARGET_MODULE_RATIO = 2.0  # render with the 50 KB cached module / render without it
COMPANY = "Globex"
START = datetime(2026, 3, 2, 9, 0, 0, tzinfo=UTC)


# --------------------------------------------------------------------------------------------
# Generated content: realistic customer-support policy, FAQ and catalogue markup
# --------------------------------------------------------------------------------------------

C = "{{ company }}"  # a cached module reads its `company` param

PRODUCTS = [
    "wireless headphones", "espresso machine", "standing desk", "pair of running shoes", "4K monitor",
    "air purifier", "travel backpack", "smartwatch", "blender", "office chair", "e-reader", "camping tent",
    "robot vacuum", "mechanical keyboard", "winter jacket", "baby stroller", "electric kettle", "yoga mat",
    "camera drone", "gaming console", "portable speaker", "sofa bed", "bread maker", "electric toothbrush",
]
VARIANTS = ["black", "white", "graphite", "navy", "small", "medium", "large", "refurbished", "bundle", "pro"]
WAREHOUSES = ["Rotterdam", "Leipzig", "Memphis", "Reno", "Toronto", "Lyon", "Osaka", "Melbourne"]

SENTENCES = [
    C + " refunds the full price of a {product} returned within {days} days of delivery, provided it is "
        "unused and in its original packaging.",
    "If a {product} arrives damaged, the agent apologises, asks for a photo of the damage and offers a "
    "replacement or a refund, whichever the customer prefers.",
    "Orders above {amount} dollars ship free; below that, standard shipping costs {fee} dollars and takes "
    "{d1} to {d2} business days.",
    "Agents never ask for a full card number, a password or a one-time code; " + C + " staff see only the "
    "last four digits of a card.",
    "A customer who reports an unauthorised charge is routed to the fraud team within {hours} hours, and the "
    "card on file is frozen until they confirm the remaining charges.",
    "Subscriptions renew on the same day each month; a customer may cancel at any time before renewal and "
    "keeps access until the end of the paid period.",
    "Gift cards issued by " + C + " never expire and cannot be exchanged for cash, except where the law "
    "requires it.",
    "Price matching applies to identical items sold by a major retailer within {days} days of purchase; "
    "marketplace sellers do not count.",
    "Warranty claims for a {product} need the serial number and the proof of purchase; the standard warranty "
    "lasts {months} months from delivery.",
    "When the customer is upset, the agent acknowledges the problem in one sentence before explaining the "
    "options, and never blames the carrier or another team.",
    "Escalate to a supervisor when a refund exceeds {amount} dollars, when the customer mentions a lawyer or "
    "the press, or after two failed attempts to resolve the issue.",
    "Personal data is kept for {months} months after the last order and deleted on request within {days} "
    "days, as the privacy policy of " + C + " states.",
    "Returns of opened software, personalised items and perishable goods are refused unless the item is "
    "defective.",
    "Store credit is offered only after the customer has declined a refund to the original payment method.",
    "International orders may incur customs duties, paid on delivery; " + C + " does not refund duties for "
    "items returned after {days} days.",
    "Answers quote the relevant rule in plain words and give the next step the customer should take, with a "
    "date when one applies.",
    "A replacement {product} ships within {d1} business days of the approval, by the same carrier as the "
    "original order unless the customer asks for another.",
    "Loyalty points earned on a refunded order are removed from the account on the day the refund is issued.",
]
TOPICS = [
    "Refunds", "Returns", "Shipping and delivery", "Damaged and missing items", "Payments and fraud",
    "Subscriptions", "Gift cards and store credit", "Price matching", "Warranty", "Tone and escalation",
    "Privacy and personal data", "International orders", "Replacements", "Loyalty programme",
]
QUESTIONS = [
    "Can I return a {product} I have already used?",
    "How long does a refund for a {product} take?",
    "My {product} arrived late: is shipping refunded?",
    "Can I change the delivery address of an order that has shipped?",
    "Why was my card charged twice for one {product}?",
    "Does the warranty cover a {product} that I dropped?",
    "Can I pay for a {product} with two gift cards?",
    "What happens to my points if I return a {product}?",
]
ANSWERS = [
    "Only if it is defective: " + C + " accepts used items under warranty; otherwise the item must be unused.",
    "Refunds reach the original payment method within {d1} to {d2} business days after the return arrives.",
    "Yes, when the delay is more than {d1} business days past the promised date; the agent refunds the fee.",
    "Not once it has shipped; the customer can refuse the parcel, and " + C + " refunds it when it returns.",
    "The second charge is usually an authorisation that drops within {d1} days; if not, open a fraud case.",
    "Accidental damage is not covered; the agent offers the repair service at a {fee} percent discount.",
    "Yes, up to {d1} gift cards per order, and the rest with a card.",
    "Points from the returned item are removed; points from the rest of the order stay.",
]


class Writer:
    """Generates markup from the templates with a seeded random generator."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def fill(self, template: str) -> str:
        r = self.rng
        d1 = r.randint(2, 5)
        return template.format(product=r.choice(PRODUCTS), days=r.choice((14, 30, 45, 60, 90)),
                               amount=r.choice((35, 50, 75, 100, 250, 500)), fee=r.choice((5, 8, 10, 15)),
                               d1=d1, d2=d1 + r.randint(2, 6), hours=r.choice((2, 4, 12, 24)),
                               months=r.choice((6, 12, 18, 24, 36)))

    def paragraph(self, sentences: int) -> str:
        return "<p>" + " ".join(self.fill(self.rng.choice(SENTENCES)) for _ in range(sentences)) + "</p>"

    def sections(self, count: int, paragraphs: int = 2, sentences: int = 5, bullets: int = 3) -> list[str]:
        out = []
        for i in range(count):
            topic = TOPICS[i % len(TOPICS)] + (f" ({i // len(TOPICS) + 1})" if i >= len(TOPICS) else "")
            body = [self.paragraph(sentences) for _ in range(paragraphs)]
            items = "".join(f"<item>{self.fill(self.rng.choice(SENTENCES))}</item>" for _ in range(bullets))
            out.append(f"<section><h>{topic}</h>\n" + "\n".join(body) + f"\n<list>{items}</list>\n</section>")
        return out

    def faq(self, count: int) -> str:
        pairs = []
        for _ in range(count):
            k = self.rng.randrange(len(QUESTIONS))
            pairs.append(f"<p><b>Q: {self.fill(QUESTIONS[k])}</b> A: {self.fill(ANSWERS[k])}</p>")
        return "<section><h>Frequently asked questions</h>\n" + "\n".join(pairs) + "\n</section>"

    def catalogue(self, count: int) -> str:
        r = self.rng
        items = []
        for i in range(count):
            items.append(
                f"<item>SKU {40000 + 37 * i}: {r.choice(PRODUCTS)}, {r.choice(VARIANTS)}. Return window "
                f"{r.choice((14, 30, 60))} days, restocking fee {r.choice((0, 5, 10, 15))} %, warranty "
                f"{r.choice((12, 24, 36))} months, ships from {r.choice(WAREHOUSES)}; sold by {C}.</item>")
        return ("<section><h>Catalogue rules</h>\n<p>Per-item rules that override the general policy of "
                f"{C}.</p>\n<list>\n" + "\n".join(items) + "\n</list>\n</section>")

    def conversation(self, turns: int) -> tuple[list[dict[str, str]], list[str]]:
        """`turns` earlier (user, assistant) pairs and `turns` new user messages (one per request)."""
        r = self.rng
        history = []
        questions = []
        for i in range(turns):
            product = r.choice(PRODUCTS)
            questions.append(f"Turn {i + 1}: about order {71000 + i} — {self.fill(r.choice(QUESTIONS))} "
                             f"The {product} was a gift and I no longer have the box.")
            answer = " ".join(self.fill(r.choice(SENTENCES)).replace(C, COMPANY) for _ in range(r.randint(5, 9)))
            history.append({"user": questions[-1], "assistant": f"Thanks for the details on order {71000 + i}. "
                            + answer + " Is there anything else I can check for you?"})
        return history, questions


def module_def(name: str, body: str, cache: bool = True) -> str:
    flag = ' cache="true"' if cache else ""
    return f'  <module name="{name}"{flag}>\n    <param name="company" default="Acme"/>\n{body}\n  </module>'


def use(name: str, condition: str | None = None) -> str:
    cond = f' if="{condition}"' if condition else ""
    return f'<use module="{name}" company="{COMPANY}"{cond}/>'


def inline(body: str, condition: str | None = None) -> str:
    """A module body written in place (its `{{ company }}` read from the render context)."""
    return f'<div if="{condition}">\n{body}\n</div>' if condition else body


# --------------------------------------------------------------------------------------------
# Timing helpers
# --------------------------------------------------------------------------------------------


@dataclass
class Stat:
    """Seconds per call: median and minimum over `repeat` loops of `number` calls."""

    median: float
    min: float
    number: int
    repeat: int


def time_loops(fns: dict[str, Callable[[int], Any]], numbers: dict[str, int], repeat: int) -> dict[str, Stat]:
    """Time each `fn(i)` for i in range(number), `repeat` times, variants interleaved (the order is
    reversed every other round), gc off; one warm-up call each."""
    for fn in fns.values():
        fn(0)
    samples: dict[str, list[float]] = {k: [] for k in fns}
    keys = list(fns)
    gc.collect()
    gc.disable()
    try:
        for r in range(repeat):
            for key in (keys if r % 2 == 0 else keys[::-1]):
                fn, number = fns[key], numbers[key]
                start = time.perf_counter()
                for i in range(number):
                    fn(i)
                samples[key].append((time.perf_counter() - start) / number)
    finally:
        gc.enable()
    return {k: Stat(statistics.median(v), min(v), numbers[k], repeat) for k, v in samples.items()}


def fmt_time(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"


def table(header: Sequence[str], rows: Sequence[Sequence[str]], left: int = 1) -> str:
    """A plain-text table; the first `left` columns are left-aligned, the others right-aligned."""
    widths = [max(len(str(row[i])) for row in (header, *rows)) for i in range(len(header))]

    def line(row: Sequence[str]) -> str:
        return "  ".join(str(c).ljust(w) if i < left else str(c).rjust(w)
                         for i, (c, w) in enumerate(zip(row, widths, strict=True))).rstrip()

    return "\n".join([line(header), "  ".join("-" * w for w in widths), *(line(r) for r in rows)])


def progress(message: str) -> None:
    print(f"  .. {message}", flush=True)


# --------------------------------------------------------------------------------------------
# Part (a): render cost of a 50 KB cached module
# --------------------------------------------------------------------------------------------


def big_body(seed: int = 11) -> str:
    """About 50 KB of rendered text: policy sections, an FAQ and a 300-item catalogue list."""
    w = Writer(seed)
    parts = w.sections(6, paragraphs=2, sentences=4, bullets=3)
    parts.append(w.faq(12))
    parts.append(w.catalogue(300))
    return "\n".join(parts)


def part_a(quick: bool) -> dict[str, Any]:
    print("(a) render cost of a cached 50 KB module ...", flush=True)
    body = big_body()
    question = "<human-msg>{{ question }}</human-msg>"
    sources = {
        "module": (f'<pml>\n<schema name="kb">\n{module_def("policy", body)}\n</schema>\n{use("policy")}\n'
                   f"{question}\n</pml>\n"),
        "without": f"<pml>\n{question}\n</pml>\n",
        "inline": f"<pml>\n{inline(body)}\n{question}\n</pml>\n",
    }
    count = 200 if quick else 1000
    questions = [f"Order {10000 + i}: can I still return the {PRODUCTS[i % len(PRODUCTS)]} I bought "
                 f"{i % 40 + 1} days ago?" for i in range(count)]
    context = {"company": COMPANY}  # read by the inline content; the cached module sees its param only
    count_tokens("warm the tokenizer")
    warm = f'<pml><schema>{module_def("warm", "<p>{{ company }}</p>")}</schema>{use("warm")}{question}</pml>'
    pml.api.compile_source(Source(warm, "<caching:warm-up>")).render(question="?")  # one-time set-up costs

    module_cache().clear()
    cold: dict[str, float] = {}
    prompts: dict[str, Any] = {}
    for key, text in sources.items():
        start = time.perf_counter()
        prompt = pml.api.compile_source(Source(text, f"<caching:{key}>"))
        cold[f"{key}_compile"] = time.perf_counter() - start
        start = time.perf_counter()
        prompt.render(context, question=questions[0])
        cold[f"{key}_first_render"] = time.perf_counter() - start
        prompts[key] = pml.loads(text, name=f"<caching:{key}>")  # compiled once, reused below
    # A second, freshly compiled copy of the module prompt: its first render hits the warm cache.
    again = pml.api.compile_source(Source(sources["module"], "<caching:module-again>"))
    start = time.perf_counter()
    again.render(context, question=questions[0])
    cold["module_first_render_warm_cache"] = time.perf_counter() - start

    rendered = {k: p.render(context, question=questions[0]) for k, p in prompts.items()}
    same = rendered["module"].messages == rendered["inline"].messages
    module_text = rendered["module"].messages[0].text
    plan = rendered["module"].cache_plan("anthropic", ANTHROPIC_MODEL)
    oplan = rendered["module"].cache_plan("openai", OPENAI_MODEL)
    payload = rendered["module"].to_anthropic(model=ANTHROPIC_MODEL)
    marked = sum(1 for b in anthropic_blocks(payload) if b.breakpoint)
    okey = rendered["module"].to_openai().get("prompt_cache_key")

    fns: dict[str, Callable[[int], Any]] = {}
    numbers: dict[str, int] = {}
    inline_count = max(20, count // (20 if quick else 10))  # the inline content re-renders 50 KB each time
    for key, prompt in prompts.items():
        def render(i: int, p: Any = prompt) -> Any:
            return p.render(context, question=questions[i % count])

        def anthropic(i: int, p: Any = prompt) -> Any:
            return p.render(context, question=questions[i % count]).to_anthropic(model=ANTHROPIC_MODEL)

        def openai(i: int, p: Any = prompt) -> Any:
            return p.render(context, question=questions[i % count]).to_openai()

        for kind, fn in (("render", render), ("anthropic", anthropic), ("openai", openai)):
            fns[f"{key}/{kind}"] = fn
            numbers[f"{key}/{kind}"] = inline_count if key == "inline" else count
    module_cache().clear()
    prompts["module"].render(context, question=questions[0])  # one miss, then hits only
    repeat = 3 if quick else 7
    progress(f"{count} renders per loop ({inline_count} for the inline content), {repeat} loops per variant")
    stats = time_loops(fns, numbers, repeat)
    cache = module_cache().stats()
    ratio = stats["module/render"].median / stats["without/render"].median
    return {
        "target": {"ratio": ratio, "limit": TARGET_MODULE_RATIO,
                   "verdict": "PASS" if ratio <= TARGET_MODULE_RATIO else "FAIL"},
        "module_chars": len(module_text),
        "module_bytes": len(module_text.encode()),
        "module_tokens": count_tokens(module_text),
        "markup_chars": len(sources["module"]),
        "renders": count,
        "inline_renders": inline_count,
        "repeat": repeat,
        "same_messages_module_inline": same,
        "stats": {k: asdict(v) for k, v in stats.items()},
        "cold": cold,
        "module_cache": asdict(cache),
        "anthropic_plan": plan.to_dict(),
        "anthropic_breakpoints_in_payload": marked,
        "openai_plan": oplan.to_dict(),
        "openai_prompt_cache_key": okey,
    }


def report_a(a: dict[str, Any]) -> None:
    s = {k: Stat(**v) for k, v in a["stats"].items()}
    print()
    print(f"(a) Cached module: {a['module_chars']:,} chars ({a['module_bytes']:,} bytes, ~{a['module_tokens']:,} "
          f"tokens) of rendered text from {a['markup_chars']:,} chars of markup; {a['renders']:,} renders with "
          f"a different question per loop ({a['inline_renders']} for inline), median of {a['repeat']} loops "
          "(min in brackets)")
    print()
    rows = []
    for kind, label in (("render", "render()"), ("anthropic", "render() + to_anthropic(model)"),
                        ("openai", "render() + to_openai()")):
        m, w, i = s[f"module/{kind}"], s[f"without/{kind}"], s[f"inline/{kind}"]
        rows.append([label, f"{fmt_time(w.median)} ({fmt_time(w.min)})", f"{fmt_time(m.median)} ({fmt_time(m.min)})",
                     f"{fmt_time(i.median)} ({fmt_time(i.min)})", f"{m.median / w.median:.2f}×",
                     f"{m.median / i.median:.3f}×"])
    print(table(["per render", "without module", "cached module", "inline (no module)", "module/without",
                 "module/inline"], rows))
    c = a["cold"]
    print()
    print(f"Cold: compile (uncached) — module prompt {fmt_time(c['module_compile'])}, inline "
          f"{fmt_time(c['inline_compile'])}, without {fmt_time(c['without_compile'])}; first render after compiling "
          f"(module cache empty) — module {fmt_time(c['module_first_render'])}, inline "
          f"{fmt_time(c['inline_first_render'])}, without {fmt_time(c['without_first_render'])}; first render of "
          f"a freshly compiled copy with the cache warm {fmt_time(c['module_first_render_warm_cache'])}")
    mc = a["module_cache"]
    print(f"Module cache after the timing loops: {mc['hits']:,} hits, {mc['misses']} miss(es), {mc['entries']} "
          f"entr{'y' if mc['entries'] == 1 else 'ies'}, {mc['chars']:,} chars kept, {mc['evictions']} evictions")
    plan = a["anthropic_plan"]
    bps = ", ".join(f"after `{b['module']}` at {b['prefix_tokens']:,} tokens" for b in plan["breakpoints"])
    print(f"Cache plan: Anthropic {ANTHROPIC_MODEL} breakpoints: {bps or 'none'} "
          f"({a['anthropic_breakpoints_in_payload']} cache_control block(s) in the payload); OpenAI cacheable "
          f"{a['openai_plan']['cacheable_tokens']:,} of {a['openai_plan']['stable_prefix_tokens']:,} stable-prefix "
          f"tokens, prompt_cache_key {a['openai_prompt_cache_key']}")
    print(f"Module and inline render the same messages: {'yes' if a['same_messages_module_inline'] else 'NO'}")
    target = a["target"]
    print(f"Target: render with the cached module ≤ {TARGET_MODULE_RATIO:g}× render without it: "
          f"{target['ratio']:.2f}× — {target['verdict']}")


# --------------------------------------------------------------------------------------------
# Part (b): provider cache models
# --------------------------------------------------------------------------------------------


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


_COUNTS: dict[str, int] = {}


def tokens_of(text: str) -> int:
    """o200k_base token count, memoized (the stable blocks repeat in every request)."""
    n = _COUNTS.get(text)
    if n is None:
        n = _COUNTS[text] = count_tokens(text)
        if len(_COUNTS) > 50_000:
            _COUNTS.clear()
    return n


@dataclass
class Block:
    key: str  # the block as the cache sees it: where it is, and its content without cache_control
    tokens: int
    breakpoint: bool


def anthropic_blocks(payload: dict[str, Any]) -> list[Block]:
    """The request's blocks in cache order: tools, system blocks, message blocks."""
    out: list[Block] = []

    def add(where: str, block: dict[str, Any]) -> None:
        content = {k: v for k, v in block.items() if k != "cache_control"}
        text = content["text"] if content.get("type") == "text" else canonical(content)
        out.append(Block(where + canonical(content), tokens_of(text), "cache_control" in block))

    for tool in payload.get("tools", ()):
        add("tool:", tool)
    system = payload.get("system")
    if isinstance(system, str):
        system = [{"type": "text", "text": system}]
    for block in system or ():
        add("system:", block)
    for index, message in enumerate(payload["messages"]):
        content = message["content"]
        if isinstance(content, str):
            content = [{"type": "text", "text": content}]
        for block in content:
            add(f"{message['role']}#{index}:", block)
    return out


def add_rolling_breakpoint(payload: dict[str, Any]) -> dict[str, Any]:
    """The caller's own breakpoint on the last block of the last message (PML does not place it)."""
    messages = [dict(m) for m in payload["messages"]]
    last = messages[-1]
    content = last["content"]
    blocks = [{"type": "text", "text": content}] if isinstance(content, str) else [dict(b) for b in content]
    blocks[-1]["cache_control"] = {"type": "ephemeral"}
    last["content"] = blocks
    return {**payload, "messages": messages}


@dataclass
class Tally:
    """Token and cost totals of one provider × variant."""

    provider: str
    variant: str
    requests: int = 0
    input_tokens: int = 0
    read_tokens: int = 0
    write_tokens: int = 0
    uncached_tokens: int = 0
    breakpoints: int = 0  # cache_control blocks seen (Anthropic), summed over requests
    hits: int = 0  # requests that read something from the cache
    cost: float = 0.0

    def add(self, total: int, read: int, write: int) -> None:
        uncached = total - read - write
        self.requests += 1
        self.input_tokens += total
        self.read_tokens += read
        self.write_tokens += write
        self.uncached_tokens += uncached
        self.hits += read > 0
        self.cost += uncached + READ_PRICE * read + WRITE_PRICE * write


class AnthropicCache:
    """Explicit breakpoints, exact-prefix entries with a 5-minute TTL refreshed on use (docstring)."""

    def __init__(self, model: str, lookback: int = LOOKBACK) -> None:
        self.minimum = anthropic_minimum(model)[0]
        self.lookback = lookback
        self.entries: dict[bytes, float] = {}

    def request(self, now: float, payload: dict[str, Any], tally: Tally) -> None:
        blocks = anthropic_blocks(payload)
        hasher = hashlib.sha256()
        keys: list[bytes] = []
        through: list[int] = []  # tokens up to and including block i
        total = 0
        for block in blocks:
            data = block.key.encode()
            hasher.update(len(data).to_bytes(8, "little") + data)
            keys.append(hasher.copy().digest())
            total += block.tokens
            through.append(total)
        marks = [i for i, b in enumerate(blocks) if b.breakpoint]
        tally.breakpoints += len(marks)
        marks = [i for i in marks if through[i] >= self.minimum]
        hit = -1
        for mark in marks:
            for j in range(mark, max(-1, mark - self.lookback - 1), -1):
                if through[j] < self.minimum:
                    break
                seen = self.entries.get(keys[j])
                if seen is not None and now - seen <= TTL:
                    if hit < 0 or through[j] > through[hit]:
                        hit = j
                    break
        read = through[hit] if hit >= 0 else 0
        write = through[marks[-1]] - read if marks and through[marks[-1]] > read else 0
        if hit >= 0:
            self.entries[keys[hit]] = now
        for mark in marks:
            self.entries[keys[mark]] = now
        tally.add(total, read, write)
        if len(self.entries) > 10_000:
            self.entries = {k: t for k, t in self.entries.items() if now - t <= TTL}


ROLE_MARK = {"system": -1, "developer": -2, "user": -3, "assistant": -4, "tool": -5}
_ENCODED: dict[str, tuple[int, ...]] = {}


def encode(text: str) -> tuple[int, ...]:
    ids = _ENCODED.get(text)
    if ids is None:
        ids = _ENCODED[text] = tuple(tokenizer_for(OPENAI_MODEL).encode(text))
        if len(_ENCODED) > 20_000:
            _ENCODED.clear()
    return ids


def openai_tokens(payload: dict[str, Any]) -> array:
    """The request as one token sequence: tools (JSON), then per message a role marker and its content."""
    seq = array("i")
    if payload.get("tools"):
        seq.append(-9)
        seq.extend(encode(canonical(payload["tools"])))
    for message in payload["messages"]:
        seq.append(ROLE_MARK.get(message["role"], -6))
        content = message["content"]
        if isinstance(content, str):
            seq.extend(encode(content))
        else:
            for part in content:
                seq.extend(encode(part["text"] if part.get("type") == "text" else canonical(part)))
    return seq


class OpenAICache:
    """Automatic prefix caching in 1,024 + 128·k token steps, 5-minute idle eviction (docstring)."""

    def __init__(self) -> None:
        self.entries: dict[bytes, float] = {}

    def request(self, now: float, payload: dict[str, Any], tally: Tally) -> None:
        seq = openai_tokens(payload)
        data = seq.tobytes()
        size = seq.itemsize
        hasher = hashlib.sha256()
        done = 0
        keys: list[tuple[int, bytes]] = []
        n = openai_cacheable(len(seq))
        stops = range(1024, n + 1, 128) if n else range(0)
        for stop in stops:
            hasher.update(data[done * size:stop * size])
            done = stop
            keys.append((stop, hasher.copy().digest()))
        read = 0
        for stop, key in keys:
            seen = self.entries.get(key)
            if seen is None or now - seen > TTL:
                break
            read = stop
        for _, key in keys:
            self.entries[key] = now
        tally.add(len(seq), read, 0)
        if len(self.entries) > 200_000:
            self.entries = {k: t for k, t in self.entries.items() if now - t <= TTL}


# --------------------------------------------------------------------------------------------
# Part (b): workloads
# --------------------------------------------------------------------------------------------

TOOLS = (
    '<tool-definition name="lookup_order" description="Look up an order by its number: items, status, '
    'delivery date, payments.">\n{"type": "object", "properties": {"order": {"type": "string"}}, '
    '"required": ["order"]}\n</tool-definition>\n'
    '<tool-definition name="issue_refund" description="Refund an order or some of its items to the original '
    'payment method.">\n{"type": "object", "properties": {"order": {"type": "string"}, "amount": '
    '{"type": "number"}, "reason": {"type": "string"}}, "required": ["order", "amount", "reason"]}\n'
    "</tool-definition>\n"
)
NAIVE_HEAD = "<p>Current time: {{ now }}</p>\n"


def volatile(*names: str) -> str:
    """Declare context variables volatile: PML's stability check then warns when one lands before a
    cached module (the naive variant)."""
    return "".join(f'<let name="{n}" volatile="true"/>\n' for n in names)


def conversation_sources() -> dict[str, str]:
    w = Writer(23)
    policy = "\n".join(w.sections(10, paragraphs=2, sentences=5, bullets=3))
    guide = ("<section><h>Using the tools</h>\n<p>Call lookup_order before answering any question about a "
             "specific order, and quote the status it returns. Call issue_refund only after the rules above "
             "allow the refund and the customer has confirmed the amount.</p>\n</section>\n" + w.faq(30))
    turns = ('<div for="t in turns"><human-msg>{{ t.user }}</human-msg><ai-msg>{{ t.assistant }}</ai-msg></div>\n'
             "<human-msg>{{ question }}</human-msg>\n")
    schema = f'<schema name="support">\n{module_def("policy", policy)}\n{module_def("guide", guide)}\n</schema>\n'
    top = volatile("now", "turns", "question")
    head = "<p>You are the support assistant of {{ company }}. Follow the policy below.</p>\n"
    mods = f"{head}{use('policy')}\n{use('guide')}\n"
    return {
        "modules": f"<pml>\n{top}{schema}{TOOLS}<system-msg>\n{mods}</system-msg>\n{turns}</pml>\n",
        "inline": f"<pml>\n{top}{TOOLS}<system-msg>\n{head}{policy}\n{guide}\n</system-msg>\n{turns}</pml>\n",
        "naive": f"<pml>\n{top}{schema}{TOOLS}<system-msg>\n{NAIVE_HEAD}{mods}</system-msg>\n{turns}</pml>\n",
    }


TASKS = ("refunds", "shipping", "account")


def stream_sources() -> dict[str, str]:
    w = Writer(31)
    policy = "\n".join(w.sections(11, paragraphs=2, sentences=5, bullets=3))
    tasks = {}
    for i, name in enumerate(TASKS):
        body = "\n".join(w.sections(3, paragraphs=2, sentences=4, bullets=2)) + "\n" + w.faq(6 + 2 * i)
        tasks[name] = f"<section><h>Task: {name}</h>\n<p>This request is about {name}.</p>\n</section>\n{body}"
    union = "  <union>\n" + "\n".join(module_def(n, b) for n, b in tasks.items()) + "\n  </union>\n"
    schema = f'<schema name="support">\n{module_def("policy", policy)}\n{union}</schema>\n'
    mods = use("policy") + "\n" + "\n".join(use(n, f"task == '{n}'") for n in TASKS) + "\n"
    inl = policy + "\n" + "\n".join(inline(b, f"task == '{n}'") for n, b in tasks.items()) + "\n"
    profile = ("<section><h>Customer</h>\n<p>Name: {{ profile.name }}. Tier: {{ profile.tier }}. Customer since "
               "{{ profile.since }}; {{ profile.orders }} orders, last on {{ profile.last }}. Prefers "
               "{{ profile.channel }}. Notes: {{ profile.notes }}</p>\n</section>\n")
    human = "<human-msg>{{ question }}</human-msg>\n"
    top = volatile("now", "profile", "question")
    return {
        "modules": f"<pml>\n{top}{schema}<system-msg>\n{mods}{profile}</system-msg>\n{human}</pml>\n",
        "inline": f"<pml>\n{top}<system-msg>\n{inl}{profile}</system-msg>\n{human}</pml>\n",
        "naive": f"<pml>\n{top}{schema}<system-msg>\n{NAIVE_HEAD}{mods}{profile}</system-msg>\n{human}</pml>\n",
    }


FIRST = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Ken", "Margaret", "Linus", "Radia", "Donald", "Frances"]
LAST = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Thompson", "Hamilton", "Perlman", "Knuth", "Allen"]
NOTES = ["asked for email only", "had a late delivery last month", "VIP since the spring sale",
         "prefers short answers", "two open tickets", "returned three items this year", "none"]


@dataclass
class Request:
    at: float  # simulated seconds since the start
    context: dict[str, Any]


def conversation_requests(turns: int) -> list[Request]:
    history, questions = Writer(5).conversation(turns)
    out = []
    for i in range(turns):
        now = START + timedelta(seconds=30 * i)
        out.append(Request(30.0 * i, {"company": COMPANY, "turns": history[:i], "question": questions[i],
                                      "now": now.isoformat()}))
    return out


def stream_requests(count: int) -> list[Request]:
    rng = random.Random(2026)
    w = Writer(77)
    at = 0.0
    out = []
    for i in range(count):
        at += rng.expovariate(1 / 2.0)
        task = rng.choices(TASKS, weights=(5, 3, 2))[0]
        profile = {"name": f"{rng.choice(FIRST)} {rng.choice(LAST)}", "tier": rng.choice(("basic", "plus", "gold")),
                   "since": 2010 + rng.randrange(16), "orders": rng.randint(1, 240),
                   "last": f"2026-0{rng.randint(1, 2)}-{rng.randint(10, 28)}",
                   "channel": rng.choice(("email", "chat", "phone")), "notes": rng.choice(NOTES)}
        question = f"Request {i + 1}, order {50000 + rng.randrange(90000)}: {w.fill(rng.choice(QUESTIONS))}"
        out.append(Request(at, {"company": COMPANY, "task": task, "profile": profile, "question": question,
                                "now": (START + timedelta(seconds=at)).isoformat(timespec="seconds")}))
    return out


@dataclass
class WorkloadResult:
    key: str
    title: str
    requests: int
    span_seconds: float
    same_text: bool
    render_seconds: float
    tallies: list[Tally]
    warnings: dict[str, list[str]]
    breakpoints: list[tuple[str, int]]  # PML's Anthropic plan for the first request: (module, prefix tokens)


def run_workload(key: str, title: str, sources: dict[str, str], requests: list[Request],
                 rolling: bool) -> WorkloadResult:
    started = time.perf_counter()
    prompts = {v: pml.loads(sources[v], name=f"<caching:{key}:{v}>") for v in ("modules", "inline", "naive")}
    labels = {"modules": "PML modules", "inline": "no modules (inline)", "naive": "naive order (timestamp first)"}
    tallies: list[Tally] = []
    same = True
    for variant, prompt in prompts.items():
        anthropic = Tally("anthropic", labels[variant])
        rolled = Tally("anthropic", "PML modules + caller's rolling breakpoint")
        openai = Tally("openai", labels[variant])
        caches = (AnthropicCache(ANTHROPIC_MODEL), AnthropicCache(ANTHROPIC_MODEL), OpenAICache())
        for index, request in enumerate(requests):
            rendered = prompt.render(request.context)
            if variant == "inline" and index % 50 == 0:
                reference = prompts["modules"].render(request.context)
                same = same and reference.messages == rendered.messages
            payload = rendered.to_anthropic(model=ANTHROPIC_MODEL)
            caches[0].request(request.at, payload, anthropic)
            if rolling and variant == "modules":
                caches[1].request(request.at, add_rolling_breakpoint(payload), rolled)
            caches[2].request(request.at, rendered.to_openai(), openai)
        tallies.append(anthropic)
        if rolling and variant == "modules":
            tallies.append(rolled)
        tallies.append(openai)
    tallies.sort(key=lambda t: t.provider)
    span = requests[-1].at - requests[0].at if requests else 0.0
    warnings = {v: [d.message for d in p.diagnostics if d.severity == "warning"] for v, p in prompts.items()}
    plan = prompts["modules"].render(requests[0].context).cache_plan("anthropic", ANTHROPIC_MODEL)
    points = [(b.module, b.prefix_tokens) for b in plan.breakpoints]
    return WorkloadResult(key, title, len(requests), span, same, time.perf_counter() - started, tallies, warnings,
                          points)


def report_workload(result: WorkloadResult) -> None:
    print()
    print(f"(b) {result.title}: {result.requests:,} requests over {result.span_seconds / 60:.1f} simulated minutes")
    print()
    base = {t.provider: t.cost for t in result.tallies if t.variant.startswith("no modules")}
    rows = []
    for t in result.tallies:
        saving = base[t.provider] / t.cost if t.cost else 0.0
        bps = f"{t.breakpoints / t.requests:.1f}" if t.provider == "anthropic" else "auto"
        rows.append([t.provider, t.variant, f"{t.requests:,}", bps, f"{t.hits:,}", f"{t.input_tokens:,}",
                     f"{t.read_tokens:,}", f"{t.write_tokens:,}", f"{t.uncached_tokens:,}", f"{t.cost:,.0f}",
                     f"{t.cost / t.input_tokens:.3f}", f"{saving:.2f}×"])
    print(table(["provider", "variant", "requests", "bp/req", "hits", "input tokens", "cache reads", "cache writes",
                 "uncached", "cost (units)", "cost/token", "saving vs inline"], rows, left=2))
    print(f"  Module and inline variants render the same messages: {'yes' if result.same_text else 'NO'}")
    points = ", ".join(f"after `{m}` at {n:,} tokens" for m, n in result.breakpoints)
    print(f"  PML's Anthropic breakpoints in the first request: {points or 'none'}")
    counts = ", ".join(f"{v} {len(w)}" for v, w in result.warnings.items())
    first = next((w[0] for w in result.warnings.values() if w), None)
    print(f"  PML compile warnings (stability check, `now` declared volatile): {counts}"
          + (f"; e.g. {first}" if first else ""))


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------


def code_state() -> dict[str, Any]:
    state: dict[str, Any] = {}
    try:
        def git(*args: str) -> str:
            return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True, timeout=10,
                                  check=True).stdout.strip()

        state["commit"] = git("rev-parse", "--short", "HEAD")
        state["dirty"] = [line[3:] for line in git("status", "--porcelain", "--", "pml").splitlines()]
    except Exception:
        pass
    return state


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def load_average() -> float | None:
    try:
        return os.getloadavg()[0]
    except (OSError, AttributeError):
        return None


def iter_rows(results: Sequence[WorkloadResult]) -> Iterator[dict[str, Any]]:
    for r in results:
        base = {t.provider: t.cost for t in r.tallies if t.variant.startswith("no modules")}
        for t in r.tallies:
            yield {"workload": r.key, **asdict(t), "saving_vs_inline": base[t.provider] / t.cost if t.cost else None}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer renders and requests (under 10 s)")
    parser.add_argument("--json", metavar="OUT", help="also write the results as JSON to OUT")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    code = code_state()
    dirty = f" + uncommitted changes to {', '.join(code['dirty'])}" if code.get("dirty") else ""
    print(f"PML caching benchmark — {cpu_name()}, Python {platform.python_version()}"
          f"{' (quick)' if args.quick else ''}; code: commit {code.get('commit', '?')}{dirty}", flush=True)
    load_before = load_average()
    if load_before is not None:
        print(f"load average before the run: {load_before:.2f} (1 min)")

    a = part_a(args.quick)
    print("(b) prefix-cache simulation ...", flush=True)
    turns = 20
    stream = 300 if args.quick else 1000
    results = [
        run_workload("conversation", f"{turns}-turn conversation (one request every 30 s)", conversation_sources(),
                     conversation_requests(turns), rolling=True),
    ]
    progress(f"conversation simulated in {results[-1].render_seconds:.1f} s")
    results.append(run_workload("stream", f"{stream:,} requests, ~2 s apart, 3 task modules + shared policy",
                                stream_sources(), stream_requests(stream), rolling=False))
    progress(f"request stream simulated in {results[-1].render_seconds:.1f} s")

    report_a(a)
    for r in results:
        report_workload(r)
    print()
    print(f"Prices in uncached-token units: uncached 1, cache read {READ_PRICE:g}, cache write {WRITE_PRICE:g} "
          f"(Anthropic, 5-minute TTL); OpenAI bills no writes (its column is 0: those tokens are in 'uncached').")
    print(f"Anthropic {ANTHROPIC_MODEL}: minimum {anthropic_minimum(ANTHROPIC_MODEL)[0]:,} tokens, lookback "
          f"{LOOKBACK} blocks, tokens estimated with o200k_base. OpenAI {OPENAI_MODEL}: ≥ 1,024 tokens in 128-token "
          "steps, routing assumed perfect (prompt_cache_key changes nothing in this model).")
    print("PML places breakpoints at the ends of cached modules only: the growing conversation is not marked. "
          "The 'rolling breakpoint' row adds one on the last message, as a caller would.")
    print("bp/req: cache_control blocks per request; hits: requests that read from the cache.")
    elapsed = time.perf_counter() - started
    load_after = load_average()
    load_note = f"; load average {load_after:.2f} (1 min)" if load_after is not None else ""
    print(f"\nTotal time {elapsed:.1f} s{load_note}")

    if args.json:
        payload = {
            "machine": {"cpu": cpu_name(), "python": platform.python_version(), "platform": platform.platform()},
            "code": code,
            "quick": args.quick,
            "load_average": {"before": load_before, "after": load_after},
            "models": {"anthropic": ANTHROPIC_MODEL, "openai": OPENAI_MODEL},
            "prices": {"uncached": 1.0, "read": READ_PRICE, "write": WRITE_PRICE},
            "ttl_seconds": TTL,
            "render": a,
            "simulation": [{"workload": r.key, "title": r.title, "requests": r.requests,
                            "span_seconds": r.span_seconds, "same_messages_module_inline": r.same_text,
                            "seconds": r.render_seconds, "compile_warnings": r.warnings,
                            "first_request_breakpoints": r.breakpoints} for r in results],
            "rows": list(iter_rows(results)),
            "elapsed": elapsed,
        }
        Path(args.json).write_text(json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8")
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
