"""The compile check of the files a prompt names literally.

A `src` written without `{{ }}` names the same file at every render, so what is wrong with it
(nothing there, outside the prompt's folder, not a regular file, too large, a folder where a
file is wanted) is reported when the prompt is compiled, by `pml check` and in the editor,
with the message and hint a render would give. A `src` built by an expression is checked when
it is rendered. `<include>` and `<import>` are read while compiling, so they need no check here.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pml import files
from pml.compile.program import CNode
from pml.syntax.source import Span

Problem = Callable[[str, "Span | None", "str | None"], None]

# The components that read the file their `src` names, and what a message calls that file.
FILE_READERS: dict[str, str] = {
    "Document": "document",
    "Webpage": "page",
    "Image": "image",
    "Audio": "audio",
    "Table": "table",
    "Let": "file",
}
# The components whose `src` names a folder.
FOLDER_READERS: dict[str, str] = {"Folder": "folder"}


def check_sources(tree: CNode, root: Path, problem: Problem) -> None:
    """Report, through `problem(message, span, hint)`, every literal `src` that cannot be read."""
    stack = [tree]
    while stack:
        node = stack.pop()
        stack.extend(child for child in reversed(node.children) if isinstance(child, CNode))
        name = node.component.name if node.component is not None else ""
        what = FILE_READERS.get(name) or FOLDER_READERS.get(name)
        if what is not None:
            _check(node, what, name in FOLDER_READERS, root, problem)


def _check(node: CNode, what: str, wants_folder: bool, root: Path, problem: Problem) -> None:
    attr = node.element.attribute("src")
    src = node.static.get("src")
    if attr is None or not attr.is_static or not isinstance(src, str) or not src.strip():
        return
    if src.startswith(("http://", "https://")):
        return  # refused at render, with its own message
    source = node.element.span.source
    try:
        path = files.resolve_under(source.directory, src, root)
        if wants_folder:
            files.check_folder(path)
        else:
            files.check_file(path)
    except files.FileProblem as found:
        message, hint = files.explain(found, what, src, source.name, source.directory, root, folder=wants_folder)
        problem(message, attr.value_span or attr.span, hint)


__all__ = ["FILE_READERS", "FOLDER_READERS", "check_sources"]
