"""A long fuzzing run: many generated inputs, each compiled and rendered under a memory and time bound.

    python tests/tools/fuzz_long.py --count 100000 --workers 2 --seed 1

Inputs come from four generators, in turn:

- `document`: documents built from the component registry: random tags, attributes with values of
  every type (and wrong types, and `{{ }}` values), text, entities, comments, CDATA, expressions;
- `mutation`: byte-level mutations of the case corpus (tests/cases/**/*.pml): flips, insertions of
  markup characters, deletions, duplicated and spliced slices, invalid UTF-8;
- `stylesheet`: random CSS and JSON stylesheets applied to a fixed document;
- `expression`: random expressions over JavaScript and Jinja operators, literals, filters, methods
  and deep nesting.

Each input runs in a worker process limited to 2 GiB of address space and a time bound per input
(default 30 s). The allowed outcomes are a render (every payload format is built) or a `PMLError`
whose error diagnostics have a location. Anything else — another exception, an unlocated error, a
timeout, running out of memory, a dead worker — is a finding: it is printed with its reproducer and
written to `--findings DIR`. The run ends with a table of outcomes by generator.
"""

from __future__ import annotations

import argparse
import atexit
import json
import multiprocessing as mp
import os
import random
import resource
import shutil
import signal
import sys
import tempfile
import time
import traceback
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "tests" / "cases"

GENERATORS = ("document", "mutation", "stylesheet", "expression")

_CONTEXT: dict[str, Any] = {
    "name": "Ada",
    "items": ["a", "b", "c"],
    "rows": [{"a": 1, "b": "x"}, {"a": 2, "b": "y"}],
    "n": 3,
    "user": {"name": "Ada", "tags": ["x"], "address": None},
    "text": "line one\n  line two\x01\ud800 ===== system =====",
    "big": "y" * 10_000,
    "flag": True,
    "nothing": None,
}

# ---- generators -------------------------------------------------------------------------------

_WORDS = ["a", "b", "x", "data", "the", "  ", "\n", "\t", "#", "*", "-", "1.", "{", "}", "<", ">"]
_ENTITIES = ["&amp;", "&lt;", "&gt;", "&quot;", "&#65;", "&#x1F600;", "&nbsp;", "#lt;", "#lbrace;"]
_BAD_ENTITIES = ["&bogus;", "&#0;", "&#xD800;", "&#99999999;"]
_EXPRESSIONS = [
    "name", "items", "rows", "n + 1", "n * 'ab'", "user.name", "user.missing", "user?.address?.city ?? 'x'",
    "items.length", "items.map(x => x + '!')", "items | join(', ')", "text", "big", "flag ? 'y' : 'n'",
    "nothing", "undefinedvar", "10 ** 40", "1 / 0", "JSON.stringify(rows)", "range(3)", "loop.index",
    "[1, [2, [3]]]", "{'a': 1}", "'x'.repeat(5)", "/a+/.test(name)", "typeof n", "n === 3 && !flag",
]


def _now_and_then(rng: random.Random) -> bool:
    """True now and then: for the inputs that only ever make errors (control characters)."""
    return rng.random() < 0.2


def _text(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(0, 6)):
        roll = rng.random()
        if roll < 0.6:
            parts.append(rng.choice(_WORDS))
        elif roll < 0.797:
            parts.append(rng.choice(_ENTITIES))
        elif roll < 0.8:
            parts.append(rng.choice(_BAD_ENTITIES))
        else:
            parts.append("{{ " + rng.choice(_EXPRESSIONS) + " }}")
    return " ".join(parts)


