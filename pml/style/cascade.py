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

Nothing is inherited (see `pml.style.properties`). A `Matcher` files rules by the id, class or type
of their rightmost compound, so that each element only tests the rules that could match it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pml.registry import REGISTRY
from pml.style.properties import lookup_property
from pml.style.selectors import AttributeSelector, Specificity, attribute_key
from pml.style.stylesheet import Rule, Stylesheet
from pml.syntax.nodes import Element, Text, normalize_name
from pml.syntax.source import Span

_NO_ATTRIBUTES: Mapping[str, str] = {}
_NO_CLASSES: frozenset[str] = frozenset()
_CLASS_KEY = attribute_key("className")
_ID_KEY = attribute_key("id")


@dataclass(slots=True)
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
    # What type selectors compare (see `pml.style.selectors.type_key`); derived when left empty.
    type_key: str = field(default="", compare=False, repr=False)
    # The type key and the keys of the components this one extends (`role` is a `cp`).
    type_keys: frozenset[str] = field(default=frozenset(), compare=False, repr=False)

    def __post_init__(self) -> None:
        if not self.type_key:
            self.type_key = normalize_name(self.component or self.tag)
        if not self.type_keys:
            self.type_keys = kind_keys(self.component, self.type_key)

    @property
    def signature(self) -> _Signature:
        """Everything a compound selector can see: equal signatures match the same compounds."""
        return (self.type_key, self.classes, self.id, tuple(self.attributes.items()))

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
        return _TargetMaker().make(element)


def kind_keys(component: str | None, key: str) -> frozenset[str]:
    """The type keys an element answers to: its own and its component's bases'."""
    found = REGISTRY.lookup(component) if component else None
    if found is None or not found.bases:
        return frozenset((key,))
    return frozenset((key, *(normalize_name(b) for b in found.bases)))


class _TargetMaker:
    """Makes `StyleTarget`s, remembering what each tag and attribute name resolves to."""

    def __init__(self) -> None:
        # By tag as written: (component name, normalized tag, type key, type keys).
        self._tags: dict[str, tuple[str | None, str, str, frozenset[str]]] = {}
        self._attribute_keys: dict[str, str] = {}

    def make(self, element: Element) -> StyleTarget:
        return self._make(element.tag, self._static_attributes(element))

    def plain(self, tag: str) -> StyleTarget:
        """The target of an element of this tag without attributes."""
        return self._make(tag, _NO_ATTRIBUTES)

    def _make(self, written: str, attributes: Mapping[str, str]) -> StyleTarget:
        tag = self._tags.get(written)
        if tag is None:
            found = REGISTRY.lookup(written)
            name = found.name if found is not None else None
            normalized = normalize_name(written)
            key = normalize_name(name or normalized)
            tag = (name, normalized, key, kind_keys(name, key))
            self._tags[written] = tag
        classes = attributes.get(_CLASS_KEY)
        return StyleTarget(
            tag[0],
            tag[1],
            frozenset(classes.split()) if classes else _NO_CLASSES,
            attributes.get(_ID_KEY),
            attributes,
            tag[2],
            tag[3],
        )

    def _static_attributes(self, element: Element) -> Mapping[str, str]:
        if not element.attributes:
            return _NO_ATTRIBUTES
        found: dict[str, str] = {}
        for attribute in element.attributes:
            if all(type(part) is Text for part in attribute.parts):
                found[self.key(attribute.name)] = attribute.text
        return found

    def key(self, name: str) -> str:
        """An attribute name's `attribute_key`."""
        key = self._attribute_keys.get(name)
        if key is None:
            key = self._attribute_keys[name] = attribute_key(name)
        return key


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
# What a compound selector can see of an element; equal signatures match the same compounds.
_Signature = tuple[str, frozenset[str], "str | None", tuple[tuple[str, str], ...]]


@dataclass(frozen=True, slots=True)
class _Entry:
    weight: Weight  # (origin, specificity, sheet position, rule order)
    rule: Rule
    index: int  # the entry's number, for caches
    contextual: bool  # the selector looks at ancestors too


# The last sheets filed by a `Matcher`, with their rules filed (stylesheets are immutable, and most
# documents compile with the built-in sheet alone, or with the same sheets as the one before).
# (the sheets, their rules filed by bucket, the rules filed everywhere, the attributes selectors test)
_Filed = tuple[tuple[Stylesheet, ...], dict[tuple[str, str], list[_Entry]], list[_Entry], frozenset[str]]
_last_filed: _Filed | None = None


