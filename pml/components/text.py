"""The text catalog: containers, paragraphs, inline formatting, headings, lists, code, captions.

Each component is one registry entry (names, attributes, docs) and one layout function that
turns attributes and children into boxes. Presentation defaults (captions, caption styles,
list markers) are not here: they are in `stylesheets/default.pss`.
"""

from __future__ import annotations

import copy
import textwrap
from collections.abc import Mapping
from typing import Any

from pml.compile.program import CNode
from pml.components import boxes as ir
from pml.components.layout import Ctx, LayoutContext
from pml.registry import SYNTAXES, Attr, component

CAPTION_STYLES = ("header", "bold", "plain", "hidden")
CAPTION_ENDINGS = ("colon", "newline", "colon-newline", "none")
TEXT_TRANSFORMS = ("upper", "lower", "capitalize", "none")
LIST_STYLES = ("dash", "star", "plus", "decimal", "latin")

CAPTION_ATTRS = (
    Attr("caption", "string", "The caption (title) shown before the content."),
    Attr("captionSerialized", "string", "The key used for the caption in json, yaml and xml."),
    Attr("captionStyle", "enum", "How the caption is shown: header, bold, plain or hidden.",
         CAPTION_STYLES),
    Attr("captionTextTransform", "enum", "Letter case of the caption: upper, lower, capitalize, none.",
         TEXT_TRANSFORMS),
    Attr("captionEnding", "enum", "What follows a bold or plain caption: colon, newline, "
         "colon-newline or none.", CAPTION_ENDINGS),
)
BLANK_LINE = Attr("blankLine", "boolean", "Separate this block from its neighbours by a blank line "
                  "(true, the default) or a single newline (false).")


def transform_caption(text: str, how: str | None) -> str:
    if how == "upper":
        return text.upper()
    if how == "lower":
        return text.lower()
    if how == "capitalize":
        return text[:1].upper() + text[1:]
    return text


def captioned(attrs: Mapping[str, Any], body: list[ir.Box], *, default_caption: str = "") -> ir.Captioned:
    caption = str(attrs.get("caption") or default_caption)
    key = str(attrs.get("captionSerialized") or caption)
    return ir.Captioned(
        transform_caption(caption, attrs.get("captionTextTransform")),
        attrs.get("captionStyle") or "header",
        attrs.get("captionEnding") or ("none" if attrs.get("captionStyle") == "header" else "colon"),
        key,
        body,
        1 if attrs.get("blankLine") is False else 2,
    )


def handles_syntax(fn: Any) -> Any:
    """Mark a layout that reads its own `syntax` attribute (no generic syntax switch around it)."""
    fn.handles_syntax = True
    return fn


# ------------------------------------------------------------------ containers


@component("Text", "poml", "pml", "text", "div",
           doc="A container. As the root it sets the syntax of the whole prompt; inside, it groups "
               "content (and may switch syntax for its subtree).",
           attrs=[Attr("syntax", "enum", "The syntax of this subtree.", SYNTAXES)], opaque_values=True)
def layout_text(r: LayoutContext, node: CNode, attrs: Mapping[str, Any], scope: dict[str, Any],
                ctx: Ctx) -> list[ir.Box]:
    return [ir.Block(r.children(node, scope, ctx, attrs), 1)]


@component("Paragraph", "p", doc="A paragraph: a block separated from its neighbours by a blank line.",
           attrs=[BLANK_LINE], opaque_values=True)
def layout_p(r: LayoutContext, node: CNode, attrs: Mapping[str, Any], scope: dict[str, Any], ctx: Ctx) -> list[ir.Box]:
    return [ir.Block(r.children(node, scope, ctx, attrs), 1 if attrs.get("blankLine") is False else 2)]


@component("Inline", "span", doc="Inline text: runs into the text around it.", kind="inline", opaque_values=True)
def layout_span(r: LayoutContext, node: CNode, attrs: Mapping[str, Any], scope: dict[str, Any],
                ctx: Ctx) -> list[ir.Box]:
    return r.children(node, scope, ctx, attrs)


@component("Newline", "br", doc="A line break.", kind="inline",
           attrs=[Attr("newLineCount", "integer", "How many newlines.", default=1)], opaque_values=True)
def layout_br(r: LayoutContext, node: CNode, attrs: Mapping[str, Any], scope: dict[str, Any], ctx: Ctx) -> list[ir.Box]:
    return [ir.Break(int(attrs.get("newLineCount") or 1))]


@component("Header", "h", doc="A heading; its level follows the nesting of sections and captions.",
           opaque_values=True)
def layout_h(r: LayoutContext, node: CNode, attrs: Mapping[str, Any], scope: dict[str, Any], ctx: Ctx) -> list[ir.Box]:
    return [ir.Heading(r.children(node, scope, ctx, attrs))]


@component("SubContent", "section", doc="A section: headings inside it are one level deeper.",
           opaque_values=True)
