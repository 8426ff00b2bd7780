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
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from pml.errors import PMLUsageError, suggest
from pml.syntax.nodes import normalize_name
from pml.values import Memo, describe, find_non_data, is_data, kind_of, to_text

# `any` is any data (text, numbers, booleans, null, lists, objects); `value` is anything an
# expression makes, functions and regular expressions included (a `<let>` may hold a function).
# `binary` is text, or bytes given by the caller's context (a document's own bytes).
AttrType = Literal["string", "binary", "boolean", "number", "integer", "object", "array", "enum", "any", "value"]


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
    # For numbers: the smallest and largest values allowed.
    minimum: float | None = None
    maximum: float | None = None
    # For objects: the keys that have a type of their own (`writerOptions`); others are kept as given.
    fields: tuple[Attr, ...] = ()
    # Read while compiling (the module structure): written as it is, never with `{{ }}`.
    literal: bool = False

    @property
    def kebab(self) -> str:
        return camel_to_kebab(self.name)

    def coerce(self, value: Any, seen: Memo | None = None) -> Any:
        """Turn a written (string), styled (any JSON) or computed (any value) value into this
        attribute's type, or raise `CoercionError` saying what is allowed. `seen` remembers the
        containers already found to be data (see `pml.values.find_non_data`)."""
        return coerce(self, value, seen)


@dataclass(frozen=True, slots=True)
class Component:
    """A tag of the language: its canonical name, the names it answers to, attributes and docs."""

    name: str
    tags: tuple[str, ...]
    doc: str
    attrs: Mapping[str, Attr] = field(default_factory=dict)
    layout: Callable[..., Any] = field(default=lambda *args: [], compare=False, repr=False)  # (none: no boxes)
    # "block" boxes stack with blank lines; "inline" boxes run into text; "reader" tags are
    # handled by the template pass and never rendered.
    kind: Literal["block", "inline", "reader"] = "block"
    # Components this one is a kind of: a type selector for a base matches it too.
    bases: tuple[str, ...] = ()
    # Takes any attribute (`<runtime>`): unknown attributes are not warned about, and their
    # values are of `open_type` (`<runtime>` takes data, `<use>` any value for its params).
    open_attrs: bool = False
    # Checks an element of this component while compiling; returns diagnostics (`Diagnostic`s).
    check: Callable[[Any], list[Any]] | None = field(default=None, compare=False, repr=False)
    open_type: AttrType = "value"
    # Its layout only places the text of `{{ }}` values (in its children and its free-text
    # attributes) and never reads or changes it: a compiled-ahead render (`pml.render.ahead`) may
    # write such values into text laid out before.
    opaque_values: bool = False
    # The attributes that have defaults, with them, and the characters of their text: where the
    # attributes of an element written without any start (`pml.compile.program.base_of`).
    defaults: Mapping[str, Any] = field(init=False, compare=False, repr=False)
    default_size: int = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        defaults = {spec.name: spec.default for spec in self.attrs.values() if spec.default is not None}
        object.__setattr__(self, "defaults", defaults)
        object.__setattr__(self, "default_size", sum(len(v) for v in defaults.values() if type(v) is str))

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

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled by name: a compiled program refers to the registry's entry, whose layout and check
        functions are code, not data."""
        return registered, (self.name,)


def _attrs(*attrs: Attr) -> dict[str, Attr]:
    return {normalize_name(a.name): a for a in attrs}


SPEAKERS = ("human", "ai", "system")
SYNTAXES = ("markdown", "html", "json", "yaml", "xml", "text")
WHITE_SPACE = ("filter", "pre", "trim", "normal")

# The writer options `writerOptions` may hold, with their types (other keys are kept as given).
WRITER_OPTIONS: tuple[Attr, ...] = (
    Attr("markdownBaseHeaderLevel", "integer", "The level of the first heading (1 is `#`).", minimum=1, maximum=6),
    Attr("jsonSpace", "integer", "Spaces per indentation level of JSON.", minimum=0, maximum=10),
    Attr("yamlIndent", "integer", "Spaces per indentation level of YAML.", minimum=1, maximum=10),
    Attr("htmlIndent", "integer", "Spaces per indentation level of HTML.", minimum=0, maximum=10),
    Attr("htmlPrettyPrint", "boolean", "One block element per line (true) or all on one line."),
    Attr("xmlPrettyPrint", "boolean", "Indented XML (true) or all on one line."),
    Attr("xmlListItemName", "string", "The element name of list items in XML (default `item`)."),
    Attr("csvSeparator", "string", "The cell separator of csv and tsv tables."),
    Attr("csvHeader", "boolean", "Write the header row of csv and tsv tables."),
    Attr("markdownTableCollapse", "boolean", "Markdown tables without padding."),
    Attr("truncateMarker", "string", "What marks a cut made by a limit."),
    Attr("truncateDirection", "enum", "Which part a limit keeps.", ("end", "start", "middle")),
    Attr("tokenEncodingModel", "string", "The model whose token encoding `token-limit` counts in."),
)

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
    Attr("writerOptions", "object", "Options for the writer of this subtree (JSON object).", fields=WRITER_OPTIONS),
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

    def __iter__(self) -> Iterator[Component]:
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


def registered(name: str) -> Component:
    """The component registered under `name` (how a pickled `Component` is loaded)."""
    found = REGISTRY.lookup(name)
    if found is None or found.name != name:
        raise PMLUsageError(f"no component named {name!r} is registered",
                            "a prompt using a component of your own is loaded where that component is registered")
    return found


def component(
    name: str,
    *tags: str,
    doc: str,
    attrs: Iterable[Attr] = (),
    kind: Literal["block", "inline", "reader"] = "block",
    bases: tuple[str, ...] = (),
    open_attrs: bool = False,
    check: Callable[[Any], list[Any]] | None = None,
    open_type: AttrType = "value",
    opaque_values: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a component whose layout function is the decorated callable. `check`, when
    given, is called with each element of the component while compiling and returns diagnostics.
    `opaque_values` says the layout never reads the text of the values it places (`Component`)."""

    def decorate(layout: Callable[..., Any]) -> Callable[..., Any]:
        REGISTRY.add(Component(name, tags or (name,), doc, _attrs(*attrs), layout, kind, bases, open_attrs,
                               check, open_type, opaque_values))
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


