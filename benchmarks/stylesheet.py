"""Reading stylesheets: a large realistic sheet against tinycss2's own parse, and the built-in sheet.

Run from the repository root::

    python benchmarks/stylesheet.py            # full run (about 10 s)
    python benchmarks/stylesheet.py --quick    # fewer repeats (a few seconds)
    python benchmarks/stylesheet.py --json results.json

Part 1, a large sheet. A generated stylesheet of about 17.7 KB (230 rules: type, class, id and
attribute selectors, descendant and child combinators, selector lists; kebab- and camelCase
properties with values of every kind the components take, JSON objects, `!important`, comments)
is read with `parse_css`, and with tinycss2 alone: `parse_stylesheet` and then
`parse_blocks_contents` of every rule's block, which is the CSS parsing PML's reader builds on.
PML's reader also reads selectors and values and checks every property and value against the
component registry. Target: PML's read costs under 3× tinycss2's parse. (The reader before
tinycss2, a Lark LALR grammar with hand-written recovery, took 70 ms on this sheet.)

Part 2, start-up. A new Python process imports `pml`, then reads the built-in stylesheet
(`stylesheets/default.pss`) the first time it is asked for; later calls get the same object.
Target: the first read under 5 ms; later calls under a microsecond.

Each timing is the median of several repeats (time.perf_counter, garbage collector off), after a
warm-up call.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import tinycss2  # noqa: E402

import pml  # noqa: E402,F401  (registers the components)
from pml.registry import REGISTRY  # noqa: E402
from pml.style.properties import property_names  # noqa: E402
from pml.style.stylesheet import default_stylesheet, parse_css  # noqa: E402
from pml.syntax.source import Source  # noqa: E402

TAGS = ("cp", "list", "item", "task", "role", "hint", "example", "examples", "input", "output", "table",
        "p", "section", "output-format", "stepwise-instructions", "qa", "question", "document", "img",
        "human-msg", "ai-msg", "system-msg", "code", "b", "i", "h", "introducer", "object")
WORDS = "intro steps main terse wide note alt summary detail primary legacy draft final".split()
TARGET_RATIO = 3.0
TARGET_DEFAULT_FIRST = 5e-3
TARGET_DEFAULT_AGAIN = 1e-6


def _value(rng: random.Random, name: str) -> str | None:
    """A value the property takes, written as a person would; None for a property to leave out."""
    attr = REGISTRY.find_attr(name)
    if attr is None:
        return None
    writers: dict[str, Callable[[], str]] = {
        "enum": lambda: rng.choice(attr.choices),
        "boolean": lambda: rng.choice(("true", "false")),
        "integer": lambda: str(rng.randint(1, 400)),
        "number": lambda: f"{rng.uniform(0, 5):.2f}",
        "string": lambda: '"' + " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 4))).capitalize() + '"',
    }
    if name == "writerOptions":
        return json.dumps({"csvHeader": rng.choice((True, False)), "columns": rng.sample(WORDS, 2)})
    writer = writers.get(attr.type)
    return writer() if writer is not None else None


def _selector(rng: random.Random) -> str:
    compound = rng.choice(TAGS)
    roll = rng.random()
    if roll < 0.25:
        compound += "." + rng.choice(WORDS)
    elif roll < 0.32:
        compound = "#" + rng.choice(WORDS) + "-" + str(rng.randint(1, 99))
    elif roll < 0.40:
        compound += f'[caption^="{rng.choice(WORDS).capitalize()}"]'
    if rng.random() < 0.4:
        compound = rng.choice(TAGS) + rng.choice((" ", " > ")) + compound
    return compound


def stylesheet_text(size: int = 17_700, seed: int = 11) -> str:
    """The generated sheet (module docstring), cut at the first rule past `size` characters."""
    rng = random.Random(seed)
    names = [n for n in property_names() if _value(random.Random(0), n) is not None]
    parts: list[str] = ["/* A large stylesheet for the benchmark: generated, deterministic. */\n"]
    total = len(parts[0])
    while total < size:
        selectors = ", ".join(_selector(rng) for _ in range(rng.choice((1, 1, 1, 2, 3))))
        lines = []
        for name in rng.sample(names, rng.randint(1, 5)):
            written = _value(rng, name)
            spelled = name if rng.random() < 0.3 else "-".join(_kebab(name))
            important = " !important" if rng.random() < 0.08 else ""
            lines.append(f"  {spelled}: {written}{important};")
        comment = f"/* {rng.choice(WORDS)} rules */\n" if rng.random() < 0.15 else ""
        rule = f"{comment}{selectors} {{\n" + "\n".join(lines) + "\n}\n\n"
        parts.append(rule)
        total += len(rule)
    return "".join(parts)


def _kebab(name: str) -> list[str]:
    words, current = [], ""
    for char in name:
        if char.isupper():
            words.append(current)
            current = char.lower()
        else:
            current += char
    return [*words, current]


def tinycss2_parse(text: str) -> int:
    """tinycss2's own parse of the sheet: rules, then each rule's declarations."""
    count = 0
    for rule in tinycss2.parse_stylesheet(text):
        if rule.type == "qualified-rule":
            count += len(tinycss2.parse_blocks_contents(rule.content))
    return count


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


_START_UP = """
import time, sys
sys.path.insert(0, {root!r})
import pml
from pml.style.stylesheet import default_stylesheet
start = time.perf_counter()
sheet = default_stylesheet()
first = time.perf_counter() - start
start = time.perf_counter()
for _ in range(1000):
    default_stylesheet()
