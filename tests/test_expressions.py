"""Expressions: the case files in `tests/cases/expressions/`, then API details and properties.

Each case file lists an expression, a context and the exact expected value or error; the format
is described at the top of `javascript.txt`.
"""

from __future__ import annotations

import json
import string
import time
from collections import ChainMap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pml import limits
from pml.errors import PMLError, PMLRenderError, PMLSyntaxError, PMLUndefinedError
from pml.expressions import (
    BUILTIN_NAMES,
    Expression,
    JSRegExp,
    compile_expression,
    parse_for,
)
from pml.syntax.source import Source
from pml.values import js_number, to_text

CASE_DIR = Path(__file__).resolve().parent / "cases" / "expressions"
EXPRESSION_FILES = ("javascript.txt", "members.txt", "jinja.txt", "errors.txt", "security.txt",
                    "arrows.txt", "undefined.txt", "limits.txt")


@dataclass
class Case:
    file: str
    title: str
    line: int
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.file}:{self.line}:{self.title}"

    @property
    def code(self) -> str:
        if "expr-json" in self.fields:
            return str(json.loads(self.fields["expr-json"]))
        return self.fields["expr"]


def load_cases(name: str) -> list[Case]:
    """Parse one case file: `=== title` starts a case, then `key: value` lines."""
    cases: list[Case] = []
    lines = (CASE_DIR / name).read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, 1):
        if line.startswith("=== "):
            cases.append(Case(name, line[4:].strip(), number))
        elif line.strip() and not line.startswith("#"):
            key, separator, value = line.partition(": ")
            assert separator and cases, f"{name}:{number}: expected `key: value`, got {line!r}"
            cases[-1].fields[key] = value
    return cases


def all_cases() -> list[Any]:
    cases = [case for name in EXPRESSION_FILES for case in load_cases(name)]
    return [pytest.param(case, id=case.id) for case in cases]


def at(code: str, *, condition: bool = False) -> tuple[Source, Expression]:
    """Compile `code` as it would appear in the text `{{ code }}`."""
    source = Source("{{ " + code + " }}", name="case.pml")
    return source, compile_expression(code, source.span(3, 3 + len(code)), condition=condition)


def evaluate(code: str, **scope: Any) -> Any:
    return at(code)[1].evaluate(scope)


def fail(code: str, **scope: Any) -> PMLError:
    with pytest.raises(PMLError) as info:
        evaluate(code, **scope)
    return info.value


def where(error: PMLError) -> str:
    span = error.span
    assert span is not None
    return f"{span.line}:{span.column}-{span.end_line}:{span.end_column}"


@pytest.mark.parametrize("case", all_cases())
def test_case(case: Case) -> None:
    with limits.using(limits.Limits().replace(**json.loads(case.fields.get("limits", "{}")))):
        run_case(case)


def run_case(case: Case) -> None:
    fields = case.fields
    assert ("error" in fields) != ("result" in fields or "text" in fields or "text-json" in fields)
    context = json.loads(fields.get("context", "{}"))
    condition = fields.get("condition") == "true"
    if "error" in fields:
        with pytest.raises(PMLError) as info:
            at(case.code, condition=condition)[1].evaluate(context)
        error = info.value
        assert type(error).__name__ == fields["error"]
        assert error.message == fields["message"]
        assert error.hint == (None if fields["hint"] == "-" else fields["hint"])
        assert where(error) == fields["at"]
        if case.file == "security.txt" and not isinstance(error, PMLSyntaxError):
            assert isinstance(error, PMLRenderError)
        return
    value = at(case.code, condition=condition)[1].evaluate(context)
    if "result" in fields:
        assert json.dumps(value) == json.dumps(json.loads(fields["result"]))
    if "text" in fields:
        assert to_text(value) == fields["text"]
    if "text-json" in fields:
        assert to_text(value) == json.loads(fields["text-json"])


def test_case_files_are_not_empty() -> None:
    assert all(len(load_cases(name)) >= 20 for name in EXPRESSION_FILES)


# ---------------------------------------------------------------------------------------------
# Python objects in the context


@dataclass
class User:
    name: str
    tags: list[str]


