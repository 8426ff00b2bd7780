"""Cache plans (`pml.output.cacheplan`) and the provider payloads that carry them.

Every expected number here is worked out in the test from the rendered messages (token counts
with `pml.tokens.encodings.count_tokens`, byte counts from UTF-8), never read back from the plan itself:
where each placed module lies in the messages (`Rendered.modules`), Anthropic's breakpoints (the
prefix before each, the model's minimum, the limit of four and which four win), the payloads
that carry them (`cache_control` blocks, OpenAI's `prompt_cache_key`), and the payloads against
the official SDKs' request types and clients.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

import pml
from pml.output.cacheplan import (
    ANTHROPIC_FALLBACK,
    MAX_BREAKPOINTS,
    Breakpoint,
    Position,
    anthropic_minimum,
    choose,
    openai_cacheable,
)
from pml.render import modcache
from pml.tokens.encodings import count_tokens

SONNET = "claude-sonnet-4-5"
WORDS = ("policy", "refund", "customer", "order", "shipping", "account", "invoice", "support", "window", "return")


def words(count: int, start: int = 0) -> str:
    """`count` ordinary English words (roughly one o200k token each)."""
    return " ".join(WORDS[(start + i) % len(WORDS)] for i in range(count))


# About 1,200 tokens: above the 1,024-token minimum of most Anthropic models on its own.
BIG = "Company policy, café edition: " + words(1200)


@pytest.fixture(autouse=True)
def fresh_module_cache(monkeypatch: pytest.MonkeyPatch) -> modcache.ModuleCache:
    """An empty module cache for each test; the process-wide one is put back afterwards."""
    monkeypatch.setattr(modcache, "_CACHE", modcache.module_cache())
    return modcache.configure_module_cache()


def tools_json(rendered: pml.Rendered) -> str:
    """The tools as `request_order` serializes them: canonical, compact JSON of their dicts."""
    return json.dumps([t.to_dict() for t in rendered.tools], sort_keys=True, ensure_ascii=False,
                      separators=(",", ":"), default=repr)


def sliced(rendered: pml.Rendered, start: Position, end: Position) -> str:
    assert start.message == end.message and start.part == end.part
    part = rendered.messages[start.message].parts[start.part]
    assert isinstance(part, str)
    return part[start.offset:end.offset]


# --------------------------------------------------------------------------- module positions
POSITIONS = """<poml>
<schema name="lib">
  <module name="policy" cache="true"><param name="company" default="Acme"/>
    <p>Policy of {{ company }}: café rules.</p>
    <list><item>one</item><item>two</item></list>
  </module>
  <module name="faq" cache="true"><p>FAQ: ask <b>anything</b>.</p></module>
