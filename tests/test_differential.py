"""Differential suite: the same documents rendered by PML and by POML's own package, live.

Every `.pml` under the folders in `FOLDERS` is rendered by PML and by `poml.poml()` from the
`poml` PyPI package (a dev dependency; it runs POML's Node implementation, about 0.7 s a call,
so the calls run two at a time and once per session). The outputs must be equal, except for
cases that carry a `NAME.deviation` file: those are the documented deliberate differences
(`docs/language.md`, "Deliberate differences from POML"), and for them the outputs must differ
(so a deviation that POML no longer has is noticed).

Images are compared by their type and the first 50 characters of their base64 data, as POML's
own example test does.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import poml
import pytest

from pml.api import compile_source
from pml.source import Source
from pml.stylesheet import load_stylesheet

CASES = Path(__file__).resolve().parent / "cases"
FOLDERS = ("parity", "deviations", "syntaxes", "tables", "documents", "media", "tools")


def _documents() -> list[Path]:
    found: list[Path] = []
    for folder in FOLDERS:
        found.extend(sorted((CASES / folder).glob("*.pml")))
    return found


DOCUMENTS = _documents()


def _companion(path: Path, suffix: str) -> Path:
    return path.with_name(path.name[: -len(".pml")] + suffix)


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def _normalize(result: Any) -> Any:
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


def _poml(path: Path) -> Any:
    options = _json(_companion(path, ".options.json")) or {}
    try:
        result = poml.poml(
            str(path),
            context=_json(_companion(path, ".context.json")),
            stylesheet=_json(_companion(path, ".pss.json")),
            chat=options.get("chat", True),
            format="message_dict",
        )
    except Exception as exc:
        return f"POML failed: {type(exc).__name__}"
    return _normalize(result)


def _pml(path: Path) -> Any:
    options = _json(_companion(path, ".options.json")) or {}
    sheet_file = _companion(path, ".pss.json")
    sheet = load_stylesheet(sheet_file) if sheet_file.exists() else None
    source = Source(path.read_text(encoding="utf-8"), path.name, path.resolve())
    rendered = compile_source(source, stylesheet=sheet).render(_json(_companion(path, ".context.json")) or {},
                                                               chat=options.get("chat", True))
    if not rendered.chat:
        return rendered.messages[0].content if rendered.messages else ""
    return _normalize(rendered.to_message_dict())


@pytest.fixture(scope="session")
def poml_outputs() -> dict[Path, Any]:
    """POML's output for every document, computed once, two calls at a time."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(DOCUMENTS, pool.map(_poml, DOCUMENTS), strict=True))


def test_the_suite_is_large_enough() -> None:
    assert len(DOCUMENTS) >= 150
    assert len({p.parent.name for p in DOCUMENTS}) >= 3


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_pml_renders_as_poml(path: Path, poml_outputs: dict[Path, Any]) -> None:
    ours = _pml(path)
    theirs = poml_outputs[path]
    deviation = _companion(path, ".deviation")
    if deviation.exists():
        reason = deviation.read_text(encoding="utf-8").strip()
        assert reason, f"{deviation.name} must say which documented difference this is"
        assert ours != theirs, f"POML now renders {path.name} as PML does; remove {deviation.name}"
    else:
        assert ours == theirs
