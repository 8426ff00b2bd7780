"""Attention-state reuse for local models: Prompt Cache's modules as key/value states (docs/kv.md).

    from pml.kv import LocalModel, ModuleCache
    model = LocalModel.load("SmolLM2-135M-Instruct.Q4_1.gguf")
    prompt = pml.load("prompt.pml")
    cache = ModuleCache(model, prompt, mode="modular", directory=".pml-kv")
    result = cache.generate(prompt.render(question="…"), max_new_tokens=64)
    result.text, result.ttft_ms, result.reused_tokens

Needs the `kv` extra (torch, transformers, gguf, accelerate): `pip install 'pml[kv]'`.
"""

from __future__ import annotations

from pml.kv.cache import MODES, Generation, ModuleCache
from pml.kv.hf import LocalModel  # imports torch: nothing outside `pml run` imports this package

__all__ = ["MODES", "Generation", "LocalModel", "ModuleCache"]