</schema>
<system-msg><p>Intro.</p><use module="lib.policy" company="Foo"/><p>After.</p></system-msg>
<human-msg><p>Hello.</p><use module="faq"/>{{ q }}</human-msg>
</poml>"""


def test_module_positions_slice_exactly_the_module_text() -> None:
    rendered = pml.loads(POSITIONS).render(q="Why?")
    assert [(m.speaker, m.parts) for m in rendered.messages] == [
        ("system", ("Intro.\n\nPolicy of Foo: café rules.\n\n- one\n- two\n\nAfter.",)),
        ("human", ("Hello.\n\nFAQ: ask **anything**.\n\nWhy?",)),
    ]
    assert [(p.name, p.cached) for p in rendered.modules] == [("lib.policy", True), ("faq", True)]
    policy, faq = rendered.modules
    assert sliced(rendered, policy.start, policy.end) == "Policy of Foo: café rules.\n\n- one\n- two"
    assert sliced(rendered, faq.start, faq.end) == "FAQ: ask **anything**."
    assert (policy.start, policy.end) == (Position(0, 0, 8), Position(0, 0, 47))
    assert (faq.start, faq.end) == (Position(1, 0, 8), Position(1, 0, 30))


def test_module_positions_on_a_cache_hit_are_the_same() -> None:
    prompt = pml.loads(POSITIONS)
    cold = prompt.render(q="Why?")
    warm = prompt.render(q="Why not?")
    assert modcache.module_cache().stats().hits == 2
    assert [(p.name, p.start, p.end) for p in cold.modules] == [(p.name, p.start, p.end) for p in warm.modules]
    for placed in warm.modules:
        assert sliced(warm, placed.start, placed.end) == sliced(cold, placed.start, placed.end)


def test_nested_cached_module_positions() -> None:
    """A cached module used inside another: its place is shifted with the outer one's spliced text."""
    markup = """<poml><schema>
<module name="inner" cache="true"><param name="x"/><p>Inner {{ x }}.</p></module>
<module name="outer" cache="true"><param name="x"/><p>Outer start.</p><use module="inner" x="{{ x }}"/>
<p>Outer end.</p></module></schema>
<system-msg><p>Intro</p><use module="outer" x="1"/></system-msg><human-msg><use module="inner" x="1"/>Q</human-msg>
</poml>"""
    prompt = pml.loads(markup)
    for _ in range(2):  # cold, then from the cache
        rendered = prompt.render()
        assert [m.text for m in rendered.messages] == ["Intro\n\nOuter start.\n\nInner 1.\n\nOuter end.",
                                                      "Inner 1.\n\nQ"]
        assert [(p.name, sliced(rendered, p.start, p.end)) for p in rendered.modules] == [
            ("outer", "Outer start.\n\nInner 1.\n\nOuter end."), ("inner", "Inner 1."), ("inner", "Inner 1.")]
        assert [p.end for p in rendered.modules] == [Position(0, 0, 41), Position(0, 0, 29), Position(1, 0, 8)]
    assert modcache.module_cache().stats().hits == 3


# --------------------------------------------------------------------------- anthropic plan
def big_prompt(*, tools: bool = False, runtime: str = "", after: str = "<p>After {{ x }}.</p>") -> str:
    tool = ('<tool-definition name="lookup" description="Look an order up.">'
            '{"type": "object", "properties": {"order": {"type": "string"}}}</tool-definition>') if tools else ""
    return f"""<poml>
<schema>
  <module name="policy" cache="true"><p>{BIG}</p></module>
  <module name="faq" cache="true"><p>FAQ: {words(60, 3)}</p></module>
</schema>
<system-msg><p>Intro.</p><use module="policy"/>{after}</system-msg>
<human-msg><use module="faq"/>{{{{ q }}}}</human-msg>
{tool}{runtime}
</poml>"""


def test_anthropic_breakpoints_sit_at_module_ends_with_the_prefix_before_them() -> None:
    rendered = pml.loads(big_prompt()).render(x="X", q="Question?")
    system, human = rendered.messages[0].text, rendered.messages[1].text
    policy_end = system.index(BIG) + len(BIG)
    faq_end = human.index("FAQ: ") + len("FAQ: " + words(60, 3))
    plan = rendered.cache_plan("anthropic", SONNET)
    assert (plan.provider, plan.model, plan.minimum, plan.estimate) == ("anthropic", SONNET, 1024, True)
    assert plan.breakpoints == (
        Breakpoint("policy", Position(0, 0, policy_end), count_tokens(system[:policy_end]),
                   len(system[:policy_end].encode())),
        Breakpoint("faq", Position(1, 0, faq_end), count_tokens(system) + count_tokens(human[:faq_end]),
                   len(system.encode()) + len(human[:faq_end].encode())),
    )
    assert plan.breakpoints[0].prefix_bytes == policy_end + 1  # "é" is two bytes
    assert plan.stable_prefix_tokens == plan.cacheable_tokens == plan.breakpoints[-1].prefix_tokens
    assert plan.stable_prefix_bytes == plan.breakpoints[-1].prefix_bytes
    assert plan.total_tokens == count_tokens(system) + count_tokens(human)
    assert plan.notes == () and plan.warnings == () and plan.cache_key is None


