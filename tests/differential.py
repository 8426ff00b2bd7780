"""The documents of the differential suite, their renders by PML and by POML, and POML's recorded
outputs.

POML's output for `tests/cases/FOLDER/NAME.pml` is recorded in `NAME.poml.json` beside it:

    {"poml": "0.0.8", "inputs": "<sha256>", "output": …}

`output` is what `poml.poml(…, format="message_dict")` returned, with images cut to their first 50
base64 characters (as POML's own example test compares them), or `"POML failed: ErrorType"`.
`inputs` is a digest of what the output depends on: the document, its companions (context,
stylesheet, options) and the files its `src="…"` attributes name, so a recording that no longer
matches its document is noticed without running POML. `tests/tools/record_poml.py` writes them.
"""

from __future__ import annotations

import hashlib
import json
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

CASES = Path(__file__).resolve().parent / "cases"
FOLDERS = ("parity", "deviations", "syntaxes", "tables", "documents", "media", "tools")
POML_VERSION = "0.0.8"
COMPANIONS = (".context.json", ".pss.json", ".options.json")
_SRC = re.compile(r"""\bsrc\s*=\s*(?:"([^"{}]*)"|'([^'{}]*)')""")


def documents() -> list[Path]:
    found: list[Path] = []
    for folder in FOLDERS:
        found.extend(sorted((CASES / folder).glob("*.pml")))
    return found


def companion(path: Path, suffix: str) -> Path:
    return path.with_name(path.name[: -len(".pml")] + suffix)


def recording_path(path: Path) -> Path:
    return companion(path, ".poml.json")


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def inputs_digest(path: Path) -> str:
    """A digest of the document, its companions and the files its `src` attributes name."""
    digest = hashlib.sha256()
    text = path.read_bytes()
    digest.update(text)
    for suffix in COMPANIONS:
        extra = companion(path, suffix)
        digest.update(suffix.encode() + b"\0" + (extra.read_bytes() if extra.exists() else b"-"))
    for match in _SRC.finditer(text.decode("utf-8", errors="replace")):
        name = match.group(1) or match.group(2) or ""
        target = (path.parent / name).resolve()
        if target.is_file() and target.is_relative_to(CASES):
            digest.update(name.encode() + b"\0" + target.read_bytes())
    return digest.hexdigest()


def normalize(result: Any) -> Any:
    """Message lists with images cut to their first 50 base64 characters."""
    if isinstance(result, str):
        return result
    out = []
    for message in result:
        content = message["content"]
        if isinstance(content, list):
            content = [
                {**part, "base64": part["base64"][:50]} if isinstance(part, dict) and "base64" in part else part
                for part in content
            ]
        out.append({"speaker": message["speaker"], "content": content})
    return out


def render_pml(path: Path) -> Any:
    """PML's render of a document, compared as POML's is. It is rendered twice: the second render
    runs from the prompt's plan (`pml.render.ahead`) when it has one, and must give the same."""
    from pml.api import compile_source
    from pml.style.stylesheet import load_stylesheet
    from pml.syntax.source import Source

    options = _json(companion(path, ".options.json")) or {}
    sheet_file = companion(path, ".pss.json")
    sheet = load_stylesheet(sheet_file) if sheet_file.exists() else None
    source = Source(path.read_text(encoding="utf-8"), path.name, path.resolve())
    prompt = compile_source(source, stylesheet=sheet)
    context = _json(companion(path, ".context.json")) or {}
    first = prompt.render(context, chat=options.get("chat", True))
    rendered = prompt.render(context, chat=options.get("chat", True))  # from the prompt's plan, when it has one
    assert rendered == first and rendered.warnings == first.warnings, f"{path}: a second render differs"
    if not rendered.chat:
        return rendered.messages[0].content if rendered.messages else ""
    return normalize(rendered.to_message_dict())


def render_poml(path: Path) -> Any:
    """POML's output, from its own package (Node; about 0.7 s a call)."""
    import poml

    options = _json(companion(path, ".options.json")) or {}
    try:
        result = poml.poml(
            str(path),
            context=_json(companion(path, ".context.json")),
            stylesheet=_json(companion(path, ".pss.json")),
            chat=options.get("chat", True),
            format="message_dict",
        )
    except Exception as exc:
        return f"POML failed: {type(exc).__name__}"
    return normalize(result)


def render_poml_all(paths: list[Path]) -> dict[Path, Any]:
    """POML's outputs for many documents, two calls at a time (one Node process per core)."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(paths, pool.map(render_poml, paths), strict=True))


def installed_poml_version() -> str:
    from importlib.metadata import version

    return version("poml")


def record(path: Path, output: Any) -> dict[str, Any]:
    return {"poml": POML_VERSION, "inputs": inputs_digest(path), "output": output}


def read_recording(path: Path) -> dict[str, Any] | None:
    return _json(recording_path(path))


def write_recording(path: Path, output: Any) -> bool:
    """Write the recording; True when it changed."""
    text = json.dumps(record(path, output), ensure_ascii=False, indent=1) + "\n"
    target = recording_path(path)
    if target.exists() and target.read_text(encoding="utf-8") == text:
        return False
    target.write_text(text, encoding="utf-8")
    return True
