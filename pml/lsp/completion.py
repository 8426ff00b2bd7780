"""Completion: what may be written where the cursor is.

- after `<`: every tag (registered components, their other names, and the compiler's own tags);
- after `</`: the name of the innermost element still open;
- inside a tag: its attributes and the common ones, minus those already written (and, on
  `<use module="…">`, the params of that module);
- inside a value: the choices of an enum attribute (`syntax`, `speaker`, `listStyle`…),
  `true`/`false` for a boolean, module names in `<use module="…">`, variables in `for`/`if`;
- inside `{{ }}`: the keys of the `NAME.context.json` beside the file (nested keys after `.`),
  `<let>` names and the loop variables around the cursor;
- inside `<style>` or a `.pss` file: style properties, their values, and tag names for selectors.

Module names are those the document can use (`pml.compile.modules.Scope`) in its last compile that
succeeded, since a `<use>` being typed does not compile.
"""

from __future__ import annotations

import json
import re
from typing import Any

from lsprotocol import types

from pml.compile.modules import ModuleDef
from pml.lsp import cursor, vocabulary
from pml.lsp.analysis import Analysis, Documents
from pml.lsp.position import line_index
from pml.registry import REGISTRY, Attr, Component
from pml.syntax import lexicon
from pml.syntax.explain import open_tags_in
from pml.syntax.nodes import Element, normalize_name

_DOTTED = re.compile(r"([A-Za-z_]\w*(?:\s*\.\s*[A-Za-z_]\w*)*)\s*\.\s*(\w*)$")
_IDENT = re.compile(r"(\w*)$")
_LOOP = re.compile(rf"^\s*(?:{re.escape(lexicon.EXPRESSION_OPEN)})?\s*([A-Za-z_]\w*)\s+in\s+(.+?)\s*"
                   rf"(?:{re.escape(lexicon.EXPRESSION_CLOSE)})?\s*$", re.S)
_MODULE_VALUE = re.compile(lexicon.loose_attribute_value("module"))


def complete(analysis: Analysis, offset: int, documents: Documents) -> list[types.CompletionItem]:
    """The completion items at `offset` of an analyzed document."""
    found = cursor.before(analysis.text, offset, stylesheet=analysis.is_stylesheet)
    edit = line_index(analysis.text).range(found.start, offset)
    if found.kind == "tag":
        return _tag_items(analysis.text, found, edit)
    if found.kind == "close_tag":
        return _close_items(analysis.text, found, edit)
    if found.kind == "attribute":
        return _attribute_items(analysis, found, offset, edit, documents)
    if found.kind == "value":
        return _value_items(analysis, found, offset, edit, documents)
    if found.kind == "expression":
        return _expression_items(analysis, found.text, offset)
    if found.kind == "style_property":
        return [_property_item(name, edit) for name in vocabulary.style_properties()]
    if found.kind == "style_value" and found.attr:
        attr = REGISTRY.find_attr(found.attr)
        return _choice_items(attr, edit) if attr is not None else []
    if found.kind == "style_selector":
        return [types.CompletionItem(label=c.tags[0], kind=types.CompletionItemKind.Class, detail=c.name,
                                     text_edit=types.TextEdit(range=edit, new_text=c.tags[0]))
                for c in REGISTRY]
    return []


def _markdown(text: str | None) -> types.MarkupContent | None:
    return types.MarkupContent(kind=types.MarkupKind.Markdown, value=text) if text else None


# Tags that are only valid inside certain elements, elements that hold only certain tags, and the
# tags an element usually holds (offered first).
ONLY_INSIDE = {"param": {"module"}, "module": {"schema", "module", "union"}, "union": {"schema", "module"},
               "item": {"list"}}
ROOTS = {"poml", "pml"}
TOP_LEVEL = {"schema", "import"}
ONLY_HOLDS = {"union": {"module"}}
USUAL = {"list": {"item"}, "examples": {"example"}, "example": {"input", "output"}, "schema": {"module", "union"},
         "module": {"param", "module", "union", "use"}, "union": {"module"}, "use": {"use"}, "conversation": {"msg"}}