def test_anthropic_prefix_counts_the_tools_first() -> None:
    rendered = pml.loads(big_prompt(tools=True)).render(x="X", q="Question?")
    assert len(rendered.tools) == 1
    head = count_tokens(tools_json(rendered))
    head_bytes = len(tools_json(rendered).encode())
    system, human = rendered.messages[0].text, rendered.messages[1].text
    policy_end = system.index(BIG) + len(BIG)
    faq_end = human.index("FAQ: ") + len("FAQ: " + words(60, 3))
    plan = rendered.cache_plan("anthropic", SONNET)
    assert [(b.module, b.prefix_tokens, b.prefix_bytes) for b in plan.breakpoints] == [
        ("policy", head + count_tokens(system[:policy_end]), head_bytes + len(system[:policy_end].encode())),
        ("faq", head + count_tokens(system) + count_tokens(human[:faq_end]),
         head_bytes + len(system.encode()) + len(human[:faq_end].encode())),
    ]
    assert plan.total_tokens == head + count_tokens(system) + count_tokens(human)


def test_anthropic_system_text_comes_first_in_request_order() -> None:
    """A system message written after a human one still comes before it (the API lifts it)."""
    markup = f"""<poml>
<schema><module name="policy" cache="true"><p>{BIG}</p></module></schema>
<human-msg>Hi {{{{ q }}}}</human-msg>
<system-msg><use module="policy"/></system-msg>
<human-msg>More.</human-msg>
</poml>"""
    rendered = pml.loads(markup).render(q="there")
    assert [m.speaker for m in rendered.messages] == ["human", "system", "human"]
    plan = rendered.cache_plan("anthropic", SONNET)
    system = rendered.messages[1].text
    assert system == BIG
    assert plan.breakpoints == (Breakpoint("policy", Position(1, 0, len(BIG)), count_tokens(BIG),
                                           len(BIG.encode())),)


@pytest.mark.parametrize(("model", "minimum", "known"), [
    ("claude-haiku-4-5", 4096, True),
    ("claude-haiku-4-5-20251001", 4096, True),
    ("claude-3-5-haiku-latest", 2048, True),
    ("claude-3-5-haiku", 2048, True),
    ("claude-sonnet-4-5", 1024, True),
    ("Claude-Sonnet-4-5", 1024, True),
    ("claude-opus-4-1", 1024, True),
    ("claude-opus-4-5", 4096, True),
    ("some-other-model", ANTHROPIC_FALLBACK, False),
    (None, ANTHROPIC_FALLBACK, False),
])
def test_anthropic_minimum_table(model: str | None, minimum: int, known: bool) -> None:
    assert ANTHROPIC_FALLBACK == 1024
    assert anthropic_minimum(model) == (minimum, known)


def test_below_the_minimum_no_breakpoint_and_a_note() -> None:
    rendered = pml.loads(big_prompt()).render(x="X", q="Question?")
    system, human = rendered.messages[0].text, rendered.messages[1].text
    policy_tokens = count_tokens(system[:system.index(BIG) + len(BIG)])
    faq_end = human.index("FAQ: ") + len("FAQ: " + words(60, 3))
    faq_tokens = count_tokens(system) + count_tokens(human[:faq_end])
    assert 1024 <= policy_tokens < faq_tokens < 2048  # the sizes this test relies on
    plan = rendered.cache_plan("anthropic", "claude-3-5-haiku")
    assert plan.minimum == 2048
    assert plan.breakpoints == ()
    assert plan.cacheable_tokens == 0
    assert plan.notes == (
        f"no breakpoint after `policy`: the prefix is {policy_tokens} tokens, below the 2048 the model caches",
        f"no breakpoint after `faq`: the prefix is {faq_tokens} tokens, below the 2048 the model caches",
    )
    assert plan.warnings == ()
    # The stable prefix is still reported: it reaches the end of the last cached module.
    assert plan.stable_prefix_tokens == faq_tokens
    # And the payload has nothing to mark.
    payload = rendered.to_anthropic(model="claude-3-5-haiku")
    assert payload["system"] == system and payload["messages"][0]["content"] == human
    assert "cache_control" not in json.dumps(payload)


