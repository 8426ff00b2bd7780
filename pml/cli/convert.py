"""Command-line values converted without Pydantic, for a quick start.

Recent Typer releases convert every value of every option through a Pydantic `TypeAdapter`:
importing Pydantic and building the adapters takes longer than rendering a small prompt. The
values `pml`'s commands take are simple (text, flags, paths, whole numbers in a range, choices of
an enum, lists of these), so `quicken(param)` gives a parameter a conversion of its own for them.

A value the quick conversion is not sure of (text that is not a plain whole number, a number
out of range, a choice that is not spelt exactly, an unreadable path) goes to Typer's own
conversion, so every message about a wrong value is Typer's, word for word. With a Typer that
converts values another way, `quicken` changes nothing.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, get_args, get_origin

try:  # Typer's conversion layer (Typer 0.2x with Pydantic); absent from older releases
    from typer._coercion import RuntimeParam, build_runtime_param
except ImportError:  # pragma: no cover - an older Typer converts through Click's types
    RuntimeParam = None  # type: ignore[assignment,misc]

_WHOLE = re.compile(r"-?\d+")


class _Unsure(Exception):
    """The quick conversion leaves this value to Typer's."""


Convert = Callable[[Any, Any], Any]  # (value, ctx) → converted value, or `_Unsure`


def _text(value: Any, ctx: Any) -> str:
    if isinstance(value, str):
        return value
    raise _Unsure


def _flag(value: Any, ctx: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise _Unsure


def _path(value: Any, ctx: Any) -> Path:
    if isinstance(value, Path):
        return value
    if not isinstance(value, str) or not value:
        raise _Unsure
    if os.path.exists(value) and not os.access(value, os.R_OK):
        raise _Unsure  # Typer says it is not readable
    return Path(value)


def _whole(low: float | None, high: float | None) -> Convert:
    def convert(value: Any, ctx: Any) -> int:
        if isinstance(value, str) and _WHOLE.fullmatch(value):
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool):
            raise _Unsure
        if (low is not None and value < low) or (high is not None and value > high):
            raise _Unsure  # Typer says what the range is
        return value

    return convert


def _choice(kind: type[Enum]) -> Convert:
    members = {str(member.value): member for member in kind}

    def convert(value: Any, ctx: Any) -> Enum:
        if isinstance(value, kind):
            return value
        if ctx is not None and getattr(ctx, "token_normalize_func", None) is not None:
            raise _Unsure
        if isinstance(value, str) and value in members:
            return members[value]
        raise _Unsure

    return convert


def _listed(leaf: Convert) -> Convert:
    def convert(value: Any, ctx: Any) -> list[Any]:
        if not isinstance(value, (list, tuple)):
            raise _Unsure
        return [leaf(item, ctx) for item in value]

    return convert


def _plain_path(info: Any) -> bool:
    """Whether a path option asks for nothing beyond a path (no checks, no resolving)."""
    return (not getattr(info, "exists", False) and not getattr(info, "resolve_path", False)
            and not getattr(info, "writable", False) and not getattr(info, "allow_dash", False)
            and getattr(info, "file_okay", True) and getattr(info, "dir_okay", True)
            and getattr(info, "path_type", None) is None)


def conversion(annotation: Any, info: Any) -> Convert | None:
    """The quick conversion for a parameter of type `annotation` (None: leave it to Typer)."""
    if getattr(info, "parser", None) is not None or getattr(info, "clamp", False):
        return None
    if get_origin(annotation) is list:
        (item,) = get_args(annotation) or (Any,)
        leaf = conversion(item, info)
        return _listed(leaf) if leaf is not None else None
    if annotation is str:
        return _text
    if annotation is bool:
        return _flag
    if annotation is Path:
        return _path if _plain_path(info) else None
    if annotation is int:
        return _whole(getattr(info, "min", None), getattr(info, "max", None))
    if isinstance(annotation, type) and issubclass(annotation, Enum) and getattr(info, "case_sensitive", True):
        return _choice(annotation)
    return None


if RuntimeParam is not None:

    @dataclass(frozen=True)
    class QuickParam(RuntimeParam):
        """Typer's conversion contract, met by a quick conversion, and by Typer's own when it is unsure."""

        convert: Convert
        descriptor: Any

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            try:
                return self.convert(value, ctx)
            except _Unsure:
                return build_runtime_param(self.descriptor)._coerce_value(value, param, ctx)


def quicken(param: Any) -> None:
    """Give a Typer parameter the quick conversion of its type, when there is one (module docstring)."""
    descriptor = getattr(param, "type_descriptor", None)
    if RuntimeParam is None or descriptor is None or getattr(param, "_runtime_param", False) is not None:
        return
    convert = conversion(descriptor.annotation, descriptor.parameter_info)
    if convert is not None:
        param._runtime_param = QuickParam(parameter_info=descriptor.parameter_info, annotation=descriptor.annotation,
                                          convert=convert, descriptor=descriptor)


__all__ = ["conversion", "quicken"]