def test_attributes_of_python_objects() -> None:
    assert evaluate("user.name", user=User("Ann", [])) == "Ann"
    assert evaluate("user.name | upper ~ user.tags.length", user=User("Ann", ["a"])) == "ANN1"


@pytest.mark.parametrize("code", ["x.__class__", "x.__dict__", "x.__init__.__globals__",
                                  "x | attr('__class__')", "(x.name ~ '').__class__"])
def test_dunder_attributes_of_context_objects_are_unsafe(code: str) -> None:
    error = fail(code, x=User("Ann", []))
    assert isinstance(error, PMLRenderError)
    assert error.message.startswith("unsafe attribute access")


def test_missing_attribute_of_a_python_object() -> None:
    error = fail("user.email", user=User("Ann", []))
    assert isinstance(error, PMLUndefinedError)
    assert error.message == "`user` has no attribute `email`"


def test_type_methods_are_internal() -> None:
    error = fail("t.mro()", t=int)
    assert isinstance(error, PMLRenderError)
    assert error.message.startswith("unsafe attribute access in expression `t.mro()`")


# ---------------------------------------------------------------------------------------------
# API: names, translation, spans, scopes


@pytest.mark.parametrize(
    ("code", "names"),
    [
        ("question", {"question"}),
        ("example.input", {"example"}),
        ("test[0].input", {"test"}),
        ("a.b + c | upper", {"a", "c"}),
        ("JSON.stringify(x) ~ Math.max(y, 1)", {"x", "y"}),
        ("range(n) | join(sep)", {"n", "sep"}),
        ("s.replace(/a/g, 'b')", {"s"}),
        ("ok ? yes : no", {"ok", "yes", "no"}),
        ("'literal'", set()),
        ("items.map(x => x.name ~ sep)", {"items", "sep"}),
        ("xs.map(x => x.tags.map(t => t + x.y + z))", {"xs", "z"}),
        ("(k => k * k)(k)", {"k"}),
        ("Object.entries(d).map(([k, v]) => k + v + w)", {"d", "w"}),
    ],
)
def test_names(code: str, names: set[str]) -> None:
    assert at(code)[1].names == frozenset(names)


def test_builtin_names() -> None:
    assert {"JSON", "Math", "Object", "String", "Number", "parseInt", "range"} <= BUILTIN_NAMES
    assert not {"lipsum", "cycler", "joiner", "namespace"} & BUILTIN_NAMES


def test_the_builtin_names_known_before_the_sandbox_loads_are_the_sandbox_globals() -> None:
    from pml.expressions import sandbox

    assert frozenset(sandbox.GLOBAL_VALUES) == BUILTIN_NAMES == sandbox.BUILTIN_NAMES


def shape(tree: Any) -> str:
    """A parse tree as a compact s-expression: `(rule child …)`, tokens as their text."""
    from lark import Tree

    if isinstance(tree, Tree):
        children = " ".join(shape(child) for child in tree.children if child is not None)
        return f"({tree.data} {children})"
    return str(tree)


@pytest.mark.parametrize(
    ("code", "tree"),
    [
        ("a && !b", "(and_ (name a) && (not_ (name b)))"),
        ("!a == b", "(compare (not_ (name a)) (comp_op ==) (name b))"),
        ("a ? b : c ? d : e", "(js_if (name a) (name b) (js_if (name c) (name d) (name e)))"),
        ("2 ** 3 ** 2", "(pow (number 2) (pow (number 3) (number 2)))"),
        ("a + b ~ c * d", "(add (name a) (tilde (name b) (mul (name c) (name d))))"),
        ("-x | abs", "(filter (neg (name x)) abs)"),
        ("a ?? b || c", "(nullish (name a) (or_ (name b) || (name c)))"),
        ("x is not none", "(test (name x) not (test_name none))"),
        ("a if b else c if d else e", "(jinja_if_else (name a) (name b) (jinja_if_else (name c) (name d) (name e)))"),
        ("typeof x === 'number'", "(compare (typeof (name x)) (comp_op ===) (string 'number'))"),
        ("u?.a.b", "(attr (opt_attr (name u) (member a)) (member b))"),
        ("xs.map(x => y => x)",
         "(call (attr (name xs) (member map)) (call_args (arrow_name x (arrow_name y (name x)))))"),
        ("a / b / 2", "(div (div (name a) (name b)) (number 2))"),
        ("s.split(/a\\/b/g)", "(call (attr (name s) (member split)) (call_args (regex /a\\/b/g)))"),
        ("test.0.input", "(attr (attr (name test) (member 0)) (member input))"),
        ("a not in b", "(compare (name a) (comp_op not in) (name b))"),
    ],
)
def test_grammar_precedence(code: str, tree: str) -> None:
    from pml.expressions.syntax import parse

    assert shape(parse(code)) == tree


