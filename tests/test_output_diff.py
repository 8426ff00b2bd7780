"""Why two renders differ (`pml.output.diff`), piece by piece; `pml cache diff` end to end is in
tests/test_modules_cli.py."""

from __future__ import annotations

import pml
from pml.output.cacheplan import Breakpoint
from pml.output.diff import (
    bytes_before,
    changed_keys,
    common_prefix,
    compare,
    describe,
    excerpt,
    first_difference,
    request_order,
    shown_value,
    split_breakpoints,
)
from pml.output.trace import trace
from pml.output.view import Position

CHAT = """<poml>
  <human-msg>Hi {{ name }}</human-msg>
  <system-msg>Rules for {{ team }}</system-msg>
  <ai-msg if="more">Sure</ai-msg>
</poml>
"""

MODULE = """<poml>
  <schema name="s">
    <module name="greeting">
      <param name="who"/>
      <p>Hello {{ who }}!</p>
    </module>
  </schema>
  <human-msg><use module="greeting" who="{{ first }} {{ last }}"/></human-msg>
</poml>
"""


def test_common_prefix() -> None:
    assert common_prefix("abcdef", "abcxef") == 3
    assert common_prefix("abc", "abcdef") == 3
    assert common_prefix("", "x") == 0
    assert common_prefix("same", "same") == 4


def test_changed_keys_counts_a_missing_key() -> None:
    assert changed_keys({"a": 1, "b": 2, "c": None}, {"a": 1, "b": 3, "d": None}) == ("b", "c", "d")
    assert changed_keys({"a": [1]}, {"a": [1]}) == ()


def test_excerpt_and_shown_value() -> None:
    text = "x" * 40 + "DIFF" + "y" * 40
    assert excerpt(text, 40, width=5) == '…"xxxxxDIFFy"…'
    assert excerpt("short", 2) == '"short"'
    assert excerpt("line\none", 0, width=3) == '"lin"…'
    assert shown_value({"a": "é"}, "a") == '"é"'
    assert shown_value({}, "a") == "(not set)"
    assert shown_value({"a": "z" * 100}, "a") == '"' + "z" * 56 + "…"


def test_request_order_puts_system_messages_first_for_anthropic() -> None:
    prompt = pml.loads(CHAT)
    base = {"name": "Ada", "team": "Ops"}
    short, long = trace(prompt, {**base, "more": False}), trace(prompt, {**base, "more": True})
    assert request_order(short, long, "anthropic") == [1, 0, 2]
    assert request_order(long, short, "anthropic") == [1, 0, 2]
    assert request_order(short, long, "openai") == [0, 1, 2]


def test_first_difference_and_bytes_before() -> None:
    prompt = pml.loads(CHAT)
    a = trace(prompt, {"name": "Ada", "team": "Ops", "more": False})
    b = trace(prompt, {"name": "Ada", "team": "Opal", "more": True})
    order = request_order(a, b, "anthropic")
    assert a.texts == ("Hi Ada", "Rules for Ops")
    assert first_difference(a, b, order) == (1, 12)  # "Rules for Op|s" in the system message, read first
    assert first_difference(a, a, order) is None
    assert bytes_before(a.texts, order, 1, 12) == 12
    assert bytes_before(a.texts, order, 0, 3) == len("Rules for Ops") + 3
    assert bytes_before(a.texts, order, 2, 0) == len("Rules for Ops") + len("Hi Ada")  # a message it lacks


def test_split_breakpoints_in_request_order() -> None:
    early = Breakpoint("early", Position(1, 0, 5), 10, 20)
    late = Breakpoint("late", Position(0, 0, 2), 30, 40)
    assert split_breakpoints([early, late], [1, 0], 1, 6) == ((early,), (late,))
    assert split_breakpoints([early, late], [1, 0], 1, 5) == ((early,), (late,))
    assert split_breakpoints([early, late], [1, 0], 1, 4) == ((), (early, late))
    assert split_breakpoints([early, late], [1, 0], 0, 9) == ((early, late), ())


def test_a_message_only_one_render_has() -> None:
    """The second render has one more message than the first (once an internal error)."""
    prompt = pml.loads(CHAT)
    contexts = ({"name": "Ada", "team": "Ops", "more": False}, {"name": "Ada", "team": "Ops", "more": True})
    for names, pair in ((("a.json", "b.json"), contexts), (("b.json", "a.json"), contexts[::-1])):
        difference = compare(prompt, pair, "anthropic")
        assert difference is not None and (difference.message, difference.offset) == (2, 0)
        report = describe(difference, names, pair)
        texts = {"a.json": "(no such message)", "b.json": '"Sure"'}
        assert report == (
            "the renders differ at message 3, character 1 (after 19 bytes of the anthropic request's text, "
            "in its order)\n"
            f"  {names[0]}: {texts[names[0]]}\n"
            f"  {names[1]}: {texts[names[1]]}\n"
            "no `{{ }}` wrote this text: a condition, a loop or a module choice differs\n"
            "variables that differ: `more`")


def test_same_renders() -> None:
    prompt = pml.loads(CHAT)
    context = {"name": "Ada", "team": "Ops", "more": True}
    assert compare(prompt, (context, dict(context)), "openai") is None
    assert describe(None, ("x.json", "y.json"), (context, context)) == (
        "x.json and y.json render the same messages: every cache entry is shared.")


def test_a_param_leads_to_the_variables_of_its_argument() -> None:
    prompt = pml.loads(MODULE, name="m.pml")
    contexts = ({"first": "Ada", "last": "Byron"}, {"first": "Ada", "last": "King"})
    difference = compare(prompt, contexts, "openai")
    assert difference is not None
    assert [(a.param, a.given, sorted(a.reads)) for a in difference.arguments] == [
        ("who", "{{ first }} {{ last }}", ["first", "last"])]
    assert difference.reads == ("first", "last")
    assert difference.culprits == ("last",)
    assert describe(difference, ("one.json", "two.json"), contexts) == (
        "the renders differ at message 1, character 11 (after 10 bytes of the openai request's text, in its order)\n"
        '  one.json: "Hello Ada Byron!"\n'
        '  two.json: "Hello Ada King!"\n'
        "written by `{{ who }}` at m.pml:5:18\n"
        "        <p>Hello {{ who }}!</p>\n"
        "                   ^^^^^\n"
        "`who` is a param, given by the `<use>` at m.pml:8:14 as `{{ first }} {{ last }}`\n"
        'variable `last`: "Byron" in one.json, "King" in two.json')