again = (time.perf_counter() - start) / 1000
print(first, again, len(sheet.rules))
"""


def start_up(repeat: int) -> tuple[float, float, int]:
    """The first and the later reads of the built-in sheet, in new processes (medians)."""
    firsts, agains, rules = [], [], 0
    for _ in range(repeat):
        found = subprocess.run([sys.executable, "-c", _START_UP.format(root=str(ROOT))], check=True,
                               capture_output=True, text=True).stdout.split()
        firsts.append(float(found[0]))
        agains.append(float(found[1]))
        rules = int(found[2])
    return statistics.median(firsts), statistics.median(agains), rules


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:.2f} ms"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args(argv)
    repeat = 7 if args.quick else 31

    text = stylesheet_text()
    source = Source(text, "large.pss")
    sheet = parse_css(text, source)
    pml_read = timed(lambda: parse_css(text, source), repeat)
    tiny = timed(lambda: tinycss2_parse(text), repeat)
    first, again, default_rules = start_up(3 if args.quick else 9)
    default_stylesheet()

    print(f"sheet: {len(text.encode()):,} bytes, {len(sheet.rules)} rules "
          f"({sum(len(r.declarations) for r in sheet.rules)} declarations), {len(sheet.diagnostics)} warnings")
    print()
    print("reading the sheet                 time       vs tinycss2")
    print(f"pml parse_css               {ms(pml_read):>12}   {pml_read / tiny:.2f}×")
    print(f"tinycss2 rules + blocks     {ms(tiny):>12}   1.00×")
    print()
    print(f"the built-in sheet ({default_rules} rules)   time")
    print(f"first read in a new process {ms(first):>12}")
    print(f"later calls                 {again * 1e9:>9.0f} ns")
    print()
    checks = [
        (f"reading costs under {TARGET_RATIO:g}× tinycss2's parse", pml_read / tiny < TARGET_RATIO,
         f"{pml_read / tiny:.2f}×"),
        ("the large sheet reads without warnings", not sheet.diagnostics, str(len(sheet.diagnostics))),
        (f"the built-in sheet's first read under {ms(TARGET_DEFAULT_FIRST)}", first < TARGET_DEFAULT_FIRST, ms(first)),
        ("later reads of the built-in sheet under 1 µs", again < TARGET_DEFAULT_AGAIN, f"{again * 1e9:.0f} ns"),
    ]
    for name, ok, value in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {name}: {value}")
    if args.json:
        Path(args.json).write_text(json.dumps({
            "bytes": len(text.encode()), "rules": len(sheet.rules), "pml_seconds": pml_read,
            "tinycss2_seconds": tiny, "default_first_seconds": first, "default_again_seconds": again,
            "checks": [{"name": n, "pass": ok, "value": v} for n, ok, v in checks]}, indent=2), encoding="utf-8")
        print(f"wrote {args.json}")
    return 0 if all(ok for _, ok, _ in checks) else 1


if __name__ == "__main__":
    raise SystemExit(main())
