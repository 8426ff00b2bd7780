#!/usr/bin/env python3
"""Record POML's outputs for the differential suite: `NAME.poml.json` beside each document.

Runs POML's own package (`poml`, 0.0.8; Node, about 0.7 s a call, two at a time) on every
document of the suite's folders (`tests/differential.py`), or on the documents named, and writes
what it returns. `tests/test_differential.py` compares PML with these recordings; its `live`
tests (`pytest -m live`) check them against POML run again.

    python tests/tools/record_poml.py                      # every document
    python tests/tools/record_poml.py tests/cases/parity/list_basic.pml
    python tests/tools/record_poml.py --stale              # only missing or out-of-date recordings
    python tests/tools/record_poml.py --check              # compare, write nothing; exit 1 on a difference
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import differential  # (tests/ is put on the path above)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("paths", nargs="*", type=Path, help="documents to record (default: all)")
    parser.add_argument("--stale", action="store_true", help="only documents without an up-to-date recording")
    parser.add_argument("--check", action="store_true", help="compare with the recordings, write nothing")
    args = parser.parse_args(argv)

    installed = differential.installed_poml_version()
    if installed != differential.POML_VERSION:
        print(f"POML {installed} is installed; the recordings are of {differential.POML_VERSION}", file=sys.stderr)
        return 2
    paths = [p.resolve() for p in args.paths] or differential.documents()
    if args.stale:
        paths = [p for p in paths if not _current(p)]
    outputs = differential.render_poml_all(paths)
    problems = changed = 0
    for path in paths:
        name = path.relative_to(differential.CASES)
        if args.check:
            recorded = differential.read_recording(path)
            if recorded != differential.record(path, outputs[path]):
                problems += 1
                print(f"differs: {name}")
        elif differential.write_recording(path, outputs[path]):
            changed += 1
            print(f"recorded: {name}")
    print(f"{len(paths)} documents, {problems if args.check else changed} {'differ' if args.check else 'written'}")
    return 1 if problems else 0


def _current(path: Path) -> bool:
    recorded = differential.read_recording(path)
    return bool(recorded) and recorded.get("inputs") == differential.inputs_digest(path)


if __name__ == "__main__":
    sys.exit(main())
