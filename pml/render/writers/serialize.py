"""The serializing writers: layout boxes → a data model → json, yaml or xml text.

The data model (documented in `docs/language.md`, "Serialized syntaxes"):

- text (paragraphs, spans, inline formatting) becomes a string, formatting marks dropped;
- a captioned component becomes a key (its `captionSerialized`, else its caption) whose value
  is its body; an element with `name=` becomes that key;
- a list becomes an array of its items;
- `<object>` data is used as it is;
- children that are all keyed make an object; children that are all unkeyed make the single
  value, or an array when there are several; a mix makes an array in which each keyed child is
  a one-key object, so adding a paragraph never turns an object into a string.

XML is written with lxml so that escaping is exact: objects become elements named by their
keys, arrays become repeated `<item>` elements, null becomes an empty element.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from lxml import etree

from pml.components import boxes as ir
from pml.render.bound import check
from pml.render.charsafe import fix_surrogates, xml_text
from pml.render.writers.html import write_html
from pml.render.writers.table import table_value
from pml.values import to_json, to_text


class _Key:
    __slots__ = ("key", "value")

    def __init__(self, key: str, value: Any) -> None:
        self.key = key
        self.value = value


def to_model(boxes: Sequence[ir.Box]) -> Any:
    """The data a list of boxes stands for."""
    return _combine(_entries(boxes))


def _entries(boxes: Sequence[ir.Box]) -> list[Any]:
    entries: list[Any] = []
    text: list[tuple[str, bool]] = []

    def flush() -> None:
        if text:
            joined = _join_text(text)
            if joined:
                entries.append(joined)
            text.clear()

    for box in boxes:
        if isinstance(box, (ir.Inline, ir.Wrap, ir.Break, ir.SoftSpace)):
            _pieces(box, text)
            continue
        if isinstance(box, ir.Code) and box.inline:
            text.append((box.text, False))
            continue
        flush()
        entries.extend(_box_entries(box))
    flush()
    return entries


_SPACES = re.compile(r"\s+")


def _join_text(pieces: list[tuple[str, bool]]) -> str:
    """Text pieces as one string: authored text has its whitespace collapsed, interpolated values
    (verbatim pieces) keep theirs; whitespace-only pieces at the ends are dropped, and the ends of
    authored text are trimmed."""
    start, end = 0, len(pieces)
    while start < end and not pieces[start][0].strip():
        start += 1
    while end > start and not pieces[end - 1][0].strip():
        end -= 1
    out: list[str] = []
    authored: list[str] = []
    for index in range(start, end):
        piece, verbatim = pieces[index]
        if verbatim:
            if authored:
                out.append(_SPACES.sub(" ", "".join(authored)))
                authored.clear()
            out.append(piece)
        else:
            authored.append(piece)
    if authored:
        out.append(_SPACES.sub(" ", "".join(authored)))
    if not out:
        return ""
    if not pieces[start][1]:
        out[0] = out[0].lstrip()
    if not pieces[end - 1][1]:
        out[-1] = out[-1].rstrip()
    return "".join(out)


def _pieces(box: ir.Box, out: list[tuple[str, bool]]) -> None:
    """The text of an inline box as (text, verbatim) pieces; formatting marks are dropped."""
    if isinstance(box, ir.Inline):
        out.append((box.text, box.verbatim))
    elif isinstance(box, ir.Wrap):
        for child in box.children:
            _pieces(child, out)
    elif isinstance(box, (ir.Break, ir.SoftSpace)):
        out.append((" ", False))
    elif isinstance(box, ir.Code):
        out.append((box.text, False))
    else:
        model = to_model([box])
        out.append((model if isinstance(model, str) else to_text(model), True))


def _box_entries(box: ir.Box) -> list[Any]:
    if isinstance(box, ir.Captioned):
        return [_Key(box.key, to_model(box.body))]
    if isinstance(box, ir.Named):
        return [_Key(box.key, to_model(box.children))]
    if isinstance(box, ir.ListBox):
        return [[to_model(item.children) for item in box.items]]
    if isinstance(box, ir.Data):
        return [box.value]
    if isinstance(box, ir.Table):
        return [table_value(box)]
    if isinstance(box, ir.Code):
        return [box.text]
    if isinstance(box, (ir.Block, ir.Section, ir.Speaker, ir.Env, ir.Heading, ir.Item, ir.Module, ir.Mark)):
        children = box.children
        return _entries(children)
    return []


def _combine(entries: list[Any]) -> Any:
    if not entries:
        return ""
    if all(isinstance(e, _Key) for e in entries):
        obj: dict[str, Any] = {}
        for e in entries:
            obj[e.key] = e.value
        return obj
    if len(entries) == 1:
        return entries[0]
    return [{e.key: e.value} if isinstance(e, _Key) else e for e in entries]


# ---------------------------------------------------------------------- json


def write_json(value: Any, options: dict[str, Any]) -> str:
    indent = int(options.get("jsonSpace", 2))
    try:
        text = json.dumps(value, indent=indent, ensure_ascii=False, allow_nan=False, default=to_text)
    except (ValueError, TypeError):  # NaN or Infinity, or keys JSON has no form for: as JavaScript writes them
        text = to_json(value, " " * indent)
    return fix_surrogates(text)


# ---------------------------------------------------------------------- yaml

# YAML scalars are written the way js-yaml writes them (POML's YAML): plain when that reads
# back as the same string, else single-quoted; double quotes only for control characters.
_YAML_AMBIGUOUS = re.compile(
    r"^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF"
    r"|~|=|<<|null|Null|NULL"
    r"|[-+]?(?:0b[01_]+|0o?[0-7_]+|0x[0-9a-fA-F_]+|[0-9][0-9_]*(?::[0-5]?[0-9])*)"
    r"|[-+]?(?:\.[0-9]+|[0-9][0-9_]*)(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)
_YAML_FIRST_UNSAFE = set("-?:,[]{}#&*!|>'\"%@`")
# What YAML cannot carry unescaped (control characters, including carriage return, and what YAML
# 1.1 reads as a line break or a byte order mark): such text is double-quoted, with escapes.
_CONTROL = re.compile("[^\t\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")


def _yaml_double(text: str) -> str:
    """A double-quoted YAML scalar: JSON's escapes, and `\\uXXXX` for the other unprintable characters."""
    quoted = json.dumps(text, ensure_ascii=False)
    return _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", quoted)