def _tag_items(text: str, found: cursor.Cursor, edit: types.Range) -> list[types.CompletionItem]:
    """The tags valid where the cursor is, those the enclosing element usually holds first."""
    still_open, _ = open_tags_in(text[: max(found.start - 1, 0)])
    parent = normalize_name(still_open[-1][0]) if still_open else None
    items = []
    for tag, _ in vocabulary.tag_names():
        key = normalize_name(tag)
        allowed = ONLY_INSIDE.get(key)
        if allowed is not None and parent not in allowed:
            continue
        if key in TOP_LEVEL and parent is not None and parent not in ROOTS:
            continue
        if parent in ONLY_HOLDS and key not in ONLY_HOLDS[parent]:
            continue
        items.append(_tag_item(tag, edit, ("0" if key in USUAL.get(parent or "", ()) else "1") + tag))
    return items


def _tag_item(tag: str, edit: types.Range, sort_text: str | None = None) -> types.CompletionItem:
    found = vocabulary.lookup_tag(tag)
    detail = found.name if isinstance(found, Component) else "built in"
    return types.CompletionItem(
        label=tag, kind=types.CompletionItemKind.Class, detail=detail, sort_text=sort_text,
        documentation=_markdown(vocabulary.tag_markdown(tag)),
        text_edit=types.TextEdit(range=edit, new_text=tag))


def _close_items(text: str, found: cursor.Cursor, edit: types.Range) -> list[types.CompletionItem]:
    still_open, _ = open_tags_in(text[: found.start - 2])
    if not still_open:
        return []
    name = still_open[-1][0]
    closes = text[found.end : found.end + 1] == lexicon.TAG_CLOSE
    return [types.CompletionItem(
        label=name, kind=types.CompletionItemKind.Class, detail=f"close <{name}>",
        text_edit=types.TextEdit(range=edit, new_text=name if closes else name + ">"))]


def _attribute_items(analysis: Analysis, found: cursor.Cursor, offset: int, edit: types.Range,
                     documents: Documents) -> list[types.CompletionItem]:
    written = {normalize_name(n) for n in found.written}
    items = []
    for attr in vocabulary.attributes_of(found.tag):
        if normalize_name(attr.name) in written:
            continue
        items.append(types.CompletionItem(
            label=attr.name, kind=types.CompletionItemKind.Property, detail=vocabulary.type_of(attr),
            documentation=_markdown(vocabulary.attribute_markdown(found.tag, attr.name)),
            insert_text_format=types.InsertTextFormat.Snippet,
            text_edit=types.TextEdit(range=edit, new_text=f'{attr.name}="$1"')))
    if found.tag and normalize_name(found.tag) == "use":
        mdef = _used_module(analysis, found, offset, documents)
        if mdef is not None:
            for param in mdef.chain().values():
                if normalize_name(param.name) in written:
                    continue
                detail = "required param" if param.required else f"param, default {json.dumps(param.default)}"
                items.append(types.CompletionItem(
                    label=param.name, kind=types.CompletionItemKind.Variable, detail=detail,
                    documentation=_markdown(f"A param of module `{mdef.qualified}`."),
                    insert_text_format=types.InsertTextFormat.Snippet,
                    text_edit=types.TextEdit(range=edit, new_text=f'{param.name}="$1"')))
    return items


def _used_module(analysis: Analysis, found: cursor.Cursor, offset: int, documents: Documents) -> ModuleDef | None:
    """The module named by the `module="…"` of the `<use>` tag the cursor is in."""
    start = analysis.text.rfind(lexicon.TAG_OPEN, 0, offset)
    end = analysis.text.find(lexicon.TAG_CLOSE, offset)
    tag_text = analysis.text[start : end if end != -1 else len(analysis.text)]
    named = _MODULE_VALUE.search(tag_text)
    scope = documents.scope(analysis.uri)
    if named is None or scope is None:
        return None
    return scope.lookup(named.group(1))


def _choice_items(attr: Attr, edit: types.Range) -> list[types.CompletionItem]:
    choices: tuple[str, ...] = attr.choices if attr.type == "enum" else ("true", "false") \
        if attr.type == "boolean" else ()
    return [types.CompletionItem(label=choice, kind=types.CompletionItemKind.EnumMember, detail=attr.name,
                                 documentation=_markdown(attr.doc),
                                 text_edit=types.TextEdit(range=edit, new_text=choice))
            for choice in choices]


def _value_items(analysis: Analysis, found: cursor.Cursor, offset: int, edit: types.Range,
                 documents: Documents) -> list[types.CompletionItem]:
    name = normalize_name(found.attr or "")
    if found.tag and normalize_name(found.tag) == "use" and name == "module":
        return _module_items(analysis, edit, documents)
    if name in ("for", "if"):
        return _expression_items(analysis, found.text, offset)
    attr = vocabulary.attribute(found.tag, found.attr or "")
    return _choice_items(attr, edit) if attr is not None else []


