"""`pml cache plan`, `pml cache diff` and `pml lock`: what providers can cache, and why they missed.

    pml cache plan prompt.pml --context ctx.json --target anthropic --model claude-sonnet-4-5
    pml cache diff prompt.pml --context monday.json --context tuesday.json
    pml lock prompts/            # write pml.lock
    pml lock --check prompts/    # fail when a cached module changed
"""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from pml.api import load
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
from pml.cli.util import beside, context_of, fail, require_file
from pml.compile import lockfile
from pml.compile.program import walk
from pml.components.parts import MediaPart
from pml.output.cacheplan import Position, ProviderPlan
from pml.output.prompt import Prompt, Rendered
from pml.syntax.nodes import normalize_name

cache_app = typer.Typer(
    name="cache", no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False, cls=Group,
    help="See what provider prompt caches can reuse of a prompt, and why two renders differ.")

ELIDE_LINES = 8


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
    with guarded(file, debug=debug, limits_in_force=limits_from(limit, max_output)):
        require_file(file)
        ctx = context_of(file, context, var)
        prompt = _load(file, root)
        rendered = prompt.render(ctx)
        plan = rendered.cache_plan(target.value, model)
        warn(plan.warnings)
        if format is PlanFormat.json:
            data = plan.to_dict()
            data["modules"] = [{"module": p.name, "cached": p.cached, "key": getattr(p.mark, "key", None),
                                "start": p.start._asdict(), "end": p.end._asdict()} for p in rendered.modules]
            typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
            return
        typer.echo(format_plan(str(file), rendered, plan, full=full))


def format_plan(name: str, rendered: Rendered, plan: ProviderPlan, *, full: bool = False) -> str:
    """The plan as text: each message with its module boundaries and breakpoints marked."""
    points = {b.position: (i + 1, b) for i, b in enumerate(plan.breakpoints)}
    stable_end = _stable_end(rendered, plan)
    marks: dict[tuple[int, int], list[tuple[int, int, str]]] = {}  # (message, part) → [(offset, order, text)]
    for placed in rendered.modules:
        label = f"module {placed.name}" + (" · cached" if placed.cached else "")
        marks.setdefault(placed.start[:2], []).append((placed.start.offset, 2, f"⟪{label}⟫"))
        end = f"⟪/module {placed.name}⟫"
        if placed.cached and placed.end in points:
            number, point = points.pop(placed.end)
            end += f" ◆ breakpoint {number}: {point.prefix_tokens:,} tokens before it"
        marks.setdefault(placed.end[:2], []).append((placed.end.offset, 0, end))
    if stable_end is not None and plan.provider == "openai":
        marks.setdefault(stable_end[:2], []).append(
            (stable_end.offset, 1, f"◆ stable prefix ends: {plan.stable_prefix_tokens:,} tokens, "
                                   f"{plan.cacheable_tokens:,} cacheable"))
    model = plan.model or "no model given"
    counted = "estimated with o200k_base" if plan.estimate else "exact"
    lines = [f"{name}: cache plan for {plan.provider} ({model}; caches prefixes of {plan.minimum:,}+ tokens; "
             f"token counts {counted})"]
    for index, message in enumerate(rendered.messages):
        lines.append("")
        lines.append(f"── message {index + 1} · {message.speaker} " + "─" * 40)
        for part_index, part in enumerate(message.parts):
            if isinstance(part, MediaPart):
                lines.append(f"[{part.mime}{': ' + part.alt if part.alt else ''}]")
                continue
            if not isinstance(part, str):
                lines.append(f"[{type(part).__name__}]")
                continue
            text = _insert(part, sorted(marks.get((index, part_index), [])))
            lines.extend(text.split("\n") if full else _elide(text.split("\n")))
    lines.append("")
    lines.append(f"stable prefix: {plan.stable_prefix_bytes:,} bytes, {plan.stable_prefix_tokens:,} tokens; "
                 f"cacheable: {plan.cacheable_tokens:,} of {plan.total_tokens or 0:,} tokens")
    if plan.provider == "anthropic":
        lines.append(f"breakpoints: {len(plan.breakpoints)} of at most 4")
    if plan.cache_key:
        lines.append(f"prompt_cache_key: {plan.cache_key}")
    lines.extend(f"note: {note}" for note in plan.notes)
    return "\n".join(lines)


