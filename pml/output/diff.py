"""Why two renders of one prompt differ, as a provider's cache sees them: the source of `pml cache diff`.

    difference = compare(prompt, (monday, tuesday), "anthropic")
    print(describe(difference, ("monday.json", "tuesday.json"), (monday, tuesday)))

`compare` renders the prompt with each context (traced: `pml.output.trace` says which `{{ }}`
wrote each character) and reads the messages in the provider's request order (Anthropic lifts
system messages to the front). It finds the first character that differs and gathers what is
behind it:

- the expression that wrote it, if one did, and the variables it reads; when the expression
  reads params of the module it is written in, the `<use>` arguments that gave them;
- the context keys whose values differ (a condition or a loop is behind a difference no
  expression wrote);
- the cache breakpoints of the first render that come before the difference (still shared) and
  after it (they miss).

`describe` turns that into the report people read; None (the renders are the same) is a report too.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pml.compile.modules import ModuleDef
from pml.compile.program import CNode, walk
from pml.expressions import Expression
from pml.output.cacheplan import Breakpoint
from pml.output.prompt import Prompt
from pml.output.trace import Origin, Traced, trace
from pml.syntax.nodes import normalize_name
from pml.syntax.source import Span

EXCERPT_WIDTH = 30  # characters shown on each side of the first difference
VALUE_WIDTH = 60  # characters of a variable's JSON value shown


@dataclass(frozen=True, slots=True)
class Argument:
    """A module param an expression reads, and the `<use>` argument that gave it."""

    param: str
    use: Span  # the `<use>` element
    given: str  # the argument as written
    reads: frozenset[str]  # the variables the argument reads


@dataclass(frozen=True, slots=True)
class Difference:
    """Where two renders first differ (module docstring). `message` and `offset` are in the
    messages of the renders; `texts` are that message's text in each (None: it has no such
    message)."""

    provider: str
    message: int
    offset: int
    same_bytes: int  # bytes of the request's text before the difference, in the provider's order
    texts: tuple[str | None, str | None]
    origin: Origin | None
    arguments: tuple[Argument, ...]
    changed: tuple[str, ...]  # context keys whose values differ
    kept: tuple[Breakpoint, ...]  # breakpoints before the difference: still shared
    lost: tuple[Breakpoint, ...]  # breakpoints after it: they miss

    @property
    def reads(self) -> tuple[str, ...]:
        """The variables behind the text: those the expression reads, with the params it reads
        replaced by the variables their arguments read."""
        if self.origin is None:
            return ()
        names = set(self.origin.expression.names)
        for argument in self.arguments:
            names = (names | argument.reads) - {argument.param}
        return tuple(sorted(names))

    @property
    def culprits(self) -> tuple[str, ...]:
        """The variables behind the text whose values differ (all of them when none does)."""
        return tuple(n for n in self.reads if n in self.changed) or self.reads


# ---------------------------------------------------------------------- comparing
def compare(prompt: Prompt, contexts: tuple[Mapping[str, Any], Mapping[str, Any]], provider: str,
            model: str | None = None) -> Difference | None:
    """Where the renders of `prompt` with the two contexts first differ in `provider`'s request
    order (None: they are the same); the breakpoints are those of the plan for `model`."""
    first, second = (trace(prompt, context) for context in contexts)
    order = request_order(first, second, provider)
    found = first_difference(first, second, order)
    if found is None:
        return None
    message, offset = found
    breakpoints = prompt.render(contexts[0]).cache_plan(provider, model).breakpoints
    kept, lost = split_breakpoints(breakpoints, order, message, offset)
    origin = origin_at((first, second), message, offset)
    return Difference(
        provider, message, offset, bytes_before(first.texts, order, message, offset),
        (text_of(first, message), text_of(second, message)), origin,
        arguments_behind(prompt, origin.expression) if origin is not None else (),
        changed_keys(*contexts), kept, lost)


def request_order(first: Traced, second: Traced, provider: str) -> list[int]:
    """The indexes of the messages of either render in the order the provider's request holds
    them: for Anthropic, system messages first."""
    count = max(len(first.texts), len(second.texts))
    indexes = list(range(count))
    if provider != "anthropic":
        return indexes
    system = [i for i in indexes if (_speaker(first, i) or _speaker(second, i)) == "system"]
    return system + [i for i in indexes if i not in system]


def _speaker(traced: Traced, index: int) -> str | None:
    return traced.rendered.messages[index].speaker if index < len(traced.rendered.messages) else None


def text_of(traced: Traced, index: int) -> str | None:
    """The text of message `index` of a render (None: it has no such message)."""
    return traced.texts[index] if index < len(traced.texts) else None


def first_difference(first: Traced, second: Traced, order: Sequence[int]) -> tuple[int, int] | None:
    """(message, character offset) of the first difference in `order`, None when there is none. A
    message one render has and the other lacks differs at its first character."""
    for index in order:
        a, b = text_of(first, index), text_of(second, index)
        if a != b or _speaker(first, index) != _speaker(second, index):
            return index, common_prefix(a or "", b or "")
    return None


def common_prefix(a: str, b: str) -> int:
    """The length of the longest common prefix of `a` and `b`."""
    for index, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return index
    return min(len(a), len(b))


def bytes_before(texts: Sequence[str], order: Sequence[int], message: int, offset: int) -> int:
    """UTF-8 bytes of `texts` before character `offset` of message `message`, in `order`."""
    earlier = itertools.takewhile(lambda i: i != message, order)
    size = sum(len(texts[i].encode()) for i in earlier if i < len(texts))
    return size + len((texts[message] if message < len(texts) else "")[:offset].encode())


def origin_at(traced: Sequence[Traced], message: int, offset: int) -> Origin | None:
    """The expression that wrote the character at `offset` in either render (or the one just before
    it, when the difference is that one render's text ends there)."""
    for item in traced:
        if message < len(item.texts):
            found = item.origin_at(message, offset) or item.origin_at(message, max(offset - 1, 0))
            if found is not None:
                return found
    return None


def split_breakpoints(breakpoints: Sequence[Breakpoint], order: Sequence[int], message: int, offset: int
                      ) -> tuple[tuple[Breakpoint, ...], tuple[Breakpoint, ...]]:
    """The breakpoints before the difference (kept) and after it (lost), in request order."""
    where = (order.index(message), offset)
    lost = tuple(b for b in breakpoints if (order.index(b.position.message), b.position.offset) > where)
    return tuple(b for b in breakpoints if b not in lost), lost


def changed_keys(a: Mapping[str, Any], b: Mapping[str, Any]) -> tuple[str, ...]:
    """The top-level keys whose values differ between two contexts (one missing counts)."""
    return tuple(sorted(k for k in {*a, *b} if a.get(k, _MISSING) != b.get(k, _MISSING)))


_MISSING = object()


# ---------------------------------------------------------------------- module arguments
def arguments_behind(prompt: Prompt, expression: Expression) -> tuple[Argument, ...]:
    """When `expression` reads params of the module it is written in: each param, with every
    `<use>` that places the module (or one it is nested in) and gives that param."""
    definition = _module_around(prompt.modules, expression.span)
    if definition is None:
        return ()
    params = {p.name: key for key, p in definition.chain().items() if p.name in expression.names}
    found: list[Argument] = []
    uses = prompt.program.links.uses
    for node in walk(prompt.root):
        if not _places(uses.get(node.index), definition):
            continue
        for attr in node.element.attributes:
            key = normalize_name(attr.name)
            found.extend(Argument(name, node.span, attr.raw, _names_in(node, name))
                         for name, param_key in params.items() if key == param_key)
    return tuple(found)


def _module_around(modules: Sequence[ModuleDef], span: Span) -> ModuleDef | None:
    """The innermost module definition whose text holds `span`."""
    inside = [m for m in modules if m.span.source is span.source and m.span.start <= span.start < m.span.end]
    return min(inside, key=lambda m: m.span.end - m.span.start) if inside else None


def _places(target: ModuleDef | None, definition: ModuleDef) -> bool:
    """Whether a `<use>` placing `target` places `definition`, or a module it is nested in."""
    return target is not None and (target is definition or definition in tuple(target.descendants()))


def _names_in(use: CNode, param: str) -> frozenset[str]:
    """The variables the `<use>` argument for `param` reads."""
    for name, dynamic in use.dynamic.items():
        if normalize_name(name) == normalize_name(param):
            return frozenset(n for part in dynamic.parts if not isinstance(part, str) for n in part.names)
    return frozenset()


# ---------------------------------------------------------------------- the report
def describe(difference: Difference | None, names: tuple[str, str],
             contexts: tuple[Mapping[str, Any], Mapping[str, Any]]) -> str:
    """The report of `pml cache diff`: `names` name the two contexts."""
    if difference is None:
        return f"{names[0]} and {names[1]} render the same messages: every cache entry is shared."
    lines = [f"the renders differ at message {difference.message + 1}, character {difference.offset + 1} "
             f"(after {difference.same_bytes:,} bytes of the {difference.provider} request's text, in its order)"]
    for name, text in zip(names, difference.texts, strict=True):
        lines.append(f"  {name}: {'(no such message)' if text is None else excerpt(text, difference.offset)}")
    lines.extend(_cause(difference, names, contexts))
    lines.extend(_breakpoints(difference))
    return "\n".join(lines)


def _cause(difference: Difference, names: tuple[str, str],
           contexts: tuple[Mapping[str, Any], Mapping[str, Any]]) -> list[str]:
    origin = difference.origin
    if origin is None:
        lines = ["no `{{ }}` wrote this text: a condition, a loop or a module choice differs"]
        if difference.changed:
            lines.append("variables that differ: " + ", ".join(f"`{k}`" for k in difference.changed))
        return lines
    span = origin.expression.span
    lines = [f"written by `{{{{ {origin.expression.code.strip()} }}}}` at {span}"]
    shown = span.excerpt()
    if shown:
        lines.append(shown)
    lines.extend(f"`{a.param}` is a param, given by the `<use>` at {a.use} as `{a.given.strip()}`"
                 for a in difference.arguments)
    lines.extend(f"variable `{name}`: {shown_value(contexts[0], name)} in {names[0]}, "
                 f"{shown_value(contexts[1], name)} in {names[1]}" for name in difference.culprits)
    return lines


def _breakpoints(difference: Difference) -> list[str]:
    lines = []
    if difference.kept:
        lines.append("still shared: the prefix up to " + ", ".join(f"`{b.module}`" for b in difference.kept) +
                     f" ({difference.kept[-1].prefix_tokens:,} tokens)")
    if difference.lost:
        lines.append("breakpoints after the difference miss: " + ", ".join(f"`{b.module}`" for b in difference.lost))
    return lines


def excerpt(text: str, offset: int, width: int = EXCERPT_WIDTH) -> str:
    """The text around `offset` as a JSON string, with `…` where it is cut."""
    start = max(0, offset - width)
    piece = text[start:offset + width]
    return ("…" if start else "") + json.dumps(piece, ensure_ascii=False) + ("…" if offset + width < len(text) else "")


def shown_value(context: Mapping[str, Any], name: str) -> str:
    """A context value as JSON, cut at `VALUE_WIDTH` characters; "(not set)" when it is missing."""
    if name not in context:
        return "(not set)"
    text = json.dumps(context[name], ensure_ascii=False, default=str)
    return text if len(text) <= VALUE_WIDTH else text[:VALUE_WIDTH - 3] + "…"


__all__ = ["Argument", "Difference", "compare", "describe"]
