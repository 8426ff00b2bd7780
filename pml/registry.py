"""The component registry: one entry per component, with its names, attributes and documentation.

The registry is the single description of the language's vocabulary. Validation, attribute
coercion, the stylesheet's property names, generated docs, editor hover and completion all read
it. Components register themselves with the `component` decorator in `pml/components/`.

Names are matched the way POML matches them: case-insensitively, with kebab-case equal to
camelCase (`output-format`, `outputFormat` and `OutputFormat` are one tag).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pml.nodes import normalize_name

AttrType = Literal["string", "boolean", "number", "integer", "object", "array", "enum", "any"]


class CoercionError(ValueError):
    """A written attribute value does not fit the attribute's type; the message is user-facing."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


@dataclass(frozen=True, slots=True)
class Attr:
    """One attribute a component accepts. `name` is the camelCase spelling."""

    name: str
    type: AttrType = "string"
    doc: str = ""
    choices: tuple[str, ...] = ()
    default: Any = None
    required: bool = False

    @property
    def kebab(self) -> str:
        return camel_to_kebab(self.name)

    def coerce(self, value: Any) -> Any:
        """Turn a written (string) or styled (any JSON) value into this attribute's type."""
        return coerce(self, value)


@dataclass(frozen=True, slots=True)
class Component:
    """A tag of the language: its canonical name, the names it answers to, attributes and docs."""

    name: str
    tags: tuple[str, ...]
    doc: str
    attrs: Mapping[str, Attr] = field(default_factory=dict)
    layout: Callable[..., Any] | None = field(default=None, compare=False, repr=False)
    # "block" boxes stack with blank lines; "inline" boxes run into text; "reader" tags are
    # handled by the template pass and never rendered.
    kind: Literal["block", "inline", "reader"] = "block"
    # Components this one is a kind of: a type selector for a base matches it too.
    bases: tuple[str, ...] = ()
    # Takes any attribute (`<runtime>`): unknown attributes are not warned about.
    open_attrs: bool = False
    # Checks an element of this component while compiling; returns diagnostics (`Diagnostic`s).
    check: Callable[[Any], list[Any]] | None = field(default=None, compare=False, repr=False)

    def attr(self, name: str) -> Attr | None:
        key = normalize_name(name)
        found = self.attrs.get(key)
        if found is None:
            found = GLOBAL_ATTRS.get(key)
        return found

    def all_attrs(self) -> dict[str, Attr]:
        merged = dict(GLOBAL_ATTRS)
        merged.update(self.attrs)
        return merged


def _attrs(*attrs: Attr) -> dict[str, Attr]:
    return {normalize_name(a.name): a for a in attrs}


SPEAKERS = ("human", "ai", "system")
SYNTAXES = ("markdown", "html", "json", "yaml", "xml", "text")
WHITE_SPACE = ("filter", "pre", "trim", "normal")

# Attributes every component accepts (POML's common props, plus `id` and `class`).
GLOBAL_ATTRS: dict[str, Attr] = _attrs(
    Attr("for", "string", "Repeat the element: `item in expression`; `loop.index` counts from 0."),
    Attr("if", "string", "Render the element only when the expression is truthy."),
    Attr("syntax", "enum", "How this subtree is written out.", SYNTAXES),
    Attr("speaker", "enum", "The chat speaker of this subtree (and of its following siblings).", SPEAKERS),
    Attr("className", "string", "Space-separated classes, for `.class` selectors. `class` works too."),
    Attr("id", "string", "An identifier, for `#id` selectors."),
    Attr("whiteSpace", "enum",
         "How authored text whitespace is handled: `filter` (collapse, the default), `pre` "
         "(keep), `trim` (only trim the ends).", WHITE_SPACE),
    Attr("name", "string", "The key this element takes when serialized (json, yaml, xml)."),
    Attr("type", "string", "The value type used when serializing."),
    Attr("writerOptions", "object", "Options for the writer of this subtree (JSON object)."),
    Attr("charLimit", "integer", "Soft limit on the characters of this element's output: lower-priority children "
                                 "are dropped first, then the text is cut with a marker (docs/tokens.md)."),
    Attr("tokenLimit", "integer", "Soft limit on the tokens of this element's output (o200k_base): lower-priority "
                                  "children are dropped first, then the text is cut with a marker."),
    Attr("priority", "number", "Lower priorities are dropped first when a parent's limit is exceeded (default 0)."),
    Attr("truncateMarker", "string", "What marks a cut made by a limit (default ` (...truncated)`)."),
    Attr("truncateDirection", "enum", "Which part a limit keeps: `end` cuts the end (the default), `start` the "
                                      "start, `middle` the middle.", ("end", "start", "middle")),
)
GLOBAL_ATTRS["class"] = GLOBAL_ATTRS["classname"]


