"""Data files shipped with PML: grammars and stylesheets.

In the source tree they live next to the package (`grammar/expr.lark`, `stylesheets/default.pss`);
an installed wheel carries them inside it (`pml/grammar/…`, see `force-include` in
pyproject.toml). `resource_path` hides the difference.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def resource_path(*parts: str) -> Path:
    """The path of a data file, e.g. `resource_path("stylesheets", "default.pss")`.

    Looks inside the package first (installed wheel), then beside it (source tree). The path
    is returned even if neither exists, so that opening it gives the usual `FileNotFoundError`.
    """
    installed = _PACKAGE.joinpath(*parts)
    if installed.exists():
        return installed
    return _PACKAGE.parent.joinpath(*parts)
