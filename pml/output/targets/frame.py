"""POML's `pydantic` shape: a `PomlFrame` with typed messages (needs Pydantic).

The classes and fields are POML's (`poml.api`): `PomlFrame(messages, output_schema, tools,
runtime)`, `PomlMessage(speaker, content)`, and the parts `ContentMultiMedia`,
`ContentMultiMediaToolRequest`, `ContentMultiMediaToolResponse`.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

from pml.output.view import RenderView


class ContentMultiMedia(BaseModel):
    type: str  # image/png, image/jpeg, …
    base64: str
    alt: str | None = None


class ContentMultiMediaToolRequest(BaseModel):
    type: Literal["application/vnd.poml.toolrequest"]
    id: str
    name: str
    content: Any  # the arguments of the call


class ContentMultiMediaToolResponse(BaseModel):
    type: Literal["application/vnd.poml.toolresponse"]
    id: str
    name: str
    content: str | list[str | ContentMultiMedia]


RichContent = str | list[str | ContentMultiMedia | ContentMultiMediaToolRequest | ContentMultiMediaToolResponse]

Speaker = Literal["human", "ai", "system", "tool"]


class PomlMessage(BaseModel):
    speaker: Speaker
    content: RichContent


class PomlFrame(BaseModel):
    messages: list[PomlMessage]
    output_schema: dict[str, Any] | None = None  # (`schema` is taken by Pydantic)
    tools: list[dict[str, Any]] | None = None
    runtime: dict[str, Any] | None = None


def payload(rendered: RenderView) -> PomlFrame:
    """The render as POML's `PomlFrame`."""
    if rendered.chat:
        messages = [PomlMessage(**m.to_dict()) for m in rendered.messages]
    else:
        content = rendered.messages[0].content if rendered.messages else ""
        messages = [PomlMessage(speaker="human", content=content)]
    return PomlFrame(messages=messages, output_schema=rendered.schema,
                     tools=[t.to_dict() for t in rendered.tools] or None, runtime=rendered.runtime)
