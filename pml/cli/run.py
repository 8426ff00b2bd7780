"""`pml run`: render a prompt and complete it with a local model, reusing attention states (`pml.kv`).

    pml run prompt.pml --model SmolLM2-135M-Instruct.Q4_1.gguf --var question="…"
    pml run prompt.pml --model ./model-folder --kv modular --kv-dir .pml-kv --stats
"""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from pml.cli.errors import InputError, guarded, warn
from pml.cli.options import ContextOption, DebugOption, LimitOption, MaxOutputOption, VarOption, limits_from
from pml.cli.util import context_of, require_file


class KVMode(str, Enum):
    prefix = "prefix"
    modular = "modular"
    off = "off"


def run(
    file: Annotated[Path, typer.Argument(metavar="PROMPT", help="The prompt file (.pml or .poml).",
                                         show_default=False)],
    model: Annotated[Path, typer.Option(
        "--model", "-m", metavar="PATH", show_default=False,
        help="A Hugging Face model folder or a .gguf file, read from disk.")],
    context: ContextOption = None,
    var: VarOption = None,
    kv: Annotated[KVMode, typer.Option(
        "--kv", metavar="MODE", help="prefix (exact reuse of the longest cached prefix), modular (each module's "
        "states at its schema positions, approximate) or off (a full prefill).")] = KVMode.prefix,
    kv_dir: Annotated[Path | None, typer.Option(
        "--kv-dir", metavar="DIR", show_default=False,
        help="Keep the computed states in this folder (safetensors), so later runs reuse them.")] = None,
    max_new_tokens: Annotated[int, typer.Option("--max-new-tokens", metavar="N", min=1,
                                                help="Tokens to generate at most.")] = 64,
    stats: Annotated[bool, typer.Option(
        "--stats", help="Print one JSON object on stderr: mode, ttft_ms, reused_tokens, prefilled_tokens, ….")]
    = False,
    limit: LimitOption = None,
    max_output: MaxOutputOption = None,
    debug: DebugOption = False,
) -> None:
    """Complete a prompt with a local model (greedy decoding) and print the completion.

The model's attention states for the prompt's cached modules are computed
once and reused (--kv): `prefix` reuses the longest cached prefix, and its
output equals a full prefill; `modular` places each cached module's states
at the position range its <schema> gives it, in any subset and order
(Prompt Cache; approximate, see docs/kv.md). The states are kept in memory
up to the max_kv_memory limit (--limit) and, with --kv-dir, on disk. Needs
the kv extra of the package (torch, transformers, gguf).
"""
    with guarded(file, debug=debug, limits_in_force=limits_from(limit, max_output)):
        require_file(file)
        try:
            from pml.kv import ModuleCache
            from pml.kv.hf import LocalModel
        except ImportError as exc:
            raise InputError(f"pml run needs the kv extra ({exc.name} is missing): pip install 'pml[kv]'") from None
        from pml.api import load  # the compiler is loaded when a prompt is run, not with the command line

        ctx = context_of(file, context, var)
        prompt = load(file)
        warn(prompt.diagnostics)
        rendered = prompt.render(ctx)
        engine = LocalModel.load(model)
        cache = ModuleCache(engine, prompt, mode=kv.value, directory=str(kv_dir) if kv_dir is not None else None)
        result = cache.generate(rendered, max_new_tokens)
        typer.echo(result.text)
        if stats:
            typer.echo(json.dumps(result.stats()), err=True)