def coerce(attr: Attr, value: Any, seen: Memo | None = None) -> Any:
    """Coerce a value to the attribute's type, raising `CoercionError` with a readable message.

    The one check of attribute values: markup text and stylesheet values at compile time, and
    `{{ }}` values at render time, whatever they turn out to be (a list, a function, null…)."""
    check = _COERCE.get(attr.type)
    return value if check is None else check(attr, value, seen)


def _string(attr: Attr, value: Any, seen: Memo | None) -> Any:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return to_text(value)
    raise CoercionError(f"`{attr.name}` should be text, not {describe(value)}", _hint(value))


def _binary(attr: Attr, value: Any, seen: Memo | None) -> Any:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, str):
        return value
    raise CoercionError(f"`{attr.name}` should be text or bytes, not {describe(value)}", _hint(value))


def _boolean(attr: Attr, value: Any, seen: Memo | None) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (str, int, float)):
        text = to_text(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    raise CoercionError(f"`{attr.name}` should be a boolean, not {describe(value)}",
                        _hint(value) or "write true or false")


def _number(attr: Attr, value: Any, seen: Memo | None) -> int | float:
    number: float | int
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            raise CoercionError(f"`{attr.name}` should be a number, not {describe(value)}") from None
    else:
        raise CoercionError(f"`{attr.name}` should be a number, not {describe(value)}", _hint(value))
    if not math.isfinite(number):
        raise CoercionError(f"`{attr.name}` should be a finite number, not {describe(value)}")
    if float(number).is_integer():
        number = int(number)
    if attr.type == "integer" and not isinstance(number, int):
        raise CoercionError(f"`{attr.name}` should be a whole number, not {describe(value)}")
    if attr.minimum is not None and number < attr.minimum:
        raise CoercionError(f"`{attr.name}` should be at least {to_text(attr.minimum)}, not {describe(value)}")
    if attr.maximum is not None and number > attr.maximum:
        raise CoercionError(f"`{attr.name}` should be at most {to_text(attr.maximum)}, not {describe(value)}")
    return number


def _enum(attr: Attr, value: Any, seen: Memo | None) -> str:
    choices = ", ".join(attr.choices)
    if not isinstance(value, (str, int, float)):
        raise CoercionError(f"`{attr.name}` should be one of {choices}, not {describe(value)}", _hint(value))
    text = to_text(value).strip()
    for choice in attr.choices:
        if text.lower() == choice.lower():
            return choice
    hint = suggest(text, attr.choices) if isinstance(value, str) else None
    raise CoercionError(f"`{attr.name}` should be one of {choices}, not {describe(value)}", hint)


def _structured(attr: Attr, value: Any, seen: Memo | None) -> Any:
    kind = attr.type
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise CoercionError(
                f"`{attr.name}` should be a JSON {kind}: {exc.msg} at character {exc.pos + 1}",
                "pass data with an expression instead, for example `{{ rows }}`",
            ) from None
    if kind == "object" and not isinstance(value, Mapping):
        raise CoercionError(f"`{attr.name}` should be an object, not {describe(value)}", _hint(value))
    if kind == "array" and not isinstance(value, (list, tuple)):
        raise CoercionError(f"`{attr.name}` should be a list, not {describe(value)}", _hint(value))
    _data(attr, value, seen)
    if attr.fields and isinstance(value, Mapping):
        value = _fields(attr, value, seen)
    return value


def _fields(attr: Attr, value: Mapping[str, Any], seen: Memo | None) -> dict[str, Any]:
    typed = {normalize_name(f.name): f for f in attr.fields}
    out: dict[str, Any] = {}
    for key, item in value.items():
        spec = typed.get(normalize_name(str(key)))
        if spec is None or item is None:
            out[key] = item
            continue
        out[spec.name] = replace(spec, name=f"{attr.name}.{spec.name}").coerce(item, seen)
    return out


def _data(attr: Attr, value: Any, seen: Memo | None) -> Any:
    found = find_non_data(value, seen)
    if found is not None:
        where, item = found
        inside = f" (at `{where}`)" if where else ""
        raise CoercionError(f"`{attr.name}` should be data (text, numbers, booleans, lists, objects), "
                            f"not {describe(item)}{inside}", _hint(item))
    return value


_NOT_DATA_HINTS = {
    "function": "call the function inside the expression, e.g. `{{ f(x) }}`",
    "regular expression": "use the regular expression inside the expression, "
                          "e.g. `{{ text.replace(/a/g, 'b') }}`",
    "built-in object": "use one of its members, e.g. `{{ Math.max(a, b) }}`",
}


def _hint(value: Any) -> str | None:
    """What to write instead of a value that is not data (None for data)."""
    if is_data(value):
        return None
    return _NOT_DATA_HINTS.get(kind_of(value), "only data (text, numbers, booleans, lists, objects) can be written out")


_COERCE: dict[str, Callable[[Attr, Any, dict[int, Any] | None], Any]] = {
    "string": _string,
    "binary": _binary,
    "boolean": _boolean,
    "number": _number,
    "integer": _number,
    "enum": _enum,
    "object": _structured,
    "array": _structured,
    "any": _data,
}