def test_expression_span_and_repr() -> None:
    source, expression = at("name")
    assert (expression.span.start, expression.span.end) == (3, 7)
    assert expression.span.source is source
    assert repr(expression) == "Expression('name')"


def test_error_text_shows_the_variable() -> None:
    error = fail("greeting ~ nme", greeting="hi", name="Ann")
    assert str(error) == (
        "case.pml:1:15: undefined variable `nme`\n"
        "  {{ greeting ~ nme }}\n"
        "                ^^^\n"
        "hint: did you mean `name`?"
    )


def test_span_falls_back_to_the_expression_when_code_is_not_the_source_text() -> None:
    source = Source('<p if="a &amp;&amp; nme"/>')
    expression = compile_expression("a && nme", source.span(7, 23))
    with pytest.raises(PMLUndefinedError) as info:
        expression.evaluate({"a": 1, "name": 2})
    assert (info.value.span.start, info.value.span.end) == (7, 23)  # type: ignore[union-attr]


def test_syntax_errors_point_at_the_expression() -> None:
    source = Source("line one\n  {{ 1 + }}")
    with pytest.raises(PMLSyntaxError) as info:
        compile_expression("1 +", source.span(14, 17))
    assert where(info.value) == "2:6-2:9"


def test_scope_may_be_any_mapping() -> None:
    scope = ChainMap({"loop": {"index": 1}}, {"items": ["a", "b"]})
    assert at("items[loop.index]")[1].evaluate(scope) == "b"
    assert at("items.join('-') ~ loop.index")[1].evaluate(scope) == "a-b1"


def test_scope_wins_over_builtins() -> None:
    assert evaluate("String", String="mine") == "mine"
    assert evaluate("String(1) ~ x", String=lambda v: "mine", x="!") == "mine!"


def test_undefined_hint_includes_the_scope_only() -> None:
    error = fail("Jsonn")
    assert error.hint == "the context defines no variables"


def test_compiling_twice_gives_equal_behaviour() -> None:
    first = at("a ? 'x' : 'y'")[1]
    second = at("a ? 'x' : 'y'")[1]
    assert first is not second
    assert first.evaluate({"a": 1}) == second.evaluate({"a": 1}) == "x"


def test_regex_object() -> None:
    regex = evaluate("/a+b/gi")
    assert isinstance(regex, JSRegExp)
    assert (regex.source, regex.flags, str(regex)) == ("a+b", "gi", "/a+b/gi")
    assert evaluate("r.test('xAAB')", r=regex) is True


def test_evaluates_each_expression_once() -> None:
    calls: list[int] = []

    def tick() -> int:
        calls.append(1)
        return len(calls)

    class Counter:
        @property
        def value(self) -> int:
            return tick()

    assert evaluate("tick() + 1", tick=tick) == 2
    assert evaluate("c.value", c=Counter()) == 2
    assert evaluate("c.value ? 'yes' : 'no'", c=Counter()) == "yes"
    assert len(calls) == 3


# ---------------------------------------------------------------------------------------------
# Arrow functions (most cases are in `arrows.txt`; sandbox cases in `security.txt`)


def test_sort_returns_a_new_list_and_leaves_the_context_alone() -> None:
    items = [{"n": 2}, {"n": 1}]
    snapshot = json.dumps(items)
    for code in ("items.sort((a, b) => a.n - b.n)", "items.toSorted((a, b) => a.n - b.n)"):
        result = evaluate(code, items=items)
        assert result == [{"n": 1}, {"n": 2}]
        assert result is not items
    assert evaluate("names.sort()", names=(names := ["b", "a"])) == ["a", "b"]
    assert names == ["b", "a"]
    assert json.dumps(items) == snapshot