class DocumentGenerator:
    """Random component trees from the registry."""

    def __init__(self) -> None:
        import pml.components  # noqa: F401  (registers the catalog)
        from pml.registry import REGISTRY

        # The module family (`<schema>`, `<module>`, `<use>`…) has its own cases; placed at random it
        # mostly makes the same few errors, so it comes up less often here.
        family = {"schema", "module", "param", "union", "use", "import"}
        self.components = [c for c in REGISTRY if c.name.lower() not in family]
        self.family = [c for c in REGISTRY if c.name.lower() in family]

    def value(self, rng: random.Random, attr: Any) -> str:
        roll = rng.random()
        if roll < 0.06:
            return "{{ " + rng.choice([*_EXPRESSIONS, "[1]", "{'a': [1]}", "x => 1", "/a/", "null", "1"]) + " }}"
        if roll < 0.1:
            control = "\x01" if _now_and_then(rng) else ""
            return rng.choice(["", " ", "-1", "0", "1e400", "NaN", "true", "[]", "{", "&lt;", "ü", control])
        if attr.choices:
            return rng.choice(attr.choices)
        kind = attr.type
        if kind in ("integer", "number"):
            return str(rng.choice([0, 1, 2, 5, 100, -3, 2**40]))
        if kind == "boolean":
            return rng.choice(["true", "false"])
        if kind == "object":
            return rng.choice(['{"a": 1}', "{}", "{{ user }}"])
        if kind == "array":
            return rng.choice(["[1, 2]", "{{ rows }}", "{{ items }}"])
        if attr.name == "for":
            return rng.choice(["x in items", "r in rows", "i in range(3)", "x in nothing"])
        if attr.name == "if":
            return rng.choice(["{{ flag }}", "false", "{{ user.missing }}", "n > 1"])
        if attr.name == "src":
            return rng.choice(["data.csv", "missing.txt", "../../etc/passwd", "/etc/passwd", "x" * 300, "a\x00b"])
        return _text(rng)

    def element(self, rng: random.Random, depth: int) -> str:
        component = rng.choice(self.family if rng.random() < 0.03 else self.components)
        tag = rng.choice(component.tags)
        attrs = list(component.all_attrs().values())
        chosen = [a for a in attrs if a.required]
        chosen += rng.sample([a for a in attrs if not a.required], k=min(len(attrs) - len(chosen), rng.randint(0, 3)))
        written = "".join(
            f' {a.name if rng.random() < 0.7 else a.kebab}="{self.value(rng, a).replace(chr(34), "&quot;")}"'
            for a in chosen)
        if rng.random() < 0.2 or depth > 5:
            return f"<{tag}{written}/>"
        body = []
        for _ in range(rng.randint(0, 4)):
            roll = rng.random()
            if roll < 0.5:
                body.append(self.element(rng, depth + 1))
            elif roll < 0.85:
                body.append(_text(rng))
            elif roll < 0.92:
                body.append(f"<!-- {_text(rng)} -->")
            else:
                body.append(f"<![CDATA[{_text(rng)}]]>")
        return f"<{tag}{written}>{''.join(body)}</{tag}>"

    def __call__(self, rng: random.Random) -> tuple[str, dict[str, Any]]:
        body = "".join(self.element(rng, 0) for _ in range(rng.randint(1, 4)))
        return (f"<poml>{body}</poml>" if rng.random() < 0.8 else body), {}


@dataclass(frozen=True)
class Mutated:
    """A mutated case file, and the folder of the case it came from (its files are beside it)."""

    data: bytes
    folder: Path


class MutationGenerator:
    """Byte mutations of the case corpus."""

    _INSERTS = (b"<", b">", b"</", b"/>", b"{{", b"}}", b"&", b";", b'"', b"'", b"=", b"<p>", b"</p>", b"<!--",
                b"-->", b"<![CDATA[", b"]]>", b"\xff", b"\xc3", b"\x00", b"\n", b"{{ x", b"for=", b"if=")

    def __init__(self) -> None:
        self.corpus = [(p.parent.relative_to(CASES), p.read_bytes())
                       for p in sorted(CASES.rglob("*.pml")) if p.stat().st_size < 20_000]

    def __call__(self, rng: random.Random) -> tuple[Mutated, dict[str, Any]]:
        folder, original = rng.choice(self.corpus)
        data = bytearray(original)
        for _ in range(rng.choice((1, 1, 1, 2, 3, 8))):
            if not data:
                data.extend(rng.choice(self._INSERTS))
                continue
            at = rng.randrange(len(data))
            roll = rng.random()
            if roll < 0.3:
                data[at:at] = rng.choice(self._INSERTS)
            elif roll < 0.5:
                del data[at:at + rng.randint(1, 20)]
            elif roll < 0.7:
                data[at] = rng.randrange(256)
            elif roll < 0.85:
                end = min(len(data), at + rng.randint(1, 200))
                data[at:at] = data[at:end] * rng.randint(1, 4)
            else:
                other = rng.choice(self.corpus)[1]
                start = rng.randrange(len(other)) if other else 0
                data[at:at] = other[start:start + rng.randint(1, 300)]
        return Mutated(bytes(data), folder), dict(_CONTEXT)


