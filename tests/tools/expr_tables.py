#!/usr/bin/env python3
"""Write `grammar/expr.tables.json`: the LALR tables of `grammar/expr.lark`, built ahead of time.

Run after changing the expression grammar or upgrading Lark; `tests/test_expressions.py` fails
until the tables are what the grammar builds.

    python tests/tools/expr_tables.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

import lark  # noqa: E402
from lark.grammar import Rule  # noqa: E402
from lark.lexer import TerminalDef  # noqa: E402

from pml.expressions import syntax  # noqa: E402
from pml.syntax.grammar import _canonical  # noqa: E402  (the markup tables are numbered the same way)

TABLES = ROOT.joinpath(*syntax.TABLES)


def tables(parser: lark.Lark) -> tuple[dict[str, Any], dict[Any, Any]]:
    """The parse tables of `parser` as plain data, numbered the same way whatever order Lark's analysis
    found the states in (its lexer callbacks are code, given again when the tables are loaded)."""
    data, memo = parser.memo_serialize([TerminalDef, Rule])
    options = {k: v for k, v in data["options"].items() if k not in ("transformer", "lexer_callbacks")}
    front = data["parser"]
    return {**data, "options": options, "parser": {**front, "parser": _canonical(front["parser"])}}, memo


def encoded(value: Any) -> Any:
    """Lark's data in JSON (`pml.expressions.syntax._decoded` reads it back): a tuple as
    `{"__tuple__": [...]}`, a dictionary whose keys are not all strings as `{"__items__": [[key, value], ...]}`
    in key order (the order Lark's analysis made them in varies from run to run; it means nothing)."""
    if isinstance(value, tuple):
        return {"__tuple__": [encoded(item) for item in value]}
    if isinstance(value, dict):
        if all(isinstance(key, str) for key in value) and not {"__tuple__", "__items__"} & set(value):
            return {key: encoded(item) for key, item in value.items()}
        pairs = sorted(value.items(), key=lambda pair: (type(pair[0]).__name__, pair[0]))
        return {"__items__": [[encoded(key), encoded(item)] for key, item in pairs]}
    if isinstance(value, list):
        return [encoded(item) for item in value]
    return value


def source() -> str:
    """The text of `grammar/expr.tables.json` for the grammar and Lark installed now."""
    data, memo = tables(syntax.build_parser())
    shipped = {"grammar_sha256": syntax.grammar_digest(), "lark_version": lark.__version__,
               "data": encoded(data), "memo": encoded(memo)}
    return json.dumps(shipped, indent=0, separators=(",", ":"), sort_keys=True, ensure_ascii=True) + "\n"


def main() -> int:
    TABLES.write_text(source(), encoding="utf-8")
    print(f"wrote {TABLES}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
