"""Go to definition: from a `src="…"` to its file, from `<use module="…">` to the `<module>`.

A `src` of any element (`<include>`, `<import>`, `<document>`, `<img>`, `<let>`, …) resolves
against the document's folder, as the compiler resolves it; only files that exist under the
document's root (`pml.lsp.access`) are targets, so a definition never points outside it.
A `<use module>` goes to the name of the module definition it places: resolved by the compile
of the current text when it compiled (so nested `<use>`s, which pick modules inside the one
placed, resolve too), else by the module names of the last compile that succeeded.
"""

from __future__ import annotations

from lsprotocol import types

from pml.compile.modules import ModuleDef
from pml.lsp import cursor
from pml.lsp.analysis import Analysis, Documents, path_uri
from pml.lsp.position import ORIGIN, span_range
from pml.syntax.nodes import normalize_name


def definition(analysis: Analysis, offset: int, documents: Documents) -> list[types.Location]:
    """Where what is at `offset` is defined (an empty list when nothing is)."""
    if analysis.is_stylesheet:
        return []
    found = cursor.at(analysis.text, offset, analysis.document)
    if found.kind != "value" or not found.attr:
        return []
    name = normalize_name(found.attr)
    if name == "src":
        return _file(analysis, found.text)
    if name == "module" and found.tag and normalize_name(found.tag) == "use":
        mdef = _module(analysis, found, documents)
        return [_module_location(analysis, mdef)] if mdef is not None else []
    return []


def _file(analysis: Analysis, value: str) -> list[types.Location]:
    value = value.strip()
    if not value or "{{" in value:
        return []
    path = analysis.resolve(value)
    try:
        if path is None or not path.is_file():
            return []
    except OSError:
        return []
    return [types.Location(uri=path_uri(path), range=ORIGIN)]


def _module(analysis: Analysis, found: cursor.Cursor, documents: Documents) -> ModuleDef | None:
    if found.element is not None:
        node = analysis.compiled(found.element)
        used = analysis.prompt.program.links.uses.get(node.index) if node is not None and analysis.prompt else None
        if used is not None:
            return used
    scope = documents.scope(analysis.uri)
    return scope.lookup(found.text) if scope is not None else None


def _module_location(analysis: Analysis, mdef: ModuleDef) -> types.Location:
    element = mdef.node.element
    name = element.attribute("name")
    span = (name.value_span or name.span) if name is not None else (element.name_span or element.span)
    source = span.source
    uri = analysis.uri_of(source) or (path_uri(source.path) if source.path is not None else analysis.uri)
    return types.Location(uri=uri, range=span_range(span))

