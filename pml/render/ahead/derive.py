"""From traces to a plan: the pre-written text, its holes and its loops, checked against the traces.

A trace with every loop once gives the text and its holes. A loop is found by tracing it twice:
its first instance starts at its first value, so the text before that value is written once;
from one instance's first value to the next instance's first value is what each instance but the
last writes (`Loop.body`); from the last instance's first value on is the tail, which also holds
everything after the loop. Loops inside an instance and loops after it are found the same way
within those pieces.

The derived plan is then expanded with markers for several loop counts and must give exactly
the traces of those counts; what each instance counts against the output bound must add up the
same way. Anything else is refused (`NotAhead`), and the program renders in full.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from pml.compile.program import CNode, DynamicAttr, ExprPiece, Program, walk
from pml.expressions import Expression
from pml.limits import Limits, current, using
from pml.registry import GLOBAL_ATTRS
from pml.render.ahead.template import ROOT, Hole, Loop, Numeral, Part, Plan
from pml.render.ahead.trace import Cut, Expressions, NotAhead, Num, Tok, Token, Trace, trace
from pml.render.bound import OutputTooLong
from pml.render.writers.markdown import list_marker

Region = Callable[[Mapping[int, int]], tuple[Token, ...]]

# Components read while rendering that a plan takes when no value is in them: what they declare is
# the same on every render, and the plan keeps it (`Declared`).
_DECLARATIONS = frozenset({"OutputSchema", "ToolDefinition", "Runtime"})
# Attributes whose value changes how much of the output is kept.
_BUDGETS = ("charLimit", "tokenLimit")
MAX_LOOPS = 12  # loops in one program the tracer follows (each costs a few traces)
# A plan may trace at most this many times the text of its first trace (loops repeated and nested
# loops multiplied make the traces longer than the render): making it costs a few renders at most.
TRACE_BUDGET = 40
TRACE_FLOOR = 50_000  # (the budget of a small prompt, whose traces are cheap whatever their count)


def derive(program: Program, base_dir: Path, absent: frozenset[int] = frozenset()) -> Plan:
    """The plan of `program` with the elements in `absent` left out (conditions that do not hold,
    empty lists at the top: `switches`); raises `NotAhead` when there is none."""
    nodes = _present(program.root, absent)
    loops = [n for n in nodes if n.loop is not None]
    if len(loops) > MAX_LOOPS:
        raise NotAhead("too many loops")
    shape = _Shape(program, base_dir, nodes, loops, absent)
    parts = shape.build(lambda counts: shape.trace(counts).tokens, shape.top, frozenset({ROOT}))
    charges = shape.charges()
    plan = Plan(_attach(parts, charges), charges[ROOT], shape.trace({}).declared)
    shape.verify(plan)
    return plan


def switches(program: Program) -> list[tuple[CNode, int]]:
    """The elements a plan fixes, in document order, each with the position of the switch it is
    inside of (-1 for none): those with a condition and the loops, outside any loop (a plan is made
    for each combination met: which conditions hold, which lists are empty). Refuses, before any
    trace, what a plan cannot follow (`_check`)."""
    _check(program, walk(program.root))
    found: list[tuple[CNode, int]] = []
    stack: list[tuple[CNode, int, bool]] = [(program.root, -1, False)]  # node, its switch, in a loop
    while stack:
        node, owner, looped = stack.pop()
        if looped:
            if node.cond is not None and node.loop is None:
                raise NotAhead("a condition inside a loop")
        elif node.loop is not None or node.cond is not None:
            found.append((node, owner))
            owner = len(found) - 1
            looped = node.loop is not None
        stack.extend((c, owner, looped) for c in reversed(node.children) if type(c) is CNode)
    return found


def _present(root: CNode, absent: frozenset[int]) -> list[CNode]:
    """The elements of the tree in document order, without those left out and their contents."""
    out: list[CNode] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if node.index in absent:
            continue
        out.append(node)
        stack.extend(reversed([c for c in node.children if type(c) is CNode]))
    return out


def _check(program: Program, nodes: list[CNode]) -> None:
    """Refuse what a plan cannot follow: elements with values or loops in them must be of
    components that place values without reading them; other elements may be of any component
    that reads no file and declares nothing."""
    links = program.links
    if links.definitions or links.uses or links.unions or links.let_values:
        raise NotAhead("modules or variables")
    dynamic = _dynamic(nodes)
    for node in nodes:
        component = node.component
        if component is None:
            continue
        if (component.kind == "reader" and (component.name not in _DECLARATIONS or node.index in dynamic)) \
                or "src" in node.static or "src" in node.dynamic:
            raise NotAhead(f"<{node.element.tag}>")
        if not component.opaque_values and node.index in dynamic:
            raise NotAhead(f"a value in <{node.element.tag}>")
        static = node.static
        if any(name in static for name in _BUDGETS) or static.get("syntax", "markdown") != "markdown":
            raise NotAhead("a budget or another syntax")
        for name, dyn in node.dynamic.items():
            spec = dyn.attr or GLOBAL_ATTRS.get(name.lower())
            if spec is None or spec.type != "string":
                raise NotAhead(f"a computed `{name}`")


def _dynamic(nodes: list[CNode]) -> set[int]:
    """The elements with a value or a loop in them (or on them)."""
    found: set[int] = set()
    for node in reversed(nodes):  # children before their parents
        if (node.loop is not None or node.dynamic
                or any(type(c) is ExprPiece or (type(c) is CNode and c.index in found) for c in node.children)):
            found.add(node.index)
    return found


class _Shape:
    """The traces of one program, by loop counts, and what is derived from them."""

    def __init__(self, program: Program, base_dir: Path, nodes: list[CNode], loops: list[CNode],
                 absent: frozenset[int]) -> None:
        self.program = program
        self.base_dir = base_dir
        self.absent = absent
        self.expressions = Expressions()
        self.traces: dict[tuple[tuple[int, int], ...], Trace] = {}
        self.left: int | None = None  # the characters still to be traced (`TRACE_BUDGET`)
        self.loops = {n.index: n for n in loops}
        # Each loop's enclosing loop (ROOT at the top), its loops one level in, and the top ones.
        self.parent: dict[int, int] = {}
        self.children: dict[int, list[int]] = {n.index: [] for n in loops}
        self.top: list[int] = []
        self._nest(program.root, ROOT)
        self.strict = {id(d.single) for n in nodes for d in n.dynamic.values() if d.single is not None}

    def _nest(self, root: CNode, outer: int) -> None:
        stack: list[tuple[CNode, int]] = [(root, outer)]
        while stack:
            node, around = stack.pop()
            if node.index in self.absent:
                continue
            if node.loop is not None:
                self.parent[node.index] = around
                (self.top if around == ROOT else self.children[around]).append(node.index)
                around = node.index
            stack.extend((c, around) for c in reversed(node.children) if type(c) is CNode)
        for inner in self.children.values():
            inner.sort()
        self.top.sort()

    def trace(self, counts: Mapping[int, int]) -> Trace:
        key = tuple(sorted((k, v) for k, v in counts.items() if v != 1))
        found = self.traces.get(key)
        if found is None:
            left = self.left if self.left is not None else current().max_output
            if left < 1:
                raise NotAhead("the plan costs too much to make")
            try:
                with using(Limits(max_output=left)):  # a trace longer than the budget stops early
                    found = trace(self.program, self.base_dir, dict(key), self.absent, self.expressions)
            except OutputTooLong:
                raise NotAhead("the plan costs too much to make") from None
            if self.left is None:
                self.left = max(TRACE_BUDGET * found.size, TRACE_FLOOR)
            self.left -= 2 * found.size  # (each trace is two renders)
            self.traces[key] = found
        return found

    # ------------------------------------------------------------------ structure
    def build(self, region: Region, loops: list[int], opened: frozenset[int]) -> tuple[Part, ...]:
        """The parts of a region of the text whose top-level loops are `loops` (in order)."""
        if not loops:
            return self._parts(region({}), opened)
        key, rest = loops[0], loops[1:]
        first = region({key: 1})
        start = _first(first, key, 0)
        head = first[:start]
        if any(_loops_of(t) & set(loops) for t in head if type(t) is Tok):
            raise NotAhead("a loop's values come before its first instance")

        def after_head(counts: Mapping[int, int]) -> tuple[Token, ...]:
            tokens = region(counts)
            if tokens[:start] != head:
                raise NotAhead("the text before a loop depends on its count")
            return tokens[start:]

        def body(counts: Mapping[int, int]) -> tuple[Token, ...]:
            tokens = after_head({**counts, key: 2})
            return tokens[:_first(tokens, key, 1)]

        def tail(counts: Mapping[int, int]) -> tuple[Token, ...]:
            return after_head({**counts, key: 1})

        inner = opened | {key}
        node = self.loops[key]
        assert node.loop is not None
        loop = Loop(key, node.loop.name, node.loop.items, self.parent[key],
                    self.build(body, self.children[key], inner),
                    self.build(tail, [*self.children[key], *rest], inner),
                    any("loop" in e.names for e in _expressions(node)), 0, node.cond)
        return (*self._parts(head, opened), loop)

    def _parts(self, tokens: tuple[Token, ...], opened: frozenset[int]) -> tuple[Part, ...]:
        out: list[Part] = []
        for token in tokens:
            if type(token) is str:
                if out and type(out[-1]) is str:
                    out[-1] = out[-1] + token
                else:
                    out.append(token)
                continue
            if type(token) is Cut:
                out.append(token)
                continue
            if type(token) is Num:
                # In a region every open loop is at its first instance: an item's place is its
                # number here plus its loop's place. The first instance's item before the loop
                # starts (its head) is at its number.
                if token.key in opened and token.key != ROOT:
                    out.append(Numeral(token.style, token.number, token.key))
                    continue
                if token.key != ROOT and token.position != 0:
                    raise NotAhead("a list numbered by a loop outside its region")
                token = list_marker(token.style, token.number)  # the same on every render: text
                if out and type(out[-1]) is str:
                    out[-1] = out[-1] + token
                else:
                    out.append(token)
                continue
            assert type(token) is Tok
            scope = token.path[-1][0] if token.path else ROOT
            if scope not in opened:
                raise NotAhead("a value outside its loop")
            expression = self.expressions.items[token.expression]
            out.append(Hole(expression, scope, id(expression) in self.strict))
        return tuple(out)

    # ------------------------------------------------------------------ the output bound
    def charges(self) -> dict[int, int]:
        """What the render counts against the output bound besides values: once (`ROOT`), and per
        instance of each loop (its element, without the loops inside it)."""
        base = self.trace({}).charge
        per: dict[int, int] = {}
        for key in sorted(self.loops, key=self._depth, reverse=True):  # innermost first
            grown = self.trace({key: 2}).charge - base
            per[key] = grown - sum(per[d] for d in self._descendants(key))
        per[ROOT] = base - sum(v for k, v in per.items())
        return per

    def _depth(self, key: int) -> int:
        depth = 0
        while key != ROOT:
            key = self.parent[key]
            depth += 1
        return depth

    def _descendants(self, key: int) -> Iterator[int]:
        for child in self.children[key]:
            yield child
            yield from self._descendants(child)

    # ------------------------------------------------------------------ checking
    def verify(self, plan: Plan) -> None:
        """The plan, expanded with markers, must give the traces of several loop counts."""
        every = list(self.loops)
        configs: list[dict[int, int]] = [{}, dict.fromkeys(every, 2), dict.fromkeys(every, 3)]
        configs += [{key: 3} for key in every]
        for counts in configs:
            tokens: list[Token] = []
            charge = _expand(plan.parts, counts, {ROOT: ()}, tokens, self.expressions)
            seen = self.trace(counts)
            if tuple(_merged(tokens)) != _numbers_only(seen.tokens):
                raise NotAhead("the plan does not give the trace")
            if plan.charge + charge != seen.charge or seen.declared != plan.declared:
                raise NotAhead("the plan does not count or declare as the render does")


def _attach(parts: tuple[Part, ...], charges: Mapping[int, int]) -> tuple[Part, ...]:
    """The parts with each loop's charge per instance filled in."""
    out: list[Part] = []
    for part in parts:
        if type(part) is Loop:
            part = part._replace(body=_attach(part.body, charges), tail=_attach(part.tail, charges),
                                 charge=charges[part.key])
        out.append(part)
    return tuple(out)