def layout_section(r: LayoutContext, node: CNode, attrs: Mapping[str, Any], scope: dict[str, Any],
                   ctx: Ctx) -> list[ir.Box]:
    return [ir.Section(r.children(node, scope, ctx, attrs))]


def _wrapper(mark: str) -> Any:
    def layout(r: LayoutContext, node: CNode, attrs: Mapping[str, Any], scope: dict[str, Any],
               ctx: Ctx) -> list[ir.Box]:
        return [ir.Wrap(mark, mark, r.children(node, scope, ctx, attrs))]

    return layout


component("Bold", "b", doc="Bold text (`**x**`).", kind="inline", opaque_values=True)(_wrapper("**"))
component("Italic", "i", doc="Italic text (`*x*`).", kind="inline", opaque_values=True)(_wrapper("*"))
component("Strikethrough", "s", "strike", doc="Struck-through text (`~~x~~`).", kind="inline",
          opaque_values=True)(_wrapper("~~"))
component("Underline", "u", doc="Underlined text (`__x__`, as POML writes it).", kind="inline",
          opaque_values=True)(_wrapper("__"))


# ------------------------------------------------------------------ code


@component("Code", "code",
           doc="Code. Inline by default (backticks); `inline=\"false\"` makes a fenced block whose "
               "fence is longer than any backtick run inside and whose whitespace is kept.",
           kind="inline",
           attrs=[Attr("inline", "boolean", "Inline code (true) or a fenced block (false).", default=True),
                  Attr("lang", "string", "The language named after the opening fence.")])
def layout_code(r: LayoutContext, node: CNode, attrs: Mapping[str, Any], scope: dict[str, Any],
                ctx: Ctx) -> list[ir.Box]:
    if attrs.get("inline", True):
        return [ir.Code(r.text(node, scope, ctx, attrs.get("whiteSpace") or "filter"), attrs.get("lang"), True)]
    boxes = r.children(node, scope, ctx, attrs, white_space=attrs.get("whiteSpace") or "pre")
    authored = all(not (isinstance(b, ir.Inline) and b.verbatim) for b in boxes)
    if boxes and isinstance(boxes[0], ir.Inline) and not boxes[0].verbatim:
        boxes[0] = ir.Inline(_drop_blank_lines(boxes[0].text, leading=True))
    if boxes and isinstance(boxes[-1], ir.Inline) and not boxes[-1].verbatim:
        boxes[-1] = ir.Inline(boxes[-1].text.rstrip())
    body = r.write([ir.Block(boxes)], "markdown").text
    if authored:
        body = textwrap.dedent(body)
    return [ir.Code(body, attrs.get("lang"), False)]


def _drop_blank_lines(text: str, *, leading: bool) -> str:
    """Remove the whitespace-only lines at the start of authored code (its indentation stays)."""
    lines = text.split("\n")
    while len(lines) > 1 and not lines[0].strip():
        lines.pop(0)
    return "\n".join(lines)


# ------------------------------------------------------------------ lists


@component("List", "list",
           doc="A list of `<item>`s. Nested lists are indented under their item.",
           attrs=[Attr("listStyle", "enum", "The marker: dash, star, plus, decimal or latin.", LIST_STYLES)],
           opaque_values=True)
def layout_list(r: LayoutContext, node: CNode, attrs: Mapping[str, Any], scope: dict[str, Any],
                ctx: Ctx) -> list[ir.Box]:
    items: list[ir.Item] = []
    for box in r.children(node, scope, ctx, attrs):
        item = _as_item(box)
        if item is not None:
            items.append(item)
        elif isinstance(box, ir.Inline) and not box.text.strip():
            continue
        else:
            items.append(ir.Item([box]))
    return [ir.ListBox(attrs.get("listStyle") or "dash", items)]


def _as_item(box: ir.Box) -> ir.Item | None:
    """An `<item>`, also when its own attributes wrapped it (`name`, `speaker`, `syntax`):
    the wrapper then goes inside the item."""
    if isinstance(box, ir.Item):
        return box
    if isinstance(box, (ir.Named, ir.Speaker, ir.Env)) and len(box.children) == 1:
        inner = _as_item(box.children[0])
        if inner is not None:
            wrapper = copy.copy(box)
            wrapper.children = inner.children
            return ir.Item([wrapper], inner.margin, inner.span)
    return None


@component("ListItem", "item", doc="One item of a `<list>`.",
           attrs=[Attr("blankLine", "boolean", "Separate this item from its neighbours by a blank line.")],
           opaque_values=True)
def layout_item(r: LayoutContext, node: CNode, attrs: Mapping[str, Any], scope: dict[str, Any],
                ctx: Ctx) -> list[ir.Box]:
    blank = attrs.get("blankLine")
    margin = 0 if blank is None else 2 if blank else 1
    return [ir.Item(r.children(node, scope, ctx, attrs), margin, node.span)]


# ------------------------------------------------------------------ captioned paragraphs


