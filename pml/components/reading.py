"""Reading the files a prompt names: the path under the prompt's root, the bytes or text, and the
located error when a file cannot be read (at the element's `src`). Every component that reads
a file goes through these.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pml import files
from pml.compile.program import CNode
from pml.components.layout import LayoutContext
from pml.errors import PMLRenderError, render_error


def attr_span(node: CNode, name: str) -> Any:
    """Where an element's attribute value is written (the element when it is not written)."""
    attr = node.element.attribute(name)
    return (attr.value_span or attr.span) if attr is not None else node.span


def src_span(node: CNode) -> Any:
    """Where an element's `src` value is written (for messages about the file)."""
    return attr_span(node, "src")


def read_text(r: LayoutContext, node: CNode, path: Path, src: str, what: str) -> str:
    """A named file's text (UTF-8), or a located error saying why it cannot be read."""
    try:
        return files.read_text(path)
    except files.FileProblem as problem:
        raise file_error(r, node, src, what, problem) from None


def read_bytes(r: LayoutContext, node: CNode, path: Path, src: str, what: str) -> bytes:
    """A named file's bytes, or a located error saying why it cannot be read."""
    try:
        return files.read_file(path)
    except files.FileProblem as problem:
        raise file_error(r, node, src, what, problem) from None


def file_error(r: LayoutContext, node: CNode, src: str, what: str, problem: files.FileProblem) -> PMLRenderError:
    """The located error for a file named by `node` that cannot be read (at its `src`)."""
    source = node.element.span.source
    message, hint = files.explain(problem, what, src, source.name, source.directory, Path(r.root),
                                  folder=what == "folder")
    return render_error(message, src_span(node), hint)


def resolve_path(r: LayoutContext, node: CNode, src: str, what: str = "file") -> Path:
    """A file named by `node`, relative to its source file and inside the prompt's root."""
    try:
        return files.resolve_under(node.element.span.source.directory, src, r.root)
    except files.FileProblem as problem:
        raise file_error(r, node, src, what, problem) from None
