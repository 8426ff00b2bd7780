"""Modules at compile time: the definitions a document can place, and every check on their use.

`<schema>` groups `<module>` definitions; a module declares `<param>`s and may hold nested
modules and `<union>`s of alternative modules. `<import src as>` brings another file's schemas in
(the compiler inlines them under the `<import>`), and `<use module=…>` places a module.

This pass runs on the compiled tree and writes only into a `ModuleTable` (the program keeps it
as `Links`, by node index). It gives every definition a `ModuleDef` with a content digest,
resolves every `<use>` in the scope of the file it is written in, and reports, with locations:
unknown modules and params, missing required params, two alternatives of one union used
together, a cached module that reads a context variable which is not one of its params, and
modules that use themselves. `Pick` is a placement: a module with its arguments and the modules
selected in it; `pick_of` makes one for a `<use>` (at compile time for the uses whose arguments
are literal, at render time for the others).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pml.compile.program import CNode, DynamicAttr, ExprPiece, TextPiece, walk
from pml.errors import suggest
from pml.expressions import Expression
from pml.syntax.nodes import normalize_name
from pml.syntax.source import Span

# The key under which a document's (or webpage's) expanded styles enter its digest.
EXPANDED = "#expanded"
# Attributes of `<use>` that are not arguments.
USE_ATTRS = frozenset(normalize_name(n) for n in (
    "module", "for", "if", "speaker", "syntax", "className", "class", "id", "whiteSpace", "writerOptions"))

Problem = Callable[..., None]


@dataclass(frozen=True, slots=True, eq=False)
class ParamDef:
    name: str
    default: Any
    required: bool
    span: Span


@dataclass(frozen=True, slots=True, eq=False)
class UnionDef:
    """A set of alternative modules: a use picks at most one (or the `default` member).
    `members` is filled while the union's definitions are read, and never changed after."""

    span: Span
    default: str | None
    members: list[ModuleDef] = field(default_factory=list)


@dataclass(frozen=True, slots=True, eq=False)
class ModuleDef:
    """One `<module>` definition. `params` and `children` are filled while its body is read (the
    compile), and never changed after."""

    name: str
    path: str  # dotted path inside its schema: `trip.tokyo`
    schema: str
    node: CNode
    cached: bool
    parent: ModuleDef | None
    union: UnionDef | None
    digest: str
    # Files its body reads (`src=` written literally), and whether a `src` comes from an expression:
    # a cached rendering depends on them too.
    files: tuple[Path, ...] = ()
    reads_files: bool = False
    params: dict[str, ParamDef] = field(default_factory=dict)  # by normalized name
    children: dict[str, ModuleDef] = field(default_factory=dict)  # nested, by normalized local name

    @property
    def span(self) -> Span:
        return self.node.span

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.path}" if self.schema else self.path

    def chain(self) -> dict[str, ParamDef]:
        """The params in force in the body: the enclosing modules' and then its own."""
        out = self.parent.chain() if self.parent is not None else {}
        out.update(self.params)
        return out

    def ancestors(self) -> Iterator[ModuleDef]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def descendants(self) -> Iterator[ModuleDef]:
        for child in self.children.values():
            yield child
            yield from child.descendants()


@dataclass(frozen=True, slots=True)
class Pick:
    """A module placed (or selected inside a placed module), with its arguments and its own selection."""

    module: ModuleDef
    args: Mapping[str, Any]
    inner: tuple[Pick, ...]
    span: Span

    def key(self) -> list[Any]:
        return [self.module.path, canonical(self.args), [p.key() for p in self.inner]]


def canonical(values: Mapping[str, Any]) -> str:
    """Values as canonical JSON (what a cached module's rendering key is made of)."""
    return json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=repr)


