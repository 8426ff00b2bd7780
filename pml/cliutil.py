"""What the `pml` commands share: failing with a message, reading contexts and variables."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer


def fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(code)


def parse_var(text: str) -> tuple[str, Any]:
    if "=" not in text:
        raise fail(f"--var expects key=value, not `{text}`")
    key, value = text.split("=", 1)
    key = key.strip()
    if not key:
        raise fail(f"--var expects key=value, not `{text}`")
    try:
        return key, json.loads(value)
    except json.JSONDecodeError:
        return key, value


def read_json(path: Path, what: str) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise fail(f"{path}: {what} file not found") from None
    except json.JSONDecodeError as exc:
        raise fail(f"{path}:{exc.lineno}:{exc.colno}: the {what} is not valid JSON: {exc.msg}") from None
    if not isinstance(data, dict):
        raise fail(f"{path}: the {what} must be a JSON object")
    return data


def beside(file: Path, suffix: str) -> Path | None:
    candidate = file.with_name(file.stem + suffix)
    return candidate if candidate.is_file() else None


def context_of(file: Path, contexts: list[Path] | None, variables: list[str] | None) -> dict[str, Any]:
    """The context for rendering `file`: its JSON files (default: FILE.context.json beside it, when
    present), then `--var key=value` settings."""
    ctx: dict[str, Any] = {}
    found = contexts or [c for c in [beside(file, ".context.json")] if c is not None]
    for path in found:
        ctx.update(read_json(path, "context"))
    for item in variables or []:
        key, value = parse_var(item)
        ctx[key] = value
    return ctx