def test_an_arrow_is_an_opaque_function() -> None:
    arrow = evaluate("x => x * 2")
    assert callable(arrow)
    assert arrow(21) == 42
    assert str(arrow) == to_text(arrow) == "x => x * 2"
    assert [name for name in dir(arrow) if not name.startswith("_")] == []


def test_a_stored_arrow_keeps_its_variables_and_works_in_other_expressions() -> None:
    double = evaluate("x => x * k", k=2)
    assert evaluate("xs.map(f)", xs=[1, 2], f=double, k=100) == [2, 4]
    assert evaluate("f(5) + k", f=double, k=100) == 110
    fails = evaluate("x => x.nme")
    error = fail("xs.map(f)", xs=[{"name": 1}], f=fails)
    assert isinstance(error, PMLUndefinedError)
    assert (error.message, error.hint) == ("this object has no attribute `nme`",
                                           "did you mean `name`?")
    assert where(error) == "1:4-1:13"  # the other expression's code: all of it


def test_errors_in_a_stored_arrow_suggest_its_parameters() -> None:
    error = fail("f(1)", f=evaluate("item => itme"))
    assert isinstance(error, PMLUndefinedError)
    assert (error.message, error.hint) == ("undefined variable `itme`", "did you mean `item`?")


def test_arrow_bodies_compile_once() -> None:
    from pml.expressions.arrows import statistics

    expression = at("xs.map(x => x + 1000003)")[1]
    before = statistics["compiled"]
    for _ in range(3):
        assert expression.evaluate({"xs": [1]}) == [1000004]
    assert at("ys.map(x => x + 1000003)")[1].evaluate({"ys": [2]}) == [1000005]
    assert statistics["compiled"] == before


def test_function_calls_are_bounded_by_the_item_limit() -> None:
    with limits.using(limits.Limits(max_items=1000)):
        assert len(evaluate("xs.map(x => x)", xs=list(range(1000)))) == 1000
        for code in ("xs.map(x => x)", "xs.filter(x => x)", "xs.sort((a, b) => (a % 10) - (b % 10))",
                     "xs.slice(0, 40).map(x => xs.slice(0, 40).map(y => x * y))",
                     "f(xs)"):
            scope = {"xs": list(range(1001)), "f": evaluate("xs => xs.some(x => x < 0)")}
            error = fail(code, **scope)
            assert isinstance(error, PMLRenderError)
            assert error.message.endswith("functions were called more than 1000 times"), code


def test_runaway_recursion_is_an_error() -> None:
    error = fail("(f => f(f))(f => f(f))")
    assert type(error) is PMLRenderError
    assert "recursion" in error.message
    assert evaluate("1 + 1") == 2  # and nothing is left behind


def test_plain_functions_as_arguments() -> None:
    assert evaluate("xs.map(f)", xs=[1, 2], f=lambda x: x * 3) == [3, 6]
    assert evaluate("xs.filter(ok)", xs=[1, 2, 3], ok=lambda x: x != 2) == [1, 3]
    assert evaluate("xs.reduce(add, 10)", xs=[1, 2], add=lambda a, b: a + b) == 13
    assert evaluate("xs.sort(cmp)", xs=[1, 3, 2], cmp=lambda a, b: b - a) == [3, 2, 1]

    def unsafe(value: Any) -> Any:
        return value

    unsafe.unsafe_callable = True  # type: ignore[attr-defined]
    error = fail("xs.map(f)", xs=[1], f=unsafe)
    assert type(error) is PMLRenderError
    assert error.message.startswith("unsafe attribute access in expression `xs.map(f)`")


