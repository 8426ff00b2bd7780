"""What the `pml` commands share: failing with a message, reading contexts and variables.

The context of a render is built the same way by every command (`context_of`): the `--context`
files in order (default: FILE.context.json beside the prompt, when present), each file's
top-level keys replacing those of the files before it, then each `--var key=value`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from pml import files
from pml.cli.errors import InputError


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print `message` on stderr; the `typer.Exit` to raise with `code`."""
    typer.echo(message, err=True)
    return typer.Exit(code)


def plural(count: int, noun: str) -> str:
    """`1 file`, `2 files`, `0 cached modules`."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def parse_var(text: str) -> tuple[str, Any]:
    key, sep, value = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise InputError(f"--var expects key=value, not `{text}`")
    try:
        return key, json.loads(value)
    except (json.JSONDecodeError, RecursionError):
        return key, value


def read_json(path: Path, what: str) -> dict[str, Any]:
    """The JSON object in `path`; any problem is a message naming the file (and the place in it).

    Only a regular file is read (a FIFO is never opened), and at most `max_file_size` bytes of it."""
    if path.is_dir():
        raise InputError(f"{path}: the {what} must be a JSON file, not a folder")
    if not path.exists():
        raise InputError(f"{path}: {what} file not found")
    try:
        raw = files.read_file(path)
    except files.FileProblem as problem:
        raise InputError(f"{path}: cannot read the {what}: {problem.reason}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = len(raw[raw.rfind(b"\n", 0, exc.start) + 1:exc.start].decode("utf-8", "replace")) + 1
        raise InputError(f"{path}:{line}:{column}: the {what} is not UTF-8 text "
                         f"(byte 0x{raw[exc.start]:02x})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}:{exc.lineno}:{exc.colno}: the {what} is not valid JSON: {exc.msg}") from None
    except RecursionError:
        raise InputError(f"{path}: the {what} is nested too deeply") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: the {what} must be a JSON object, not {_json_kind(data)}")
    return data


def _json_kind(data: Any) -> str:
    return {list: "a list", str: "a string", bool: "a boolean", type(None): "null"}.get(type(data), "a number")


def beside(file: Path, suffix: str) -> Path | None:
    candidate = file.with_name(file.stem + suffix)
    return candidate if candidate.is_file() else None


def context_files(file: Path, contexts: list[Path] | None) -> list[Path]:
    """The context files for `file`: those given, else FILE.context.json beside it when present."""
    if contexts:
        return list(contexts)
    found = beside(file, ".context.json")
    return [found] if found is not None else []


def context_of(file: Path, contexts: list[Path] | None, variables: list[str] | None) -> dict[str, Any]:
    """The context for rendering `file` (module docstring): its JSON files merged in order, later
    files winning, then `--var key=value` settings."""
    return merged(context_files(file, contexts), variables)


def merged(paths: list[Path], variables: list[str] | None) -> dict[str, Any]:
    """The JSON objects in `paths` merged in order (a later file's keys replace an earlier one's),
    then the `key=value` settings."""
    ctx: dict[str, Any] = {}
    for path in paths:
        ctx.update(read_json(path, "context"))
    for item in variables or []:
        key, value = parse_var(item)
        ctx[key] = value
    return ctx


def require_file(file: Path) -> None:
    """An `InputError` "FILE: no such file" (or "is a folder") unless `file` is a file."""
    if file.is_dir():
        raise InputError(f"{file}: is a folder, not a prompt file")
    if not file.is_file():
        raise InputError(f"{file}: no such file")
