"""Tools, schemas and call settings: `<output-schema>`, `<tool-definition>`, `<tool-request>`,
`<tool-response>`, `<runtime>` and `<meta>`.

The first three readers and `<runtime>` write no text: they fill the render's `CallSettings`
(`Rendered.schema`, `.tools`, `.runtime`). `<tool-request>` and `<tool-response>` become
message parts (an ai tool call, a tool message with the result), placed like media. `<meta>`
is read while compiling (`pml.compile.meta`): it checks the version and turns components off or on.

Schema bodies are JSON, a `{{ expression }}` giving a dict (or JSON text, or a Pydantic model),
or a Zod expression that is parsed, never run (`pml.components.schemas`). A body written as JSON is checked
against the JSON Schema meta-schema while compiling (`check_schema_body`): each problem is a
warning at the bad value, with its JSON path.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from pml.compile.program import CNode, ExprPiece, TextPiece
from pml.components import boxes as ir
from pml.components.layout import Ctx, LayoutContext
from pml.components.parts import ToolSpec
from pml.components.schemas import (
    SchemaError,
    json_schema_text,
    locate,
    schema_from_value,
    schema_problems,
    zod_to_json_schema,
)
from pml.errors import Diagnostic, PMLError, render_error
from pml.expressions import compile_expression
from pml.registry import Attr, component, kebab_to_camel
from pml.syntax.nodes import Comment, Element, Text
from pml.syntax.source import Span

PARSERS = ("json", "eval")
PARSER_ATTR = Attr("parser", "enum", "How the body is read: json, or eval (a Zod schema, parsed — never run). "
                   "Default: json when the body starts with `{`, else eval.", PARSERS)


# ---------------------------------------------------------------------------- schema bodies


def read_schema(r: LayoutContext, node: CNode, attrs: Mapping[str, Any], scope: dict[str, Any]) -> dict[str,
                Any] | None:
    """The JSON schema an element's body gives (None for an empty body)."""
    tag = node.element.tag
    pieces = node.children
    for child in pieces:
        if isinstance(child, CNode):
            raise render_error(f"`<{tag}>` takes a JSON or Zod schema as text, not elements", child.span,
                               "write the schema as JSON, or pass one with {{ expression }}")
    exprs = [p for p in pieces if isinstance(p, ExprPiece)]
    literal = "".join(p.value for p in pieces if isinstance(p, TextPiece))
    if len(exprs) == 1 and not literal.strip():
        value = r.evaluate(exprs[0].expression, scope)
        try:
            return schema_from_value(value)
        except SchemaError as exc:
            raise render_error(f"`<{tag}>`: {exc}", exprs[0].expression.span, exc.hint) from None
    text = "".join(p.value if isinstance(p, TextPiece) else _as_text(r.evaluate(p.expression, scope))
                   for p in pieces if not isinstance(p, CNode))
    body = text.strip()
    if not body:
        return None
    lead = len(text) - len(text.lstrip())
    parser = attrs.get("parser") or ("json" if body.startswith("{") else "eval")
    try:
        if parser == "json":
            return _json_schema(body)
        if re.match(r"z\s*\.", body):
            return zod_to_json_schema(body)
    except SchemaError as exc:
        raise render_error(f"`<{tag}>`: {exc}", _body_span(node, lead + exc.offset, exprs), exc.hint) from None
    return _expression_schema(r, node, body, scope, lead, exprs)


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _json_schema(body: str) -> dict[str, Any]:
    return json_schema_text(body)


def _expression_schema(r: LayoutContext, node: CNode, body: str, scope: dict[str, Any], lead: int,
                       exprs: list[Any]) -> Any:
    """`parser="eval"` with a body that is not Zod: a PML expression (sandboxed) giving the schema."""
    span = _body_span(node, lead, exprs, len(body))
    try:
        expression = compile_expression(body, span)
    except PMLError:
        raise render_error(f"`<{node.element.tag}>` is neither JSON nor a Zod schema (`z.object(…)`)", span,
                           "PML reads a subset of Zod and never runs JavaScript; see docs/language.md") from None
    value = r.evaluate(expression, scope)
    try:
        return schema_from_value(value)
    except SchemaError as exc:
        raise render_error(f"`<{node.element.tag}>`: {exc}", span, exc.hint) from None


def _body_span(node: CNode, offset: int, exprs: list[Any], length: int = 1) -> Span:
    """Where `offset` of the element's body text is in the source (the element when unsure)."""
    texts = [c for c in node.element.children if isinstance(c, Text)]
    if len(texts) != 1 or exprs:
        return node.span
    text = texts[0]
    start = min(text.span.start + offset, text.span.end)
    return text.span.source.span(start, min(start + max(length, 1), text.span.end))


