"""The `pml` command: render prompts, check them, and see what provider caches can reuse.

    pml render prompt.pml --context ctx.json --var name=Ada --format anthropic
    pml check prompts/*.pml --format json
    pml cache plan prompt.pml --target anthropic      (pml/cli_cache.py)
    pml lock --check
    pml lsp                                           (the language server on stdio: pml/lsp/)
    pml preview prompt.pml                            (the preview page on 127.0.0.1)

Bad input prints a located message on stderr and exits with status 1; `--debug` adds the
Python traceback.
"""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from pml.api import compile_source, load
from pml.cli_cache import cache_app, lock
from pml.cli_tokens import tokens
from pml.cliutil import beside as _beside
from pml.cliutil import fail as _fail
from pml.cliutil import parse_var as _parse_var
from pml.cliutil import read_json as _read_json
from pml.errors import Diagnostic, PMLError
from pml.prompt import dumps
from pml.source import Source
from pml.targets import FormatError

app = typer.Typer(
    name="pml",
    help="PML: compile prompt markup (.pml, .poml) into chat messages.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class Format(str, Enum):
    """The payload shapes (`pml.targets.FORMATS`)."""

    openai = "openai"
    openai_chat = "openai_chat"
    openai_responses = "openai-responses"
    anthropic = "anthropic"
    gemini = "gemini"
    langchain = "langchain"
    pydantic = "pydantic"
    message_dict = "message_dict"
    dict = "dict"
    raw = "raw"
    text = "text"


class CheckFormat(str, Enum):
    text = "text"
    json = "json"


@app.command()
def render(
    file: Annotated[Path, typer.Argument(help="The prompt file (.pml or .poml).", show_default=False)],
    context: Annotated[Path | None, typer.Option(
        "--context", "-c", help="A JSON file with the context. Default: FILE.context.json beside the "
        "prompt, when present.")] = None,
    var: Annotated[list[str] | None, typer.Option(
        "--var", "-v", help="Set one variable: key=value (the value is parsed as JSON when it can be, "
        "else taken as a string). Repeatable; wins over --context.")] = None,
    stylesheet: Annotated[Path | None, typer.Option(
        "--stylesheet", "-s", help="A stylesheet (.pss CSS or .json). Default: FILE.pss beside the "
        "prompt, when present.")] = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="The payload shape.")] = Format.openai,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")] = None,
    strict: Annotated[bool, typer.Option(help="Treat unknown attributes as errors.")] = False,
    root: Annotated[Path | None, typer.Option(
        help="The folder the prompt may read files from (includes, documents, <let src>). "
        "Default: the prompt's folder.")] = None,
    max_tokens: Annotated[int | None, typer.Option(
        "--max-tokens", min=1, help="A token budget for the whole prompt (o200k_base): lower `priority` "
        "elements are dropped first, then text is cut, never inside code, tables, data or cached modules. "
        "What was dropped is listed on stderr.")] = None,
    debug: Annotated[bool, typer.Option(help="Show a Python traceback on errors.")] = False,
) -> None:
    """Render a prompt into chat messages and print the payload (JSON, or text with --format text)."""
    try:
        if not file.is_file():
            raise _fail(f"{file}: no such file")
        ctx: dict[str, Any] = {}
        context_file = context or _beside(file, ".context.json")
        if context_file is not None:
            ctx.update(_read_json(context_file, "context"))
        for item in var or []:
            key, value = _parse_var(item)
            ctx[key] = value
        sheet = stylesheet or _beside(file, ".pss")
        if sheet is not None and not sheet.is_file():
            raise _fail(f"{sheet}: stylesheet file not found")
        prompt = load(file, stylesheet=sheet, strict=strict, root=root)
        for warning in prompt.diagnostics:
            typer.echo(warning.format(), err=True)
        rendered = prompt.render(ctx, max_tokens=max_tokens)
        if rendered.dropped:
            typer.echo(f"budget: {len(rendered.dropped)} cut{'s' if len(rendered.dropped) != 1 else ''} to fit:",
                       err=True)
            for item in rendered.dropped:
                typer.echo(f"  {item.describe()}", err=True)
        if format is Format.anthropic and any(p.cached for p in rendered.modules):
            for warning in rendered.cache_plan("anthropic").warnings:
                typer.echo(warning.format(), err=True)
        payload = rendered.to_format(format.value)
        if hasattr(payload, "model_dump"):  # the pydantic format: print its JSON
            payload = payload.model_dump(mode="json")
        text = payload if isinstance(payload, str) else dumps(payload)
        if output is not None:
            output.write_text(text + "\n", encoding="utf-8")
        else:
            typer.echo(text)
    except (PMLError, FormatError) as exc:
        if debug:
            raise
        raise _fail(str(exc) if isinstance(exc, PMLError) else f"{file}: {exc}") from None
    except typer.Exit:
        raise
    except Exception as exc:
        if debug:
            raise
        raise _fail(f"error: {type(exc).__name__}: {exc}\nhint: run again with --debug to see where") from None


