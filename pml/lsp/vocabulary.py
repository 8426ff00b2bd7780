"""What the component registry says about tags, attributes and style properties, as Markdown.

Hover and completion both show it. Everything comes from `pml.registry.REGISTRY` (component
`doc`, attribute `doc`, type, choices, default) and `pml.style.properties` (the style properties);
the few tags the compiler handles itself (`<include>`, `<style>`, `<stylesheet>`, `<context>`)
are described here, in the words of docs/language.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from pml import components as _components  # noqa: F401  (registers the catalog)
from pml.registry import GLOBAL_ATTRS, REGISTRY, Attr, Component
from pml.style.properties import property_info, property_names
from pml.syntax.nodes import normalize_name


@dataclass(frozen=True, slots=True)
class Builtin:
    """A tag the compiler handles itself rather than a registered component."""

    tag: str
    doc: str
    attrs: tuple[Attr, ...] = ()


BUILTINS: dict[str, Builtin] = {normalize_name(b.tag): b for b in (
    Builtin("include", "The other file's content in place (its root's children), relative to the including file. "
            "`for` and `if` work on it. A cycle is an error that prints the chain.",
            (Attr("src", "string", "The file to include, relative to this file.", required=True),)),
    Builtin("style", "A stylesheet in CSS syntax for this document: `task { caption-style: bold; }`. Written at "
            "the top level of the document."),
    Builtin("stylesheet", "POML's JSON stylesheet, `{\"task\": {\"captionStyle\": \"bold\"}}`, meaning exactly "
            "its CSS translation. Written at the top level of the document."),
    Builtin("context", "JSON merged (deeply) over the context given to the render. Written at the top level of "
            "the document."),
)}


def tag_names() -> list[tuple[str, Component | Builtin]]:
    """Every name a tag may be written as, with what it is, in registry order."""
    out: list[tuple[str, Component | Builtin]] = []
    for component in REGISTRY:
        out.extend((tag, component) for tag in component.tags)
    out.extend((b.tag, b) for b in BUILTINS.values())
    return out


def lookup_tag(tag: str) -> Component | Builtin | None:
    return REGISTRY.lookup(tag) or BUILTINS.get(normalize_name(tag))


def attributes_of(tag: str | None) -> list[Attr]:
    """The attributes a tag takes: its own, then the common ones (one entry per attribute)."""
    found = lookup_tag(tag) if tag else None
    own: list[Attr] = []
    if isinstance(found, Component):
        own = list(found.attrs.values())
    elif isinstance(found, Builtin):
        own = list(found.attrs)
    seen = {normalize_name(a.name) for a in own}
    common = [a for key, a in GLOBAL_ATTRS.items() if key not in seen and key != "class"]
    return own + common


def attribute(tag: str | None, name: str) -> Attr | None:
    """The attribute `name` of `tag` (or, for an unknown tag, the attribute of that name anywhere)."""
    key = normalize_name(name)
    found = lookup_tag(tag) if tag else None
    if isinstance(found, Component):
        return found.attr(name)
    if isinstance(found, Builtin):
        return next((a for a in found.attrs if normalize_name(a.name) == key), None) or GLOBAL_ATTRS.get(key)
    return REGISTRY.find_attr(name)


def type_of(attr: Attr) -> str:
    """`dash | star | …` for an enum, else the type name."""
    if attr.choices:
        return " | ".join(attr.choices)
    return attr.type


def _default(attr: Attr) -> str | None:
    if attr.default is None:
        return None
    shown = str(attr.default).lower() if isinstance(attr.default, bool) else str(attr.default)
    return f"`{shown}`"


def tag_markdown(tag: str) -> str | None:
    """The hover text of a tag, or None for an unknown one."""
    found = lookup_tag(tag)
    if found is None:
        return None
    if isinstance(found, Builtin):
        lines = [f"**`<{found.tag}>`**", "", found.doc]
        if found.attrs:
            lines += ["", "Attributes: " + ", ".join(f"`{a.name}`" for a in found.attrs)]
        return "\n".join(lines)
    lines = [f"**`<{tag}>`** · {found.name}", "", found.doc]
    others = [t for t in found.tags if t != tag]
    if others:
        lines += ["", "Also written: " + ", ".join(f"`<{t}>`" for t in others)]
    if found.attrs:
        lines += ["", "Attributes: " + ", ".join(f"`{a.name}`" for a in found.attrs.values())]
    return "\n".join(lines)


def attribute_markdown(tag: str | None, name: str) -> str | None:
    """The hover text of an attribute of `tag`, or None when the tag does not take it."""
    attr = attribute(tag, name)
    if attr is None:
        return None
    found = lookup_tag(tag) if tag else None
    own = isinstance(found, Component) and normalize_name(name) in found.attrs
    own = own or (isinstance(found, Builtin) and any(normalize_name(a.name) == normalize_name(name)
                                                      for a in found.attrs))
    where = f"attribute of `<{tag}>`" if own else "common attribute"
    lines = [f"**`{attr.name}`** · {where} · `{type_of(attr)}`", ""]
    if attr.doc:
        lines += [attr.doc, ""]
    facts = []
    default = _default(attr)
    if default is not None:
        facts.append(f"Default: {default}.")
    if attr.required:
        facts.append("Required.")
    info = property_info(attr.name)
    if info is not None and info.styleable:
        facts.append(f"Style property: `{info.kebab}`.")
    if facts:
        lines.append(" ".join(facts))
    return "\n".join(lines).rstrip()


def property_markdown(name: str) -> str | None:
    """The hover text of a style property (kebab-case or camelCase), or None for an unknown one."""
    info = property_info(name)
    if info is None:
        return None
    attr = REGISTRY.find_attr(info.name)
    key = normalize_name(info.name)
    lines = [f"**`{info.kebab}`** · style property (attribute `{info.name}`)" +
             (f" · `{type_of(attr)}`" if attr is not None else ""), ""]
    if attr is not None and attr.doc:
        lines += [attr.doc, ""]
    if key in GLOBAL_ATTRS:
        lines.append("Applies to every element.")
    else:
        tags = [c.tags[0] for c in REGISTRY if key in c.attrs]
        lines.append("Applies to: " + ", ".join(f"`<{t}>`" for t in tags) + ".")
    if not info.styleable:
        lines.append("A stylesheet cannot set it.")
    if info.note:
        lines += ["", info.note]
    return "\n".join(lines)


def style_properties() -> list[str]:
    """The styleable property names in kebab-case, for completion."""
    return property_names(kebab=True)
