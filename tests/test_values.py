"""The value model: `to_text`, `guess_type` and `convert_type`, from case files and properties.

Cases live in `tests/cases/expressions/to_text.txt` and `let.txt`; each file explains its format.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pml.values import TYPE_NAMES, convert_type, guess_type, js_number, parse_json, to_json, to_text

CASE_DIR = Path(__file__).resolve().parent / "cases" / "expressions"


def case_lines(name: str) -> list[Any]:
    lines = (CASE_DIR / name).read_text(encoding="utf-8").splitlines()
    return [
        pytest.param(line, id=f"{name}:{number}")
        for number, line in enumerate(lines, 1)
        if line.strip() and not line.startswith("#")
    ]


@pytest.mark.parametrize("line", case_lines("to_text.txt"))
def test_to_text_case(line: str) -> None:
    value, _, expected = line.partition("=>")
    assert to_text(json.loads(value)) == json.loads(expected)


@pytest.mark.parametrize("line", case_lines("let.txt"))
def test_let_case(line: str) -> None:
    kind, body, *rest = (part.strip() for part in line.split(" | "))
    text = json.loads(body)
    if kind == "guess":
        assert json.dumps(guess_type(text)) == json.dumps(json.loads(rest[0]))
        return
    assert kind == "convert"
    type_name, expected = rest
    if expected.startswith("!"):
        with pytest.raises(ValueError) as info:
            convert_type(text, type_name)
        assert str(info.value) == expected[1:]
    else:
        assert json.dumps(convert_type(text, type_name)) == json.dumps(json.loads(expected))


def test_case_files_are_not_empty() -> None:
    assert len(case_lines("to_text.txt")) > 30
    assert len(case_lines("let.txt")) > 30


def test_type_names() -> None:
    assert TYPE_NAMES == ("string", "integer", "float", "number", "boolean", "array", "object",
                          "null", "undefined", "json")


def test_tuples_and_other_objects() -> None:
    class Thing:
        def __str__(self) -> str:
            return "thing"

    assert to_text((1, "a")) == '[1,"a"]'
    assert to_text(Thing()) == "thing"
    assert to_text({"t": Thing(), 1: True}) == '{"t":"thing","1":true}'


def test_to_json_indent() -> None:
    expected = '{\n  "a": [\n    1,\n    {}\n  ],\n  "b": []\n}'
    assert to_json({"a": [1, {}], "b": []}, "  ") == expected
    assert to_json([1, [2]], "\t") == "[\n\t1,\n\t[\n\t\t2\n\t]\n]"
    assert to_json("x", "  ") == '"x"'


def test_parse_json_is_strict() -> None:
    assert parse_json('{"a": [1, 2.5]}') == {"a": [1, 2.5]}
    with pytest.raises(ValueError, match=r"^`Infinity` is not valid JSON$"):
        parse_json("[Infinity]")
    with pytest.raises(ValueError, match=r"^Expecting value at line 2 column 1$"):
        parse_json("[1,\n]")


# ---------------------------------------------------------------------------------------------
# Properties

JSON_SCALARS = (
    st.none() | st.booleans() | st.integers() | st.text()
    | st.floats(allow_nan=False, allow_infinity=False)
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=20,
)


def same_json(left: Any, right: Any) -> bool:
    """JSON equality: numbers are numbers (a float written as digits reads back as an int)."""
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    if isinstance(left, (int, float)) and isinstance(right, (int, float)):
        return left == right if type(left) is type(right) else float(left) == float(right)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(map(same_json, left, right))
    if isinstance(left, dict) and isinstance(right, dict):
        return list(left) == list(right) and all(same_json(left[k], right[k]) for k in left)
    return type(left) is type(right) and left == right


@given(value=st.lists(JSON_VALUES, max_size=4) | st.dictionaries(st.text(), JSON_VALUES))
def test_containers_round_trip_through_json(value: Any) -> None:
    text = to_text(value)
    assert same_json(json.loads(text), value)
    assert text == to_json(value)


@given(value=JSON_VALUES)
def test_json_text_round_trips(value: Any) -> None:
    assert same_json(json.loads(to_json(value)), value)
    assert same_json(json.loads(to_json(value, "  ")), value)


def test_same_json_tells_values_apart() -> None:
    assert same_json(20773187020383570, 2.077318702038357e16)
    assert not same_json(1, True)
    assert not same_json([1], [1, 2])
    assert not same_json({"a": 1, "b": 2}, {"b": 2, "a": 1})
    assert not same_json("1", 1)


@given(text=st.text())
def test_strings_are_written_unchanged(text: str) -> None:
    assert to_text(text) is text


@given(number=st.floats(allow_nan=False, allow_infinity=False))
def test_js_number_round_trips(number: float) -> None:
    text = js_number(number)
    assert float(text) == number
    assert "e" not in text or "e+" in text or "e-" in text
    if number.is_integer() and abs(number) <= 2**53:
        assert text == str(int(number))


@given(number=st.integers())
def test_integers_guess_back(number: int) -> None:
    assert guess_type(f"  {number}\n") == number
    assert convert_type(str(number), "integer") == number


@given(number=st.floats(allow_nan=False, allow_infinity=False))
def test_floats_convert_back(number: float) -> None:
    assert convert_type(repr(number), "float") == number
    assert guess_type(json.dumps(number)) == number
    assert math.copysign(1, convert_type(repr(number), "number")) == math.copysign(1, number)
