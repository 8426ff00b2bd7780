"""The `pml` command: render prompts, check them, and see what provider caches can reuse.

    pml render prompt.pml --context ctx.json --var name=Ada --format anthropic
    pml check prompts/*.pml --format json             (pml/cli/check.py)
    pml tokens prompt.pml                             (pml/cli/tokens.py)
    pml cache plan prompt.pml --target anthropic      (pml/cli/cache.py)
    pml lock --check
    pml batch prompt.pml rows.jsonl -o out -m MODEL   (pml/cli/batch.py)
    pml run prompt.pml --model model.gguf             (pml/cli/run.py)
    pml lsp                                           (the language server on stdio: pml/lsp/)
    pml preview prompt.pml                            (the preview page on 127.0.0.1)

Every command fails the same way (pml/cli/errors.py): a located message on stderr and status 1;
`--debug` adds the Python traceback. `--limit NAME=VALUE` changes a resource limit
(pml/cli/options.py).

A command imports the library it runs inside its own body, so that starting `pml` costs only
what the command asked for needs, and `main` builds only that command's options
(`benchmarks/startup.py` measures it).
"""

from __future__ import annotations

import contextvars
import copy
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

import pml
from pml.cli.batch import batch
from pml.cli.cache import cache_app, lock
from pml.cli.check import check
from pml.cli.errors import InputError, guarded, log_errors, warn
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
from pml.cli.run import run
from pml.cli.tokens import tokens
from pml.cli.util import beside, context_of, plural, require_file

app = typer.Typer(
    name="pml",
    help="PML: compile prompt markup (.pml, .poml) into chat messages.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=Group,
)


class Format(str, Enum):
    """The payload shapes (`pml.output.targets.FORMATS`)."""

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


def _version(value: bool) -> None:
    if value:
        typer.echo(f"pml {pml.__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[bool, typer.Option(
        "--version", "-V", help="Print the version and exit.", is_eager=True, callback=_version, metavar="")] = False,
) -> None:
    """PML: compile prompt markup (.pml, .poml) into chat messages."""


FORMAT_HELP = "The payload shape: " + ", ".join(f.value for f in Format) + "."


@app.command(cls=Command)
def render(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="The prompt file (.pml or .poml).", show_default=False)],
    context: ContextOption = None,
    var: VarOption = None,
    stylesheet: Annotated[Path | None, typer.Option(
        "--stylesheet", "-s", metavar="FILE", show_default=False,
        help="A stylesheet (.pss CSS or .json). Default: FILE.pss beside the prompt, when present.")] = None,
    format: Annotated[Format, typer.Option("--format", "-f", metavar="FORMAT", help=FORMAT_HELP)] = Format.openai,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", metavar="FILE", show_default=False, help="Write here instead of stdout.")] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Treat unknown attributes as errors.")] = False,
    root: RootOption = None,
    max_tokens: Annotated[int | None, typer.Option(
        "--max-tokens", metavar="N", min=1, show_default=False,
        help="A token budget for the whole prompt (o200k_base): lower `priority` elements are dropped first, then "
        "text is cut, never inside code, tables, data or cached modules. What was dropped is listed on stderr.")]
    = None,
    limit: LimitOption = None,
    max_output: MaxOutputOption = None,
    debug: DebugOption = False,
) -> None:
    """Render a prompt into chat messages and print the payload (JSON, or text with --format text)."""
    from pml.api import load

    with guarded(file, debug=debug, limits_in_force=limits_from(limit, max_output)):
        require_file(file)
        ctx = context_of(file, context, var)
        prompt = load(file, stylesheet=_stylesheet(file, stylesheet), strict=strict, root=root)
        warn(prompt.diagnostics)
        rendered = prompt.render(ctx, max_tokens=max_tokens)
        if rendered.dropped:
            typer.echo(f"budget: {plural(len(rendered.dropped), 'cut')} to fit:", err=True)
            for item in rendered.dropped:
                typer.echo(f"  {item.describe()}", err=True)
        if format is Format.anthropic and any(p.cached for p in rendered.modules):
            warn(rendered.cache_plan("anthropic").warnings)
        text = _payload_text(rendered.to_format(format.value))
        if output is not None:
            output.write_text(text + "\n", encoding="utf-8")
        else:
            typer.echo(text)


