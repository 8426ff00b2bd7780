"""Render: a compiled tree plus a context → layout boxes → speaker-tagged text → messages.

This is the template pass and the layout pass in one walk: `for=` repeats an element, `if=`
drops it, `<let>` defines variables, `{{ }}` values are written as text, and each component's
layout function turns its attributes and children into boxes. Context values are inserted as
text after parsing, so data never becomes markup.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pml.compile.modules import ModuleDef, Pick, conflict
from pml.compile.program import CNode, DynamicAttr, ExprPiece, Links, TextPiece
from pml.components import boxes as ir
from pml.components.layout import Ctx, LayoutContext
from pml.components.parts import CallSettings, ToolSpec
from pml.errors import PMLError, render_error
from pml.expressions import Expression
from pml.limits import current as current_limits
from pml.registry import GLOBAL_ATTRS, Attr, CoercionError
from pml.render import budget, writers
from pml.render.bound import measure, too_long
from pml.render.charsafe import check_xml, clean, fix_surrogates, has_surrogates
from pml.render.hooks import RenderHook
from pml.render.messages import Sink
from pml.render.modcache import module_cache
from pml.render.writers.markdown import MarkdownWriter, Marker, plain_marker
from pml.syntax.source import Span
from pml.values import Memo, describe, kind_of, to_text

SERIALIZED = ("json", "yaml", "xml", "html")
_COLLAPSE = re.compile(r"[ \t\n\r\f]+")


class _Lit(str):
    """Authored text (collapsible)."""

    __slots__ = ()


class _Val(str):
    """Interpolated text (kept verbatim)."""

    __slots__ = ()


class Renderer:
    """One render of a compiled prompt with one context. Layouts see a view of it,
    `layout_context` (a `pml.components.layout.LayoutContext`): the methods under "for layouts"
    below, and what the compile linked (`links`) and the folder files are read under (`root`)."""

    def __init__(self, context: dict[str, Any], root: Path, links: Links | None = None) -> None:
        self.globals = context
        self.root = root
        # What the compile learned about the nodes (module definitions, uses, …): read only.
        self.links = links if links is not None else Links()
        self.loops = 0
        # What <output-schema>, <tool-definition> and <runtime> declare (pml/components/tools.py).
        self._call: CallSettings | None = None  # made when something is declared
        # Modules (pml/components/modules.py): the selections of the modules being rendered, and
        # which alternative of each union the prompt placed.
        self._frames: list[Sequence[Pick]] = []
        self._union_picks: dict[Any, ModuleDef] = {}
        self.module_cache = module_cache()
        # What budgets left out (`pml.render.budget`), in the order it happened.
        self.dropped: list[budget.Dropped] = []
        # The bounds of this render (`pml.limits`), and the characters produced so far (`pml.render.bound`).
        self.limits = current_limits()
        self.max_output = self.limits.max_output
        self.output = 0
        # Counts the child lists rendered: a component that rendered none made its content itself.
        self.produced = 0
        # What is known of the data values met so far (`pml.values.survey`): their size, whether
        # they are data, whether they hold surrogates. One walk per value per render.
        self.data_seen: Memo = {}
        # What layouts see of this render.
        self.layout_context: LayoutContext = _LayoutView(self)

    # How the root's lists are numbered when written (`pml.render.writers.markdown.Marker`).
    list_marker: Marker = staticmethod(plain_marker)

    def charge(self, size: int, span: Span | None) -> None:
        """Count `size` more characters of output; past `max_output`, an error at `span`."""
        self.output += size
        if self.output > self.max_output:
            raise too_long(span, self.max_output)

    # ----------------------------------------------------------------- for layouts
    def write(self, boxes: list[ir.Box], syntax: str, options: Mapping[str, Any] | None = None) -> Written:
        return write(boxes, syntax, options)

    def define(self, values: Mapping[str, Any]) -> None:
        self.globals.update(values)

    @property
    def call(self) -> CallSettings:
        """What the render declared so far (`<output-schema>`, `<tool-definition>`s, `<runtime>`s)."""
        return self._call if self._call is not None else _NOTHING_DECLARED

    def _declared(self) -> CallSettings:
        if self._call is None:
            self._call = CallSettings()
        return self._call

    def schema_span(self) -> Span | None:
        return self.call.schema_span

    def declare_schema(self, schema: dict[str, Any] | None, span: Span) -> None:
        call = self._declared()
        call.schema = schema
        call.schema_span = span

    def has_tool(self, name: str) -> bool:
        return any(tool.name == name for tool in self.call.tools)

    def declare_tool(self, tool: ToolSpec) -> None:
        self._declared().tools.append(tool)

    def set_runtime(self, name: str, value: Any) -> None:
        self._declared().runtime[name] = value

    def module_frame(self) -> Sequence[Pick] | None:
        return self._frames[-1] if self._frames else None

    def claim_union(self, mdef: ModuleDef, span: Span) -> None:
        conflict(self._union_picks, mdef, span, _raise)

    def in_module(self, picks: Sequence[Pick], render: Callable[[], list[ir.Box]]) -> list[ir.Box]:
        self._frames.append(picks)
        try:
            return render()
        finally:
            self._frames.pop()

    def cached(self, mark: ir.ModuleMark, render: Callable[[], list[ir.Box]]) -> ir.Module:
        entry = self.module_cache.get_or_render(mark.key, render)
        return ir.Module(mark, entry.boxes, entry)

    # ----------------------------------------------------------------- nodes
    def node(self, cnode: CNode, scope: dict[str, Any], ctx: Ctx) -> list[Any]:
        """Render an element, expanding `for=` and checking `if=`."""
        if cnode.loop is None:
            if cnode.cond is not None and not self.evaluate(cnode.cond, scope):
                return []
            return self.instance(cnode, scope, ctx)
        out: list[Any] = []
        for inner in self.scopes(cnode, scope):
            out.extend(self.instance(cnode, inner, ctx))
        return out

    def scopes(self, cnode: CNode, scope: dict[str, Any]) -> list[dict[str, Any]]:
        """The scopes an element renders in: one, or one per item of its `for=`, where `if=` holds."""
        if cnode.loop is None:
            if cnode.cond is not None and not self.evaluate(cnode.cond, scope):
                return []
            return [scope]
        name, expression = cnode.loop
        items = self.evaluate(expression, scope)
        if isinstance(items, Mapping) or isinstance(items, (str, bytes)) or not hasattr(items, "__iter__"):
            raise render_error(f"`for` needs a list, but `{expression.code.strip()}` is {_a_kind(items)}",
                               expression.span, "loop over a list, e.g. `item in items`")
        bound = self.limits.max_loop
        if not hasattr(items, "__len__") or self.loops + len(items) <= bound:
            items = list(items)
        self.loops += len(items)
        if self.loops > bound:
            raise render_error(f"loops expanded more than {bound:,} elements (the limit `max_loop`)", cnode.span,
                               "render smaller data, split the prompt, or raise the limit `max_loop`")
        out: list[dict[str, Any]] = []
        length = len(items)
        for index, item in enumerate(items):
            inner = dict(scope)
            inner[name] = item
            inner["loop"] = {"index": index, "length": length, "first": index == 0,
                             "last": index == length - 1}
            if cnode.cond is not None and not self.evaluate(cnode.cond, inner):
                continue
            out.append(inner)
        return out

    def instance(self, cnode: CNode, scope: dict[str, Any], ctx: Ctx) -> list[Any]:
        component = cnode.component
        if component is None:  # an include fragment: its children stand in its place
            return self.items(cnode, scope, ctx)
        attrs = self.attributes(cnode, scope)
        syntax = attrs.get("syntax")
        inner = ctx
        switched = False
        if syntax and syntax != ctx.syntax and not getattr(component.layout, "handles_syntax", False):
            inner = replace(ctx, syntax=syntax)
            switched = True
        size = cnode.text_size  # the text of its attributes
        for name in cnode.dynamic:
            value = attrs.get(name)
            if type(value) is str:
                size += len(value)
        if size:
            self.charge(size, cnode.span)
        produced = self.produced
        boxes = component.layout(self.layout_context, cnode, attrs, scope, inner)
        if not boxes:
            return []
        if self.produced == produced:  # the component made its content itself (data, a file, a picture)
            self.charge(measure(boxes, self.data_seen, self.max_output - self.output), cnode.span)
            for box in boxes:
                if type(box) in _LOCATED and box.span is None:
                    box.span = cnode.span  # (components set it themselves; this is for those that do not)
        key = attrs.get("name")
        if key and "name" not in component.attrs and component.kind != "reader":
            boxes = [ir.Named(str(key), boxes)]
        if switched:
            boxes = [ir.Env(str(syntax), boxes, dict(attrs.get("writerOptions") or {}))]
        if ("charLimit" in attrs or "tokenLimit" in attrs) and component.kind != "reader":
            boxes = self.fit(cnode, attrs, boxes)  # a subtree in another syntax is one unit: whole or not at all
        speaker = attrs.get("speaker")
        if speaker:
            boxes = [ir.Speaker(speaker, boxes, span=cnode.span)]
        return boxes

    # ----------------------------------------------------------------- attributes
    def attributes(self, cnode: CNode, scope: dict[str, Any]) -> Mapping[str, Any]:
        base = cnode.base
        if not cnode.dynamic:
            return base
        attrs = dict(base)
        for name, dyn in cnode.dynamic.items():
            value = self.dynamic_value(cnode, name, dyn, scope)
            if value is _UNSET:
                spec = dyn.attr or GLOBAL_ATTRS.get(name.lower())
                if spec is not None and spec.default is not None:
                    attrs[name] = spec.default
                else:
                    attrs.pop(name, None)
            else:
                attrs[name] = value
        return attrs

    def dynamic_value(self, cnode: CNode, name: str, dyn: DynamicAttr, scope: dict[str, Any]) -> Any:
        """An attribute's value computed from its `{{ }}`s, checked against the attribute's type.

        This is the one place render-time attribute values are checked: whatever an expression
        gives (a list, a function, null…), the component receives a value of the declared type,
        or the render stops with an error at the attribute. `null` for an attribute that is not
        `any` or `value` means "not given" (its default applies; an error if it is required)."""
        if dyn.single is not None:
            value = self.evaluate(dyn.single, scope)
        else:
            value = "".join(p if isinstance(p, str) else to_text(self.evaluate(p, scope)) for p in dyn.parts)
        if isinstance(value, str) and has_surrogates(value):
            value = fix_surrogates(value, _attr_span(cnode, name))
        spec = dyn.attr or GLOBAL_ATTRS.get(name.lower())
        if spec is None:  # an attribute the component takes without declaring it (`<runtime>`, `<use>` params)
            component = cnode.component
            if component is None or not component.open_attrs:
                return value
            spec = Attr(name, component.open_type)
        if value is None and spec.type not in ("any", "value"):
            if not spec.required:
                return _UNSET
        try:
            value = spec.coerce(value, self.data_seen) if value is not None else _required(spec)
        except CoercionError as exc:
            raise render_error(str(exc), _attr_span(cnode, name), exc.hint) from None
        if isinstance(value, (dict, list, tuple)):
            value = clean(value, _attr_span(cnode, name), self.data_seen)
        return value

    def evaluate(self, expression: Expression, scope: dict[str, Any]) -> Any:
        return expression.evaluate(scope)

    # ----------------------------------------------------------------- children
    def items(self, cnode: CNode, scope: dict[str, Any], ctx: Ctx) -> list[Any]:
        """Children as a mixed list of `_Lit`/`_Val` strings and boxes (no whitespace processing)."""
        self.produced += 1
        size = cnode.authored
        if size:
            self.charge(size, cnode.span)
        out: list[Any] = []
        for child in cnode.children:
            if isinstance(child, TextPiece):
                out.append(_Lit(child.value))
            elif isinstance(child, ExprPiece):
                text = self.interpolate(child.expression, scope)
                if text:
                    if ctx.syntax in ("xml", "html"):
                        check_xml(text, ctx.syntax, child.expression.span)
                    out.append(self.value(child.expression, text, ctx))
            else:
                out.extend(self.node(child, scope, ctx))
        return out

    def interpolate(self, expression: Expression, scope: dict[str, Any]) -> str:
        """A `{{ }}` value as text, counted against the output bound."""
        value = self.evaluate(expression, scope)
        text = value if type(value) is str else to_text(value)
        self.output += len(text)
        if self.output > self.max_output:
            raise too_long(expression.span, self.max_output)
        return fix_surrogates(text, expression.span) if has_surrogates(text) else text

    def value(self, expression: Expression, text: str, ctx: Ctx) -> Any:
        """An interpolated value, as it goes into the children (a hook may mark it)."""
        return _Val(text)

    def rendered(self, cnode: CNode, boxes: list[Any]) -> list[Any]:
        """An element rendered one scope at a time (under a budget): its boxes (a hook may mark them)."""
        return boxes

    def children(self, cnode: CNode, scope: dict[str, Any], ctx: Ctx, attrs: Mapping[str, Any] | None = None,
                 *, white_space: str | None = None) -> list[ir.Box]:
        """Render children into boxes, applying the element's white-space rule and sticky speakers.

        Under a `char-limit` or `token-limit`, children are dropped by priority first (`pml.render.budget`)."""
        mode = white_space or (attrs or {}).get("whiteSpace") or ("pre" if ctx.syntax == "text" else "filter")
        if attrs and ("charLimit" in attrs or "tokenLimit" in attrs):
            limits = budget.limits_of(attrs)
            if limits:
                return self.prioritized(cnode, scope, ctx, mode, limits)
        return finish(self.items(cnode, scope, ctx), mode)

    # ----------------------------------------------------------------- budgets
    def prioritized(self, cnode: CNode, scope: dict[str, Any], ctx: Ctx, mode: str,
                    limits: list[budget.Limit]) -> list[ir.Box]:
        """The children under the element's limits, the lowest priorities dropped first."""
        self.produced += 1
        self.charge(cnode.authored, cnode.span)
        groups: list[tuple[float, list[Any], str, Any]] = []
        for child in cnode.children:
            if isinstance(child, TextPiece):
                groups.append((0.0, [_Lit(child.value)], "text", None))
            elif isinstance(child, ExprPiece):
                text = self.interpolate(child.expression, scope)
                if text:
                    name = f"`{{{{ {child.expression.code.strip()} }}}}`"
                    groups.append((0.0, [self.value(child.expression, text, ctx)], name, child.expression.span))
            else:
                for inner in self.scopes(child, scope):
                    priority = self.attributes(child, inner).get("priority") if child.component is not None else None
                    made = self.rendered(child, self.instance(child, inner, ctx))
                    groups.append((float(priority or 0), made, f"<{child.element.tag}>", child.span))
        owner = _owner(cnode)
        boxes: list[ir.Box] = []
        for limit in limits:
            boxes, groups = budget.drop_by_priority(groups, limit, owner, lambda items: finish(items, mode), _measure,
                                                    self.dropped)
        return boxes

    def fit(self, cnode: CNode, attrs: Mapping[str, Any], boxes: list[ir.Box]) -> list[ir.Box]:
        """An element's boxes cut to its limits (`pml.render.budget`)."""
        for limit in budget.limits_of(attrs):
            boxes = budget.truncate(boxes, limit, _owner(cnode), _measure, self.dropped)
        return boxes

    def text(self, cnode: CNode, scope: dict[str, Any], ctx: Ctx, mode: str = "filter") -> str:
        """Children as plain text (for captions, code, let bodies)."""
        boxes = finish(self.items(cnode, scope, ctx), mode)
        return plain_text(boxes)


