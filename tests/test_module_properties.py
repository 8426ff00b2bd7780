"""Properties of cached modules, checked with Hypothesis on generated markup.

(a) A cached module placed with `<use>` renders the same messages as its content written inline.
(b) A cache hit renders what a cold render does, and a fresh cache changes nothing.
(c) Anthropic breakpoints: at most four, in request order, each deeper than the one before, each
    past the model's minimum.
(d) The text blocks of the Anthropic payload add up to the text without modules.
"""

from __future__ import annotations

import itertools
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pml
from pml.output.cacheplan import MAX_BREAKPOINTS, anthropic_minimum
from pml.render import modcache
from pml.render.modcache import configure_module_cache

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(autouse=True)
def fresh_module_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(modcache, "_CACHE", modcache.module_cache())
    configure_module_cache()


# --------------------------------------------------------------------------- a small grammar
WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCXYZ0123456789", min_size=1, max_size=8)
PUNCT = st.sampled_from(["", ".", ",", "!", "?", ":", ";"])
TEXT = st.lists(st.tuples(WORD, PUNCT).map("".join), min_size=1, max_size=6).map(" ".join)


@st.composite
def inline(draw: st.DrawFn) -> str:
    pieces = draw(st.lists(st.one_of(TEXT, TEXT.map(lambda t: f"<b>{t}</b>"), TEXT.map(lambda t: f"<i>{t}</i>")),
                           min_size=1, max_size=3))
    return " ".join(pieces)


def block(depth: int = 0) -> st.SearchStrategy[str]:
    leaves = [
        inline().map(lambda t: f"<p>{t}</p>"),
        st.lists(inline(), min_size=1, max_size=4).map(
            lambda items: "<list>" + "".join(f"<item>{i}</item>" for i in items) + "</list>"),
        st.tuples(st.sampled_from(["task", "role", "hint", "example"]), inline()).map(
            lambda c: f"<{c[0]}>{c[1]}</{c[0]}>"),
    ]
    if depth < 2:
        leaves += [
            st.tuples(TEXT, st.lists(block(depth + 1), min_size=1, max_size=3)).map(
                lambda s: f"<section><h>{s[0]}</h>{''.join(s[1])}</section>"),
            st.tuples(WORD, st.lists(block(depth + 1), min_size=1, max_size=2)).map(
                lambda c: f"<cp caption=\"{c[0]}\">{''.join(c[1])}</cp>"),
        ]
    return st.one_of(*leaves)


BODY = st.lists(block(), min_size=1, max_size=4).map("".join)
# Where the module is placed: {X} is the module (or its content), {Y} something around it.
LAYOUTS = st.sampled_from([
    "{X}<human-msg>{Y}</human-msg>",
    "<p>{Y}</p>{X}<p>after</p><human-msg>q</human-msg>",
    "<system-msg>{X}<p>{Y}</p></system-msg><human-msg>{X}</human-msg>",
    "<section><h>{Y}</h>{X}</section>{X}<human-msg>q</human-msg>",
    "<section><h>{Y}</h><section><h>inner</h>{X}</section></section><human-msg><p>{Y}</p>{X}</human-msg>",
    "<task>{X}</task><human-msg>{Y}</human-msg>",
    "<human-msg><p>{Y}</p>{X}</human-msg><ai-msg>ok</ai-msg><human-msg>{X}</human-msg>",
])


def pair(body: str, layout: str, other: str) -> tuple[str, str]:
    """The markup with a cached module, and the same content inline."""
    definition = f'<schema><module name="m" cache="true">{body}</module></schema>'
    moduled = "<poml>" + definition + layout.replace("{X}", '<use module="m"/>').replace("{Y}", other) + "</poml>"
    inline_ = "<poml>" + layout.replace("{X}", body).replace("{Y}", other) + "</poml>"
    return moduled, inline_


def texts(rendered: pml.Rendered) -> list[tuple[str, str]]:
    return [(m.speaker, m.text) for m in rendered.messages]


# --------------------------------------------------------------------------- (a) and (b)
@SETTINGS
@given(body=BODY, layout=LAYOUTS, other=TEXT)
def test_a_module_renders_as_its_content_inline(body: str, layout: str, other: str) -> None:
    moduled, inline_ = pair(body, layout, other)
    expected = pml.loads(inline_).render()
    got = pml.loads(moduled).render()
    assert got.messages == expected.messages
    assert len(got.modules) == layout.count("{X}")
    for placed in got.modules:
        assert placed.cached and placed.start.message == placed.end.message


@SETTINGS
@given(body=BODY, layout=LAYOUTS, other=TEXT)
def test_cache_hits_render_what_cold_renders_do(body: str, layout: str, other: str) -> None:
    moduled, _ = pair(body, layout, other)
    prompt = pml.loads(moduled)
    cache = configure_module_cache()
    cold = prompt.render()
    assert cache.stats().misses >= 1
    hits = cache.stats().hits
    warm = prompt.render()
    assert cache.stats().hits > hits
    assert warm.messages == cold.messages
    assert [(p.name, p.start, p.end) for p in warm.modules] == [(p.name, p.start, p.end) for p in cold.modules]
    configure_module_cache()
    fresh = prompt.render()
    assert fresh.messages == cold.messages
    assert json.dumps(fresh.to_anthropic(model="claude-sonnet-4-5")) == json.dumps(
        warm.to_anthropic(model="claude-sonnet-4-5"))