def _insert(text: str, marks: list[tuple[int, int, str]]) -> str:
    out: list[str] = []
    position = 0
    for offset, order, label in marks:
        out.append(text[position:offset])
        position = offset
        out.append((label + "\n") if order == 2 else ("\n" + label))
    out.append(text[position:])
    return "".join(out)


def _elide(lines: list[str]) -> list[str]:
    """Long runs of lines inside a module show their first and last lines only."""
    out: list[str] = []
    run: list[str] = []
    for line in lines:
        if line.startswith("⟪") or "◆" in line:
            out.extend(_cut(run))
            run = []
            out.append(line)
        else:
            run.append(line)
    out.extend(_cut(run))
    return out


def _cut(run: list[str]) -> list[str]:
    if len(run) <= ELIDE_LINES:
        return run
    return [*run[:3], f"    … {len(run) - 5} more lines (--full shows them) …", *run[-2:]]


def _stable_end(rendered: Rendered, plan: ProviderPlan) -> Position | None:
    cached = [p for p in rendered.modules if p.cached]
    return max((p.end for p in cached), default=None) if plan.provider == "openai" else None


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
    with guarded(file, debug=debug, limits_in_force=limits_from(limit, max_output)):
        from pml.output.trace import trace

        require_file(file)
        contexts = [context_of(file, [c], None) for c in context]
        prompt = _load(file, root)
        traced = [trace(prompt, c) for c in contexts]
        report, differ = describe_difference(prompt, traced, contexts, [str(c) for c in context], target.value,
                                             model)
        typer.echo(report)
    if differ:
        raise typer.Exit(1)


def describe_difference(prompt: Prompt, traced: list[Any], contexts: list[dict[str, Any]], names: list[str],
                        provider: str, model: str | None) -> tuple[str, bool]:
    """The report of `pml cache diff`, and whether the renders differ."""
    first, second = traced
    order = _provider_order(first.rendered, provider)
    position = None
    for index in order:
        a = first.texts[index] if index < len(first.texts) else None
        b = second.texts[index] if index < len(second.texts) else None
        speakers = [t.rendered.messages[index].speaker if index < len(t.texts) else None for t in traced]
        if a == b and speakers[0] == speakers[1]:
            continue
        offset = _first_difference(a or "", b or "")
        position = (index, offset)
        break
    if position is None and len(first.texts) == len(second.texts):
        return f"{names[0]} and {names[1]} render the same messages: every cache entry is shared.", False
    if position is None:
        index = min(len(first.texts), len(second.texts))
        position = (index, 0)
    index, offset = position
    before = sum(len(first.texts[i].encode()) for i in order[:order.index(index)] if i < len(first.texts))
    same = before + len((first.texts[index] if index < len(first.texts) else "")[:offset].encode())
    lines = [f"the renders differ at message {index + 1}, character {offset + 1} "
             f"(after {same:,} bytes of the {provider} request's text, in its order)"]
    for name, item in zip(names, traced, strict=True):
        text = item.texts[index] if index < len(item.texts) else None
        shown = "(no such message)" if text is None else _excerpt(text, offset)
        lines.append(f"  {name}: {shown}")
    origin = None
    for item in traced:
        if index < len(item.texts):
            origin = origin or item.origin_at(index, offset) or item.origin_at(index, max(offset - 1, 0))
    changed = _changed_keys(contexts[0], contexts[1])
    if origin is not None:
        span = origin.expression.span
        reads = sorted(origin.expression.names)
        lines.append(f"written by `{{{{ {origin.expression.code.strip()} }}}}` at {span}")
        excerpt = span.excerpt()
        if excerpt:
            lines.append(excerpt)
        for param, use, given in _arguments_behind(prompt, origin.expression):
            lines.append(f"`{param}` is a param, given by the `<use>` at {use.span} as `{given.strip()}`")
            reads = sorted({*reads, *_names_in(use, param)} - {param})
        culprits = [n for n in reads if n in changed] or reads
        for name in culprits:
            lines.append(f"variable `{name}`: {_value(contexts[0], name)} in {names[0]}, "
                         f"{_value(contexts[1], name)} in {names[1]}")
    else:
        lines.append("no `{{ }}` wrote this text: a condition, a loop or a module choice differs")
        if changed:
            lines.append("variables that differ: " + ", ".join(f"`{k}`" for k in changed))
    plan = prompt.render(contexts[0]).cache_plan(provider, model)
    where = (order.index(index), offset)
    lost = [b for b in plan.breakpoints if (order.index(b.position.message), b.position.offset) > where]
    kept = [b for b in plan.breakpoints if b not in lost]
    if plan.breakpoints:
        if kept:
            lines.append("still shared: the prefix up to " + ", ".join(f"`{b.module}`" for b in kept) +
                         f" ({kept[-1].prefix_tokens:,} tokens)")
        if lost:
            lines.append("breakpoints after the difference miss: " + ", ".join(f"`{b.module}`" for b in lost))
    return "\n".join(lines), True