def _yaml_plain_ok(text: str) -> bool:
    if not text or text != text.strip() or _YAML_AMBIGUOUS.match(text):
        return False
    if text[0] in _YAML_FIRST_UNSAFE or text[-1] == ":":
        return False
    return ": " not in text and " #" not in text and "\t" not in text


def _yaml_scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return to_text(value)
    text = fix_surrogates(str(value))
    if _CONTROL.search(text) or "\n" in text:  # (multi-line values are blocks; a key cannot be one)
        return _yaml_double(text)
    if _yaml_plain_ok(text):
        return text
    return "'" + text.replace("'", "''") + "'"


def write_yaml(value: Any, options: dict[str, Any]) -> str:
    indent = int(options.get("yamlIndent", 2))
    lines = _yaml_lines(value, 0, indent)
    if _ends_in_block_break(value):
        lines.append("")  # the line break that ends the block's last line is part of its value
    return "\n".join(lines)


def _ends_in_block_break(value: Any) -> bool:
    """Whether the last thing written is a block scalar whose text ends with a line break."""
    while isinstance(value, (Mapping, list, tuple)) and value:
        value = list(value.values())[-1] if isinstance(value, Mapping) else value[-1]
    return isinstance(value, str) and value.endswith("\n") and _blockable(fix_surrogates(value))


def _yaml_block(text: str, level: int, indent: int) -> list[str]:
    """The lines of a literal block scalar, indented one step deeper than `level`; the empty
    lines that keep chomping (`|+`) needs for the text's trailing line breaks come last."""
    pad = " " * (level + indent)
    body = text.rstrip("\n")
    extra = max(0, len(text) - len(body) - 1)
    return [pad + line if line else "" for line in body.split("\n")] + [""] * extra


def _blockable(text: str) -> bool:
    """Whether a string is written as a literal block (`|`): it has a line break and something
    besides line breaks, and nothing YAML must escape."""
    return "\n" in text and bool(text.strip("\n")) and not _CONTROL.search(text)


def _yaml_lines(value: Any, level: int, indent: int) -> list[str]:
    pad = " " * level
    if isinstance(value, Mapping):
        if not value:
            return [pad + "{}"]
        lines: list[str] = []
        for key, item in value.items():
            key_text = _yaml_scalar(to_text(key))
            lines.extend(_yaml_entry(f"{pad}{key_text}:", item, level, indent))
        return lines
    if isinstance(value, (list, tuple)):
        if not value:
            return [pad + "[]"]
        lines = []
        for item in value:
            lines.extend(_yaml_entry(f"{pad}-", item, level, indent, in_list=True))
        return lines
    if isinstance(value, str) and _blockable(value := fix_surrogates(value)):
        return [pad + _block_head(value, indent), *_yaml_block(value, level, indent)]
    return [pad + _yaml_scalar(value)]