@dataclass(slots=True)
class ModuleTable:
    """What the module pass finds, by node index (the program keeps it as `Links`); `let_values`
    are the compiled `<let value>`s it reads, `free` the context names each module's body reads."""

    let_values: Mapping[int, Expression] = field(default_factory=dict)
    definitions: dict[int, ModuleDef] = field(default_factory=dict)
    uses: dict[int, ModuleDef] = field(default_factory=dict)
    unions: dict[int, UnionDef] = field(default_factory=dict)
    free: dict[ModuleDef, frozenset[str]] = field(default_factory=dict)


class Scope:
    """The module names visible to one file: its own schemas' modules and what it imports."""

    def __init__(self) -> None:
        self.names: dict[str, ModuleDef] = {}
        self.spelled: list[str] = []  # the names as written, for "did you mean"
        self.own: list[tuple[list[str], ModuleDef]] = []  # (spellings, def) of its own modules

    def add(self, name: str, mdef: ModuleDef, problem: Problem, span: Span) -> None:
        key = name.lower()
        found = self.names.get(key)
        if found is not None and found is not mdef and _same_definition(found, mdef):
            return  # the same file imported twice
        if found is not None and found is not mdef:
            problem(f"two modules are named `{name}` (the other is at {found.span.line}:{found.span.column} "
                    f"of {found.span.source.name})", span, "rename one, or import one of them with `as`")
            return
        self.names[key] = mdef
        self.spelled.append(name)

    def lookup(self, name: str) -> ModuleDef | None:
        return self.names.get(name.strip().lower())


def _same_definition(a: ModuleDef, b: ModuleDef) -> bool:
    return (a.span.source.path == b.span.source.path and a.span.source.path is not None
            and a.span.start == b.span.start)


def component_name(node: Any) -> str | None:
    return node.component.name if isinstance(node, CNode) and node.component is not None else None


def analyze(root: CNode, problem: Problem, table: ModuleTable) -> list[ModuleDef]:
    """Fill the module table of a compiled document and check every use (module docstring).

    Returns every module definition (imported ones included), in document order.
    """
    everything: list[ModuleDef] = []
    file_scope(root, problem, everything, table)
    cycles: list[ModuleDef] = []
    for mdef in everything:
        if _check_use_cycles(mdef, problem, table):
            cycles.append(mdef)
    if cycles:
        return everything
    for mdef in everything:
        free_names(mdef, table)
    for mdef in everything:
        if mdef.cached:
            _check_cached(mdef, problem, table)
    return everything


# --------------------------------------------------------------------- definitions
def file_scope(node: CNode, problem: Problem, everything: list[ModuleDef], table: ModuleTable | None = None) -> Scope:
    """Collect the definitions of one file (a document, or the body of an `<import>`), then
    resolve the uses written in it (into `table`, or a table of its own)."""
    table = ModuleTable() if table is None else table
    scope = Scope()
    uses: list[CNode] = []
    _collect(node, scope, problem, everything, uses, table)
    for use in uses:
        _resolve(use, scope, problem, table)
    if any(mdef.union is not None for mdef in everything):  # without unions, no two alternatives meet
        _check_unions(node, problem, table)
    return scope


def _collect(node: CNode, scope: Scope, problem: Problem, everything: list[ModuleDef], uses: list[CNode],
             table: ModuleTable) -> None:
    for child in node.children:
        if not isinstance(child, CNode):
            continue
        kind = component_name(child)
        if kind == "Import":
            inner = file_scope(child, problem, everything, table)
            namespace = str(child.static.get("as") or "").strip()
            for spellings, mdef in inner.own:
                for spelling in spellings:
                    scope.add(f"{namespace}.{spelling}" if namespace else spelling, mdef, problem, child.span)
        elif kind == "Schema":
            schema = str(child.static.get("name") or "").strip()
            _define_in(child, schema, None, None, scope, problem, everything, uses, table)
        elif kind in ("Module", "Union", "Param"):
            where = {"Module": "a `<schema>`", "Union": "a `<schema>` or a `<module>`", "Param": "a `<module>`"}
            problem(f"`<{child.element.tag}>` belongs inside {where[kind]}", child.element.name_span or child.span,
                    "see docs/modules.md")
        elif kind == "Use":
            uses.append(child)  # the `<use>`s inside it are selections, resolved with it
        else:
            _collect(child, scope, problem, everything, uses, table)


