"""The cascade: which declarations of which stylesheets apply to each element.

For every element under a root, the declarations of the rules whose selectors match it are
applied in ascending weight, so the heaviest wins::

    weight = (important, origin, specificity, sheet position, rule order, declaration order)

1. `!important` declarations beat normal ones. They are kept apart (`ComputedStyle.important`)
   because attributes written on the element sit between the two tiers: the caller merges
   `{**normal, **written_attributes, **important}` (`ComputedStyle.merge`).
2. Origin: 0 = PML's default sheet < 1 = the document's sheets < 2 = the caller's sheets.
   (Unlike CSS, the order of origins is not reversed for `!important`.)
3. Specificity `(ids, classes and attributes, types)`.
4. Source order: a later rule wins a tie, rules of different sheets in the order the sheets are
   given, and within a rule a later declaration of the same property.

Nothing is inherited (see `pml.properties`). A `Matcher` files rules by the id, class or type
of their rightmost compound, so that each element only tests the rules that could match it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pml.nodes import Element, Text, normalize_name
from pml.properties import lookup_property
from pml.registry import REGISTRY
from pml.selectors import Specificity, attribute_key
from pml.source import Span
from pml.stylesheet import Rule, Stylesheet

_NO_ATTRIBUTES: Mapping[str, str] = {}
_CLASS_KEY = attribute_key("className")
_ID_KEY = attribute_key("id")


@dataclass(frozen=True, slots=True)
class StyleTarget:
    """What selectors see of an element.

    `component` is the canonical component name (None for a tag the registry does not know),
    `tag` the normalized tag, `attributes` the static attribute values by `attribute_key`.
    Attributes whose value contains `{{ }}` are unknown until rendering and are left out.
    """

    component: str | None
    tag: str
    classes: frozenset[str] = frozenset()
    id: str | None = None
    attributes: Mapping[str, str] = field(default_factory=dict)
    type_key: str = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        key = normalize_name(self.component) if self.component else normalize_name(self.tag)
        object.__setattr__(self, "type_key", key)

    @classmethod
    def for_tag(
        cls,
        tag: str,
        classes: Sequence[str] = (),
        id: str | None = None,
        attributes: Mapping[str, str] | None = None,
    ) -> StyleTarget:
        """A target for a tag name, resolving its component through the registry."""
        found = REGISTRY.lookup(tag)
        written = {attribute_key(k): v for k, v in (attributes or {}).items()}
        return cls(found.name if found else None, normalize_name(tag), frozenset(classes), id,
                   written)

    @classmethod
    def from_element(cls, element: Element) -> StyleTarget:
        attributes = _static_attributes(element)
        classes = attributes.get(_CLASS_KEY, "")
        found = REGISTRY.lookup(element.tag)
        return cls(
            found.name if found is not None else None,
            normalize_name(element.tag),
            frozenset(classes.split()) if classes else frozenset(),
            attributes.get(_ID_KEY),
            attributes,
        )


def _static_attributes(element: Element) -> Mapping[str, str]:
    if not element.attributes:
        return _NO_ATTRIBUTES
    found: dict[str, str] = {}
    for attribute in element.attributes:
        if all(type(part) is Text for part in attribute.parts):
            found[attribute_key(attribute.name)] = attribute.text
    return found


@dataclass(slots=True)
class ComputedStyle:
    """The cascaded declarations of one element, by canonical property name.

    `sources` gives the declaration that supplied each value (None for JSON sheets read
    without a source), for messages such as "set by the stylesheet at style.pss:3:5".
    """

    normal: dict[str, Any] = field(default_factory=dict)
    important: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, Span | None] = field(default_factory=dict)

    def merge(self, written: Mapping[str, Any]) -> dict[str, Any]:
        """The element's attributes: styles, overridden by `written` ones, overridden by
        `!important` styles. Written names may be kebab-case or camelCase."""
        canonical = {lookup_property(name) or name: value for name, value in written.items()}
        return {**self.normal, **canonical, **self.important}

    def __bool__(self) -> bool:
        return bool(self.normal or self.important)


Weight = tuple[int, Specificity, int, int]


@dataclass(frozen=True, slots=True)
class _Entry:
    weight: Weight  # (origin, specificity, sheet position, rule order)
    rule: Rule


class Matcher:
    """The rules of some stylesheets, filed by the id, class or type of their subject."""

    def __init__(self, sheets: Sequence[Stylesheet]) -> None:
        self._buckets: dict[tuple[str, str], list[_Entry]] = defaultdict(list)
        self._everywhere: list[_Entry] = []
        for position, sheet in enumerate(sheets):
            for rule in sheet.rules:
                if rule.declarations:
                    self._file(_Entry(_weight(sheet, position, rule), rule))

    def _file(self, entry: _Entry) -> None:
        bucket = entry.rule.selector.subject.bucket()
        if bucket is None:
            self._everywhere.append(entry)
        else:
            self._buckets[bucket].append(entry)

    def __bool__(self) -> bool:
        return bool(self._buckets or self._everywhere)

    def _candidates(self, target: StyleTarget) -> Iterator[_Entry]:
        buckets = self._buckets
        yield from self._everywhere
        yield from buckets.get(("type", target.type_key), ())
        if target.id is not None:
            yield from buckets.get(("id", target.id), ())
        for name in target.classes:
            yield from buckets.get(("class", name), ())

    def match(self, path: Sequence[StyleTarget]) -> list[Rule]:
        """The rules matching the last element of `path`, lightest first."""
        found = [entry for entry in self._candidates(path[-1]) if entry.rule.selector.matches(path)]
        found.sort(key=lambda entry: entry.weight)
        return [entry.rule for entry in found]


def _weight(sheet: Stylesheet, position: int, rule: Rule) -> Weight:
    return (sheet.origin, rule.selector.specificity, position, rule.order)


def computed_style(rules: Sequence[Rule]) -> ComputedStyle:
    """Apply matched rules, lightest first, into one element's computed style."""
    style = ComputedStyle()
    important_sources: dict[str, Span | None] = {}
    for rule in rules:
        for declaration in rule.declarations:
            if declaration.important:
                style.important[declaration.name] = declaration.value
                important_sources[declaration.name] = declaration.span
            else:
                style.normal[declaration.name] = declaration.value
                style.sources[declaration.name] = declaration.span
    style.sources.update(important_sources)
    return style


def compute_styles(root: Element, sheets: Sequence[Stylesheet]) -> dict[int, ComputedStyle]:
    """The computed style of every element under `root` that some rule matches, by `id(element)`.

    The keys are only meaningful while the tree is alive; elements no rule matches are absent.
    """
    matcher = Matcher(sheets)
    styles: dict[int, ComputedStyle] = {}
    if not matcher:
        return styles
    path: list[StyleTarget] = []
    stack: list[tuple[Element, int]] = [(root, 0)]
    while stack:
        element, depth = stack.pop()
        del path[depth:]
        path.append(StyleTarget.from_element(element))
        rules = matcher.match(path)
        if rules:
            styles[id(element)] = computed_style(rules)
        stack.extend(
            (child, depth + 1) for child in reversed(element.children) if isinstance(child, Element)
        )
    return styles
