"""The abstract syntax tree: frozen dataclasses, each with a span that does not take part in equality.

A `Document` holds `Node`s: `Element`, `Text`, `Expr` and `Comment`. Attribute values are kept as
written, split into literal `Text` and `Expr` parts, so that a value which is exactly one
`{{ expression }}` can pass the raw value (a list, a dict, a number) to its component.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields
from functools import lru_cache
from typing import cast

from pml.syntax.source import Source, Span


@dataclass(frozen=True, slots=True)
class Text:
    """Literal text, with entities and escapes already decoded."""

    value: str
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Expr:
    """A `{{ expression }}`; `code` is the text between the braces."""

    code: str
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Comment:
    """A `<!-- comment -->`; kept so that tools can see it, never rendered."""

    text: str
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Attribute:
    """`name="value"`; `parts` is the value split into literal text and expressions."""

    name: str
    parts: tuple[Text | Expr, ...]
    raw: str
    span: Span = field(compare=False, repr=False)
    value_span: Span | None = field(default=None, compare=False, repr=False)

    @property
    def is_static(self) -> bool:
        return all(isinstance(p, Text) for p in self.parts)

    @property
    def single_expression(self) -> Expr | None:
        """The expression when the value is exactly one `{{ }}` and nothing else."""
        if len(self.parts) == 1 and isinstance(self.parts[0], Expr):
            return self.parts[0]
        return None

    @property
    def text(self) -> str:
        """The literal value (only meaningful when `is_static`)."""
        return "".join(p.value for p in self.parts if isinstance(p, Text))


@dataclass(frozen=True, slots=True)
class Element:
    """`<tag attr="…">children</tag>` or `<tag/>`."""

    tag: str
    attributes: tuple[Attribute, ...]
    children: tuple[Node, ...]
    span: Span = field(compare=False, repr=False)
    name_span: Span | None = field(default=None, compare=False, repr=False)

    def attribute(self, name: str) -> Attribute | None:
        key = normalize_name(name)
        for attr in self.attributes:
            if normalize_name(attr.name) == key:
                return attr
        return None

    @property
    def key(self) -> str:
        return normalize_name(self.tag)


Node = Element | Text | Expr | Comment


@dataclass(frozen=True, slots=True)
class Document:
    """A parsed file or string. `root` is the single top-level element after wrapping."""

    root: Element
    source: Source = field(compare=False, repr=False)
    prolog: tuple[Comment, ...] = ()

    def walk(self) -> Iterator[Node]:
        return walk(self.root)


def walk(node: Node) -> Iterator[Node]:
    """Every node under (and including) `node`, in document order."""
    stack: list[Node] = [node]
    while stack:
        current = stack.pop()
        yield current
        if isinstance(current, Element):
            stack.extend(reversed(current.children))


def _setters(cls: type) -> tuple[Callable[[object, object], None], ...]:
    """The slot setters of a frozen dataclass's fields, in the order of the fields."""
    return tuple(cast("Callable[[object, object], None]", cls.__dict__[f.name].__set__) for f in fields(cls))


_new = object.__new__
# The setters, in the order of the fields, also for a loop that makes nodes as `make_text` and
# `make_element` do without a call for each (the parser's).
TEXT_SETTERS = _setters(Text)
ELEMENT_SETTERS = _setters(Element)
_set_text_value, _set_text_span = TEXT_SETTERS
_set_tag, _set_attributes, _set_children, _set_span, _set_name_span = ELEMENT_SETTERS
_set_attribute_name, _set_parts, _set_raw, _set_attribute_span, _set_value_span = _setters(Attribute)


def make_text(value: str, span: Span) -> Text:
    """`Text(value, span)`, made faster for the parser: a frozen dataclass's `__init__` sets each field
    through `object.__setattr__`, which looks the field up by name; this sets the slots directly."""
    node = _new(Text)
    _set_text_value(node, value)
    _set_text_span(node, span)
    return node


def make_element(tag: str, attributes: tuple[Attribute, ...], children: tuple[Node, ...], span: Span,
                 name_span: Span | None) -> Element:
    """`Element(tag, attributes, children, span, name_span)`, made faster for the parser (see `make_text`)."""
    node = _new(Element)
    _set_tag(node, tag)
    _set_attributes(node, attributes)
    _set_children(node, children)
    _set_span(node, span)
    _set_name_span(node, name_span)
    return node


def make_attribute(name: str, parts: tuple[Text | Expr, ...], raw: str, span: Span, value_span: Span | None
                   ) -> Attribute:
    """`Attribute(name, parts, raw, span, value_span)`, made faster for the parser (see `make_text`)."""
    node = _new(Attribute)
    _set_attribute_name(node, name)
    _set_parts(node, parts)
    _set_raw(node, raw)
    _set_attribute_span(node, span)
    _set_value_span(node, value_span)
    return node


@lru_cache(maxsize=4096)
def normalize_name(name: str) -> str:
    """Tag and attribute names compare case-insensitively, with kebab-case equal to camelCase."""
    return name.replace("-", "").replace("_", "").lower()
