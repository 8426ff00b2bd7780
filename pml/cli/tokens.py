"""`pml tokens`: where a rendered prompt's tokens go (`pml.output.tokenreport`).

    pml tokens prompt.pml --context ctx.json --model gpt-4o
    pml tokens prompt.pml --var name=Ada --format json

The tables are drawn by `pml.cli.tokentable`.
"""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from pml.cli.errors import guarded, warn
from pml.cli.options import ContextOption, DebugOption, LimitOption, MaxOutputOption, RootOption, VarOption, limits_from
from pml.cli.util import beside, context_of, require_file


class TokensFormat(str, Enum):
    table = "table"
    json = "json"


ModelOption = Annotated[str | None, typer.Option(
    "--model", "-m", metavar="MODEL", show_default=False,
    help="The model whose tokenizer counts (default: o200k_base). Models without an offline tokenizer are "
    "estimated in o200k_base.")]
FormatOption = Annotated[TokensFormat, typer.Option(
    "--format", "-f", metavar="FORMAT", help="table for people, json for tools.")]


def tokens(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="The prompt file (.pml or .poml).", show_default=False)],
    context: ContextOption = None,
    var: VarOption = None,
    model: ModelOption = None,
    format: FormatOption = TokensFormat.table,
    root: RootOption = None,
    limit: LimitOption = None,
    max_output: MaxOutputOption = None,
    debug: DebugOption = False,
) -> None:
    """Count the tokens of a rendered prompt: per message, per top-level element, per module, and the total.

The prompt is rendered as `pml render` renders it (--context, --var) and
counted offline: no network, no API key.

Tokenizers (--model; default: o200k_base):
- gpt-4o, gpt-4.1, gpt-4.5, gpt-5, o1, o3, o4: o200k_base, exact;
- gpt-4, gpt-3.5, text-embedding-3, text-embedding-ada-002: cl100k_base;
- any other model (claude-…, gemini-…): an estimate in o200k_base, and
  the output says so (their tokenizers are not available offline).

What is counted:
- messages: the text of each message, its images, and tool calls and
  results (as JSON and text); the few tokens a provider adds around each
  message are not counted;
- components: each top-level element (<role>, <task>, <human-msg>, a
  <use>, …) with its file:line:col, counted on its own text; "text
  outside elements" is the rest of the total: text and {{ }} between
  elements, and the blank lines that separate them;
- modules: each placed module (<use module="…">), cached or not;
- images: OpenAI's 512px-tile rule (85 + 170 per tile; detail auto counts
  as high), the size read from the PNG, JPEG, GIF or WebP header
  (1024×1024 when it cannot be read).

--format json prints the same report for tools. Errors are printed on
stderr with their place in the prompt, and the exit status is 1.
--context files are merged, a later file's keys replacing an earlier
one's; --var wins over them.
"""
    from pml.api import load
    from pml.output.tokenreport import measure

    with guarded(file, debug=debug, limits_in_force=limits_from(limit, max_output)):
        require_file(file)
        ctx = context_of(file, context, var)
        prompt = load(file, stylesheet=beside(file, ".pss"), root=root)
        warn(prompt.diagnostics)
        report = measure(prompt, ctx, model)
        if format is TokensFormat.json:
            typer.echo(json.dumps({"file": str(file), **report.to_dict()}, ensure_ascii=False, indent=2))
        else:
            from pml.cli.tokentable import print_report

            print_report(report, str(file))
