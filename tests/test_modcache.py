"""The render cache of cached modules (`pml.render.modcache`): reuse, keys, bounds, threads, and bytes.

A cached module renders once per key (its definition, arguments, selection and syntax) and its
text is spliced into every later render; it must read exactly as the same content written
inline would, at every heading depth.
"""

from __future__ import annotations

import concurrent.futures
import threading
from pathlib import Path
from typing import NamedTuple

import pytest

import pml
from pml.render import modcache
from pml.render.modcache import CacheStats, ModuleCache, configure_module_cache, module_cache


@pytest.fixture(autouse=True)
def cache(monkeypatch: pytest.MonkeyPatch) -> ModuleCache:
    """A fresh process-wide module cache for each test; the original one is put back afterwards."""
    monkeypatch.setattr(modcache, "_CACHE", module_cache())
    return configure_module_cache()


def test_the_fixture_installs_a_fresh_cache(cache: ModuleCache) -> None:
    assert module_cache() is cache
    assert cache.stats() == CacheStats(0, 0, 0, 0, 0)
    assert (cache.max_entries, cache.max_chars) == (modcache.DEFAULT_ENTRIES, modcache.DEFAULT_CHARS)


POLICY = """<schema>
  <module name="policy" cache="true"><param name="company" default="Acme"/>
    <p>Policy of {{ company }}.</p>
    <list><item>Refunds within 30 days.</item><item>No <b>surprises</b>.</item></list>
  </module>
</schema>"""
POLICY_TEXT = "Policy of {company}.\n\n- Refunds within 30 days.\n- No **surprises**."


def test_a_cached_module_renders_once_across_renders(cache: ModuleCache) -> None:
    prompt = pml.loads(f"<poml>{POLICY}<use module=\"policy\"/><human-msg>{{{{ q }}}}</human-msg></poml>")
    for i in range(50):
        rendered = prompt.render(q=f"Question {i}?")
        assert [m.text for m in rendered.messages] == [POLICY_TEXT.format(company="Acme"), f"Question {i}?"]
    assert cache.stats() == CacheStats(entries=1, chars=len(POLICY_TEXT.format(company="Acme")), hits=49, misses=1,
                                       evictions=0)


def test_two_prompts_with_the_same_module_share_the_entry(cache: ModuleCache) -> None:
    first = pml.loads(f"<poml>{POLICY}<p>First prompt.</p><use module=\"policy\"/><human-msg>A</human-msg></poml>")
    second = pml.loads(f"<poml><system-msg>Other.</system-msg>\n\n{POLICY}<human-msg><use module=\"policy\"/>B"
                       "</human-msg></poml>")
    one, two = first.render(), second.render()
    text = POLICY_TEXT.format(company="Acme")
    assert [m.text for m in one.messages] == ["First prompt.\n\n" + text, "A"]
    assert [m.text for m in two.messages] == ["Other.", text + "\n\nB"]
    assert one.modules[0].mark.key == two.modules[0].mark.key
    assert cache.stats() == CacheStats(entries=1, chars=len(text), hits=1, misses=1, evictions=0)


def test_different_params_make_different_entries(cache: ModuleCache) -> None:
    prompt = pml.loads(f"<poml>{POLICY}<use module=\"policy\" company=\"{{{{ who }}}}\"/>"
                       "<human-msg>Q</human-msg></poml>")
    keys = {}
    for who in ("Acme", "Initech", "Acme", "Globex", "Initech"):
        rendered = prompt.render(who=who)
        assert rendered.messages[0].text == POLICY_TEXT.format(company=who)
        keys.setdefault(who, set()).add(rendered.modules[0].mark.key)
    assert all(len(k) == 1 for k in keys.values())
    assert len(set().union(*keys.values())) == 3
    stats = cache.stats()
    assert (stats.entries, stats.hits, stats.misses) == (3, 2, 3)
    # The default and an explicit argument equal to it are the same rendering.
    default = pml.loads(f"<poml>{POLICY}<use module=\"policy\"/><human-msg>Q</human-msg></poml>").render()
    assert default.modules[0].mark.key == keys["Acme"].pop()