def test_python_callables_from_the_context_are_written_as_functions() -> None:
    def shout(text: str) -> str:
        return text.upper()

    scope = {"shout": shout, "fns": [shout], "obj": {"go": shout}, "anon": lambda: 1}
    written = "function shout() { [native code] }"
    for code in ("shout", "shout | string", "shout ~ ''", "obj.go", "obj['go']", "`${shout}`", "shout | pprint"):
        assert to_text(evaluate(code, **scope)) == written, code
    assert to_text(evaluate("[shout] | string", **scope)) == f"[{written}]"
    assert to_text(evaluate("anon", **scope)) == "function () { [native code] }"
    assert evaluate("shout('a') + obj.go('b')", **scope) == "AB"
    assert to_text(evaluate("fns[0]", **scope)) == written
    assert to_text(evaluate("fns.map(f => f)", **scope)) == f'["{written}"]'


def test_arrows_in_a_for_attribute() -> None:
    name, expression = for_at("item in items.filter(i => i.done)")
    assert name == "item"
    assert expression.evaluate({"items": [{"done": True}, {"done": False}]}) == [{"done": True}]


def test_arrow_functions_are_reasonably_fast() -> None:
    expression = at("items.map((x, i) => (i + 1) + '. ' + x.name).join('\\n')")[1]
    scope = {"items": [{"name": str(n)} for n in range(1000)]}
    assert per_call(expression, scope, runs=20) < 1000 * 50e-6


@given(xs=st.lists(st.integers(-100, 100), max_size=20), n=st.integers(-100, 100))
def test_list_methods_match_python(xs: list[int], n: int) -> None:
    scope = {"xs": xs, "n": n}
    assert at("xs.map((x, i) => x * i + n)")[1].evaluate(scope) == [
        x * i + n for i, x in enumerate(xs)]
    assert at("xs.filter(x => x > n)")[1].evaluate(scope) == [x for x in xs if x > n]
    assert at("[xs.some(x => x > n), xs.every(x => x > n)]")[1].evaluate(scope) == [
        any(x > n for x in xs), all(x > n for x in xs)]
    assert at("xs.findIndex(x => x === n)")[1].evaluate(scope) == (
        xs.index(n) if n in xs else -1)
    assert at("xs.reduce((a, b) => a + b, n)")[1].evaluate(scope) == n + sum(xs)
    assert at("xs.sort((a, b) => a - b)")[1].evaluate(scope) == sorted(xs)
    assert at("xs.sort((a, b) => (a % 3) - (b % 3))")[1].evaluate(scope) == sorted(
        xs, key=lambda x: x % 3)
    assert scope["xs"] is xs


ARROW_TEXT = st.lists(
    st.sampled_from(["x", "y", "xs", "=>", "(", ")", "[", "]", "{", "}", ",", ".map", ".filter",
                     ".reduce", "+", "1", "?", ":", "!", "'s'", " ", "_", "f"]),
    max_size=14,
).map("".join)


@settings(max_examples=300)
@given(code=ARROW_TEXT)
def test_any_arrow_text_compiles_or_raises_a_syntax_error(code: str) -> None:
    _compiles_and_runs_or_fails_cleanly(code, {"x": 1, "y": "s", "xs": [1, 2], "f": lambda v: v})


def _compiles_and_runs_or_fails_cleanly(code: str, scope: dict[str, Any]) -> None:
    """Compiling and evaluating `code` either works or raises a PML error with a span."""
    source = Source(code)
    if not code.strip():
        return
    try:
        expression = compile_expression(code, source.whole())
    except PMLSyntaxError as error:
        assert error.span is not None
        return
    try:
        value = expression.evaluate(scope)
    except PMLError as error:
        assert error.span is not None
        return
    to_text(value)


# ---------------------------------------------------------------------------------------------
# parse_for


def for_at(text: str) -> tuple[str, Expression]:
    source = Source(f'<p for="{text}"/>')
    return parse_for(text, source.span(8, 8 + len(text)))


def test_parse_for() -> None:
    name, expression = for_at("item in items")
    assert name == "item"
    assert expression.code == "items"
    assert (expression.span.column, expression.span.end_column) == (17, 22)
    assert expression.evaluate({"items": [1]}) == [1]


