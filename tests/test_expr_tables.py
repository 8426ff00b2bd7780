"""The expression parser's LALR tables, built ahead of time (`grammar/expr.tables.json`): they are
what the grammar builds, the parser is loaded from them, and tables of another grammar are not used."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import lark
import pytest

from pml.expressions import syntax

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT.joinpath(*syntax.TABLES)


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("expr_tables_tool", ROOT / "tests" / "tools" / "expr_tables.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


TOOL = _tool()
SAME_LARK = '"lark_version":"' + lark.__version__ + '"' in SHIPPED.read_text(encoding="utf-8")


def test_the_shipped_tables_are_what_the_grammar_builds() -> None:
    shipped = syntax.shipped_tables()
    assert shipped is not None, "run python tests/tools/expr_tables.py"
    built_data, built_memo = TOOL.tables(syntax.build_parser())
    assert shipped[0]["parser"]["parser"] == built_data["parser"]["parser"]
    assert shipped[1] == built_memo
    if SAME_LARK:
        assert SHIPPED.read_text(encoding="utf-8") == TOOL.source()


def test_the_parser_is_loaded_from_the_shipped_tables() -> None:
    loaded = syntax.parser()
    # (Tables written by another Lark version are not read: the parser is built from the grammar.)
    assert (loaded.source_path == "<deserialized>") == SAME_LARK
    assert TOOL.tables(loaded) == TOOL.tables(syntax.build_parser())


@pytest.mark.parametrize("code", ["a ? b | upper : c.d(1, 2)", "xs.map(x => x * 2).join(', ')", "`Hi ${name}`",
                                  "/^- /gm.test(s) && !(a ?? b)", "{a: [1, 2], 'b': {c: null}}[k]"])
def test_the_loaded_parser_parses_as_the_built_one(code: str) -> None:
    assert syntax.parser().parse(code) == syntax.build_parser().parse(code)


def test_tables_of_another_grammar_are_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(syntax, "grammar_digest", lambda: "0" * 64)
    assert syntax.shipped_tables() is None


def test_missing_or_broken_tables_are_not_used(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(syntax, "resource_path", lambda *parts: tmp_path.joinpath(*parts))
    assert syntax.shipped_tables() is None  # missing
    (tmp_path / "grammar").mkdir()
    tmp_path.joinpath(*syntax.TABLES).write_text("{not json", encoding="utf-8")
    assert syntax.shipped_tables() is None
