"""Modules at compile time: the definitions a document can place, and every check on their use.

`<schema>` groups `<module>` definitions; a module declares `<param>`s and may hold nested
modules and `<union>`s of alternative modules. `<import src as>` brings another file's schemas in
(the compiler inlines them under the `<import>`), and `<use module=…>` places a module.

This pass runs on the compiled tree. It gives every definition a `ModuleDef` (kept in the
definition node's `data["module"]`) with a content digest, resolves every `<use>` in the scope of
the file it is written in (kept in `data["use"]`), and reports, with locations: unknown modules
and params, missing required params, two alternatives of one union used together, a cached module
that reads a context variable which is not one of its params, and modules that use themselves.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pml.compile.program import CNode, DynamicAttr, ExprPiece, TextPiece
from pml.errors import PMLError, suggest
from pml.expressions import Expression, compile_expression
from pml.syntax.nodes import normalize_name
from pml.syntax.source import Span

# Attributes of `<use>` that are not arguments.
USE_ATTRS = frozenset(normalize_name(n) for n in (
    "module", "for", "if", "speaker", "syntax", "className", "class", "id", "whiteSpace", "writerOptions"))

Problem = Callable[..., None]


@dataclass(eq=False)
class ParamDef:
    name: str
    default: Any
    required: bool
    span: Span


@dataclass(eq=False)
class UnionDef:
    """A set of alternative modules: a use picks at most one (or the `default` member)."""

    span: Span
    default: str | None
    members: list[ModuleDef] = field(default_factory=list)


@dataclass(eq=False)
class ModuleDef:
    """One `<module>` definition."""

    name: str
    path: str  # dotted path inside its schema: `trip.tokyo`
    schema: str
    node: CNode
    cached: bool
    parent: ModuleDef | None
    union: UnionDef | None
    params: dict[str, ParamDef] = field(default_factory=dict)  # by normalized name
    children: dict[str, ModuleDef] = field(default_factory=dict)  # nested, by normalized local name
    digest: str = ""
    free: frozenset[str] | None = None  # context names the body reads (computed on demand)
    # Files its body reads (`src=` written literally), and whether a `src` comes from an expression:
    # a cached rendering depends on them too.
    files: tuple[Path, ...] = ()
    reads_files: bool = False

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


def analyze(root: CNode, problem: Problem) -> list[ModuleDef]:
    """Build the module table of a compiled document and check every use (module docstring).

    Returns every module definition (imported ones included), in document order.
    """
    everything: list[ModuleDef] = []
    file_scope(root, problem, everything)
    cycles: list[ModuleDef] = []
    for mdef in everything:
        if _check_use_cycles(mdef, problem):
            cycles.append(mdef)
    if cycles:
        return everything
    for mdef in everything:
        free_names(mdef)
    for mdef in everything:
        if mdef.cached:
            _check_cached(mdef, problem)
    return everything


# --------------------------------------------------------------------- definitions
def file_scope(node: CNode, problem: Problem, everything: list[ModuleDef]) -> Scope:
    """Collect the definitions of one file (a document, or the body of an `<import>`), then
    resolve the uses written in it."""
    scope = Scope()
    uses: list[CNode] = []
    _collect(node, scope, problem, everything, uses)
    for use in uses:
        _resolve(use, scope, problem)
    _check_unions(node, problem)
    return scope


def _collect(node: CNode, scope: Scope, problem: Problem, everything: list[ModuleDef], uses: list[CNode]) -> None:
    for child in node.children:
        if not isinstance(child, CNode):
            continue
        kind = component_name(child)
        if kind == "Import":
            inner = file_scope(child, problem, everything)
            namespace = str(child.static.get("as") or "").strip()
            for spellings, mdef in inner.own:
                for spelling in spellings:
                    scope.add(f"{namespace}.{spelling}" if namespace else spelling, mdef, problem, child.span)
        elif kind == "Schema":
            schema = str(child.static.get("name") or "").strip()
            _define_in(child, schema, None, None, scope, problem, everything, uses)
        elif kind in ("Module", "Union", "Param"):
            where = {"Module": "a `<schema>`", "Union": "a `<schema>` or a `<module>`", "Param": "a `<module>`"}
            problem(f"`<{child.element.tag}>` belongs inside {where[kind]}", child.element.name_span or child.span,
                    "see docs/modules.md")
        elif kind == "Use":
            uses.append(child)  # the `<use>`s inside it are selections, resolved with it
        else:
            _collect(child, scope, problem, everything, uses)


def _define_in(holder: CNode, schema: str, parent: ModuleDef | None, union: UnionDef | None, scope: Scope,
               problem: Problem, everything: list[ModuleDef], uses: list[CNode]) -> None:
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
            _define(child, schema, parent, union, scope, problem, everything, uses)
        elif kind == "Union":
            if union is not None:
                problem("a `<union>` cannot hold another `<union>`", child.element.name_span or child.span,
                        "put the inner union inside one of the modules")
                continue
            default = child.static.get("default")
            udef = UnionDef(child.span, str(default).strip() if default else None)
            child.data["union"] = udef
            _define_in(child, schema, parent, udef, scope, problem, everything, uses)
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
                _collect_body(child, schema, parent, scope, problem, everything, uses)
        elif kind == "Use":
            problem("`<use>` inside a `<schema>` but outside its modules renders nothing",
                    child.element.name_span or child.span, "move it into a module, or out of the schema")


def _collect_body(node: CNode, schema: str, parent: ModuleDef, scope: Scope, problem: Problem,
                  everything: list[ModuleDef], uses: list[CNode]) -> None:
    """Elements of a module body: nested definitions may sit at any depth inside it."""
    for child in node.children:
        if not isinstance(child, CNode):
            continue
        kind = component_name(child)
        if kind in ("Module", "Union", "Param"):
            holder = CNode(node.element, node.component, {}, {}, [child])
            _define_in(holder, schema, parent, None, scope, problem, everything, uses)
            continue
        if kind == "Use":
            uses.append(child)
        else:
            _collect_body(child, schema, parent, scope, problem, everything, uses)


def _define(node: CNode, schema: str, parent: ModuleDef | None, union: UnionDef | None, scope: Scope,
            problem: Problem, everything: list[ModuleDef], uses: list[CNode]) -> None:
    name = str(node.static.get("name") or "").strip()
    if not name or "." in name:
        if name:
            problem(f"a module name cannot contain a dot: `{name}`", node.element.name_span or node.span,
                    "dots separate nested modules in `<use module>`: pick a plain name")
        return
    path = f"{parent.path}.{name}" if parent is not None else name
    mdef = ModuleDef(name, path, schema, node, bool(node.static.get("cache")), parent, union)
    node.data["module"] = mdef
    siblings = parent.children if parent is not None else None
    if siblings is not None:
        if name.lower() in siblings:
            problem(f"module `{parent.path if parent else ''}` has two modules named `{name}`",  # type: ignore[union-attr]
                    node.element.name_span or node.span, "rename one of them")
        siblings[name.lower()] = mdef
    if union is not None:
        union.members.append(mdef)
    everything.append(mdef)
    spellings = [path] + ([f"{schema}.{path}"] if schema else [])
    scope.own.append((spellings, mdef))
    for spelling in spellings:
        scope.add(spelling, mdef, problem, node.element.name_span or node.span)
    _define_in(node, schema, mdef, None, scope, problem, everything, uses)
    mdef.digest = digest(node)
    readers = [c for c in _walk(node) if "src" in c.static or "src" in c.dynamic]
    mdef.reads_files = bool(readers)
    mdef.files = tuple(sorted({c.element.span.source.directory / str(c.static["src"]) for c in readers
                               if isinstance(c.static.get("src"), str)}))


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
def _resolve(use: CNode, scope: Scope, problem: Problem) -> None:
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
    use.data["use"] = mdef
    _check_arguments(use, mdef, problem)
    _resolve_selection(use, mdef, scope, problem)


def _resolve_selection(use: CNode, mdef: ModuleDef, scope: Scope, problem: Problem) -> None:
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
        child.data["use"] = inner
        _check_arguments(child, inner, problem, nested=True)
        _resolve_selection(child, inner, scope, problem)


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


def _check_unions(node: CNode, problem: Problem) -> None:
    """Two alternatives of one union placed together (unconditionally, side by side) is an error."""
    picked: dict[int, ModuleDef] = {}
    for child in node.children:
        if not isinstance(child, CNode):
            continue
        kind = component_name(child)
        if kind in ("Import", "Schema"):
            continue
        if kind == "Use":
            mdef = child.data.get("use")
            if mdef is not None and child.loop is None and child.cond is None:
                conflict(picked, mdef, child.span, problem)
            _check_unions(child, problem)
            continue
        if kind == "Module":
            continue
        _check_unions(child, problem)


def conflict(picked: dict[int, ModuleDef], mdef: ModuleDef, span: Span, problem: Problem) -> bool:
    """Record that `mdef` was placed; report when another alternative of its union already was."""
    for member in (mdef, *mdef.ancestors()):
        if member.union is None:
            continue
        other = picked.setdefault(id(member.union), member)
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
def _check_cached(mdef: ModuleDef, problem: Problem) -> None:
    """A cached module renders once for all contexts, so it may read its params only."""
    bound = {p.name for p in mdef.chain().values()}
    for name, span in _reads(mdef.node, bound, skip_root_defs=False):
        params = ", ".join(p.name for p in mdef.chain().values()) or "none"
        problem(f"cached module `{mdef.path}` reads `{name}`, which is not one of its params", span,
                f'add <param name="{name}"/> to the module and pass it with <use … {name}="…"/>, '
                f'or drop cache="true" (its params: {params})')


def _reads(node: CNode, bound: set[str], *, skip_root_defs: bool) -> Iterator[tuple[str, Span]]:
    """The free names read under `node` (names bound by params, lets and loops left out)."""
    lets = {str(c.static["name"]) for c in _walk(node) if component_name(c) == "Let" and c.static.get("name")}
    yield from _reads_in(node, bound | lets)


def _reads_in(node: CNode, bound: set[str]) -> Iterator[tuple[str, Span]]:
    inner = set(bound)
    mdef = node.data.get("module")
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
        expression = let_value(node)
        if expression is not None:
            yield from _free(expression, inner)
    target = node.data.get("use")
    if target is not None and component_name(node) == "Use":
        free = target.free if target.free is not None else frozenset()
        for name in sorted(free - inner):
            yield name, node.element.name_span or node.span
    for child in node.children:
        if isinstance(child, ExprPiece):
            yield from _free(child.expression, inner)
        elif isinstance(child, CNode):
            yield from _reads_in(child, inner)


def let_value(node: CNode) -> Expression | None:
    """The compiled `value` expression of a `<let>` written as plain text (`value="a + 1"`), which
    the compiler keeps as text: compiled here once and kept where `<let>` looks for it."""
    if "value" not in node.static or "value" in node.dynamic:
        return None
    if "value_expr" not in node.data:
        attr = node.element.attribute("value")
        try:
            node.data["value_expr"] = compile_expression(str(node.static["value"]), attr.value_span or attr.span)
        except PMLError:
            node.data["value_expr"] = None  # reported when it is rendered
    return node.data["value_expr"]


def _free(expression: Expression, bound: set[str]) -> Iterator[tuple[str, Span]]:
    for name in sorted(expression.names - bound):
        yield name, expression.span


def _dynamic_free(dyn: DynamicAttr, bound: set[str]) -> Iterator[tuple[str, Span]]:
    for part in dyn.parts:
        if isinstance(part, Expression):
            yield from _free(part, bound)


def _walk(node: CNode) -> Iterator[CNode]:
    yield node
    for child in node.children:
        if isinstance(child, CNode):
            yield from _walk(child)


def free_names(mdef: ModuleDef, visiting: tuple[ModuleDef, ...] = ()) -> frozenset[str]:
    """The context names a module's body reads (params, lets and loops left out), through the
    modules it uses. Computed once."""
    if mdef.free is not None:
        return mdef.free
    if mdef in visiting:
        return frozenset()
    for node in _walk(mdef.node):
        target = node.data.get("use") if component_name(node) == "Use" else None
        if target is not None and target.free is None:
            free_names(target, (*visiting, mdef))
    bound = {p.name for p in mdef.chain().values()}
    mdef.free = frozenset(name for name, _ in _reads(mdef.node, bound, skip_root_defs=False))
    return mdef.free


def _check_use_cycles(mdef: ModuleDef, problem: Problem) -> bool:
    """A module that places itself (directly or through others) would never finish rendering."""
    seen: set[int] = set()

    def visit(current: ModuleDef, chain: tuple[ModuleDef, ...]) -> bool:
        for node in _walk(current.node):
            target = node.data.get("use") if component_name(node) == "Use" else None
            if target is None:
                continue
            if target is mdef:
                path = " → ".join(m.path for m in (*chain, target))
                problem(f"module `{mdef.path}` places itself: {path}", node.span,
                        "a module cannot contain itself; remove one of the `<use>`s")
                return True
            if id(target) not in seen:
                seen.add(id(target))
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
    static = json.dumps(node.static, sort_keys=True, default=repr, ensure_ascii=False)
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