def _module_items(analysis: Analysis, edit: types.Range, documents: Documents) -> list[types.CompletionItem]:
    scope = documents.scope(analysis.uri)
    if scope is None:
        return []
    items = []
    for name in sorted(dict.fromkeys(scope.spelled)):
        mdef = scope.lookup(name)
        if mdef is None:
            continue
        params = ", ".join(f"`{p.name}`" + ("" if p.required else " (optional)") for p in mdef.chain().values())
        where = mdef.span.source.name
        doc = (f"{'Cached module' if mdef.cached else 'Module'} `{mdef.qualified}`, defined in {where} at "
               f"line {mdef.span.line}.\n\nParams: {params or 'none'}")
        items.append(types.CompletionItem(
            label=name, kind=types.CompletionItemKind.Module,
            detail=("cached module " if mdef.cached else "module ") + mdef.qualified,
            documentation=_markdown(doc), text_edit=types.TextEdit(range=edit, new_text=name)))
    return items


# ---------------------------------------------------------------- variables
def _expression_items(analysis: Analysis, typed: str, offset: int) -> list[types.CompletionItem]:
    variables = _variables(analysis, offset)
    dotted = _DOTTED.search(typed)
    if dotted is not None:
        value: Any = variables
        for part in re.split(r"\s*\.\s*", dotted.group(1)):
            value = _member(value, part)
        fields = value if isinstance(value, dict) else _member(value, "") if isinstance(value, list) else None
        if not isinstance(fields, dict):
            return []
        return [_variable_item(key, item, types.CompletionItemKind.Field) for key, item in fields.items()]
    return [_variable_item(key, item, types.CompletionItemKind.Variable) for key, item in variables.items()]


def _member(value: Any, name: str) -> Any:
    """`value.name` in the context's data: a key of an object, or of a list's first object."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        return value.get(name) if name else value
    return None


class _Unknown:
    """A variable whose value the editor cannot know (a `<let>` or a loop over unknown data)."""


_UNKNOWN = _Unknown()


def _variables(analysis: Analysis, offset: int) -> dict[str, Any]:
    """The variables in scope at `offset`: the context file's keys, `<let>` names, loop variables."""
    variables: dict[str, Any] = dict(analysis.context())
    document = analysis.document
    if document is None:
        return variables
    for node in document.walk():
        if isinstance(node, Element) and node.key == "let":
            name = node.attribute("name")
            if name is not None and name.is_static and name.text.strip() and name.text.strip() not in variables:
                variables[name.text.strip()] = _UNKNOWN
    for element in _enclosing(document.root, offset):
        loop = element.attribute("for")
        found = _LOOP.match(loop.raw) if loop is not None else None
        if found is None:
            continue
        items: Any = variables
        for part in re.split(r"\s*\.\s*", found.group(2).strip()):
            items = _member(items, part) if re.fullmatch(r"[A-Za-z_]\w*", part) else None
        variables[found.group(1)] = items[0] if isinstance(items, list) and items else _UNKNOWN
        variables.setdefault("loop", {"index": 0, "length": 0, "first": True, "last": True})
    return variables


def _enclosing(root: Element, offset: int) -> list[Element]:
    chain = []
    current: Element | None = root
    while current is not None:
        chain.append(current)
        current = next((c for c in current.children if isinstance(c, Element)
                        and c.span.start <= offset <= c.span.end), None)
    return chain


def _variable_item(name: str, value: Any, kind: types.CompletionItemKind) -> types.CompletionItem:
    if isinstance(value, _Unknown):
        return types.CompletionItem(label=name, kind=kind, detail="variable")
    kinds = {dict: "object", list: "array", str: "string", bool: "boolean", int: "number", float: "number"}
    shown = json.dumps(value, ensure_ascii=False)
    if len(shown) > 300:
        shown = shown[:300] + "…"
    return types.CompletionItem(label=name, kind=kind, detail=kinds.get(type(value), "null"),
                                documentation=_markdown(f"```json\n{shown}\n```"))


def _property_item(name: str, edit: types.Range) -> types.CompletionItem:
    return types.CompletionItem(
        label=name, kind=types.CompletionItemKind.Property,
        documentation=_markdown(vocabulary.property_markdown(name)),
        text_edit=types.TextEdit(range=edit, new_text=f"{name}: "))