def test_unknown_model_falls_back_to_1024_with_a_note() -> None:
    rendered = pml.loads(big_prompt()).render(x="X", q="Question?")
    plan = rendered.cache_plan("anthropic", "my-claude")
    assert plan.minimum == 1024
    assert [b.module for b in plan.breakpoints] == ["policy", "faq"]
    assert plan.notes == ("model my-claude is not in the table of minimum lengths: assuming 1024 tokens",)
    assert rendered.cache_plan("anthropic").notes == (
        "model (none given) is not in the table of minimum lengths: assuming 1024 tokens",)


def test_the_runtime_model_is_used_when_no_model_is_given() -> None:
    rendered = pml.loads(big_prompt(runtime='<runtime model="claude-haiku-4-5" max-tokens="100"/>')).render(
        x="X", q="Question?")
    plan = rendered.cache_plan("anthropic")
    assert (plan.model, plan.minimum) == ("claude-haiku-4-5", 4096)
    assert plan.breakpoints == ()
    assert rendered.cache_plan("anthropic", SONNET).minimum == 1024
    # The payload follows the same model: nothing marked under haiku's minimum, both ends under sonnet's.
    assert "cache_control" not in json.dumps(rendered.to_anthropic())
    assert json.dumps(rendered.to_anthropic(model=SONNET)).count("cache_control") == 2
    # Without a runtime model, the fallback.
    assert pml.loads(big_prompt()).render(x="X", q="Q").cache_plan("anthropic").model is None


# Six eligible cached modules, sizes chosen so that the segment gains are far apart: 1 (deep
# enough on its own), 3 and 5 close big segments, 2 and 4 small ones, 6 is the deepest.
SIX = {"m1": 1200, "m2": 20, "m3": 400, "m4": 30, "m5": 700, "m6": 10}


def six_prompt() -> str:
    defs = "".join(f'<module name="{n}" cache="true"><p>{n.upper()} {words(k, i)}</p></module>\n'
                   for i, (n, k) in enumerate(SIX.items()))
    uses = "\n".join(f'  <use module="{n}"/>' for n in SIX)
    return (f"<poml>\n<schema>\n{defs}</schema>\n<system-msg>\n{uses}\n</system-msg>\n"
            "<human-msg>{{ q }}</human-msg>\n</poml>")


def where(text: str, needle: str) -> tuple[int, int]:
    """1-based line and column of the first `needle` in `text`."""
    at = text.index(needle)
    return text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1


def test_six_cached_modules_get_four_breakpoints_and_the_rest_a_located_warning() -> None:
    markup = six_prompt()
    rendered = pml.loads(markup).render(q="Go.")
    system = rendered.messages[0].text
    ends = {n: system.index(n.upper() + " ") + len(f"{n.upper()} {words(k, i)}")
            for i, (n, k) in enumerate(SIX.items())}
    tokens = {n: count_tokens(system[:end]) for n, end in ends.items()}
    assert min(tokens.values()) >= 1024  # all six are eligible
    gains = [tokens["m1"], *(tokens[b] - tokens[a] for a, b in zip(list(SIX)[:4], list(SIX)[1:5], strict=True))]
    assert sorted(gains, reverse=True)[2] > 3 * sorted(gains, reverse=True)[3]  # the choice is unambiguous
    plan = rendered.cache_plan("anthropic", SONNET)
    assert len(plan.breakpoints) == MAX_BREAKPOINTS == 4
    assert plan.breakpoints == tuple(Breakpoint(n, Position(0, 0, ends[n]), tokens[n], len(system[:ends[n]].encode()))
                                     for n in ("m1", "m3", "m5", "m6"))
    assert [w.severity for w in plan.warnings] == ["warning", "warning"]
    assert [w.message for w in plan.warnings] == [
        f"cached module `{n}` gets no cache breakpoint: Anthropic allows 4 per request and 6 cached modules "
        "ask for one" for n in ("m2", "m4")]
    assert [(w.span.line, w.span.column) for w in plan.warnings] == [
        where(markup, '<use module="m2"/>'), where(markup, '<use module="m4"/>')]
    assert [(w.span.line, w.span.column) for w in plan.warnings] == [(12, 3), (14, 3)]
    assert all(w.code == "cache" and w.hint for w in plan.warnings)
    payload = rendered.to_anthropic(model=SONNET)
    blocks = payload["system"]
    assert "".join(b["text"] for b in blocks) == system
    assert [b.get("cache_control") for b in blocks] == [{"type": "ephemeral"}] * 4
    assert [len("".join(b["text"] for b in blocks[:i + 1])) for i in range(4)] == [
        ends[n] for n in ("m1", "m3", "m5", "m6")]