def test_style_and_syntax_are_part_of_the_key(cache: ModuleCache) -> None:
    plain = pml.loads(f"<poml>{POLICY}<use module=\"policy\"/><human-msg>Q</human-msg></poml>").render()
    styled = pml.loads(f"<poml><style>list {{ list-style: decimal; }}</style>{POLICY}<use module=\"policy\"/>"
                       "<human-msg>Q</human-msg></poml>").render()
    caller = pml.loads(f"<poml>{POLICY}<use module=\"policy\"/><human-msg>Q</human-msg></poml>",
                       stylesheet="list { list-style: star; }").render()
    text = pml.loads(f"<poml syntax=\"text\">{POLICY}<use module=\"policy\"/><human-msg>Q</human-msg></poml>").render()
    assert plain.messages[0].text == POLICY_TEXT.format(company="Acme")
    assert styled.messages[0].text == "Policy of Acme.\n\n1. Refunds within 30 days.\n2. No **surprises**."
    assert caller.messages[0].text == "Policy of Acme.\n\n* Refunds within 30 days.\n* No **surprises**."
    keys = [r.modules[0].mark.key for r in (plain, styled, caller, text)]
    assert len(set(keys)) == 4
    assert cache.stats().entries == 4 and cache.stats().hits == 0
    # And the styled one is reused by a second prompt styled the same way.
    again = pml.loads(f"<poml><style>list {{ list-style: decimal; }}</style><p>Hi.</p>{POLICY}"
                      "<use module=\"policy\"/><human-msg>R</human-msg></poml>").render()
    assert again.modules[0].mark.key == keys[1]
    assert cache.stats().hits == 1


# --------------------------------------------------------------------------- bounds
class FakePiece(NamedTuple):
    text: str


def test_lru_evicts_the_least_recently_used() -> None:
    lru = ModuleCache(max_entries=3)
    renders: list[str] = []

    def get(key: str):
        return lru.get_or_render(key, lambda: renders.append(key) or [key])

    a, b, c = get("a"), get("b"), get("c")
    assert get("a") is a  # a is now the most recent
    get("d")  # evicts b
    assert ("a" in lru, "b" in lru, "c" in lru, "d" in lru) == (True, False, True, True)
    assert lru.stats() == CacheStats(entries=3, chars=0, hits=1, misses=4, evictions=1)
    assert get("c") is c
    get("b")  # a miss again; evicts a (c and d were used after it)
    assert renders == ["a", "b", "c", "d", "b"]
    assert ("a" in lru, "b" in lru, "c" in lru, "d" in lru) == (False, True, True, True)
    assert lru.stats() == CacheStats(entries=3, chars=0, hits=2, misses=5, evictions=2)
    assert b.boxes == ["b"] and len(lru) == 3
    lru.clear()
    assert lru.stats() == CacheStats(0, 0, 0, 0, 0) and len(lru) == 0


def test_max_chars_evicts_by_text_size() -> None:
    small = ModuleCache(max_entries=100, max_chars=10)
    a = small.get_or_render("a", lambda: [])
    assert a.keep(1, FakePiece("aaaa")).text == "aaaa"
    b = small.get_or_render("b", lambda: [])
    b.keep(1, FakePiece("bbbb"))
    assert small.stats() == CacheStats(entries=2, chars=8, hits=0, misses=2, evictions=0)
    c = small.get_or_render("c", lambda: [])
    c.keep(1, FakePiece("cccc"))  # 12 > 10: a goes
    assert ("a" in small, "b" in small, "c" in small) == (False, True, True)
    assert small.stats() == CacheStats(entries=2, chars=8, hits=0, misses=3, evictions=1)
    # A second heading level of c grows it: b (older) goes.
    first = c.keep(2, FakePiece("CC"))
    assert c.keep(2, FakePiece("other")) is first  # the first piece kept wins
    assert c.piece(2) is first and c.piece(1).text == "cccc" and c.piece(3) is None
    assert small.stats() == CacheStats(entries=2, chars=10, hits=0, misses=3, evictions=1)
    d = small.get_or_render("d", lambda: [])
    d.keep(1, FakePiece("ddddd"))  # 15 > 10: b goes, 11 > 10: c goes
    assert ("b" in small, "c" in small, "d" in small) == (False, False, True)
    assert small.stats() == CacheStats(entries=1, chars=5, hits=0, misses=4, evictions=3)
    # One entry larger than the bound is still kept (there is nothing else to drop).
    e = small.get_or_render("e", lambda: [])
    e.keep(1, FakePiece("e" * 50))
    assert ("d" in small, "e" in small) == (False, True)
    assert small.stats() == CacheStats(entries=1, chars=50, hits=0, misses=5, evictions=4)


