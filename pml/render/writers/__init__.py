"""Writers turn layout boxes into text: markdown (and text), and the serializing syntaxes.

Each writer module is imported the first time it is used (`writers.serialize.serialize(…)`): a
prompt written only as markdown or text loads neither the serializing writers nor lxml.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pml.render.writers import html as html
    from pml.render.writers import markdown as markdown
    from pml.render.writers import serialize as serialize
    from pml.render.writers import table as table

_WRITERS = frozenset(["html", "markdown", "serialize", "table"])


def __getattr__(name: str) -> ModuleType:
    if name in _WRITERS:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