class Registry:
    """Components by every name they answer to."""

    def __init__(self) -> None:
        self._by_key: dict[str, Component] = {}
        self._components: list[Component] = []

    def add(self, component: Component) -> Component:
        self._components.append(component)
        for tag in (component.name, *component.tags):
            self._by_key[normalize_name(tag)] = component
        return component

    def lookup(self, tag: str) -> Component | None:
        return self._by_key.get(normalize_name(tag))

    def __contains__(self, tag: str) -> bool:
        return normalize_name(tag) in self._by_key

    def __iter__(self) -> Iterable[Component]:
        return iter(self._components)

    def tag_names(self) -> list[str]:
        """Every name a tag may be written as (canonical names and aliases)."""
        names: list[str] = []
        for c in self._components:
            names.extend(c.tags)
        return names

    def attribute_names(self) -> set[str]:
        """The camelCase names of every attribute of every component (the styleable properties)."""
        names = {a.name for a in GLOBAL_ATTRS.values()}
        for c in self._components:
            names.update(a.name for a in c.attrs.values())
        return names

    def attrs_named(self, name: str) -> list[Attr]:
        """Every distinct attribute with this name: the global one first, then components' own."""
        key = normalize_name(name)
        found = [GLOBAL_ATTRS[key]] if key in GLOBAL_ATTRS else []
        for c in self._components:
            if key in c.attrs and c.attrs[key] not in found:
                found.append(c.attrs[key])
        return found

    def fits(self, name: str, value: Any) -> bool:
        """Whether a value fits the attribute `name` of at least one component (a stylesheet rule
        may target any of them: `syntax: csv` is valid for `<table>` only)."""
        for attr in self.attrs_named(name):
            try:
                attr.coerce(value)
            except CoercionError:
                continue
            return True
        return not self.attrs_named(name)

    def find_attr(self, name: str) -> Attr | None:
        """The most permissive attribute with this name, for stylesheet validation: enum choices
        of every component are merged (`syntax` takes html… and also csv, for tables)."""
        attrs = self.attrs_named(name)
        if not attrs:
            return None
        if all(a.type == "enum" for a in attrs):
            choices = tuple(dict.fromkeys(c for a in attrs for c in a.choices))
            return Attr(attrs[0].name, "enum", attrs[0].doc, choices, attrs[0].default, attrs[0].required)
        return next(a for a in attrs if a.type != "enum")


REGISTRY = Registry()


def component(
    name: str,
    *tags: str,
    doc: str,
    attrs: Iterable[Attr] = (),
    kind: Literal["block", "inline", "reader"] = "block",
    bases: tuple[str, ...] = (),
    open_attrs: bool = False,
    check: Callable[[Any], list[Any]] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a component whose layout function is the decorated callable. `check`, when
    given, is called with each element of the component while compiling and returns diagnostics."""

    def decorate(layout: Callable[..., Any]) -> Callable[..., Any]:
        REGISTRY.add(Component(name, tags or (name,), doc, _attrs(*attrs), layout, kind, bases, open_attrs,
                               check))
        return layout

    return decorate


def camel_to_kebab(name: str) -> str:
    out = []
    for ch in name:
        if ch.isupper():
            out.append("-")
            out.append(ch.lower())
        else:
            out.append(ch)
    return "".join(out).lstrip("-")


def kebab_to_camel(name: str) -> str:
    head, *rest = name.split("-")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


def coerce(attr: Attr, value: Any) -> Any:
    """Coerce a value to the attribute's type, raising `CoercionError` with a readable message."""
    kind = attr.type
    if kind in ("string", "any"):
        if kind == "string" and not isinstance(value, str):
            return value
        return value
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise CoercionError(f"`{attr.name}` should be a boolean, not {_show(value)}",
                            "write true or false")
    if kind in ("number", "integer"):
        if isinstance(value, bool):
            raise CoercionError(f"`{attr.name}` should be a number, not {_show(value)}")
        if isinstance(value, (int, float)):
            number: float | int = value
        else:
            try:
                number = float(str(value).strip())
            except ValueError:
                raise CoercionError(f"`{attr.name}` should be a number, not {_show(value)}") from None
        if math.isfinite(number) and float(number).is_integer():
            number = int(number)
        if kind == "integer" and not isinstance(number, int):
            raise CoercionError(f"`{attr.name}` should be a whole number, not {_show(value)}")
        return number
    if kind == "enum":
        text = str(value).strip()
        for choice in attr.choices:
            if text.lower() == choice.lower():
                return choice
        hint = None
        from pml.errors import suggest

        hint = suggest(text, attr.choices)
        raise CoercionError(
            f"`{attr.name}` should be one of {', '.join(attr.choices)}, not {_show(value)}", hint
        )
    if kind in ("object", "array"):
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError as exc:
                raise CoercionError(
                    f"`{attr.name}` should be a JSON {kind}: {exc.msg} at character {exc.pos + 1}",
                    "pass data with an expression instead, for example `{{ rows }}`",
                ) from None
        if kind == "object" and not isinstance(value, dict):
            raise CoercionError(f"`{attr.name}` should be a JSON object, not {_show(value)}")
        if kind == "array" and not isinstance(value, list):
            raise CoercionError(f"`{attr.name}` should be a JSON array, not {_show(value)}")
        return value
    return value


def _show(value: Any) -> str:
    return f"`{value}`" if isinstance(value, str) else f"`{json.dumps(value)}`"