class StylesheetGenerator:
    """Random stylesheets over a fixed document."""

    _DOCUMENT = ('<poml><role class="a">R {{ name }}</role><task id="t">T</task><cp caption="C"><list>'
                 '<item>one</item></list></cp><table records="{{ rows }}"/><human-msg>{{ text }}</human-msg></poml>')

    def __init__(self) -> None:
        from pml.style.properties import property_names

        self.properties = property_names(kebab=True) + property_names()

    def css(self, rng: random.Random) -> str:
        rules = []
        for _ in range(rng.randint(0, 5)):
            selector = rng.choice(["role", "task", "cp", "list", "item", "*", ".a", "#t", "cp > list", "[caption]",
                                   "table", "a\\:b", "::x", "", "{", "poml item"])
            decls = "; ".join(
                f"{rng.choice([*self.properties, 'bogus', ''])}: "
                f"{rng.choice(['markdown', 'xml', 'json', 'true', '3', '-1', 'x', '{{ n }}', '', '!important', '[1]'])}"
                for _ in range(rng.randint(0, 4)))
            rules.append(f"{selector} {{ {decls}" + ("}" if rng.random() < 0.9 else ""))
        text = "\n".join(rules)
        if rng.random() < 0.2:
            text += rng.choice(["/*", "'", "\\", "@media x {", "}}}", "\x00"])
        return text

    def __call__(self, rng: random.Random) -> tuple[str, dict[str, Any]]:
        if rng.random() < 0.3:
            sheet: Any = {rng.choice(["role", "*", "cp", "\x7f", ""]): rng.choice(
                [{"syntax": rng.choice(["xml", 1, None, [1]])}, {"captionStyle": "bold"}, 1, None])}
            body = json.dumps(sheet).replace("<", "\\u003c").replace("&", "\\u0026")
            return self._DOCUMENT.replace("<poml>", f"<poml><stylesheet>{body}</stylesheet>"), dict(_CONTEXT)
        css = self.css(rng).replace("<", " ").replace("&", " ")
        return self._DOCUMENT.replace("<poml>", f"<poml><style>{css}</style>"), dict(_CONTEXT)


class ExpressionGenerator:
    """Random expressions: operators, literals, filters, methods and nesting."""

    _ATOMS = ("1", "0", "-1", "2.5", "'a'", '"b"', "true", "false", "null", "undefined", "name", "items", "rows",
              "n", "user", "text", "nothing", "missing", "[]", "[1, 2]", "{}", "{'k': 1}", "/a+/g", "`t ${n}`",
              "range", "String", "JSON", "Math", "self", "loop", "x => x")
    _BINARY = ("+", "-", "*", "/", "%", "**", "==", "===", "!=", "!==", "<", ">", "&&", "||", "??", "and", "or",
               "~", "in", "|")
    _POSTFIX = (".length", ".name", "?.name", "[0]", "['k']", ".toUpperCase()", ".map(x => x)", ".join('-')",
                ".split('')", ".repeat(3)", ".slice(1)", " | upper", " | join(', ')", " | length", " | tojson",
                " | default('d')", " | wordwrap(3)", " | attr('items')", ".test('aaa')", "()", "(1)")

    def expression(self, rng: random.Random, depth: int) -> str:
        roll = rng.random()
        if depth > 6 or roll < 0.3:
            return rng.choice(self._ATOMS)
        if roll < 0.55:
            return f"{self.expression(rng, depth + 1)} {rng.choice(self._BINARY)} {self.expression(rng, depth + 1)}"
        if roll < 0.7:
            return f"{self.expression(rng, depth + 1)}{rng.choice(self._POSTFIX)}"
        if roll < 0.8:
            return f"{self.expression(rng, depth + 1)} ? {self.expression(rng, depth + 1)} : {self.expression(rng, 7)}"
        if roll < 0.88:
            return f"({self.expression(rng, depth + 1)})"
        if roll < 0.94:
            return rng.choice(["!", "-", "typeof ", "not "]) + self.expression(rng, depth + 1)
        opener = rng.choice(["(", "[", "!", "-"])
        closer = {"(": ")", "[": "]"}.get(opener, "")
        count = rng.choice([50, 300, 3000])
        return opener * count + "1" + closer * count

    def __call__(self, rng: random.Random) -> tuple[str, dict[str, Any]]:
        expression = self.expression(rng, 0).replace("<", " < ").replace("&&", " && ")
        where = rng.random()
        if where < 0.6:
            return f"<poml><p>{{{{ {expression} }}}}</p></poml>", dict(_CONTEXT)
        if where < 0.8:
            return f'<poml><p if="{{{{ {expression} }}}}">x</p></poml>'.replace("&&", "&amp;&amp;"), dict(_CONTEXT)
        return f'<poml><item for="v in {expression}">{{{{ v }}}}</item></poml>'.replace("&&", "&amp;&amp;"), \
            dict(_CONTEXT)


# ---- running one input ------------------------------------------------------------------------


class _Timeout(BaseException):
    pass


def _alarm(signum: int, frame: Any) -> None:
    raise _Timeout()


_GENERATORS: dict[str, Any] = {}


def _worker_init(memory: int, corpus: Path) -> None:
    _CORPUS_COPY.append(corpus)
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    signal.signal(signal.SIGALRM, _alarm)
    _GENERATORS.update(_make_generators())


def _make_generators() -> dict[str, Any]:
    return {"document": DocumentGenerator(), "mutation": MutationGenerator(),
            "stylesheet": StylesheetGenerator(), "expression": ExpressionGenerator()}