def test_a_bad_size_is_refused() -> None:
    with pytest.raises(ValueError):
        ModuleCache(max_entries=0)
    with pytest.raises(ValueError):
        ModuleCache(max_chars=0)


def test_render_bounds_through_configure_module_cache() -> None:
    small = configure_module_cache(max_entries=2)
    prompt = pml.loads(f"<poml>{POLICY}<use module=\"policy\" company=\"{{{{ who }}}}\"/>"
                       "<human-msg>Q</human-msg></poml>")
    for who in ("A", "B", "C", "A"):
        assert prompt.render(who=who).messages[0].text == POLICY_TEXT.format(company=who)
    assert small.stats() == CacheStats(entries=2, chars=2 * len(POLICY_TEXT.format(company="A")), hits=0, misses=4,
                                       evictions=2)
    sized = configure_module_cache(max_chars=len(POLICY_TEXT.format(company="A")) * 2 + 1)
    for who in ("A", "B", "C"):
        prompt.render(who=who)
    assert sized.stats() == CacheStats(entries=2, chars=2 * len(POLICY_TEXT.format(company="A")), hits=0, misses=3,
                                       evictions=1)
    assert prompt.render(who="C").messages[0].text == POLICY_TEXT.format(company="C")
    assert sized.stats().hits == 1


# --------------------------------------------------------------------------- threads
def test_renders_from_many_threads(cache: ModuleCache) -> None:
    prompt = pml.loads(f"<poml>{POLICY}<system-msg><p>Be kind.</p><use module=\"policy\" company=\"{{{{ who }}}}\"/>"
                       "</system-msg><human-msg>{{ q }}</human-msg></poml>")
    companies = ("Acme", "Initech", "Globex")
    start = threading.Barrier(8)

    def work(thread: int) -> list[str]:
        start.wait()
        problems = []
        for i in range(200):
            who = companies[(thread + i) % 3]
            question = f"Question {thread}-{i}?"
            rendered = prompt.render(who=who, q=question)
            texts = [m.text for m in rendered.messages]
            if texts != ["Be kind.\n\n" + POLICY_TEXT.format(company=who), question]:
                problems.append(repr(texts))
            placed = rendered.modules[0]
            if rendered.messages[0].parts[0][placed.start.offset:placed.end.offset] != POLICY_TEXT.format(
                    company=who):
                problems.append(f"module position {placed}")
        return problems

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(work, range(8)))
    assert results == [[]] * 8
    stats = cache.stats()
    assert stats.entries == 3
    assert stats.hits + stats.misses == 8 * 200
    assert 3 <= stats.misses <= 3 * 8  # a key is rendered at most once per thread that raced for it
    assert stats.evictions == 0
    assert stats.chars == sum(len(POLICY_TEXT.format(company=c)) for c in companies)


def test_renders_from_many_threads_with_evictions() -> None:
    small = configure_module_cache(max_entries=2)
    prompt = pml.loads(f"<poml>{POLICY}<use module=\"policy\" company=\"{{{{ who }}}}\"/>"
                       "<human-msg>{{ q }}</human-msg></poml>")

    def work(thread: int) -> int:
        wrong = 0
        for i in range(100):
            who = f"C{(thread * 7 + i) % 5}"
            texts = [m.text for m in prompt.render(who=who, q=str(i)).messages]
            wrong += texts != [POLICY_TEXT.format(company=who), str(i)]
        return wrong

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(work, range(8))) == [0] * 8
    stats = small.stats()
    assert stats.entries == 2 and stats.hits + stats.misses == 800
    # Five keys were each inserted at least once; a raced miss inserts nothing.
    assert 5 - 2 <= stats.evictions <= stats.misses - stats.entries


