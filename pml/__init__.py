"""PML: a prompt markup language and its compiler.

Write prompts as component markup (`.pml`, and every `.poml` file), render them into the chat
messages that LLM APIs take::

    import pml
    prompt = pml.load("support.pml")
    rendered = prompt.render({"question": "Where is my order?"})
    rendered.to_openai()   # {"messages": [{"role": "system", …}, …]}

The names below are imported the first time they are used, so `import pml` (and any `pml.…`
module, which imports this package first) costs next to nothing until a prompt is compiled.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pml.api import load, loads, poml, render
    from pml.errors import (
        Diagnostic,
        PMLCompileError,
        PMLError,
        PMLRenderError,
        PMLSyntaxError,
        PMLTypeError,
        PMLUndefinedError,
        PMLUsageError,
    )
    from pml.limits import Limits
    from pml.output.cacheplan import ProviderPlan
    from pml.output.prompt import Message, Prompt, Rendered
    from pml.render.modcache import configure_module_cache, module_cache
    from pml.syntax.source import Span

from pml.version import VERSION

__version__ = VERSION

# Where each name of the package lives.
_HOMES = {
    **dict.fromkeys(("load", "loads", "poml", "render"), "pml.api"),
    **dict.fromkeys(("Diagnostic", "PMLCompileError", "PMLError", "PMLRenderError", "PMLSyntaxError", "PMLTypeError",
                     "PMLUndefinedError", "PMLUsageError"), "pml.errors"),
    "Limits": "pml.limits",
    "ProviderPlan": "pml.output.cacheplan",
    **dict.fromkeys(("Message", "Prompt", "Rendered"), "pml.output.prompt"),
    **dict.fromkeys(("configure_module_cache", "module_cache"), "pml.render.modcache"),
    "Span": "pml.syntax.source",
}

# `pml.render` names the function, although a package of that name holds the render stage. The
# package is imported now (it is only a docstring) so that its name is bound here once, and then
# unbound: importing its modules later binds nothing here, and `pml.render` finds the function.
importlib.import_module("pml.render")
del globals()["render"]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'pml' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*__all__, "__version__"])


__all__ = [
    "Diagnostic",
    "Limits",
    "Message",
    "PMLCompileError",
    "PMLError",
    "PMLRenderError",
    "PMLSyntaxError",
    "PMLTypeError",
    "PMLUndefinedError",
    "PMLUsageError",
    "Prompt",
    "ProviderPlan",
    "Rendered",
    "Span",
    "configure_module_cache",
    "load",
    "loads",
    "module_cache",
    "poml",
    "render",
]