def _define_in(holder: CNode, schema: str, parent: ModuleDef | None, union: UnionDef | None, scope: Scope,
               problem: Problem, everything: list[ModuleDef], uses: list[CNode], table: ModuleTable) -> None:
    """The definitions directly inside a schema, a module or a union."""
    for child in holder.children:
        if not isinstance(child, CNode):
            if union is not None and isinstance(child, (TextPiece, ExprPiece)) and (
                    isinstance(child, ExprPiece) or child.value.strip()):
                problem("a `<union>` holds only `<module>`s", holder.element.name_span or holder.span,
                        "move the text into one of its modules")
            continue
        kind = component_name(child)
        if kind == "Module":
            _define(child, schema, parent, union, scope, problem, everything, uses, table)
        elif kind == "Union":
            if union is not None:
                problem("a `<union>` cannot hold another `<union>`", child.element.name_span or child.span,
                        "put the inner union inside one of the modules")
                continue
            default = child.static.get("default")
            udef = UnionDef(child.span, str(default).strip() if default else None)
            table.unions[child.index] = udef
            _define_in(child, schema, parent, udef, scope, problem, everything, uses, table)
            member = next((m for m in udef.members if udef.default and m.name.lower() == udef.default.lower()),
                          None)
            needed = [p.name for p in member.params.values() if p.required] if member is not None else []
            if needed:
                problem(f"the union's default `{member.name}` needs the param "  # type: ignore[union-attr]
                        f"{', '.join(f'`{n}`' for n in needed)}, but a default is placed without arguments",
                        child.element.name_span or child.span,
                        "give those params a default, or pick the module with a nested `<use>`")
            if udef.default and member is None:
                problem(f"the union's default `{udef.default}` is not one of its modules",
                        child.element.name_span or child.span,
                        suggest(udef.default, [m.name for m in udef.members]) or
                        f"its modules: {', '.join(m.name for m in udef.members) or 'none'}")
        elif kind == "Param":
            if parent is None:
                problem("`<param>` belongs inside a `<module>`", child.element.name_span or child.span,
                        "move it into the module whose body uses it")
            else:
                _param(child, parent, problem)
        elif union is not None:
            problem("a `<union>` holds only `<module>`s", child.element.name_span or child.span,
                    "wrap this in a `<module>`")
        elif parent is None and kind == "Schema":
            problem("a `<schema>` cannot hold another `<schema>`", child.element.name_span or child.span,
                    "use nested `<module>`s instead")
        elif parent is not None:
            if kind == "Use":
                uses.append(child)
            else:
                _collect_body(child, schema, parent, scope, problem, everything, uses, table)
        elif kind == "Use":
            problem("`<use>` inside a `<schema>` but outside its modules renders nothing",
                    child.element.name_span or child.span, "move it into a module, or out of the schema")


def _collect_body(node: CNode, schema: str, parent: ModuleDef, scope: Scope, problem: Problem,
                  everything: list[ModuleDef], uses: list[CNode], table: ModuleTable) -> None:
    """Elements of a module body: nested definitions may sit at any depth inside it."""
    for child in node.children:
        if not isinstance(child, CNode):
            continue
        kind = component_name(child)
        if kind in ("Module", "Union", "Param"):
            holder = CNode(node.element, node.component, {}, {}, (child,))
            _define_in(holder, schema, parent, None, scope, problem, everything, uses, table)
            continue
        if kind == "Use":
            uses.append(child)
        else:
            _collect_body(child, schema, parent, scope, problem, everything, uses, table)


