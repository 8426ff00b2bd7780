"""The options every `pml` command shares, and help pages that read cleanly.

`--debug`, `--limit NAME=VALUE` (any field of `pml.limits.Limits`) and `--max-output N` are
declared once here; `limits_from` turns them into the `Limits` a command runs under. `--context`,
`--var` and `--root` are declared here too, with the same help everywhere.

`Command` is the command class of every `pml` command (`Group` of `pml` and `pml cache`): its
usage line names arguments as `FILE` and `[PATHS]...`, and its option table shows a value's
metavar (`FILE`, `KEY=VALUE`) and nothing for flags. Its parameters convert their values
without Pydantic (`pml.cli.convert`).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup

from pml import limits
from pml.cli.convert import quicken
from pml.limits import Limits

DebugOption = Annotated[bool, typer.Option(
    "--debug", help="On an error, show the Python traceback too.", metavar="")]
LimitOption = Annotated[list[str] | None, typer.Option(
    "--limit", metavar="NAME=VALUE", help="Change a resource limit, e.g. --limit max_depth=512 (repeatable; the "
    "names are those of docs/security.md, and a wrong one lists them).", show_default=False)]
MaxOutputOption = Annotated[int | None, typer.Option(
    "--max-output", metavar="N", min=1, help="The most characters a render may write: --limit max_output=N.",
    show_default=False)]
ContextOption = Annotated[list[Path] | None, typer.Option(
    "--context", "-c", metavar="FILE", show_default=False,
    help="A JSON file with the context. Repeatable: the files are merged, a later file's keys replacing "
    "an earlier one's. Default: FILE.context.json beside the prompt, when present.")]
VarOption = Annotated[list[str] | None, typer.Option(
    "--var", metavar="KEY=VALUE", show_default=False,
    help="Set one variable (the value is JSON when it parses, else a string). Repeatable; wins over --context.")]
RootOption = Annotated[Path | None, typer.Option(
    "--root", metavar="DIR", show_default=False,
    help="The folder the prompt may read files from (includes, documents, <let src>). Default: the prompt's "
    "folder.")]


def limits_from(settings: list[str] | None, max_output: int | None = None) -> Limits | None:
    """The limits `--limit NAME=VALUE`… and `--max-output N` ask for, on top of those in force
    (None when neither is given). A wrong name or value is a usage error."""
    if not settings and max_output is None:
        return None
    changes: dict[str, int | float] = {}
    types = {f.name: f.type for f in dataclasses.fields(Limits)}
    for setting in settings or []:
        name, sep, text = setting.partition("=")
        name = name.strip().replace("-", "_")
        if not sep or not name:
            raise typer.BadParameter(f"expected NAME=VALUE, not `{setting}`", param_hint="--limit")
        if name not in types:
            raise typer.BadParameter(f"unknown limit `{name}`; the limits are: {', '.join(Limits.names())}",
                                     param_hint="--limit")
        changes[name] = _number(name, text.strip(), types[name] in (float, "float"))
    if max_output is not None:
        changes["max_output"] = max_output
    return limits.current().replace(**changes)


def _number(name: str, text: str, real: bool) -> int | float:
    try:
        value: int | float = float(text) if real else int(text)
    except ValueError:
        value = -1
    if value <= 0 or value != value or value == float("inf"):
        kind = "a positive number" if real else "a positive whole number"
        raise typer.BadParameter(f"`{name}` needs {kind}, not `{text}`", param_hint="--limit")
    return value


class _Argument(TyperArgument):
    """An argument whose help row shows its name (`FILE`) and no Python type."""

    def display_type_rich(self, ctx: Any) -> str | None:
        return None


class Command(TyperCommand):
    """A `pml` command whose help reads cleanly (module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:
            _plain(param)

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)
        if option is not None:
            _plain(option)
        return option

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if isinstance(param, TyperArgument):
                name = param.metavar or (param.name or "").upper()
                name += "..." if param.nargs != 1 else ""
                pieces.append(name if param.required else f"[{name}]")
        return pieces


class Group(TyperGroup):
    """The `pml` command group (and `pml cache`): its help shows nothing for flags."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:
            _plain(param)

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)
        if option is not None:
            _plain(option)
        return option


def _plain(param: Any) -> None:
    quicken(param)
    if type(param) is TyperArgument:
        param.__class__ = _Argument
    elif getattr(param, "is_flag", False) and param.metavar is None:
        param.metavar = ""


__all__ = [
    "Command",
    "ContextOption",
    "DebugOption",
    "Group",
    "LimitOption",
    "MaxOutputOption",
    "RootOption",
    "VarOption",
    "limits_from",
]
