"""Where requests go: each target's request line, its URL and the provider's batch limits.

| target | a line of `requests-NNNNN.jsonl` | one file holds at most |
|---|---|---|
| `openai` | `{"custom_id", "method": "POST", "url": "/v1/chat/completions", "body"}` | 50,000 requests, 200 MB |
| `openai-responses` | the same with `"url": "/v1/responses"` | 50,000 requests, 200 MB |
| `anthropic` | `{"custom_id", "params"}` (one Message Batches request) | 100,000 requests, 256 MB |

The body (`params` for Anthropic) is the payload of `Rendered.to_openai()`,
`to_openai_responses()` or `to_anthropic(model)` as a raw HTTP body: `"model"` first, the
parameters the SDKs take under `extra_body` lifted into it, then the batch's own `params`
(`--param KEY=VALUE`), which win over the prompt's `<runtime>` values. Anthropic's API needs
`max_tokens`: it comes from `<runtime max-tokens>` or `--param max_tokens=N`, and a request
without it stops the run. Sizes are in decimal megabytes (10^6 bytes), below both providers'
limits.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pml.batch.errors import BatchError

if TYPE_CHECKING:
    from pml.output.prompt import Rendered

MB = 1_000_000


@dataclass(frozen=True, slots=True)
class Target:
    """One provider's batch input: how a request line is built and how big a file may be."""

    name: str
    max_requests: int
    max_bytes: int
    payload: Callable[[Rendered, str], dict[str, Any]]
    envelope: Callable[[str, dict[str, Any]], dict[str, Any]]
    id_pattern: re.Pattern[str] | None = None
    id_rule: str = "ids are non-empty text"
    required: tuple[str, ...] = ()

    def check_id(self, ident: str) -> str | None:
        """Why `ident` cannot be this target's `custom_id` (None when it can)."""
        if not ident:
            return "an id is empty"
        if self.id_pattern is not None and not self.id_pattern.fullmatch(ident):
            return f"`{ident}` is not a valid id: {self.id_rule}"
        return None

    def body(self, payload: Mapping[str, Any], model: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """The request body: `model`, the required parameters, the payload, `extra_body` lifted in."""
        merged = {key: value for key, value in payload.items() if key not in ("model", "extra_body")}
        extra = payload.get("extra_body")
        if isinstance(extra, Mapping):
            merged.update(extra)
        merged.update(params)
        body: dict[str, Any] = {"model": model}
        for name in self.required:
            if name not in merged:
                raise BatchError(f"{self.name} requests need `{name}`, and neither the prompt nor the options give it",
                                 f"pass --param {name}=N (or params={{'{name}': N}}), or write <runtime "
                                 f"{name.replace('_', '-')}=\"N\"> in the prompt")
            body[name] = merged.pop(name)
        body.update(merged)
        return body


def _openai(url: str) -> Callable[[str, dict[str, Any]], dict[str, Any]]:
    def envelope(ident: str, body: dict[str, Any]) -> dict[str, Any]:
        return {"custom_id": ident, "method": "POST", "url": url, "body": body}

    return envelope


def _anthropic(ident: str, body: dict[str, Any]) -> dict[str, Any]:
    return {"custom_id": ident, "params": body}


TARGETS: dict[str, Target] = {
    "openai": Target("openai", 50_000, 200 * MB, lambda r, m: r.to_openai(), _openai("/v1/chat/completions")),
    "openai-responses": Target("openai-responses", 50_000, 200 * MB, lambda r, m: r.to_format("openai-responses"),
                               _openai("/v1/responses")),
    "anthropic": Target("anthropic", 100_000, 256 * MB, lambda r, m: r.to_anthropic(m), _anthropic,
                        re.compile(r"[a-zA-Z0-9_-]{1,64}"),
                        "Anthropic takes 1 to 64 letters, digits, `_` and `-`", ("max_tokens",)),
}


def target(name: str) -> Target:
    """The target called `name`; an unknown name is a `BatchError` listing the known ones."""
    try:
        return TARGETS[name]
    except KeyError:
        raise BatchError(f"unknown target `{name}`; the targets are {', '.join(TARGETS)}") from None


__all__ = ["MB", "TARGETS", "Target", "target"]
