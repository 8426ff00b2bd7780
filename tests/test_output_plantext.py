"""A cache plan as text and as data (`pml.output.plantext`); `pml cache plan` end to end is in
tests/test_modules_cli.py."""

from __future__ import annotations

from pml.components.boxes import ModuleMark
from pml.components.parts import MediaPart, Message, ToolCallPart
from pml.output.cacheplan import Breakpoint, ProviderPlan
from pml.output.plantext import ELIDE_LINES, format_plan, plan_data
from pml.output.prompt import Rendered
from pml.output.view import Placed, Position

PIXEL = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")


def _plan(provider: str = "anthropic", **fields: object) -> ProviderPlan:
    values: dict[str, object] = {"provider": provider, "model": None, "minimum": 1024, "estimate": True,
                                 "stable_prefix_bytes": 0, "stable_prefix_tokens": 0, "cacheable_tokens": 0,
                                 "total_tokens": 10}
    values.update(fields)
    return ProviderPlan(**values)  # type: ignore[arg-type]


def _rendered(messages: tuple[Message, ...], *modules: Placed) -> Rendered:
    return Rendered(messages, modules=modules)


def test_module_boundaries_and_a_breakpoint() -> None:
    rules = Placed(ModuleMark("rules", "sha256:1", True), Position(0, 0, 0), Position(0, 0, 9))
    rendered = _rendered((Message("system", "Be brief.\nBe kind."), Message("human", "Hi")), rules)
    point = Breakpoint("rules", Position(0, 0, 9), 1200, 9)
    plan = _plan(breakpoints=(point,), notes=("a note",), stable_prefix_bytes=9, stable_prefix_tokens=1200,
                 cacheable_tokens=1200, model="claude-sonnet-4-5")
    assert format_plan("p.pml", rendered, plan) == (
        "p.pml: cache plan for anthropic (claude-sonnet-4-5; caches prefixes of 1,024+ tokens; token counts "
        "estimated with o200k_base)\n"
        "\n"
        "── message 1 · system " + "─" * 40 + "\n"
        "⟪module rules · cached⟫\n"
        "Be brief.\n"
        "⟪/module rules⟫ ◆ breakpoint 1: 1,200 tokens before it\n"
        "Be kind.\n"
        "\n"
        "── message 2 · human " + "─" * 40 + "\n"
        "Hi\n"
        "\n"
        "stable prefix: 9 bytes, 1,200 tokens; cacheable: 1,200 of 10 tokens\n"
        "breakpoints: 1 of at most 4\n"
        "note: a note")


def test_openai_marks_where_the_stable_prefix_ends() -> None:
    text = "\n".join(f"line {i}" for i in range(20))
    kb = Placed(ModuleMark("kb", "sha256:2", True), Position(0, 1, 0), Position(0, 1, len(text)))
    rendered = _rendered((Message("human", ("Look:", text, "Thanks")),), kb)
    plan = _plan("openai", estimate=False, model="gpt-4o", stable_prefix_tokens=1500, cacheable_tokens=1408,
                 cache_key="pml-0123")
    lines = format_plan("p.pml", rendered, plan).split("\n")
    assert lines[3:14] == [
        "Look:", "⟪module kb · cached⟫", "line 0", "line 1", "line 2",
        f"    … {20 - 5} more lines (--full shows them) …",
        "line 18", "line 19", "⟪/module kb⟫", "◆ stable prefix ends: 1,500 tokens, 1,408 cacheable", "Thanks"]
    assert lines[-1] == "prompt_cache_key: pml-0123"
    assert "breakpoints:" not in "\n".join(lines)
    full = format_plan("p.pml", rendered, plan, full=True)
    assert "line 10\n" in full and "more lines" not in full


def test_a_run_is_cut_only_past_the_limit() -> None:
    rendered = _rendered((Message("human", "\n".join("x" * ELIDE_LINES)),))
    assert "more lines" not in format_plan("p.pml", rendered, _plan())


def test_parts_that_are_not_text() -> None:
    parts = ("See", MediaPart("image/png", PIXEL, "a dot"), MediaPart("image/png", PIXEL),
             ToolCallPart("c1", "lookup", {"q": 1}))
    text = format_plan("p.pml", _rendered((Message("ai", parts),)), _plan())
    assert "\nSee\n[image/png: a dot]\n[image/png]\n[ToolCallPart]\n" in text


def test_plan_data_lists_every_module() -> None:
    mark = ModuleMark("kb", "sha256:3", False, level=2)
    placed = Placed(mark, Position(0, 0, 1), Position(1, 0, 4))
    data = plan_data(_rendered((Message("human", "x"),), placed), _plan())
    assert data["modules"] == [{"module": "kb", "cached": False, "key": "sha256:3",
                                "start": {"message": 0, "part": 0, "offset": 1},
                                "end": {"message": 1, "part": 0, "offset": 4}}]
    assert data["provider"] == "anthropic" and data["breakpoints"] == []
