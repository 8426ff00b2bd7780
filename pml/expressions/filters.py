"""Jinja's filters, bounded: every filter that can build a large string or list checks the size
before it builds it, and the filters that write values write them safely.

`join` writes elements as PML writes values (`null` as nothing, `true`, `2.5`, lists as JSON);
`string` and `pprint` write functions as functions; `tojson`'s indentation and `wordwrap`'s
`wrapstring`, `center`'s width, `indent`'s prefix, `format`'s arguments and `replace`'s
replacement all count against `max_string`, and `batch` and `slice` against `max_items`;
`striptags` runs with the regular-expression time bound.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

from jinja2.filters import make_attrgetter
from jinja2.utils import pass_environment, pass_eval_context

from .budget import check_items, check_text
from .convert import element_text, integer, text_of
from .data import settle_text
from .functions import JSFunction, native
from .jsregex import remove_all

_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d+))?")


def check_format(template: str) -> int:
    """Refuse `*` and widths over 10,000 in a `%` format; return the widths written in all."""
    total = 0
    for spec in _PERCENT_SPEC.finditer(template):
        for width in spec.groups():
            if width == "*" or (width is not None and int(width) > 10_000):
                raise ValueError(f"format width `{spec.group()}` is not allowed")
            total += int(width or 0)
    return total


def _size(value: Any) -> int:
    """Characters `value` takes when written (an upper bound for containers)."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, (list, tuple, Mapping)):
        return len(text_of(value))
    return 32


def _safe(value: Any) -> Any:
    """A value about to be written with Python's `str` or `repr`: functions as function values."""
    if isinstance(value, (list, tuple, Mapping)):
        return settle_text(value)
    if callable(value) and not isinstance(value, (JSFunction, type)):
        return native(value)
    return value


def guard(filters: dict[str, Any]) -> None:
    """Replace the filters whose arguments control how much they allocate."""
    original = dict(filters)

    @pass_eval_context
    def join(context: Any, value: Any, d: str = "", attribute: Any = None) -> str:
        items = list(value)
        glue = element_text(d)
        check_text(len(glue) * max(0, len(items) - 1))
        if attribute is not None:
            getter = make_attrgetter(context.environment, attribute)
            items = [getter(item) for item in items]
        parts = [element_text(item) for item in items]
        check_text(sum(map(len, parts)) + len(glue) * max(0, len(parts) - 1))
        return glue.join(parts)

    @pass_eval_context
    def replace(context: Any, s: Any, old: Any, new: Any, count: Any = None) -> str:
        text, old_text, new_text = text_of(s), text_of(old), text_of(new)
        hits = text.count(old_text) if old_text else len(text) + 1
        check_text(len(text) + hits * max(0, len(new_text) - len(old_text)))
        return str(original["replace"](context, text, old_text, new_text, count))

    def center(value: Any, width: Any = 80) -> str:
        check_text(max(integer(width), len(text_of(value))))
        return str(original["center"](text_of(value), width))

    def indent(s: Any, width: Any = 4, first: bool = False, blank: bool = False) -> str:
        text = text_of(s)
        pad = len(width) if isinstance(width, str) else integer(width)
        check_text(len(text) + pad * (text.count("\n") + 1))
        return str(original["indent"](text, width, first, blank))

    def text_format(value: Any, *args: Any, **kwargs: Any) -> str:
        template = text_of(value)
        widths = check_format(template)
        check_text(len(template) + widths + sum(_size(arg) for arg in [*args, *kwargs.values()]))
        return str(original["format"](template, *args, **kwargs))

    @pass_environment
    def wordwrap(environment: Any, s: Any, width: Any = 79, break_long_words: bool = True,
                 wrapstring: Any = None, break_on_hyphens: bool = True) -> str:
        text = text_of(s)
        glue = "\n" if wrapstring is None else text_of(wrapstring)
        lines = len(text) // max(1, integer(width)) + text.count("\n") + 2
        check_text(len(text) + lines * len(glue))
        return str(original["wordwrap"](environment, text, width, break_long_words, wrapstring, break_on_hyphens))

    @pass_eval_context
    def tojson(context: Any, value: Any, indent: Any = None) -> str:
        spaces = integer(indent) if isinstance(indent, (int, float)) else len(text_of(indent or ""))
        spaces = min(spaces, 10)
        result = str(original["tojson"](context, settle_text(value, spaces), spaces or None))
        check_text(len(result))
        return result

    def string(value: Any) -> str:
        return str(original["string"](_safe(value)))

    def pprint(value: Any) -> str:
        return str(original["pprint"](_safe(value)))

    def batch(value: Any, linecount: Any, fill_with: Any = None) -> Any:
        check_items(integer(linecount))
        return original["batch"](value, linecount, fill_with)

    def slice_(value: Any, slices: Any, fill_with: Any = None) -> Any:
        check_items(integer(slices))
        return original["slice"](value, slices, fill_with)

    @pass_environment
    def truncate(environment: Any, s: Any, length: int = 255, killwords: bool = False, end: Any = "...",
                 leeway: Any = None) -> str:
        check_text(len(text_of(s)) + len(text_of(end)))
        return str(original["truncate"](environment, text_of(s), length, killwords, text_of(end), leeway))

    def striptags(value: Any) -> str:
        """Jinja's `striptags`, time-bounded (its comment pattern is quadratic on `<!--<!--…`)."""
        text = remove_all(r"<[^>]*>", remove_all(r"<!--.*?-->", text_of(value)))
        return html.unescape(" ".join(text.split()))

    filters.update(
        join=join, replace=replace, center=center, indent=indent, format=text_format,
        wordwrap=wordwrap, tojson=tojson, string=string, pprint=pprint, batch=batch, slice=slice_,
        truncate=truncate, striptags=striptags,
    )
