"""Shared helpers for the test suite."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

TESTS = Path(__file__).resolve().parent
CASES = TESTS / "cases"


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Each test compiles afresh, so cached prompts never hide a change."""
    from pml import api

    api._CACHE.clear()
