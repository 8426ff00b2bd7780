"""Chat message components: system, human and ai messages, message content, conversations."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pml.compile.program import CNode
from pml.components import boxes as ir
from pml.components.layout import Ctx, LayoutContext
from pml.errors import render_error
from pml.registry import Attr, component
from pml.values import to_text

SPEAKER_NAMES = {"human": "human", "user": "human", "ai": "ai", "assistant": "ai", "system": "system",
                 "tool": "tool"}


def _message(speaker: str) -> Any:
    def layout(r: LayoutContext, node: CNode, attrs: Mapping[str, Any], scope: dict[str, Any],
               ctx: Ctx) -> list[ir.Box]:
        return [ir.Speaker(speaker, r.children(node, scope, ctx, attrs), 1, node.span)]

    return layout


component("SystemMessage", "system-msg", "SystemMessage",
          doc="A system message.", opaque_values=True)(_message("system"))
component("HumanMessage", "human-msg", "HumanMessage", "user-msg",
          doc="A human (user) message.", opaque_values=True)(_message("human"))
component("AiMessage", "ai-msg", "AiMessage", "assistant-msg",
          doc="An ai (assistant) message.", opaque_values=True)(_message("ai"))


def _content_boxes(content: Any) -> list[ir.Box]:
    if isinstance(content, list):
        text = "\n".join(to_text(part) for part in content)
    else:
        text = to_text(content)
    return [ir.Inline(text, True)] if text else []


@component("MessageContent", "msg-content",
           doc="The content of a message given as data (a string or a list of parts).",
           attrs=[Attr("content", "any", "A string, or a list of strings joined by newlines.")])
def layout_msg_content(r: LayoutContext, node: CNode, attrs: Mapping[str, Any], scope: dict[str, Any],
                       ctx: Ctx) -> list[ir.Box]:
    content = attrs.get("content")
    if content is None:
        return r.children(node, scope, ctx, attrs)
    return [ir.Block(_content_boxes(content))]


def select_messages(messages: list[Any], selection: str | None, span: Any) -> list[Any]:
    """POML's `selectedMessages`: a Python-style slice such as `2:4`, `-1:` or `3`."""
    if not selection:
        return messages
    text = str(selection).strip()
    try:
        if ":" in text:
            start_text, end_text = text.split(":", 1)
            start = int(start_text) if start_text.strip() else None
            end = int(end_text) if end_text.strip() else None
            return messages[start:end]
        index = int(text)
        return messages[index : index + 1] if index != -1 else messages[-1:]
    except ValueError:
        raise render_error(f"`selectedMessages` should be a slice like `2:4` or `-1:`, not `{text}`", span) from None


@component("Conversation", "conversation",
           doc="A conversation given as data: a list of `{speaker, content}` messages.",
           attrs=[Attr("messages", "array", "The messages: a list of objects with `speaker` and `content`."),
                  Attr("selectedMessages", "string", "A slice of the messages to keep, like `-2:`.")])
def layout_conversation(r: LayoutContext, node: CNode, attrs: Mapping[str, Any], scope: dict[str, Any],
                        ctx: Ctx) -> list[ir.Box]:
    messages = attrs.get("messages") or []
    if not isinstance(messages, list):
        raise render_error("`messages` should be a list of `{speaker, content}` objects", node.span)
    boxes: list[ir.Box] = []
    for message in select_messages(messages, attrs.get("selectedMessages"), node.span):
        if not isinstance(message, dict):
            raise render_error("each message should be an object with `speaker` and `content`", node.span)
        raw = str(message.get("speaker") or message.get("role") or "human").lower()
        speaker = SPEAKER_NAMES.get(raw)
        if speaker is None:
            raise render_error(f"unknown speaker `{raw}` in a conversation message", node.span,
                               "use human, ai or system")
        boxes.append(ir.Speaker(speaker, _content_boxes(message.get("content", "")), 1, node.span))
    return boxes
