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
import importlib
import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

import pml
from pml.cli.errors import InputError, guarded, warn
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
from pml.cli.util import beside, context_of, plural, require_file

if TYPE_CHECKING:
    app: typer.Typer  # `pml` with all its commands, made when first used (see `__getattr__`)

# The commands written in this module; `app` adds those of the modules named in `ELSEWHERE`.
core = typer.Typer(
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


@core.callback()
def main_options(
    version: Annotated[bool, typer.Option(
        "--version", "-V", help="Print the version and exit.", is_eager=True, callback=_version, metavar="")] = False,
) -> None:
    """PML: compile prompt markup (.pml, .poml) into chat messages."""


FORMAT_HELP = "The payload shape: " + ", ".join(f.value for f in Format) + "."


@core.command(cls=Command)
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


@core.command("lsp", cls=Command)
def lsp(debug: DebugOption = False) -> None:
    """Run the PML language server on stdio (for editors)."""
    with guarded(None, debug=debug):
        from pml.cli.logs import log_errors
        from pml.lsp.server import main as serve

        log_errors("pml-lsp", debug=debug)  # before the server's own logging setup, which then keeps it
        serve()


@core.command("preview", cls=Command)
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


# The commands in modules of their own: the module and the command function (or group), in the
# order `pml --help` lists them. A command's module is imported when the command is built.
ELSEWHERE: dict[str, tuple[str, str]] = {
    "check": ("pml.cli.check", "check"),
    "cache": ("pml.cli.cache", "cache_app"),
    "lock": ("pml.cli.cache", "lock"),
    "tokens": ("pml.cli.tokens", "tokens"),
    "run": ("pml.cli.run", "run"),  # local-model completion with attention reuse
    "batch": ("pml.cli.batch", "batch"),  # rows of JSONL, CSV or Parquet into provider batch files
}


def _add(target: typer.Typer, name: str) -> None:
    module, attribute = ELSEWHERE[name]
    value = getattr(importlib.import_module(module), attribute)
    if isinstance(value, typer.Typer):
        target.add_typer(value, name=name)
    else:
        target.command(name, cls=Command)(value)


def _copy_of_core(names: set[str] | None) -> typer.Typer:
    """`core` with its commands named in `names` (all of them for None), and no others yet."""
    one = copy.copy(core)
    one.registered_commands = [info for info in core.registered_commands
                               if names is None or _name_of(info) in names]
    one.registered_groups = []
    return one


def _name_of(info: Any) -> str:
    return str(info.name or typer.main.get_command_name(getattr(info.callback, "__name__", "")))


def whole() -> typer.Typer:
    """`pml` with every command."""
    made = _copy_of_core(None)
    for name in ELSEWHERE:
        _add(made, name)
    return made


def only(name: str) -> typer.Typer | None:
    """`pml` with the command (or command group) `name` alone, or None when there is none of that name."""
    one = _copy_of_core({name})
    if not one.registered_commands:
        if name not in ELSEWHERE:
            return None
        _add(one, name)
    return one


def __getattr__(name: str) -> Any:
    if name == "app":
        made = globals()["app"] = whole()
        return made
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main() -> None:
    """Console entry point. Typer builds a command's options from its signature, which takes longer
    than rendering a small prompt: when the first argument names a command, only that command is
    built (its options, help and errors are the same); anything else gets the whole `app`."""
    command = only(sys.argv[1]) if len(sys.argv) > 1 else None
    (command or whole())()


if __name__ == "__main__":  # pragma: no cover
    main()
