"""`<table>` beyond the data-driven cases (tests/cases/tables): the optional xlsx reader, the
registry's view of `syntax` for stylesheets, and properties of the writers and selections."""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import pml
from pml.components.table import elide, infer, parse_slice
from pml.registry import REGISTRY
from pml.render.writers.table import delimited, markdown

TABLES = Path(__file__).resolve().parent / "cases" / "tables"


def test_xlsx_without_openpyxl_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # `import openpyxl` now fails
    with pytest.raises(pml.PMLRenderError) as info:
        pml.loads('<poml>\n  <table src="budget.xlsx"/>\n</poml>', base_dir=TABLES).render()
    error = info.value
    assert error.message == "reading .xlsx files needs the optional readers: pip install 'pml[documents]'"
    assert (error.line, error.column) == (2, 15)


def test_syntax_fits_any_component_that_has_it() -> None:
    assert REGISTRY.fits("syntax", "csv")  # only <table> takes csv
    assert REGISTRY.fits("syntax", "json")
    assert not REGISTRY.fits("syntax", "loud")
    attr = REGISTRY.find_attr("syntax")
    assert attr is not None and {"markdown", "csv", "tsv", "jsonl"} <= set(attr.choices)


def test_a_stylesheet_may_set_a_table_syntax_without_a_warning() -> None:
    prompt = pml.loads('<poml><style>table { syntax: csv }</style><table records="{{ [[1, 2]] }}"/></poml>')
    assert prompt.diagnostics == []
    assert prompt.render().text().endswith("Column 0,Column 1\n1,2")


def test_a_csv_syntax_elsewhere_is_still_refused() -> None:
    with pytest.raises(pml.PMLCompileError, match="`syntax` should be one of"):
        pml.loads('<poml><p syntax="csv">x</p></poml>')


cell = st.one_of(st.text(max_size=12), st.integers(), st.none())


@given(st.lists(st.lists(cell, min_size=3, max_size=3), max_size=5), st.sampled_from([",", ";", "\t", " "]))
def test_delimited_text_reads_back_as_the_same_cells(rows: list[list[object]], separator: str) -> None:
    text = delimited(["a", "b", "c"], rows, separator)
    back = list(csv.reader(io.StringIO(text, newline=""), delimiter=separator))
    expected = [["a", "b", "c"], *[["" if v is None else str(v) for v in row] for row in rows]]
    assert back == expected


@given(st.lists(st.lists(st.text(max_size=8), min_size=2, max_size=2), max_size=4))
def test_markdown_rows_are_one_line_each_and_aligned(rows: list[list[str]]) -> None:
    lines = markdown(["x", "y"], rows).split("\n")
    assert len(lines) == len(rows) + 2
    widths = {len(line.encode("utf-16-le")) for line in lines}
    assert len(widths) == 1


@pytest.mark.parametrize(("count", "limit", "kept"), [
    (5, 1, [0, "..."]), (5, 2, [0, "...", 4]), (5, 3, [0, 1, "...", 4]), (5, 5, [0, 1, 2, 3, 4]),
    (2, 4, [0, 1]),
])
def test_elide_keeps_the_first_and_last_halves(count: int, limit: int, kept: list[object]) -> None:
    assert elide(list(range(count)), limit, "...") == kept


@pytest.mark.parametrize(("text", "expected"), [
    ("1:3", slice(1, 3)), ("-2:", slice(-2, None)), (":2", slice(None, 2)), (":", slice(None, None)),
    ("2", slice(2, 3)), ("-1", slice(4, 5)),
])
def test_slices(text: str, expected: slice) -> None:
    assert parse_slice(text, 5, "selectedRecords") == expected


def test_csv_columns_are_typed_only_when_every_cell_fits() -> None:
    rows = [["007", "1.50", "TRUE", "1", ""], ["12", "2e3", "false", "x", ""], ["3", "", "true", "2", ""]]
    assert infer(rows, 5) == [
        ["007", 1.5, True, "1", ""],
        ["12", 2000, False, "x", ""],
        ["3", None, True, "2", ""],
    ]