class ObservedRenderer(Renderer):
    """A render that tells a hook what it does (`pml.render.hooks`); a render without a hook pays
    nothing for them."""

    def __init__(self, context: dict[str, Any], root: Path, links: Links | None, hook: RenderHook) -> None:
        super().__init__(context, root, links)
        self.hook = hook

    def node(self, cnode: CNode, scope: dict[str, Any], ctx: Ctx) -> list[Any]:
        boxes = super().node(cnode, scope, ctx)
        return self.hook.element(cnode, boxes) if boxes else boxes

    def rendered(self, cnode: CNode, boxes: list[Any]) -> list[Any]:
        return self.hook.element(cnode, boxes) if boxes else boxes

    def value(self, expression: Expression, text: str, ctx: Ctx) -> Any:
        marked = self.hook.value(expression, text, ctx)
        return _Val(text) if marked is None else marked

    def cached(self, mark: ir.ModuleMark, render: Callable[[], list[ir.Box]]) -> ir.Module:
        if not self.hook.cache_modules:
            return ir.Module(mark, render())
        return super().cached(mark, render)


def renderer_for(context: dict[str, Any], root: Path, links: Links, hook: RenderHook | None = None) -> Renderer:
    """The renderer of one render: observed by `hook`, or not."""
    if hook is None:
        return Renderer(context, root, links)
    return ObservedRenderer(context, root, links, hook)


