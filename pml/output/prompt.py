"""`Prompt` (a compiled document, reusable) and `Rendered` (one render: messages and payloads).

Speakers are assigned from the tree as it is written, never by re-reading rendered text (the
render's message builder, `pml.render.messages`; POML's rules, `docs/language.md`, "Speakers"):
content belongs to the innermost explicit speaker around it; other content is `system` until the
first explicit `human`, `human` after it; adjacent content of one speaker is one message; a
prompt that is a single implicit `system` message becomes a `human` message.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pml.compile.modules import ModuleDef
from pml.compile.program import CNode, Program
from pml.components.parts import ROLES, MediaPart, Message, Part, ToolCallPart, ToolResultPart, ToolSpec
from pml.components.schemas import SchemaError, schema_from_value
from pml.errors import Diagnostic, PMLTypeError, PMLUsageError
from pml.limits import Limits, using
from pml.limits import current as current_limits
from pml.output.cacheplan import ProviderPlan
from pml.output.cacheplan import plan as cache_plan
from pml.output.targets import FORMATS, to_format
from pml.render import charsafe
from pml.render.ahead import Ahead
from pml.render.budget import Dropped
from pml.render.hooks import RenderHook
from pml.render.messages import Placed
from pml.render.renderer import renderer_for
from pml.render.root import render_root
from pml.syntax.source import Span

__all__ = ["FORMATS", "ROLES", "MediaPart", "Message", "Part", "Prompt", "Rendered", "ToolCallPart",
           "ToolResultPart", "ToolSpec", "dumps"]


@dataclass(frozen=True, slots=True)
class Rendered:
    """The result of one render: the messages, and what the call should carry besides them.

    `schema` is the response's JSON schema (`<output-schema>`), `tools` the function tools
    (`<tool-definition>`), `runtime` the call parameters (`<runtime>`, camelCase keys). The
    `to_…` methods and `to_format(name)` give provider payloads (`pml.output.targets`).
    """

    messages: tuple[Message, ...]
    chat: bool = True
    diagnostics: tuple[Diagnostic, ...] = field(default=(), compare=False)
    schema: dict[str, Any] | None = None
    tools: tuple[ToolSpec, ...] = ()
    runtime: dict[str, Any] | None = None
    # Where each placed module starts and ends in the messages (`pml.output.cacheplan`).
    modules: tuple[Placed, ...] = field(default=(), compare=False)
    # Where each marked subtree starts and ends, for renders that mark them (`pml.output.tokenreport`).
    marks: tuple[Placed, ...] = field(default=(), compare=False)
    # What `char-limit`, `token-limit` and `priority` left out (`pml.render.budget`).
    dropped: tuple[Dropped, ...] = field(default=(), compare=False)
    # Warnings of the render: characters an output could not carry, messages left out for being empty.
    warnings: tuple[Diagnostic, ...] = field(default=(), compare=False)
    # The prompt's root element: where format errors point when no element of their own is known.
    span: Span | None = field(default=None, compare=False)

    def cache_plan(self, provider: str = "anthropic", model: str | None = None) -> ProviderPlan:
        """What `provider` (anthropic or openai) can cache of this render: the stable prefix in bytes
        and tokens, Anthropic's breakpoints, OpenAI's `prompt_cache_key` (`pml.output.cacheplan`).
        `model` defaults to the `<runtime model>` of the prompt."""
        return cache_plan(self, provider, model)

    def to_message_dict(self) -> list[dict[str, Any]]:
        """POML's `message_dict` shape: `[{"speaker", "content"}]`."""
        return to_format(self, "message_dict")

    def to_dict(self) -> dict[str, Any]:
        """POML's `dict` shape: `{"messages", "schema"?, "tools"?, "runtime"?}`."""
        return to_format(self, "dict")

    def to_openai(self) -> dict[str, Any]:
        """OpenAI Chat Completions keyword arguments (`pml.output.targets.openai_chat`)."""
        return to_format(self, "openai")

    def to_openai_responses(self) -> dict[str, Any]:
        """OpenAI Responses keyword arguments (`pml.output.targets.openai_responses`)."""
        return to_format(self, "openai-responses")

    def to_anthropic(self, model: str | None = None) -> dict[str, Any]:
        """Anthropic Messages keyword arguments (`pml.output.targets.anthropic_messages`), with
        `cache_control` breakpoints after cached modules (for `model`, or `<runtime model>`)."""
        return to_format(self, "anthropic", model=model)

    def to_gemini(self) -> dict[str, Any]:
        """A Gemini `generateContent` request body (`pml.output.targets.gemini`)."""
        return to_format(self, "gemini")

    def to_langchain(self) -> dict[str, Any]:
        """POML's `langchain` shape (`pml.output.targets.langchain`)."""
        return to_format(self, "langchain")

    def to_pydantic(self) -> Any:
        """POML's `pydantic` shape: a `PomlFrame` (needs Pydantic)."""
        return to_format(self, "pydantic")

    def text(self) -> str:
        """POML's pretty text: `===== speaker =====` blocks (just the content with chat off)."""
        return to_format(self, "text")

    def to_format(self, name: str) -> Any:
        """The payload in the format `name` (one of `FORMATS`)."""
        return to_format(self, name)

    def with_output_schema(self, schema: Any) -> Rendered:
        """A copy whose response schema is `schema`: a dict, JSON text or a Pydantic model class."""
        return dataclasses.replace(self, schema=_schema(schema))

    def with_tools(self, tools: Iterable[Any]) -> Rendered:
        """A copy with more function tools: `ToolSpec`s, `{name, description?, parameters}` dicts or
        Pydantic model classes (the class name is the tool name, its docstring the description)."""
        return dataclasses.replace(self, tools=(*self.tools, *(_tool(t) for t in tools)))

    def __str__(self) -> str:
        return self.text()


