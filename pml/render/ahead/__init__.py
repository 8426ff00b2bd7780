"""Compile ahead: a program's output written once, with holes for its values and loops.

Most of a render's time goes into laying out and writing elements whose output is the same on
every render. A program whose values and loops sit only in components that place values without
reading them (`Component.opaque_values`: paragraphs, captions, lists, inline formatting,
messages, examples), without budgets, modules, variables or other syntaxes, and rendering to plain text
messages (with, if it likes, a response schema, tools and runtime parameters that hold no
value), is traced (`pml.render.ahead.trace`) and turned into a `Plan`
(`pml.render.ahead.derive`): its messages as literal text with holes for `{{ }}` values and
`for=` loops. A render of the plan evaluates the expressions and joins the pieces
(`pml.render.ahead.template`).

A `for=` with an `if=` on the same element keeps the items the condition holds for. Conditions
and loops outside any loop are switches: a render first finds which conditions hold
and which of those lists are empty, and each combination met gets a plan of its own (`Ahead`).
A value the layout would not have placed as it is (empty, with a line break or edge whitespace,
not text), an empty list inside a loop, or an expression error sends the render back to the full
pass, which gives its own result or error.

`Ahead.of` never raises: a program it cannot follow has no plans.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from pml.compile.program import CNode, Program
from pml.limits import Limits, using
from pml.render.ahead.derive import derive, switches
from pml.render.ahead.template import Plan, kept_items
from pml.render.ahead.trace import Declared

MAX_PLANS = 16  # combinations of switches planned for one program
_MISSING = object()


class Written(NamedTuple):
    """A render from a plan: the messages (speaker, text), and what the program declares."""

    messages: list[tuple[str, str]]
    declared: Declared


class Ahead:
    """The plans of one program, one for each combination of its switches met so far.

    A program whose plans keep giving way to the full render (its values are rarely plain
    text) stops being tried after a while."""

    def __init__(self, program: Program, base_dir: Path, found: list[tuple[CNode, int]]) -> None:
        self.program = program
        self.base_dir = base_dir
        # The switches, each with the position of the switch it is inside of (-1 for none).
        self.switches = found
        self.plans: dict[frozenset[int], Plan | None] = {}
        self.given_way = 0
        self.rendered = 0

    @classmethod
    def of(cls, program: Program, base_dir: Path) -> Ahead | None:
        """The plans of `program`, or None if it can have none."""
        try:
            return cls(program, base_dir, switches(program))
        except Exception:  # a program the tracer cannot follow (an error of its own included)
            return None

    def render(self, scope: Mapping[str, Any], max_output: int, max_loop: int) -> Written | None:
        """The messages (speaker, text) in `scope` and what the program declares, or None if the
        full render must run."""
        if self.given_way > 8 and self.given_way > 4 * self.rendered:
            return None
        lists: dict[int, Any] = {}
        absent = self._absent(scope, lists)
        messages = None
        plan: Any = None
        if absent is not None:
            plan = self.plans.get(absent, _MISSING)
            if plan is _MISSING:
                plan = self._plan(absent) if len(self.plans) < MAX_PLANS else None
            if plan is not None:
                messages = plan.render(scope, max_output, max_loop, lists)
        if messages is None:
            self.given_way += 1
            return None
        self.rendered += 1
        declared = plan.declared
        if declared.schema is not None or declared.tools or declared.runtime is not None:
            declared = copy.deepcopy(declared)  # each render's own, as a full render's are
        return Written(messages, declared)

    def _absent(self, scope: Mapping[str, Any], lists: dict[int, Any]) -> frozenset[int] | None:
        """The switches left out in `scope` (conditions that do not hold, empty lists), or None
        if one cannot be decided here (the full render reports an error, or takes a non-list).
        The lists of the loops evaluated are put in `lists`, by loop key."""
        present: list[bool] = []
        absent: list[int] = []
        for node, owner in self.switches:
            if owner >= 0 and not present[owner]:
                present.append(False)  # inside a switch left out: never evaluated
                continue
            try:
                if node.loop is not None:
                    items = lists[node.index] = node.loop.items.evaluate(scope)
                    if type(items) is not list and type(items) is not tuple:
                        return None
                    cond = node.cond
                    if cond is None or not items:
                        holds = bool(items)
                    else:  # a loop with `if=`: present when the condition keeps an item
                        kept = kept_items(node.loop.name, cond, items, dict(scope), "loop" in cond.names)
                        holds = next(kept, None) is not None
                else:
                    assert node.cond is not None
                    holds = bool(node.cond.evaluate(scope))
            except Exception:  # the full render reports it
                return None
            present.append(holds)
            if not holds:
                absent.append(node.index)
        return frozenset(absent)

    def _plan(self, absent: frozenset[int]) -> Plan | None:
        """The plan of one combination, traced under the default limits (a render of the plan checks
        the limits in force when it runs)."""
        try:
            with using(Limits()):
                plan: Plan | None = derive(self.program, self.base_dir, absent)
        except Exception:  # anything the tracer cannot follow: no plan for this combination
            plan = None
        self.plans[absent] = plan
        return plan


def plan_program(program: Program, base_dir: Path, absent: frozenset[int] = frozenset()) -> Plan | None:
    """The plan of `program` with the elements in `absent` left out, or None if it has none."""
    ahead = Ahead.of(program, base_dir)
    return None if ahead is None else ahead._plan(absent)


__all__ = ["MAX_PLANS", "Ahead", "Declared", "Plan", "Written", "plan_program"]
