"""Document symbols: the element tree as an outline.

Each element is a symbol named by its tag, followed by its `name` or `caption` attribute when it
has a literal one (`module policy`, `cp Policy`), else by its `module` or `src` (`use lib.policy`,
`include part.pml`); its range is the whole element and its selection range the tag name. The
root `<poml>` that the parser adds around a document written without one is left out (its
children are the top level).
"""

from __future__ import annotations

from lsprotocol import types

from pml.lsp.analysis import Analysis
from pml.lsp.position import LineIndex, line_index
from pml.lsp.vocabulary import lookup_tag
from pml.registry import Component
from pml.syntax.nodes import Element

_KINDS = {
    "schema": types.SymbolKind.Namespace,
    "module": types.SymbolKind.Module,
    "union": types.SymbolKind.Enum,
    "param": types.SymbolKind.TypeParameter,
    "let": types.SymbolKind.Variable,
    "import": types.SymbolKind.Package,
    "include": types.SymbolKind.File,
    "use": types.SymbolKind.Module,
    "tooldefinition": types.SymbolKind.Function,
    "tooldef": types.SymbolKind.Function,
    "tool": types.SymbolKind.Function,
    "style": types.SymbolKind.Object,
    "stylesheet": types.SymbolKind.Object,
}


def symbols(analysis: Analysis) -> list[types.DocumentSymbol]:
    """The outline of an analyzed document (empty when the markup does not parse)."""
    document = analysis.document
    if document is None:
        return []
    index = line_index(analysis.text)
    root = document.root
    if root.name_span is None:
        return [_symbol(c, index) for c in root.children if isinstance(c, Element)]
    return [_symbol(root, index)]


def symbol_name(element: Element) -> str:
    """`tag`, or `tag name` / `tag caption` when the element has a literal name or caption."""
    for key in ("name", "caption", "module", "src"):
        attr = element.attribute(key)
        if attr is not None and attr.is_static and attr.text.strip():
            return f"{element.tag} {attr.text.strip()}"
    return element.tag


def _symbol(element: Element, index: LineIndex) -> types.DocumentSymbol:
    found = lookup_tag(element.tag)
    name_span = element.name_span or element.span
    return types.DocumentSymbol(
        name=symbol_name(element),
        detail=found.name if isinstance(found, Component) else None,
        kind=_KINDS.get(element.key, types.SymbolKind.Struct),
        range=index.range(element.span.start, element.span.end),
        selection_range=index.range(name_span.start, name_span.end),
        children=[_symbol(c, index) for c in element.children if isinstance(c, Element)],
    )