def layout_captioned(r: LayoutContext, node: CNode, attrs: Mapping[str, Any], scope: dict[str, Any],
                     ctx: Ctx) -> list[ir.Box]:
    return [captioned(attrs, r.children(node, scope, ctx, attrs))]


component("CaptionedParagraph", "cp", "captioned-paragraph",
          doc="A paragraph with a caption: a header by default, or a bold or plain lead-in.",
          attrs=[*CAPTION_ATTRS[1:], BLANK_LINE,
                 Attr("caption", "string", "The caption (title) shown before the content.", required=True)],
          opaque_values=True)(layout_captioned)

_INTENTS = {
    "Role": (("role",), "The role the model plays. Caption “Role”."),
    "Task": (("task",), "What the model should do. Caption “Task”."),
    "OutputFormat": (("output-format",), "How the answer should look. Caption “Output Format”."),
    "StepwiseInstructions": (("stepwise-instructions",), "Steps to follow. Caption “Stepwise Instructions”."),
    "Hint": (("hint",), "A hint, as a bold lead-in “Hint:”."),
    "Introducer": (("introducer",), "Text that introduces what follows; no caption is shown."),
}
for _name, (_tags, _doc) in _INTENTS.items():
    component(_name, *_tags, doc=_doc + " A kind of `<cp>`: `cp` style rules apply to it too.",
              attrs=[*CAPTION_ATTRS, BLANK_LINE], bases=("CaptionedParagraph",), opaque_values=True)(layout_captioned)


@component("Question", "qa", "question",
           doc="A question followed by an empty answer caption for the model to complete.",
           attrs=[*CAPTION_ATTRS,
                  Attr("questionCaption", "string", "The caption of the question.", default="Question"),
                  Attr("answerCaption", "string", "The caption of the answer.", default="Answer")],
           opaque_values=True)
def layout_qa(r: LayoutContext, node: CNode, attrs: Mapping[str, Any], scope: dict[str, Any], ctx: Ctx) -> list[ir.Box]:
    style = attrs.get("captionStyle") or "bold"
    question = dict(attrs, caption=attrs.get("questionCaption") or "Question", captionStyle=style)
    answer = dict(attrs, caption=attrs.get("answerCaption") or "Answer", captionStyle=style)
    return [
        captioned(question, r.children(node, scope, ctx, attrs)),
        captioned(answer, []),
    ]


# ------------------------------------------------------------------ examples


@component("ExampleSet", "examples",
           doc="A set of examples. In chat mode (the default) each example's input and output "
               "become human and ai messages.",
           attrs=[*CAPTION_ATTRS,
                  Attr("chat", "boolean", "Render examples as chat messages."),
                  Attr("introducer", "string", "A sentence shown before the examples.")], opaque_values=True)
def layout_examples(r: LayoutContext, node: CNode, attrs: Mapping[str, Any], scope: dict[str, Any],
                    ctx: Ctx) -> list[ir.Box]:
    from dataclasses import replace

    inner = replace(ctx, chat=attrs["chat"]) if attrs.get("chat") is not None else ctx
    body = r.children(node, scope, inner, attrs)
    if attrs.get("introducer"):
        body = [ir.Block([ir.Inline(str(attrs["introducer"]))]), *body]
    return [captioned(attrs, body)]


@component("Example", "example",
           doc="One example: an `<input>` and an `<output>`.",
           attrs=[*CAPTION_ATTRS, Attr("chat", "boolean", "Render as chat messages.")], opaque_values=True)
def layout_example(r: LayoutContext, node: CNode, attrs: Mapping[str, Any], scope: dict[str, Any],
                   ctx: Ctx) -> list[ir.Box]:
    from dataclasses import replace

    inner = replace(ctx, chat=attrs["chat"]) if attrs.get("chat") is not None else ctx
    return [captioned(attrs, r.children(node, scope, inner, attrs))]


def _example_part(speaker: str) -> Any:
    def layout(r: LayoutContext, node: CNode, attrs: Mapping[str, Any], scope: dict[str, Any],
               ctx: Ctx) -> list[ir.Box]:
        body = r.children(node, scope, ctx, attrs)
        style = attrs.get("captionStyle")
        if ctx.chat and ctx.syntax in ("markdown", "text", "html"):
            # A chat turn hides its caption, unless a caption style is asked for (as in POML).
            inner: list[ir.Box] = [captioned(attrs, body)] if style else body
            if attrs.get("speaker"):
                return [ir.Block(inner)]
            return [ir.Speaker(speaker, inner, span=node.span)]
        return [captioned(dict(attrs, captionStyle=style or "bold"), body)]

    return layout


component("ExampleInput", "input", doc="An example's input (a human message in chat mode).",
          attrs=[*CAPTION_ATTRS], opaque_values=True)(_example_part("human"))
component("ExampleOutput", "output", doc="An example's output (an ai message in chat mode).",
          attrs=[*CAPTION_ATTRS], opaque_values=True)(_example_part("ai"))
