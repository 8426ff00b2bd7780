"""`ModuleCache`: a prompt's attention states computed once and reused, for one model.

Three modes (docs/kv.md):

- `prefix` (exact): the prompt is cut after each cached module; the states of each cut are stored
  under a hash of everything before it, and a request reuses the longest stored prefix and
  prefills the rest. The result equals a full prefill of the same tokens.
- `modular` (Prompt Cache, approximate): each cached module's states are computed once at the
  module's schema positions (`pml.kv.layout`), attending to the preamble only, and a request joins
  the states of the modules it places, in any subset and order. Param values go into the slots
  their `len` reserves; all other text (the user's turn, text between modules) is prefilled after
  the whole schema, attending to everything.
- `off`: a full prefill, for comparison.

States are computed when first needed, kept in memory under a byte bound (least recently used
first out), and written to a folder of safetensors files when one is given.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from pml.kv.engine import Engine
from pml.kv.layout import Layout, Range, layout, slots, split
from pml.kv.problems import kv_error
from pml.kv.segments import MODULE, PREAMBLE, Segment, segments
from pml.kv.store import StateStore, StoreStats
from pml.limits import current
from pml.output.prompt import Prompt, Rendered

MODES = ("prefix", "modular", "off")


@dataclass(frozen=True, slots=True)
class Generation:
    """A completion and what it cost: `ttft_ms` runs from the call to the first token chosen (states
    computed on a miss included); `reused_tokens` were read from the cache, `prefilled_tokens` run
    through the model for this request, `computed_tokens` of those stored for later requests."""

    text: str
    tokens: tuple[int, ...]
    mode: str
    ttft_ms: float
    total_ms: float
    reused_tokens: int
    prefilled_tokens: int
    computed_tokens: int
    prompt_tokens: int
    notes: tuple[str, ...] = ()
    first_logits: Any = field(default=None, compare=False, repr=False)

    def stats(self) -> dict[str, Any]:
        """The figures as JSON-ready data (`pml run --stats`)."""
        return {"mode": self.mode, "ttft_ms": round(self.ttft_ms, 2), "total_ms": round(self.total_ms, 2),
                "reused_tokens": self.reused_tokens, "prefilled_tokens": self.prefilled_tokens,
                "computed_tokens": self.computed_tokens, "prompt_tokens": self.prompt_tokens,
                "new_tokens": len(self.tokens), "notes": list(self.notes)}


@dataclass(slots=True)
class Plan:
    """What a request loads (`cached`: states, in order) and what it runs on top of them: `ids` at
    `positions`; `reused` tokens came from the cache, `computed` were computed and stored for it."""

    cached: list[Any] = field(default_factory=list)
    ids: list[int] = field(default_factory=list)
    positions: list[int] = field(default_factory=list)
    computed: int = 0
    notes: list[str] = field(default_factory=list)
    run: Any = None  # a sequence already holding the cached states (prefix mode, after a miss)

    reused: int = 0


def _key(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, separators=(",", ":")).encode()).hexdigest()[:40]


class ModuleCache:
    """The attention states of one prompt's modules for one model (module docstring).

    `max_bytes` bounds the states kept in memory (default: the `max_kv_memory` limit); `directory`
    keeps them on disk as well, so another process with the same model reuses them. Caches of
    several prompts for one model can share a `store` (`ModuleCache(…, store=other.store)`).
    """

    def __init__(self, engine: Engine, prompt: Prompt | None = None, *, mode: str = "prefix",
                 max_bytes: int | None = None, directory: str | None = None, store: StateStore | None = None
                 ) -> None:
        if mode not in MODES:
            raise kv_error(f"unknown mode {mode!r}", hint=f"one of {', '.join(MODES)}")
        self.engine = engine
        self.prompt = prompt
        self.mode = mode
        self.store = store if store is not None else StateStore(
            engine, max_bytes if max_bytes is not None else current().max_kv_memory, directory)
        self._layout: Layout | None = None

    @property
    def layout(self) -> Layout:
        """The schema positions of the bound prompt (computed on first use)."""
        if self._layout is None:
            if self.prompt is None:
                raise kv_error("modular reuse needs the prompt whose schema fixes the positions",
                               hint="give the compiled prompt to ModuleCache(engine, prompt)")
            self._layout = layout(self.prompt, lambda text: len(self.engine.encode(text)))
        return self._layout

    def stats(self) -> StoreStats:
        return self.store.stats()

    # ------------------------------------------------------------------ generation
    def generate(self, rendered: Rendered, max_new_tokens: int = 64, *, mode: str | None = None,
                 stop_at_eos: bool = True) -> Generation:
        """Greedy completion of `rendered`, reusing cached states as `mode` (default: the cache's) says."""
        mode = mode or self.mode
        if mode not in MODES:
            raise kv_error(f"unknown mode {mode!r}", hint=f"one of {', '.join(MODES)}")
        if max_new_tokens < 1:
            raise kv_error(f"max_new_tokens must be at least 1, not {max_new_tokens}")
        began = time.perf_counter()
        segs = self._segments(rendered, mode)
        prompt_tokens = sum(len(s.ids) for s in segs)
        self._fits(prompt_tokens - 1, max_new_tokens)  # before any state is computed
        plan = self._plans[mode](self, segs)
        self._fits(max(plan.positions) if plan.positions else 0, max_new_tokens)  # modular: gaps
        run = plan.run if plan.run is not None else self.engine.start(plan.cached)
        logits = run.feed(plan.ids, plan.positions)
        first_logits = logits
        tokens = [int(logits.argmax())]
        ttft = time.perf_counter() - began
        position = plan.positions[-1] + 1
        while len(tokens) < max_new_tokens and not (stop_at_eos and tokens[-1] in self.engine.eos_ids):
            logits = run.feed([tokens[-1]], [position])
            position += 1
            tokens.append(int(logits.argmax()))
        total = time.perf_counter() - began
        shown = tokens[:-1] if stop_at_eos and tokens[-1] in self.engine.eos_ids else tokens
        return Generation(self.engine.decode(shown), tuple(tokens), mode, ttft * 1000, total * 1000,
                          plan.reused, len(plan.ids) + plan.computed, plan.computed, prompt_tokens,
                          tuple(plan.notes), first_logits)

    def _fits(self, last: int, max_new_tokens: int) -> None:
        if last + max_new_tokens >= self.engine.context_length:
            raise kv_error(f"the prompt reaches position {last:,} and {max_new_tokens:,} new tokens would pass the "
                           f"model's context of {self.engine.context_length:,} positions",
                           hint="shorten the prompt or ask for fewer new tokens")

    def plan(self, rendered: Rendered, mode: str | None = None) -> Plan:
        """Where each token of `rendered` goes in `mode`: states loaded (computed now when missing)
        and tokens to run, with their positions."""
        mode = mode or self.mode
        if mode not in MODES:
            raise kv_error(f"unknown mode {mode!r}", hint=f"one of {', '.join(MODES)}")
        return self._plans[mode](self, self._segments(rendered, mode))

    def _segments(self, rendered: Rendered, mode: str) -> list[Segment]:
        segs = segments(rendered, self.engine)
        if mode == "modular" and not any(s.kind == MODULE and s.placed is not None and s.placed.cached
                                         for s in segs):
            raise kv_error("modular reuse needs a prompt that places cached modules, and this one places none",
                           span=rendered.span,
                           hint='define the modules in a <schema> with cache="true" and place them with '
                                '<use module="…"/>; or use the prefix mode, or off')
        return segs

    # ------------------------------------------------------------------ plans
    def _full(self, segs: Sequence[Segment]) -> Plan:
        ids = [i for s in segs for i in s.ids]
        return Plan(ids=ids, positions=list(range(len(ids))))

    def _prefix(self, segs: Sequence[Segment]) -> Plan:
        """Reuse the longest stored prefix that ends after a cached module; compute and store the
        later ones on the way."""
        chunks: list[tuple[str, list[int], str]] = []  # (key, ids since the previous cut, module name)
        pending: list[int] = []
        previous = _key("prefix", self.engine.identity)
        for index, seg in enumerate(segs):
            pending.extend(seg.ids)
            cached_module = seg.kind == MODULE and seg.placed is not None and seg.placed.cached
            later = any(s.ids for s in segs[index + 1:])
            if cached_module and later and pending:
                assert seg.placed is not None
                previous = _key("prefix", previous, pending, seg.placed.key)
                chunks.append((previous, pending, seg.placed.name))
                pending = []
        plan = Plan()
        hit = 0
        for key, _, _ in chunks:
            states = self.store.get(key)
            if states is None:
                break
            plan.cached.append(states)
            plan.reused += int(states.length)
            hit += 1
        at = plan.reused
        if hit < len(chunks):
            run = self.engine.start(plan.cached)
            for key, ids, name in chunks[hit:]:
                run.feed(ids, list(range(at, at + len(ids))))
                self.store.put(key, run.states(at, at + len(ids)), {"module": name, "mode": "prefix"})
                plan.computed += len(ids)
                at += len(ids)
            plan.run = run
        plan.ids = pending
        plan.positions = list(range(at, at + len(pending)))
        return plan

    def _modular(self, segs: Sequence[Segment]) -> Plan:
        """Join the preamble's states and each placed cached module's states at its schema range."""
        plan = Plan()
        preamble = segs[0]
        assert preamble.kind == PREAMBLE
        base = len(preamble.ids)
        preamble_key = _key("preamble", self.engine.identity, preamble.ids)
        first = self._states(plan, preamble_key, [], list(preamble.ids), list(range(base)), {"mode": "preamble"})
        schema = self.layout
        end = base + schema.length
        tail: list[int] = []
        taken: set[int] = set()
        for seg in segs[1:]:
            if seg.kind != MODULE or seg.placed is None or not seg.placed.cached:
                tail.extend(seg.ids)
                continue
            found = schema.find(seg.placed.name)
            if found is None or found.start in taken:
                plan.notes.append(f"module `{seg.name}` has no range of its own in the schema: read as text")
                tail.extend(seg.ids)
                continue
            if self._place(plan, seg, found, base, preamble_key, first):
                taken.add(found.start)
            else:
                tail.extend(seg.ids)
        plan.ids.extend(tail)
        plan.positions.extend(range(end, end + len(tail)))
        return plan

    def _place(self, plan: Plan, seg: Segment, where: Range, base: int, preamble_key: str, preamble: Any) -> bool:
        """Load a module's states at its range (and queue its param values in their slots)."""
        assert seg.placed is not None
        meta = {"module": seg.placed.name, "digest": where.module.digest, "mode": "modular"}
        values = split(seg.text, where.template) if where.template is not None else None
        if where.template is not None and values is not None:
            fixed = [self.engine.encode(t) for t in where.template.fixed]
            args = [self.engine.encode(v) for v in values]
            if all(len(a) <= n for a, n in zip(args, where.template.params, strict=True)):
                spans = slots(base + where.start, where.template, [len(f) for f in fixed])
                ids: list[int] = []
                positions: list[int] = []
                for index, piece in enumerate(fixed):
                    at = spans[2 * index][0]
                    ids.extend(piece)
                    positions.extend(range(at, at + len(piece)))
                key = _key("modular", preamble_key, where.module.digest, ids, positions)
                self._states(plan, key, [preamble], ids, positions, meta)
                for index, arg in enumerate(args):
                    at = spans[2 * index + 1][0]
                    plan.ids.extend(arg)
                    plan.positions.extend(range(at, at + len(arg)))
                return True
        if len(seg.ids) > where.length:
            plan.notes.append(f"module `{seg.name}` is {len(seg.ids):,} tokens, longer than its range of "
                              f"{where.length:,}: read as text")
            return False
        positions = list(range(base + where.start, base + where.start + len(seg.ids)))
        key = _key("modular", preamble_key, where.module.digest, seg.placed.key, list(seg.ids), positions)
        self._states(plan, key, [preamble], list(seg.ids), positions, meta)
        return True

    def _states(self, plan: Plan, key: str, context: list[Any], ids: list[int], positions: list[int],
                meta: dict[str, str]) -> Any:
        """The states of `ids` at `positions` attending to `context`: stored, or computed and stored."""
        states = self.store.get(key)
        if states is None:
            run = self.engine.start(context)
            start = run.length
            if ids:
                run.feed(ids, positions)
            states = run.states(start, start + len(ids))
            self.store.put(key, states, meta)
            plan.computed += len(ids)
        else:
            plan.reused += len(ids)
        plan.cached.append(states)
        return states

    _plans: ClassVar[dict[str, Callable[[ModuleCache, Sequence[Segment]], Plan]]] = {
        "prefix": _prefix, "modular": _modular, "off": _full}