def _define(node: CNode, schema: str, parent: ModuleDef | None, union: UnionDef | None, scope: Scope,
            problem: Problem, everything: list[ModuleDef], uses: list[CNode], table: ModuleTable) -> None:
    name = str(node.static.get("name") or "").strip()
    if not name or "." in name:
        if name:
            problem(f"a module name cannot contain a dot: `{name}`", node.element.name_span or node.span,
                    "dots separate nested modules in `<use module>`: pick a plain name")
        return
    path = f"{parent.path}.{name}" if parent is not None else name
    readers = [c for c in walk(node) if "src" in c.static or "src" in c.dynamic]
    files = tuple(sorted({c.element.span.source.directory / str(c.static["src"]) for c in readers
                          if isinstance(c.static.get("src"), str)}))
    mdef = ModuleDef(name, path, schema, node, bool(node.static.get("cache")), parent, union, digest(node), files,
                     bool(readers))
    table.definitions[node.index] = mdef
    siblings = parent.children if parent is not None else None
    if siblings is not None:
        if name.lower() in siblings:
            problem(f"module `{parent.path if parent else ''}` has two modules named `{name}`",
                    node.element.name_span or node.span, "rename one of them")
        siblings[name.lower()] = mdef
    if union is not None:
        union.members.append(mdef)
    everything.append(mdef)
    spellings = [path] + ([f"{schema}.{path}"] if schema else [])
    scope.own.append((spellings, mdef))
    for spelling in spellings:
        scope.add(spelling, mdef, problem, node.element.name_span or node.span)
    _define_in(node, schema, mdef, None, scope, problem, everything, uses, table)


def _param(node: CNode, owner: ModuleDef, problem: Problem) -> None:
    name = str(node.static.get("name") or "").strip()
    if not name:
        return  # the registry already asked for the name
    key = normalize_name(name)
    if key in USE_ATTRS:
        problem(f"`{name}` cannot be a param name: `<use>` takes it as its own attribute",
                node.element.name_span or node.span, "pick another name")
    if key in owner.params:
        problem(f"module `{owner.path}` declares the param `{name}` twice", node.element.name_span or node.span)
        return
    has_default = "default" in node.static or "default" in node.dynamic  # a dynamic one is a compile error
    owner.params[key] = ParamDef(name, node.static.get("default"), not has_default, node.span)


# --------------------------------------------------------------------- uses
def _resolve(use: CNode, scope: Scope, problem: Problem, table: ModuleTable) -> None:
    """Resolve a `<use>` and the selections nested in it, and check its arguments."""
    raw = use.static.get("module")
    if raw is None:  # (a `{{ }}` there is a compile error: `module` is a literal attribute)
        return
    name = str(raw).strip()
    mdef = scope.lookup(name)
    if mdef is None:
        hint = suggest(name, scope.spelled)
        known = ", ".join(sorted(scope.spelled)[:12])
        problem(f"unknown module `{name}`", _attr_span(use, "module"),
                hint or (f"modules here: {known}" if known else "define it in a `<schema>` or bring it in "
                                                                   "with `<import src=\"…\"/>`"))
        return
    table.uses[use.index] = mdef
    _check_arguments(use, mdef, problem)
    _resolve_selection(use, mdef, scope, problem, table)


def _resolve_selection(use: CNode, mdef: ModuleDef, scope: Scope, problem: Problem, table: ModuleTable) -> None:
    """Nested `<use>`s inside a `<use>` pick modules nested in the used one."""
    for child in use.children:
        if isinstance(child, TextPiece) and not child.value.strip():
            continue
        if component_name(child) != "Use":
            span = child.span if isinstance(child, CNode) else use.span
            problem("a `<use>` holds only `<use>`s that pick modules nested in it", span,
                    "move other content out of the `<use>`")
            continue
        assert isinstance(child, CNode)
        raw = str(child.static.get("module") or "").strip()
        if "." in raw:
            head, _, rest = raw.partition(".")
            problem(f"a nested `<use>` picks one level: `{raw}` is two", _attr_span(child, "module"),
                    f'pick `{head}` and inside it `{rest}`: <use module="{head}"><use module="{rest}"/></use>')
            continue
        inner = _nested(mdef, raw)
        if inner is None:
            nested = [d.path[len(mdef.path) + 1:] for d in mdef.descendants()]
            problem(f"module `{mdef.path}` has no nested module `{raw}`", _attr_span(child, "module"),
                    suggest(raw, nested) or (f"its nested modules: {', '.join(nested)}" if nested else
                                             f"`{mdef.path}` has no nested modules: place `{raw}` outside "
                                             "this `<use>`"))
            continue
        table.uses[child.index] = inner
        _check_arguments(child, inner, problem, nested=True)
        _resolve_selection(child, inner, scope, problem, table)