def _expand(parts: tuple[Part, ...], counts: Mapping[int, int], paths: dict[int, tuple[tuple[int, int], ...]],
            out: list[Token], expressions: Expressions) -> int:
    """Write the plan with markers for `counts` (as a trace would); returns the loops' charges."""
    charge = 0
    for part in parts:
        if type(part) is str or type(part) is Cut:
            out.append(part)
        elif type(part) is Hole:
            out.append(Tok(expressions.numbers[id(part.expression)], paths[part.scope]))
        elif type(part) is Numeral:
            out.append(list_marker(part.style, part.delta + paths[part.key][-1][1]))
        else:
            assert type(part) is Loop
            count = counts.get(part.key, 1)
            charge += part.charge * count
            for index in range(count):
                paths[part.key] = (*paths[part.scope], (part.key, index))
                charge += _expand(part.body if index < count - 1 else part.tail, counts, paths, out, expressions)
    return charge


def _numbers_only(tokens: tuple[Token, ...]) -> tuple[Token, ...]:
    """The tokens with each list marker written as its text (as `_expand` writes them)."""
    return tuple(_merged([list_marker(t.style, t.number) if type(t) is Num else t for t in tokens]))


def _merged(tokens: list[Token]) -> Iterator[Token]:
    text = ""
    for token in tokens:
        if type(token) is str:
            text += token
            continue
        if text:
            yield text
            text = ""
        yield token
    if text:
        yield text


def _first(tokens: tuple[Token, ...], key: int, instance: int) -> int:
    """Where the given instance of a loop starts: its first value, which must be its own (not one
    of a loop inside it)."""
    for at, token in enumerate(tokens):
        if type(token) is Tok and (key, instance) in token.path:
            if token.path[-1] != (key, instance):
                raise NotAhead("a loop instance starts with an inner loop")
            return at
    raise NotAhead("a loop instance writes no value")


def _loops_of(token: Tok) -> set[int]:
    return {key for key, _ in token.path}


def _expressions(node: CNode) -> Iterator[Expression]:
    """Every expression in an element's subtree."""
    for inner in walk(node):
        if inner.loop is not None:
            yield inner.loop.items
        if inner.cond is not None:
            yield inner.cond
        for dyn in inner.dynamic.values():
            yield from _of_attr(dyn)
        for child in inner.children:
            if type(child) is ExprPiece:
                yield child.expression


def _of_attr(dyn: DynamicAttr) -> Iterator[Expression]:
    if dyn.single is not None:
        yield dyn.single
    for piece in dyn.parts:
        if isinstance(piece, Expression):
            yield piece


__all__ = ["MAX_LOOPS", "derive", "switches"]