def _arguments_behind(prompt: Prompt, expression: Any) -> list[tuple[str, Any, str]]:
    """When `expression` reads params of the module it is written in: each param, a `<use>` that
    gives it, and the argument as written."""
    span = expression.span
    inside = [m for m in prompt.modules if m.span.source is span.source and m.span.start <= span.start < m.span.end]
    if not inside:
        return []
    mdef = min(inside, key=lambda m: m.span.end - m.span.start)
    params = {p.name: key for key, p in mdef.chain().items() if p.name in expression.names}
    found: list[tuple[str, Any, str]] = []
    uses = prompt.program.links.uses
    for node in walk(prompt.root):
        target = uses.get(node.index)
        if target is None or (target is not mdef and mdef not in tuple(target.descendants())):
            continue
        for attr in node.element.attributes:
            key = normalize_name(attr.name)
            for name, param_key in params.items():
                if key == param_key:
                    found.append((name, node, attr.raw))
    return found


def _names_in(use: Any, param: str) -> set[str]:
    for name, dyn in use.dynamic.items():
        if normalize_name(name) == normalize_name(param):
            return {n for part in dyn.parts if not isinstance(part, str) for n in part.names}
    return set()


def _provider_order(rendered: Rendered, provider: str) -> list[int]:
    indexes = list(range(len(rendered.messages)))
    if provider == "anthropic":
        return [i for i in indexes if rendered.messages[i].speaker == "system"] + \
               [i for i in indexes if rendered.messages[i].speaker != "system"]
    return indexes


def _first_difference(a: str, b: str) -> int:
    for index, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return index
    return min(len(a), len(b))


def _excerpt(text: str, offset: int, width: int = 30) -> str:
    start = max(0, offset - width)
    piece = text[start:offset + width]
    return ("…" if start else "") + json.dumps(piece, ensure_ascii=False) + ("…" if offset + width < len(text) else "")


def _changed_keys(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    return sorted(k for k in {*a, *b} if a.get(k, _MISSING) != b.get(k, _MISSING))


_MISSING = object()


def _value(context: dict[str, Any], name: str) -> str:
    if name not in context:
        return "(not set)"
    text = json.dumps(context[name], ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "…"


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
    found: dict[str, str] = {}
    errors = 0
    files = lockfile.prompt_files(paths or [Path(".")])
    base = lock_file.resolve().parent
    for file in files:
        try:
            require_file(file)
            prompt = load(file, stylesheet=beside(file, ".pss"))
            found.update(lockfile.module_hashes(prompt, file, base))
        except Exception as exc:
            if debug:
                raise
            typer.echo(report(diagnostics_of(exc, file)), err=True)
            errors += 1
    if errors:
        raise fail(f"{errors} file{'s' if errors != 1 else ''} did not compile: fix "
                   f"{'them' if errors != 1 else 'it'} first")
    if not check:
        lock_file.write_text(lockfile.dumps(found), encoding="utf-8")
        typer.echo(f"wrote {lock_file}: {len(found)} cached module{'s' if len(found) != 1 else ''} "
                   f"from {len(files)} file{'s' if len(files) != 1 else ''}")
        return
    if not lock_file.is_file():
        raise fail(f"{lock_file}: no lock file; run `pml lock` to write it")
    try:
        locked = lockfile.read(lock_file)
    except ValueError as exc:
        raise fail(str(exc)) from None
    diff = lockfile.compare(locked, found)
    if diff.clean:
        typer.echo(f"{lock_file} is up to date: {len(found)} cached module{'s' if len(found) != 1 else ''}")
        return
    for key in diff.changed:
        typer.echo(f"changed: {key} (locked {locked[key][:19]}…, now {found[key][:19]}…)")
    for key in diff.added:
        typer.echo(f"added: {key} (not in {lock_file})")
    for key in diff.removed:
        typer.echo(f"removed: {key} (in {lock_file}, no longer defined)")
    raise fail("cached modules differ from the lock file: provider caches of the prompts that place them "
               "will miss; if the change is meant, run `pml lock` and commit the lock file")
