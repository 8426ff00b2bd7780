"""Schema positions: the position range of each module, as Prompt Cache lays a schema out.

The preamble (the chat template's text before the first message) takes positions `0…P-1`. The
top-level modules of the schemas follow in definition order, each in a range of its own:

- a module without params: its text's length (the longest over its nested alternatives);
- a module with params: its text with every param empty, plus the `len` each `<param len="N">`
  reserves (a param without `len` reserves nothing, so a value for it makes the module too long
  for its range and it is read as uncached text);
- the members of a `<union>` share one range, as long as the longest member.

Everything after the schema (the user's turn, text between modules, parameter values that do not
go into a slot) is placed after the whole schema. Module texts are measured by rendering each
module alone (`pml.kv.schema.render_alone`); a module whose text in a render is longer than its
range is read as uncached text, never cut.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pml.kv.schema import SchemaModule, render_alone, schema_modules
from pml.output.prompt import Prompt

# A parameter's value in the rendering that finds where params land: letters only, so every
# syntax writes it as it is.
_SLOT = "QpmlslotQ{}Q"


@dataclass(frozen=True, slots=True)
class Template:
    """A module with params, cut at its params: fixed texts around param slots (`len` tokens each)."""

    fixed: tuple[str, ...]  # one more than params
    params: tuple[int, ...]  # the tokens each slot reserves, in the order they appear in the text


@dataclass(frozen=True, slots=True)
class Range:
    """The positions of one module of the schema, relative to the schema's start."""

    module: SchemaModule
    start: int
    length: int
    template: Template | None = None

    @property
    def end(self) -> int:
        return self.start + self.length


@dataclass(frozen=True, slots=True)
class Layout:
    """Every module's range (module docstring); `length` is the schema's total length."""

    ranges: tuple[Range, ...]
    length: int

    def find(self, name: str) -> Range | None:
        """The range of the module a `<use module=name>` placed: by its path, `schema.path`, or either
        behind a namespace. None when no module, or more than one, answers to the name."""
        key = name.strip().lower()
        paths = {r.module.path.lower() for r in self.ranges}
        found = [r for r in self.ranges if key in (r.module.path.lower(), r.module.qualified.lower())]
        if not found:
            found = [r for r in self.ranges for tail in (r.module.path.lower(), r.module.qualified.lower())
                     if key.endswith("." + tail) and key[:-len(tail) - 1] not in paths]
        unique = {id(r): r for r in found}
        return next(iter(unique.values())) if len(unique) == 1 else None


def _template(module: SchemaModule) -> Template | None:
    """Where each param's value lands in the module's text, when each lands exactly once as it is."""
    text = render_alone(module, {p.name: _SLOT.format(i) for i, p in enumerate(module.params)})
    if text is None:
        return None
    found = sorted((text.find(_SLOT.format(i)), i) for i in range(len(module.params)))
    if any(at < 0 or text.count(_SLOT.format(i)) != 1 for at, i in found):
        return None
    fixed: list[str] = []
    at = 0
    for start, i in found:
        fixed.append(text[at:start])
        at = start + len(_SLOT.format(i))
    fixed.append(text[at:])
    if any(not piece for piece in fixed[1:-1]):
        return None  # two params side by side: their values could not be told apart
    return Template(tuple(fixed), tuple(module.params[i].length for _, i in found))


def _length(module: SchemaModule, count: Callable[[str], int]) -> tuple[int, Template | None]:
    if module.params:
        template = _template(module)
        if template is not None:
            return sum(count(t) for t in template.fixed) + sum(template.params), template
        empty = render_alone(module, {p.name: "" for p in module.params}) or ""
        return count(empty) + sum(p.length for p in module.params), None
    texts = [render_alone(module, {})] + [render_alone(module, {}, pick) for pick in module.alternatives]
    return max(count(t) for t in texts if t is not None) if any(texts) else 0, None


def layout(prompt: Prompt, count: Callable[[str], int]) -> Layout:
    """Lay out the schemas of `prompt`, measuring texts in tokens with `count`."""
    modules = schema_modules(prompt)
    measured = [_length(m, count) for m in modules]
    union_length: dict[int, int] = {}
    for module, (length, _) in zip(modules, measured, strict=True):
        if module.union is not None:
            union_length[module.union] = max(union_length.get(module.union, 0), length)
    ranges: list[Range] = []
    union_start: dict[int, int] = {}
    at = 0
    for module, (length, template) in zip(modules, measured, strict=True):
        if module.union is None:
            ranges.append(Range(module, at, length, template))
            at += length
        elif module.union in union_start:
            ranges.append(Range(module, union_start[module.union], union_length[module.union], template))
        else:
            union_start[module.union] = at
            ranges.append(Range(module, at, union_length[module.union], template))
            at += union_length[module.union]
    return Layout(tuple(ranges), at)


def split(text: str, template: Template) -> list[str] | None:
    """The values of a module's params in its rendered text (in slot order), or None when the text
    does not follow the template."""
    fixed = template.fixed
    if not text.startswith(fixed[0]) or not text.endswith(fixed[-1]) or len(text) < len(fixed[0]) + len(fixed[-1]):
        return None
    values: list[str] = []
    at = len(fixed[0])
    stop = len(text) - len(fixed[-1])
    for piece in fixed[1:-1]:
        found = text.find(piece, at, stop) if piece else at
        if found < 0:
            return None
        values.append(text[at:found])
        at = found + len(piece)
    values.append(text[at:stop])
    return values if len(values) == len(template.params) else None


def slots(start: int, template: Template, count: Sequence[int]) -> list[tuple[int, int]]:
    """(first position, length) of each fixed text and each param slot of a module at `start`, in
    order: fixed, param, fixed, …, fixed. `count` holds the fixed texts' token counts."""
    out: list[tuple[int, int]] = []
    at = start
    for index, reserved in enumerate(template.params):
        out.append((at, count[index]))
        at += count[index]
        out.append((at, reserved))
        at += reserved
    out.append((at, count[-1]))
    return out