def _schema(value: Any) -> dict[str, Any]:
    try:
        return schema_from_value(value)
    except SchemaError as exc:
        raise PMLUsageError(str(exc)) from None


def _tool(value: Any) -> ToolSpec:
    if isinstance(value, ToolSpec):
        return value
    if isinstance(value, Mapping):
        if "function" in value and isinstance(value["function"], Mapping):  # OpenAI's shape
            value = value["function"]
        if not value.get("name"):
            raise PMLUsageError("a tool needs a name")
        parameters = value["parameters"] if "parameters" in value else {"type": "object", "properties": {}}
        return ToolSpec(str(value["name"]), value.get("description"), _schema(parameters))
    if isinstance(value, type) and hasattr(value, "model_json_schema"):
        doc = (value.__doc__ or "").strip() or None
        return ToolSpec(value.__name__, doc, _schema(value))
    raise PMLTypeError(f"a tool must be a ToolSpec, a dict or a Pydantic model class, not {type(value).__name__}")


def dumps(payload: Any) -> str:
    """Canonical JSON for payloads: stable order, UTF-8, two-space indent. Lone surrogates, which
    UTF-8 cannot carry, are written as U+FFFD (`pml.render.charsafe`)."""
    return charsafe.fix_surrogates(json.dumps(payload, ensure_ascii=False, indent=2))


_UNPLANNED = object()  # a prompt whose plan is not made yet


