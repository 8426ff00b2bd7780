"""Budgets (`pml.render.budget`): `char-limit`, `token-limit`, `priority`, `truncate-marker` and
`truncate-direction`, fitted without cutting through structure.

Exact outputs for: cached modules under a limit, word-boundary token cuts and exact character
cuts, markers and directions as attributes and style properties, `Rendered.dropped`,
`Prompt.render(max_tokens=…)`, the `--max-tokens` CLI option; then Hypothesis properties of
random documents under a random root `token-limit`.

POML parity cases are in `tests/cases/parity/limit_*.pml`, structure-preserving deviations in
`tests/cases/deviations/limit_*.pml` and readable examples in `tests/cases/budgets/`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import pml
from pml.cli.app import app
from pml.render import modcache
from pml.render.modcache import configure_module_cache
from pml.tokens.encodings import count_tokens, encoding, tokenizer_for

SIX = "One two three four five six."


def fitted(markup: str, **kw: object) -> tuple[str, list[str]]:
    """The text (chat off: just the content) and what `dropped` says."""
    rendered = pml.loads(markup).render(chat=False, **kw)
    return rendered.text(), [d.describe() for d in rendered.dropped]


@pytest.fixture(autouse=True)
def fresh_module_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(modcache, "_CACHE", modcache.module_cache())
    configure_module_cache()


# --------------------------------------------------------------------------- 1. cached modules
MODULE_TEXT = "You are a careful assistant. Follow the house style guide in every answer you give."
SCHEMA = f'<schema><module name="m" cache="true"><p>{MODULE_TEXT}</p></module></schema>'


def test_the_module_measures_17_tokens() -> None:
    assert count_tokens(MODULE_TEXT) == 17  # the limits below are chosen around it


@pytest.mark.parametrize(("limit", "expected", "dropped"), [
    # fits whole: nothing changes
    (22, f"{MODULE_TEXT}\n\nQuestion one is here.", []),
    # the module fits (17 + the blank line), the paragraph after it is cut at a word
    (20, f"{MODULE_TEXT}\n\nQuestion one (...truncated)",
     ["cut text: 3 tokens, by the token-limit 20 of <poml> at <string>:1:1"]),
    # the module fits, nothing is left for the paragraph: it goes whole
    (18, f"{MODULE_TEXT}\n\n(...truncated)",
     ["dropped a paragraph: 5 tokens, by the token-limit 18 of <poml> at <string>:1:1"]),
    # the module does not fit: it goes whole, never cut (and the cut ends there)
    (16, "(...truncated)",
     ["dropped a module: 17 tokens, by the token-limit 16 of <poml> at <string>:1:1",
      "dropped a paragraph: 5 tokens, by the token-limit 16 of <poml> at <string>:1:1"]),
])
def test_a_cached_module_is_kept_whole_or_dropped_whole(limit: int, expected: str, dropped: list[str]) -> None:
    markup = f'<poml tokenLimit="{limit}">{SCHEMA}<use module="m"/><p>Question one is here.</p></poml>'
    assert fitted(markup) == (expected, dropped)


def test_a_dropped_module_is_one_unit_entry_and_is_no_longer_placed() -> None:
    markup = f'<poml tokenLimit="10">{SCHEMA}<p>Lead text.</p><use module="m"/></poml>'
    rendered = pml.loads(markup).render(chat=False)
    assert rendered.text() == "Lead text.\n\n(...truncated)"
    [entry] = rendered.dropped
    assert (entry.kind, entry.name, entry.span, entry.size) == ("unit", "a module", None, 17)
    assert entry.describe() == "dropped a module: 17 tokens, by the token-limit 10 of <poml> at <string>:1:1"
    assert rendered.modules == ()


@pytest.mark.parametrize("limit", [18, 19, 20, 21])
def test_a_kept_module_has_the_bytes_and_place_of_an_unlimited_render(limit: int) -> None:
    body = f'{SCHEMA}<use module="m"/><p>Question one is here, with more words after it.</p>'
    unlimited = pml.loads(f"<poml>{body}</poml>").render()
    limited = pml.loads(f'<poml tokenLimit="{limit}">{body}</poml>').render()
    assert limited.dropped  # the paragraph after the module was cut or dropped
    [placed] = limited.modules
    [before] = unlimited.modules
    assert placed.cached and (placed.start, placed.end) == (before.start, before.end)
    start, end = placed.start.offset, placed.end.offset
    kept = limited.messages[0].parts[placed.start.part]
    whole = unlimited.messages[0].parts[before.start.part]
    assert isinstance(kept, str) and isinstance(whole, str)
    assert kept[start:end].encode() == whole[start:end].encode() == MODULE_TEXT.encode()


@pytest.mark.parametrize("direction", ["end", "start", "middle"])
@pytest.mark.parametrize("limit", range(1, 40, 3))
def test_no_limit_or_direction_cuts_into_a_module(direction: str, limit: int) -> None:
    markup = (f'<poml tokenLimit="{limit}" truncateDirection="{direction}">{SCHEMA}'
              f'<p>Lead text before it.</p><use module="m"/><p>Question one is here.</p></poml>')
    text, _ = fitted(markup)
    assert MODULE_TEXT in text or "careful" not in text


def test_a_module_inside_a_limited_section_goes_whole() -> None:
    markup = f'<poml>{SCHEMA}<section tokenLimit="5"><p>Lead.</p><use module="m"/></section></poml>'
    assert fitted(markup) == ("Lead.\n\n(...truncated)",
                              ["dropped a module: 17 tokens, by the token-limit 5 of <section> at <string>:1:153"])
    assert fitted(markup.replace('"5"', '"20"')) == (f"Lead.\n\n{MODULE_TEXT}", [])


def test_truncate_direction_start_drops_a_module_whole_too() -> None:
    markup = (f'<poml tokenLimit="8" truncateDirection="start">{SCHEMA}<p>Lead text.</p><use module="m"/>'
              '<p>Question one is here.</p></poml>')
    assert fitted(markup) == ("(...truncated)\n\nQuestion one is here.", [
        "dropped a module: 17 tokens, by the token-limit 8 of <poml> at <string>:1:1",
        "dropped a paragraph: 3 tokens, by the token-limit 8 of <poml> at <string>:1:1",
    ])


# --------------------------------------------------------------------------- 2. where cuts fall
LONG = "Alpha beta gamma antidisestablishmentarianism delta."
LONG_WORD_TOKENS = 6  # " antidisestablishmentarianism" is " ant|idis|est|ablishment|arian|ism"


def test_the_long_word_is_several_tokens() -> None:
    enc = encoding("o200k_base")
    tokens = tokenizer_for(None).encode(LONG)
    assert len(tokens) == 3 + LONG_WORD_TOKENS + 2
    for n in range(4, 3 + LONG_WORD_TOKENS):  # every one of these prefixes ends inside the word
        prefix = enc.decode(tokens[:n])
        assert prefix.endswith(("ant", "antidis", "antidisest", "antidisestablishment", "antidisestablishmentarian"))


@pytest.mark.parametrize(("limit", "expected"), [
    (1, "Alpha (...truncated)"),
    (3, "Alpha beta gamma (...truncated)"),
    *((n, "Alpha beta gamma (...truncated)") for n in range(4, 9)),  # inside the long word: back to its start
    (9, "Alpha beta gamma antidisestablishmentarianism (...truncated)"),
    (11, LONG),
])
def test_a_token_cut_ends_at_a_word_boundary(limit: int, expected: str) -> None:
    text, dropped = fitted(f'<poml><p tokenLimit="{limit}">{LONG}</p></poml>')
    assert text == expected
    kept = expected.removesuffix(" (...truncated)")
    assert count_tokens(kept) <= limit
    assert dropped == ([] if kept == LONG else [f"cut text: {count_tokens(LONG) - count_tokens(kept)} tokens, "
                                                f"by the token-limit {limit} of <p> at <string>:1:7"])


@pytest.mark.parametrize(("limit", "expected"), [
    (2, "(...truncated) epsilon."),
    *((n, "(...truncated) delta epsilon.") for n in range(3, 9)),  # from the end: forward to a word start
    (9, "(...truncated) antidisestablishmentarianism delta epsilon."),
])
def test_a_token_cut_from_the_start_begins_at_a_word_boundary(limit: int, expected: str) -> None:
    text, _ = fitted(f'<poml><p tokenLimit="{limit}" truncateDirection="start">'
                     f'Alpha beta gamma antidisestablishmentarianism delta epsilon.</p></poml>')
    assert text == expected


@pytest.mark.parametrize("limit", [1, 5, 14, 20, 30, 51])
def test_a_char_cut_is_exact(limit: int) -> None:
    text, dropped = fitted(f'<poml><p charLimit="{limit}">{LONG}</p></poml>')
    assert text == LONG[:limit] + " (...truncated)"  # mid-word, as POML cuts
    assert dropped == [f"cut text: {len(LONG) - limit} characters, by the char-limit {limit} of <p> at <string>:1:7"]


def test_a_char_cut_from_the_start_is_exact() -> None:
    text, _ = fitted(f'<poml><p charLimit="12" truncateDirection="start" truncateMarker="…">{LONG}</p></poml>')
    assert text == "…" + LONG[-12:] == "…anism delta."


# --------------------------------------------------------------------------- 3. markers and directions
@pytest.mark.parametrize(("markup", "expected"), [
    # attributes, camelCase and kebab-case
    (f'<p tokenLimit="3" truncateMarker=" [more]">{SIX}</p>', "One two three [more]"),
    (f'<p char-limit="7" truncate-marker="…">{SIX}</p>', "One two…"),
    (f'<p tokenLimit="3" truncate-marker="">{SIX}</p>', "One two three"),
    (f'<p tokenLimit="3" truncate-direction="start">{SIX}</p>', "(...truncated) five six."),
    (f'<p tokenLimit="3" truncate-direction="start" truncate-marker="[cut] ">{SIX}</p>', "[cut] five six."),
    (f'<p tokenLimit="3" truncate-direction="end">{SIX}</p>', "One two three (...truncated)"),
    # style properties
    (f'<style>p {{ token-limit: 3; truncate-marker: " [more]" }}</style><p>{SIX}</p>', "One two three [more]"),
    (f'<style>p {{ token-limit: 2; truncate-direction: start; truncate-marker: "[…] " }}</style><p>{SIX}</p>',
     "[…] six."),
    (f'<style>p {{ char-limit: 12; truncate-direction: middle; truncate-marker: " … " }}</style><p>{SIX}</p>',
     "One tw … e six."),
    (f'<style>.brief {{ tokenLimit: 2 }}</style><p className="brief">{SIX}</p><p>{SIX}</p>',
     f"One two (...truncated)\n\n{SIX}"),
    (f'<style>p {{ token-limit: 3 }}</style><p truncateMarker=" [own]">{SIX}</p>', "One two three [own]"),
    # POML's writerOptions; an attribute wins over them
    (f'<p tokenLimit="3" writerOptions=\'{{"truncateMarker": " [opt]"}}\'>{SIX}</p>', "One two three [opt]"),
    (f'<p tokenLimit="3" truncateMarker="[attr] " '
     f'writerOptions=\'{{"truncateMarker": "[opt] ", "truncateDirection": "start"}}\'>{SIX}</p>',
     "[attr] five six."),
    (f'<p tokenLimit="3" truncateDirection="end" writerOptions=\'{{"truncateDirection": "start"}}\'>{SIX}</p>',
     "One two three (...truncated)"),
])
def test_marker_and_direction(markup: str, expected: str) -> None:
    text, dropped = fitted(f"<poml>{markup}</poml>")
    assert text == expected
    assert len(dropped) == 1


def test_middle_keeps_both_ends_of_one_paragraph_as_one_paragraph() -> None:
    words = "one two three four five six seven eight nine ten"
    assert fitted(f'<poml><p tokenLimit="6" truncateDirection="middle">{words}</p></poml>') == (
        "one two three (...truncated) eight nine ten",
        ["cut the middle: 4 tokens, by the token-limit 6 of <p> at <string>:1:7"])
    assert fitted('<poml><p charLimit="9" truncateDirection="middle" truncateMarker="…">'
                  'abcdefghijklmnopqrstuvwxyz</p></poml>') == (
        "abcde…wxyz", ["cut the middle: 17 characters, by the char-limit 9 of <p> at <string>:1:7"])


def test_middle_keeps_whole_items_of_a_list_on_both_sides() -> None:
    markup = ('<poml><list tokenLimit="10" truncateDirection="middle"><item>one two three</item>'
              '<item>four five six</item><item>seven eight nine</item><item>ten eleven twelve</item></list></poml>')
    assert fitted(markup) == ("- one two three (...truncated)\n- ten eleven twelve",
                              ["cut the middle: 11 tokens, by the token-limit 10 of <list> at <string>:1:7"])


@pytest.mark.parametrize("container", ["section", "div"])
def test_middle_on_a_container_keeps_one_paragraph(container: str) -> None:
    words = "one two three four five six seven eight nine ten"
    text, _ = fitted(f'<poml><{container} tokenLimit="6" truncateDirection="middle"><p>{words}</p>'
                     f'</{container}></poml>')
    assert text == "one two three (...truncated) eight nine ten"


def test_a_start_marker_standing_alone_has_no_trailing_space() -> None:
    text, _ = fitted("<poml tokenLimit=\"22\" truncateDirection=\"start\"><table records=\"{{ [{'a': 1, 'b': 'x'}, "
                     "{'a': 2, 'b': 'y'}, {'a': 3, 'b': 'z'}, {'a': 4, 'b': 'w'}] }}\"/></poml>")
    assert text == "(...truncated)\n\n| a | b |\n| - | - |\n| 3 | z |\n| 4 | w |"


@pytest.mark.parametrize(("markup", "fragment"), [
    ('<p tokenLimit="1" truncateDirection="start">Call extension x7</p>', "7"),
    ('<list tokenLimit="2" truncateDirection="start"><item>pneumonoultramicroscopic</item></list>', "roscopic"),
    ('<p tokenLimit="2">antidisestablishmentarianism is long</p>', "antidis"),
    ('<task tokenLimit="4">Summarise the quarterly report.</task>', "Summ"),
])
def test_a_token_cut_without_a_word_boundary_keeps_no_fragment(markup: str, fragment: str) -> None:
    text, _ = fitted(f"<poml>{markup}</poml>")
    assert fragment not in text.split()


@pytest.mark.parametrize("direction", ["end", "start"])
@pytest.mark.parametrize("limit", [1, 2, 4, 5])
def test_a_token_cut_never_splits_a_character(direction: str, limit: int) -> None:
    text, _ = fitted(f'<poml><p tokenLimit="{limit}" truncateDirection="{direction}">'
                     f'\U0001f99c\U0001f99c\U0001f99c\U0001f99c parrots \U0001f99c\U0001f99c</p></poml>')
    assert "\ufffd" not in text


# --------------------------------------------------------------------------- 4. Rendered.dropped
TABLE = "{{ [{'a': 1, 'b': 'x'}, {'a': 2, 'b': 'y'}, {'a': 3, 'b': 'z'}, {'a': 4, 'b': 'w'}] }}"
ITEMS = ("<list><item>First item text</item><item>Second item text</item><item>Third item</item>"
         "<item>Fourth item</item></list>")

DROPPED = [
    # nothing over: nothing dropped
    ('<poml tokenLimit="12"><p priority="1">Low priority background text goes first.</p>'
     '<p priority="2">Keep this sentence.</p></poml>',
     "Low priority background text goes first.\n\nKeep this sentence.", []),
    ('<poml tokenLimit="100"><p priority="1">a</p><p>b</p></poml>', "a\n\nb", []),
    # priority: the element, where it is, its priority
    ('<poml tokenLimit="10"><p priority="1">Low priority background text goes first.</p>'
     '<p priority="2">Keep this sentence.</p></poml>',
     "Keep this sentence.",
     ["dropped <p> at <string>:1:23 (priority 1): 7 tokens, by the token-limit 10 of <poml> at <string>:1:1"]),
    ('<poml charLimit="20"><p priority="1.5">Low priority background text goes first.</p>'
     '<p priority="2">Keep this sentence.</p></poml>',
     "Keep this sentence.",
     ["dropped <p> at <string>:1:22 (priority 1.5): 40 characters, by the char-limit 20 of <poml> at <string>:1:1"]),
    ('<poml><list tokenLimit="4"><item for="x in [\'one\', \'two\', \'three\', \'four\']" '
     'priority="{{ loop.index }}">{{ x }}</item></list></poml>',
     "- four",
     [f"dropped <item> at <string>:1:28 (priority {p}): 2 tokens, by the token-limit 4 of <list> at <string>:1:7"
      for p in (0, 1, 2)]),
    # cut text
    (f'<poml><p tokenLimit="3">{SIX}</p></poml>', "One two three (...truncated)",
     ["cut text: 4 tokens, by the token-limit 3 of <p> at <string>:1:7"]),
    ('<poml><section tokenLimit="5"><h>Title</h><p>Alpha beta gamma delta epsilon zeta.</p></section></poml>',
     "## Title\n\nAlpha beta (...truncated)",
     ["cut text: 6 tokens, by the token-limit 5 of <section> at <string>:1:7"]),
    # list items: whole items kept, the marker on the last one
    (f'<poml tokenLimit="6">{ITEMS}</poml>', "- First item text\n\n(...truncated)",
     ["dropped a list item: 4 tokens, by the token-limit 6 of <poml> at <string>:1:1",
      "dropped 2 list items: 7 tokens, by the token-limit 6 of <poml> at <string>:1:1"]),
    # table rows: the header and whole rows
    (f'<poml tokenLimit="20"><table records="{TABLE}"/></poml>',
     "| a | b |\n| - | - |\n| 1 | x |\n\n(...truncated)",
     ["dropped 3 table rows: 18 tokens, by the token-limit 20 of <poml> at <string>:1:1"]),
    (f'<poml tokenLimit="26"><table records="{TABLE}"/></poml>',
     "| a | b |\n| - | - |\n| 1 | x |\n| 2 | y |\n\n(...truncated)",
     ["dropped 2 table rows: 12 tokens, by the token-limit 26 of <poml> at <string>:1:1"]),
    # a code block: whole or not at all
    ('<poml tokenLimit="8"><p>Intro words here.</p><code inline="false" lang="py">print("hello world")</code></poml>',
     "Intro words here.\n\n(...truncated)",
     ["dropped a code block: 9 tokens, by the token-limit 8 of <poml> at <string>:1:1"]),
    ('<poml tokenLimit="8"><p>Intro words here.</p><code inline="false" lang="py">print("hello world")</code>'
     '<p>Tail.</p></poml>',
     "Intro words here.\n\n(...truncated)",
     ["dropped a code block: 9 tokens, by the token-limit 8 of <poml> at <string>:1:1",
      "dropped a paragraph: 2 tokens, by the token-limit 8 of <poml> at <string>:1:1"]),
    # the middle: one entry
    ('<poml><p tokenLimit="6" truncateDirection="middle">one two three four five six seven eight nine ten</p></poml>',
     "one two three (...truncated) eight nine ten",
     ["cut the middle: 4 tokens, by the token-limit 6 of <p> at <string>:1:7"]),
]


@pytest.mark.parametrize(("markup", "expected", "dropped"), DROPPED, ids=range(len(DROPPED)))
def test_dropped_describes_what_went(markup: str, expected: str, dropped: list[str]) -> None:
    assert fitted(markup) == (expected, dropped)


def test_dropped_entries_carry_kind_size_and_priority() -> None:
    rendered = pml.loads('<poml tokenLimit="13"><p priority="1">Low priority background text goes first.</p>'
                         f'<p priority="2">Keep this sentence.</p><p priority="3" tokenLimit="3">{SIX}</p></poml>'
                         ).render(chat=False)
    assert rendered.text() == "Keep this sentence.\n\nOne two three (...truncated)"
    text, element = rendered.dropped  # the inner cut happens first, while rendering the child
    assert (element.kind, element.name, element.priority, element.size) == ("element", "<p>", 1.0, 7)
    assert (element.span.line, element.span.column) == (1, 23)
    assert (text.kind, text.name, text.span, text.priority, text.size) == ("text", "text", None, None, 4)
    assert text.limit == "token-limit 3 of <p> at <string>:1:122"
    assert element.limit == "token-limit 13 of <poml> at <string>:1:1"


@pytest.mark.parametrize(("body", "limit"), [
    ('<p>alpha.</p><p priority="1">alpha</p>', 3),
    ('<p priority="1">Low priority background text goes first.</p><p priority="2">Keep this sentence.</p>', 11),
    ('<system-msg priority="9">You are terse.</system-msg><human-msg priority="2">And three plus three?</human-msg>'
     '<ai-msg priority="2">Six.</ai-msg><human-msg priority="9">And five plus five?</human-msg>', 16),
])
def test_children_whose_text_fits_are_not_dropped(body: str, limit: int) -> None:
    whole = pml.loads(f"<poml>{body}</poml>").render()
    assert count_tokens("\n\n".join(m.text for m in whole.messages)) == limit  # it fits exactly
    rendered = pml.loads(f"<poml>{body}</poml>").render(max_tokens=limit)
    assert rendered.dropped == ()
    assert rendered.messages == whole.messages


def test_nothing_over_means_nothing_dropped() -> None:
    rendered = pml.loads(f'<poml tokenLimit="{count_tokens(LONG)}"><p charLimit="{len(LONG)}">{LONG}</p></poml>'
                         ).render()
    assert rendered.dropped == ()
    assert pml.loads(f"<poml><p>{LONG}</p></poml>").render().dropped == ()


# --------------------------------------------------------------------------- 5. Prompt.render(max_tokens=…)
TEN = "one two three four five six seven eight nine ten"


@pytest.mark.parametrize(("root", "max_tokens", "expected", "limit"), [
    ("", 3, "one two three (...truncated)", 3),
    ('tokenLimit="5"', None, "one two three four five (...truncated)", 5),
    ('tokenLimit="5"', 3, "one two three (...truncated)", 3),  # the smaller wins
    ('tokenLimit="5"', 8, "one two three four five (...truncated)", 5),
    ('tokenLimit="5"', 5, "one two three four five (...truncated)", 5),
    ("", 10, TEN, None),
    ("", 1000, TEN, None),
])
def test_max_tokens_is_a_root_token_limit(root: str, max_tokens: int | None, expected: str, limit: int | None) -> None:
    text, dropped = fitted(f"<poml {root}><p>{TEN}</p></poml>", max_tokens=max_tokens)
    assert text == expected
    if limit is None:
        assert dropped == []
    else:
        assert dropped == [f"cut text: {10 - limit} tokens, by the token-limit {limit} of <poml> at <string>:1:1"]


def test_max_tokens_equals_writing_the_root_limit() -> None:
    body = (f'<p priority="1">Background that can go first.</p><p priority="3">{TEN}</p>'
            f"<list><item>{SIX}</item><item>{SIX}</item></list>")
    for n in (3, 9, 14, 20, 60):
        given_ = pml.loads(f"<poml>{body}</poml>").render(max_tokens=n)
        written = pml.loads(f'<poml tokenLimit="{n}">{body}</poml>').render()
        assert given_.messages == written.messages
        assert [(d.kind, d.name, d.size, d.priority, d.limit) for d in given_.dropped] == [
            (d.kind, d.name, d.size, d.priority, d.limit) for d in written.dropped]


@pytest.mark.parametrize("bad", [0, -1])
def test_max_tokens_below_one_is_refused(bad: int) -> None:
    with pytest.raises(ValueError, match=f"max_tokens must be at least 1, not {bad}"):
        pml.loads(f"<poml><p>{TEN}</p></poml>").render(max_tokens=bad)


CONVERSATION = """<poml>
<system-msg priority="100">You are terse.</system-msg>
<div for="t in turns" priority="{{ loop.index }}"><human-msg>{{ t.q }}</human-msg><ai-msg>{{ t.a }}</ai-msg></div>
<human-msg priority="100">{{ question }}</human-msg>
</poml>"""
TURNS = [{"q": "What is two plus two?", "a": "Four."}, {"q": "And three plus three?", "a": "Six."},
         {"q": "And four plus four?", "a": "Eight."}]
SYSTEM = ("system", "You are terse.")
LAST = ("human", "And five plus five?")
HISTORY = [("human", "What is two plus two?"), ("ai", "Four."), ("human", "And three plus three?"), ("ai", "Six."),
           ("human", "And four plus four?"), ("ai", "Eight.")]


@pytest.mark.parametrize(("max_tokens", "kept", "gone"), [
    (None, HISTORY, []),
    (40, HISTORY, []),
    (30, HISTORY[2:], [(0, 8)]),
    (20, HISTORY[4:], [(0, 8), (1, 7)]),
    (12, [], [(0, 8), (1, 7), (2, 7)]),
])
def test_max_tokens_drops_the_oldest_turns_first(max_tokens: int | None, kept: list[tuple[str, str]],
                                                  gone: list[tuple[int, int]]) -> None:
    prompt = pml.loads(CONVERSATION)
    rendered = prompt.render(turns=TURNS, question=LAST[1], max_tokens=max_tokens)
    assert [(m.speaker, m.text) for m in rendered.messages] == [SYSTEM, *kept, LAST]
    assert [d.describe() for d in rendered.dropped] == [
        f"dropped <div> at <string>:3:1 (priority {p}): {size} tokens, "
        f"by the token-limit {max_tokens} of <poml> at <string>:1:1"
        for p, size in gone]


def test_max_tokens_drops_static_turns_by_priority() -> None:
    prompt = pml.loads("""<poml>
