"""Compiling Jinja nodes, with direct calls of the sandbox's helpers for the JavaScript forms.

The translator builds Jinja's own nodes wherever Jinja has the form (`Add`, `CondExpr`,
`Filter`, `Call`, …). The other forms (`??`, `?.`, `===`, `typeof`, `~`, template literals,
regular expressions, arrow functions) call a method of the sandbox, `environment.pml_NAME`:
`helper()` builds that call as Jinja's `Call(EnvironmentAttribute("pml_NAME"), …)` (Jinja
allows no node types of one's own), and `Generator` writes it as a direct Python call, passing
the template context first to the helpers that need it and wrapping the arguments marked lazy
(`MarkSafe(…)`, a node nothing else produces here) in a `lambda` so the helper decides whether
to evaluate them (`a ?? b` must not evaluate `b` when `a` is defined).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.environment import Environment

_WITH_CONTEXT = frozenset(["pml_name", "pml_arrow"])


def helper(name: str, *args: nodes.Expr, lazy: tuple[bool, ...] = (), constants: tuple[Any, ...] = (),
           pass_context: bool = False) -> nodes.Call:
    """A call of the sandbox's `pml_<name>` with `args` (those marked in `lazy` unevaluated)
    and then `constants` (strings, numbers and tuples of them)."""
    assert pass_context == (f"pml_{name}" in _WITH_CONTEXT)
    marks = lazy or (False,) * len(args)
    items: list[nodes.Expr] = [nodes.MarkSafe(arg, lineno=1) if mark else arg
                               for arg, mark in zip(args, marks, strict=True)]
    items += [nodes.Const(constant, lineno=1) for constant in constants]
    return nodes.Call(nodes.EnvironmentAttribute(f"pml_{name}", lineno=1), items, [], None, None, lineno=1)


def helper_name(node: nodes.Node) -> str | None:
    """`name` if `node` is a call of the helper `pml_<name>`."""
    if isinstance(node, nodes.Call) and isinstance(node.node, nodes.EnvironmentAttribute):
        return node.node.name[4:] if node.node.name.startswith("pml_") else None
    return None


class Generator(CodeGenerator):
    """Jinja's code generator, writing helper calls directly."""

    def visit_Call(self, node: nodes.Call, frame: Frame, forward_caller: bool = False) -> None:
        target = node.node
        if not (isinstance(target, nodes.EnvironmentAttribute) and target.name.startswith("pml_")):
            super().visit_Call(node, frame, forward_caller=forward_caller)
            return
        self.write(f"environment.{target.name}(")
        parts = 0
        if target.name in _WITH_CONTEXT:
            self.write("context")
            parts += 1
        for argument in node.args:
            self.write(", " if parts else "")
            parts += 1
            if isinstance(argument, nodes.MarkSafe):
                self.write("(lambda: ")
                self.visit(argument.expr, frame)
                self.write(")")
            else:
                self.visit(argument, frame)
        self.write(")")


def compile_tree(environment: Environment, tree: nodes.Expr) -> Callable[[Any], Iterator[str]]:
    """The render function of a template that assigns `tree`'s value to `result`."""
    store = nodes.Assign(nodes.Name("result", "store", lineno=1), tree, lineno=1)
    template = nodes.Template([store], lineno=1)
    template.set_environment(environment)
    return environment.from_string(template).root_render_func
