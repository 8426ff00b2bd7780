"""Where a prompt's tokens go: per message, per top-level component, per module (`pml tokens`).

    from pml import load
    from pml.output.tokenreport import measure
    report = measure(load("prompt.pml"), {"name": "Ada"}, model="gpt-4o")
    report.total                      # every token of the messages
    [(c.name, c.tokens) for c in report.components]

The prompt is rendered once with a render hook (`pml.render.hooks`) that wraps each top-level
element of the document in an `ir.Mark`: the writer records where the element's text starts and
ends without changing the layout (the messages are exactly those of `Prompt.render`;
`tests/test_tokenreport.py` checks it on every case file). Each component is counted on its own
text; the text outside elements (and the blank lines between them) is the rest of the total, so
the rows add up to it.

Counting is offline (`pml.tokens.encodings`): exact for OpenAI models, an estimate in o200k_base for others.
Images are charged by OpenAI's 512px-tile rule, their size read from the PNG, JPEG, GIF or WebP
header (1024×1024 when it cannot be read). Tool calls and results are counted as their JSON and
text. What a provider adds around each message (role markers, a few tokens each) is not counted.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from pml.compile.program import CNode
from pml.components import boxes as ir
from pml.components.layout import Ctx
from pml.components.parts import MediaPart, Message, ToolCallPart, ToolResultPart
from pml.output.cacheplan import Placed, Position
from pml.output.prompt import Prompt, Rendered
from pml.render.hooks import RenderHook
from pml.render.renderer import SERIALIZED
from pml.tokens.encodings import Tokenizer, tokenizer_for
from pml.tokens.images import image_size

OUTSIDE = "text outside elements"
DEFAULT_IMAGE_SIZE = (1024, 1024)

__all__ = ["OUTSIDE", "ComponentCount", "MessageCount", "ModuleCount", "TokenReport", "image_size", "measure",
           "render_marked"]


# ---------------------------------------------------------------------- the report
@dataclass(frozen=True, slots=True)
class MessageCount:
    """One message: its place, speaker, tokens (text and images) and characters of text."""

    index: int
    speaker: str
    tokens: int
    chars: int
    images: int = 0
    image_tokens: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class ComponentCount:
    """A top-level element of the document (`<task>`, `<human-msg>`, …) and what it wrote."""

    name: str
    location: str  # file:line:col of the element
    tokens: int
    chars: int
    images: int = 0
    image_tokens: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class ModuleCount:
    """A placed module (`<use>`): its name, whether it is cached, and the tokens of its text."""

    name: str
    cached: bool
    tokens: int
    chars: int
    location: str | None = None  # the `<use>` that placed it

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class TokenReport:
    """Token counts of one render (module docstring). `total` is the sum over the messages;
    `outside` (text outside elements, and the separators between them) is what the components
    leave of it."""

    model: str
    encoding: str
    estimate: bool
    messages: tuple[MessageCount, ...]
    components: tuple[ComponentCount, ...]
    modules: tuple[ModuleCount, ...]
    outside_tokens: int
    outside_chars: int
    total: int
    chars: int
    notes: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "encoding": self.encoding,
            "estimate": self.estimate,
            "total_tokens": self.total,
            "total_chars": self.chars,
            "messages": [m.to_dict() for m in self.messages],
            "components": [c.to_dict() for c in self.components],
            "outside": {"tokens": self.outside_tokens, "chars": self.outside_chars},
            "modules": [m.to_dict() for m in self.modules],
            "notes": list(self.notes),
        }


# ---------------------------------------------------------------------- the marking render
@dataclass(slots=True)
class _Component:
    name: str
    span: Any
    parts: list[ir.Media | ir.ToolPart] = field(default_factory=list)


class _Marker(RenderHook):
    """A render hook that wraps the boxes of each top-level element of `top` (the compiled root) in
    an `ir.Mark`. Elements of a top-level `<include>` count as top-level: they are marked one by one.

    A Speaker box at the top of an element's boxes keeps its place (the sticky speaker grouping of
    `pml.render.renderer._sticky` looks for speakers there): the mark goes inside it, and the boxes around
    it get marks of their own. Interpolated or literal text outside elements is left unmarked; a root in a
    serialized syntax (json, yaml, xml, html) is one value, and nothing in it is marked.
    """

    def __init__(self, top: CNode) -> None:
        self.components: list[_Component] = []
        self.owners: dict[tuple[str, Any], int] = {}  # (name, span) of a mark → its component
        self.marked: dict[CNode, int] = {}  # a top-level element (by identity) → index into components
        self.enabled = True
        self._collect(top)

    def _collect(self, cnode: CNode) -> None:
        for child in cnode.children:
            if not isinstance(child, CNode):
                continue
            if child.component is None and child.loop is None and child.cond is None:
                self._collect(child)  # an <include>: its elements stand at the top level
                continue
            self.marked[child] = len(self.components)
            self.components.append(_Component(f"<{child.element.tag}>", child.span))

    def start(self, root: CNode, ctx: Ctx) -> None:
        self.enabled = ctx.syntax not in SERIALIZED

    def element(self, cnode: CNode, boxes: list[Any]) -> list[Any]:
        index = self.marked.get(cnode)
        if index is None or not self.enabled:
            return boxes
        return self._wrap(boxes, index)

    def _wrap(self, boxes: list[Any], index: int) -> list[Any]:
        component = self.components[index]
        component.parts.extend(_parts_in(b for b in boxes if not isinstance(b, str)))
        out: list[Any] = []
        run: list[Any] = []

        def mark(children: list[Any]) -> ir.Mark:
            box = ir.Mark(component.name, component.span, children)
            self.owners[(box.name, box.span)] = index
            return box

        for box in boxes:
            if isinstance(box, str) or isinstance(box, ir.Speaker):
                if run:
                    out.append(mark(run))
                    run = []
                if isinstance(box, str):
                    out.append(box)  # text of an <include>'s fragment: outside elements
                else:
                    out.append(ir.Speaker(box.speaker, [mark(box.children)], box.margin))
            else:
                run.append(box)
        if run:
            out.append(mark(run))
        return out


def _parts_in(boxes: Iterator[Any] | Sequence[Any]) -> Iterator[ir.Media | ir.ToolPart]:
    """The boxes of a box tree that become message parts of their own (media, tool calls and
    results), in order."""
    for box in boxes:
        if isinstance(box, (ir.Media, ir.ToolPart)):
            yield box
        elif isinstance(box, ir.Captioned):
            yield from _parts_in(box.body)
        elif isinstance(box, ir.ListBox):
            yield from _parts_in(box.items)
        elif hasattr(box, "children") and isinstance(box.children, list):
            yield from _parts_in(box.children)


@dataclass(frozen=True, slots=True)
class Marked:
    """A marking render: the messages (as `Prompt.render` gives them, with `marks`) and the
    top-level components with the marks of each and the boxes that became parts of their own."""

    rendered: Rendered
    components: tuple[tuple[str, Any], ...]  # (name, span)
    marks: tuple[tuple[Placed, ...], ...]  # per component
    parts: tuple[tuple[ir.Media | ir.ToolPart, ...], ...]  # per component: media, tool calls and results
    marked: bool  # False when the root syntax is serialized (json, yaml, xml, html): no marks


def render_marked(prompt: Prompt, context: Mapping[str, Any] | None = None, *, chat: bool = True) -> Marked:
    """Render `prompt` with each top-level element marked (see `_Marker`)."""
    marker = _Marker(prompt.root)
    rendered = prompt.render_with(marker, context, chat=chat)
    marks: list[list[Placed]] = [[] for _ in marker.components]
    for placed in rendered.marks:
        # By name and place, not identity: a budget's cut rebuilds the marks it cuts through.
        owner = marker.owners.get((placed.mark.name, placed.mark.span))
        if owner is not None:
            marks[owner].append(placed)
    return Marked(rendered, tuple((c.name, c.span) for c in marker.components), tuple(tuple(m) for m in marks),
                  tuple(tuple(c.parts) for c in marker.components), marker.enabled)


# ---------------------------------------------------------------------- counting
def measure(prompt: Prompt, context: Mapping[str, Any] | None = None, model: str | None = None) -> TokenReport:
    """Render `prompt` with `context` and count its tokens for `model` (default: o200k_base)."""
    tokenizer = tokenizer_for(model)
    marked = render_marked(prompt, context)
    messages = marked.rendered.messages
    notes: list[str] = []
    counter = _Counter(tokenizer, notes)

    message_counts: list[MessageCount] = []
    for index, message in enumerate(messages):
        tokens = chars = images = image_tokens = 0
        for part in message.parts:
            t, c, i, it = counter.part(part)
            tokens, chars, images, image_tokens = tokens + t, chars + c, images + i, image_tokens + it
        message_counts.append(MessageCount(index, message.speaker, tokens, chars, images, image_tokens))

    # A mark records text only: images and tool parts go to the component whose boxes held them.
    sent: dict[tuple[str, ...], list[Any]] = {}
    for message in messages:
        for part in message.parts:
            if not isinstance(part, str):
                sent.setdefault(_part_key(part), []).append(part)
    components: list[ComponentCount] = []
    for (name, span), placed, boxes in zip(marked.components, marked.marks, marked.parts, strict=True):
        tokens = chars = images = image_tokens = 0
        for text in (t for p in placed for t in _texts(messages, p.start, p.end)):
            tokens += counter.text(text)
            chars += len(text)
        for box in boxes:
            found = sent.get(_box_key(box))
            if found:
                t, c, i, it = counter.part(found.pop(0))
                tokens, chars, images, image_tokens = tokens + t, chars + c, images + i, image_tokens + it
        if not placed and not boxes:
            continue  # wrote nothing (a <let>, a <schema>, an `if` that failed, …)
        components.append(ComponentCount(name, str(span) if span is not None else "", tokens, chars, images,
                                         image_tokens))

    modules: list[ModuleCount] = []
    for module in marked.rendered.modules:
        tokens = chars = 0
        for text in _texts(messages, module.start, module.end):
            tokens += counter.text(text)
            chars += len(text)
        for part in _inner_parts(messages, module.start, module.end):
            tokens += counter.part(part)[0]
        span = getattr(module.mark, "span", None)
        modules.append(ModuleCount(module.name, module.cached, tokens, chars, str(span) if span is not None else None))

    total = sum(m.tokens for m in message_counts)
    chars = sum(m.chars for m in message_counts)
    if not marked.marked:
        notes.append("the prompt is written as one serialized value (json, yaml, xml or html): "
                     "its elements are not counted one by one")
    if tokenizer.estimate:
        notes.append(f"{tokenizer.name} has no offline tokenizer: counts are estimates in {tokenizer.encoding_name}")
    return TokenReport(
        model=tokenizer.name, encoding=tokenizer.encoding_name, estimate=tokenizer.estimate,
        messages=tuple(message_counts), components=tuple(components), modules=tuple(modules),
        outside_tokens=total - sum(c.tokens for c in components),
        outside_chars=chars - sum(c.chars for c in components),
        total=total, chars=chars, notes=tuple(dict.fromkeys(notes)),
    )


class _Counter:
    def __init__(self, tokenizer: Tokenizer, notes: list[str]) -> None:
        self.tokenizer = tokenizer
        self.notes = notes
        self._texts: dict[str, int] = {}

    def text(self, text: str) -> int:
        known = self._texts.get(text)
        if known is None:
            known = self._texts[text] = self.tokenizer.count(text)
        return known

    def image(self, data: str) -> int:
        size = image_size(data)
        if size is None:
            self.notes.append("an image's size could not be read: it is counted as "
                              f"{DEFAULT_IMAGE_SIZE[0]}×{DEFAULT_IMAGE_SIZE[1]}")
            size = DEFAULT_IMAGE_SIZE
        return self.tokenizer.count_image(*size)

    def part(self, part: Any) -> tuple[int, int, int, int]:
        """(tokens, chars, images, image tokens) of one message part."""
        if isinstance(part, str):
            return self.text(part), len(part), 0, 0
        if isinstance(part, MediaPart):
            if part.kind != "image":
                self.notes.append(f"{part.kind} parts are not counted")
                return 0, 0, 0, 0
            tokens = self.image(part.base64)
            return tokens, 0, 1, tokens
        if isinstance(part, ToolCallPart):
            text = part.name + json.dumps(part.arguments, ensure_ascii=False, separators=(",", ":"), default=str)
            return self.text(text), len(text), 0, 0
        if isinstance(part, ToolResultPart):
            pieces = [part.content] if isinstance(part.content, str) else list(part.content)
            tokens = chars = images = image_tokens = 0
            for piece in pieces:
                t, c, i, it = self.part(piece)
                tokens, chars, images, image_tokens = tokens + t, chars + c, images + i, image_tokens + it
            return tokens, chars, images, image_tokens
        text = repr(part)
        return self.text(text), len(text), 0, 0


def _part_key(part: Any) -> tuple[str, ...]:
    """What a message part that is not text is recognised by (`_box_key` of the box it came from)."""
    if isinstance(part, MediaPart):
        return ("media", part.mime, part.base64)
    if isinstance(part, ToolCallPart):
        return ("request", part.id, part.name)
    if isinstance(part, ToolResultPart):
        return ("response", part.id, part.name)
    return ("other", repr(part))


def _box_key(box: ir.Media | ir.ToolPart) -> tuple[str, ...]:
    if isinstance(box, ir.Media):
        return ("media", box.mime, box.base64)
    return (box.kind, box.id, box.name)


def _texts(messages: Sequence[Message], start: Position, end: Position) -> Iterator[str]:
    """The text between two positions, one piece per text part it covers."""
    for m in range(start.message, min(end.message, len(messages) - 1) + 1):
        for p, part in enumerate(messages[m].parts):
            if not isinstance(part, str) or (m, p) < start[:2] or (m, p) > end[:2]:
                continue
            lo = start.offset if (m, p) == start[:2] else 0
            hi = end.offset if (m, p) == end[:2] else len(part)
            if hi > lo:
                yield part[lo:hi]


def _inner_parts(messages: Sequence[Message], start: Position, end: Position) -> Iterator[Any]:
    """The parts other than text strictly between two positions (the images of a module)."""
    for m in range(start.message, min(end.message, len(messages) - 1) + 1):
        for p, part in enumerate(messages[m].parts):
            if not isinstance(part, str) and start[:2] < (m, p) < end[:2]:
                yield part