def check_schema_body(element: Element) -> list[Diagnostic]:
    """Warnings for a schema body written as JSON that the JSON Schema meta-schema rejects, each at
    the bad value. Bodies with `{{ }}` are known only when rendering; Zod bodies are converted to
    valid schemas; a body that is not JSON is an error when rendering."""
    if any(not isinstance(child, (Text, Comment)) for child in element.children):
        return []
    texts = [child for child in element.children if isinstance(child, Text)]
    body = "".join(t.value for t in texts)
    parser = element.attribute("parser")
    written = parser.text.strip() if parser is not None and parser.is_static else None
    if written == "eval" or (written != "json" and not body.lstrip().startswith("{")):
        return []
    try:
        schema = json.loads(body)
    except (ValueError, RecursionError):
        return []
    if not isinstance(schema, dict):
        return []
    located = []
    for problem in schema_problems(schema):
        offsets = locate(body, problem.path)
        located.append((offsets[0] if offsets else -1, problem, _value_span(element, texts, offsets)))
    located.sort(key=lambda item: item[0])
    return [Diagnostic("warning", f"`<{element.tag}>`: {problem.message}", span, problem.hint, "schema")
            for _, problem, span in located]


def _value_span(element: Element, texts: list[Text], offsets: tuple[int, int] | None) -> Span:
    """The span of `offsets` in the body, where the body is one text written as it reads."""
    if offsets is None or len(texts) != 1:
        return element.name_span or element.span
    span = texts[0].span
    if span.source.text[span.start:span.end] != texts[0].value:  # entities: offsets do not map
        return span
    return span.source.span(span.start + offsets[0], span.start + offsets[1])


# ---------------------------------------------------------------------------- components


@component("OutputSchema", "output-schema", kind="reader",
           doc="The JSON schema of the response (`Rendered.schema`; `response_format` for OpenAI). The body is "
               "JSON, `{{ expression }}` giving a schema (a dict, JSON text or a Pydantic model), or a Zod "
               "schema such as `z.object({answer: z.string()})`, which is parsed, never run. One per "
               "document.",
           attrs=[PARSER_ATTR], check=check_schema_body)
def layout_output_schema(r: LayoutContext, node: CNode, attrs: Mapping[str, Any], scope: dict[str, Any],
                         ctx: Ctx) -> list[Any]:
    first = r.schema_span()
    if first is not None:
        raise render_error("a prompt takes one `<output-schema>`", node.span,
                           f"the first is at {first.line}:{first.column}")
    r.declare_schema(read_schema(r, node, attrs, scope), node.span)
    return []


@component("ToolDefinition", "tool-definition", "tool-def", "tool", kind="reader",
           doc="A function tool the model may call (`Rendered.tools`). The body is the JSON schema of its "
               "parameters: JSON, `{{ expression }}`, or a Zod schema (parsed, never run). An empty body "
               "is a tool without parameters.",
           attrs=[Attr("name", "string", "The tool's name.", required=True),
                  Attr("description", "string", "What the tool does, for the model."),
                  PARSER_ATTR], check=check_schema_body)
def layout_tool_definition(r: LayoutContext, node: CNode, attrs: Mapping[str, Any], scope: dict[str, Any],
                           ctx: Ctx) -> list[Any]:
    name = str(attrs.get("name") or "").strip()
    if not name:
        raise render_error("a tool needs a `name`", node.span)
    if r.has_tool(name):
        raise render_error(f"the tool `{name}` is defined twice", node.span)
    parameters = read_schema(r, node, attrs, scope) or {"type": "object", "properties": {}}
    description = attrs.get("description")
    r.declare_tool(ToolSpec(name, str(description) if description else None, parameters))
    return []


@component("ToolRequest", "tool-request", kind="inline",
           doc="A tool call the assistant made: an ai message part (OpenAI `tool_calls`, Anthropic "
               "`tool_use`).",
           attrs=[Attr("id", "string", "The call's id (answered by a `<tool-response>` with the same id).",
                       required=True),
                  Attr("name", "string", "The tool called.", required=True),
                  Attr("parameters", "any", "The arguments: a JSON object, or `{{ expression }}`.")])