class _LayoutView:
    """The `LayoutContext` of one render: the renderer's methods for layouts, bound once, and
    nothing else of it (a layout that reached for the renderer's state would find no attribute)."""

    __slots__ = ("attributes", "cached", "children", "claim_union", "declare_schema", "declare_tool", "define",
                 "evaluate", "has_tool", "in_module", "links", "module_frame", "root", "schema_span", "set_runtime",
                 "text", "write")

    def __init__(self, r: Renderer) -> None:
        self.links = r.links
        self.root = r.root
        self.evaluate = r.evaluate
        self.attributes = r.attributes
        self.children = r.children
        self.text = r.text
        self.write = r.write
        self.define = r.define
        self.schema_span = r.schema_span
        self.declare_schema = r.declare_schema
        self.has_tool = r.has_tool
        self.declare_tool = r.declare_tool
        self.set_runtime = r.set_runtime
        self.module_frame = r.module_frame
        self.claim_union = r.claim_union
        self.in_module = r.in_module
        self.cached = r.cached


def finish(items: list[Any], mode: str) -> list[ir.Box]:
    """Whitespace processing (POML's filter/pre/trim) and sticky speakers over a child list."""
    merged: list[Any] = []
    after_text = False  # the last item kept is authored text
    for item in items:
        if type(item) is _Lit:
            if after_text:
                merged[-1] = _Lit(merged[-1] + item)
                continue
            after_text = True
        else:
            after_text = False
        merged.append(item)
    last = len(merged) - 1
    boxes: list[ir.Box] = []
    collapse = mode != "pre"  # authored text loses the whitespace at its edges…
    squeeze = collapse and mode != "trim"  # …and has its runs of whitespace made one space
    for index, item in enumerate(merged):
        kind = type(item)
        if kind is _Lit:
            text = str(item)
            if collapse:
                if squeeze:
                    text = _COLLAPSE.sub(" ", text)
                if index == 0:
                    text = text.lstrip()
                if index == last:
                    text = text.rstrip()
            if text:
                boxes.append(ir.Inline(text, False))
        elif kind is _Val:
            if item:
                boxes.append(ir.Inline(str(item), True))
        elif isinstance(item, str):
            if item:
                boxes.append(ir.Inline(str(item), False))
        else:
            boxes.append(item)
    return _sticky(boxes)


