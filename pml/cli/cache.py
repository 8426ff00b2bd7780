"""`pml cache plan`, `pml cache diff` and `pml lock`: what providers can cache, and why they missed.

    pml cache plan prompt.pml --context ctx.json --target anthropic --model claude-sonnet-4-5
    pml cache diff prompt.pml --context monday.json --context tuesday.json
    pml lock prompts/            # write pml.lock
    pml lock --check prompts/    # fail when a cached module changed

The plan's text is written by `pml.output.plantext`, the difference found by `pml.output.diff`,
the lock file read and compared by `pml.compile.lockfile`; this module parses the arguments and
prints.
"""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pml.cli.errors import diagnostics_of, guarded, report, warn
from pml.cli.options import (
    Command,
    ContextOption,
    DebugOption,
    Group,
    LimitOption,
    MaxOutputOption,
    RootOption,
    VarOption,
    limits_from,
)
from pml.cli.util import beside, context_of, fail, plural, require_file
from pml.errors import PMLError

if TYPE_CHECKING:
    from pml.output.prompt import Prompt

cache_app = typer.Typer(
    name="cache", no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False, cls=Group,
    help="See what provider prompt caches can reuse of a prompt, and why two renders differ.")

class Target(str, Enum):
    anthropic = "anthropic"
    openai = "openai"


class PlanFormat(str, Enum):
    text = "text"
    json = "json"


TargetOption = Annotated[Target, typer.Option(
    "--target", "-t", metavar="PROVIDER", help="The provider whose cache rules apply: anthropic or openai.")]
ModelOption = Annotated[str | None, typer.Option(
    "--model", "-m", metavar="MODEL", show_default=False,
    help="The model (sets the minimum cacheable length). Default: the prompt's <runtime model>.")]


def _load(file: Path, root: Path | None) -> Prompt:
    from pml.api import load

    require_file(file)
    prompt = load(file, stylesheet=beside(file, ".pss"), root=root)
    warn(prompt.diagnostics)
    return prompt


# ---------------------------------------------------------------------- plan
@cache_app.command("plan", cls=Command)
def plan_command(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="The prompt file.", show_default=False)],
    context: ContextOption = None,
    var: VarOption = None,
    target: TargetOption = Target.anthropic,
    model: ModelOption = None,
    format: Annotated[PlanFormat, typer.Option(
        "--format", "-f", metavar="FORMAT", help="text for people, json for tools.")] = PlanFormat.text,
    full: Annotated[bool, typer.Option(
        "--full", help="Show long modules whole instead of their first and last lines.")] = False,
    root: RootOption = None,
    limit: LimitOption = None,
    max_output: MaxOutputOption = None,
    debug: DebugOption = False,
) -> None:
    """Show the messages with module boundaries, cache breakpoints and cacheable-prefix tokens."""
    from pml.output.plantext import format_plan, plan_data

    with guarded(file, debug=debug, limits_in_force=limits_from(limit, max_output)):
        require_file(file)
        ctx = context_of(file, context, var)
        rendered = _load(file, root).render(ctx)
        plan = rendered.cache_plan(target.value, model)
        warn(plan.warnings)
        if format is PlanFormat.json:
            typer.echo(json.dumps(plan_data(rendered, plan), ensure_ascii=False, indent=2))
        else:
            typer.echo(format_plan(str(file), rendered, plan, full=full))


# ---------------------------------------------------------------------- diff
@cache_app.command("diff", cls=Command)
def diff_command(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="The prompt file.", show_default=False)],
    context: Annotated[list[Path], typer.Option(
        "--context", "-c", metavar="FILE", help="A JSON context file; give exactly two.", show_default=False)],
    target: TargetOption = Target.anthropic,
    model: ModelOption = None,
    root: RootOption = None,
    limit: LimitOption = None,
    max_output: MaxOutputOption = None,
    debug: DebugOption = False,
) -> None:
    """Print where two renders first differ, the {{ }} and variable behind it, and the breakpoints that miss."""
    if len(context) != 2:
        raise fail(f"cache diff compares two renders: give --context twice (got {len(context)})", 2)
    from pml.output.diff import compare, describe

    with guarded(file, debug=debug, limits_in_force=limits_from(limit, max_output)):
        require_file(file)
        first, second = (context_of(file, [c], None) for c in context)
        difference = compare(_load(file, root), (first, second), target.value, model)
        typer.echo(describe(difference, (str(context[0]), str(context[1])), (first, second)))
    if difference is not None:
        raise typer.Exit(1)


# ---------------------------------------------------------------------- lock
def lock(
    paths: Annotated[list[Path] | None, typer.Argument(
        metavar="PATHS", help="Prompt files or folders (searched for .pml and .poml). Default: the current folder.",
        show_default=False)] = None,
    check: Annotated[bool, typer.Option("--check", help="Fail when a cached module differs from the lock file "
                                                         "instead of writing it.")] = False,
    lock_file: Annotated[Path, typer.Option("--lock-file", metavar="FILE", help="The lock file.")] = Path("pml.lock"),
    limit: LimitOption = None,
    max_output: MaxOutputOption = None,
    debug: DebugOption = False,
) -> None:
    """Write pml.lock with the content hash of every cached module; --check fails when one changed."""
    with guarded(lock_file, debug=debug, limits_in_force=limits_from(limit, max_output)):
        _lock(paths, check, lock_file, debug)


def _lock(paths: list[Path] | None, check: bool, lock_file: Path, debug: bool) -> None:
    from pml.compile import lockfile

    files = lockfile.prompt_files(paths or [Path(".")])
    found = _module_hashes(files, lock_file.resolve().parent, debug)
    if not check:
        lock_file.write_text(lockfile.dumps(found), encoding="utf-8")
        typer.echo(f"wrote {lock_file}: {plural(len(found), 'cached module')} from {plural(len(files), 'file')}")
        return
    if not lock_file.is_file():
        raise fail(f"{lock_file}: no lock file; run `pml lock` to write it")
    try:
        locked = lockfile.read(lock_file)
    except PMLError as exc:
        raise fail(str(exc)) from None
    diff = lockfile.compare(locked, found)
    if diff.clean:
        typer.echo(f"{lock_file} is up to date: {plural(len(found), 'cached module')}")
        return
    for key in diff.changed:
        typer.echo(f"changed: {key} (locked {locked[key][:19]}…, now {found[key][:19]}…)")
    for key in diff.added:
        typer.echo(f"added: {key} (not in {lock_file})")
    for key in diff.removed:
        typer.echo(f"removed: {key} (in {lock_file}, no longer defined)")
    raise fail("cached modules differ from the lock file: provider caches of the prompts that place them "
               "will miss; if the change is meant, run `pml lock` and commit the lock file")


def _module_hashes(files: list[Path], base: Path, debug: bool) -> dict[str, str]:
    """The content hash of every cached module of `files`; each file that does not compile is
    reported, and then the command fails."""
    from pml.api import load
    from pml.compile import lockfile

    found: dict[str, str] = {}
    errors = 0
    for file in files:
        try:
            require_file(file)
            found.update(lockfile.module_hashes(load(file, stylesheet=beside(file, ".pss")), file, base))
        except Exception as exc:
            if debug:
                raise
            typer.echo(report(diagnostics_of(exc, file)), err=True)
            errors += 1
    if errors:
        raise fail(f"{plural(errors, 'file')} did not compile: fix {'them' if errors != 1 else 'it'} first")
    return found