def layout_tool_request(r: LayoutContext, node: CNode, attrs: Mapping[str, Any], scope: dict[str, Any],
                        ctx: Ctx) -> list[ir.Box]:
    arguments = attrs.get("parameters")
    if arguments is None:
        arguments = {}
    elif isinstance(arguments, str):
        try:
            arguments = json.loads(arguments) if arguments.strip() else {}
        except json.JSONDecodeError as exc:
            attr = node.element.attribute("parameters")
            raise render_error(f"`parameters` of a tool request must be JSON: {exc.msg}",
                               (attr.value_span or attr.span) if attr else node.span,
                               "write JSON such as '{\"city\": \"Paris\"}', or pass data with {{ expression }}") \
                from None
    return [ir.ToolPart("request", str(attrs["id"]), str(attrs["name"]), arguments, node.span)]


@component("ToolResponse", "tool-response", kind="inline",
           doc="The result of a tool call: its content becomes a `tool` message (OpenAI `tool` role, "
               "Anthropic `tool_result`).",
           attrs=[Attr("id", "string", "The id of the call this answers.", required=True),
                  Attr("name", "string", "The tool that was called.", required=True)])
def layout_tool_response(r: LayoutContext, node: CNode, attrs: Mapping[str, Any], scope: dict[str, Any],
                         ctx: Ctx) -> list[ir.Box]:
    written = r.write([ir.Block(r.children(node, scope, ctx, attrs))], ctx.syntax)
    content: Any = written.text
    media = [(offset, box) for offset, _, box in written.media if isinstance(box, ir.Media)]
    if media:
        parts: list[Any] = []
        position = 0
        for offset, box in media:
            if offset > position:
                parts.append(written.text[position:offset])
                position = offset
            parts.append(box)
        parts.append(written.text[position:])
        content = [p for p in parts if not isinstance(p, str) or p.strip()]
    return [ir.ToolPart("response", str(attrs["id"]), str(attrs["name"]), content, node.span)]


@component("Runtime", "runtime", kind="reader", open_attrs=True, open_type="any",
           doc="Parameters of the model call (`Rendered.runtime`): any attributes, e.g. "
               "`<runtime model=\"gpt-4o\" temperature=\"0.2\" max-tokens=\"300\" stop='[\"END\"]'/>`. Names "
               "become camelCase; values are typed (`0.2` → number, `false` → boolean, JSON arrays and "
               "objects parsed); empty values are left out. Each provider format renames them "
               "(docs/language.md).")
def layout_runtime(r: LayoutContext, node: CNode, attrs: Mapping[str, Any], scope: dict[str, Any],
                   ctx: Ctx) -> list[Any]:
    for name in sorted(node.written, key=_written_order(node)):
        value = attrs.get(name)
        if isinstance(value, str):
            if not value:
                continue
            value = runtime_value(value)
        elif value is None:
            continue
        r.set_runtime(kebab_to_camel(name) if "-" in name else name, value)
    return []


def _written_order(node: CNode) -> Any:
    order = {a.name: i for i, a in enumerate(node.element.attributes)}
    spelled = {normalize(a.name): i for i, a in enumerate(node.element.attributes)}
    return lambda name: order.get(name, spelled.get(normalize(name), len(order)))


def normalize(name: str) -> str:
    return name.replace("-", "").replace("_", "").lower()


_NUMBER = re.compile(r"-?\d*\.?\d+")


def runtime_value(text: str) -> Any:
    """POML's typing of runtime values: booleans, numbers, JSON arrays and objects, else the text."""
    if text in ("true", "false"):
        return text == "true"
    if _NUMBER.fullmatch(text):
        return float(text) if "." in text else int(text)
    if (text.startswith("[") and text.endswith("]")) or (text.startswith("{") and text.endswith("}")):
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return text
    return text


# ---------------------------------------------------------------------------- <meta>


@component("Meta", "meta", kind="reader",
           doc="Document settings, read while compiling: `minVersion`/`maxVersion` check the PML version; "
               "`components=\"-table,+img\"` turns components off (`-`) or back on (`+`) for the rest of "
               "the document (a component turned off is an unknown tag).",
           attrs=[Attr("minVersion", "string", "The lowest PML version that may compile this document.",
                       literal=True),
                  Attr("maxVersion", "string", "The highest PML version that may compile this document.",
                       literal=True),
                  Attr("components", "string", "Components to turn off (`-name`) or on (`+name`), "
                       "separated by commas or spaces.", literal=True)])
def layout_meta(r: LayoutContext, node: CNode, attrs: Mapping[str, Any], scope: dict[str, Any], ctx: Ctx) -> list[Any]:
    return []  # read while compiling (`pml.compile.meta`)
