"""Compile ahead: a program's output written once, with holes for its values and loops.

Most of a render's time goes into laying out and writing elements whose output is the same on
every render. A program made only of components that place values without reading them
(`Component.opaque_values`: paragraphs, captions, lists, inline formatting), without conditions,
budgets, modules or other syntaxes, and rendering to one plain message, is traced
(`pml.render.ahead.trace`) and turned into a `Plan` (`pml.render.ahead.derive`): its message as
literal text with holes for `{{ }}` values and `for=` loops. A render of the plan evaluates the
expressions and joins the pieces (`pml.render.ahead.template`); a value the layout would not
have placed as it is (empty, with a line break or edge whitespace, not text), an empty list, or
an expression error sends the render back to the full pass, which gives its own result or error.

`plan_program` never raises: a program it cannot follow has no plan.
"""

from __future__ import annotations

from pathlib import Path

from pml.compile.program import Program
from pml.limits import Limits, using
from pml.render.ahead.derive import derive
from pml.render.ahead.template import Plan


def plan_program(program: Program, base_dir: Path) -> Plan | None:
    """The plan of `program`, or None if it cannot be written ahead. It is traced under the default
    limits (a render of the plan checks the limits in force when it runs)."""
    try:
        with using(Limits()):
            return derive(program, base_dir)
    except Exception:  # anything the tracer cannot follow (an error of its own included): no plan
        return None


__all__ = ["Plan", "plan_program"]
