"""`<tree>` (nested items) and `<folder>` (a directory as a tree), written as POML writes them.

A tree is a list of items `{name, value?, children?}`. In markdown it is a nested `- ` list, or
with `showContent` a header per path (`# a`, `## a/b`) followed by each value in a code block
fenced with the name's extension. In json, yaml and xml it is a nested object (a leaf is its
value with `showContent`, else null). With `syntax="text"` it is drawn with box characters, or
with `showContent` listed path by path with `==> start PATH <==` / `==> end PATH <==` around
each value.
"""

from __future__ import annotations

import itertools
import os
import re
import stat
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from pml import files, limits
from pml.compile.program import CNode
from pml.components import boxes as ir
from pml.components.layout import Ctx, LayoutContext
from pml.components.reading import attr_span, file_error, resolve_path, src_span
from pml.errors import render_error
from pml.registry import Attr, component
from pml.values import to_text

SERIALIZED = ("json", "yaml", "xml")

SHOW_CONTENT = Attr("showContent", "boolean", "Show each item's value (for `<folder>`: each file's text).",
                    default=False)


@component("Tree", "tree",
           doc="Nested items `{name, value?, children?}`: a nested list in markdown, a header per path "
               "with each value in a code block (`showContent`), a nested object in json, yaml and xml, "
               "box drawing with `syntax=\"text\"`.",
           attrs=[Attr("items", "array", "The items, from an expression (`items=\"{{ tree }}\"`) or written "
                       "as a JSON array.", required=True),
                  SHOW_CONTENT])
def layout_tree(r: LayoutContext, node: CNode, attrs: Mapping[str, Any], scope: dict[str, Any],
                ctx: Ctx) -> list[ir.Box]:
    items = _checked(node, attrs.get("items"), "items")
    return tree_boxes(items, bool(attrs.get("showContent")), ctx.syntax)


@component("Folder", "folder",
           doc="A folder's files and subfolders as a `<tree>`: the folder itself, then its folders "
               "(first) and files, by name. Only folders inside the prompt's folder can be read.",
           attrs=[Attr("src", "string", "The folder, relative to this prompt file."),
                  Attr("data", "array", "Tree items to show instead of reading a folder."),
                  Attr("filter", "string", "A regular expression a file name must contain (a search, not "
                       "a full match); folders with no matching file are left out."),
                  Attr("maxDepth", "integer", "How many levels of folders to read.", default=3),
                  SHOW_CONTENT])
def layout_folder(r: LayoutContext, node: CNode, attrs: Mapping[str, Any], scope: dict[str, Any],
                  ctx: Ctx) -> list[ir.Box]:
    show = bool(attrs.get("showContent"))
    if attrs.get("data") is not None and not attrs.get("src"):
        items = _checked(node, attrs.get("data"), "data")
    else:
        items = [_read_folder(r, node, attrs, show)]
    return tree_boxes(items, show, ctx.syntax)


# ---------------------------------------------------------------------- writing a tree


def tree_boxes(items: list[dict[str, Any]], show: bool, syntax: str) -> list[ir.Box]:
    """A tree in the syntax in effect."""
    if syntax in SERIALIZED:
        return [ir.Data(tree_object(items, show))]
    if syntax == "text":
        text = tree_paths(items) if show else tree_drawing(items)
        return [ir.Block([ir.Inline(text, True)])]
    if show:
        return tree_sections(items)
    return [ir.Block([ir.Inline(tree_list(items), True)])]


def tree_object(items: list[dict[str, Any]], show: bool) -> dict[str, Any]:
    """Nested objects by name; a leaf is its value (with `show`) or None."""
    out: dict[str, Any] = {}
    for item in items:
        children = item.get("children")
        if children:
            out[item["name"]] = tree_object(children, show)
        elif show and _value(item):
            out[item["name"]] = _value(item)
        else:
            out[item["name"]] = None
    return out


def tree_list(items: list[dict[str, Any]], indent: str = "") -> str:
    """`- name` lines, children indented under their parent, no blank lines."""
    lines = []
    for item in items:
        lines.append(f"{indent}- {item['name']}")
        if item.get("children"):
            lines.append(tree_list(item["children"], indent + "  "))
    return "\n".join(lines)


def tree_sections(items: list[dict[str, Any]], parent: str = "") -> list[ir.Box]:
    """A heading per path, the value in a code block, children one heading level deeper."""
    out: list[ir.Box] = []
    for item in items:
        path = f"{parent}/{item['name']}" if parent else str(item["name"])
        out.append(ir.Heading([ir.Inline(path, True)]))
        value = _value(item)
        if value:
            suffix = PurePosixPath(str(item["name"])).suffix.lower()
            out.append(ir.Code(value, suffix[1:] or None, False))
        if item.get("children"):
            out.append(ir.Section(tree_sections(item["children"], path)))
    return out


def tree_drawing(items: list[dict[str, Any]], prefix: str = "", top: bool = True) -> str:
    """Top items on their own lines, their descendants drawn with `├──`, `└──` and `│`."""
    lines = []
    for index, item in enumerate(items):
        last = index == len(items) - 1
        if top:
            lines.append(str(item["name"]))
            if item.get("children"):
                lines.append(tree_drawing(item["children"], "", False))
            continue
        lines.append(f"{prefix}{'└── ' if last else '├── '}{item['name']}")
        if item.get("children"):
            lines.append(tree_drawing(item["children"], prefix + ("    " if last else "│   "), False))
    return "\n".join(lines)


