"""The prompt case files of tests/cases: finding them and loading one with what sits beside it.

A case is `NAME.pml` with, beside it, any of `NAME.context.json` (the context), `NAME.options.json`
(keyword arguments of `Prompt.render`; `limits` as a dict of limit values), `NAME.pss` or
`NAME.pss.json` (a stylesheet), and what it is checked against (`NAME.err`, `NAME.expected.*`,
`NAME.warnings`; see tests/test_cases.py). A case with a `NAME.err` is an error case.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pml
from pml.api import compile_source
from pml.style.stylesheet import load_stylesheet
from pml.syntax.source import read_source

CASES = Path(__file__).resolve().parent / "cases"


def all_cases() -> list[Path]:
    """Every case file, in order."""
    return sorted(CASES.rglob("*.pml"))


def rendering_cases() -> list[Path]:
    """The case files that render (an error case has a `.err` beside it)."""
    return [p for p in all_cases() if not p.with_name(p.stem + ".err").exists()]


def error_cases() -> list[Path]:
    """The error cases: a `.err` beside each holds the exact message."""
    return [p for p in all_cases() if p.with_name(p.stem + ".err").exists()]


def case_id(path: Path) -> str:
    """The case's name in test ids and in its diagnostics: its path under tests/cases."""
    return path.relative_to(CASES).as_posix()


def load_case(path: Path) -> tuple[pml.Prompt, dict[str, Any], dict[str, Any]]:
    """The case's compiled prompt (named by `case_id`), its context and its render options."""
    base = path.with_suffix("")
    context: dict[str, Any] = {}
    options: dict[str, Any] = {}
    if (found := base.with_name(base.name + ".context.json")).exists():
        context = json.loads(found.read_text(encoding="utf-8"))
    if (found := base.with_name(base.name + ".options.json")).exists():
        options = json.loads(found.read_text(encoding="utf-8"))
        if "limits" in options:
            options["limits"] = pml.Limits(**options["limits"])
    sheet = None
    for suffix in (".pss", ".pss.json"):
        if (found := base.with_name(base.name + suffix)).exists():
            sheet = load_stylesheet(found)
    return compile_source(read_source(path, case_id(path)), stylesheet=sheet), context, options
