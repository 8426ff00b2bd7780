"""One row, one request line: render the prompt with the row's context and wrap the payload.

`RequestSpec` is everything about a request but the prompt (a picklable value that workers
receive); `Builder` holds a compiled prompt and turns (row, id) into the bytes of a JSONL line.
`iter_requests` does it in this process, in order, for any iterable of rows.

A row's context is the batch's base context (`--context`, `--var`) with the row's columns
over it (a column wins over a base key of the same name). Lines are compact JSON in UTF-8,
keys in the order the payload has them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pml
from pml.batch.errors import BatchError, IdProblem, RequestError, RowError, RowFailed, placed
from pml.batch.ids import IdMaker, IdSpec
from pml.batch.targets import Target, target
from pml.errors import PMLError
from pml.limits import Limits


@dataclass(frozen=True, slots=True)
class RequestSpec:
    """What a request is made of besides the prompt: the target, the model, extra parameters, the
    base context, the largest line a shard can take, and the limits renders run under."""

    target: str
    model: str
    params: Mapping[str, Any] = field(default_factory=dict)
    context: Mapping[str, Any] = field(default_factory=dict)
    max_line: int | None = None
    limits: Limits | None = None

    def __post_init__(self) -> None:
        target(self.target)
        if not isinstance(self.model, str) or not self.model.strip():
            raise BatchError("a batch needs a model: give --model MODEL (model= in Python)")
        if "model" in self.params:
            raise BatchError("the model is not a parameter: give it with --model MODEL (model= in Python), "
                             "not --param model=…")


class Builder:
    """Turns rows into request lines with one compiled prompt (module docstring)."""

    def __init__(self, prompt: Any, spec: RequestSpec) -> None:
        self.prompt = prompt
        self.spec = spec
        self.target: Target = target(spec.target)
        self.params = dict(spec.params)
        self.context = dict(spec.context)

    def render(self, row: Mapping[str, Any]) -> Any:
        """The prompt rendered with the row's context (module docstring)."""
        context = {**self.context, **row} if self.context else dict(row)
        return self.prompt.render(context, limits=self.spec.limits)

    def wrap(self, rendered: Any, ident: str) -> dict[str, Any]:
        """The request object for a render: its payload as the target's body, in the target's envelope."""
        payload = self.target.payload(rendered, self.spec.model)
        return self.target.envelope(ident, self.target.body(payload, self.spec.model, self.params))

    def request(self, row: Mapping[str, Any], ident: str) -> dict[str, Any]:
        """The request object for one row (what its JSONL line holds)."""
        return self.wrap(self.render(row), ident)

    def line(self, row: Mapping[str, Any], ident: str) -> bytes:
        """The JSONL line for one row, without its newline. A render that fails raises `PMLError`;
        a request too large for a shard, or one JSON cannot carry, raises `RequestError`."""
        request = self.request(row, ident)
        try:
            data = json.dumps(request, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")
        except UnicodeEncodeError:
            raise RequestError("the request holds text that is not valid Unicode (a lone surrogate)") from None
        except (TypeError, ValueError) as exc:
            raise RequestError(f"the request cannot be written as JSON: {exc}") from None
        if self.spec.max_line is not None and len(data) + 1 > self.spec.max_line:
            raise RequestError(f"the request is {len(data) + 1:,} bytes, more than a shard may hold "
                               f"({self.spec.max_line:,} bytes)")
        return data


def row_error(index: int, ident: str | None, where: str, exc: BaseException) -> RowError:
    """A `RowError` for a row whose render or request failed with `exc`."""
    if isinstance(exc, PMLError):
        return RowError(index, ident, where, str(exc), tuple(d.to_json() for d in exc.diagnostics))
    if isinstance(exc, ValueError):
        return RowError(index, ident, where, str(exc))
    if isinstance(exc, RecursionError):
        return RowError(index, ident, where, "the row's values are nested too deeply to render")
    return RowError(index, ident, where, f"internal error: {type(exc).__name__}: {exc}")


def iter_requests(prompt: Any, rows: Iterable[Mapping[str, Any]], *, target: str = "openai", model: str,
                  params: Mapping[str, Any] | None = None, context: Mapping[str, Any] | None = None,
                  id_column: str | None = None, id_template: str | None = None, on_error: str = "fail",
                  skipped: Callable[[RowError], None] | None = None, limits: Limits | None = None
                  ) -> Iterator[dict[str, Any]]:
    """The request objects for `rows`, in order, rendered in this process.

    `prompt` is a `pml.Prompt` or the path of a prompt file. Ids come from `id_column` or from
    `id_template` (default `row-{index}`, the row's position from 0); a row without a usable id,
    an invalid id for the target or a repeated id raises `BatchError`. With `on_error="fail"`
    (the default) the first row that cannot be rendered raises `BatchError`; with `"skip"` it is
    left out and passed to `skipped`.
    """
    if on_error not in ("fail", "skip"):
        raise BatchError(f"on_error must be `fail` or `skip`, not `{on_error}`")
    spec = RequestSpec(target, model, dict(params or {}), dict(context or {}), None, limits)
    builder = Builder(_prompt(prompt, limits), spec)
    maker = IdMaker(IdSpec(id_column, id_template))
    seen: set[str] = set()
    for index, row in enumerate(rows):
        where = f"row {index}"
        try:
            ident = maker.make(index, row)
        except IdProblem as exc:
            raise placed(where, exc) from None
        problem = builder.target.check_id(ident)
        if problem is not None:
            raise BatchError(f"{where}: {problem}")
        if ident in seen:
            raise BatchError(f"{where}: the id `{ident}` is used twice", "ids must be unique")
        seen.add(ident)
        try:
            yield builder.request(row, ident)
        except BatchError as exc:
            raise placed(where, exc) from None
        except Exception as exc:
            error = row_error(index, ident, where, exc)
            if on_error == "fail":
                raise RowFailed(error) from None
            if skipped is not None:
                skipped(error)


def _prompt(prompt: Any, limits: Limits | None) -> Any:
    if isinstance(prompt, (str, Path)):
        return pml.load(prompt, limits=limits)
    return prompt


__all__ = ["Builder", "RequestSpec", "RowError", "iter_requests", "row_error"]