def _sticky(boxes: list[ir.Box]) -> list[ir.Box]:
    """An explicit speaker also holds the siblings after it, up to the next explicit speaker."""
    for box in boxes:
        if type(box) is ir.Speaker:
            break
    else:
        return boxes
    out: list[ir.Box] = []
    group: list[ir.Box] = []
    sticky: str | None = None
    for box in boxes:
        if isinstance(box, ir.Speaker):
            if group:
                out.append(ir.Speaker(sticky or "", group, 0))
                group = []
            sticky = box.speaker
            out.append(box)
        elif sticky is None:
            out.append(box)
        else:
            group.append(box)
    if group:
        out.append(ir.Speaker(sticky or "", group, 0))
    return out


def plain_text(boxes: list[ir.Box]) -> str:
    out: list[str] = []
    for box in boxes:
        if isinstance(box, ir.Inline):
            out.append(box.text)
        elif isinstance(box, ir.Break):
            out.append("\n" * box.count)
        elif isinstance(box, ir.Wrap):
            out.append(plain_text(box.children))
        elif isinstance(box, ir.Code):
            out.append(box.text)
        else:
            model = to_model([box])
            out.append(model if isinstance(model, str) else to_text(model))
    return "".join(out)


def serialize(syntax: str, boxes: Sequence[ir.Box], options: dict[str, Any]) -> str:
    """Boxes written in a serialized syntax (`pml.render.writers.serialize`, imported the first time
    a prompt writes one)."""
    return writers.serialize.serialize(syntax, boxes, options)


