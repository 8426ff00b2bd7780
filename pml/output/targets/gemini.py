"""Google Gemini: a `generateContent` request body (REST, camelCase).

    {"systemInstruction"?: {"parts": [{"text"}]},
     "contents": [{"role": "user"|"model", "parts": [{"text"} | {"inlineData": {"mimeType", "data"}}
                   | {"functionCall": {"id", "name", "args"}}
                   | {"functionResponse": {"id", "name", "response": {"output"}}}]}],
     "tools"?: [{"functionDeclarations": [{"name", "description"?, "parameters"}]}],
     "generationConfig"?: {"responseMimeType": "application/json", "responseSchema", …runtime},
     "model"?: "…", "stream"?: bool}

Tool results are sent in user turns; turns of the same role are merged. Schemas are reduced to
the OpenAPI subset Gemini's `Schema` takes (local `$ref`s inlined, `const` → `enum`, unknown
keywords such as `additionalProperties` dropped). `model` and `stream` are not part of the body:
they choose the URL (`models/{model}:generateContent` or `:streamGenerateContent`).
"""

from __future__ import annotations

from typing import Any

from pml.components.parts import MediaPart, Message, ToolCallPart, ToolResultPart
from pml.output.targets.common import FormatError, check_tool_message, split_runtime, system_text
from pml.output.view import RenderView

TARGET = "Gemini"

RENAMES = {
    "maxTokens": "maxOutputTokens",
    "maxCompletionTokens": "maxOutputTokens",
    "stop": "stopSequences",
}
# Parameters that are not generation settings.
TOP_LEVEL = frozenset({"model", "stream"})
SCHEMA_KEYS = frozenset({
    "type", "format", "title", "description", "nullable", "enum", "maxItems", "minItems", "properties",
    "required", "minProperties", "maxProperties", "minLength", "maxLength", "pattern", "example", "anyOf",
    "propertyOrdering", "default", "items", "minimum", "maximum",
})


def payload(rendered: RenderView) -> dict[str, Any]:
    """The generateContent request (module docstring)."""
    system: list[str] = []
    contents: list[dict[str, Any]] = []
    for index, message in enumerate(rendered.messages):
        if message.speaker == "system":
            system.append(system_text(message, index, TARGET, "system instruction"))
            continue
        role = "model" if message.speaker == "ai" else "user"
        parts = _parts(message, index)
        if contents and contents[-1]["role"] == role:
            contents[-1]["parts"].extend(parts)
        else:
            contents.append({"role": role, "parts": parts})
    if not contents:
        raise FormatError(f"{TARGET} needs at least one user turn, and this prompt has only system messages: "
                          "put the request in a <human-msg>")
    data: dict[str, Any] = {}
    if system:
        data["systemInstruction"] = {"parts": [{"text": "\n\n".join(system)}]}
    data["contents"] = contents
    if rendered.tools:
        data["tools"] = [{"functionDeclarations": [_declaration(t.to_dict()) for t in rendered.tools]}]
    config: dict[str, Any] = {}
    if rendered.schema is not None:
        config["responseMimeType"] = "application/json"
        config["responseSchema"] = gemini_schema(rendered.schema)
    top, settings = split_runtime(rendered.runtime, renames=RENAMES, known=TOP_LEVEL, style="camel")
    if isinstance(settings.get("stopSequences"), str):
        settings["stopSequences"] = [settings["stopSequences"]]
    config.update(settings)
    if config:
        data["generationConfig"] = config
    data.update(top)
    return data


def _declaration(tool: dict[str, Any]) -> dict[str, Any]:
    out = {"name": tool["name"]}
    if "description" in tool:
        out["description"] = tool["description"]
    out["parameters"] = gemini_schema(tool["parameters"])
    return out


def _parts(message: Message, index: int) -> list[dict[str, Any]]:
    if message.speaker == "tool":
        check_tool_message(message, index)
    if message.is_text:
        return [{"text": message.text}]
    parts: list[dict[str, Any]] = []
    for part in message.parts:
        if isinstance(part, str):
            if part.strip():
                parts.append({"text": part.strip("\n")})
        elif isinstance(part, MediaPart):
            parts.append({"inlineData": {"mimeType": part.mime, "data": part.base64}})
        elif isinstance(part, ToolCallPart):
            if not isinstance(part.arguments, dict):
                raise FormatError(f"{TARGET} needs tool-call arguments to be an object (`{part.name}`)", part.span)
            parts.append({"functionCall": {"id": part.id, "name": part.name, "args": part.arguments}})
        elif isinstance(part, ToolResultPart):
            parts.append({"functionResponse": {"id": part.id, "name": part.name,
                                               "response": {"output": part.text}}})
    return parts


def gemini_schema(schema: Any, defs: dict[str, Any] | None = None, depth: int = 0) -> Any:
    """A JSON schema reduced to the subset Gemini's `Schema` object takes."""
    if not isinstance(schema, dict):
        return schema
    if defs is None:
        defs = {**schema.get("definitions", {}), **schema.get("$defs", {})}
    if depth > 32:
        raise FormatError(f"{TARGET} cannot take a recursive schema")
    ref = schema.get("$ref")
    if isinstance(ref, str):
        name = ref.rsplit("/", 1)[-1]
        if not ref.startswith("#/") or name not in defs:
            raise FormatError(f"{TARGET} cannot resolve the schema reference `{ref}`")
        return gemini_schema({**defs[name], **{k: v for k, v in schema.items() if k != "$ref"}}, defs, depth + 1)
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "const":
            out["enum"] = [value]
        elif key == "type" and isinstance(value, list):
            kinds = [k for k in value if k != "null"]
            out["type"] = kinds[0] if len(kinds) == 1 else value
            if "null" in value:
                out["nullable"] = True
        elif key == "properties" and isinstance(value, dict):
            out[key] = {name: gemini_schema(sub, defs, depth + 1) for name, sub in value.items()}
        elif key == "items":
            out[key] = gemini_schema(value, defs, depth + 1)
        elif key == "anyOf" and isinstance(value, list):
            out[key] = [gemini_schema(sub, defs, depth + 1) for sub in value]
        elif key in SCHEMA_KEYS:
            out[key] = value
    return out
