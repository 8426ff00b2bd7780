#!/usr/bin/env python3
"""Write `pml/syntax/lalr_tables.py`: the LALR tables of `grammar/pml.lark`, built ahead of time.

Run after changing the grammar or upgrading Lark; `tests/test_lexicon.py` fails until the tables
are what the grammar builds.

    python tests/tools/lalr_tables.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))

from pml.syntax.grammar import write_tables


def main() -> int:
    print(f"wrote {write_tables()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
