"""A compiled prompt is data: it pickles, the copy renders what the original renders, and no render
changes it.

Every case file under tests/cases that renders is loaded with `pml.load`, pickled with the
standard pickle and loaded again; the copy renders the payloads the case checks (its expected text
or its expected format), the same messages, warnings and module places. An error case that
compiles fails while rendering, and its copy fails with the same message. Then the original is
rendered several times with different contexts, and its pickle must be the same bytes as before.
"""

from __future__ import annotations

import copyreg
import io
import json
import pickle
from pathlib import Path
from typing import Any

import pytest
from promptcases import CASES, case_id, error_cases, load_case, rendering_cases

import pml
from pml.compile.lockfile import module_hashes
from pml.components.boxes import ModuleMark
from pml.render.modcache import module_cache
from pml.syntax.source import Source


def _payload(path: Path, rendered: pml.Rendered) -> Any:
    """What the case checks: its expected format, or the text."""
    expected = path.with_suffix("").with_name(path.stem + ".expected.json")
    if expected.exists():
        return rendered.to_format(json.loads(expected.read_text(encoding="utf-8"))["format"])
    return rendered.text()


def _shown(rendered: pml.Rendered) -> tuple[Any, ...]:
    """What a render gives besides its payload (places as text: a span holds its source by identity)."""
    modules: list[tuple[Any, ...]] = []
    for placed in rendered.modules:
        mark = placed.mark
        assert isinstance(mark, ModuleMark)
        modules.append((mark.name, mark.key, mark.cached, mark.level, mark.after_volatile, str(mark.span),
                        placed.start, placed.end))
    return (rendered.messages, rendered.schema, rendered.tools, rendered.runtime, modules,
            [d.format() for d in (*rendered.diagnostics, *rendered.warnings)], [d.describe() for d in rendered.dropped])


@pytest.mark.parametrize("path", rendering_cases(), ids=case_id)
def test_a_pickled_prompt_renders_what_the_original_renders(path: Path) -> None:
    prompt, context, options = load_case(path)
    original = prompt.render(context, **options)
    copy = pickle.loads(pickle.dumps(prompt))
    assert copy is not prompt and copy.program.root is not prompt.program.root
    module_cache().clear()  # the copy renders its modules itself
    again = copy.render(context, **options)
    assert _payload(path, again) == _payload(path, original)
    assert _shown(again) == _shown(original)


@pytest.mark.parametrize("path", error_cases(), ids=case_id)
def test_a_pickled_prompt_fails_as_the_original_fails(path: Path) -> None:
    """An error case that compiles fails while rendering: its copy fails with the same message."""
    try:
        prompt, context, options = load_case(path)
    except pml.PMLError:
        return  # an error of the compile: there is no program to pickle
    with pytest.raises(pml.PMLError) as original:
        prompt.render(context, **options)
    copy = pickle.loads(pickle.dumps(prompt))
    module_cache().clear()
    with pytest.raises(pml.PMLError) as again:
        copy.render(context, **options)
    assert str(again.value) == str(original.value)


def _snapshot(prompt: pml.Prompt) -> bytes:
    """The prompt's pickle, with each source text pickled as its text and names (its line table is a
    cache that error messages fill, not part of the program)."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer)
    pickler.dispatch_table = copyreg.dispatch_table.copy()
    pickler.dispatch_table[Source] = lambda s: (Source, (s.text, s.name, s.path, s.base))
    pickler.dump(prompt)
    return buffer.getvalue()


def _contexts(context: dict[str, Any]) -> list[dict[str, Any]]:
    """The case's context, none, and the case's with every value replaced by another of its kind."""
    def other(value: Any) -> Any:
        if isinstance(value, bool):
            return not value
        if isinstance(value, (int, float)):
            return value + 1
        if isinstance(value, str):
            return value + " (again)"
        if isinstance(value, list):
            return value[1:] + value[:1]
        if isinstance(value, dict):
            return {k: other(v) for k, v in value.items()}
        return value

    return [context, {}, {k: other(v) for k, v in context.items()}, context]


@pytest.mark.parametrize("path", rendering_cases(), ids=case_id)
def test_rendering_leaves_the_program_unchanged(path: Path) -> None:
    prompt, context, options = load_case(path)
    before = _snapshot(prompt)
    for index, variant in enumerate(_contexts(context)):
        try:
            prompt.render(variant, **{**options, "chat": options.get("chat", True) != bool(index % 2)})
        except pml.PMLError:
            pass  # another context may be an error of the render: the program is still unchanged
    assert _snapshot(prompt) == before


@pytest.mark.parametrize("name", ["import_chain", "cached_twice", "volatile_after"])
def test_a_prompt_rendered_through_the_module_cache_and_locked_pickles(name: str) -> None:
    """A prompt whose cached modules went through the module cache and `pml lock`'s digests
    pickles as it did before both, and its copy renders the same payloads."""
    path = CASES / "modules" / f"{name}.pml"
    prompt, context, options = load_case(path)
    before = _snapshot(prompt)
    cache = pml.configure_module_cache()
    try:
        original = prompt.render(context, **options)
        again = prompt.render(context, **options)  # from the cache
        assert len(cache) > 0
        hashes = module_hashes(prompt.program, path, CASES)
        assert hashes and all(h.startswith("sha256:") for h in hashes.values())
        assert _snapshot(prompt) == before
        copy = pickle.loads(pickle.dumps(prompt))
        assert module_hashes(copy.program, path, CASES) == hashes
        copied = copy.render(context, **options)
    finally:
        pml.configure_module_cache()
    for rendered in (again, copied):
        assert rendered.to_openai() == original.to_openai()
        assert rendered.to_anthropic() == original.to_anthropic()
        assert _shown(rendered) == _shown(original)
