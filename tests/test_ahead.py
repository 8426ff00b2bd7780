"""Compile ahead (`pml.render.ahead`): a prompt's output written once, with holes for its values.

Every case under tests/cases is rendered twice by tests/test_cases.py, the second time from its
plan when it has one; here:

- the cases of tests/cases/ahead say, in `NAME.ahead`, what their render is: `ahead` (a plan
  renders it), `full` (the prompt has plans, but this context sends it back to the full render:
  an empty list inside a loop, a value with a line break, an error…) or `none` (no plan: a
  condition inside a loop, a transformed caption, a numbered list);
- properties: for generated values, a render from the plan gives exactly what the full render
  gives (or gives way to it), including the exact output bound at which the full render fails;
- a prompt pickles the same before and after its plan is made, and its copy plans again.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from promptcases import CASES, all_cases, case_id, load_case, rendering_cases

import pml
from pml.limits import current, using
from pml.render.ahead import Ahead, plan_program
from pml.render.hooks import RenderHook

AHEAD = CASES / "ahead"


def _outcome(prompt: pml.Prompt, context: dict[str, Any], limits: pml.Limits | None = None) -> str:
    """`ahead` (rendered from a plan), `full` (the prompt has plans, but this context renders in
    full) or `none` (no plan for this prompt, or for the combination of switches of this context)."""
    ahead = Ahead.of(prompt.program, prompt.base_dir)
    if ahead is None:
        return "none"
    with using(limits):
        bounds = current()
        written = ahead.render(context, bounds.max_output, bounds.max_loop)
    if written is not None:
        return "ahead"
    return "none" if ahead.plans and not any(ahead.plans.values()) else "full"


@pytest.mark.parametrize("path", sorted(AHEAD.glob("*.pml")), ids=case_id)
def test_each_case_renders_ahead_or_in_full_as_it_says(path: Path) -> None:
    prompt, context, options = load_case(path)
    expected = path.with_suffix(".ahead").read_text(encoding="utf-8").strip()
    assert _outcome(prompt, context, options.get("limits")) == expected


def test_every_case_beside_says_how_it_renders() -> None:
    assert sorted(p.stem for p in AHEAD.glob("*.ahead")) == sorted(p.stem for p in AHEAD.glob("*.pml"))


def test_the_plans_cover_a_large_part_of_the_case_suite() -> None:
    """A floor under how much of the case suite the plans cover (242 of the 506 cases rendered with
    their context alone, when written): a change that quietly stopped planning would fail here."""
    ahead = 0
    for path in rendering_cases():
        prompt, context, options = load_case(path)
        if not options and not prompt.program.context and _outcome(prompt, context) == "ahead":
            ahead += 1
    assert ahead >= 220


@pytest.mark.parametrize("path", [p for p in all_cases() if p.parent == AHEAD], ids=case_id)
def test_the_plan_gives_what_the_full_render_gives(path: Path) -> None:
    prompt, context, options = load_case(path)
    ahead = Ahead.of(prompt.program, prompt.base_dir)
    if options or ahead is None:
        return
    written = ahead.render(context, current().max_output, current().max_loop)
    if written is None:
        return
    full = prompt.render_with(RenderHook(), context)
    assert [(m.speaker, m.parts) for m in full.messages] == [(speaker, (text,)) for speaker, text in written.messages]
    assert (full.schema, full.tools, full.runtime) == tuple(written.declared)


# ------------------------------------------------------------------------------------ properties
LIST = (
    '<poml>\n  <p>Orders for {{ who }}:</p>\n  <list>\n    <item for="o in orders">#{{ loop.index }} {{ o }}</item>\n'
    '  </list>\n  <p>Thanks, {{ who }}.</p>\n</poml>\n'
)
SECTIONS = (
    '<poml>\n  <cp for="s in sections" caption="{{ s.title }}">\n    <p>{{ s.body }}</p>\n    <list>\n'
    '      <item for="x in s.items">{{ x }} <b>{{ s.title }}</b></item>\n    </list>\n  </cp>\n'
    '  <task>Answer {{ who }}.</task>\n</poml>\n'
)
TEXT = st.text(alphabet=st.sampled_from(["a", "B", " ", "\n", "\t", "é", "*", "#", "`", "-", "\u2028", "\x01",
                                         "\ud800", "\u00a0", "1"]), max_size=8)
VALUE = st.one_of(TEXT, TEXT, st.integers(-5, 50), st.floats(allow_nan=False, width=32), st.booleans(), st.none(),
                  st.lists(TEXT, max_size=2))


def _full(prompt: pml.Prompt, context: dict[str, Any], limits: pml.Limits | None = None) -> Any:
    try:
        rendered = prompt.render_with(RenderHook(), context, limits=limits)
    except pml.PMLError as error:
        return ("error", str(error))
    return (rendered.messages, [d.format() for d in rendered.warnings])


def _twice(prompt: pml.Prompt, context: dict[str, Any], limits: pml.Limits | None = None) -> Any:
    try:
        prompt.render(context, limits=limits)
    except pml.PMLError:
        pass
    try:
        rendered = prompt.render(context, limits=limits)
    except pml.PMLError as error:
        return ("error", str(error))
    return (rendered.messages, [d.format() for d in rendered.warnings])


@settings(max_examples=150, deadline=None)
@given(who=VALUE, orders=st.lists(VALUE, max_size=4))
def test_a_list_renders_from_its_plan_as_in_full(who: Any, orders: list[Any]) -> None:
    context = {"who": who, "orders": orders}
    assert _twice(pml.loads(LIST), context) == _full(pml.loads(LIST), context)


@settings(max_examples=100, deadline=None)
@given(who=VALUE, sections=st.lists(st.fixed_dictionaries({"title": VALUE, "body": VALUE,
                                                           "items": st.lists(VALUE, max_size=3)}), max_size=3))
def test_nested_loops_render_from_their_plan_as_in_full(who: Any, sections: list[dict[str, Any]]) -> None:
    context = {"who": who, "sections": sections}
    assert _twice(pml.loads(SECTIONS), context) == _full(pml.loads(SECTIONS), context)


WORDS = st.text(alphabet=st.sampled_from(["a", "b", "c", "D", "é"]), min_size=1, max_size=6)


@settings(max_examples=40, deadline=None)
@given(who=WORDS, orders=st.lists(WORDS, min_size=1, max_size=5), markup=st.sampled_from([LIST, SECTIONS]))
def test_the_plan_stops_at_the_output_bound_where_the_full_render_does(who: str, orders: list[str],
                                                                      markup: str) -> None:
    """Where the full render fails for the output bound, the plan gives way to it; two characters
    above the smallest bound the full render passes, the plan renders."""
    context = {"who": who, "orders": orders,
               "sections": [{"title": w, "body": w * 2, "items": orders} for w in orders]}
    prompt = pml.loads(markup)
    plan = plan_program(prompt.program, prompt.base_dir)
    assert plan is not None
    low, high = 1, 100_000  # the full render fails at `low - 1`... and passes at `high`
    while low < high:
        middle = (low + high) // 2
        if _full(prompt, context, pml.Limits(max_output=middle))[0] == "error":
            low = middle + 1
        else:
            high = middle
    assert plan.render(context, low + 2, 10_000) is not None
    assert plan.render(context, low - 1, 10_000) is None


def test_a_prompt_pickles_the_same_before_and_after_its_plan_is_made() -> None:
    prompt = pml.loads(LIST)
    context = {"who": "Ada", "orders": ["tea", "cake"]}
    before = pickle.dumps(prompt)
    first = prompt.render(context)
    second = prompt.render(context)  # from the plan
    assert pickle.dumps(prompt) == before
    copy = pickle.loads(before)
    assert copy.render(context) == copy.render(context) == first == second


def test_a_plan_that_would_cost_many_renders_to_make_is_not_made() -> None:
    """Eight loops nested in one another: tracing them three times each would trace 3⁸ instances.
    The tracer stops at its budget and the prompt renders in full."""
    def level(depth: int) -> str:
        if depth > 8:
            return "end"
        items = "top" if depth == 1 else f"x{depth - 1}.kids"
        return f'<list><item for="x{depth} in {items}">{{{{ x{depth}.n }}}} {level(depth + 1)}</item></list>'

    def data(depth: int) -> list[dict[str, Any]]:
        return [] if depth > 8 else [{"n": f"n{depth}", "kids": data(depth + 1)}]

    prompt = pml.loads(f"<poml>{level(1)}</poml>")
    assert plan_program(prompt.program, prompt.base_dir) is None
    context = {"top": data(1)}
    assert prompt.render(context) == prompt.render(context) == prompt.render_with(RenderHook(), context)


# ------------------------------------------------------------------ random documents of the components plans take
NAMES = ("a", "b", "c")
PIECE_VALUES = st.one_of(st.sampled_from(["x", "Ada", "two words", "*", "- item", "# h", "a\nb", " x", "x ", "",
                                          "\ud800", "1."]), st.integers(0, 99), st.none())


@st.composite
def _element(draw: st.DrawFn, depth: int, loops: tuple[str, ...]) -> str:
    """An element of a component plans take, with values, loops and conditions in it."""
    def value() -> str:
        names = [*NAMES, *(f"{v}.t" for v in loops), *(f"{v}" for v in loops)]
        return "{{ " + draw(st.sampled_from(names)) + " }}"

    def inline() -> str:
        parts = draw(st.lists(st.sampled_from(["text", " ", "value", "b", "br"]), min_size=1, max_size=4))
        out = []
        for part in parts:
            if part == "value":
                out.append(value())
            elif part == "b":
                out.append(f"<b>{value()}</b>")
            elif part == "br":
                out.append("<br/>")
            else:
                out.append(part if part == " " else draw(st.sampled_from(["Hello", "more text", "end."])))
        return "".join(out)

    attrs = ""
    loop: tuple[str, ...] = loops
    if depth < 3 and draw(st.booleans()):
        variable = f"v{depth}"
        source = draw(st.sampled_from(["items", *(f"{v}.kids" for v in loops)]))
        attrs += f' for="{variable} in {source}"'
        loop = (*loops, variable)
    elif not loops and draw(st.integers(0, 3)) == 0:
        attrs += f' if="{draw(st.sampled_from(NAMES))}"'
    kind = draw(st.sampled_from(["p", "cp", "list", "section", "human-msg", "ai-msg", "code", "examples", "qa"]
                                if depth < 3 else ["p"]))
    if kind == "cp":
        inner = "".join(draw(st.lists(_element(depth + 1, loop), max_size=2))) or inline()
        return f'<cp caption="{value() if draw(st.booleans()) else "Notes"}"{attrs}>{inner}</cp>'
    if kind == "list":
        items = []
        for _ in range(draw(st.integers(1, 3))):
            item_loop = loop
            item_attrs = ""
            if depth < 3 and draw(st.booleans()):
                item_attrs = f' for="w{depth} in {draw(st.sampled_from(["items", *(f"{v}.kids" for v in loop)]))}"'
                item_loop = (*loop, f"w{depth}")
                if draw(st.booleans()):
                    item_attrs += draw(st.sampled_from([f' if="w{depth}.t"', ' if="!loop.first"', ' if="a"']))
            inner_value = "{{ " + draw(st.sampled_from([*NAMES, *item_loop])) + " }}"
            items.append(f"<item{item_attrs}>{draw(st.sampled_from(['', 'Item ']))}{inner_value}</item>")
        style = draw(st.sampled_from(["", ' listStyle="decimal"', ' listStyle="latin"']))
        return f"<list{attrs}{style}>{''.join(items)}</list>"
    if kind in ("section", "human-msg", "ai-msg"):
        inner = "".join(draw(st.lists(_element(depth + 1, loop), min_size=1, max_size=2)))
        return f"<{kind}{attrs}>{inner}</{kind}>"
    if kind == "code":
        return f"<code{attrs}>static code</code>"
    if kind == "examples":
        chat = draw(st.sampled_from(["", ' chat="false"']))
        shot = f"<example><input>{value()}</input><output>{value()}</output></example>"
        return f"<examples{attrs}{chat}>{shot}</examples>"
    if kind == "qa":
        return f"<qa{attrs}>{inline()}</qa>"
    return f"<p{attrs}>{inline()}</p>"


ITEM = st.fixed_dictionaries({"t": PIECE_VALUES, "kids": st.lists(st.fixed_dictionaries({"t": PIECE_VALUES}),
                                                                   max_size=2)})
RANDOM_CONTEXT = st.fixed_dictionaries({**{n: PIECE_VALUES for n in NAMES}, "items": st.lists(ITEM, max_size=3)})


@settings(max_examples=300, deadline=None)
@given(body=st.lists(_element(0, ()), min_size=1, max_size=4), contexts=st.lists(RANDOM_CONTEXT, min_size=1,
                                                                                  max_size=4))
def test_random_documents_render_from_their_plans_as_in_full(body: list[str], contexts: list[dict[str, Any]]) -> None:
    """Documents made of the components plans take, with values, loops and conditions, rendered
    with several contexts by one prompt (its plans made and reused): each render is what the full
    render gives."""
    markup = "<poml>" + "".join(body) + "</poml>"
    try:
        prompt = pml.loads(markup)
    except pml.PMLError:
        return
    for context in [*contexts, *contexts]:
        assert _twice(prompt, context) == _full(prompt, context), markup


def test_what_a_plan_declares_is_each_render_s_own() -> None:
    """A schema, tools and runtime parameters rendered from a plan are copies: changing one
    render's changes no other render's."""
    prompt, context, _ = load_case(AHEAD / "declared.pml")
    first = prompt.render(context)
    second = prompt.render(context)  # from the plan
    assert second == first and _outcome(prompt, context) == "ahead"
    assert second.schema is not None and second.runtime is not None
    second.schema["properties"]["order"]["type"] = "number"
    second.tools[0].parameters["properties"].clear()
    second.runtime["temperature"] = 1.5
    third = prompt.render(context)
    assert third == first
    assert third.schema is not second.schema and third.tools[0].parameters is not second.tools[0].parameters
