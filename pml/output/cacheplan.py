"""The cache plan: where a render's stable prefix ends, and how each provider can reuse it.

Hosted providers cache exact prefixes of a request. A cached module (`<module cache="true">`)
renders to the same bytes every time, so the end of each cached module is a place where a
prefix can be reused. The plan reads the rendered messages in each provider's request order
(tools, then the system prompt, then the turns) and finds:

- **Anthropic**: `cache_control` breakpoints at the ends of cached modules — at most 4 per
  request, only where the prefix before them reaches the model's minimum cacheable length (below
  it the API caches nothing and says nothing), the deepest first and then the ones that close the
  largest segments. Cached modules that lose out get a located warning.
- **OpenAI**: caching is automatic from 1,024 tokens, in 128-token steps. The plan reports how
  much of the stable prefix is cacheable and derives a `prompt_cache_key` from the prefix's
  bytes, so requests that share it are routed to the same cache.

Token counts are estimates for Anthropic (its tokenizer is not public; o200k_base is used) and
exact for OpenAI models `pml.tokens.encodings` knows. Counts of repeated text are memoized.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, is_dataclass
from typing import Any, NamedTuple

from pml import tokens as token_counts
from pml.components.parts import MediaPart
from pml.errors import Diagnostic, PMLUsageError
from pml.output.view import Placed, Position, RenderView

MAX_BREAKPOINTS = 4
OPENAI_MINIMUM = 1024
OPENAI_STEP = 128
ANTHROPIC_FALLBACK = 1024
DEFAULT_IMAGE_SIZE = (1024, 1024)  # counted for an image whose header gives no size
# Minimum cacheable prefix (tokens) by model name prefix, longest match first (Anthropic's
# prompt-caching documentation, November 2026).
ANTHROPIC_MINIMUMS: tuple[tuple[str, int], ...] = (
    ("claude-opus-4-6", 4096),
    ("claude-opus-4-5", 4096),
    ("claude-haiku-4-5", 4096),
    ("claude-3-5-haiku", 2048),
    ("claude-3-haiku", 2048),
    ("claude-sonnet-4-5", 1024),
    ("claude-sonnet-4", 1024),
    ("claude-opus-4-1", 1024),
    ("claude-opus-4", 1024),
    ("claude-3-7-sonnet", 1024),
    ("claude-3-5-sonnet", 1024),
    ("claude-3-opus", 1024),
)
PROVIDERS = ("anthropic", "openai")


@dataclass(frozen=True, slots=True)
class Breakpoint:
    """A cache breakpoint: after `module`, at `position`, with `prefix_tokens` before it."""

    module: str
    position: Position
    prefix_tokens: int
    prefix_bytes: int


@dataclass(frozen=True, slots=True)
class ProviderPlan:
    """What one provider can cache of a render (module docstring)."""

    provider: str
    model: str | None
    minimum: int
    estimate: bool
    stable_prefix_bytes: int
    stable_prefix_tokens: int
    cacheable_tokens: int
    total_tokens: int | None  # None when the plan was made for a payload only
    breakpoints: tuple[Breakpoint, ...] = ()
    cache_key: str | None = None
    notes: tuple[str, ...] = ()
    warnings: tuple[Diagnostic, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "model": self.model,
            "minimum_tokens": self.minimum,
            "estimate": self.estimate,
            "stable_prefix_bytes": self.stable_prefix_bytes,
            "stable_prefix_tokens": self.stable_prefix_tokens,
            "cacheable_tokens": self.cacheable_tokens,
            "total_tokens": self.total_tokens,
            "breakpoints": [{"module": b.module, "message": b.position.message, "part": b.position.part,
                             "offset": b.position.offset, "prefix_tokens": b.prefix_tokens,
                             "prefix_bytes": b.prefix_bytes} for b in self.breakpoints],
            "cache_key": self.cache_key,
            "notes": list(self.notes),
            "warnings": [w.to_json() for w in self.warnings],
        }


def anthropic_minimum(model: str | None) -> tuple[int, bool]:
    """The minimum cacheable prefix for an Anthropic model, and whether the table knew the model."""
    name = (model or "").strip().lower()
    for prefix, minimum in ANTHROPIC_MINIMUMS:
        if name.startswith(prefix):
            return minimum, True
    return ANTHROPIC_FALLBACK, False


def openai_cacheable(tokens: int) -> int:
    """How much of a prefix OpenAI's automatic cache can reuse: nothing below 1,024 tokens, then
    whole 128-token steps."""
    if tokens < OPENAI_MINIMUM:
        return 0
    return OPENAI_MINIMUM + (tokens - OPENAI_MINIMUM) // OPENAI_STEP * OPENAI_STEP


# ---------------------------------------------------------------------- request order
class _Segment(NamedTuple):
    message: int  # -1 for tools and schemas
    part: int
    text: str
    media: MediaPart | None = None


def request_order(rendered: RenderView, provider: str) -> list[_Segment]:
    """The request's content in the order the provider's cache reads it."""
    head: list[_Segment] = []
    if rendered.tools:
        head.append(_Segment(-1, 0, _canonical([t.to_dict() for t in rendered.tools])))
    if provider == "openai" and rendered.schema is not None:
        head.append(_Segment(-1, 1, _canonical(rendered.schema)))
    system: list[_Segment] = []
    turns: list[_Segment] = []
    for index, message in enumerate(rendered.messages):
        target = system if provider == "anthropic" and message.speaker == "system" else turns
        if target is system and system:
            system.append(_Segment(-2, index, "\n\n"))  # the payload joins system messages so
        for part_index, part in enumerate(message.parts):
            if isinstance(part, str):
                target.append(_Segment(index, part_index, part))
            elif isinstance(part, MediaPart):
                target.append(_Segment(index, part_index, "", part))
            else:
                target.append(_Segment(index, part_index, _canonical(_part_value(part))))
    return [*head, *system, *turns]


def _part_value(part: Any) -> Any:
    return asdict(part) if is_dataclass(part) and not isinstance(part, type) else repr(part)


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=repr)


# ---------------------------------------------------------------------- counting
_PREFIX_MEMO = 4096
_PREFIXES: dict[tuple[str, str | None], tuple[int, int]] = {}

@functools.lru_cache(maxsize=512)
def _count(text: str, model: str | None) -> int:
    return token_counts.encodings.tokenizer_for(model).count(text)


def _media_tokens(part: MediaPart, model: str | None) -> int:
    if part.kind != "image":
        return 0
    tokenizer = token_counts.encodings.tokenizer_for(model)
    return tokenizer.count_image(*(token_counts.images.image_size(part.base64) or DEFAULT_IMAGE_SIZE))


class _Prefix:
    """Token and byte counts of the request up to any position, counted segment by segment
    (lazily: a payload needs the counts before its breakpoints only)."""

    def __init__(self, segments: Sequence[_Segment], model: str | None, totals: bool = True,
                 modules: Sequence[Placed] = ()) -> None:
        self.segments = segments
        self.model = model
        self.totals = totals
        self._counted: list[tuple[int, int]] = [(0, 0)]  # (tokens, bytes) before segment i
        self._index = {(s.message, s.part): i for i, s in enumerate(segments)}
        # Cached modules lying inside one segment: their bytes are known by their key.
        self._spans: dict[tuple[int, int], list[tuple[int, int, str]]] = {}
        last_end: dict[tuple[int, int], int] = {}
        for placed in sorted(modules, key=lambda p: (p.start, (-p.end.message, -p.end.part, -p.end.offset))):
            where = placed.start[:2]
            if placed.end[:2] != where or placed.start.offset < last_end.get(where, 0):
                continue  # spans parts, or nested in a module already marked
            last_end[where] = placed.end.offset
            self._spans.setdefault(where, []).append(
                (placed.start.offset, placed.end.offset, f"{placed.key}@{placed.level}"))

    def _before(self, index: int) -> tuple[int, int]:
        while len(self._counted) <= index:
            segment = self.segments[len(self._counted) - 1]
            tokens, size = self._counted[-1]
            if segment.media is not None:
                tokens += _media_tokens(segment.media, self.model)
                size += len(segment.media.base64)
            else:
                tokens += _count(segment.text, self.model)
                size += len(segment.text.encode())
            self._counted.append((tokens, size))
        return self._counted[index]

    @property
    def total_tokens(self) -> int | None:
        return self._before(len(self.segments))[0] if self.totals else None

    def index(self, position: Position) -> int | None:
        return self._index.get((position.message, position.part))

    def upto(self, position: Position) -> tuple[int, int]:
        """(tokens, bytes) of everything before `position` (remembered by the prefix's fingerprint,
        so the text of a cached module is counted once, not on every render)."""
        index = self.index(position)
        if index is None:
            return 0, 0
        memo = (self.fingerprint(position), self.model)
        known = _PREFIXES.get(memo)
        if known is None:
            text = self.segments[index].text[:position.offset]
            tokens, size = self._before(index)
            known = (tokens + _count(text, self.model), size + len(text.encode()))
            if len(_PREFIXES) >= _PREFIX_MEMO:
                _PREFIXES.clear()
            _PREFIXES[memo] = known
        return known

    def fingerprint(self, position: Position) -> str:
        """A short string that is equal for two requests exactly when their bytes up to `position`
        are: text is taken as it is, a cached module by its key and heading level, media by hash."""
        index = self.index(position)
        if index is None:
            return ""
        pieces = [self._print(i, None) for i in range(index)]
        pieces.append(self._print(index, position.offset))
        return "\x01".join(pieces)

    def _print(self, index: int, limit: int | None) -> str:
        segment = self.segments[index]
        if segment.media is not None:
            return "\x02" + hashlib.sha256(segment.media.base64.encode()).hexdigest()
        text = segment.text
        end = len(text) if limit is None else limit
        pieces: list[str] = []
        position = 0
        for start, stop, key in self._spans.get((segment.message, segment.part), ()):
            if stop > end:
                break
            pieces.append(text[position:start])
            pieces.append(f"\x00{key}\x00")
            position = stop
        pieces.append(text[position:end])
        return "".join(pieces)

    def order(self, position: Position) -> tuple[int, int]:
        index = self.index(position)
        return (index if index is not None else -1, position.offset)


# ---------------------------------------------------------------------- plans
def plan(rendered: RenderView, provider: str, model: str | None = None, *, totals: bool = True) -> ProviderPlan:
    """The cache plan of `rendered` for `provider` (anthropic or openai). Without `totals` the
    tokens after the stable prefix are not counted (`total_tokens` is None)."""
    if provider not in PROVIDERS:
        raise PMLUsageError(f"unknown provider {provider!r}; cache plans are made for {', '.join(PROVIDERS)}")
    if model is None and rendered.runtime:
        model = rendered.runtime.get("model")
    estimate = provider == "anthropic" or token_counts.encodings.tokenizer_for(model).estimate
    prefix = _Prefix(request_order(rendered, provider), model if provider == "openai" else None, totals,
                     [p for p in rendered.modules if p.cached])
    return _plan(rendered, provider, model, prefix, estimate)


def _plan(rendered: RenderView, provider: str, model: str | None, prefix: _Prefix, estimate: bool) -> ProviderPlan:
    cached = [p for p in rendered.modules if p.cached and prefix.index(p.end) is not None]
    cached.sort(key=lambda p: prefix.order(p.end))
    if provider == "openai":
        return _openai(rendered, prefix, cached, model, estimate)
    return _anthropic(prefix, cached, model)


def _openai(rendered: RenderView, prefix: _Prefix, cached: list[Placed], model: str | None,
            estimate: bool) -> ProviderPlan:
    tokens = size = 0
    key = None
    notes: list[str] = []
    stable = [p for p in cached if not p.after_volatile]
    if len(stable) < len(cached):
        notes.append("cached modules after volatile data are not part of the stable prefix (see `pml check`)")
    cached = stable
    if cached:
        tokens, size = prefix.upto(cached[-1].end)
        key = "pml-" + hashlib.sha256(prefix.fingerprint(cached[-1].end).encode()).hexdigest()[:24]
        if tokens < OPENAI_MINIMUM:
            notes.append(f"the stable prefix is {tokens} tokens, below the {OPENAI_MINIMUM} OpenAI caches")
    else:
        notes.append("no cached module: nothing is marked as a stable prefix")
    return ProviderPlan("openai", model, OPENAI_MINIMUM, estimate, size, tokens, openai_cacheable(tokens),
                        prefix.total_tokens, (), key, tuple(notes))


def _anthropic(prefix: _Prefix, cached: list[Placed], model: str | None) -> ProviderPlan:
    minimum, known = anthropic_minimum(model)
    notes: list[str] = []
    if not known:
        notes.append(f"model {model or '(none given)'} is not in the table of minimum lengths: "
                     f"assuming {minimum} tokens")
    candidates: list[Breakpoint] = []
    marks: dict[Position, list[Placed]] = {}
    for placed in cached:
        tokens, size = prefix.upto(placed.end)
        if placed.end in marks:
            marks[placed.end].append(placed)
            continue
        marks[placed.end] = [placed]
        if placed.after_volatile:
            notes.append(f"no breakpoint after `{placed.name}`: volatile data comes before it, so its prefix "
                         "changes on every request (see the warning of `pml check`)")
            continue
        if tokens < minimum:
            notes.append(f"no breakpoint after `{placed.name}`: the prefix is {tokens} tokens, below the "
                         f"{minimum} the model caches")
            continue
        candidates.append(Breakpoint(placed.name, placed.end, tokens, size))
    kept = choose(candidates)
    warnings: list[Diagnostic] = []
    if len(candidates) > MAX_BREAKPOINTS:
        chosen = {b.position for b in kept}
        for candidate in candidates:
            if candidate.position in chosen:
                continue
            span = marks[candidate.position][0].mark.span
            warnings.append(Diagnostic(
                "warning",
                f"cached module `{candidate.module}` gets no cache breakpoint: Anthropic allows "
                f"{MAX_BREAKPOINTS} per request and {len(candidates)} cached modules ask for one",
                span, "merge small cached modules into one, or drop cache=\"true\" from the least reused",
                "cache"))
    stable_tokens, stable_bytes = (kept[-1].prefix_tokens, kept[-1].prefix_bytes) if kept else (0, 0)
    steady = [p for p in cached if not p.after_volatile]
    if steady and not kept:
        stable_tokens, stable_bytes = prefix.upto(steady[-1].end)
    if not cached:
        notes.append("no cached module: no breakpoints")
    return ProviderPlan("anthropic", model, minimum, True, stable_bytes, stable_tokens,
                        kept[-1].prefix_tokens if kept else 0, prefix.total_tokens, tuple(kept), None,
                        tuple(notes), tuple(warnings))


def choose(candidates: Sequence[Breakpoint], limit: int = MAX_BREAKPOINTS) -> list[Breakpoint]:
    """At most `limit` breakpoints, in request order: the deepest (it caches the most), then the
    ones that close the largest segments (the tokens a hit there saves over the one before)."""
    if len(candidates) <= limit:
        return list(candidates)
    deepest = candidates[-1]
    gains = []
    for index, candidate in enumerate(candidates[:-1]):
        before = candidates[index - 1].prefix_tokens if index else 0
        gains.append((-(candidate.prefix_tokens - before), index, candidate))
    gains.sort()
    chosen = [c for _, _, c in gains[:limit - 1]] + [deepest]
    order = {id(c): i for i, c in enumerate(candidates)}
    return sorted(chosen, key=lambda c: order[id(c)])


def cuts(plan: ProviderPlan) -> dict[int, list[tuple[int, int]]]:
    """The breakpoints by message: message index → [(part, offset)]."""
    out: dict[int, list[tuple[int, int]]] = {}
    for point in plan.breakpoints:
        out.setdefault(point.position.message, []).append((point.position.part, point.position.offset))
    return out


__all__ = ["ANTHROPIC_MINIMUMS", "MAX_BREAKPOINTS", "Breakpoint", "Placed", "Position", "ProviderPlan",
           "anthropic_minimum", "choose", "cuts", "openai_cacheable", "plan"]