def tree_paths(items: list[dict[str, Any]], parent: str = "") -> str:
    """Every path on its own line, each value between `==> start PATH <==` and `==> end PATH <==`."""
    lines: list[str] = []
    for item in items:
        path = f"{parent}/{item['name']}" if parent else str(item["name"])
        lines.append(path)
        value = _value(item)
        if value:
            lines.extend([f"==> start {path} <==", value, f"==> end {path} <==", ""])
        if item.get("children"):
            lines.append(tree_paths(item["children"], path))
    return "\n".join(lines)


def _value(item: Mapping[str, Any]) -> str:
    value = item.get("value")
    return "" if value is None else to_text(value)


def _checked(node: CNode, items: Any, attr: str, where: str = "") -> list[dict[str, Any]]:
    """Tree items, checked: a list of objects with a `name` and optional `children` lists."""
    if not isinstance(items, list):
        raise render_error(f"`{attr}` should be a list of tree items, not {type(items).__name__}",
                           attr_span(node, attr), 'items look like [{"name": "a", "children": [{"name": "b"}]}]')
    out = []
    for index, item in enumerate(items):
        here = f"{where}[{index}]"
        if not isinstance(item, Mapping) or item.get("name") in (None, ""):
            raise render_error(f"`{attr}{here}` should be an object with a `name`", attr_span(node, attr),
                               'items look like {"name": "a", "value": "…", "children": […]}')
        children = item.get("children")
        checked = dict(item, name=to_text(item["name"]))
        if children not in (None, []):
            checked["children"] = _checked(node, children, attr, f"{here}.children")
        out.append(checked)
    return out


# ---------------------------------------------------------------------- reading a folder


def _read_folder(r: LayoutContext, node: CNode, attrs: Mapping[str, Any], show: bool) -> dict[str, Any]:
    src = attrs.get("src")
    if not src:
        raise render_error(f"`<{node.element.tag}>` needs `src` (a folder) or `data` (tree items)", node.span,
                           f'write <{node.element.tag} src="folder"/>')
    path = resolve_path(r, node, str(src), "folder")
    try:
        files.check_folder(path)
    except files.FileProblem as problem:
        raise file_error(r, node, str(src), "folder", problem) from None
    pattern = None
    if attrs.get("filter"):
        try:
            pattern = re.compile(str(attrs["filter"]))
        except re.error as exc:
            raise render_error(f"`filter` is not a regular expression: {exc}", attr_span(node, "filter")) from None
    walk = _Walk(node, Path(r.root).resolve(), int(attrs.get("maxDepth") or 0), show, pattern)
    return walk.folder(path, 0) or {"name": path.name}


class _Walk:
    """One directory walk: POML's rules, kept inside the prompt's root and bounded in size."""

    def __init__(self, node: CNode, root: Path, max_depth: int, show: bool, pattern: re.Pattern[str] | None) -> None:
        self.node = node
        self.root = root
        self.max_depth = max_depth
        self.show = show
        self.pattern = pattern
        self.count = 0
        self.bytes = 0  # of file contents read so far
        self.limits = limits.current()

    def folder(self, path: Path, depth: int) -> dict[str, Any] | None:
        if depth >= self.max_depth:
            return {"name": path.name}
        room = self.limits.max_folder_entries - self.count
        try:
            listed = list(itertools.islice(path.iterdir(), room + 1))  # a huge folder is never listed whole
        except OSError as exc:
            raise render_error(f"cannot read the folder `{path.name}`: {files.os_problem(exc).reason}",
                               src_span(self.node)) from None
        if len(listed) > room:
            raise self.too_many()
        entries = [(e, _is_dir(e)) for e in listed if self.inside(e)]
        entries.sort(key=lambda e: (not e[1], e[0].name.casefold(), e[0].name))
        children: list[dict[str, Any]] = []
        for entry, is_dir in entries:
            self.count += 1
            if self.count > self.limits.max_folder_entries:
                raise self.too_many()
            if is_dir:
                child = self.folder(entry, depth + 1)
                if child is not None and (child.get("children") or self.pattern is None):
                    children.append(child)
            elif self.pattern is None or self.pattern.search(entry.name):
                children.append(self.file(entry))
        if self.pattern is not None and not children:
            return None
        return {"name": path.name, "children": children} if children else {"name": path.name}

    def file(self, path: Path) -> dict[str, Any]:
        if not self.show:
            return {"name": path.name}
        try:
            data = files.read_file(path)
        except files.TooLarge as problem:
            raise self.too_much(path, problem.reason) from None
        except files.FileProblem:
            return {"name": path.name}  # not a regular file, or unreadable: listed without content
        self.bytes += len(data)
        if self.bytes > self.limits.max_output:
            raise self.too_much(path, f"the folder's files hold more than {self.limits.max_output:,} bytes "
                                      "(the limit `max_output`)")
        try:
            return {"name": path.name, "value": data.decode("utf-8")}
        except UnicodeDecodeError:
            return {"name": path.name}  # not text: listed without content

    def too_many(self) -> Exception:
        return render_error(f"the folder holds more than {self.limits.max_folder_entries:,} entries",
                            src_span(self.node), "narrow it with filter or maxDepth, or raise max_folder_entries")

    def too_much(self, path: Path, reason: str) -> Exception:
        relative = path.relative_to(self.root).as_posix() if self.root in path.parents else path.name
        return render_error(f"cannot show the content of `{relative}`: {reason}", src_span(self.node),
                            "narrow the folder with filter or maxDepth, or raise the limit")

    def inside(self, path: Path) -> bool:
        """Entries (symbolic links included) that resolve inside the prompt's root."""
        try:
            resolved = path.resolve()
        except OSError:
            return False
        return resolved == self.root or self.root in resolved.parents


def _is_dir(path: Path) -> bool:
    try:
        return stat.S_ISDIR(os.stat(path).st_mode)
    except OSError:
        return False


__all__ = ["layout_folder", "layout_tree", "tree_boxes"]