def _stylesheet(file: Path, given: Path | None) -> Path | None:
    """The stylesheet of a render: the one given, else FILE.pss beside the prompt when present."""
    sheet = given or beside(file, ".pss")
    if sheet is not None and not sheet.is_file():
        raise InputError(f"{sheet}: stylesheet file not found" if not sheet.exists() else
                         f"{sheet}: the stylesheet must be a file, not a folder")
    if sheet is not None and sheet.suffix not in (".pss", ".css", ".json"):
        raise InputError(f"{sheet}: a stylesheet is a .pss, .css or .json file")
    return sheet


def _payload_text(payload: Any) -> str:
    """A payload as printed: text as it is, the pydantic format as its JSON, anything else as JSON."""
    from pml.output.prompt import dumps

    if hasattr(payload, "model_dump"):
        payload = payload.model_dump(mode="json")
    return payload if isinstance(payload, str) else dumps(payload)


@app.command("lsp", cls=Command)
def lsp(debug: DebugOption = False) -> None:
    """Run the PML language server on stdio (for editors)."""
    with guarded(None, debug=debug):
        from pml.lsp.server import main as serve

        log_errors("pml-lsp", debug=debug)  # before the server's own logging setup, which then keeps it
        serve()


@app.command("preview", cls=Command)
def preview(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="The prompt file.", show_default=False)],
    context: ContextOption = None,
    var: VarOption = None,
    port: Annotated[int, typer.Option("--port", metavar="PORT", min=0, max=65535,
                                      help="The port on 127.0.0.1 (0 picks a free one).")]
    = 8765,
    limit: LimitOption = None,
    max_output: MaxOutputOption = None,
    debug: DebugOption = False,
) -> None:
    """Serve the preview (messages, tokens, cache breakpoints) on 127.0.0.1; it follows the file as you edit it."""
    from pml.cli.preview_server import make_server

    with guarded(file, debug=debug, limits_in_force=limits_from(limit, max_output)):
        require_file(file)
        ctx = context_of(file, context, var)
        try:
            server = make_server(file, ctx, port=port)
        except OSError as exc:
            raise InputError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}; hint: try --port 0") from None
        _carry_context(server)
        bound = server.server_address[1]
        typer.echo(f"previewing {file} at http://127.0.0.1:{bound}/ (Ctrl-C stops)", err=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()


def _carry_context(server: Any) -> None:
    """Each request of a threading server runs in a new thread, which starts with empty context
    variables: run it in a copy of this one, so that the limits in force apply to it."""
    handle = server.process_request_thread
    context = contextvars.copy_context()

    def process_request_thread(request: Any, client_address: Any) -> None:
        context.copy().run(handle, request, client_address)

    server.process_request_thread = process_request_thread


app.command("check", cls=Command)(check)
app.add_typer(cache_app, name="cache")
app.command("lock", cls=Command)(lock)
app.command("tokens", cls=Command)(tokens)
app.command("run", cls=Command)(run)  # local-model completion with attention reuse (pml/cli/run.py)
app.command("batch", cls=Command)(batch)  # rows of JSONL, CSV or Parquet into provider batch files


def main() -> None:
    """Console entry point. Typer builds a command's options from its signature, which takes longer
    than rendering a small prompt: when the first argument names a command, only that command is
    built (its options, help and errors are the same); anything else gets the whole `app`."""
    command = only(sys.argv[1]) if len(sys.argv) > 1 else None
    (command or app)()


def only(name: str) -> typer.Typer | None:
    """`app` with the command or command group `name` alone, or None when there is none of that name."""
    commands = [info for info in app.registered_commands
                if (info.name or typer.main.get_command_name(getattr(info.callback, "__name__", ""))) == name]
    groups = [info for info in app.registered_groups if info.name == name]
    if not commands and not groups:
        return None
    one = copy.copy(app)
    one.registered_commands = commands
    one.registered_groups = groups
    return one


if __name__ == "__main__":  # pragma: no cover
    main()
