"""A cache plan as people and tools read it: the source of `pml cache plan`'s output.

`format_plan` writes each message with the boundaries of its placed modules (`⟪module name⟫ …
⟪/module name⟫`), the cache breakpoints after them and, for OpenAI, where the stable prefix ends;
then the totals and the plan's notes. Long runs of lines are cut to their first and last lines
unless `full` is asked for. `plan_data` is the same plan as JSON data, with every placed module.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pml.components.parts import MediaPart, Part
from pml.output.cacheplan import MAX_BREAKPOINTS, ProviderPlan
from pml.output.view import Position, RenderView

ELIDE_LINES = 8  # a longer run of lines inside a module shows its first 3 and last 2


@dataclass(frozen=True, slots=True, order=True)
class _Label:
    """A line of the plan placed in a message's text: at `offset`, `order` breaking ties (ends
    before the stable prefix before starts)."""

    offset: int
    order: int
    text: str


_END, _STABLE, _START = 0, 1, 2


def format_plan(name: str, rendered: RenderView, plan: ProviderPlan, *, full: bool = False) -> str:
    """The plan as text: each message with its module boundaries and breakpoints marked (module
    docstring). `name` names the prompt in the first line."""
    labels = _labels(rendered, plan)
    lines = [_headline(name, plan)]
    for index, message in enumerate(rendered.messages):
        lines.append("")
        lines.append(f"── message {index + 1} · {message.speaker} " + "─" * 40)
        for part_index, part in enumerate(message.parts):
            lines.extend(_part_lines(part, sorted(labels.get((index, part_index), [])), full))
    lines.append("")
    lines.extend(_totals(plan))
    return "\n".join(lines)


def _headline(name: str, plan: ProviderPlan) -> str:
    model = plan.model or "no model given"
    counted = "estimated with o200k_base" if plan.estimate else "exact"
    return (f"{name}: cache plan for {plan.provider} ({model}; caches prefixes of {plan.minimum:,}+ tokens; "
            f"token counts {counted})")


def _labels(rendered: RenderView, plan: ProviderPlan) -> dict[tuple[int, int], list[_Label]]:
    """The lines to insert into each (message, part): module starts and ends, breakpoints, and the
    end of OpenAI's stable prefix."""
    points = {b.position: (i + 1, b) for i, b in enumerate(plan.breakpoints)}
    labels: dict[tuple[int, int], list[_Label]] = {}
    for placed in rendered.modules:
        label = f"module {placed.name}" + (" · cached" if placed.cached else "")
        labels.setdefault(placed.start[:2], []).append(_Label(placed.start.offset, _START, f"⟪{label}⟫"))
        end = f"⟪/module {placed.name}⟫"
        if placed.cached and placed.end in points:
            number, point = points.pop(placed.end)
            end += f" ◆ breakpoint {number}: {point.prefix_tokens:,} tokens before it"
        labels.setdefault(placed.end[:2], []).append(_Label(placed.end.offset, _END, end))
    stable_end = _stable_end(rendered, plan)
    if stable_end is not None:
        labels.setdefault(stable_end[:2], []).append(_Label(
            stable_end.offset, _STABLE,
            f"◆ stable prefix ends: {plan.stable_prefix_tokens:,} tokens, {plan.cacheable_tokens:,} cacheable"))
    return labels


def _stable_end(rendered: RenderView, plan: ProviderPlan) -> Position | None:
    """Where OpenAI's stable prefix ends: after the last cached module (None for other providers)."""
    if plan.provider != "openai":
        return None
    return max((p.end for p in rendered.modules if p.cached), default=None)


def _part_lines(part: Part, labels: list[_Label], full: bool) -> list[str]:
    if isinstance(part, MediaPart):
        return [f"[{part.mime}{': ' + part.alt if part.alt else ''}]"]
    if not isinstance(part, str):
        return [f"[{type(part).__name__}]"]
    lines = _insert(part, labels).split("\n")
    return lines if full else _elide(lines)


def _insert(text: str, labels: list[_Label]) -> str:
    """`text` with each label on a line of its own at its offset (a start before the text it
    opens, the others after the text they close)."""
    out: list[str] = []
    position = 0
    for label in labels:
        out.append(text[position:label.offset])
        position = label.offset
        out.append((label.text + "\n") if label.order == _START else ("\n" + label.text))
    out.append(text[position:])
    return "".join(out)


def _elide(lines: list[str]) -> list[str]:
    """Long runs of lines between labels show their first and last lines only."""
    out: list[str] = []
    run: list[str] = []
    for line in lines:
        if line.startswith("⟪") or "◆" in line:
            out.extend(_cut(run))
            run = []
            out.append(line)
        else:
            run.append(line)
    out.extend(_cut(run))
    return out


def _cut(run: list[str]) -> list[str]:
    if len(run) <= ELIDE_LINES:
        return run
    return [*run[:3], f"    … {len(run) - 5} more lines (--full shows them) …", *run[-2:]]


def _totals(plan: ProviderPlan) -> list[str]:
    lines = [f"stable prefix: {plan.stable_prefix_bytes:,} bytes, {plan.stable_prefix_tokens:,} tokens; "
             f"cacheable: {plan.cacheable_tokens:,} of {plan.total_tokens or 0:,} tokens"]
    if plan.provider == "anthropic":
        lines.append(f"breakpoints: {len(plan.breakpoints)} of at most {MAX_BREAKPOINTS}")
    if plan.cache_key:
        lines.append(f"prompt_cache_key: {plan.cache_key}")
    lines.extend(f"note: {note}" for note in plan.notes)
    return lines


def plan_data(rendered: RenderView, plan: ProviderPlan) -> dict[str, Any]:
    """The plan as JSON data (`ProviderPlan.to_dict`), with where each placed module starts and ends."""
    data = plan.to_dict()
    data["modules"] = [{"module": p.name, "cached": p.cached, "key": p.key, "start": p.start._asdict(),
                        "end": p.end._asdict()} for p in rendered.modules]
    return data


__all__ = ["ELIDE_LINES", "format_plan", "plan_data"]
