"""JSON schemas checked against the JSON Schema meta-schema (`pml.components.schemas.schema_problems`).

The case files `tests/cases/warnings/schema_*.pml` hold the located warnings of whole documents;
here: the problems one by one, the JSON locator, and that `pml check`, `pml render` and the
language server all show the warnings.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

import pml
from pml.cli.app import app
from pml.components.schemas import json_path, locate, schema_problems
from pml.lsp.analysis import analyze, path_uri
from pml.lsp.diagnostics import convert

TYPES = "the types are array, boolean, integer, null, number, object, string"


@pytest.mark.parametrize(("schema", "expected"), [
    ({"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}, []),
    ({"type": "obect"}, [("$.type", "$.type is `obect`, not a JSON Schema type",
                          f"did you mean `object`? ({TYPES})")]),
    ({"properties": {"a": {"type": "strin"}}},
     [("$.properties.a.type", "$.properties.a.type is `strin`, not a JSON Schema type",
       f"did you mean `string`? ({TYPES})")]),
    ({"type": ["string", "float"]}, [("$.type[1]", "$.type[1] is `float`, not a JSON Schema type",
                                      f"did you mean `number`? ({TYPES})")]),
    ({"type": "widget"}, [("$.type", "$.type is `widget`, not a JSON Schema type", TYPES)]),
    ({"required": "a"}, [("$.required", "$.required must be an array, not a string", 'write ["a"]')]),
    ({"maxLength": "10"}, [("$.maxLength", "$.maxLength must be an integer, not a string", "write 10 without quotes")]),
    ({"properties": {"type": "string"}},
     [("$.properties.type", "$.properties.type must be a schema (an object, or true or false), not a string", None)]),
    ({"minItems": -1}, [("$.minItems", "$.minItems: -1 is less than the minimum of 0", None)]),
    ({"$defs": {"odd key": {"type": "str"}}},
     [('$.$defs["odd key"].type', '$.$defs["odd key"].type is `str`, not a JSON Schema type',
       f"did you mean `string`? ({TYPES})")]),
    # the draft `$schema` names is the one checked: in draft 7, `items` may be a list of schemas
    ({"$schema": "http://json-schema.org/draft-07/schema#", "items": [{"type": "text"}]},
     [("$.items[0].type", "$.items[0].type is `text`, not a JSON Schema type", f"did you mean `string`? ({TYPES})")]),
    ({"items": [{"type": "string"}]},
     [("$.items", "$.items must be a schema (an object, or true or false), not an array", None)]),
    ({"$schema": 5}, [("$.$schema", "$.$schema must be a string, not a number", None)]),
])
def test_schema_problems(schema: dict[str, Any], expected: list[tuple[str, str, str | None]]) -> None:
    assert [(p.where, p.message, p.hint) for p in schema_problems(schema)] == expected


def test_an_unknown_schema_draft_is_checked_as_2020_12() -> None:
    [problem] = schema_problems({"$schema": "https://example.com/mine", "type": "obect"})
    assert problem.message == "$.type is `obect`, not a JSON Schema type"


def test_json_path_quotes_keys_that_are_not_names() -> None:
    assert json_path(("properties", "a b", "items", 0, "type")) == '$.properties["a b"].items[0].type'
    assert json_path(()) == "$"


def test_locate_finds_the_value_the_json_keeps() -> None:
    text = '{ "a": {"b": [1, {"c": "x"}]}, "a": {"b": [2, {"c": "kept"}]} }'
    start, end = locate(text, ("a", "b", 1, "c"))  # type: ignore[misc]
    assert text[start:end] == '"kept"'
    assert locate(text, ("a", "z")) is None
    assert locate(text, ("a", "b", 5)) is None
    assert locate("not json", ("a",)) is None


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
                    max_leaves=20)
KEYWORDS = st.sampled_from(["type", "properties", "items", "required", "enum", "minimum", "$schema", "anyOf",
                            "additionalProperties", "$defs", "const", "maxLength"])


@given(st.dictionaries(KEYWORDS | st.text(max_size=4), JSON, max_size=6), st.integers(0, 3))
def test_every_problem_is_located_in_the_written_json(schema: dict[str, Any], indent: int) -> None:
    text = json.dumps(schema, indent=indent or None)
    for problem in schema_problems(schema):
        assert problem.message.startswith(problem.where)
        where = locate(text, problem.path)
        assert where is not None
        value: Any = schema
        for step in problem.path:
            value = value[step]
        assert json.loads(text[where[0]:where[1]]) == value


def test_a_deeply_nested_schema_is_reported_not_a_crash() -> None:
    schema: dict[str, Any] = {"type": "string"}
    for _ in range(5000):
        schema = {"items": schema}
    assert [p.message for p in schema_problems(schema)] == [
        "$: the schema is nested more than 100 levels deep; it is not checked"]


BAD = """<poml>
  <task>Look it up.</task>
  <tool-definition name="find">{"type": "object", "properties": {"q": {"type": "strin"}}}</tool-definition>
</poml>
"""
WARNING = "`<tool-definition>`: $.properties.q.type is `strin`, not a JSON Schema type"


def test_pml_check_and_render_show_the_warning(tmp_path: Path) -> None:
    path = tmp_path / "bad.pml"
    path.write_text(BAD, encoding="utf-8")
    runner = CliRunner()
    checked = runner.invoke(app, ["check", str(path), "--format", "json"])
    assert checked.exit_code == 0
    [found] = json.loads(checked.stdout)["files"][0]["diagnostics"]
    assert (found["severity"], found["message"], found["code"]) == ("warning", WARNING, "schema")
    assert (found["line"], found["column"]) == (3, 80)
    rendered = runner.invoke(app, ["render", str(path), "--format", "text"])
    assert rendered.exit_code == 0
    assert f"bad.pml:3:80: warning: {WARNING}" in rendered.stderr
    assert pml.loads(BAD).render().tools[0].parameters["properties"]["q"] == {"type": "strin"}  # kept as written


def test_the_language_server_publishes_the_warning(tmp_path: Path) -> None:
    uri = path_uri(tmp_path / "bad.pml")
    [published] = convert(analyze(uri, BAD))[uri]
    assert published.message == f"{WARNING}\nhint: did you mean `string`? ({TYPES})"
    assert (published.range.start.line, published.range.start.character) == (2, 79)
    assert (published.range.end.line, published.range.end.character) == (2, 86)
    assert published.code == "schema"


@pytest.mark.parametrize("body", [
    '{{ schema }}',  # known only when rendering
    'z.object({a: z.string()})',  # converted to a valid schema
    '{"type": "object", "properties": {"a": {{ inner }}}}',  # a value from the context
])
def test_bodies_that_are_not_plain_json_are_not_checked_when_compiling(body: str) -> None:
    assert pml.loads(f"<poml><output-schema>{body}</output-schema></poml>").diagnostics == []
