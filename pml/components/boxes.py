"""The layout boxes components produce and writers turn into text.

A component's layout function returns a list of boxes. The boxes say what the content *is* (a
paragraph, a heading, a captioned section, a list, code, data), not how it is spelled: the
markdown writer spells a `Captioned` box as a header or a bold lead-in, the serializing writers
(json, yaml, xml) turn the same box into a key and a value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Inline:
    """A run of text inside a paragraph. `verbatim` text is never re-collapsed or escaped."""

    text: str
    verbatim: bool = False


@dataclass(slots=True)
class SoftSpace:
    """A space written only when inline text follows (after a bold caption, before its body)."""


@dataclass(slots=True)
class Wrap:
    """Inline formatting: `prefix` + children + `suffix` (bold, italic, …)."""

    prefix: str
    suffix: str
    children: list[Box]


@dataclass(slots=True)
class Block:
    """A paragraph-like block, separated from its neighbours by `margin` newlines (2 = blank line)."""

    children: list[Box]
    margin: int = 2


@dataclass(slots=True)
class Heading:
    """A heading whose level is the section depth it sits at."""

    children: list[Box]


@dataclass(slots=True)
class Section:
    """Content one heading level deeper."""

    children: list[Box]


@dataclass(slots=True)
class Captioned:
    """A captioned paragraph: `caption` styled by `style`, then `body`.

    `key` is the caption used when serializing (POML's `captionSerialized`).
    """

    caption: str
    style: str
    ending: str
    key: str
    body: list[Box]
    margin: int = 2


@dataclass(slots=True)
class Item:
    """One list item. `margin` 0 means: a blank line around it only if it holds blocks. `span` is
    the `<item>` it was written as (an item outside a list is an error there)."""

    children: list[Box]
    margin: int = 0
    span: Any = field(default=None, compare=False, repr=False)


@dataclass(slots=True)
class ListBox:
    """A list of items. `style` is dash, star, plus, decimal or latin."""

    style: str
    items: list[Item]


@dataclass(slots=True)
class Code:
    """Code: inline (backticks) or a fenced block with a language."""

    text: str
    lang: str | None
    inline: bool


@dataclass(slots=True)
class Data:
    """Structured data (an `<object>`), written in the syntax in effect."""

    value: Any
    syntax: str | None = None


@dataclass(slots=True)
class Env:
    """A subtree written in another syntax (json, yaml, xml, text inside markdown, …)."""

    syntax: str
    children: list[Box]
    options: dict[str, Any] = field(default_factory=dict)
    # True when the subtree asked for its syntax itself (a fenced block inside markdown).
    fenced: bool = True


@dataclass(slots=True)
class Named:
    """A subtree with an explicit serialization key (`name=` or a caption)."""

    key: str
    children: list[Box]


@dataclass(slots=True)
class Speaker:
    """A subtree spoken by `speaker` (human, ai, system, tool)."""

    speaker: str
    children: list[Box]
    margin: int = 2
    # The element that asked for the speaker (None for the siblings a speaker holds).
    span: Any = field(default=None, compare=False, repr=False)


@dataclass(slots=True)
class Media:
    """An image or audio clip: becomes its own part of the chat message it lands in.

    `base64` is the encoded bytes, `mime` their type (`image/png`, `audio/mpeg`, …). `position`
    is `here`, `top` (the start of its message) or `bottom` (the end).
    """

    mime: str
    base64: str
    alt: str | None = None
    position: str = "here"
    span: Any = field(default=None, compare=False, repr=False)


@dataclass(slots=True)
class ToolPart:
    """A tool call (`kind` "request", spoken by the ai) or a tool result ("response", by the tool).

    Like `Media`, it becomes its own part of the message it lands in. `value` is the call's
    arguments (a JSON value) for a request, and for a response the result: text, or a list of
    text and `Media` boxes.
    """

    kind: str
    id: str
    name: str
    value: Any
    span: Any = field(default=None, compare=False, repr=False)

    @property
    def speaker(self) -> str:
        return "ai" if self.kind == "request" else "tool"


@dataclass(slots=True)
class Table:
    """Tabular data: column names and rows (each row a list of cell values)."""

    columns: list[str]
    rows: list[list[Any]]
    syntax: str | None = None
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ModuleMark:
    """What the cache plan knows about a placed module.

    `name` is the module as the `<use>` named it, `key` the content hash of this rendering
    (module definition, arguments, selection, syntax), `cached` whether it is a cached module,
    `span` the `<use>` (or nested definition) that placed it.
    """

    name: str
    key: str
    cached: bool
    span: Any = None
    # The heading level its text was written at (a cached module's bytes depend on it).
    level: int = 1
    # Volatile data comes before it (`pml.compile.stability`): its prefix changes on every request.
    after_volatile: bool = False


@dataclass(slots=True, eq=False)
class Module:
    """A placed module: written as a block of its own, its offsets recorded for the cache plan.

    `entry` is the render-cache entry of a cached module: it keeps the written text, so the
    module's bytes are laid out once per heading level and spliced in on every later render.
    """

    mark: ModuleMark
    children: list[Box]
    entry: Any = None


@dataclass(slots=True, eq=False)
class Mark:
    """A subtree whose place in the output is recorded (`name`, `span`), without changing how it
    is laid out: reports such as `pml tokens` wrap the prompt's top-level elements in marks."""

    name: str
    span: Any
    children: list[Box]
    cached: bool = False


@dataclass(slots=True)
class Break:
    """`<br/>`: `count` newlines inside a paragraph."""

    count: int = 1


Box = (
    Inline | SoftSpace | Wrap | Block | Heading | Section | Captioned | Item | ListBox | Code | Data | Env | Named
    | Speaker | Break | Media | Table | ToolPart | Module | Mark
)

BLOCK_TYPES = (Block, Heading, Section, Captioned, ListBox, Env, Speaker, Table, Module)


def is_block(box: Box) -> bool:
    if isinstance(box, Code):
        return not box.inline
    if isinstance(box, Data):
        return box.syntax not in (None, "markdown")
    return isinstance(box, BLOCK_TYPES)
