"""Data-driven cases: every `tests/cases/**/NAME.pml` with its expected output or error.

Files beside `NAME.pml`:

- `NAME.context.json` — the context (optional);
- `NAME.pss` (CSS) or `NAME.pss.json` (POML's JSON form) — a caller stylesheet (optional);
- `NAME.options.json` — render options, e.g. `{"chat": false}` or `{"limits": {"max_output": 100}}`
  (optional);
- `NAME.expected.txt` — the messages as `===== speaker =====` blocks (the `text` format), or
- `NAME.expected.json` — `{"format": "openai", "payload": …}`, or
- `NAME.err` — the exact error text (`str(error)`), file names relative to `tests/cases`;
  (`NAME.pml` is read as a prompt file is: bytes that are not UTF-8 are an error case too);
- `NAME.warnings` — the exact warnings of the compile and then of the render (beside an expected
  output; required when the render warns).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import pml
from pml.api import compile_source
from pml.style.stylesheet import load_stylesheet
from pml.syntax.source import read_source

CASES = Path(__file__).resolve().parent / "cases"


def _cases() -> list[Path]:
    # `batch/` holds a prompt rendered over rows, with its own expected files (tests/test_batch.py).
    return sorted(p for p in CASES.rglob("*.pml") if p.parent != CASES / "batch")


def _load(path: Path) -> tuple[pml.Prompt, dict[str, Any], dict[str, Any]]:
    base = path.with_suffix("")
    context: dict[str, Any] = {}
    options: dict[str, Any] = {}
    ctx_file = base.with_name(base.name + ".context.json")
    if ctx_file.exists():
        context = json.loads(ctx_file.read_text(encoding="utf-8"))
    opt_file = base.with_name(base.name + ".options.json")
    if opt_file.exists():
        options = json.loads(opt_file.read_text(encoding="utf-8"))
        if "limits" in options:
            options["limits"] = pml.Limits(**options["limits"])
    sheet = None
    for suffix in (".pss", ".pss.json"):
        candidate = base.with_name(base.name + suffix)
        if candidate.exists():
            sheet = load_stylesheet(candidate)
    name = path.relative_to(CASES).as_posix()
    source = read_source(path, name)
    prompt = compile_source(source, stylesheet=sheet)
    return prompt, context, options


@pytest.mark.parametrize("path", _cases(), ids=lambda p: p.relative_to(CASES).as_posix())
def test_case(path: Path) -> None:
    base = path.with_suffix("")
    err = base.with_name(base.name + ".err")
    expected_txt = base.with_name(base.name + ".expected.txt")
    expected_json = base.with_name(base.name + ".expected.json")
    if err.exists():
        with pytest.raises(pml.PMLError) as info:
            prompt, context, options = _load(path)
            prompt.render(context, **options)
        assert str(info.value) == err.read_text(encoding="utf-8").rstrip("\n")
        return
    prompt, context, options = _load(path)
    warnings = base.with_name(base.name + ".warnings")
    rendered = prompt.render(context, **options)
    if warnings.exists():
        shown = "\n\n".join(d.format() for d in (*prompt.diagnostics, *rendered.warnings))
        assert shown == warnings.read_text(encoding="utf-8").rstrip("\n")
    else:
        assert not rendered.warnings, "\n\n".join(d.format() for d in rendered.warnings)
    if expected_txt.exists():
        assert rendered.text() == expected_txt.read_text(encoding="utf-8")
    elif expected_json.exists():
        spec = json.loads(expected_json.read_text(encoding="utf-8"))
        assert rendered.to_format(spec["format"]) == spec["payload"]
    else:
        pytest.fail(f"{path.name} has no .expected.txt, .expected.json or .err beside it")