# --------------------------------------------------------------------- picks
def pick_of(node: CNode, mdef: ModuleDef, attrs: Mapping[str, Any], uses: Mapping[int, ModuleDef],
            attributes: Callable[[CNode], Mapping[str, Any]], holds: Callable[[Expression], bool],
            problem: Problem) -> Pick:
    """The placement a `<use>` asks for: its arguments (from its attributes `attrs`), and the modules its
    nested `<use>`s select, whose conditions (`holds`) and attributes (`attributes`) are taken where it is
    written. Two alternatives of one union selected together are told to `problem`."""
    return Pick(mdef, arguments(mdef, attrs, nested=False), _selection(node, mdef, uses, attributes, holds, problem),
                node.span)


def arguments(mdef: ModuleDef, attrs: Mapping[str, Any], *, nested: bool) -> dict[str, Any]:
    """The attributes of a `<use>` that are params of the module (for a nested pick, its own params only)."""
    params = mdef.params if nested else mdef.chain()
    out: dict[str, Any] = {}
    for name, value in attrs.items():
        key = normalize_name(name)
        param = params.get(key)
        if param is not None and key not in USE_ATTRS:
            out[param.name] = value
    return out


def _selection(node: CNode, mdef: ModuleDef, uses: Mapping[int, ModuleDef],
               attributes: Callable[[CNode], Mapping[str, Any]], holds: Callable[[Expression], bool],
               problem: Problem) -> tuple[Pick, ...]:
    picks: list[Pick] = []
    for child in node.children:
        inner = uses.get(child.index) if type(child) is CNode else None
        if inner is None:
            continue
        assert type(child) is CNode
        if child.cond is not None and not holds(child.cond):
            continue
        picks.append(Pick(inner, arguments(inner, attributes(child), nested=True),
                          _selection(child, inner, uses, attributes, holds, problem), child.span))
    seen: dict[UnionDef, ModuleDef] = {}
    for pick in picks:
        conflict(seen, pick.module, pick.span, problem)
    return tuple(picks)


def literal(node: CNode) -> bool:
    """Whether a `<use>` and the picks inside it have only literal arguments and no conditions."""
    if node.dynamic or node.cond is not None or node.loop is not None:
        return False
    return all(literal(c) for c in node.children if type(c) is CNode)


def literal_picks(root: CNode, uses: Mapping[int, ModuleDef]) -> dict[int, Pick]:
    """The picks of the `<use>`s that are the same on every render (`literal`), by node index."""
    out: dict[int, Pick] = {}
    if not uses:
        return out
    for node in walk(root):
        mdef = uses.get(node.index)
        if mdef is None or component_name(node) != "Use" or not literal(node):
            continue
        conflicts: list[str] = []
        pick = pick_of(node, mdef, node.base, uses, _base, _never, _Collect(conflicts))
        if not conflicts:  # (a conflict is an error of the render)
            out[node.index] = pick
    return out


class _Collect:
    """A `Problem` that keeps the messages."""

    def __init__(self, into: list[str]) -> None:
        self.into = into

    def __call__(self, message: str, *args: Any, **kwargs: Any) -> None:
        self.into.append(message)


def _base(node: CNode) -> Mapping[str, Any]:
    return node.base


def _never(expression: Expression) -> bool:
    raise AssertionError("a literal pick has no conditions")


def _nested(mdef: ModuleDef, name: str) -> ModuleDef | None:
    current: ModuleDef | None = mdef
    for part in name.split("."):
        if current is None:
            return None
        current = current.children.get(part.strip().lower())
    return current