def bp(module: str, tokens: int) -> Breakpoint:
    return Breakpoint(module, Position(0, 0, tokens), tokens, tokens)


def test_choose_keeps_the_deepest_and_the_largest_segments() -> None:
    candidates = [bp("a", 1100), bp("b", 1150), bp("c", 3000), bp("d", 3010), bp("e", 5000), bp("f", 5001)]
    assert [b.module for b in choose(candidates)] == ["a", "c", "e", "f"]
    assert [b.module for b in choose(candidates, limit=2)] == ["e", "f"]
    assert choose(candidates[:4]) == candidates[:4]
    assert choose([]) == []


# --------------------------------------------------------------------------- anthropic payload
def test_anthropic_payload_splits_the_system_text_at_the_breakpoint() -> None:
    rendered = pml.loads(big_prompt()).render(x="X", q="Question?")
    faq = "FAQ: " + words(60, 3)
    assert rendered.to_anthropic(model=SONNET) == {
        "system": [
            {"type": "text", "text": "Intro.\n\n" + BIG, "cache_control": {"type": "ephemeral"}},
            {"type": "text", "text": "\n\nAfter X."},
        ],
        "messages": [{"role": "user", "content": [
            {"type": "text", "text": faq, "cache_control": {"type": "ephemeral"}},
            {"type": "text", "text": "\n\nQuestion?"},
        ]}],
    }


def test_anthropic_payload_breakpoint_at_the_end_of_the_system_text() -> None:
    rendered = pml.loads(big_prompt(after="")).render(q="Question?")
    payload = rendered.to_anthropic(model=SONNET)
    assert payload["system"] == [
        {"type": "text", "text": "Intro.\n\n" + BIG, "cache_control": {"type": "ephemeral"}}]


def test_anthropic_payload_breakpoint_in_a_later_system_message() -> None:
    """Two system messages are joined by a blank line; the cut is shifted by the first one."""
    markup = f"""<poml>
<schema><module name="policy" cache="true"><p>{BIG}</p></module></schema>
<system-msg>First system.</system-msg>
<human-msg>Hi.</human-msg>
<system-msg><use module="policy"/><p>Tail.</p></system-msg>
<human-msg>Bye.</human-msg>
</poml>"""
    rendered = pml.loads(markup).render()
    assert [m.speaker for m in rendered.messages] == ["system", "human", "system", "human"]
    payload = rendered.to_anthropic(model=SONNET)
    assert payload["system"] == [
        {"type": "text", "text": "First system.\n\n" + BIG, "cache_control": {"type": "ephemeral"}},
        {"type": "text", "text": "\n\nTail."},
    ]
    assert payload["messages"] == [{"role": "user", "content": "Hi.\n\nBye."}]


def test_anthropic_payload_with_a_module_at_the_end_of_a_human_message() -> None:
    markup = f"""<poml>
<schema><module name="policy" cache="true"><p>{BIG}</p></module></schema>
<human-msg>{{{{ q }}}}<use module="policy"/></human-msg>
</poml>"""
    rendered = pml.loads(markup).render(q="Read this.")
    assert rendered.to_anthropic(model=SONNET) == {"messages": [{"role": "user", "content": [
        {"type": "text", "text": "Read this.\n\n" + BIG, "cache_control": {"type": "ephemeral"}}]}]}


