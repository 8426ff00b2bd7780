"""Shared helpers for the test suite, and the Hypothesis profiles.

Two profiles, chosen by `HYPOTHESIS_PROFILE`, else by `CI`:

- `dev` (the default): a fresh random seed each run, so local runs keep exploring new examples;
- `ci` (`.ci/run` sets it): derandomized, so a run tests the same examples every time and cannot
  pass by luck; no example database; a failure prints the blob that reproduces it.

Neither has a deadline: the machines running the suite are shared and small, and a slow example
is not a failure. A test's own `@settings(max_examples=…)` wins over the profile's default.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

TESTS = Path(__file__).resolve().parent
CASES = TESTS / "cases"

settings.register_profile("dev", deadline=None, print_blob=True)
settings.register_profile("ci", derandomize=True, database=None, deadline=None, print_blob=True, max_examples=100)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Each test compiles afresh, so cached prompts never hide a change."""
    from pml import api

    api._CACHE.clear()
