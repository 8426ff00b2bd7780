"""The transformers backend: a causal language model in torch, on the CPU by default.

`LocalModel.load(path)` takes a Hugging Face folder (config, tokenizer and weights) or a `.gguf`
file (transformers reads it with the `gguf` package and de-quantizes it to float32). Attention
states are a `KV`: one key and one value tensor per layer, `[1, heads, tokens, head_dim]`, after
the rotary position encoding, so states are tied to the positions they were computed at.

Every forward pass goes through a `DynamicCache` (even an empty one): transformers then builds
the causal mask from the cache's length, never from the position ids, so position ids may have
gaps and may run backwards relative to the cache's order.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import io
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
import transformers
from transformers import AutoModelForCausalLM, AutoTokenizer, DynamicCache

from pml.kv.problems import kv_error


@dataclass(frozen=True, eq=False)
class KV:
    """Key and value states of `length` tokens, one tensor of each per layer."""

    keys: tuple[torch.Tensor, ...]
    values: tuple[torch.Tensor, ...]

    @property
    def length(self) -> int:
        return int(self.keys[0].shape[2]) if self.keys else 0

    @property
    def nbytes(self) -> int:
        return sum(t.numel() * t.element_size() for t in (*self.keys, *self.values))


class _Run:
    """One sequence: a `DynamicCache` that grows as tokens are fed."""

    def __init__(self, model: Any, cached: Sequence[KV]) -> None:
        self.model = model
        self.cache = DynamicCache(config=model.config)
        parts = [kv for kv in cached if kv.length]
        if parts:
            for layer in range(len(parts[0].keys)):
                keys = torch.cat([kv.keys[layer] for kv in parts], dim=2)
                values = torch.cat([kv.values[layer] for kv in parts], dim=2)
                self.cache.update(keys, values, layer)
        self._length = sum(kv.length for kv in parts)

    @property
    def length(self) -> int:
        return self._length

    def feed(self, ids: Sequence[int], positions: Sequence[int]) -> torch.Tensor:
        if len(ids) != len(positions) or not ids:
            raise kv_error(f"{len(ids)} token ids fed at {len(positions)} positions",
                           hint="feed at least one id, and one position for each id")
        with torch.inference_mode():
            out = self.model(input_ids=torch.tensor([list(ids)], dtype=torch.long),
                             position_ids=torch.tensor([list(positions)], dtype=torch.long),
                             cache=self.cache, use_cache=True, logits_to_keep=1)
        self._length += len(ids)
        return out.logits[0, -1].float()

    def states(self, start: int, end: int) -> KV:
        layers: list[Any] = list(self.cache.layers)  # full-attention layers: keys and values tensors
        if not self._length:
            return KV((), ())
        return KV(tuple(layer.keys[:, :, start:end].clone() for layer in layers),
                  tuple(layer.values[:, :, start:end].clone() for layer in layers))


class LocalModel:
    """A transformers causal LM and its tokenizer, as a `pml.kv.engine.Engine`."""

    def __init__(self, model: Any, tokenizer: Any, identity: str) -> None:
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.identity = identity
        config = model.config.get_text_config(decoder=True)
        self.context_length = int(getattr(config, "max_position_embeddings", 2048) or 2048)
        self._layers = int(config.num_hidden_layers)
        self._token_bytes = (2 * config.num_hidden_layers * _kv_heads(config) * _head_dim(config)
                             * torch.finfo(model.dtype).bits // 8)
        eos = getattr(model.generation_config, "eos_token_id", None) if model.generation_config else None
        ids = eos if isinstance(eos, list) else [eos]
        if getattr(tokenizer, "eos_token_id", None) is not None:
            ids.append(tokenizer.eos_token_id)
        self.eos_ids = frozenset(int(i) for i in ids if i is not None)

    @classmethod
    def load(cls, path: str | os.PathLike[str], *, dtype: str = "float32", threads: int | None = None) -> LocalModel:
        """Load a Hugging Face folder or a `.gguf` file from disk (nothing is downloaded)."""
        where = Path(path)
        if not where.exists():
            raise kv_error(f"no model at {where}", hint="give a Hugging Face model folder or a .gguf file")
        if where.is_file() and where.suffix.lower() != ".gguf":
            raise kv_error(f"{where} is not a .gguf file", hint="give a .gguf file or a Hugging Face model folder")
        if where.is_dir() and not (where / "config.json").is_file():
            raise kv_error(f"{where} is not a Hugging Face model folder: it has no config.json",
                           hint="give a folder saved by save_pretrained (config.json, tokenizer, weights) "
                                "or a .gguf file")
        kind = getattr(torch, dtype, None)
        if not isinstance(kind, torch.dtype) or not kind.is_floating_point:
            raise kv_error(f"unknown dtype {dtype!r}", hint="float32, bfloat16 or float16")
        if threads is not None:
            torch.set_num_threads(threads)
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        transformers.utils.logging.disable_progress_bar()
        transformers.utils.logging.set_verbosity_error()
        folder, gguf = (str(where.parent), where.name) if where.is_file() else (str(where), None)
        try:
            # transformers' GGUF reader draws a progress bar of its own on stderr (`pml run --stats`
            # writes JSON there): the load writes nothing to stderr
            with contextlib.redirect_stderr(io.StringIO()):
                tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=gguf)
                model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=gguf, dtype=kind)
        except Exception as exc:  # the loaders raise many kinds; each one means the model cannot be read
            detail = next((line.strip() for line in str(exc).splitlines() if line.strip()), type(exc).__name__)
            hint = ("a .gguf file of an architecture transformers reads (llama, mistral, qwen2, …)" if gguf else
                    "a Hugging Face folder needs config.json, the tokenizer's files and the weights")
            raise kv_error(f"cannot load the model at {where}: {detail}", hint=hint) from None
        return cls(model, tokenizer, model_identity(where, dtype))

    # ------------------------------------------------------------------ Engine
    def encode(self, text: str) -> list[int]:
        return list(self.tokenizer.encode(text, add_special_tokens=False)) if text else []

    def decode(self, ids: Sequence[int]) -> str:
        return str(self.tokenizer.decode(list(ids), skip_special_tokens=True))

    def chat_template(self, messages: Sequence[Mapping[str, str]]) -> str | None:
        if not getattr(self.tokenizer, "chat_template", None):
            return None
        return str(self.tokenizer.apply_chat_template([dict(m) for m in messages], tokenize=False,
                                                      add_generation_prompt=True))

    def start(self, cached: Sequence[Any]) -> _Run:
        return _Run(self.model, cached)

    def token_bytes(self) -> int:
        return int(self._token_bytes)

    def to_tensors(self, states: Any) -> dict[str, torch.Tensor]:
        out: dict[str, torch.Tensor] = {}
        for layer, (k, v) in enumerate(zip(states.keys, states.values, strict=True)):
            out[f"k{layer}"] = k.contiguous()
            out[f"v{layer}"] = v.contiguous()
        return out

    def from_tensors(self, tensors: Mapping[str, Any]) -> KV:
        names = {f"{kind}{layer}" for kind in "kv" for layer in range(self._layers)}
        if set(tensors) != names or len({tuple(t.shape) for t in tensors.values()}) != 1:
            raise kv_error(f"stored states are not one key and one value tensor of one shape for each of the "
                           f"model's {self._layers} layers",
                           hint="the file was written for another model or is damaged; delete it")
        return KV(tuple(tensors[f"k{i}"] for i in range(self._layers)),
                  tuple(tensors[f"v{i}"] for i in range(self._layers)))


def _kv_heads(config: Any) -> int:
    return int(getattr(config, "num_key_value_heads", None) or config.num_attention_heads)


def _head_dim(config: Any) -> int:
    return int(getattr(config, "head_dim", None) or config.hidden_size // config.num_attention_heads)


def model_identity(path: Path, dtype: str) -> str:
    """A stable name for the weights at `path` and the numerics used: the file's (or each file's in a
    folder) name, size and modification time, the dtype, and the torch and transformers versions."""
    hasher = hashlib.sha256()
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    for file in files:
        stat = file.stat()
        hasher.update(f"{file.name}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    versions = [f"{name}={importlib.metadata.version(name)}" for name in ("torch", "transformers")]
    hasher.update(f"{dtype}\0{' '.join(versions)}".encode())
    return f"{path.name}-{hasher.hexdigest()[:16]}"
