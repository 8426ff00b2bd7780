"""How far an approximate completion is from the exact one: the first token's distribution compared
(agreement, top-5 overlap, KL divergence) and how many greedy tokens agree."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from pml.kv.cache import Generation


@dataclass(frozen=True, slots=True)
class Agreement:
    """`first_token`: the greedy first tokens are equal; `top5`: how many of the exact top-5 first
    tokens are in the other's top 5; `kl`: KL(exact ‖ other) of the first token, in nats;
    `same_tokens`: greedy tokens equal before the first difference."""

    first_token: bool
    top5: int
    kl: float
    same_tokens: int


def agreement(exact: Generation, other: Generation) -> Agreement:
    """Compare `other` with `exact` (both need `first_logits`)."""
    p = torch.log_softmax(exact.first_logits.double(), -1)
    q = torch.log_softmax(other.first_logits.double(), -1)
    kl = float((p.exp() * (p - q)).sum())
    top_p = set(torch.topk(p, 5).indices.tolist())
    top_q = set(torch.topk(q, 5).indices.tolist())
    same = 0
    for a, b in zip(exact.tokens, other.tokens, strict=False):
        if a != b:
            break
        same += 1
    return Agreement(exact.tokens[0] == other.tokens[0], len(top_p & top_q), max(kl, 0.0), same)
