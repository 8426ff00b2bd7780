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

Each case is rendered twice from one compiled prompt: a prompt written ahead (`pml.render.ahead`)
renders from its plan from the second render on, and both renders must give the expected output
or error.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from promptcases import all_cases, case_id, load_case

import pml


@pytest.mark.parametrize("path", all_cases(), ids=case_id)
def test_case(path: Path) -> None:
    base = path.with_suffix("")
    err = base.with_name(base.name + ".err")
    if err.exists():
        expected = err.read_text(encoding="utf-8").rstrip("\n")
        try:
            prompt, context, options = load_case(path)
        except pml.PMLError as error:  # an error of the compile
            assert str(error) == expected
            return
        for _ in range(2):
            with pytest.raises(pml.PMLError) as info:
                prompt.render(context, **options)
            assert str(info.value) == expected
        return
    prompt, context, options = load_case(path)
    for _ in range(2):  # the second render runs the plan, when the prompt has one
        check_render(path, prompt, prompt.render(context, **options))


def check_render(path: Path, prompt: pml.Prompt, rendered: pml.Rendered) -> None:
    """A case's render against what is beside it."""
    base = path.with_suffix("")
    expected_txt = base.with_name(base.name + ".expected.txt")
    expected_json = base.with_name(base.name + ".expected.json")
    warnings = base.with_name(base.name + ".warnings")
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
