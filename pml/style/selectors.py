"""Selectors: which elements a stylesheet rule applies to, and how specific the rule is.

A `Selector` is a chain of `CompoundSelector`s joined by combinators, written left to right::

    cp .steps > item[kind=ordered]
    └┬┘ └─┬──┘   └───────┬───────┘
     compound    compound (type + attribute)
       descendant   child

Each compound is a set of simple selectors that must all match one element: a type (`list`),
`*`, `.class`, `#id`, `[attr]` or `[attr<op>value]`. Specificity is `(ids, classes and
attributes, types)`, summed over the parts, as in CSS; `*` and the combinators count nothing.

Elements are seen through `pml.style.cascade.StyleTarget`. Type names compare through the component
registry, so `cp` matches `<CaptionedParagraph>` and `output-format` matches `<OutputFormat>`;
names the registry does not know compare with `normalize_name`. Classes, ids and attribute
values compare exactly; attribute names compare like attribute names in markup (`normalize_name`,
and `class` is `className`).

Selectors are read from CSS tokens by `pml.style.selector_syntax`. `str()` of a selector is
canonical CSS, with CSS's escapes where a name needs them (the class `a:b` is `.a\\:b`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Literal, Protocol

from tinycss2.serializer import serialize_identifier, serialize_string_value

from pml.registry import REGISTRY
from pml.syntax.nodes import normalize_name

if TYPE_CHECKING:
    from pml.style.cascade import StyleTarget

Specificity = tuple[int, int, int]
Combinator = Literal[" ", ">"]
# Where the cascade's matcher files a rule: ("id", name), ("class", name) or ("type", key).
Bucket = tuple[str, str]

ZERO: Specificity = (0, 0, 0)

# Attribute spellings that name the same attribute.
_ATTRIBUTE_ALIASES = {"class": "classname"}


def type_key(name: str) -> str:
    """The key two type names share when they name the same component (or the same unknown tag)."""
    found = REGISTRY.lookup(name)
    return normalize_name(found.name if found is not None else name)


def attribute_key(name: str) -> str:
    """The key two attribute names share when they name the same attribute."""
    key = normalize_name(name)
    return _ATTRIBUTE_ALIASES.get(key, key)


def add_specificity(a: Specificity, b: Specificity) -> Specificity:
    return (a[0] + b[0], a[1] + b[1], a[2] + b[2])


class SimpleSelector(Protocol):
    """One condition on one element."""

    @property
    def specificity(self) -> Specificity: ...

    @property
    def rank(self) -> int:
        """Higher ranks make better matcher buckets (an id narrows more than a type)."""
        ...

    def accepts(self, target: StyleTarget) -> bool: ...

    def bucket(self) -> Bucket | None: ...


@dataclass(frozen=True, slots=True)
class UniversalSelector:
    """`*`: every element."""

    specificity: ClassVar[Specificity] = ZERO
    rank: ClassVar[int] = 0

    def accepts(self, target: StyleTarget) -> bool:
        return True

    def bucket(self) -> Bucket | None:
        return None

    def __str__(self) -> str:
        return "*"


@dataclass(frozen=True, slots=True)
class TypeSelector:
    """`list`, `cp`, `output-format`: elements of one component (or one unknown tag)."""

    name: str
    # Resolved when the selector is made: components must be registered before stylesheets
    # are read (importing `pml.components` does it).
    key: str = field(init=False, compare=False, repr=False)
    specificity: ClassVar[Specificity] = (0, 0, 1)
    rank: ClassVar[int] = 1

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", type_key(self.name))

    @property
    def known(self) -> bool:
        return REGISTRY.lookup(self.name) is not None

    def accepts(self, target: StyleTarget) -> bool:
        return self.key in target.type_keys

    def bucket(self) -> Bucket | None:
        return ("type", self.key)

    def __str__(self) -> str:
        return serialize_identifier(self.name)


@dataclass(frozen=True, slots=True)
class ClassSelector:
    """`.name`: elements whose `className` (or `class`) lists `name`."""

    name: str
    specificity: ClassVar[Specificity] = (0, 1, 0)
    rank: ClassVar[int] = 2

    def accepts(self, target: StyleTarget) -> bool:
        return self.name in target.classes

    def bucket(self) -> Bucket | None:
        return ("class", self.name)

    def __str__(self) -> str:
        return f".{serialize_identifier(self.name)}"


@dataclass(frozen=True, slots=True)
class IdSelector:
    """`#name`: the element whose `id` is `name`."""

    name: str
    specificity: ClassVar[Specificity] = (1, 0, 0)
    rank: ClassVar[int] = 3

    def accepts(self, target: StyleTarget) -> bool:
        return target.id == self.name

    def bucket(self) -> Bucket | None:
        return ("id", self.name)

    def __str__(self) -> str:
        return f"#{serialize_identifier(self.name)}"


def _has_word(actual: str, wanted: str) -> bool:
    return wanted in actual.split()


def _dash_prefix(actual: str, wanted: str) -> bool:
    return actual == wanted or actual.startswith(wanted + "-")


# The attribute operators of CSS, by spelling: (written value, wanted value) -> matches.
ATTRIBUTE_OPERATORS: dict[str, Callable[[str, str], bool]] = {
    "=": lambda actual, wanted: actual == wanted,
    "~=": _has_word,
    "|=": _dash_prefix,
    "^=": lambda actual, wanted: bool(wanted) and actual.startswith(wanted),
    "$=": lambda actual, wanted: bool(wanted) and actual.endswith(wanted),
    "*=": lambda actual, wanted: bool(wanted) and wanted in actual,
}


@dataclass(frozen=True, slots=True)
class AttributeSelector:
    """`[name]` (the attribute is written) or `[name<op>value]` (and its literal value fits).

    Only attributes with a static value are visible: `caption="{{ title }}"` is unknown until
    rendering, so no attribute selector matches it.
    """

    name: str
    operator: str | None = None
    value: str = ""
    specificity: ClassVar[Specificity] = (0, 1, 0)
    rank: ClassVar[int] = 0

    def accepts(self, target: StyleTarget) -> bool:
        actual = target.attributes.get(attribute_key(self.name))
        if actual is None:
            return False
        if self.operator is None:
            return True
        return ATTRIBUTE_OPERATORS[self.operator](actual, self.value)

    def bucket(self) -> Bucket | None:
        return None

    def __str__(self) -> str:
        name = serialize_identifier(self.name)
        if self.operator is None:
            return f"[{name}]"
        return f'[{name}{self.operator}"{serialize_string_value(self.value)}"]'


@dataclass(frozen=True, slots=True)
class CompoundSelector:
    """Simple selectors that must all match the same element: `list.steps#main[kind]`."""

    parts: tuple[SimpleSelector, ...]

    @property
    def specificity(self) -> Specificity:
        total = ZERO
        for part in self.parts:
            total = add_specificity(total, part.specificity)
        return total

    def accepts(self, target: StyleTarget) -> bool:
        for part in self.parts:
            if not part.accepts(target):
                return False
        return True

    def bucket(self) -> Bucket | None:
        """The narrowest bucket a matcher can file this compound under (None: every element)."""
        best = max(self.parts, key=lambda part: part.rank, default=None)
        return best.bucket() if best is not None else None

    def __str__(self) -> str:
        return "".join(str(part) for part in self.parts)


@dataclass(frozen=True, slots=True)
class Selector:
    """A complex selector: compounds joined by combinators (`" "` descendant, `">"` child).

    `combinators[i]` joins `compounds[i]` and `compounds[i + 1]`; the last compound is the
    element the selector is about (its subject).
    """

    compounds: tuple[CompoundSelector, ...]
    combinators: tuple[Combinator, ...] = ()

    def __post_init__(self) -> None:
        if not self.compounds or len(self.combinators) != len(self.compounds) - 1:
            raise ValueError("a selector needs one combinator between each two compounds")

    @property
    def specificity(self) -> Specificity:
        total = ZERO
        for compound in self.compounds:
            total = add_specificity(total, compound.specificity)
        return total

    @property
    def subject(self) -> CompoundSelector:
        return self.compounds[-1]

    def matches(self, path: Sequence[StyleTarget]) -> bool:
        """Whether the last element of `path` (its ancestors from the root before it) matches."""
        if not path:
            return False
        return self.subject.accepts(path[-1]) and self.matches_context(path)

    def matches_context(self, path: Sequence[StyleTarget]) -> bool:
        """Whether the compounds before the subject match the ancestors in `path[:-1]`.

        The answer depends on the ancestors only, so siblings can share it.
        """
        if len(self.compounds) == 1:
            return True
        return self._match_above(len(self.compounds) - 1, path, len(path) - 1)

    def _match_above(self, index: int, path: Sequence[StyleTarget], depth: int) -> bool:
        """Whether `compounds[:index]` match above `path[depth]`, as the combinator requires."""
        if self.combinators[index - 1] == ">":
            return depth > 0 and self._match_at(index - 1, path, depth - 1)
        return any(self._match_at(index - 1, path, above) for above in range(depth - 1, -1, -1))

    def _match_at(self, index: int, path: Sequence[StyleTarget], depth: int) -> bool:
        if not self.compounds[index].accepts(path[depth]):
            return False
        return index == 0 or self._match_above(index, path, depth)

    def type_selectors(self) -> list[TypeSelector]:
        return [p for c in self.compounds for p in c.parts if isinstance(p, TypeSelector)]

    def __str__(self) -> str:
        text = str(self.compounds[0])
        for combinator, compound in zip(self.combinators, self.compounds[1:], strict=True):
            text += " > " if combinator == ">" else " "
            text += str(compound)
        return text