def test_anthropic_payload_without_modules_is_unchanged() -> None:
    inline = f"""<poml>
<system-msg><p>Intro.</p><p>{BIG}</p><p>After {{{{ x }}}}.</p></system-msg>
<human-msg><p>FAQ: {words(60, 3)}</p>{{{{ q }}}}</human-msg>
</poml>"""
    rendered = pml.loads(inline).render(x="X", q="Question?")
    assert rendered.modules == ()
    expected = {
        "system": "Intro.\n\n" + BIG + "\n\nAfter X.",
        "messages": [{"role": "user", "content": "FAQ: " + words(60, 3) + "\n\nQuestion?"}],
    }
    assert rendered.to_anthropic() == expected
    assert rendered.to_anthropic(model=SONNET) == expected
    # The module version carries the same bytes.
    moduled = pml.loads(big_prompt()).render(x="X", q="Question?").to_anthropic(model=SONNET)
    assert "".join(b["text"] for b in moduled["system"]) == expected["system"]
    assert "".join(b["text"] for b in moduled["messages"][0]["content"]) == expected["messages"][0]["content"]


def test_uncached_modules_mark_nothing() -> None:
    markup = big_prompt().replace(' cache="true"', "")
    rendered = pml.loads(markup).render(x="X", q="Question?")
    assert [p.cached for p in rendered.modules] == [False, False]
    payload = rendered.to_anthropic(model=SONNET)
    assert isinstance(payload["system"], str) and isinstance(payload["messages"][0]["content"], str)
    assert "cache_control" not in json.dumps(payload)
    assert rendered.cache_plan("anthropic", SONNET).breakpoints == ()
    assert "prompt_cache_key" not in rendered.to_openai()
    assert "prompt_cache_key" not in rendered.to_openai_responses()


def count_cache_control(value: Any) -> int:
    if isinstance(value, dict):
        return ("cache_control" in value) + sum(count_cache_control(v) for v in value.values())
    if isinstance(value, list):
        return sum(count_cache_control(v) for v in value)
    return 0


@pytest.mark.parametrize("count", [1, 3, 4, 5, 8, 12])
def test_at_most_four_cache_controls_in_any_payload(count: int) -> None:
    defs = "".join(f'<module name="m{i}" cache="true"><p>M{i} {words(300 if i else 1100, i)}</p></module>'
                   for i in range(count))
    half = count // 2
    system = "".join(f'<use module="m{i}"/>' for i in range(half))
    human = "".join(f'<use module="m{i}"/><p>between {i}</p>' for i in range(half, count))
    markup = f"<poml><schema>{defs}</schema><system-msg>{system or 'Sys.'}</system-msg>" \
             f"<human-msg>{human}{{{{ q }}}}</human-msg></poml>"
    rendered = pml.loads(markup).render(q="Q?")
    plan = rendered.cache_plan("anthropic", SONNET)
    assert len(plan.breakpoints) == min(count, 4)  # every module is past the minimum here
    assert len(plan.warnings) == max(0, count - 4)
    payload = rendered.to_anthropic(model=SONNET)
    assert count_cache_control(payload) == len(plan.breakpoints)
    system_text = rendered.messages[0].text
    sent_system = payload["system"]
    assert (sent_system if isinstance(sent_system, str) else "".join(b["text"] for b in sent_system)) == system_text
    content = payload["messages"][0]["content"]
    assert "".join(b["text"] for b in content) == rendered.messages[1].text


# --------------------------------------------------------------------------- openai
KEY = re.compile(r"pml-[0-9a-f]{24}")


def test_openai_cache_key_ignores_what_follows_the_last_cached_module() -> None:
    prompt = pml.loads(big_prompt())
    one = prompt.render(x="X", q="First question?")
    two = prompt.render(x="X", q="Second question?")
    key = one.cache_plan("openai").cache_key
    assert key is not None and KEY.fullmatch(key)
    assert two.cache_plan("openai").cache_key == key
    # Text before the last cached module is part of the prefix: changing it changes the key.
    three = prompt.render(x="Y", q="First question?")
    assert three.cache_plan("openai").cache_key != key
    # Text after the module in the same message is not.
    tail = pml.loads("""<poml><schema><module name="m" cache="true"><p>Stable.</p></module></schema>
<system-msg><use module="m"/>{{ extra }}</system-msg><human-msg>Q</human-msg></poml>""")
    assert tail.render(extra="a").cache_plan("openai").cache_key == tail.render(extra="b").cache_plan(
        "openai").cache_key


