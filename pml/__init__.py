"""PML: a prompt markup language and its compiler.

Write prompts as component markup (`.pml`, and every `.poml` file), render them into the chat
messages that LLM APIs take::

    import pml
    prompt = pml.load("support.pml")
    rendered = prompt.render({"question": "Where is my order?"})
    rendered.to_openai()   # {"messages": [{"role": "system", …}, …]}
"""

from pml.api import load, loads, poml, render
from pml.errors import (
    Diagnostic,
    PMLCompileError,
    PMLError,
    PMLRenderError,
    PMLSyntaxError,
    PMLUndefinedError,
)
from pml.limits import Limits
from pml.output.cacheplan import ProviderPlan
from pml.output.prompt import Message, Prompt, Rendered
from pml.render.modcache import configure_module_cache, module_cache
from pml.syntax.source import Span
from pml.version import VERSION

__version__ = VERSION

__all__ = [
    "Diagnostic",
    "Limits",
    "Message",
    "PMLCompileError",
    "PMLError",
    "PMLRenderError",
    "PMLSyntaxError",
    "PMLUndefinedError",
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
