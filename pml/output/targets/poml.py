"""POML's own shapes: `message_dict`, `dict`, `raw` and the pretty `text`."""

from __future__ import annotations

import json
import re
from typing import Any

from pml.components.parts import Message
from pml.output.view import RenderView


def message_dict(rendered: RenderView) -> list[dict[str, Any]]:
    """`[{"speaker": "human"|"ai"|"system"|"tool", "content": text or parts}]`."""
    return [m.to_dict() for m in rendered.messages]


def to_dict(rendered: RenderView) -> dict[str, Any]:
    """`{"messages", "schema"?, "tools"?, "runtime"?}`; `messages` is the content with chat off."""
    messages: Any
    if rendered.chat:
        messages = message_dict(rendered)
    else:
        messages = rendered.messages[0].content if rendered.messages else ""
    data: dict[str, Any] = {"messages": messages}
    if rendered.schema is not None:
        data["schema"] = rendered.schema
    if rendered.tools:
        data["tools"] = [t.to_dict() for t in rendered.tools]
    if rendered.runtime:
        data["runtime"] = rendered.runtime
    return data


def raw(rendered: RenderView) -> str:
    """The `dict` shape as JSON text (what POML's `raw` returns)."""
    return json.dumps(to_dict(rendered), ensure_ascii=False)


# A content line that reads like a message header (with any backslashes already in front of it).
_HEADER_LIKE = re.compile(r"^(\\*===== .* =====)$", re.MULTILINE)


def text(rendered: RenderView) -> str:
    """POML's pretty text: `===== speaker =====` blocks (just the content with chat off).

    A line of content that reads like a header is written with one more backslash in front
    (`\\===== system =====`), so that headers and content never look alike; remove one leading
    backslash from such lines to get the content back."""
    if not rendered.chat:
        return pretty(rendered.messages[0]) if rendered.messages else ""
    return "\n\n".join(f"===== {m.speaker} =====\n\n{guard(pretty(m))}" for m in rendered.messages)


def guard(content: str) -> str:
    """Content with a backslash before each line that reads like a message header."""
    if "=====" not in content:
        return content
    return _HEADER_LIKE.sub(r"\\\1", content)


def pretty(message: Message) -> str:
    """A message as POML prints it: other parts as one JSON line cut at 100 characters."""
    if message.is_text:
        return message.text
    out: list[str] = []
    for part in message.parts:
        if isinstance(part, str):
            out.append(part)
        else:
            line = json.dumps(part.to_dict(), separators=(",", ":"), ensure_ascii=False)
            out.append(line if len(line) <= 100 else line[:100] + "...")
    return "\n\n".join(p.strip("\n") for p in out if p.strip())