<system-msg priority="9">You are terse.</system-msg>
<human-msg priority="1">What is two plus two?</human-msg>
<ai-msg priority="1">Four.</ai-msg>
<human-msg priority="2">And three plus three?</human-msg>
<ai-msg priority="2">Six.</ai-msg>
<human-msg priority="9">And five plus five?</human-msg>
</poml>""")
    rendered = prompt.render(max_tokens=20)
    assert [(m.speaker, m.text) for m in rendered.messages] == [SYSTEM, *HISTORY[2:4], LAST]
    assert [d.describe() for d in rendered.dropped] == [
        "dropped <human-msg> at <string>:3:1 (priority 1): 6 tokens, by the token-limit 20 of <poml> at <string>:1:1",
        "dropped <ai-msg> at <string>:4:1 (priority 1): 2 tokens, by the token-limit 20 of <poml> at <string>:1:1",
    ]
    assert [(m.speaker, m.text) for m in prompt.render(max_tokens=10).messages] == [SYSTEM, LAST]


def test_max_tokens_renders_deterministically() -> None:
    prompt = pml.loads(CONVERSATION)
    first = prompt.render(turns=TURNS, question=LAST[1], max_tokens=20)
    second = prompt.render(turns=TURNS, question=LAST[1], max_tokens=20)
    assert first.messages == second.messages
    assert first.dropped == second.dropped
    assert first.to_openai() == second.to_openai()


# --------------------------------------------------------------------------- 6. the CLI
CLI_PROMPT = """<poml>
  <p priority="1">Background that can go first when the budget is tight.</p>
  <p priority="5">The task: summarise the report in three bullet points for the board.</p>