class Prompt:
    """A compiled prompt. Render it as many times as you like with different contexts."""

    # The compiled-ahead forms of the program (`pml.render.ahead`): made from the second render
    # on; None when the program can have none.
    _plans: Ahead | object | None = None
    _renders = 0

    def __init__(self, program: Program, name: str, base_dir: Path) -> None:
        self.program = program
        self.name = name
        self.base_dir = base_dir
        self._plans = _UNPLANNED

    def __getstate__(self) -> dict[str, Any]:
        """A prompt pickles as its program, name and folder: the plans are made from the program
        again by the copy (from its second render on), so a prompt's pickle never depends on its renders."""
        return {"program": self.program, "name": self.name, "base_dir": self.base_dir}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.program = state["program"]
        self.name = state["name"]
        self.base_dir = state["base_dir"]
        self._plans = _UNPLANNED

    @property
    def diagnostics(self) -> list[Diagnostic]:
        """Warnings found while compiling (errors would have raised)."""
        return list(self.program.diagnostics)

    @property
    def context(self) -> dict[str, Any]:
        """The values the document's `<context>` elements give (they win over the caller's context)."""
        return dict(self.program.context)

    @property
    def files(self) -> tuple[Path, ...]:
        """The files this prompt was compiled from (the main file and its includes)."""
        return self.program.files

    @property
    def root(self) -> CNode:
        """The compiled tree (`pml.compile.program`)."""
        return self.program.root

    @property
    def modules(self) -> tuple[ModuleDef, ...]:
        """The module definitions this prompt can place (its own and imported ones)."""
        return self.program.modules

    def render(self, context: Mapping[str, Any] | None = None, *, chat: bool = True, output_schema: Any = None,
               max_tokens: int | None = None, limits: Limits | None = None, **variables: Any) -> Rendered:
        """Render with a context (a mapping) and/or keyword variables.

        `output_schema` (a dict, JSON text or a Pydantic model class) sets the response schema,
        replacing the document's `<output-schema>`. `max_tokens` is a budget for the whole prompt,
        as a `token-limit` on the root (the smaller one wins): lower priorities are dropped first,
        then the text is cut (`pml.render.budget`); `Rendered.dropped` says what went. `limits` are the
        resource bounds of this render (`pml.Limits`; default: the ones in force).
        """
        if limits is None:  # the limits in force (without entering `using`, which would keep them)
            return self._render_any(context, chat, output_schema, variables, max_tokens)
        with using(limits):
            return self._render_any(context, chat, output_schema, variables, max_tokens)

    def _render_any(self, context: Mapping[str, Any] | None, chat: bool, output_schema: Any,
                    variables: Mapping[str, Any], max_tokens: int | None) -> Rendered:
        """The render written ahead when it can be, else the full render."""
        if chat and output_schema is None and max_tokens is None:
            ahead = self._ahead(context, variables)
            if ahead is not None:
                return ahead
        return self._render(context, chat, output_schema, variables, None, max_tokens)

    def _ahead(self, context: Mapping[str, Any] | None, variables: Mapping[str, Any]) -> Rendered | None:
        """The render written ahead (`pml.render.ahead`), or None when the full render must run.

        The plans are made from the second render on (a prompt rendered once pays nothing for them)."""
        ahead = self._plans
        if ahead is None:
            return None
        if ahead is _UNPLANNED:
            self._renders += 1
            if self._renders < 2:
                return None
            ahead = self._plans = Ahead.of(self.program, self.base_dir)
            if ahead is None:
                return None
        assert isinstance(ahead, Ahead)
        program = self.program
        if variables or program.context or context is None:
            scope: Mapping[str, Any] = self._scope(context, variables)
        else:
            scope = context
        bounds = current_limits()
        written = ahead.render(scope, bounds.max_output, bounds.max_loop)
        if written is None:
            return None
        declared = written.declared
        return Rendered(tuple(Message(speaker, (text,)) for speaker, text in written.messages), True,
                        program.diagnostics, declared.schema, declared.tools, declared.runtime, (), (), (), (),
                        program.root.span)

    def render_with(self, hook: RenderHook, context: Mapping[str, Any] | None = None, *, chat: bool = True,
                    limits: Limits | None = None) -> Rendered:
        """Render with a context, telling `hook` what the render does (`pml.render.hooks`): reports
        such as `pml tokens` and `pml cache diff` mark what they measure this way."""
        with using(limits):
            return self._render(context, chat, None, {}, hook)

    def _render(self, context: Mapping[str, Any] | None, chat: bool, output_schema: Any,
                variables: Mapping[str, Any], hook: RenderHook | None, max_tokens: int | None = None) -> Rendered:
        scope = self._scope(context, variables)
        with charsafe.collecting() as notes:
            return self._write(scope, chat, output_schema, hook, max_tokens, notes)

    def _scope(self, context: Mapping[str, Any] | None, variables: Mapping[str, Any]) -> dict[str, Any]:
        """The variables of a render: the context, the keyword variables, then the document's `<context>`."""
        scope: dict[str, Any] = {}
        if context:
            scope.update(context)
        scope.update(variables)
        if self.program.context:
            scope = deep_merge(scope, self.program.context)
        return scope

    def _write(self, scope: dict[str, Any], chat: bool, output_schema: Any, hook: RenderHook | None,
               max_tokens: int | None, notes: charsafe.Notes) -> Rendered:
        renderer = renderer_for(scope, self.program.folder, self.program.links, hook)
        root = self.program.root
        done = render_root(renderer, root, scope, chat, self.base_dir, max_tokens, hook)
        built, written = done.built, done.written
        call = renderer.call
        schema = _schema(output_schema) if output_schema is not None else call.schema
        runtime = charsafe.clean(dict(call.runtime)) if call.runtime else None
        warnings = (*(_empty_message(span, speaker) for span, speaker in written.empty), *notes.warnings())
        return Rendered(built.messages, chat, self.program.diagnostics, schema, tuple(call.tools),
                        runtime, built.modules, built.marks, tuple(renderer.dropped), warnings, root.span)

    def __repr__(self) -> str:
        return f"Prompt({self.name!r})"


def deep_merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = deep_merge(dict(out[key]), value)
        else:
            out[key] = value
    return out


def _empty_message(span: Span, speaker: str) -> Diagnostic:
    return Diagnostic("warning", f"this {speaker} message is empty (no text, or only whitespace), so it is left out",
                      span, "chat APIs refuse empty messages; give it content, or leave it out with `if`", "output")