def test_parse_for_with_an_expression() -> None:
    name, expression = for_at("  row in data.rows | reverse ")
    assert name == "row"
    assert expression.code == "data.rows | reverse"
    assert expression.evaluate({"data": {"rows": [1, 2]}}) == [2, 1]


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("x of items", "write `x in items`"),
        ("items", "for example `item in items`"),
        ("item in", "for example `item in items`"),
        ("1x in items", "for example `item in items`"),
        ("in in items", "for example `item in items`"),
    ],
)
def test_parse_for_errors(text: str, hint: str) -> None:
    with pytest.raises(PMLSyntaxError) as info:
        for_at(text)
    message = f"`for` expects `name in expression`, not `{text}`"
    assert (info.value.message, info.value.hint) == (message, hint)
    assert where(info.value) == f"1:9-1:{9 + len(text)}"


def test_parse_for_reports_a_bad_list_expression() -> None:
    with pytest.raises(PMLSyntaxError) as info:
        for_at("x in items |")
    assert info.value.message.startswith("invalid expression `items |`")
    assert where(info.value) == "1:14-1:21"


# ---------------------------------------------------------------------------------------------
# Speed (generous bounds: the fast path is ~1 µs, Jinja expressions a few µs)


def per_call(expression: Expression, scope: dict[str, Any], runs: int = 2000) -> float:
    start = time.perf_counter()
    for _ in range(runs):
        expression.evaluate(scope)
    return (time.perf_counter() - start) / runs


def test_plain_names_are_fast() -> None:
    scope = {"question": "q", "test": [{"input": "i"}]}
    assert per_call(at("question")[1], scope) < 20e-6
    assert per_call(at("test[0].input")[1], scope) < 40e-6


def test_jinja_expressions_are_reasonably_fast() -> None:
    assert per_call(at("loop.index + 1")[1], {"loop": {"index": 1}}) < 200e-6


# ---------------------------------------------------------------------------------------------
# Properties

NAMES = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True).filter(
    lambda name: name not in {"and", "or", "not", "in", "is", "if", "else", "none", "null",
                              "true", "false", "undefined"}
)


@given(name=NAMES, text=st.text())
def test_a_name_evaluates_to_its_text(name: str, text: str) -> None:
    value = evaluate(name, **{name: text})
    assert value is text
    assert to_text(value) == text


@given(text=st.text())
def test_a_string_passes_through_jinja_unchanged(text: str) -> None:
    assert evaluate("(s)", s=text) == text
    assert evaluate("s ~ ''", s=text) == text


@given(a=st.booleans(), b=st.integers(), c=st.booleans(), d=st.integers(), e=st.integers())
def test_ternaries_match_python(a: bool, b: int, c: bool, d: int, e: int) -> None:
    scope = {"a": a, "b": b, "c": c, "d": d, "e": e}
    assert at("a ? b : c ? d : e")[1].evaluate(scope) == (b if a else d if c else e)
    assert at("(a ? c : !c) ? b : d")[1].evaluate(scope) == (b if (c if a else not c) else d)
    assert at("a && !c || c && !a")[1].evaluate(scope) == ((a and not c) or (c and not a))


@given(number=st.integers() | st.floats(allow_nan=False))
def test_string_plus_number_is_javascript_concatenation(number: float) -> None:
    expected = "n=" + (js_number(number) if isinstance(number, float) else str(number))
    assert evaluate("'n=' + x", x=number) == expected


EXPRESSION_TEXT = st.text(
    alphabet=st.sampled_from(list(string.ascii_letters[:6] + string.digits[:3]
                                  + "!&|?:.,()[]{}'\"/\\+-*%=<>~ _`$\n")),
    max_size=24,
)


@settings(max_examples=300)
@given(code=EXPRESSION_TEXT)
def test_any_text_compiles_or_raises_a_syntax_error(code: str) -> None:
    _compiles_and_runs_or_fails_cleanly(code, {"a": 1, "b": "x", "c": [1, 2], "d": {"e": None}})


# ---------------------------------------------------------------------------------------------
# Properties over the grammar: any expression it generates, and any string of operators and
# brackets, compiles to a value or fails with a located PML error (never a Python exception,
# never a hang).

SCOPE_NAMES = ["a", "b", "s", "xs", "d", "f", "x", "upper", "length", "join", "map", "filter", "trim",
               "defined", "default", "keys", "Math", "JSON", "String", "reduce", "i"]