# --------------------------------------------------------------------------- (c) and (d)
FILL = ("policy", "refund", "customer", "order", "shipping", "account", "invoice", "support", "window", "return")
MODELS = st.sampled_from(["claude-sonnet-4-5", "claude-3-5-haiku", "claude-haiku-4-5", "unknown-model"])


@st.composite
def many_modules(draw: st.DrawFn) -> tuple[str, str, list[str]]:
    """(markup with cached modules, the same inline, each module's text). Module sizes run from a
    few words to a few thousand, spread over a system message and human messages."""
    count = draw(st.integers(1, 8))
    sizes = draw(st.lists(st.integers(0, 1500), min_size=count, max_size=count))
    places = draw(st.lists(st.sampled_from(["system", "human", "late-system"]), min_size=count, max_size=count))
    bodies = [f"<p>M{i} " + " ".join(FILL[(i + j) % len(FILL)] for j in range(n)) + "</p>"
              for i, n in enumerate(sizes)]
    between = draw(st.lists(TEXT, min_size=count, max_size=count))
    parts = {"system": [], "human": [], "late-system": []}
    for i, place in enumerate(places):
        parts[place].append((i, between[i]))

    def body(use: bool) -> str:
        def item(i: int, gap: str) -> str:
            return (f'<use module="m{i}"/>' if use else bodies[i]) + f"<p>{gap}</p>"

        system = "".join(item(i, g) for i, g in parts["system"]) or "<p>Sys.</p>"
        human = "".join(item(i, g) for i, g in parts["human"])
        late = "".join(item(i, g) for i, g in parts["late-system"])
        out = f"<system-msg>{system}</system-msg><human-msg>{human}{{{{ q }}}}</human-msg>"
        if late:
            # An assistant turn keeps the two human turns apart (merged turns: see the module docstring).
            out += f"<ai-msg>ok</ai-msg><system-msg>{late}</system-msg><human-msg>Then?</human-msg>"
        return out

    definitions = "".join(f'<module name="m{i}" cache="true">{b}</module>' for i, b in enumerate(bodies))
    return (f"<poml><schema>{definitions}</schema>{body(True)}</poml>", f"<poml>{body(False)}</poml>",
            [b[3:-4] for b in bodies])


def request_rank(rendered: pml.Rendered, message: int) -> int:
    """The index of a message in Anthropic's request order: the system messages first."""
    order = [i for i, m in enumerate(rendered.messages) if m.speaker == "system"]
    order += [i for i, m in enumerate(rendered.messages) if m.speaker != "system"]
    return order.index(message)


@SETTINGS
@given(case=many_modules(), model=MODELS)
def test_breakpoints_are_few_ordered_and_deepening(case: tuple[str, str, list[str]], model: str) -> None:
    moduled, _, _ = case
    rendered = pml.loads(moduled).render(q="Question?")
    plan = rendered.cache_plan("anthropic", model)
    minimum, _ = anthropic_minimum(model)
    assert plan.minimum == minimum
    assert len(plan.breakpoints) <= MAX_BREAKPOINTS
    eligible = len(plan.breakpoints) + len(plan.warnings)
    assert len(plan.warnings) == max(0, eligible - MAX_BREAKPOINTS)
    ranks = [(request_rank(rendered, b.position.message), b.position.part, b.position.offset)
             for b in plan.breakpoints]
    assert ranks == sorted(ranks) and len(set(ranks)) == len(ranks)
    tokens = [b.prefix_tokens for b in plan.breakpoints]
    assert all(a < b for a, b in itertools.pairwise(tokens))
    assert all(b.prefix_tokens >= minimum for b in plan.breakpoints)
    sizes = [b.prefix_bytes for b in plan.breakpoints]
    assert all(a < b for a, b in itertools.pairwise(sizes))
    # Each breakpoint is at the end of a cached module.
    ends = {(p.end, p.name) for p in rendered.modules if p.cached}
    assert all((b.position, b.module) in ends for b in plan.breakpoints)
    # The payload carries exactly those.
    assert json.dumps(rendered.to_anthropic(model=model)).count('"cache_control"') == len(plan.breakpoints)


@SETTINGS
@given(case=many_modules(), model=MODELS)
def test_anthropic_blocks_add_up_to_the_text_without_modules(case: tuple[str, str, list[str]], model: str) -> None:
    moduled, inline_, _ = case
    payload = pml.loads(moduled).render(q="Question?").to_anthropic(model=model)
    plain = pml.loads(inline_).render(q="Question?").to_anthropic(model=model)
    assert "cache_control" not in json.dumps(plain)
    assert isinstance(plain["system"], str)
    system = payload["system"]
    assert (system if isinstance(system, str) else "".join(b["text"] for b in system)) == plain["system"]
    if isinstance(system, list):
        assert all(b["type"] == "text" and b["text"].strip() for b in system)
        assert all(set(b) <= {"type", "text", "cache_control"} for b in system)
    assert [t["role"] for t in payload["messages"]] == [t["role"] for t in plain["messages"]]
    for got, want in zip(payload["messages"], plain["messages"], strict=True):
        content = got["content"]
        assert (content if isinstance(content, str) else "".join(b["text"] for b in content)) == want["content"]
