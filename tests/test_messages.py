"""The message builder (`pml.render.messages`): typed events in, messages and places out.

Each test feeds events by hand and checks the exact messages (speaker, parts) and positions.
The whole pipeline through the writer is checked by the case files (tests/test_cases.py).
"""

from __future__ import annotations

from pml.components.boxes import Mark, Media, ModuleMark, ToolPart
from pml.components.parts import MediaPart, Message, ToolCallPart
from pml.render.messages import EventLog, MessageBuilder, Position


def _simple(builder: MessageBuilder, chat: bool = True) -> list[tuple[str, tuple[object, ...]]]:
    return [(m.speaker, m.parts) for m in builder.finish(chat).messages]


def test_implicit_text_is_one_human_message() -> None:
    b = MessageBuilder()
    b.text("one")
    b.separator("\n\n")
    b.text("two")
    assert _simple(b) == [("human", ("one\n\ntwo",))]


def test_default_speaker_is_system_before_the_first_human_turn_and_human_after() -> None:
    b = MessageBuilder()
    b.text("rules")
    b.separator("\n\n")
    b.speaker_start("human")
    b.text("question")
    b.speaker_end()
    b.separator("\n\n")
    b.text("more")
    assert _simple(b) == [("system", ("rules",)), ("human", ("question\n\nmore",))]


def test_separators_at_a_message_edge_are_dropped_and_whitespace_inside_kept() -> None:
    b = MessageBuilder()
    b.speaker_start("system")
    b.text("  a \t")
    b.speaker_end()
    b.separator("\n\n")
    b.speaker_start("ai")
    b.text("b\n")
    b.speaker_end()
    assert _simple(b) == [("system", ("  a \t",)), ("ai", ("b\n",))]


def test_innermost_speaker_wins_unless_both_span_the_same_text() -> None:
    nested = MessageBuilder()
    nested.speaker_start("human")
    nested.text("x")
    nested.speaker_start("ai")
    nested.text("y")
    nested.speaker_end()
    nested.speaker_end()
    assert _simple(nested) == [("human", ("x",)), ("ai", ("y",))]
    same = MessageBuilder()
    same.speaker_start("human")
    same.speaker_start("ai")
    same.text("y")
    same.speaker_end()
    same.speaker_end()
    assert _simple(same) == [("human", ("y",))]


def test_whitespace_only_messages_are_left_out() -> None:
    b = MessageBuilder()
    b.speaker_start("human")
    b.text("q")
    b.speaker_end()
    b.speaker_start("ai")
    b.text("  ")
    b.speaker_end()
    assert _simple(b) == [("human", ("q",))]


def test_a_part_comes_after_the_text_piece_it_stands_in() -> None:
    call = ToolPart("request", "1", "f", {})
    b = MessageBuilder()
    b.text("before ")
    b.part(call, "ai")
    b.text(" after")
    assert _simple(b) == [("system", ("before  after",)), ("ai", (ToolCallPart("1", "f", {}),))]


def test_media_splits_its_message_and_separators_around_it_go() -> None:
    image = Media("image/png", "AAAA", "pic")
    b = MessageBuilder()
    b.speaker_start("human")
    b.text("look")
    b.separator("\n\n")
    b.part(image, "human")
    b.separator("\n\n")
    b.text("at this")
    b.speaker_end()
    assert _simple(b) == [("human", ("look", MediaPart("image/png", "AAAA", "pic"), "at this"))]


def test_chat_off_is_one_human_message_of_everything() -> None:
    b = MessageBuilder()
    b.speaker_start("ai")
    b.text("a")
    b.speaker_end()
    b.separator("\n\n")
    b.text("b")
    assert _simple(b, chat=False) == [("human", ("a\n\nb",))]


def test_modules_and_marks_are_placed_in_the_messages() -> None:
    module = ModuleMark("intro", "k1", True)
    mark = Mark("p", None, [])
    b = MessageBuilder()
    b.speaker_start("system")
    b.text("head")
    b.speaker_end()
    b.separator("\n\n")
    b.speaker_start("human")
    handle = b.module_start(module)
    b.text("ab")
    inner = b.mark_start(mark)
    b.text("cd")
    b.mark_end(inner)
    b.module_end(handle)
    b.speaker_end()
    built = b.finish()
    assert built.messages == (Message("system", ("head",)), Message("human", ("abcd",)))
    assert [(p.mark, p.start, p.end) for p in built.modules] == [(module, Position(1, 0, 0), Position(1, 0, 4))]
    assert [(p.mark, p.start, p.end) for p in built.marks] == [(mark, Position(1, 0, 2), Position(1, 0, 4))]


def test_an_event_log_replays_into_a_builder_where_it_lands() -> None:
    module = ModuleMark("inner", "k2", False)
    image = Media("image/png", "BBBB")
    log = EventLog()
    log.speaker_start("ai")
    log.text("said")
    log.speaker_end()
    log.separator("\n\n")
    handle = log.module_start(module)
    log.text("then")
    log.part(image, None)
    log.module_end(handle)
    b = MessageBuilder()
    b.speaker_start("human")
    b.text("q")
    b.separator("\n\n")
    log.replay(b, "said\n\nthen", "human")
    b.speaker_end()
    built = b.finish()
    assert built.messages == (Message("human", ("q",)), Message("ai", ("said",)),
                              Message("human", ("then", MediaPart("image/png", "BBBB", None))))
    assert [(p.start, p.end) for p in built.modules] == [(Position(2, 0, 0), Position(2, 0, 4))]