def to_model(boxes: Sequence[ir.Box]) -> Any:
    """The data boxes stand for (`pml.render.writers.serialize.to_model`)."""
    return writers.serialize.to_model(boxes)


@dataclass(slots=True)
class Written:
    """The written text, with the media and tool parts in it and the explicit speakers that wrote nothing."""

    text: str
    # Media and tool parts: the offset each stands at and its explicit speaker.
    media: list[tuple[int, str | None, ir.Media | ir.ToolPart]] = field(default_factory=list)
    # Explicit speakers that wrote nothing: (the element, the speaker).
    empty: list[tuple[Any, str]] = field(default_factory=list)


def write(boxes: list[ir.Box], syntax: str, options: Mapping[str, Any] | None = None,
          sink: Sink | None = None, marker: Marker = plain_marker) -> Written:
    """Write the root's boxes in the root syntax, feeding `sink` (a `MessageBuilder`) the events of
    the output if one is given; `marker` makes the markers of the root's lists."""
    opts = dict(options or {})
    if syntax in SERIALIZED:
        text = serialize(syntax, boxes, opts)
        if sink is not None:
            sink.text(text)
        return Written(text)
    writer = MarkdownWriter(serialize, int(opts.get("markdownBaseHeaderLevel", 1)), sink, marker)
    text = writer.write(boxes)
    return Written(text, writer.media, writer.empty)


