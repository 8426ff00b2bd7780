"""`PromptRequests`: a class for Ray Data's `Dataset.map_batches` that renders a prompt per row.

    ds = ray.data.read_parquet("questions.parquet")
    ds = ds.map_batches(PromptRequests, fn_constructor_kwargs={"prompt": "support.pml", "model": "gpt-4o-mini",
                                                               "id_column": "id"}, concurrency=2)

Each batch (a dict of columns, a pandas DataFrame or an Arrow table) comes back with its
columns and three more: `custom_id`, `messages` (the OpenAI-style chat messages, which
`ray.data.llm` processors read) and `request` (the whole request line for `target`, as JSON
text: what `pml batch` writes for the row). With `on_error="skip"`, a row that fails keeps its
columns, with `messages` and `request` empty and the message in `error`.

Ray runs the batches on many workers in any order, so a row's position is unknown here: ids
come from a column (`id_column`) or a template of columns (`id_template="{user}-{question_id}"`),
never `{index}`. The class needs no Ray to import; it is plain Python called once per batch.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pml
from pml.batch.errors import BatchError, IdProblem, RowFailed
from pml.batch.ids import IdSpec
from pml.batch.inputs import plain
from pml.batch.requests import Builder, RequestSpec, row_error
from pml.limits import Limits


class PromptRequests:
    """Adds `custom_id`, `messages` and `request` columns to each batch (module docstring)."""

    def __init__(self, prompt: str | Path, *, model: str, target: str = "openai",
                 params: Mapping[str, Any] | None = None, context: Mapping[str, Any] | None = None,
                 id_column: str | None = None, id_template: str | None = None, on_error: str = "fail",
                 stylesheet: str | Path | None = None, strict: bool = False, root: str | Path | None = None,
                 limits: Limits | None = None) -> None:
        if on_error not in ("fail", "skip"):
            raise BatchError(f"on_error must be `fail` or `skip`, not `{on_error}`")
        if id_column is None and id_template is None:
            raise BatchError("PromptRequests needs ids from the rows: give id_column= or id_template=",
                             "in Ray Data a row's position is unknown; add an id column with Dataset.add_column")
        ids = IdSpec(id_column, id_template)
        if ids.column is None and any(name == "index" for _, name, _ in ids.fields()):
            raise BatchError("PromptRequests cannot fill `{index}`: in Ray Data a row's position is unknown",
                             "make ids from columns, or add an id column with Dataset.add_column")
        self.ids = ids.maker()
        self.on_error = on_error
        compiled = pml.load(prompt, stylesheet=Path(stylesheet) if stylesheet is not None else None, strict=strict,
                            root=root, limits=limits)
        self.builder = Builder(compiled, RequestSpec(target, model, dict(params or {}), dict(context or {}), None,
                                                     limits))

    def __call__(self, batch: Any) -> Any:
        columns, make = _columns(batch)
        count = len(next(iter(columns.values()))) if columns else 0
        ids: list[str | None] = []
        messages: list[Any] = []
        requests: list[str | None] = []
        errors: list[str | None] = []
        for index in range(count):
            row = {name: plain(_item(values[index])) for name, values in columns.items()}
            try:
                ident = self.ids.make(index, row)
            except IdProblem as exc:
                raise BatchError(f"a row has no usable id: {exc}") from None
            problem = self.builder.target.check_id(ident)
            if problem is not None:
                raise BatchError(problem)
            try:
                rendered = self.builder.render(row)
                request = self.builder.wrap(rendered, ident)
                chat = request["body"]["messages"] if self.builder.target.name == "openai" else \
                    rendered.to_openai()["messages"]
                text = json.dumps(request, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
            except BatchError:
                raise
            except Exception as exc:
                error = row_error(index, ident, f"the row with id `{ident}`", exc)
                if self.on_error == "fail":
                    raise RowFailed(error) from None
                ids.append(ident)
                messages.append(None)
                requests.append(None)
                errors.append(error.message)
                continue
            ids.append(ident)
            messages.append(chat)
            requests.append(text)
            errors.append(None)
        added: dict[str, list[Any]] = {"custom_id": ids, "messages": messages, "request": requests}
        if self.on_error == "skip":
            added["error"] = errors
        return make(added)


def _item(value: Any) -> Any:
    """A numpy scalar or array as a Python value."""
    convert = getattr(value, "tolist", None)
    return convert() if callable(convert) else value


def _columns(batch: Any) -> tuple[dict[str, Any], Any]:
    """The batch's columns (name → a sequence of values) and how to make a batch of the same kind
    with more columns."""
    if hasattr(batch, "to_pydict") and hasattr(batch, "append_column"):  # an Arrow table
        columns = batch.to_pydict()
        return columns, lambda added: _numpy({**columns, **added})
    if hasattr(batch, "to_dict") and hasattr(batch, "columns") and hasattr(batch, "assign"):  # pandas
        columns = {str(name): batch[name].tolist() for name in batch.columns}
        return columns, lambda added: batch.assign(**added)
    if isinstance(batch, Mapping):
        columns = dict(batch)
        return columns, lambda added: _numpy({**columns, **added})
    raise BatchError(f"PromptRequests takes a dict of columns, a pandas DataFrame or an Arrow table, not "
                     f"{type(batch).__name__}")


def _numpy(columns: dict[str, Any]) -> dict[str, Any]:
    """Columns as numpy arrays (what Ray Data takes back); nested values stay Python objects."""
    import numpy

    out: dict[str, Any] = {}
    for name, values in columns.items():
        if isinstance(values, numpy.ndarray):
            out[name] = values
            continue
        array = numpy.empty(len(values), dtype=object)
        for i, value in enumerate(values):
            array[i] = value
        out[name] = array if name in ("messages",) or not _flat(values) else numpy.array(values)
    return out


def _flat(values: list[Any]) -> bool:
    return all(isinstance(v, (str, int, float, bool)) for v in values) and len({type(v) for v in values}) <= 1


__all__ = ["PromptRequests"]
