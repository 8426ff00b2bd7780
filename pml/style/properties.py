"""Style properties: which names a stylesheet may set, and what is known about each.

Every attribute of every registered component is a property, and so is every global attribute
(`pml.registry.GLOBAL_ATTRS`): a stylesheet only supplies default attribute values, as in POML.
A property may be spelt in kebab-case (`caption-style`, the CSS habit) or camelCase
(`captionStyle`, the markup habit); both mean the same property, whose canonical name is the
camelCase one. Like tag and attribute names, property names compare through
`pml.syntax.nodes.normalize_name`.

The property list follows the component registry, which fills up when `pml.components` is
imported; it is rebuilt whenever the registry has grown since it was last read.

Nothing is inherited by the cascade: a declaration applies to the elements its selector matches
and to no others. `syntax` and `speaker` still reach descendants, because the renderer passes a
subtree's syntax and speaker down; that is presentation, not cascade (see `_FACTS`).
"""

from __future__ import annotations

from dataclasses import dataclass

from pml.registry import GLOBAL_ATTRS, REGISTRY, Attr, camel_to_kebab
from pml.syntax.nodes import normalize_name


@dataclass(frozen=True, slots=True)
class PropertyInfo:
    """One style property. `name` is the canonical camelCase spelling."""

    name: str
    inherited: bool = False
    styleable: bool = True
    note: str = ""

    @property
    def kebab(self) -> str:
        return camel_to_kebab(self.name)


@dataclass(frozen=True, slots=True)
class _Facts:
    inherited: bool = False
    styleable: bool = True
    note: str = ""


_RENDERER_FLOWS = (
    "Not inherited through the cascade; the renderer passes it down to the element's "
    "descendants, so a rule on `task` changes the whole `<task>` subtree."
)
_SELECTOR_INPUT = "Read by selectors (`.class`, `#id`), so a stylesheet cannot set it."
_TEMPLATE_DIRECTIVE = "A template directive, evaluated before styles are computed."

# Facts that differ from the default (not inherited, styleable, no note), by canonical name.
_FACTS: dict[str, _Facts] = {
    "syntax": _Facts(note=_RENDERER_FLOWS),
    "speaker": _Facts(note=_RENDERER_FLOWS + " It also carries over to following siblings."),
    "className": _Facts(styleable=False, note=_SELECTOR_INPUT),
    "id": _Facts(styleable=False, note=_SELECTOR_INPUT),
    "for": _Facts(styleable=False, note=_TEMPLATE_DIRECTIVE),
    "if": _Facts(styleable=False, note=_TEMPLATE_DIRECTIVE),
}

_cache: dict[str, PropertyInfo] = {}
_cache_size = -1
# The attributes behind each property, by canonical name: filled on first use, emptied with `_cache`.
_attributes: dict[str, PropertyAttributes] = {}


@dataclass(frozen=True, slots=True)
class PropertyAttributes:
    """The attributes a property sets: every distinct one with its name (`attrs`), and the most
    permissive of them (`merged`: enum choices of every component merged), as the registry gives."""

    attrs: tuple[Attr, ...]
    merged: Attr | None


def _registry_size() -> int:
    return len(REGISTRY.tag_names())


def _build() -> dict[str, PropertyInfo]:
    names = set(REGISTRY.attribute_names())
    names.update(attr.name for attr in GLOBAL_ATTRS.values())
    table = {normalize_name(name): _info(name) for name in sorted(names)}
    # `class` is the HTML spelling of `className`.
    table[normalize_name("class")] = table[normalize_name("className")]
    return table


def _info(name: str) -> PropertyInfo:
    facts = _FACTS.get(name, _Facts())
    return PropertyInfo(name, facts.inherited, facts.styleable, facts.note)


def known_properties() -> dict[str, PropertyInfo]:
    """Every property by its normalized name (`normalize_name`)."""
    global _cache, _cache_size
    size = _registry_size()
    if size != _cache_size:
        _cache, _cache_size = _build(), size
        _attributes.clear()
    return _cache


def property_attributes(name: str) -> PropertyAttributes:
    """The attributes behind a property (its canonical name), looked up once per registry state."""
    found = _attributes.get(name)
    if found is None:
        found = PropertyAttributes(tuple(REGISTRY.attrs_named(name)), REGISTRY.find_attr(name))
        _attributes[name] = found
    return found


def property_info(name: str) -> PropertyInfo | None:
    """What is known about a property, whichever way it is spelt; None if it does not exist."""
    return known_properties().get(normalize_name(name))


def lookup_property(name: str) -> str | None:
    """The canonical camelCase name of a property (`caption-style` → `captionStyle`), or None."""
    info = property_info(name)
    return info.name if info is not None else None


def property_names(*, kebab: bool = False) -> list[str]:
    """The styleable property names, camelCase or kebab-case (for hints and completion)."""
    infos = {info.name: info for info in known_properties().values() if info.styleable}
    return sorted(info.kebab if kebab else name for name, info in infos.items())
