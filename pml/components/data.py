"""Data components: `<object>` (structured data) and `<document>` (text files)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pml import ir
from pml.components.text import handles_syntax
from pml.errors import render_error
from pml.files import ROOT_HINT, OutsideRoot, resolve_under, shown
from pml.registry import SYNTAXES, Attr, component


@component("Object", "object", "obj", "dataObj", "data-obj",
           doc="Structured data. In markdown it is written as compact JSON; with `syntax` json, "
               "yaml or xml it is a fenced block in that syntax.",
           attrs=[Attr("data", "any", "The data, usually an expression: `data=\"{{ order }}\"`."),
                  Attr("syntax", "enum", "json, yaml or xml (a fenced block), or markdown.", SYNTAXES)])
@handles_syntax
def layout_object(r: Any, node: Any, attrs: dict[str, Any], scope: dict[str, Any], ctx: Any) -> list[ir.Box]:
    data = attrs.get("data")
    syntax = attrs.get("syntax")
    if ctx.syntax in ("json", "yaml", "xml"):
        return [ir.Data(data, None)]
    if syntax in (None, "markdown", "text", "html"):
        return [ir.Data(data, None)]
    return [ir.Data(data, syntax)]


TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".py", ".js", ".ts", ".json", ".csv", ".tsv", ".yaml",
                 ".yml", ".xml", ".html", ".htm", ".rst", ".log", ".toml", ".ini", ".cfg", ".sh"}


def src_span(node: Any) -> Any:
    """Where an element's `src` value is written (for messages about the file)."""
    attr = node.element.attribute("src")
    return (attr.value_span or attr.span) if attr is not None else node.span


def read_text(node: Any, path: Path, src: str, what: str) -> str:
    """A named file's text, or a located error saying why it cannot be read."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        where = shown(node.element.span.source.name, src)
        raise render_error(f"{what} not found: {src}", src_span(node), f"looked for {where}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise render_error(f"cannot read {what} {src}: {exc}", src_span(node)) from None


def resolve_path(r: Any, node: Any, src: str) -> Path:
    """A file named by `node`, relative to its source file and inside the prompt's root."""
    try:
        return resolve_under(node.element.span.source.directory, src, r.root)
    except OutsideRoot as exc:
        raise render_error(str(exc), src_span(node), ROOT_HINT) from None


@component("Document", "document", "doc",
           doc="The text of a file. This release reads plain-text files (`parser=\"txt\"`, or any "
               "text extension); the file's whitespace is kept exactly.",
           attrs=[Attr("src", "string", "The file to read, relative to this prompt file."),
                  Attr("parser", "enum", "How to read the file: auto or txt.", ("auto", "txt", "pdf", "docx")),
                  Attr("multimedia", "boolean", "Keep images found in the document.", default=True),
                  Attr("selectedPages", "string", "Pages to keep (PDF), as a slice like `1:3`.")])
def layout_document(r: Any, node: Any, attrs: dict[str, Any], scope: dict[str, Any], ctx: Any) -> list[ir.Box]:
    src = attrs.get("src")
    if not src:
        body = r.children(node, scope, ctx, attrs, white_space="pre")
        return [ir.Block(body)]
    path = resolve_path(r, node, str(src))
    parser = attrs.get("parser") or "auto"
    if parser == "auto" and path.suffix.lower() not in TEXT_SUFFIXES:
        parser = path.suffix.lower().lstrip(".")
    if parser not in ("auto", "txt"):
        raise render_error(f"reading `{parser}` documents is not supported yet: {src}", node.span,
                           "convert the file to text, or use parser=\"txt\" for text files")
    text = read_text(node, path, str(src), "document")
    text = text.replace("\r\n", "\n")
    return [ir.Block([ir.Inline(text, True)])]
