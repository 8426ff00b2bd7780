"""`pml.kv` on a randomly initialised two-layer Llama (no weights): exact prefix reuse, gapped
positions, schema ranges, cache sizes, invalidation, the disk store and `pml run`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from kv_models import tiny_model
from typer.testing import CliRunner

import pml
from pml.cli.app import app
from pml.kv import ModuleCache
from pml.kv.hf import LocalModel
from pml.kv.segments import segments

SCHEMA = """<pml>
<schema name="s">
<module name="a" cache="true">Alpha module text is here.</module>
<union default="b1">
<module name="b1" cache="true">Beta one.</module>
<module name="b2" cache="true">Beta number two, longer.</module>
</union>
<module name="c" cache="true"><param name="who" len="6"/>Hello {{ who }}, welcome.</module>
<module name="d" cache="true">Delta closes the schema.</module>
</schema>
<system-msg>{{ body }}</system-msg>
<human-msg>{{ q }}</human-msg>
</pml>"""


def write(tmp_path: Path, body: str, text: str = SCHEMA, name: str = "p.pml") -> pml.Prompt:
    path = tmp_path / name
    path.write_text(text.replace("{{ body }}", body), encoding="utf-8")
    return pml.load(path)


def test_gapped_positions_equal_a_full_prefill_at_the_same_positions(tiny: LocalModel) -> None:
    ids = list(range(40, 70))
    positions = [*range(10), *range(50, 60), *range(200, 210)]
    full = tiny.start([]).feed(ids, positions)
    first = tiny.start([])
    first.feed(ids[:10], positions[:10])
    second = tiny.start([first.states(0, 10)])
    second.feed(ids[10:20], positions[10:20])
    pieces = [first.states(0, 10), second.states(10, 20)]
    assert [p.length for p in pieces] == [10, 10]
    last = tiny.start(pieces).feed(ids[20:], positions[20:])
    assert torch.allclose(full, last, atol=1e-5)
    # the positions matter: the same tokens at contiguous positions give other logits
    assert not torch.allclose(full, tiny.start([]).feed(ids, list(range(30))), atol=1e-3)


def test_prefix_mode_equals_a_full_prefill_and_reuses_the_longest_prefix(tiny: LocalModel, tmp_path: Path) -> None:
    prompt = write(tmp_path, '<use module="a"/><use module="b2"/><use module="d"/>')
    rendered = prompt.render(q="What?")
    cache = ModuleCache(tiny, prompt)
    full = cache.generate(rendered, 6, mode="off", stop_at_eos=False)
    cold = cache.generate(rendered, 6, stop_at_eos=False)
    warm = cache.generate(rendered, 6, stop_at_eos=False)
    assert full.tokens == cold.tokens == warm.tokens
    assert torch.allclose(full.first_logits, warm.first_logits, atol=1e-5)
    # preamble "<|system|>\n" (11) + a (26) + "\n\n" + b2 (24) + "\n\n" + d (24): cut after d
    assert (cold.reused_tokens, cold.computed_tokens) == (0, 89)
    assert (warm.reused_tokens, warm.computed_tokens, warm.prefilled_tokens) == (89, 0, full.prompt_tokens - 89)
    stats = cache.stats()
    assert (stats.entries, stats.bytes) == (3, 89 * tiny.token_bytes())
    # another question shares the whole cached prefix
    other = cache.generate(prompt.render(q="And then?"), 2, stop_at_eos=False)
    assert (other.reused_tokens, other.computed_tokens) == (89, 0)
    # dropping the last module keeps the first two cuts
    shorter = cache.generate(write(tmp_path, '<use module="a"/><use module="b2"/>').render(q="What?"), 2,
                             stop_at_eos=False)
    assert (shorter.reused_tokens, shorter.computed_tokens) == (63, 0)


def test_schema_ranges_for_unions_and_params(tiny: LocalModel, tmp_path: Path) -> None:
    prompt = write(tmp_path, '<use module="a"/>')
    ranges = {r.module.path: (r.start, r.length) for r in ModuleCache(tiny, prompt).layout.ranges}
    # one token per byte: a 26; the union takes its longest member (b2, 24); c is "Hello " and
    # ", welcome." around a 6-token slot; d 24
    assert ranges == {"a": (0, 26), "b1": (26, 24), "b2": (26, 24), "c": (50, 22), "d": (72, 24)}
    assert ModuleCache(tiny, prompt).layout.length == 96


def test_modular_plan_places_modules_params_and_text(tiny: LocalModel, tmp_path: Path) -> None:
    prompt = write(tmp_path, '<use module="c" who="Bob"/><use module="b1"/>')
    cache = ModuleCache(tiny, prompt, mode="modular")
    plan = cache.plan(prompt.render(q="Hi"))
    # preamble (11), c's fixed text (16 tokens around its slot), b1 (9)
    assert [s.length for s in plan.cached] == [11, 16, 9]
    assert (plan.computed, plan.reused) == (36, 0)
    # "Bob" goes into c's slot (after "Hello ": 11 + 50 + 6); the rest goes after the schema (11 + 96)
    assert plan.positions[:3] == [67, 68, 69]
    assert plan.positions[3:] == list(range(107, 107 + len(plan.ids) - 3))
    assert tiny.decode(plan.ids[:3]) == "Bob"
    # another value fits the same slot and reuses everything; another order reuses it too
    again = cache.plan(write(tmp_path, '<use module="b1"/><use module="c" who="Alice"/>').render(q="Hi"))
    assert (again.computed, again.reused) == (0, 36)
    assert again.positions[:5] == [67, 68, 69, 70, 71]


def test_modular_too_long_values_and_second_uses_are_read_as_text(tiny: LocalModel, tmp_path: Path) -> None:
    prompt = write(tmp_path, '<use module="c" who="Bartholomew"/><use module="a"/>')
    cache = ModuleCache(tiny, prompt, mode="modular")
    result = cache.generate(prompt.render(q="Hi"), 1)
    assert result.notes == ("module `c` is 27 tokens, longer than its range of 22: read as text",)
    twice = write(tmp_path, '<use module="a"/><use module="a"/>')
    result = ModuleCache(tiny, twice, mode="modular").generate(twice.render(q="Hi"), 1)
    assert result.notes == ("module `a` has no range of its own in the schema: read as text",)


def test_modular_with_the_first_module_only_is_exact(tiny: LocalModel, tmp_path: Path) -> None:
    """The first module of the schema, attending to the preamble only, is what a full prefill computes."""
    prompt = write(tmp_path, '<use module="a"/>')
    rendered = prompt.render(q="Hi")
    cache = ModuleCache(tiny, prompt, mode="modular")
    plan = cache.plan(rendered)
    segs = segments(rendered, tiny)
    ids = [i for s in segs for i in s.ids]
    positions = [*range(37), *plan.positions]
    assert len(ids) == len(positions)
    full = tiny.start([]).feed(ids, positions)
    modular = cache.generate(rendered, 1).first_logits
    assert torch.allclose(full, modular, atol=1e-5)


def test_a_changed_module_is_computed_anew(tiny: LocalModel, tmp_path: Path) -> None:
    store = tmp_path / "kv"
    for mode in ("prefix", "modular"):
        before = write(tmp_path, '<use module="a"/><use module="d"/>')
        ModuleCache(tiny, before, mode=mode, directory=str(store)).generate(before.render(q="Hi"), 1)
        after = write(tmp_path, '<use module="a"/><use module="d"/>', SCHEMA.replace("Delta closes", "Delta ends"))
        cache = ModuleCache(tiny, after, mode=mode, directory=str(store))
        result = cache.generate(after.render(q="Hi"), 1)
        reference = ModuleCache(tiny, after).generate(after.render(q="Hi"), 1, mode="off")
        if mode == "prefix":
            # the cut after a is reused, the one after d (changed) is computed
            assert (result.reused_tokens, result.computed_tokens) == (37, 24)
            assert torch.allclose(result.first_logits, reference.first_logits, atol=1e-5)
        else:
            assert (result.reused_tokens, result.computed_tokens) == (37, 22)


def test_the_disk_store_round_trips(tiny: LocalModel, tmp_path: Path) -> None:
    prompt = write(tmp_path, '<use module="a"/><use module="b2"/>')
    rendered = prompt.render(q="Hi")
    store = tmp_path / "kv"
    first = ModuleCache(tiny, prompt, directory=str(store)).generate(rendered, 3, stop_at_eos=False)
    files = sorted((store / "tiny-llama").glob("*.safetensors"))
    assert len(files) == 2
    restarted = ModuleCache(tiny_model(identity="tiny-llama"), prompt, directory=str(store))
    second = restarted.generate(rendered, 3, stop_at_eos=False)
    assert (second.reused_tokens, second.computed_tokens) == (63, 0)
    assert restarted.stats().disk_hits == 2
    assert second.tokens == first.tokens and torch.equal(second.first_logits, first.first_logits)
    # another model's identity never reads these files
    other = ModuleCache(tiny_model(identity="other"), prompt, directory=str(store)).generate(rendered, 1)
    assert other.reused_tokens == 0
    # a damaged file is a miss, computed again
    files[0].write_bytes(b"not safetensors")
    files[1].write_bytes(b"not safetensors")
    again = ModuleCache(tiny_model(identity="tiny-llama"), prompt, directory=str(store)).generate(rendered, 1)
    assert (again.reused_tokens, again.computed_tokens) == (0, 63)


def test_memory_is_bounded_least_recently_used_out(tiny: LocalModel, tmp_path: Path) -> None:
    prompt = write(tmp_path, '<use module="a"/><use module="b2"/><use module="d"/>')
    cache = ModuleCache(tiny, prompt, max_bytes=40 * tiny.token_bytes())
    cache.generate(prompt.render(q="Hi"), 1)
    stats = cache.stats()
    # cuts of 37, 26 and 26 tokens under a bound of 40: each new cut pushes the one before out
    assert (stats.entries, stats.bytes, stats.evictions) == (1, 26 * tiny.token_bytes(), 2)


def test_errors(tiny: LocalModel, tmp_path: Path) -> None:
    prompt = write(tmp_path, '<use module="a"/>')
    with pytest.raises(pml.PMLError, match="unknown mode 'fast'"):
        ModuleCache(tiny, prompt, mode="fast")
    with pytest.raises(pml.PMLError, match=r"new tokens would pass the model's context of 4,096 positions"):
        ModuleCache(tiny, prompt).generate(prompt.render(q="x" * 4000), 200)
    from PIL import Image

    Image.new("RGB", (2, 2)).save(tmp_path / "dot.png")
    picture = pml.loads('<pml><human-msg><img src="dot.png"/> Hi</human-msg></pml>', base_dir=tmp_path)
    with pytest.raises(pml.PMLError, match="a user message holds an image, audio or a tool part"):
        ModuleCache(tiny, picture).generate(picture.render(), 1)
    inline = pml.loads('<pml><schema><module name="m" cache="true">x</module></schema><use module="m"/></pml>')
    with pytest.raises(pml.PMLError, match="modular reuse needs the prompt whose schema fixes the positions"):
        ModuleCache(tiny, None).generate(inline.render(), 1, mode="modular")
    plain = pml.loads("<pml><system-msg>Hi</system-msg></pml>", name="plain.pml")
    with pytest.raises(pml.PMLError) as caught:
        ModuleCache(tiny, plain, mode="modular").generate(plain.render(), 1)
    problem = caught.value.diagnostics[0]
    assert problem.message == "modular reuse needs a prompt that places cached modules, and this one places none"
    assert problem.span is not None and (problem.span.line, problem.span.column) == (1, 1)
    assert problem.hint is not None and problem.hint.startswith('define the modules in a <schema> with cache="true"')
    with pytest.raises(pml.PMLError, match="2 token ids fed at 1 positions"):
        tiny.start([]).feed([1, 2], [0])
    with pytest.raises(pml.PMLError, match="one key and one value tensor of one shape for each of the model's 2"):
        tiny.from_tensors({"v0": torch.zeros(1)})


def test_pml_run(tmp_path: Path) -> None:
    folder = tmp_path / "model"
    model = tiny_model()
    model.model.save_pretrained(folder)
    model.tokenizer.save_pretrained(folder)
    prompt = tmp_path / "p.pml"
    prompt.write_text(SCHEMA.replace("{{ body }}", '<use module="a"/>'), encoding="utf-8")
    runner = CliRunner()
    args = ["run", str(prompt), "--model", str(folder), "--var", "q=Hi", "--max-new-tokens", "4", "--stats",
            "--kv-dir", str(tmp_path / "kv")]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    expected = model.decode(ModuleCache(model, pml.load(prompt)).generate(pml.load(prompt).render(q="Hi"), 4).tokens)
    assert first.stdout == expected + "\n"
    stats = json.loads(first.stderr)  # one JSON object, nothing else
    assert (stats["mode"], stats["reused_tokens"], stats["prefilled_tokens"]) == ("prefix", 0, stats["prompt_tokens"])
    assert stats["ttft_ms"] > 0
    second = json.loads(runner.invoke(app, args).stderr)
    assert second["reused_tokens"] == 37
    (tmp_path / "empty").mkdir()
    (tmp_path / "weights.bin").write_bytes(b"")
    (tmp_path / "junk.gguf").write_bytes(b"not a gguf file")
    plain = tmp_path / "plain.pml"
    plain.write_text("<pml><human-msg>Hi</human-msg></pml>", encoding="utf-8")
    cases = {
        ("nowhere",): f"{prompt}: no model at {tmp_path / 'nowhere'}\n"
                      "hint: give a Hugging Face model folder or a .gguf file\n",
        ("empty",): f"{prompt}: {tmp_path / 'empty'} is not a Hugging Face model folder: it has no config.json\n"
                    "hint: give a folder saved by save_pretrained (config.json, tokenizer, weights) or a .gguf file\n",
        ("weights.bin",): f"{prompt}: {tmp_path / 'weights.bin'} is not a .gguf file\n"
                          "hint: give a .gguf file or a Hugging Face model folder\n",
        ("junk.gguf",): f"{prompt}: cannot load the model at {tmp_path / 'junk.gguf'}: {tmp_path}/junk.gguf does not "
                        "start with the GGUF magic bytes, so it is not a GGUF file.\n"
                        "hint: a .gguf file of an architecture transformers reads (llama, mistral, qwen2, …)\n",
        ("model", "modular"): f"{plain}:1:1: modular reuse needs a prompt that places cached modules, and this one "
                              "places none\n  <pml><human-msg>Hi</human-msg></pml>\n  " + "^" * 36 + "\n"
                              'hint: define the modules in a <schema> with cache="true" and place them with '
                              '<use module="…"/>; or use the prefix mode, or off\n',
    }
    for case, expected in cases.items():
        target = plain if len(case) == 2 else prompt
        extra = ["--kv", case[1]] if len(case) == 2 else []
        failed = runner.invoke(app, ["run", str(target), "--model", str(tmp_path / case[0]), "--var", "q=Hi", *extra])
        assert (failed.exit_code, failed.stdout, failed.stderr) == (1, "", expected), case
