"""Reading files named in prompts: `<include src>`, `<let src>`, `<document src>`.

Relative paths resolve against the file that names them, and the result must stay inside the
prompt's root folder (by default the folder of the prompt being compiled; the SDK's `root=`
and the CLI's `--root` widen it). A prompt can therefore not read `../../.ssh/id_rsa` unless
its caller allows it.
"""

from __future__ import annotations

from pathlib import Path


class OutsideRoot(ValueError):
    """The path leaves the root folder; the message is user-facing."""


def resolve_under(base: Path, relative: str, root: Path) -> Path:
    """`base / relative`, resolved, checked to lie inside `root`."""
    path = (base / relative).resolve()
    root = root.resolve()
    if path != root and root not in path.parents:
        raise OutsideRoot(f"`{relative}` is outside the prompt's folder")
    return path


def shown(source_name: str, relative: str) -> str:
    """How a file named in a prompt is shown in messages: next to the prompt's own name."""
    if source_name.startswith("<"):
        return relative
    return (Path(source_name).parent / relative).as_posix()


ROOT_HINT = "files are read only under the prompt's folder; pass root=… (SDK) or --root (CLI) to allow more"
