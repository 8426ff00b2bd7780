#!/usr/bin/env python3
"""Regenerate (or check) the POML-parity golden files.

For every ``NAME.pml`` in the cases directory this script renders the document
with the POML reference implementation (PyPI package ``poml``, tested with
0.0.8) and writes ``NAME.expected.txt``.  Optional companions:

* ``NAME.context.json``  - passed as ``context=``
* ``NAME.pss.json``      - passed as ``stylesheet=`` (POML's JSON stylesheet)
* ``NAME.options.json``  - render options; currently only ``{"chat": false}``

The expected text is what ``poml(..., format="raw", extra_args=["-p"])``
prints: for each message ``===== SPEAKER =====\\n\\nCONTENT``, messages joined
by a blank line, no trailing newline.  With ``chat: false`` POML returns one
plain string and prints it without a speaker header.  Every case is rendered a
second time with ``format="message_dict"`` and the text rebuilt from the
message list must be identical, otherwise the case is reported as an error.

This is a developer tool, not part of the test suite (it needs ``poml`` and
Node, and each render takes ~0.7 s).  Usage::

    python tests/tools/make_parity_cases.py tests/cases/parity            # write
    python tests/tools/make_parity_cases.py tests/cases/parity --check    # compare
    python tests/tools/make_parity_cases.py tests/cases/parity -k style_  # subset
"""

from __future__ import annotations

import argparse
import concurrent.futures
import fnmatch
import json
import sys
from pathlib import Path


def load_case(pml_path: Path) -> dict:
    stem = pml_path.name[: -len(".pml")]
    base = pml_path.parent
    case = {"name": stem, "markup": pml_path.read_text(encoding="utf-8")}
    for key, suffix in (("context", ".context.json"), ("stylesheet", ".pss.json"),
                        ("options", ".options.json")):
        p = base / (stem + suffix)
        case[key] = json.loads(p.read_text(encoding="utf-8")) if p.exists() else None
    return case


def from_messages(messages, chat: bool) -> str:
    if not chat:
        if not isinstance(messages, str):
            raise ValueError(f"chat=False should give a string, got {type(messages).__name__}")
        return messages
    parts = []
    for m in messages:
        if not isinstance(m.get("content"), str):
            raise ValueError(f"non-text content in message: {m!r}"[:200])
        parts.append(f"===== {m['speaker']} =====\n\n{m['content']}")
    return "\n\n".join(parts)


def render(case: dict) -> str:
    import poml  # imported lazily: only this tool needs the reference package

    opts = case["options"] or {}
    unknown = set(opts) - {"chat"}
    if unknown:
        raise ValueError(f"unknown options {sorted(unknown)}")
    chat = bool(opts.get("chat", True))
    kwargs = dict(context=case["context"], stylesheet=case["stylesheet"], chat=chat)
    pretty = poml.poml(case["markup"], format="raw", extra_args=["-p"], **kwargs)
    messages = poml.poml(case["markup"], format="message_dict", **kwargs)
    rebuilt = from_messages(messages, chat)
    if pretty != rebuilt:
        raise ValueError(
            "pretty output differs from message_dict output:\n"
            f"  pretty : {pretty!r}\n  rebuilt: {rebuilt!r}"
        )
    return pretty


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("cases_dir", type=Path)
    ap.add_argument("--check", action="store_true",
                    help="compare with the existing .expected.txt files instead of writing")
    ap.add_argument("-k", "--select", action="append", default=[],
                    help="only cases whose name matches this glob or prefix (repeatable)")
    ap.add_argument("-j", "--jobs", type=int, default=2, help="parallel renders (default 2)")
    ap.add_argument("--show", action="store_true", help="print every rendered output")
    args = ap.parse_args(argv)

    files = sorted(args.cases_dir.glob("*.pml"))
    if args.select:
        files = [f for f in files
                 if any(fnmatch.fnmatch(f.stem, s) or f.stem.startswith(s) for s in args.select)]
    if not files:
        print("no cases found", file=sys.stderr)
        return 2
    cases = [load_case(f) for f in files]

    failures = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = {pool.submit(render, c): c for c in cases}
        results = {}
        for fut in concurrent.futures.as_completed(futures):
            c = futures[fut]
            try:
                results[c["name"]] = ("ok", fut.result())
            except Exception as exc:
                results[c["name"]] = ("error", f"{type(exc).__name__}: {exc}")

    for c in cases:
        name = c["name"]
        status, out = results[name]
        exp_path = args.cases_dir / f"{name}.expected.txt"
        if status == "error":
            failures += 1
            print(f"ERROR  {name}: {out}")
            continue
        if args.show:
            print(f"----- {name}\n{out}\n")
        if args.check:
            if not exp_path.exists():
                failures += 1
                print(f"MISSING {name}")
            elif exp_path.read_text(encoding="utf-8") != out:
                failures += 1
                print(f"DIFF   {name}\n  expected: {exp_path.read_text(encoding='utf-8')!r}\n"
                      f"  poml    : {out!r}")
        else:
            old = exp_path.read_text(encoding="utf-8") if exp_path.exists() else None
            if old != out:
                exp_path.write_text(out, encoding="utf-8", newline="")
                print(f"{'WROTE ' if old is None else 'UPDATE'} {name}")
    print(f"{len(cases)} cases, {failures} problem(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