class Matcher:
    """The rules of some stylesheets, filed by the id, class or type of their subject.

    A matcher remembers, for the life of the object, which rules each kind of element matches
    (by `StyleTarget.signature`), and under each parent which rules each kind of child matches
    and which ancestor conditions hold: make a new one for each tree.
    """

    def __init__(self, sheets: Sequence[Stylesheet]) -> None:
        global _last_filed
        self._by_signature: dict[_Signature, tuple[_Entry, ...]] = {}
        self._by_parent: dict[tuple[int, _Signature], tuple[Rule, ...]] = {}
        self._context: dict[tuple[int, int], bool] = {}
        last = _last_filed
        if last is not None and len(last[0]) == len(sheets) and all(
                a is b for a, b in zip(last[0], sheets, strict=True)):
            # The same sheets as the last tree's: their rules are filed already.
            self._buckets, self._everywhere, self.seen_attributes = last[1], last[2], last[3]
            return
        self._buckets = defaultdict(list)
        self._everywhere = []
        seen: set[str] = set()
        count = 0
        for position, sheet in enumerate(sheets):
            for rule in sheet.rules:
                if rule.declarations:
                    contextual = len(rule.selector.compounds) > 1
                    self._file(_Entry(_weight(sheet, position, rule), rule, count, contextual))
                    count += 1
                    seen.update(attribute_key(part.name) for compound in rule.selector.compounds
                                for part in compound.parts if isinstance(part, AttributeSelector))
        # The attributes some selector tests: the only ones that can tell two elements apart.
        self.seen_attributes = frozenset(seen)
        _last_filed = (tuple(sheets), self._buckets, self._everywhere, self.seen_attributes)

    def signature(self, target: StyleTarget) -> _Signature:
        """What this matcher's selectors see of `target`: `StyleTarget.signature` without the
        attributes no attribute selector names. Equal signatures match the same rules."""
        attributes = target.attributes
        if not attributes:
            return (target.type_key, target.classes, target.id, ())
        seen = self.seen_attributes
        tested = tuple(item for item in attributes.items() if item[0] in seen)
        return (target.type_key, target.classes, target.id, tested)

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
        for key in target.type_keys:
            yield from buckets.get(("type", key), ())
        if target.id is not None:
            yield from buckets.get(("id", target.id), ())
        for name in target.classes:
            yield from buckets.get(("class", name), ())

    def match(self, path: Sequence[StyleTarget], parent_key: int | None = None) -> tuple[Rule, ...]:
        """The rules matching the last element of `path`, lightest first.

        `parent_key` names the element's ancestors (`path[:-1]`) for the life of this matcher: one
        number for each different sequence of ancestor signatures, so that elements that look
        alike under ancestors that look alike share one answer.
        """
        signature = self.signature(path[-1])
        return self.match_signature(path, signature, parent_key)

    def match_signature(self, path: Sequence[StyleTarget], signature: _Signature,
                        parent_key: int | None = None) -> tuple[Rule, ...]:
        """`match`, given the last element's `signature` (as `signature` gives it)."""
        if parent_key is None:
            return self._match(path, signature)
        key = (parent_key, signature)
        found = self._by_parent.get(key)
        if found is None:
            found = self._by_parent[key] = self._match(path, signature, parent_key)
        return found

    def _match(
        self, path: Sequence[StyleTarget], signature: _Signature, parent_key: int | None = None
    ) -> tuple[Rule, ...]:
        rules: list[Rule] = []
        for entry in self._subject_matches(path[-1], signature):
            if entry.contextual and not self._context_matches(entry, path, parent_key):
                continue
            rules.append(entry.rule)
        return tuple(rules)

    def _context_matches(
        self, entry: _Entry, path: Sequence[StyleTarget], parent_key: int | None
    ) -> bool:
        if parent_key is None:
            return entry.rule.selector.matches_context(path)
        key = (parent_key, entry.index)
        known = self._context.get(key)
        if known is None:
            known = self._context[key] = entry.rule.selector.matches_context(path)
        return known

    def _subject_matches(self, target: StyleTarget, signature: _Signature) -> tuple[_Entry, ...]:
        found = self._by_signature.get(signature)
        if found is None:
            accepted = [
                entry for entry in self._candidates(target)
                if entry.rule.selector.subject.accepts(target)
            ]
            found = self._by_signature[signature] = tuple(sorted(accepted, key=_by_weight))
        return found


