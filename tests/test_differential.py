"""Differential suite: the same documents rendered by PML and by POML's own package.

Every `.pml` under the folders in `differential.FOLDERS` is rendered by PML and compared with
POML's output for it, recorded beside it in `NAME.poml.json` (POML 0.0.8; `tests/differential.py`
says what a recording holds, `tests/tools/record_poml.py` writes them). The outputs must be
equal, except for cases that carry a `NAME.deviation` file: those are the documented deliberate
differences (`docs/language.md`, "Deliberate differences from POML"), and for them the outputs
must differ (so a deviation that POML no longer has is noticed).

The tests marked `live` (`pytest -m live`; left out of a plain run, run by `.ci/run`) run POML's
package again, about 0.7 s a call, and check that every recording is what POML gives now.

Images are compared by their type and the first 50 characters of their base64 data, as POML's
own example test does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from differential import (
    CASES,
    POML_VERSION,
    companion,
    documents,
    inputs_digest,
    installed_poml_version,
    read_recording,
    record,
    recording_path,
    render_pml,
    render_poml_all,
)

DOCUMENTS = documents()
RECORD = "run `python tests/tools/record_poml.py --stale`"


def _id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


def test_the_suite_is_large_enough() -> None:
    assert len(DOCUMENTS) >= 150
    assert len({p.parent.name for p in DOCUMENTS}) >= 3


@pytest.mark.parametrize("path", DOCUMENTS, ids=_id)
def test_pml_renders_as_poml(path: Path) -> None:
    recorded = read_recording(path)
    assert recorded is not None, f"{recording_path(path).name} is missing: {RECORD}"
    assert recorded["poml"] == POML_VERSION
    assert recorded["inputs"] == inputs_digest(path), f"the document changed since POML was recorded: {RECORD}"
    ours, theirs = render_pml(path), recorded["output"]
    deviation = companion(path, ".deviation")
    if deviation.exists():
        reason = deviation.read_text(encoding="utf-8").strip()
        assert reason, f"{deviation.name} must say which documented difference this is"
        assert ours != theirs, f"POML now renders {path.name} as PML does; remove {deviation.name}"
    else:
        assert ours == theirs


def test_every_recording_has_its_document() -> None:
    recordings = {p for p in CASES.rglob("*.poml.json")}
    assert recordings == {recording_path(p) for p in DOCUMENTS}


# ------------------------------------------------------------------ live: POML's package, run now
@pytest.fixture(scope="session")
def poml_outputs() -> dict[Path, Any]:
    """POML's output for every document, computed once, two calls at a time."""
    return render_poml_all(DOCUMENTS)


@pytest.mark.live
def test_the_installed_poml_is_the_recorded_version() -> None:
    assert installed_poml_version() == POML_VERSION


@pytest.mark.live
@pytest.mark.parametrize("path", DOCUMENTS, ids=_id)
def test_the_recording_is_what_poml_gives(path: Path, poml_outputs: dict[Path, Any]) -> None:
    assert read_recording(path) == record(path, poml_outputs[path]), (
        f"POML's output changed: run `python tests/tools/record_poml.py {path.relative_to(CASES.parent.parent)}`")