def _expressions() -> st.SearchStrategy[str]:
    """Expressions built from the productions of `grammar/expr.lark` (with `from_lark` the
    grammar's recursion makes most draws too large to be useful)."""
    atoms = st.sampled_from([*SCOPE_NAMES, "0", "1", "2.5", ".5", "0x1F", "1e3", "'a'", '"b c"', "'%s'", "`t`",
                             "`${a}`", "`x ${xs.length} y`", "/a/", "/^x+$/gm", "/(\\d+)-(\\w)/", "true", "False",
                             "null", "none", "undefined", "[]", "{}", "()"])
    binary = st.sampled_from(["??", "||", "&&", "and", "or", "===", "!==", "==", "!=", "<", ">=", "in", "not in",
                              "+", "-", "*", "/", "//", "%", "**", "~"])
    prefix = st.sampled_from(["!", "-", "+", "typeof ", "not "])
    member = st.sampled_from(["length", "trim", "map", "y", "e", "k", "0", "join", "keys", "toUpperCase"])
    filters = st.sampled_from(["upper", "length", "join", "default", "list", "first", "string", "tojson", "nope"])
    tests = st.sampled_from(["defined", "none", "number", "string", "sequence", "divisibleby 2", "sameas a"])

    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        args = st.lists(inner, max_size=3).map(", ".join)
        return st.one_of(
            st.tuples(inner, binary, inner).map(" ".join),
            st.tuples(prefix, inner).map("".join),
            st.tuples(inner, inner, inner).map(lambda t: "{} ? {} : {}".format(*t)),
            st.tuples(inner, inner, inner).map(lambda t: "{} if {} else {}".format(*t)),
            st.tuples(inner, st.sampled_from([".", "?."]), member).map("".join),
            st.tuples(inner, st.sampled_from(["[", "?.["]), inner).map(lambda t: f"{t[0]}{t[1]}{t[2]}]"),
            st.tuples(inner, st.sampled_from(["(", "?.("]), args).map(lambda t: f"{t[0]}{t[1]}{t[2]})"),
            st.tuples(inner, filters, args).map(lambda t: "{} | {}({})".format(*t)),
            st.tuples(inner, st.sampled_from(["", "not "]), tests).map(lambda t: "{} is {}{}".format(*t)),
            args.map("[{}]".format),
            st.tuples(member, inner).map(lambda t: "{{{}: {}}}".format(*t)),
            inner.map("({})".format),
            st.tuples(st.sampled_from(["i => ", "(i, j) => ", "([i, j]) => ", "({e}) => ", "() => "]), inner)
            .map("".join),
            inner.filter(lambda c: not set(c) & set("`{}")).map("`<${{{}}}>`".format),
            st.tuples(inner, inner).map(lambda t: "{}.map(i => {})".format(*t)),
        )

    return st.recursive(atoms, extend, max_leaves=12)


GRAMMAR_SCOPE = {"a": 1, "b": "x", "s": " Ab ", "xs": [1, 2, 3], "d": {"e": None, "k": [1]}, "f": lambda *v: len(v),
                 "x": {"y": 2.5}, "i": 0}


@pytest.mark.filterwarnings("ignore:Generating overly large repr")  # the nested strategy's own repr
@settings(max_examples=300, deadline=None)
@given(code=_expressions())
def test_any_expression_of_the_grammar_evaluates_or_fails_located(code: str) -> None:
    with limits.using(limits.Limits(regex_timeout=0.05, max_items=10_000, max_string=100_000)):
        _compiles_and_runs_or_fails_cleanly(code, dict(GRAMMAR_SCOPE))


NESTING_TEXT = st.lists(st.sampled_from([*"()[]{}!?:-+*~|&=>.,`$' ab1", "?.", "??", "=>", "${", "**"]),
                        max_size=300).map("".join)


@settings(max_examples=300, deadline=None)
@given(code=NESTING_TEXT)
def test_any_string_of_operators_and_brackets_fails_located(code: str) -> None:
    _compiles_and_runs_or_fails_cleanly(code, {"a": 1, "b": [1]})