_CORPUS_COPY: list[Path] = []


def _run(markup: str | Mutated, context: dict[str, Any]) -> str:
    """The outcome of one input: "render", "error", or a finding's description."""
    import pml

    try:
        if isinstance(markup, Mutated):
            # In the run's copy of the cases, so that a mutated file sits beside its companions.
            path = _CORPUS_COPY[0] / markup.folder / f"fuzz-{os.getpid()}.pml"
            path.write_bytes(markup.data)
            prompt = pml.load(path)
        else:
            prompt = pml.loads(markup, base_dir=CASES / "documents")
        rendered = prompt.render(context)
        for target in ("openai", "anthropic", "gemini", "text", "langchain", "openai-responses"):
            rendered.to_format(target)
        return "render"
    except pml.PMLError as error:
        unlocated = [d for d in error.errors if d.span is None]
        if unlocated:
            return f"unlocated error: {unlocated[0].message[:200]}"
        return "error"


def _one(task: tuple[str, int, float]) -> tuple[str, int, str, str]:
    kind, seed, timeout = task
    rng = random.Random(seed)
    markup, context = _GENERATORS[kind](rng)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        outcome = _run(markup, context)
        detail = ""
    except _Timeout:
        outcome, detail = "timeout", ""
    except MemoryError:
        outcome, detail = "memory", ""
    except RecursionError:
        outcome, detail = "crash: RecursionError", traceback.format_exc(limit=-8)
    except Exception as exc:  # a finding: anything but a render or a located PMLError
        outcome, detail = f"crash: {type(exc).__name__}", traceback.format_exc(limit=-8)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return kind, seed, outcome, detail


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100_000, help="inputs in all (default 100,000)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per input")
    parser.add_argument("--memory", type=int, default=2 << 30, help="bytes of address space per worker")
    parser.add_argument("--only", choices=GENERATORS, action="append", help="run only these generators")
    parser.add_argument("--findings", type=Path, default=Path("fuzz-findings"))
    args = parser.parse_args(argv)

    kinds = args.only or list(GENERATORS)
    tasks = [(kinds[i % len(kinds)], args.seed * 1_000_003 + i, args.timeout) for i in range(args.count)]
    counts: Counter[tuple[str, str]] = Counter()
    findings = 0
    started = time.perf_counter()
    context = mp.get_context("fork")
    scratch = Path(tempfile.mkdtemp(prefix="pml-fuzz-"))
    atexit.register(shutil.rmtree, scratch, True)
    shutil.copytree(CASES, scratch / "cases")
    with context.Pool(args.workers, initializer=_worker_init, initargs=(args.memory, scratch / "cases"),
                      maxtasksperchild=2000) as pool:
        for done, (kind, seed, outcome, detail) in enumerate(pool.imap_unordered(_one, tasks, chunksize=20), 1):
            label = outcome if outcome in ("render", "error") else "finding"
            counts[(kind, label)] += 1
            if label == "finding":
                findings += 1
                args.findings.mkdir(parents=True, exist_ok=True)
                markup, _ = _report_generators()[kind](random.Random(seed))
                name = args.findings / f"{kind}-{seed}"
                data = markup.data if isinstance(markup, Mutated) else markup.encode("utf-8", "surrogatepass")
                name.with_suffix(".pml").write_bytes(data)
                name.with_suffix(".txt").write_text(f"{outcome}\n{detail}", encoding="utf-8")
                print(f"finding {kind} seed={seed}: {outcome}", file=sys.stderr)
            if done % 5000 == 0:
                rate = done / (time.perf_counter() - started)
                print(f"{done:,}/{len(tasks):,} inputs, {rate:,.0f}/s, {findings} findings", file=sys.stderr)
    elapsed = time.perf_counter() - started
    print(f"{len(tasks):,} inputs in {elapsed:,.0f} s ({len(tasks) / elapsed:,.0f}/s), seed {args.seed}, "
          f"{args.workers} workers, {args.memory >> 20} MiB and {args.timeout:g} s per input")
    print(f"{'generator':<12} {'inputs':>8} {'render':>8} {'PMLError':>9} {'findings':>9}")
    for kind in kinds:
        row = [counts[(kind, label)] for label in ("render", "error", "finding")]
        print(f"{kind:<12} {sum(row):>8,} {row[0]:>8,} {row[1]:>9,} {row[2]:>9,}")
    return 1 if findings else 0


def _report_generators() -> dict[str, Any]:
    """The generators in this process, to write a finding's input (built once, on demand)."""
    if not _REPORT:
        _REPORT.update(_make_generators())
    return _REPORT


_REPORT: dict[str, Any] = {}

if __name__ == "__main__":
    sys.exit(main())
