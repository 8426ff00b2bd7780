"""`write_requests`: a whole batch, from input files to shards and a manifest.

1. The inputs are named (`inputs.expand`) and fingerprinted; one pass counts their rows and
   checks every id (present, valid for the target, unique), so a bad id stops the run before
   any row is rendered; it notes where reading can start (`plan.Marks`), for engines whose
   workers read the rows themselves.
2. The output folder is prepared (`store.WorkDir`): a new run needs a folder without a batch in
   it; `resume=True` continues the unfinished run there, after checking that it is this run
   (same PML, prompt, inputs and options), and skips the chunks it finished.
3. The chunks not yet done (`plan.Plan`) go to the engine; each result is kept as a chunk as
   it arrives, in order. The first fatal problem (with `on_error="fail"`, the first row that fails) stops the
   run with an error naming the row.
4. The shards, `errors.jsonl` and `manifest.json` are assembled from the chunks.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pml
from pml import limits as limits_module
from pml.batch.engines import default_workers
from pml.batch.engines import engine as start_engine
from pml.batch.errors import BatchError, IdProblem
from pml.batch.ids import IdSet, IdSpec, duplicates
from pml.batch.inputs import InputFile, blocks, decode, expand, fingerprint
from pml.batch.plan import Marks, Plan
from pml.batch.requests import RequestSpec
from pml.batch.store import Done, Manifest, WorkDir, differences
from pml.batch.targets import Target
from pml.batch.targets import target as find_target
from pml.batch.work import Job, PromptShip, PromptSource
from pml.limits import Limits

CHUNK_ROWS = 1000


@dataclass(frozen=True, slots=True)
class Progress:
    """How far a run is: rows done (rendered or left out) of `total`, and rows left out so far."""

    rows: int
    total: int
    errors: int


def write_requests(prompt: Any, data: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
                   out_dir: str | os.PathLike[str], *, target: str = "openai", model: str,
                   params: Mapping[str, Any] | None = None, context: Mapping[str, Any] | None = None,
                   id_column: str | None = None, id_template: str | None = None, max_requests: int | None = None,
                   max_bytes: int | None = None, workers: int | None = None, engine: str = "local",
                   resume: bool = False, on_error: str = "fail", chunk_rows: int = CHUNK_ROWS,
                   stylesheet: str | os.PathLike[str] | None = None, strict: bool = False,
                   root: str | os.PathLike[str] | None = None, limits: Limits | None = None,
                   progress: Callable[[Progress], None] | None = None) -> Manifest:
    """Render `prompt` over every row of `data` into provider batch files in `out_dir`.

    `prompt` is the path of a prompt file (compiled with `stylesheet`, `strict` and `root`, as
    `pml.load` does) or a compiled `pml.Prompt`. `data` is one or more JSONL, CSV or Parquet
    files, folders or globs. `target` is `openai`, `openai-responses` or `anthropic`; `params`
    are added to every request body. Shards are cut at the provider's limits or the lower
    `max_requests` / `max_bytes`. `workers` (default: one per CPU) render on `engine` (`local` or
    `ray`). `chunk_rows` rows make one unit of work, the unit a resumed run skips. `progress` is
    called after each chunk. Returns the manifest, also written to `out_dir/manifest.json`.
    """
    out = Path(out_dir)
    rules = find_target(target)
    if on_error not in ("fail", "skip"):
        raise BatchError(f"on_error must be `fail` or `skip`, not `{on_error}`")
    if not isinstance(chunk_rows, int) or chunk_rows < 1:
        raise BatchError(f"chunk_rows must be a whole number of at least 1, not {chunk_rows!r}")
    shard_requests = _bound("max_requests", max_requests, rules.max_requests, "requests")
    shard_bytes = _bound("max_bytes", max_bytes, rules.max_bytes, "bytes")
    bounds = limits if limits is not None else limits_module.current()
    compiled, source, prompt_entry = _prompt(prompt, stylesheet, strict, root, bounds)
    spec = RequestSpec(target, model, dict(params or {}), dict(context or {}), shard_bytes, bounds)
    ids = IdSpec(id_column, id_template)
    files = expand([data] if isinstance(data, (str, os.PathLike)) else list(data))

    prints = [fingerprint(file) for file in files]
    marks = Marks(files)
    with tempfile.TemporaryDirectory(prefix="pml-batch-ids-") as scratch:
        counts = survey(files, ids, rules, chunk_rows, Path(scratch), bounds.max_diagnostics, marks)
    run = {
        "pml_version": _version(),
        "prompt": prompt_entry,
        "inputs": [{"file": f.shown, "format": f.kind, "bytes": size, "sha256": digest, "rows": rows}
                   for f, (size, digest), rows in zip(files, prints, counts, strict=True)],
        "options": _options(spec, ids, shard_requests, shard_bytes, on_error, chunk_rows, strict, bounds),
    }
    _json_safe(run)
    work = WorkDir(out)
    finished = work.finished()
    if finished is not None:
        changed = differences(finished.run(), run)
        if resume and not changed:
            work.clean()
            return finished
        raise BatchError(f"{out}: the folder already holds a finished batch",
                         "write the batch to another folder, or delete this one",
                         more=changed if resume else ())
    created = not out.exists()
    done = work.begin(run, resume)
    try:
        here = engine == "local" and (workers or default_workers()) == 1
        job = Job(PromptShip(here=compiled) if here else PromptShip.of(compiled, source), spec, ids, on_error)
        work_plan = Plan(tuple(files), tuple(counts), chunk_rows, frozenset(done), marks.marks())
        return _render(work, run, done, work_plan, job, engine, workers, progress, shard_requests, shard_bytes)
    except BaseException:
        if not any(work.chunks.glob("*.json")):  # nothing worth resuming: leave the folder as it was
            work.clean()
            if created:
                shutil.rmtree(out, ignore_errors=True)
        raise


def _render(work: WorkDir, run: Mapping[str, Any], done: Mapping[int, Done], plan: Plan, job: Job, engine: str,
            workers: int | None, progress: Callable[[Progress], None] | None, shard_requests: int,
            shard_bytes: int) -> Manifest:
    """Render the chunks not yet done, keep each as it comes, then assemble the shards."""
    rows_done = sum(d.rows for d in done.values())
    errors = sum(d.errors for d in done.values())
    total = sum(plan.rows)
    with start_engine(engine, job, workers) as render:
        if progress is not None:
            progress(Progress(rows_done, total, errors))
        for result in render(plan):
            if result.fatal is not None:
                raise result.fatal
            work.save(result)
            rows_done += result.rows
            errors += len(result.errors)
            if progress is not None:
                progress(Progress(rows_done, total, errors))
    return work.assemble(plan.chunks, run, shard_requests, shard_bytes, errors_file=job.on_error == "skip")


def _bound(name: str, asked: int | None, provider: int, unit: str) -> int:
    if asked is None:
        return provider
    if isinstance(asked, bool) or not isinstance(asked, int) or asked < 1:
        raise BatchError(f"{name} must be a whole number of at least 1, not {asked!r}")
    if asked > provider:
        raise BatchError(f"{name} is {asked:,}, more than the provider takes in one batch ({provider:,} {unit})")
    return asked


def _version() -> str:
    return str(pml.__version__)


def _prompt(prompt: Any, stylesheet: Any, strict: bool, root: Any, bounds: Limits
            ) -> tuple[Any, PromptSource | None, dict[str, Any]]:
    """The compiled prompt, where workers can compile it from, and its manifest entry."""
    if isinstance(prompt, (str, os.PathLike)):
        path = Path(prompt)
        if path.is_dir():
            raise BatchError(f"{path}: is a folder, not a prompt file")
        if not path.is_file():
            raise BatchError(f"{path}: no such prompt file")
        sheet = Path(stylesheet) if stylesheet is not None else None
        compiled = pml.load(path, stylesheet=sheet, strict=strict, root=root, limits=bounds)
        source = PromptSource(str(path), str(sheet) if sheet is not None else None, strict,
                              str(root) if root is not None else None, bounds)
        name = os.fspath(prompt)
    else:
        if not hasattr(prompt, "render"):
            raise BatchError(f"the prompt must be a path or a compiled pml.Prompt, not {type(prompt).__name__}")
        compiled, source, name, sheet = prompt, None, str(getattr(prompt, "name", "<prompt>")), None
    hasher = hashlib.sha256()
    for file in [*getattr(compiled, "files", ()), *([sheet] if sheet is not None else [])]:
        try:
            content = Path(file).read_bytes()
        except OSError:
            content = b""
        hasher.update(len(content).to_bytes(8, "little") + content)
    if not getattr(compiled, "files", ()):
        hasher.update(name.encode("utf-8", "surrogatepass"))
    return compiled, source, {"file": name, "sha256": hasher.hexdigest()}


def _options(spec: RequestSpec, ids: IdSpec, shard_requests: int, shard_bytes: int, on_error: str, chunk_rows: int,
             strict: bool, bounds: Limits) -> dict[str, Any]:
    context = None
    if spec.context:
        text = json.dumps(spec.context, sort_keys=True, ensure_ascii=False, default=repr)
        context = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    changed = {f.name: getattr(bounds, f.name) for f in dataclasses.fields(bounds)
               if getattr(bounds, f.name) != getattr(limits_module.DEFAULT, f.name)}
    return {"target": spec.target, "model": spec.model, "params": dict(spec.params), "context_sha256": context,
            "id": ids.describe(), "max_requests": shard_requests, "max_bytes": shard_bytes, "on_error": on_error,
            "chunk_rows": chunk_rows, "strict": strict, "limits": changed}


def _json_safe(run: Mapping[str, Any]) -> None:
    try:
        json.dumps(run, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise BatchError(f"the request parameters must be JSON values: {exc}") from None


def survey(files: Sequence[InputFile], ids: IdSpec, rules: Target, chunk_rows: int, scratch: Path,
           shown: int, marks: Marks | None = None) -> list[int]:
    """Each file's row count, after checking every row's id (module docstring); a problem with
    ids is a `BatchError` that lists up to `shown` of them. `marks` notes where reading can start."""
    columns = ids.columns()
    maker = ids.maker()
    seen = None if ids.unique_by_index else IdSet(scratch)
    problems: list[str] = []
    extra = 0
    counts = {file.shown: 0 for file in files}

    def note(text: str) -> None:
        nonlocal extra
        if len(problems) < shown:
            problems.append(text)
        else:
            extra += 1

    for chunk, block in enumerate(blocks(files, chunk_rows, need=columns, only=columns)):
        counts[block.file] += len(block)
        if marks is not None:
            marks.note(chunk, block)
        rows: list[dict[str, Any]] | None = None
        if columns:
            rows = decode(block)
        for offset in range(len(block)):
            try:
                ident = maker.make(block.first + offset, rows[offset] if rows is not None else None)
            except IdProblem as exc:
                note(f"{block.where(offset)}: {exc}")
                continue
            problem = rules.check_id(ident)
            if problem is not None:
                note(f"{block.where(offset)}: {problem}")
            elif seen is not None:
                seen.add(ident)
    if problems:
        more = [*problems, *([f"… and {extra} more"] if extra else [])]
        count = len(problems) + extra
        raise BatchError(f"{count} row{'s have' if count != 1 else ' has'} no usable id:", _id_hint(ids, False),
                         more=more)
    repeated = seen.repeated() if seen is not None else set()
    if repeated:
        found = duplicates(_ids(files, ids, chunk_rows), repeated, shown)
        if found:
            raise BatchError("ids must be unique, and some are used more than once:", _id_hint(ids, True), more=found)
    return [counts[file.shown] for file in files]


def _ids(files: Sequence[InputFile], ids: IdSpec, chunk_rows: int) -> Iterator[tuple[str, str]]:
    columns = ids.columns()
    maker = ids.maker()
    for block in blocks(files, chunk_rows, need=columns, only=columns):
        rows = decode(block) if columns else None
        for offset in range(len(block)):
            yield maker.make(block.first + offset, rows[offset] if rows is not None else None), block.where(offset)


def _id_hint(ids: IdSpec, repeated: bool) -> str:
    if ids.column is not None:
        return f"ids come from the column `{ids.column}`; choose another with --id-column, or make them with --id " \
               "TEMPLATE (for example `row-{index}`)"
    if repeated:
        return f"ids come from the template `{ids.pattern}`; add {{index}} to make them unique"
    return f"ids come from the template `{ids.pattern}`; change it with --id TEMPLATE, or take them from a column " \
           "with --id-column"


__all__ = ["CHUNK_ROWS", "Progress", "survey", "write_requests"]