# --------------------------------------------------------------------------- same bytes as inline
BODIES = {
    "paragraphs": "<p>Para one.</p><p>Para two with <b>bold</b> and <i>italic</i>.</p>",
    "list": "<list><item>a</item><item>b <b>c</b></item></list>",
    "loose list": "<list><item><p>first para</p><p>second para</p></item><item>b</item></list>",
    "sections": "<section><h>Head</h><p>Text.</p><section><h>Sub</h><p>Deep.</p></section></section>",
    "captions": "<task>Do the thing.</task><role>A careful helper.</role>",
    "caption with list": "<cp caption=\"Rules\"><list><item>one</item><item>two</item></list></cp>",
    "text": "plain words here",
}
LAYOUTS = {
    "between paragraphs": "<poml>{D}<p>Before.</p>{X}<p>After.</p><human-msg>Q?</human-msg></poml>",
    "in and out of a section": "<poml>{D}<section><h>Top</h>{X}<p>tail</p></section>{X}"
                               "<human-msg>Q?</human-msg></poml>",
    "nested sections": "<poml>{D}<section><h>A</h><section><h>B</h>{X}</section></section>"
                       "<human-msg>{X}</human-msg></poml>",
    "messages": "<poml>{D}<system-msg>{X}</system-msg><human-msg><p>Q?</p>{X}</human-msg></poml>",
    "in a caption": "<poml>{D}<task>{X}</task><human-msg>Q</human-msg></poml>",
    "base level": "<poml writerOptions='{\"markdownBaseHeaderLevel\": 3}'>{D}<section><h>T</h>{X}</section>{X}"
                  "<human-msg>Q</human-msg></poml>",
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
@pytest.mark.parametrize("body", sorted(BODIES))
def test_a_cached_module_reads_as_the_same_content_inline(body: str, layout: str) -> None:
    definition = f'<schema><module name="m" cache="true">{BODIES[body]}</module></schema>'
    template = LAYOUTS[layout]
    moduled = pml.loads(template.replace("{D}", definition).replace("{X}", '<use module="m"/>'))
    inline = pml.loads(template.replace("{D}", "").replace("{X}", BODIES[body]))
    expected = inline.render()
    cold = moduled.render()
    warm = moduled.render()
    assert module_cache().stats().hits >= 1
    assert cold.messages == expected.messages
    assert warm.messages == expected.messages
    assert [m.text for m in warm.messages] == [m.text for m in expected.messages]


def test_the_cached_text_follows_the_heading_depth(cache: ModuleCache) -> None:
    definition = ('<schema><module name="m" cache="true"><task>Do it.</task>'
                  '<section><h>Notes</h><p>Careful.</p></section></module></schema>')
    prompt = pml.loads(f"<poml>{definition}<section><h>Outer</h><use module=\"m\"/></section>"
                       "<use module=\"m\"/><human-msg>Q</human-msg></poml>")
    system = prompt.render().messages[0].text
    deep = "## Task\n\nDo it.\n\n### Notes\n\nCareful."
    top = "# Task\n\nDo it.\n\n## Notes\n\nCareful."
    assert system == "## Outer\n\n" + deep + "\n\n" + top
    # One entry, written at two heading levels, each kept.
    assert cache.stats() == CacheStats(entries=1, chars=len(deep) + len(top), hits=1, misses=1, evictions=0)
    assert prompt.render().messages[0].text == system
    assert cache.stats().hits == 3 and cache.stats().chars == len(deep) + len(top)
    # The same entry used only at the top level by another prompt is the top-level text.
    other = pml.loads(f"<poml>{definition}<use module=\"m\"/><human-msg>R</human-msg></poml>").render()
    assert other.messages[0].text == top


READS_A_FILE = ('<poml><schema><module name="m" cache="true"><document src="policy.txt"/></module></schema>'
                '<use module="m"/><human-msg>Q</human-msg></poml>')


def test_a_cached_module_that_reads_a_file_is_keyed_by_its_folder_and_the_file(
        cache: ModuleCache, tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    (one / "policy.txt").write_text("Policy ONE.", encoding="utf-8")
    (two / "policy.txt").write_text("Policy TWO.", encoding="utf-8")
    assert pml.loads(READS_A_FILE, base_dir=one).render().messages[0].parts == ("Policy ONE.",)
    assert pml.loads(READS_A_FILE, base_dir=two).render().messages[0].parts == ("Policy TWO.",)
    (one / "policy.txt").write_text("Policy ONE, changed.", encoding="utf-8")
    assert pml.loads(READS_A_FILE, base_dir=one).render().messages[0].parts == ("Policy ONE, changed.",)
    assert cache.stats().misses == 3
