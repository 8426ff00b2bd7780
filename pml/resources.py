"""Where the package's data files are: the grammars and the built-in stylesheets.

In an installed wheel they live inside the package (`pml/grammar`, `pml/stylesheets`); in a
source checkout they are the top-level `grammar/` and `stylesheets/` folders.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def resource_path(*parts: str) -> Path:
    """The path of a data file, e.g. `resource_path("grammar", "pml.lark")`."""
    installed = _PACKAGE.joinpath(*parts)
    if installed.exists():
        return installed
    return _PACKAGE.parent.joinpath(*parts)