def _by_weight(entry: _Entry) -> Weight:
    return entry.weight


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
    Elements matched by the same rules share one `ComputedStyle`: treat it as read-only.
    """
    cascade = Cascade.of(sheets)
    if cascade is None:
        return {}
    styles: dict[int, ComputedStyle] = {}
    visit = cascade.visit
    # (element, the number of its parent's path).
    stack: list[tuple[Element, int]] = [(root, -1)]
    while stack:
        element, parent = stack.pop()
        number, style = visit(element, parent)
        if style is not None:
            styles[id(element)] = style
        for child in reversed(element.children):
            if type(child) is Element:
                stack.append((child, number))
    return styles


class Cascade:
    """The cascade of some sheets over one tree, an element at a time, for a walk that meets each
    element after its parent (`visit`).

    An element's rules depend only on the signatures along its path (`Matcher.signature`), and a
    document repeats a few kinds of path many times: each different path is numbered once, by its
    parent's number and its own signature, and matched once. A path's elements are those that first
    made it (elements of equal signatures match the same selectors), so the walk keeps no path.
    """

    def __init__(self, matcher: Matcher) -> None:
        self._matcher = matcher
        self._targets = _TargetMaker()
        self._by_rules: dict[int, ComputedStyle] = {}  # by id of the matcher's rule tuple
        self._by_content: dict[tuple[int, ...], ComputedStyle] = {}
        # By tag, for elements without attributes: the target and its signature.
        self._plain: dict[str, tuple[StyleTarget, _Signature]] = {}
        # By (the parent's path number, the signature): the path's number and its style.
        self._paths: dict[tuple[int, _Signature], tuple[int, ComputedStyle | None]] = {}
        # The same, by (the parent's path number, the tag) for elements whose attributes no selector
        # sees (a walk may look an element without attributes up here before it calls `visit`).
        self.plain_paths: dict[tuple[int, str], tuple[int, ComputedStyle | None]] = {}
        # The attributes that make an element's signature differ from its tag's (see `_telling`).
        self._telling_keys = matcher.seen_attributes | {_CLASS_KEY, _ID_KEY}
        # By path number: the path's last element, and its parent's path number (-1 for none).
        self._links: list[tuple[StyleTarget, int]] = []

    @classmethod
    def of(cls, sheets: Sequence[Stylesheet]) -> Cascade | None:
        """The cascade of `sheets` (None when they have no rules)."""
        matcher = Matcher(sheets)
        return cls(matcher) if matcher else None

    def visit(self, element: Element, parent: int) -> tuple[int, ComputedStyle | None]:
        """The number of the element's path, and its style (None when no rule matches it), given its
        parent's path number (-1 for the root)."""
        plain = not element.attributes or not self._telling(element)
        if plain:
            known = self.plain_paths.get((parent, element.tag))
            if known is not None:
                return known
            known_tag = self._plain.get(element.tag)
            if known_tag is None:
                target = self._targets.plain(element.tag)
                known_tag = self._plain[element.tag] = (target, self._matcher.signature(target))
            target, signature = known_tag
        else:
            target = self._targets.make(element)
            signature = self._matcher.signature(target)
        known = self._paths.get((parent, signature))
        if known is None:
            known = self._paths[(parent, signature)] = self._new_path(target, signature, parent)
        if plain:
            self.plain_paths[(parent, element.tag)] = known
        return known

    def _telling(self, element: Element) -> bool:
        """Whether some selector can tell the element from one of its tag without attributes: it has
        a class, an id, or an attribute an attribute selector names."""
        key, telling = self._targets.key, self._telling_keys
        for attribute in element.attributes:
            if key(attribute.name) in telling:
                return True
        return False

    def _new_path(self, target: StyleTarget, signature: _Signature, parent: int) -> tuple[int, ComputedStyle | None]:
        path = [target]
        above = parent
        while above >= 0:
            ancestor, above = self._links[above]
            path.append(ancestor)
        path.reverse()
        rules = self._matcher.match_signature(path, signature, parent)
        self._links.append((target, parent))
        return len(self._links) - 1, self._style(rules) if rules else None

    def _style(self, rules: tuple[Rule, ...]) -> ComputedStyle:
        # The matcher hands out one tuple per (parent, kind of child) and keeps it alive, so
        # its id is a key; equal tuples under different parents share by content.
        style = self._by_rules.get(id(rules))
        if style is None:
            content = tuple(map(id, rules))
            style = self._by_content.get(content)
            if style is None:
                style = self._by_content[content] = computed_style(rules)
            self._by_rules[id(rules)] = style
        return style
