"""A render as the model reads it: the chat template's text around the messages, cut where modules
start and end, each piece tokenized on its own.

The chat template is applied once with a unique marker as each message's content; the template
text between the markers is the fixed text. The *preamble* is everything before the first module:
the template's opening text and the text the prompt writes before its first module. Module
boundaries come from `Rendered.modules` (message, part, offset); only the
outermost module of a nesting is a piece of its own. Plain text next to plain text is tokenized as
one run. Every mode of `pml.kv` (and the full prefill it is compared with) reads the same tokens.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pml.kv.engine import Engine
from pml.kv.problems import kv_error
from pml.output.cacheplan import Placed, Position
from pml.output.prompt import Rendered

PREAMBLE = "preamble"
TEXT = "text"
MODULE = "module"


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of the prompt: the preamble, plain text, or one placed module's text."""

    kind: str
    text: str
    ids: tuple[int, ...]
    placed: Placed | None = None

    @property
    def name(self) -> str | None:
        return self.placed.name if self.placed is not None else None


def _marker(index: int) -> str:
    return f"\x00pml-message-{index}\x00"


def fallback_template(messages: Sequence[Mapping[str, str]]) -> str:
    """The layout used for a model without a chat template: `role:` lines before each message."""
    body = "".join(f"{m['role']}:\n{m['content']}\n\n" for m in messages)
    return body + "assistant:\n"


def template_pieces(engine: Engine, roles: Sequence[str]) -> list[str]:
    """The fixed text of the chat template around messages of these roles: one more piece than roles."""
    messages = [{"role": role, "content": _marker(i)} for i, role in enumerate(roles)]
    text = engine.chat_template(messages)
    if text is None:
        text = fallback_template(messages)
    pieces: list[str] = []
    rest = text
    for index in range(len(roles)):
        before, found, after = rest.partition(_marker(index))
        if not found or _marker(index) in after:
            raise kv_error("the model's chat template changes the text of the messages, so cached states "
                           "cannot be placed in it", hint="use a model whose template copies each message's "
                                                          "content as it is")
        pieces.append(before)
        rest = after
    pieces.append(rest)
    return pieces


def _offset(rendered: Rendered, where: Position) -> int:
    parts = rendered.messages[where.message].parts
    return sum(len(p) for p in parts[:where.part] if isinstance(p, str)) + where.offset


def outermost(rendered: Rendered) -> dict[int, list[tuple[int, int, Placed]]]:
    """The placed modules not inside another one, by message, as (start, end, placed) character offsets."""
    out: dict[int, list[tuple[int, int, Placed]]] = {}
    for placed in rendered.modules:
        if placed.start.message != placed.end.message:
            continue  # a module holding a change of speaker is read as plain text
        start, end = _offset(rendered, placed.start), _offset(rendered, placed.end)
        row = out.setdefault(placed.start.message, [])
        if row and start < row[-1][1]:
            continue
        row.append((start, end, placed))
    for row in out.values():
        row.sort(key=lambda r: r[0])
    return out


def segments(rendered: Rendered, engine: Engine) -> list[Segment]:
    """The prompt of `rendered` for `engine`, as segments in reading order (module docstring)."""
    for message in rendered.messages:
        if not all(isinstance(p, str) for p in message.parts):
            raise kv_error(f"a {message.role} message holds an image, audio or a tool part; a local model "
                           "reads text messages only", span=rendered.span)
    roles = [m.role for m in rendered.messages]
    fixed = template_pieces(engine, roles)
    modules = outermost(rendered)
    runs: list[tuple[str, str, Placed | None]] = [(PREAMBLE, fixed[0], None)]

    def text(value: str) -> None:
        if not value:
            return
        if runs[-1][0] in (TEXT, PREAMBLE):  # the preamble runs up to the first module
            runs[-1] = (runs[-1][0], runs[-1][1] + value, None)
        else:
            runs.append((TEXT, value, None))

    for index, message in enumerate(rendered.messages):
        body = message.text
        at = 0
        for start, end, placed in modules.get(index, []):
            text(body[at:start])
            runs.append((MODULE, body[start:end], placed))
            at = end
        text(body[at:])
        text(fixed[index + 1])
    return [Segment(kind, value, tuple(engine.encode(value)), placed) for kind, value, placed in runs]