def _check_arguments(use: CNode, mdef: ModuleDef, problem: Problem, *, nested: bool = False) -> None:
    params = mdef.params if nested else mdef.chain()
    given: set[str] = set()
    for attr in use.element.attributes:
        key = normalize_name(attr.name)
        if key in USE_ATTRS:
            continue
        if key not in params:
            names = [p.name for p in params.values()]
            problem(f"module `{mdef.path}` has no param `{attr.name}`", attr.span,
                    suggest(attr.name, names) or (f"its params: {', '.join(names)}" if names
                                                  else f"`{mdef.path}` takes no params"))
            continue
        given.add(key)
    for key, param in params.items():
        if param.required and key not in given:
            where = f"{param.span.line}:{param.span.column}"
            if param.span.source is not use.span.source:
                where += f" of {param.span.source.name}"
            problem(f"module `{mdef.path}` needs the param `{param.name}`", use.element.name_span or use.span,
                    f'add {param.name}="…" (declared at {where})')


def _check_unions(node: CNode, problem: Problem, table: ModuleTable) -> None:
    """Two alternatives of one union placed together (unconditionally, side by side) is an error."""
    picked: dict[UnionDef, ModuleDef] = {}
    for child in node.children:
        if not isinstance(child, CNode):
            continue
        kind = component_name(child)
        if kind in ("Import", "Schema"):
            continue
        if kind == "Use":
            mdef = table.uses.get(child.index)
            if mdef is not None and child.loop is None and child.cond is None:
                conflict(picked, mdef, child.span, problem)
            _check_unions(child, problem, table)
            continue
        if kind == "Module":
            continue
        _check_unions(child, problem, table)


def conflict(picked: dict[UnionDef, ModuleDef], mdef: ModuleDef, span: Span, problem: Problem) -> bool:
    """Record that `mdef` was placed; report when another alternative of its union already was."""
    for member in (mdef, *mdef.ancestors()):
        if member.union is None:
            continue
        other = picked.setdefault(member.union, member)
        if other is not member:
            problem(f"`{member.path}` and `{other.path}` are alternatives of one `<union>` "
                    f"({member.union.span.line}:{member.union.span.column} of {member.union.span.source.name}): "
                    "use one of them", span, "choose between them with `if`, or move one out of the union")
            return True
    return False


def _attr_span(node: CNode, name: str) -> Span:
    attr = node.element.attribute(name)
    if attr is None:
        return node.element.name_span or node.span
    return attr.value_span or attr.span


# --------------------------------------------------------------------- cached modules
def _check_cached(mdef: ModuleDef, problem: Problem, table: ModuleTable) -> None:
    """A cached module renders once for all contexts, so it may read its params only."""
    bound = {p.name for p in mdef.chain().values()}
    for name, span in _reads(mdef.node, bound, table):
        params = ", ".join(p.name for p in mdef.chain().values()) or "none"
        problem(f"cached module `{mdef.path}` reads `{name}`, which is not one of its params", span,
                f'add <param name="{name}"/> to the module and pass it with <use … {name}="…"/>, '
                f'or drop cache="true" (its params: {params})')


def _reads(node: CNode, bound: set[str], table: ModuleTable) -> Iterator[tuple[str, Span]]:
    """The free names read under `node` (names bound by params, lets and loops left out)."""
    lets = {str(c.static["name"]) for c in walk(node) if component_name(c) == "Let" and c.static.get("name")}
    yield from _reads_in(node, bound | lets, table)