</poml>
"""


@pytest.fixture()
def cli_prompt(tmp_path: Path) -> Path:
    path = tmp_path / "brief.pml"
    path.write_text(CLI_PROMPT, encoding="utf-8")
    return path


def test_cli_max_tokens_prints_the_fitted_prompt_and_the_cuts(cli_prompt: Path) -> None:
    result = CliRunner().invoke(app, ["render", str(cli_prompt), "--max-tokens", "10", "--format", "text"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "===== human =====\n\nThe task: summarise the report in three bullet (...truncated)\n"
    assert result.stderr == (
        "budget: 2 cuts to fit:\n"
        f"  dropped <p> at {cli_prompt}:2:3 (priority 1): 11 tokens, "
        f"by the token-limit 10 of <poml> at {cli_prompt}:1:1\n"
        f"  cut text: 5 tokens, by the token-limit 10 of <poml> at {cli_prompt}:1:1\n")


def test_cli_one_cut_is_singular(cli_prompt: Path) -> None:
    result = CliRunner().invoke(app, ["render", str(cli_prompt), "--max-tokens", "15", "--format", "text"])
    assert result.exit_code == 0, result.output
    assert result.stdout == ("===== human =====\n\n"
                             "The task: summarise the report in three bullet points for the board.\n")
    assert result.stderr == ("budget: 1 cut to fit:\n"
                             f"  dropped <p> at {cli_prompt}:2:3 (priority 1): 11 tokens, "
                             f"by the token-limit 15 of <poml> at {cli_prompt}:1:1\n")


def test_cli_without_cuts_says_nothing_on_stderr(cli_prompt: Path) -> None:
    result = CliRunner().invoke(app, ["render", str(cli_prompt), "--max-tokens", "100", "--format", "text"])
    assert result.exit_code == 0, result.output
    assert result.stdout == ("===== human =====\n\nBackground that can go first when the budget is tight.\n\n"
                             "The task: summarise the report in three bullet points for the board.\n")
    assert result.stderr == ""


def test_cli_max_tokens_below_one_is_a_usage_error(cli_prompt: Path) -> None:
    result = CliRunner().invoke(app, ["render", str(cli_prompt), "--max-tokens", "0", "--format", "text"])
    assert result.exit_code == 2
    assert result.stdout == ""


# --------------------------------------------------------------------------- 7. properties
# ASCII words only: a token cut through a multi-byte character is a known bug (see above).
VOCAB = ["alpha", "beta", "gamma", "delta", "antidisestablishmentarianism", "pneumonoultramicroscopic",
         "the", "cat", "sat", "on", "mat", "quickly", "Zebra", "42", "x7", "don't", "e.g.", "(see)"]
WORDS = st.lists(st.sampled_from(VOCAB), min_size=1, max_size=10).map(" ".join)
PRIORITY = st.sampled_from(["", ' priority="1"', ' priority="2"'])
PARAGRAPH = st.tuples(st.just("p"), st.tuples(WORDS, st.sampled_from(["", ".", "!"])).map("".join), PRIORITY)
LIST = st.tuples(st.just("list"), st.lists(WORDS, min_size=1, max_size=5), PRIORITY)
CODE = st.tuples(st.just("code"), st.lists(WORDS, min_size=1, max_size=4).map("\n".join), PRIORITY)
RECORDS = st.tuples(st.just("table"), st.lists(st.fixed_dictionaries({"name": st.sampled_from(VOCAB), "note": WORDS}),
                                               min_size=1, max_size=5), PRIORITY)
DOCUMENT = st.lists(st.one_of(PARAGRAPH, PARAGRAPH, LIST, CODE, RECORDS), min_size=1, max_size=6)
MARK = "⟦CUT⟧"
MARKERS = {"end": f" {MARK}", "start": f"{MARK} ", "middle": f" {MARK} "}
PROPERTIES = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def document(blocks: list[tuple[str, object, str]], root: str = "") -> tuple[str, dict[str, object]]:
    """The markup and its context: paragraphs, lists, fenced code blocks and tables of records."""
    out: list[str] = []
    context: dict[str, object] = {}
    for i, (kind, value, priority) in enumerate(blocks):
        if kind == "p":
            out.append(f"<p{priority}>{value}</p>")
        elif kind == "list":
            assert isinstance(value, list)
            out.append(f"<list{priority}>" + "".join(f"<item>{item}</item>" for item in value) + "</list>")
        elif kind == "code":
            context[f"v{i}"] = value
            out.append(f'<code inline="false"{priority}>{{{{ v{i} }}}}</code>')
        else:
            context[f"v{i}"] = value
            out.append(f'<table{priority} records="{{{{ v{i} }}}}"/>')
    return f"<poml{root}>{''.join(out)}</poml>", context


def limited(blocks: list[tuple[str, object, str]], limit: int, direction: str) -> tuple[pml.Rendered, dict]:
    markup, context = document(blocks, f' tokenLimit="{limit}" truncateDirection="{direction}" '
                                       f'truncateMarker="{MARKERS[direction]}"')
    return pml.loads(markup).render(context, chat=False), context


def fragments(text: str) -> list[str]:
    """Words of the text that are not whole words of the input (a word cut where it has no word
    boundary to go back to: see `test_a_token_cut_without_a_word_boundary_keeps_no_fragment`)."""
    whole = {*VOCAB, "name", "note"}
    return [w for w in re.findall(r"[^\s|`\-]+", text.replace(MARK, " "))
            if w not in whole and not (w[-1] in ".!" and w[:-1] in whole)]


def words(text: str) -> str:
    return " ".join(text.replace(MARK, " ").split())


@PROPERTIES
@given(DOCUMENT, st.integers(1, 120), st.sampled_from(["end", "start", "middle"]))
def test_the_fitted_text_is_within_the_limit(blocks: list, limit: int, direction: str) -> None:
    """The text without the marker (rendered with an empty marker: the marker changes nothing
    else) is within the limit, give or take what the budget estimates. Whole units and the blank
    lines between blocks are measured exactly (a join at a newline never merges tokens across it,
    except punctuation absorbing it, which only saves a token). The unit that is cut is measured
    apart from its frame (the `- ` of a list item is measured next to `x`; before `42` it costs
    one token more), so each cut may be one token over: one cut for `end` and `start`. `middle`
    measures the joined halves (with the space or blank line where they meet) and fits them again
    while they are over: none. A word fragment re-tokenizes in its new place and can cost more (a
    known bug, tested apart)."""
    marked, _ = limited(blocks, limit, direction)
    markup, context = document(blocks, f' tokenLimit="{limit}" truncateDirection="{direction}" truncateMarker=""')
    bare = pml.loads(markup).render(context, chat=False)
    assert words(bare.text()) == words(marked.text())
    assert [(d.kind, d.name, d.size, d.priority) for d in bare.dropped] == [
        (d.kind, d.name, d.size, d.priority) for d in marked.dropped]
    assume(not fragments(marked.text()))
    slack = 0 if direction == "middle" else 1
    assert count_tokens(bare.text()) <= limit + slack


@PROPERTIES
@given(DOCUMENT, st.integers(1, 120), st.sampled_from(["end", "start", "middle"]))
def test_code_blocks_and_tables_are_never_cut(blocks: list, limit: int, direction: str) -> None:
    rendered, context = limited(blocks, limit, direction)
    lines = rendered.text().split("\n")
    fences = [i for i, line in enumerate(lines) if line.startswith("```")]
    assert len(fences) % 2 == 0
    codes = {str(context[f"v{i}"]) for i, (kind, _, _) in enumerate(blocks) if kind == "code"}
    for opening, closing in zip(fences[::2], fences[1::2], strict=True):
        assert "\n".join(lines[opening + 1:closing]) in codes
    table: list[str] = []
    for line in [*lines, ""]:
        if line.startswith("|"):
            table.append(line)
            continue
        if table:
            assert len(table) >= 3  # a header, its rule and at least one row
            assert {line.count("|") for line in table} == {table[0].count("|")}
            table = []


@PROPERTIES
@given(DOCUMENT, st.integers(1, 120), st.sampled_from(["end", "start", "middle"]))
def test_a_fitted_render_is_deterministic_and_reports_its_cuts(blocks: list, limit: int, direction: str) -> None:
    first, _ = limited(blocks, limit, direction)
    second, _ = limited(blocks, limit, direction)
    assert first.messages == second.messages
    assert first.dropped == second.dropped
    markup, context = document(blocks)
    whole = pml.loads(markup).render(context, chat=False).text()
    cut = any(d.kind in ("unit", "text") for d in first.dropped)
    assert (MARK in first.text()) == cut
    if not first.dropped:
        assert first.text() == whole


@PROPERTIES
@given(DOCUMENT, st.integers(0, 50), st.sampled_from(["end", "start", "middle"]))
def test_a_limit_the_content_fits_changes_nothing(blocks: list, extra: int, direction: str) -> None:
    markup, context = document(blocks)
    whole = pml.loads(markup).render(context, chat=False)
    size = count_tokens(whole.text())
    rendered, _ = limited(blocks, size + extra, direction)
    assert rendered.text() == whole.text()
    assert rendered.dropped == ()
    assert pml.loads(markup).render(context, chat=False, max_tokens=size + extra).text() == whole.text()
