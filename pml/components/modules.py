"""Module components: `<schema>`, `<module>`, `<param>`, `<union>`, `<import>` and `<use>`.

Definitions render nothing where they are written; `<use>` places a module. A placed module is
a block of its own (`ir.Module`). A cached module renders once per key — its definition's
digest, its arguments, the modules selected in it, the syntax — through the render cache
(`pml.render.modcache`), and it sees only its params. The compile-time checks are in `pml.compile.modules`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pml.compile.modules import USE_ATTRS, ModuleDef, conflict
from pml.compile.program import CNode
from pml.components import boxes as ir
from pml.errors import render_error
from pml.registry import Attr, component
from pml.syntax.nodes import normalize_name


@dataclass(frozen=True, slots=True)
class Pick:
    """A module selected inside a placed module, with its arguments and its own selection.

    `keys` remembers the render-cache key of a pick that is the same on every render (literal
    arguments, placed outside other modules), by syntax and chat mode.
    """

    module: ModuleDef
    args: dict[str, Any]
    inner: tuple[Pick, ...]
    span: Any
    keys: dict[tuple[str, bool, str], tuple[str, ir.ModuleMark]] = field(default_factory=dict, compare=False)

    def key(self) -> list[Any]:
        return [self.module.path, _canonical(self.args), [p.key() for p in self.inner]]


@component("Schema", "schema", kind="reader",
           doc="A group of module definitions (`<module>`), in the prompt itself or in a file brought in "
               "with `<import>`. It renders nothing where it is written.",
           attrs=[Attr("name", "string", "The schema's name: `<use module=\"schema.module\">` may start with it.",
                       literal=True)])
def layout_schema(r: Any, node: Any, attrs: dict[str, Any], scope: dict[str, Any], ctx: Any) -> list[Any]:
    return []


@component("Module", "module",
           doc="A reusable piece of prompt, placed with `<use module=\"name\"/>`. It declares `<param>`s, may "
               "hold nested modules and `<union>`s, and with `cache=\"true\"` renders once per distinct set "
               "of arguments and marks a provider cache breakpoint where it ends (docs/modules.md).",
           attrs=[Attr("name", "string", "The module's name (no dots).", required=True, literal=True),
                  Attr("cache", "boolean", "Render once per distinct arguments and place a cache breakpoint "
                                           "after it; it may then read its params only.", default=False,
                       literal=True)])
def layout_module(r: Any, node: Any, attrs: dict[str, Any], scope: dict[str, Any], ctx: Any) -> list[Any]:
    """A nested definition renders where it is written when the placing `<use>` selected it."""
    frame = r.frames[-1] if r.frames else None
    mdef = node.data.get("module")
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
def layout_param(r: Any, node: Any, attrs: dict[str, Any], scope: dict[str, Any], ctx: Any) -> list[Any]:
    return []


@component("Union", "union",
           doc="Alternative modules: a use picks at most one of them (`default` names the one placed when "
               "none is picked). Placing two of them together is an error.",
           attrs=[Attr("default", "string", "The module placed when the use picks none.", literal=True)])
def layout_union(r: Any, node: Any, attrs: dict[str, Any], scope: dict[str, Any], ctx: Any) -> list[Any]:
    frame = r.frames[-1] if r.frames else None
    udef = node.data.get("union")
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
def layout_import(r: Any, node: Any, attrs: dict[str, Any], scope: dict[str, Any], ctx: Any) -> list[Any]:
    return []


@component("Use", "use", open_attrs=True,
           doc="Place a module: `<use module=\"ns.name\" param=\"value\"/>`. Other attributes are the module's "
               "params (values may use `{{ }}`); nested `<use>`s pick modules nested in it.",
           attrs=[Attr("module", "string", "The module to place (`name`, `schema.name`, `ns.name`, "
                                           "`outer.inner`).", required=True, literal=True),
                  Attr("name", "value", "A param called `name` (when the module declares one)."),
                  Attr("type", "value", "A param called `type` (when the module declares one).")])
def layout_use(r: Any, node: Any, attrs: dict[str, Any], scope: dict[str, Any], ctx: Any) -> list[Any]:
    mdef: ModuleDef | None = node.data.get("use")
    if mdef is None:  # reported at compile time
        return []
    pick = node.data.get("pick")  # a use with literal arguments and picks is the same every time
    if pick is None:
        pick = Pick(mdef, _arguments(mdef, node, attrs, nested=False), _selection(r, node, mdef, scope), node.span)
        if _literal(node):
            node.data["pick"] = pick
    if not r.frames:
        conflict(r.union_picks, mdef, node.span, _raise)
    return place(r, pick, scope, ctx, str(attrs.get("module") or mdef.path), bool(node.data.get("after_volatile")))


def _literal(node: CNode) -> bool:
    """Whether a `<use>` and the picks inside it have only literal arguments and no conditions."""
    if node.dynamic or node.cond is not None or node.loop is not None:
        return False
    return all(_literal(c) for c in node.children if isinstance(c, CNode))


def _arguments(mdef: ModuleDef, node: Any, attrs: dict[str, Any], *, nested: bool) -> dict[str, Any]:
    params = mdef.params if nested else mdef.chain()
    out: dict[str, Any] = {}
    for name, value in attrs.items():
        param = params.get(normalize_name(name))
        if param is not None and normalize_name(name) not in USE_ATTRS:
            out[param.name] = value
    return out


def _selection(r: Any, node: Any, mdef: ModuleDef, scope: dict[str, Any]) -> tuple[Pick, ...]:
    """The nested `<use>`s: their conditions and arguments are evaluated where the use is written."""
    picks: list[Pick] = []
    for child in node.children:
        inner = child.data.get("use") if isinstance(child, CNode) else None
        if inner is None:
            continue
        if child.cond is not None and not r.evaluate(child.cond, scope):
            continue
        attrs = r.attributes(child, scope)
        picks.append(Pick(inner, _arguments(inner, child, attrs, nested=True), _selection(r, child, inner, scope),
                          child.span))
    seen: dict[int, ModuleDef] = {}
    for pick in picks:
        conflict(seen, pick.module, pick.span, _raise)
    return tuple(picks)


def _raise(message: str, span: Any, hint: str | None = None) -> None:
    raise render_error(message, span, hint)


def place(r: Any, pick: Pick, scope: dict[str, Any], ctx: Any, name: str, after_volatile: bool = False
          ) -> list[ir.Box]:
    """Render a picked module as an `ir.Module` box, through the render cache when it is cached."""
    mdef = pick.module
    if not mdef.cached:
        inner = dict(scope)
        inner.update(_values(pick, scope))
        return [ir.Module(ir.ModuleMark(name, mdef.digest, False, pick.span), _body(r, mdef, pick, inner, ctx))]
    memo = (ctx.syntax, ctx.chat, name)
    constant = not r.frames and not mdef.reads_files  # files read may change: stat them every time
    known = pick.keys.get(memo) if constant else None
    if known is None:
        key = _key(mdef, _values(pick, scope), pick, ctx)
        known = (key, ir.ModuleMark(name, key, True, pick.span, after_volatile=after_volatile))
        if constant:
            pick.keys[memo] = known
    key, mark = known

    def render() -> list[ir.Box]:
        return _body(r, mdef, pick, _values(pick, scope), ctx)

    entry = r.module_cache.get_or_render(key, render)
    return [ir.Module(mark, entry.boxes, entry)]


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


def _body(r: Any, mdef: ModuleDef, pick: Pick, scope: dict[str, Any], ctx: Any) -> list[ir.Box]:
    r.frames.append(pick.inner)
    try:
        return r.children(mdef.node, scope, ctx, mdef.node.static)
    finally:
        r.frames.pop()


def _key(mdef: ModuleDef, values: dict[str, Any], pick: Pick, ctx: Any) -> str:
    parts: list[Any] = [mdef.digest, _canonical(values), [p.key() for p in pick.inner], ctx.syntax, ctx.chat]
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


def _canonical(values: dict[str, Any]) -> str:
    return json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=repr)
