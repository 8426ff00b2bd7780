"""Module components: `<schema>`, `<module>`, `<param>`, `<union>`, `<import>` and `<use>`.

Definitions render nothing where they are written; `<use>` places a module. A placed module is
a block of its own (`ir.Module`). A cached module renders once per key — its definition's
digest, its arguments, the modules selected in it, the syntax — through the render cache
(`pml.render.modcache`), and it sees only its params. The compile-time checks are in `pml.compile.modules`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pml.compile.modules import ModuleDef, Pick, canonical, pick_of
from pml.compile.program import CNode
from pml.components import boxes as ir
from pml.components.layout import Ctx, LayoutContext
from pml.errors import render_error
from pml.registry import Attr, component


@component("Schema", "schema", kind="reader",
           doc="A group of module definitions (`<module>`), in the prompt itself or in a file brought in "
               "with `<import>`. It renders nothing where it is written.",
           attrs=[Attr("name", "string", "The schema's name: `<use module=\"schema.module\">` may start with it.",
                       literal=True)])
def layout_schema(r: LayoutContext, node: CNode, attrs: Mapping[str, Any], scope: dict[str, Any],
                  ctx: Ctx) -> list[Any]:
    return []


@component("Module", "module",
           doc="A reusable piece of prompt, placed with `<use module=\"name\"/>`. It declares `<param>`s, may "
               "hold nested modules and `<union>`s, and with `cache=\"true\"` renders once per distinct set "
               "of arguments and marks a provider cache breakpoint where it ends (docs/modules.md).",
           attrs=[Attr("name", "string", "The module's name (no dots).", required=True, literal=True),
                  Attr("cache", "boolean", "Render once per distinct arguments and place a cache breakpoint "
                                           "after it; it may then read its params only.", default=False,
                       literal=True)])
def layout_module(r: LayoutContext, node: CNode, attrs: Mapping[str, Any], scope: dict[str, Any],
                  ctx: Ctx) -> list[Any]:
    """A nested definition renders where it is written when the placing `<use>` selected it."""
    frame = r.module_frame()
    mdef = r.links.definitions.get(node.index)
    if frame is None or mdef is None:
        return []
    pick = next((p for p in frame if p.module is mdef), None)
    if pick is None:
        return []
    return place(r, pick, scope, ctx, mdef.name)


@component("Param", "param", kind="reader",
           doc="A param of the enclosing `<module>`: a variable of its body, given by `<use … name=\"value\"/>`. "
               "Without `default` it must be given.",
           attrs=[Attr("name", "string", "The variable name.", required=True, literal=True),
                  Attr("default", "value", "The value when the use does not give one (makes the param optional).",
                       literal=True),
                  # Read by `pml.kv` (modular attention reuse): the positions the param's value may fill.
                  Attr("len", "integer", "Tokens reserved for the value where the module's attention states are "
                                         "reused at fixed positions (`pml run --kv modular`, docs/kv.md).",
                       minimum=1, literal=True)])
def layout_param(r: LayoutContext, node: CNode, attrs: Mapping[str, Any], scope: dict[str, Any], ctx: Ctx) -> list[Any]:
    return []


@component("Union", "union",
           doc="Alternative modules: a use picks at most one of them (`default` names the one placed when "
               "none is picked). Placing two of them together is an error.",
           attrs=[Attr("default", "string", "The module placed when the use picks none.", literal=True)])
def layout_union(r: LayoutContext, node: CNode, attrs: Mapping[str, Any], scope: dict[str, Any], ctx: Ctx) -> list[Any]:
    frame = r.module_frame()
    udef = r.links.unions.get(node.index)
    if frame is None or udef is None:
        return []
    picks = [p for p in frame if p.module.union is udef]
    if not picks and udef.default:
        member = next((m for m in udef.members if m.name.lower() == udef.default.lower()), None)
        if member is not None:
            picks = [Pick(member, {}, (), node.span)]
    out: list[Any] = []
    for pick in picks:
        out.extend(place(r, pick, scope, ctx, pick.module.name))
    return out


@component("Import", "import", kind="reader",
           doc="Bring in the schemas of another file: `<import src=\"lib.pml\" as=\"ns\"/>` makes its modules "
               "`ns.name` (without `as`, plain `name`).",
           attrs=[Attr("src", "string", "The file to import (under the document's folder).", required=True),
                  Attr("as", "string", "A namespace for the imported module names.", literal=True)])
def layout_import(r: LayoutContext, node: CNode, attrs: Mapping[str, Any], scope: dict[str, Any],
                  ctx: Ctx) -> list[Any]:
    return []


@component("Use", "use", open_attrs=True,
           doc="Place a module: `<use module=\"ns.name\" param=\"value\"/>`. Other attributes are the module's "
               "params (values may use `{{ }}`); nested `<use>`s pick modules nested in it.",
           attrs=[Attr("module", "string", "The module to place (`name`, `schema.name`, `ns.name`, "
                                           "`outer.inner`).", required=True, literal=True),
                  Attr("name", "value", "A param called `name` (when the module declares one)."),
                  Attr("type", "value", "A param called `type` (when the module declares one).")])
def layout_use(r: LayoutContext, node: CNode, attrs: Mapping[str, Any], scope: dict[str, Any], ctx: Ctx) -> list[Any]:
    mdef = r.links.uses.get(node.index)
    if mdef is None:  # reported at compile time
        return []
    pick = r.links.picks.get(node.index)  # a use with literal arguments and picks is the same every time
    if pick is None:
        pick = pick_of(node, mdef, attrs, r.links.uses, lambda child: r.attributes(child, scope),
                       lambda condition: bool(r.evaluate(condition, scope)), _raise)
    if r.module_frame() is None:
        r.claim_union(mdef, node.span)
    return place(r, pick, scope, ctx, str(attrs.get("module") or mdef.path), node.index in r.links.after_volatile)


def _raise(message: str, span: Any, hint: str | None = None) -> None:
    raise render_error(message, span, hint)


def place(r: LayoutContext, pick: Pick, scope: dict[str, Any], ctx: Ctx, name: str, after_volatile: bool = False
          ) -> list[ir.Box]:
    """Render a picked module as an `ir.Module` box, through the render cache when it is cached."""
    mdef = pick.module
    if not mdef.cached:
        inner = dict(scope)
        inner.update(_values(pick, scope))
        return [ir.Module(ir.ModuleMark(name, mdef.digest, False, pick.span), _body(r, mdef, pick, inner, ctx))]
    key = _key(mdef, _values(pick, scope), pick, ctx)
    mark = ir.ModuleMark(name, key, True, pick.span, after_volatile=after_volatile)

    def render() -> list[ir.Box]:
        return _body(r, mdef, pick, _values(pick, scope), ctx)

    return [r.cached(mark, render)]


def _values(pick: Pick, scope: dict[str, Any]) -> dict[str, Any]:
    """The module's variables: arguments, enclosing modules' params, defaults."""
    mdef = pick.module
    values: dict[str, Any] = {}
    for param in mdef.chain().values():
        if param.name in pick.args:
            values[param.name] = pick.args[param.name]
        elif param.name in scope and param.name not in mdef.params:
            values[param.name] = scope[param.name]  # an enclosing module's param
        elif not param.required:
            values[param.name] = param.default
    return values


def _body(r: LayoutContext, mdef: ModuleDef, pick: Pick, scope: dict[str, Any], ctx: Ctx) -> list[ir.Box]:
    return r.in_module(pick.inner, lambda: r.children(mdef.node, scope, ctx, mdef.node.static))


def _key(mdef: ModuleDef, values: dict[str, Any], pick: Pick, ctx: Ctx) -> str:
    parts: list[Any] = [mdef.digest, canonical(values), [p.key() for p in pick.inner], ctx.syntax, ctx.chat]
    if mdef.reads_files:  # the same markup in another folder, or a file changed since: another rendering
        parts.append([str(mdef.span.source.directory), *(_stamp(path) for path in mdef.files)])
    text = json.dumps(parts, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def _stamp(path: Path) -> list[Any]:
    try:
        stat = path.stat()
    except OSError:
        return [str(path), None]
    return [str(path), stat.st_mtime_ns, stat.st_size]

