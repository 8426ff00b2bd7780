"""The engine seam: what `pml.kv` needs from a model runtime, and nothing more.

A backend tokenizes, renders the chat template, and runs the model over token ids at explicit
position ids on top of attention states (`States`) it returns, which the cache slices, joins,
measures and stores. The transformers backend (`pml.kv.hf`) is the one shipped; a llama.cpp
backend would implement the same protocol.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol


class States(Protocol):
    """Key/value attention states of a run of tokens, after the position encoding (opaque)."""

    @property
    def length(self) -> int:
        """How many tokens the states cover."""

    @property
    def nbytes(self) -> int:
        """Bytes the states take in memory."""


class Run(Protocol):
    """One sequence being evaluated: cached states loaded in, new tokens fed on top of them."""

    @property
    def length(self) -> int:
        """Tokens whose states the sequence holds."""

    def feed(self, ids: Sequence[int], positions: Sequence[int]) -> Any:
        """Run `ids` at `positions`, attending to everything held; return the logits of the last one
        (a 1-D float tensor or array over the vocabulary)."""

    def states(self, start: int, end: int) -> States:
        """A copy of the states of tokens `start:end` (in the order they were fed or loaded)."""


class Engine(Protocol):
    """A model runtime (module docstring)."""

    identity: str
    """Names the model's weights and the numerics that computed its states: equal identities give
    equal states for equal tokens at equal positions, so stored states are keyed by it."""

    eos_ids: frozenset[int]
    context_length: int

    def encode(self, text: str) -> list[int]: ...

    def decode(self, ids: Sequence[int]) -> str: ...

    def chat_template(self, messages: Sequence[Mapping[str, str]]) -> str | None:
        """The model's chat template applied with a generation prompt (None: the model has none)."""

    def start(self, cached: Sequence[States]) -> Run:
        """A sequence holding `cached` (joined in order), ready to be fed."""

    def token_bytes(self) -> int:
        """Bytes of states one token takes."""

    def to_tensors(self, states: States) -> dict[str, Any]:
        """The states as named tensors, for safetensors."""

    def from_tensors(self, tensors: Mapping[str, Any]) -> States: ...
