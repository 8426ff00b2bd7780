"""Reader tags of the template pass: `<let>` defines variables while rendering.

(`<include>`, `<context>`, `<stylesheet>` and `<style>` are resolved by the compiler.)
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pml.compile.program import CNode
from pml.compile.variables import is_declaration
from pml.components.layout import Ctx, LayoutContext
from pml.components.reading import read_text, resolve_path, src_span
from pml.errors import render_error
from pml.expressions import compile_expression
from pml.registry import Attr, component
from pml.values import convert_type, guess_type

LET_TYPES = ("string", "integer", "float", "number", "boolean", "array", "object", "null", "undefined", "json")


@component("Let", "let", kind="reader",
           doc="Define variables: `<let name=\"x\" value=\"expr\"/>`, `<let name=\"x\">text or JSON</let>`, "
               "`<let name=\"x\" type=\"integer\">5</let>`, `<let name=\"x\" src=\"data.json\"/>`, or "
               "without a name to spread an object's keys into the context. `volatile=\"true\"` marks the "
               "variable as changing on every request (`<let name=\"now\" volatile=\"true\"/>` declares a "
               "context variable so), for the cache-stability check.",
           attrs=[Attr("name", "string", "The variable to define."),
                  Attr("value", "value", "An expression giving the value (any value, a function too)."),
                  Attr("src", "string", "A file to read (JSON is parsed; other text is a string)."),
                  Attr("type", "enum", "The type of the body text.", LET_TYPES),
                  Attr("volatile", "boolean", "The value changes on every request (a time, an id): `pml check` "
                                              "warns when it lands before or inside a cached module.",
                       default=False)])
def layout_let(r: LayoutContext, node: CNode, attrs: Mapping[str, Any], scope: dict[str, Any], ctx: Ctx) -> list[Any]:
    name = attrs.get("name")
    if attrs.get("volatile") and is_declaration(node):
        return []  # only says that the context variable `name` is volatile
    if "value" in node.dynamic or "value" in node.static:
        value = _value(r, node, attrs, scope)
    elif attrs.get("src"):
        value = _read(r, node, str(attrs["src"]))
    else:
        body = r.text(node, scope, ctx, "pre")
        try:
            value = convert_type(body, attrs["type"]) if attrs.get("type") else guess_type(body)
        except ValueError as exc:
            raise render_error(str(exc), node.span) from None
    if name:
        scope[str(name)] = value
        r.define({str(name): value})
    elif isinstance(value, dict):
        scope.update(value)
        r.define(value)
    else:
        raise render_error("`<let>` without a name needs an object to spread", node.span,
                           'add name="…", or give a JSON object')
    return []


def _value(r: LayoutContext, node: CNode, attrs: Mapping[str, Any], scope: dict[str, Any]) -> Any:
    if "value" in node.dynamic:
        return attrs["value"]
    expression = r.links.let_values.get(node.index)
    if expression is None:  # it did not compile: say why
        attr = node.element.attribute("value")
        compile_expression(str(node.static["value"]), (attr.value_span or attr.span) if attr else node.span)
        raise AssertionError("a `<let value>` that compiles has its expression in the program")
    return r.evaluate(expression, scope)


def _read(r: LayoutContext, node: CNode, src: str) -> Any:
    path = resolve_path(r, node, src, "file")
    text = read_text(r, node, path, src, "file")
    if path.suffix.lower() == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise render_error(f"{src} is not valid JSON: {exc.msg} (line {exc.lineno})", src_span(node)) from None
    return guess_type(text) if path.suffix.lower() in (".txt", "") else text
