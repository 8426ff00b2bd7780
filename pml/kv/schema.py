"""What `pml.kv` reads of a compiled prompt's schemas: each top-level module's order, union, params
(with the `len` they reserve) and nested alternatives, and each module's text rendered on its own.

This is the one place `pml.kv` looks at compiled definitions (`Prompt.modules`, `ModuleDef`); the
rest of the package uses the public API only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from pathlib import Path

import pml
from pml.compile.modules import ModuleDef, component_name
from pml.compile.program import CNode
from pml.kv.segments import outermost
from pml.output.prompt import Prompt


@dataclass(frozen=True, slots=True)
class ParamSlot:
    """A param of a module and the tokens its value may fill (`<param len>`, 0 when not declared)."""

    name: str
    length: int


@dataclass(frozen=True, slots=True)
class SchemaModule:
    """A module defined at the top of a `<schema>`, in definition order."""

    path: str
    qualified: str
    cached: bool
    union: int | None  # the index of the `<union>` it is a member of (members share one range)
    params: tuple[ParamSlot, ...]
    alternatives: tuple[str, ...]  # local names of the members of `<union>`s nested in it
    digest: str  # the `pml.lock` content hash of its definition
    file: Path | None  # the file that defines it


def schema_modules(prompt: Prompt) -> list[SchemaModule]:
    """The top-level modules of every schema the prompt defines or imports, in definition order."""
    unions: dict[int, int] = {}
    out: list[SchemaModule] = []
    for mdef in prompt.modules:
        if mdef.parent is not None:
            continue
        union = unions.setdefault(id(mdef.union), len(unions)) if mdef.union is not None else None
        alternatives = tuple(child.name for child in mdef.children.values() if child.union is not None)
        out.append(SchemaModule(mdef.path, mdef.qualified, mdef.cached, union, _params(mdef), alternatives,
                                mdef.digest, mdef.span.source.path))
    return out


def _params(mdef: ModuleDef) -> tuple[ParamSlot, ...]:
    reserved: dict[str, int] = {}
    for child in mdef.node.children:
        if isinstance(child, CNode) and component_name(child) == "Param":
            length = child.static.get("len")
            reserved[str(child.static.get("name") or "")] = int(length) if isinstance(length, int) else 0
    return tuple(ParamSlot(p.name, reserved.get(p.name, 0)) for p in mdef.params.values())


def render_alone(module: SchemaModule, args: Mapping[str, str], pick: str | None = None) -> str | None:
    """The module's text placed alone at the top of a prompt of its own, with `args` as its params
    and `pick` selected among its nested alternatives (None: the module is not in a file)."""
    if module.file is None:
        return None
    attrs = "".join(f' {name}="{escape(value)}"' for name, value in args.items())
    inner = f'<use module="{escape(pick)}"/>' if pick else ""
    markup = (f'<pml><import src="{escape(module.file.name)}"/>'
              f'<use module="{escape(module.qualified)}"{attrs}>{inner}</use></pml>')
    rendered = pml.loads(markup, name=f"<{module.qualified}>", base_dir=module.file.parent).render()
    for message, row in outermost(rendered).items():
        for start, end, _ in row:
            return rendered.messages[message].text[start:end]
    return ""