def _block_head(text: str, indent: int) -> str:
    chomp = "-" if not text.endswith("\n") else ("+" if text.endswith("\n\n") else "")
    indicator = str(indent) if text[:1] in (" ", "\n") else ""
    return f"|{indicator}{chomp}"


def _yaml_entry(head: str, item: Any, level: int, indent: int, in_list: bool = False) -> list[str]:
    if isinstance(item, (Mapping, list, tuple)) and item:
        if in_list and isinstance(item, Mapping):
            inner = _yaml_lines(item, level + 2, indent)
            first = inner[0].lstrip()
            return [f"{head} {first}", *inner[1:]]
        return [head, *_yaml_lines(item, level + indent, indent)]
    if isinstance(item, str) and _blockable(item := fix_surrogates(item)):
        return [f"{head} {_block_head(item, indent)}", *_yaml_block(item, level, indent)]
    return [f"{head} {_yaml_lines(item, 0, indent)[0]}"]


# ---------------------------------------------------------------------- xml

# XML 1.0 names (fifth edition), without `:` (namespaces).
_NAME_START = ("A-Z_a-z\xc0-\xd6\xd8-\xf6\xf8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c\u200d"
               "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff")
_NAME_REST = _NAME_START + "\\-.0-9\xb7\u0300-\u036f\u203f\u2040"
_XML_NAME_BAD = re.compile(f"[^{_NAME_REST}]+")
_XML_NAME_START = re.compile(f"[{_NAME_START}]")
_ASCII_NAME_BAD = re.compile(r"[^A-Za-z0-9_.\-]+")


def xml_name(key: str) -> str:
    """A valid XML element name for a key: runs of characters a name cannot hold become `-`, and
    a name that cannot start as it does gets a `_` in front ("Travel Context" → `Travel-Context`,
    "1st" → `_1st`, "" → `item`)."""
    name = _XML_NAME_BAD.sub("-", key.strip()) or "item"
    if not _XML_NAME_START.match(name):
        name = "_" + name
    try:
        etree.Element(name)
    except ValueError:  # a name lxml refuses although XML allows it: fall back to ASCII
        name = _ASCII_NAME_BAD.sub("-", name)
        if not (name[:1].isalpha() or name[:1] == "_"):
            name = "_" + name
    return name


def _xml_fill(element: etree._Element, value: Any, item_name: str) -> None:
    if isinstance(value, Mapping):
        for key, item in value.items():
            child = etree.SubElement(element, xml_name(to_text(key)))
            _xml_fill(child, item, item_name)
    elif isinstance(value, (list, tuple)):
        for item in value:
            child = etree.SubElement(element, item_name)
            _xml_fill(child, item, item_name)
    elif value is None or value == "":
        return
    else:
        element.text = xml_text(to_text(value))


def write_xml(value: Any, options: dict[str, Any]) -> str:
    item_name = xml_name(str(options.get("xmlListItemName", "item")))
    pretty = options.get("xmlPrettyPrint", True) is not False
    if isinstance(value, Mapping):
        pairs = [(xml_name(to_text(k)), v) for k, v in value.items()]
    elif isinstance(value, (list, tuple)):
        pairs = [(item_name, v) for v in value]
    else:
        holder = etree.Element("x")
        holder.text = xml_text(to_text(value))
        return etree.tostring(holder, encoding="unicode")[3:-4]
    out: list[str] = []
    for name, item in pairs:
        element = etree.Element(name)
        _xml_fill(element, item, item_name)
        if pretty:
            etree.indent(element, space="  ")
        out.append(etree.tostring(element, encoding="unicode"))
    return "\n".join(out)


WRITERS: dict[str, Callable[[Any, dict[str, Any]], str]] = {
    "json": write_json,
    "yaml": write_yaml,
    "xml": write_xml,
}


def serialize(syntax: str, boxes: Sequence[ir.Box], options: dict[str, Any]) -> str:
    """Write boxes in a serializing syntax (or as HTML, which is written from the boxes)."""
    if syntax == "html":
        text = write_html(boxes, options)
    else:
        text = WRITERS[syntax](to_model(boxes), options)
    check(len(text))  # escapes and indentation add to what the elements produced
    return text