# The declarations of a render that declared nothing (never written: `Renderer._declared` makes
# a render's own on its first declaration).
_NOTHING_DECLARED = CallSettings()

# Boxes that carry the element they came from (for errors and warnings about them).
_LOCATED = (ir.Media, ir.ToolPart, ir.Item)


class _Unset:
    """An attribute whose `{{ }}` gave null: as if it were not written."""


_UNSET = _Unset()


def _required(spec: Attr) -> Any:
    raise CoercionError(f"`{spec.name}` is required, and its value is {describe(None)}",
                        "give it a value, or leave the element out with `if`")


def _attr_span(cnode: CNode, name: str) -> Span:
    attr = cnode.element.attribute(name)
    if attr is None:
        return cnode.span
    return attr.value_span or attr.span


def _owner(cnode: CNode) -> str:
    return f"<{cnode.element.tag}> at {cnode.span}"


def _measure(boxes: Any) -> str:
    """Boxes written alone, as markdown: what a limit measures (list items as a list)."""
    if any(isinstance(b, ir.Item) for b in boxes):
        boxes = [ir.ListBox("dash", [b]) if isinstance(b, ir.Item) else b for b in boxes]
    return MarkdownWriter(serialize).write(boxes)


def _a_kind(value: Any) -> str:
    """The kind of a value (`pml.values.kind_of`) with its article: `a number`, `an object`, `a string`."""
    if value is None:
        return "null"
    kind = "string" if isinstance(value, str) else kind_of(value)
    return f"{'an' if kind[0] in 'aeiou' else 'a'} {kind}"


def _raise(message: str, span: Span | None, hint: str | None = None) -> None:
    raise render_error(message, span, hint)


__all__ = ["Ctx", "ObservedRenderer", "PMLError", "Renderer", "finish", "plain_text", "renderer_for", "write"]