def test_openai_cache_key_follows_the_module_params() -> None:
    prompt = pml.loads("""<poml>
<schema><module name="m" cache="true"><param name="company"/><p>Policy of {{ company }}.</p></module></schema>
<use module="m" company="{{ who }}"/><human-msg>{{ q }}</human-msg></poml>""")
    acme = prompt.render(who="Acme", q="1").cache_plan("openai").cache_key
    assert prompt.render(who="Acme", q="2").cache_plan("openai").cache_key == acme
    assert prompt.render(who="Initech", q="1").cache_plan("openai").cache_key != acme


def test_openai_plan_counts_with_the_model_tokenizer() -> None:
    rendered = pml.loads(big_prompt(tools=True)).render(x="X", q="Question?")
    system, human = rendered.messages[0].text, rendered.messages[1].text
    faq_end = human.index("FAQ: ") + len("FAQ: " + words(60, 3))
    for model in ("gpt-4o", "gpt-4"):
        expected = (count_tokens(tools_json(rendered), model) + count_tokens(system, model)
                    + count_tokens(human[:faq_end], model))
        plan = rendered.cache_plan("openai", model)
        assert (plan.provider, plan.model, plan.minimum, plan.estimate) == ("openai", model, 1024, False)
        assert plan.stable_prefix_tokens == expected
        assert plan.stable_prefix_bytes == len(tools_json(rendered).encode()) + len(system.encode()) + len(
            human[:faq_end].encode())
        assert plan.cacheable_tokens == openai_cacheable(expected) == 1024 + (expected - 1024) // 128 * 128
        assert plan.breakpoints == () and plan.notes == ()
        assert plan.total_tokens == sum(count_tokens(t, model) for t in (tools_json(rendered), system, human))


def test_openai_plan_below_the_minimum_and_without_modules() -> None:
    small = pml.loads('<poml><schema><module name="m" cache="true"><p>Short.</p></module></schema>'
                      '<use module="m"/><human-msg>Q</human-msg></poml>').render()
    plan = small.cache_plan("openai", "gpt-4o")
    assert plan.stable_prefix_tokens == count_tokens("Short.", "gpt-4o")
    assert plan.cacheable_tokens == 0
    assert plan.notes == (f"the stable prefix is {plan.stable_prefix_tokens} tokens, below the 1024 OpenAI caches",)
    none = pml.loads("<poml><p>Hi</p><human-msg>Q</human-msg></poml>").render().cache_plan("openai", "gpt-4o")
    assert (none.cache_key, none.stable_prefix_tokens, none.cacheable_tokens) == (None, 0, 0)
    assert none.notes == ("no cached module: nothing is marked as a stable prefix",)


@pytest.mark.parametrize(("tokens", "cacheable"), [
    (0, 0), (1, 0), (1023, 0), (1024, 1024), (1151, 1024), (1152, 1152), (1279, 1152), (1280, 1280),
    (5000, 4992), (128 * 1000, 128 * 1000),
])
def test_openai_cacheable(tokens: int, cacheable: int) -> None:
    assert openai_cacheable(tokens) == cacheable


def test_openai_payloads_carry_the_key_only_with_a_cached_module() -> None:
    rendered = pml.loads(big_prompt()).render(x="X", q="Question?")
    key = rendered.cache_plan("openai").cache_key
    assert key is not None
    chat, responses = rendered.to_openai(), rendered.to_openai_responses()
    assert chat["prompt_cache_key"] == key and responses["prompt_cache_key"] == key
    assert "extra_body" not in chat and "extra_body" not in responses
    plain = pml.loads("<poml><system-msg>Be brief.</system-msg><human-msg>Q</human-msg></poml>").render()
    assert "prompt_cache_key" not in plain.to_openai()
    assert "prompt_cache_key" not in plain.to_openai_responses()
    assert plain.to_openai() == {"messages": [{"role": "system", "content": "Be brief."},
                                              {"role": "user", "content": "Q"}]}


