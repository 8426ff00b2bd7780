"""Compile: `Document` → `Program` (`pml.compile.program`).

Everything that depends only on the source files and stylesheets happens here, once: includes
are inlined (with cycle detection), every tag and attribute is checked against the component
registry (each component's own check comes through it too), stylesheets are parsed and the
cascade is run on the source tree, static attribute values are coerced to their types, every
`{{ }}` is compiled, and the module, file and stability passes run over the compiled tree.
Problems are collected as diagnostics; errors are raised together at the end.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple, cast

from pml import files, limits
from pml.compile import stability
from pml.compile.expanded import HOSTS, Expander
from pml.compile.filecheck import check_sources
from pml.compile.meta import read_meta
from pml.compile.modules import ModuleDef, ModuleTable, analyze, literal_picks
from pml.compile.program import EMPTY, CNode, DynamicAttr, ExprPiece, Links, Loop, Program, TextPiece, base_of
from pml.errors import Diagnostic, PMLCompileError, PMLError, Severity, compile_error, limit_hint, suggest
from pml.expressions import Expression, compile_expression, parse_for
from pml.registry import REGISTRY, Attr, CoercionError, Component
from pml.style.cascade import Cascade, ComputedStyle, Matcher
from pml.style.stylesheet import ORIGIN_DOCUMENT, Stylesheet, default_stylesheet, parse_css, parse_json_stylesheet
from pml.syntax.collector import building
from pml.syntax.nodes import Attribute, Document, Element, Expr, Text, normalize_name
from pml.syntax.parser import parse_source, too_deep
from pml.syntax.source import Source, Span, decode

# Attributes the template pass consumes; they never reach a component.
TEMPLATE_ATTRS = {"for", "if"}
# Tags handled here or by the template pass rather than rendered.
STYLE_TAGS = {"stylesheet", "style"}
_NO_NAMES: frozenset[str] = frozenset()
# The components the module pass looks at (without them, it has nothing to do).
MODULE_KINDS = frozenset({"Import", "Schema", "Module", "Union", "Param", "Use"})
# Components an element of which needs more than its attributes and children compiled.
_SPECIAL = MODULE_KINDS | {"Meta", "Let"}
# The attribute types whose coerced values are worth remembering by the written text (`_set_static`).
_SCALAR_TYPES = frozenset({"enum", "boolean", "number", "integer"})
_new_node = tuple.__new__
_new_object = object.__new__
# `TextPiece(value)` without the frozen dataclass's `__init__` (see `pml.syntax.nodes.make_text`).
_set_piece_value = cast("Any", TextPiece.__dict__["value"]).__set__


class _Kind(NamedTuple):
    """A tag as the compile sees it (`Compiler._kind`)."""

    component: Component | None  # None for an unknown tag or an include fragment
    include: bool  # an include fragment
    required: tuple[Attr, ...]  # the attributes its component requires
    special: bool  # unknown, or its component is `_SPECIAL` or has a check of its own (`Compiler._admit`)
    extra: bool  # it requires attributes, is a `<let>` or a host (`Compiler._extras`)
    defaults: Mapping[str, Any]  # what an element of it written without attributes starts from (`base_of`)
    default_size: int
    plain: bool  # a component that needs nothing but its attributes and children compiled


class Compiler:
    """Compiles one document (and the files it includes)."""

    def __init__(self, *, strict: bool = False, stylesheets: Sequence[Stylesheet] = (),
                 root: Path | None = None) -> None:
        self.strict = strict
        self.root = root
        self.extra_sheets = list(stylesheets)
        self.diagnostics: list[Diagnostic] = []
        self.files: list[Path] = []
        self.context: dict[str, Any] = {}
        self._names: list[str] = []
        # Components turned off by `<meta components="-name">`, with where that was said.
        self.disabled: dict[str, Span] = {}
        # Every module definition (`pml.compile.modules`), imported ones included.
        self.modules: list[ModuleDef] = []
        # The styles of what documents and webpages expand into (`pml.compile.expanded`), and the
        # elements above the one being compiled (kept only when there is an expander).
        self._expander: Expander | None = None
        self._path: list[Element] = []
        # Nodes are numbered in document order; `<let value>`s compiled, by node number.
        self._count = 0
        # Whether a `<let volatile>` was compiled (the stability check has nothing to do otherwise).
        self._volatile = False
        self._let_values: dict[int, Expression] = {}
        # Whether a component of `MODULE_KINDS` was compiled (the module pass has nothing to do otherwise).
        self._modular = False
        # Worked out once per compile: tags (`_kind`), attribute names by tag (`_spec`), and cascaded
        # values coerced for a component (`_styled`).
        self._kinds: dict[str, _Kind] = {}
        self._specs: dict[tuple[str, str], tuple[str, Attr | None]] = {}
        self._cascade = Cascade(Matcher(()))
        self._plain_paths = self._cascade.plain_paths
        # Text pieces by value: a piece is immutable, and a document repeats its texts (the spaces
        # between tags above all), so equal texts share one.
        self._pieces: dict[str, TextPiece] = {}
        self._coerced: dict[tuple[int, Any], tuple[Any, Attr]] = {}
        self._styled_values: dict[tuple[int, str | None], tuple[dict[str, Any], dict[str, Any]]] = {}

    # ----------------------------------------------------------------- entry
    def compile(self, document: Document) -> Program:
        if self.root is None:
            self.root = document.source.directory
        if document.source.path is not None:
            self.files.append(document.source.path)
        self._names = [document.source.name]
        root = document.root
        lowered = document.source.text.lower()
        self.modules = []
        if "include" in lowered or "import" in lowered:
            root = self._inline_includes(root, document.source, (self._file_key(document.source),),
                                         0 if root.name_span is None else 1)
            self._check_depth(root)
        try:
            with building(len(document.source.text)):  # (a compiled tree is as large as the parsed one)
                return self._compile_tree(document, root, lowered)
        except RecursionError:
            raise compile_error("the document is nested too deeply to compile", document.root.span,
                                "nest fewer elements inside one another, or lower the `max_depth` limit "
                                "(it is above what this Python's recursion limit allows)") from None

    def _compile_tree(self, document: Document, root: Element, lowered: str) -> Program:
        sheets = [default_stylesheet()]
        root = self._collect_styles(root, document.source, sheets)
        sheets.extend(self.extra_sheets)
        for sheet in sheets[1:]:
            self.diagnostics.extend(sheet.diagnostics)
        # The cascade is run as the tree is compiled; each compiled node keeps its own style (`CNode.style`).
        self._cascade = Cascade(Matcher(sheets))
        self._plain_paths = self._cascade.plain_paths
        if len(sheets) > 1 and ("doc" in lowered or "webpage" in lowered or len(self.files) > 1):
            expander = Expander(sheets[1:])  # the built-in sheet styles no reader's output
            self._expander = expander if expander else None
        croot = self._compile_element(root, -1)
        table = ModuleTable(self._let_values)
        after_volatile: set[int] = set()
        if croot is not None and self._modular:
            self.modules = analyze(croot, self._problem, table)
        if croot is not None and ("src" in lowered or len(self.files) > 1):
            check_sources(croot, self.root or document.source.directory, self._problem)
        if croot is not None and self._volatile:
            found, after_volatile = stability.check(croot, table)
            self.diagnostics.extend(found)
        if self.strict:
            self.diagnostics = [
                Diagnostic("error", d.message, d.span, d.hint, d.code) if d.code == "attribute" else d
                for d in self.diagnostics
            ]
        errors = [d for d in self.diagnostics if d.severity == "error"]
        if errors:
            raise PMLCompileError(self.diagnostics)
        tree = croot or _empty_root(root)
        links = Links(table.definitions, table.uses, table.unions, literal_picks(tree, table.uses), self._let_values,
                      frozenset(after_volatile))
        return Program(tree, tuple(self.diagnostics), self.context, tuple(self.files),
                       self.root or document.source.directory, tuple(self.modules), links)

    def _check_depth(self, root: Element) -> None:
        """Stop when included files nest elements deeper than the `max_depth` limit.

        Each file was checked when it was parsed; here an included file's elements count from
        the depth of its `<include>`. An implicit root (a document without `<poml>`) does not count.
        """
        limit = limits.current().max_depth
        stack = [(root, 0 if root.name_span is None else 1)]
        while stack:
            element, depth = stack.pop()
            if depth > limit:
                self.diagnostics.append(too_deep(element.tag, element.name_span or element.span, depth, "compile"))
                raise PMLCompileError(self.diagnostics)
            stack.extend((child, depth + 1) for child in reversed(element.children) if isinstance(child, Element))

    def _problem(self, message: str, span: Span | None, hint: str | None = None, *,
                 severity: Severity = "error", code: str = "compile") -> None:
        self.diagnostics.append(Diagnostic(severity, message, span, hint, code))

    def _file_problem(self, problem: files.FileProblem, what: str, src: str, source: Source, root: Path,
                      where: Span) -> None:
        message, hint = files.explain(problem, what, src, source.name, source.directory, root)
        self._problem(message, where, hint)

    @staticmethod
    def _file_key(source: Source) -> str:
        return str(source.path) if source.path is not None else f"<{id(source)}>"

    # ----------------------------------------------------------------- includes
    def _inline_includes(self, element: Element, source: Source, chain: tuple[str, ...], depth: int = 1) -> Element:
        # `depth` is the element's depth in the document with its includes; past the limit the
        # walk stops (`_check_depth` reports it), so that it never recurses without bound.
        if depth > limits.current().max_depth:
            return element
        children: list[Any] = []
        changed = False
        for child in element.children:
            if isinstance(child, Element) and child.key in ("include", "import"):
                changed = True
                children.append(self._include(child, source, chain, depth + 1))
            elif isinstance(child, Element):
                new = self._inline_includes(child, source, chain, depth + 1)
                changed = changed or new is not child
                children.append(new)
            else:
                children.append(child)
        if not changed:
            return element
        return Element(element.tag, element.attributes, tuple(children), element.span, element.name_span)

    def _include(self, element: Element, source: Source, chain: tuple[str, ...], depth: int = 1) -> Element:
        """An `<include>` holds the included file's content; an `<import>` its `<schema>`s."""
        kind = element.key
        src = element.attribute("src")
        if src is None or not src.is_static or not src.text.strip():
            self._problem(f"`<{element.tag}>` needs a literal `src` path",
                          (src.value_span or src.span) if src is not None else element.span,
                          f'write `<{element.tag} src="other.pml"/>`')
            return Element(kind, element.attributes, (), element.span, element.name_span)
        written = src.text.strip()
        where = src.value_span or src.span
        folder = self.root or source.directory
        what = f"{_DONE[kind]} file"
        try:
            path = files.resolve_under(source.directory, written, folder)
        except files.FileProblem as problem:
            self._file_problem(problem, what, written, source, folder, where)
            return Element(kind, element.attributes, (), element.span, element.name_span)
        key = str(path)
        display = files.shown(source.name, written)
        if len(chain) > limits.current().max_include_depth:
            self._problem(f"{kind}s nest more than {limits.current().max_include_depth} files deep", src.span,
                          limit_hint("max_include_depth", "include fewer files inside one another"))
            return Element(kind, element.attributes, (), element.span, element.name_span)
        if key in chain:
            cycle = " → ".join([*self._names, display])
            self._problem(f"{kind} cycle: {cycle}", src.span, f"remove one of the {kind}s in the chain")
            return Element(kind, element.attributes, (), element.span, element.name_span)
        try:
            data = files.read_file(path)
        except files.FileProblem as problem:
            self._file_problem(problem, what, written, source, folder, where)
            return Element(kind, element.attributes, (), element.span, element.name_span)
        try:
            included = parse_source(decode(data, display, path))  # bad bytes are located in the included file
        except PMLError as exc:
            self.diagnostics.extend(exc.diagnostics)
            return Element(kind, element.attributes, (), element.span, element.name_span)
        self.files.append(path)
        self._names.append(display)
        root = self._inline_includes(included.root, included.source, (*chain, key), depth)
        self._names.pop()
        body: Sequence[Any] = root.children if root.key in ("poml", "pml") else (root,)
        if kind == "import":
            body = self._schemas(body, display)
        return Element(kind, element.attributes, tuple(body), element.span, element.name_span)

    def _schemas(self, body: Sequence[Any], display: str) -> list[Any]:
        """What an imported file contributes: its `<schema>`s and `<import>`s."""
        kept: list[Any] = []
        for child in body:
            if isinstance(child, Element) and child.key in ("schema", "import"):
                kept.append(child)
            elif isinstance(child, Element) and child.key not in STYLE_TAGS:
                self._problem(f"`<{child.tag}>` in an imported file is not used: an import brings in only "
                              f"`<schema>`s", child.name_span or child.span,
                              f"move it into a module of a schema in {display}, or `<include>` the file instead",
                              severity="warning", code="import")
            elif isinstance(child, Text) and child.value.strip():
                self._problem("text in an imported file is not used: an import brings in only `<schema>`s",
                              child.span, "move it into a module", severity="warning", code="import")
        return kept


    # ----------------------------------------------------------------- stylesheets
    def _collect_styles(self, root: Element, source: Source, sheets: list[Stylesheet]) -> Element:
        kept: list[Any] = []
        for child in root.children:
            if isinstance(child, Element) and child.key in STYLE_TAGS:
                sheet = self._element_sheet(child)
                if sheet is not None:
                    sheets.append(sheet)
                continue
            if isinstance(child, Element) and child.key == "context":
                self._context(child)
                continue
            kept.append(child)
        if len(kept) == len(root.children):
            return root
        return Element(root.tag, root.attributes, tuple(kept), root.span, root.name_span)

    def _body_text(self, element: Element) -> tuple[str, int]:
        text = "".join(c.value for c in element.children if isinstance(c, Text))
        first = next((c for c in element.children if isinstance(c, Text)), None)
        offset = first.span.start if first is not None else element.span.start
        for child in element.children:
            if isinstance(child, (Element, Expr)):
                self._problem(f"`<{element.tag}>` takes plain text only", child.span)
        return text, offset

    def _element_sheet(self, element: Element) -> Stylesheet | None:
        text, offset = self._body_text(element)
        source = element.span.source
        if element.key == "style" or not text.strip().startswith("{"):
            return parse_css(text, source, offset, origin=ORIGIN_DOCUMENT)
        return parse_json_stylesheet(text, source, offset, origin=ORIGIN_DOCUMENT)

    def _context(self, element: Element) -> None:
        text, offset = self._body_text(element)
        try:
            data = json.loads(text) if text.strip() else {}
        except json.JSONDecodeError as exc:
            source = element.span.source
            self._problem(f"`<context>` is not valid JSON: {exc.msg}",
                          source.span(offset + exc.pos, offset + exc.pos + 1))
            return
        if not isinstance(data, dict):
            self._problem("`<context>` must hold a JSON object", element.span)
            return
        self.context.update(data)

    # ----------------------------------------------------------------- elements
    def _kind(self, tag: str) -> _Kind:
        """What the compile needs to know of a tag, worked out once per compile (`_Kind`)."""
        kind = self._kinds.get(tag)
        if kind is None:
            if normalize_name(tag) == "include":
                kind = _Kind(None, True, (), False, False, EMPTY, 0, False)
            else:
                component = REGISTRY.lookup(tag)
                if component is None:
                    kind = _Kind(None, False, (), True, False, EMPTY, 0, False)
                else:
                    required = tuple(spec for spec in component.attrs.values() if spec.required)
                    special = component.name in _SPECIAL or component.check is not None
                    extra = bool(required) or component.name == "Let" or component.name in HOSTS
                    kind = _Kind(component, False, required, special, extra, component.defaults,
                                 component.default_size, not special and not extra)
            self._kinds[tag] = kind
        return kind

    def _admit(self, element: Element, kind: _Kind) -> bool:
        """Whether an element of a tag that needs a look (`_Kind.special`, or any tag while components
        are turned off) is compiled: not when its tag is unknown or turned off. Reads a `<meta>` and
        runs a component's own check."""
        component = kind.component
        if component is None:
            if not kind.include:
                self._unknown_tag(element, None)
                return False
            return True
        off = self.disabled.get(component.name)
        if off is not None:
            self._unknown_tag(element, off)
            return False
        if kind.special:
            if component.name == "Meta":
                self.diagnostics.extend(read_meta(element, self.disabled))
            if component.name in MODULE_KINDS:
                self._modular = True
            if component.check is not None:
                self.diagnostics.extend(component.check(element))
        return True

    def _compile_element(self, element: Element, parent: int) -> CNode | None:
        """Compile an element and what it holds; `parent` is the number of its parent's path in the
        cascade (`Cascade.visit`)."""
        kind = self._kinds.get(element.tag) or self._kind(element.tag)
        if (kind.special or self.disabled) and not self._admit(element, kind):
            return None
        index = self._count
        self._count = index + 1
        static: Mapping[str, Any]
        dynamic: Mapping[str, DynamicAttr]
        if element.attributes:
            number, style = self._cascade.visit(element, parent)
            static, dynamic, loop, cond, written = self._attributes(element, kind.component, style)
        else:
            known = self._plain_paths.get((parent, element.tag))
            number, style = known if known is not None else self._cascade.visit(element, parent)
            if style is None:  # (the common case)
                static = dynamic = EMPTY
                loop, cond, written = None, None, _NO_NAMES
            else:
                static, dynamic, loop, cond, written = self._attributes(element, kind.component, style)
        expander = self._expander
        expanded = self._extras(element, kind, index, static, dynamic) if kind.extra else EMPTY
        children: list[CNode | TextPiece | ExprPiece] = []
        pieces, kinds, plain_paths = self._pieces, self._kinds, self._plain_paths
        authored = 0  # the characters of its text pieces
        if expander is not None:
            self._path.append(element)
        for child in element.children:
            if type(child) is Text:  # (node classes have no subclasses)
                value = child.value
                piece = pieces.get(value)
                if piece is None:
                    piece = pieces[value] = _new_object(TextPiece)
                    _set_piece_value(piece, value)
                children.append(piece)
                authored += len(value)
            elif type(child) is Element:
                # A leaf (no attributes, one text or none) of a plain tag that no rule styles on this path:
                # compiled here, without a call (the most common element by far).
                grand = child.children
                if not child.attributes and (not grand or (len(grand) == 1 and type(grand[0]) is Text)) and \
                        expander is None and not self.disabled:
                    leaf = kinds.get(child.tag)
                    known = plain_paths.get((number, child.tag))
                    if leaf is not None and leaf.plain and known is not None and known[1] is None:
                        leaf_index = self._count
                        self._count = leaf_index + 1
                        leaf_size = 0
                        held: tuple[TextPiece, ...] = ()
                        if grand:
                            only = grand[0]
                            assert type(only) is Text
                            value = only.value
                            piece = pieces.get(value)
                            if piece is None:
                                piece = pieces[value] = _new_object(TextPiece)
                                _set_piece_value(piece, value)
                            held = (piece,)
                            leaf_size = len(value)
                        children.append(_new_node(CNode, (child, leaf.component, EMPTY, EMPTY, held, None, None,
                                                          _NO_NAMES, leaf_index, None, EMPTY, leaf.defaults,
                                                          leaf.default_size, leaf_size)))
                        continue
                compiled = self._compile_element(child, number)
                if compiled is not None:
                    children.append(compiled)
            elif type(child) is Expr:
                expression = self._expression(child.code, child.span)
                if expression is not None:
                    children.append(ExprPiece(expression))
        if expander is not None:
            self._path.pop()
        if not static and not dynamic:  # (the common case, without a call)
            base, text_size = kind.defaults, kind.default_size
        else:
            base, text_size = base_of(kind.component, static, dynamic)
        # `CNode(…)` in the order of its fields, without the call of a named tuple's `__new__`.
        return _new_node(CNode, (element, kind.component, static, dynamic, tuple(children), loop, cond, written,
                                 index, style, expanded, base, text_size, authored))

    def _extras(self, element: Element, kind: _Kind, index: int, static: Mapping[str, Any],
                dynamic: Mapping[str, DynamicAttr]) -> Mapping[str, Mapping[str, Any]]:
        """For a tag that needs more (`_Kind.extra`): the styles of what a host expands into (returned),
        the attributes it requires, and the `value` of a `<let>`."""
        component = kind.component
        assert component is not None
        expanded: Mapping[str, Mapping[str, Any]] = EMPTY
        if self._expander is not None and component.name in HOSTS:
            expanded = self._expander.styles([*self._path, element], self._style_warning)
        for spec in kind.required:
            if spec.name not in static and spec.name not in dynamic:
                self._problem(f"`<{element.tag}>` needs the attribute `{spec.name}`",
                              element.name_span or element.span, f'add {spec.name}="…"')
        if component.name == "Let":
            if "value" in static and "value" not in dynamic:
                self._let_value(index, element, static["value"])
            if static.get("volatile"):
                self._volatile = True
        return expanded

    def _unknown_tag(self, element: Element, off: Span | None) -> None:
        hint = suggest(element.tag, REGISTRY.tag_names(), quote="`<", end=">`")
        if off is not None:
            hint = f"`<meta components>` at {off.line}:{off.column} turned it off"
        self._problem(f"unknown tag `<{element.tag}>`", element.name_span or element.span,
                      hint or "see docs/language.md for the list of components")

    def _attributes(self, element: Element, component: Component | None, style: ComputedStyle | None
                    ) -> tuple[Mapping[str, Any], Mapping[str, DynamicAttr], Loop | None, Expression | None,
                               frozenset[str]]:
        """An element's static and dynamic attributes (its styles and what is written on it), its
        `for` and `if`, and the names written on it."""
        static: dict[str, Any] = {}
        dynamic: dict[str, DynamicAttr] = {}
        loop: Loop | None = None
        cond: Expression | None = None
        written: set[str] = set()
        if style is not None and style.normal:
            static.update(self._styled(component, style.normal, style))
        for attr in element.attributes:
            known = self._specs.get((element.tag, attr.name))
            if known is None:
                known = self._specs[(element.tag, attr.name)] = self._spec(component, attr.name)
            key, spec = known
            if key == "for":
                loop = self._for(attr)
                continue
            if key == "if":
                cond = self._if(attr)
                continue
            if spec is None and component is not None and not component.open_attrs:
                hint = suggest(attr.name, [a.name for a in component.all_attrs().values()])
                self._problem(f"unknown attribute `{attr.name}` on `<{element.tag}>`", attr.span,
                              hint or _accepted(element.tag, component),
                              severity="warning", code="attribute")
            name = spec.name if spec else attr.name
            written.add(name)
            parts = attr.parts
            if len(parts) == 1 and type(parts[0]) is Text:  # (the usual static value, without a call)
                self._set_static(spec, name, parts[0].value, static, attr.value_span or attr.span)
                dynamic.pop(name, None)
            elif attr.is_static:
                self._set_static(spec, name, attr.text, static, attr.value_span or attr.span)
                dynamic.pop(name, None)
            else:
                if spec is not None and spec.literal:
                    self._problem(f"`{spec.name}` of `<{element.tag}>` is read while compiling, so it cannot use "
                                  "`{{ }}`", attr.value_span or attr.span,
                                  f'write {spec.name}="…" as it is; choose between elements with `if`')
                static.pop(name, None)
                dynamic[name] = self._dynamic(attr, spec)
        if style is not None and style.important:
            static.update(self._styled(component, style.important, style))
            for name in style.important:
                dynamic.pop(name, None)
        return static or EMPTY, dynamic or EMPTY, loop, cond, frozenset(written) if written else _NO_NAMES

    @staticmethod
    def _spec(component: Component | None, name: str) -> tuple[str, Attr | None]:
        """An attribute name's key, and the component's attribute it names (None: an unknown name)."""
        return normalize_name(name), component.attr(name) if component else None

    def _styled(self, component: Component | None, values: dict[str, Any], style: ComputedStyle) -> dict[str, Any]:
        """Styled values (`style.normal` or `style.important`) coerced to a component's attributes; a value
        that does not fit is left out with a warning. Elements share cascaded styles, so the values are
        coerced once for each component, unless one did not fit (then each element is warned)."""
        key = (id(values), component.name if component is not None else None)
        known = self._styled_values.get(key)
        if known is not None:
            return known[0]
        out: dict[str, Any] = {}
        fits = True
        for name, value in values.items():
            spec = component.attr(name) if component else None
            if spec is None:
                out[name] = value
                continue
            try:
                out[spec.name] = spec.coerce(value)
            except CoercionError as exc:
                fits = False
                self._problem(str(exc), style.sources.get(name), exc.hint, severity="warning", code="style")
        if fits:
            self._styled_values[key] = (out, values)  # (the values are kept, so that their id is not reused)
        return out

    def _let_value(self, index: int, element: Element, value: Any) -> None:
        """The `value` of a `<let>` written as plain text (`value="a + 1"`) is an expression: compiled
        here, once. One that does not compile is reported when it is rendered."""
        attr = element.attribute("value")
        span = (attr.value_span or attr.span) if attr is not None else element.span
        try:
            self._let_values[index] = compile_expression(str(value), span)
        except PMLError:
            pass

    def _style_warning(self, exc: CoercionError, span: Span | None) -> None:
        self._problem(str(exc), span, exc.hint, severity="warning", code="style")

    def _set_static(self, spec: Attr | None, name: str, value: Any, target: dict[str, Any], span: Span | None) -> None:
        """A written value, coerced to its attribute's type (an error where it does not fit)."""
        if spec is None:
            target[name] = value
            return
        try:
            if spec.type == "string" and type(value) is str:  # (what `coerce` makes of it, without its calls)
                target[spec.name] = value
            elif spec.type in _SCALAR_TYPES:  # (a value of these is immutable: one written text, one value)
                key = (id(spec), value)
                known = self._coerced.get(key)
                if known is None:
                    known = self._coerced[key] = (spec.coerce(value), spec)  # (the spec kept: its id stays its own)
                target[spec.name] = known[0]
            else:
                target[spec.name] = spec.coerce(value)
        except CoercionError as exc:
            self._problem(str(exc), span, exc.hint)

    def _expression(self, code: str, span: Span, *, condition: bool = False) -> Expression | None:
        try:
            return compile_expression(code, span, condition=condition)
        except PMLError as exc:
            self.diagnostics.extend(exc.diagnostics)
            return None

    def _for(self, attr: Attribute) -> Loop | None:
        text = attr.raw.strip()
        span = attr.value_span or attr.span
        if text.startswith("{{") and text.endswith("}}"):
            text = text[2:-2]
        try:
            return Loop(*parse_for(text, span))
        except PMLError as exc:
            self.diagnostics.extend(exc.diagnostics)
            return None

    def _if(self, attr: Attribute) -> Expression | None:
        single = attr.single_expression
        if single is not None:
            return self._expression(single.code, single.span, condition=True)
        if not attr.is_static:
            self._problem("`if` takes one expression", attr.span, 'write `if="count > 0"`')
            return None
        return self._expression(attr.text, attr.value_span or attr.span, condition=True)

    def _dynamic(self, attr: Attribute, spec: Attr | None) -> DynamicAttr:
        parts: list[str | Expression] = []
        for part in attr.parts:
            if isinstance(part, Text):
                parts.append(part.value)
            else:
                expression = self._expression(part.code, part.span)
                if expression is not None:
                    parts.append(expression)
        single = parts[0] if len(parts) == 1 and isinstance(parts[0], Expression) else None
        return DynamicAttr(spec, tuple(parts), single)


_DONE = {"include": "included", "import": "imported"}


def _accepted(tag: str, component: Component) -> str:
    own = sorted(a.name for a in component.attrs.values())
    common = "the common attributes (speaker, syntax, className, whiteSpace, …)"
    if not own:
        return f"`<{tag}>` takes only {common}"
    return f"`<{tag}>` takes {', '.join(own)}, and {common}"


def _empty_root(element: Element) -> CNode:
    return CNode.build(element, REGISTRY.lookup("poml"), {}, {}, (), index=0)