@app.command()
def check(
    files: Annotated[list[Path], typer.Argument(help="Prompt files to check.", show_default=False)],
    format: Annotated[CheckFormat, typer.Option("--format", "-f", help="text for people, json for tools.")]
    = CheckFormat.text,
    strict: Annotated[bool, typer.Option(help="Treat unknown attributes as errors.")] = False,
) -> None:
    """Compile prompts and print every diagnostic. Exits 1 when any file has errors."""
    results: list[Diagnostic] = []
    for file in files:
        results.extend(_check_one(file, strict))
    errors = sum(1 for d in results if d.severity == "error")
    warnings = len(results) - errors
    if format is CheckFormat.json:
        typer.echo(json.dumps([d.to_json() for d in results], ensure_ascii=False, indent=2))
    else:
        for d in results:
            typer.echo(d.format())
        summary = f"{len(files)} file{'s' if len(files) != 1 else ''} checked: {errors} error" \
                  f"{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}"
        typer.echo(summary)
    if errors:
        raise typer.Exit(1)


def _check_one(file: Path, strict: bool) -> list[Diagnostic]:
    if not file.is_file():
        return [Diagnostic("error", f"{file}: no such file", None, None, "io")]
    try:
        source = Source.from_path(file.resolve(), str(file))
        sheet = _beside(file, ".pss")
        prompt = compile_source(source, stylesheet=sheet, strict=strict)
    except PMLError as exc:
        return exc.diagnostics
    except (OSError, UnicodeDecodeError) as exc:
        return [Diagnostic("error", f"{file}: {exc}", None, None, "io")]
    return prompt.diagnostics


@app.command("lsp")
def lsp() -> None:
    """Run the PML language server on stdio (for editors)."""
    from pml.lsp.server import main as serve

    serve()


@app.command("preview")
def preview(
    file: Annotated[Path, typer.Argument(help="The prompt file.", show_default=False)],
    context: Annotated[list[Path] | None, typer.Option(
        "--context", "-c", help="A JSON file with the context (default: FILE.context.json beside the prompt).")]
    = None,
    var: Annotated[list[str] | None, typer.Option("--var", "-v", help="Set one variable: key=value.")] = None,
    port: Annotated[int, typer.Option(min=0, max=65535, help="The port on 127.0.0.1 (0 picks a free one).")]
    = 8765,
) -> None:
    """Serve the preview (messages, tokens, cache breakpoints) on 127.0.0.1; it follows the file as you edit it."""
    from pml.preview_server import PreviewError, make_server, read_context_file

    if file.is_dir():
        raise _fail(f"{file}: is a folder, not a prompt file")
    if not file.is_file():
        raise _fail(f"{file}: no such file")
    ctx: dict[str, Any] = {}
    try:
        for path in context or [c for c in [_beside(file, ".context.json")] if c is not None]:
            ctx.update(read_context_file(path))
    except PreviewError as exc:
        raise _fail(str(exc)) from None
    for item in var or []:
        key, value = _parse_var(item)
        ctx[key] = value
    try:
        server = make_server(file, ctx, port=port)
    except OSError as exc:
        raise _fail(f"cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}; hint: try --port 0") from None
    host, bound = server.server_address[:2]
    typer.echo(f"previewing {file} at http://{host}:{bound}/ (Ctrl-C stops)", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


app.add_typer(cache_app, name="cache")
app.command("lock")(lock)
app.command("tokens")(tokens)


def main() -> None:
    """Console entry point."""
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