def _reads_in(node: CNode, bound: set[str], table: ModuleTable) -> Iterator[tuple[str, Span]]:
    inner = set(bound)
    mdef = table.definitions.get(node.index)
    if mdef is not None:
        inner.update(p.name for p in mdef.params.values())
    if node.loop is not None:
        yield from _free(node.loop[1], inner)
        inner.update((node.loop[0], "loop"))
    if node.cond is not None:
        yield from _free(node.cond, inner)
    for dyn in node.dynamic.values():
        yield from _dynamic_free(dyn, inner)
    if component_name(node) == "Let":
        expression = table.let_values.get(node.index)
        if expression is not None:
            yield from _free(expression, inner)
    target = table.uses.get(node.index) if component_name(node) == "Use" else None
    if target is not None:
        free = table.free.get(target, frozenset())
        for name in sorted(free - inner):
            yield name, node.element.name_span or node.span
    for child in node.children:
        if isinstance(child, ExprPiece):
            yield from _free(child.expression, inner)
        elif isinstance(child, CNode):
            yield from _reads_in(child, inner, table)


def _free(expression: Expression, bound: set[str]) -> Iterator[tuple[str, Span]]:
    for name in sorted(expression.names - bound):
        yield name, expression.span


def _dynamic_free(dyn: DynamicAttr, bound: set[str]) -> Iterator[tuple[str, Span]]:
    for part in dyn.parts:
        if isinstance(part, Expression):
            yield from _free(part, bound)


def free_names(mdef: ModuleDef, table: ModuleTable, visiting: tuple[ModuleDef, ...] = ()) -> frozenset[str]:
    """The context names a module's body reads (params, lets and loops left out), through the
    modules it uses. Computed once (kept in `table.free`)."""
    known = table.free.get(mdef)
    if known is not None:
        return known
    if mdef in visiting:
        return frozenset()
    for node in walk(mdef.node):
        target = table.uses.get(node.index) if component_name(node) == "Use" else None
        if target is not None and target not in table.free:
            free_names(target, table, (*visiting, mdef))
    bound = {p.name for p in mdef.chain().values()}
    free = table.free[mdef] = frozenset(name for name, _ in _reads(mdef.node, bound, table))
    return free


def _check_use_cycles(mdef: ModuleDef, problem: Problem, table: ModuleTable) -> bool:
    """A module that places itself (directly or through others) would never finish rendering."""
    seen: set[ModuleDef] = set()

    def visit(current: ModuleDef, chain: tuple[ModuleDef, ...]) -> bool:
        for node in walk(current.node):
            target = table.uses.get(node.index) if component_name(node) == "Use" else None
            if target is None:
                continue
            if target is mdef:
                path = " → ".join(m.path for m in (*chain, target))
                problem(f"module `{mdef.path}` places itself: {path}", node.span,
                        "a module cannot contain itself; remove one of the `<use>`s")
                return True
            if target not in seen:
                seen.add(target)
                if visit(target, (*chain, target)):
                    return True
        return False

    return visit(mdef, (mdef,))


# --------------------------------------------------------------------- digests
def digest(node: CNode) -> str:
    """A content hash of a compiled subtree: its components, computed attributes (the style is
    in them), expressions and text. Equal markup with equal style gives equal digests."""
    hasher = hashlib.sha256()
    _feed(node, hasher)
    return hasher.hexdigest()


def _feed(node: CNode, hasher: Any) -> None:
    name = node.component.name if node.component is not None else "#fragment"
    attributes = {**node.static, EXPANDED: node.expanded} if node.expanded else node.static
    static = json.dumps(attributes, sort_keys=True, default=repr, ensure_ascii=False)
    dynamic = sorted((k, [p if isinstance(p, str) else ("{{", p.code) for p in d.parts])
                     for k, d in node.dynamic.items())
    loop = (node.loop[0], node.loop[1].code) if node.loop else None
    cond = node.cond.code if node.cond else None
    head = json.dumps([name, static, dynamic, loop, cond], ensure_ascii=False, default=repr)
    hasher.update(head.encode())
    hasher.update(b"(")
    for child in node.children:
        if isinstance(child, TextPiece):
            hasher.update(b"T" + json.dumps(child.value, ensure_ascii=False).encode())
        elif isinstance(child, ExprPiece):
            hasher.update(b"E" + json.dumps(child.expression.code, ensure_ascii=False).encode())
        else:
            _feed(child, hasher)
    hasher.update(b")")