def test_an_authored_prompt_cache_key_is_kept() -> None:
    rendered = pml.loads(big_prompt(runtime='<runtime model="gpt-4o" prompt-cache-key="mine"/>')).render(
        x="X", q="Question?")
    for payload in (rendered.to_openai(), rendered.to_openai_responses()):
        assert payload["prompt_cache_key"] == "mine"
        assert payload["model"] == "gpt-4o"
        assert "extra_body" not in payload
    # Also without any cached module.
    plain = pml.loads('<poml><runtime prompt-cache-key="mine"/><human-msg>Q</human-msg></poml>').render()
    assert plain.to_openai()["prompt_cache_key"] == "mine"
    assert plain.to_openai_responses()["prompt_cache_key"] == "mine"


def test_merged_user_turns_keep_their_blank_line_when_one_holds_a_breakpoint() -> None:
    markup = (f'<poml><schema><module name="m" cache="true"><p>{BIG}</p></module></schema>'
              '<human-msg><use module="m"/>Q?</human-msg><system-msg>S</system-msg>'
              '<human-msg>Then?</human-msg></poml>')
    payload = pml.loads(markup).render().to_anthropic(SONNET)
    (turn,) = payload["messages"]
    texts = [block["text"] for block in turn["content"]]
    assert "".join(texts) == f"{BIG}\n\nQ?\n\nThen?"
    assert [("cache_control" in block) for block in turn["content"]] == [True, False, False]


def test_prefix_bytes_count_the_blank_line_between_system_messages() -> None:
    markup = (f'<poml><system-msg>First system.</system-msg><human-msg>Hi.</human-msg>'
              f'<system-msg><use module="big"/></system-msg>'
              f'<schema><module name="big" cache="true"><p>{BIG}</p></module></schema>'
              '<human-msg>Q</human-msg></poml>')
    rendered = pml.loads(markup).render()
    assert [m.speaker for m in rendered.messages] == ["system", "human", "system", "human"]
    (point,) = rendered.cache_plan("anthropic", SONNET).breakpoints
    system = rendered.to_anthropic(SONNET)["system"]
    assert point.prefix_bytes == len(system[0]["text"].encode()) == len(f"First system.\n\n{BIG}".encode())
    assert point.prefix_tokens == count_tokens("First system.") + count_tokens("\n\n") + count_tokens(BIG)


def test_no_breakpoint_and_no_key_after_volatile_data() -> None:
    markup = (f'<poml><let name="now" volatile="true"/><p>Now: {{{{ now }}}}</p>'
              f'<schema><module name="m" cache="true"><p>{BIG}</p></module></schema>'
              '<use module="m"/><human-msg>Q</human-msg></poml>')
    prompt = pml.loads(markup)
    assert [d.code for d in prompt.diagnostics] == ["stability"]
    rendered = prompt.render(now="12:00:01")
    plan = rendered.cache_plan("anthropic", SONNET)
    assert plan.breakpoints == ()
    assert plan.stable_prefix_tokens == 0
    assert ("no breakpoint after `m`: volatile data comes before it, so its prefix changes on every request "
            "(see the warning of `pml check`)") in plan.notes
    assert count_cache_control(rendered.to_anthropic(SONNET)) == 0
    openai = rendered.cache_plan("openai", "gpt-4o")
    assert openai.cache_key is None
    assert "prompt_cache_key" not in rendered.to_openai()
    # the same module before the volatile data keeps its breakpoint
    moved = markup.replace("<p>Now: {{ now }}</p>", "").replace("<human-msg>Q</human-msg>",
                                                                 "<human-msg>Now: {{ now }}. Q</human-msg>")
    assert len(pml.loads(moved).render(now="12:00:01").cache_plan("anthropic", SONNET).breakpoints) == 1
