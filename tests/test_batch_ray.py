"""`pml batch --engine ray` (a Ray Data pipeline) and the `PromptRequests` class for Ray Data, on
one small local Ray cluster (2 CPUs) shared by the tests of this module."""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import pml
from pml.batch import BatchError, Progress, PromptRequests, RowFailed, write_requests
from pml.cli.app import app

ROOT = Path(__file__).resolve().parent.parent
CASE = ROOT / "tests" / "batch"
PROMPT = CASE / "support.pml"
CONTEXT = json.loads((CASE / "context.json").read_text(encoding="utf-8"))
EXPECTED = (CASE / "expected-openai.jsonl").read_text(encoding="utf-8").splitlines()


def rows() -> list[dict[str, Any]]:
    return [json.loads(line) for line in (CASE / "rows.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    import ray

    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    address = os.environ.pop("RAY_ADDRESS", None)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    try:
        yield ray
    finally:
        ray.shutdown()
        if address is not None:
            os.environ["RAY_ADDRESS"] = address


def files_of(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file()}


class Spy:
    """Records the Ray Data calls a run makes (the datasource read, the class mapped and how)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, ray: Any) -> None:
        self.sources: list[Any] = []
        self.maps: list[tuple[Any, dict[str, Any]]] = []
        read, mapper = ray.data.read_datasource, ray.data.Dataset.map_batches

        def read_datasource(source: Any, **options: Any) -> Any:
            self.sources.append(source)
            return read(source, **options)

        def map_batches(dataset: Any, fn: Any, **options: Any) -> Any:
            self.maps.append((fn, options))
            return mapper(dataset, fn, **options)

        monkeypatch.setattr(ray.data, "read_datasource", read_datasource)
        monkeypatch.setattr(ray.data.Dataset, "map_batches", map_batches)


def many(count: int) -> list[dict[str, Any]]:
    return [{"id": f"r{i:04d}", "question": f"What about item {i}?"} for i in range(count)]


def write_parquet(path: Path, rows: list[dict[str, Any]], row_group_size: int) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_pylist(rows), path, row_group_size=row_group_size)
    return path


OPTIONS: dict[str, Any] = {"model": "test-model", "context": CONTEXT, "id_column": "id"}


def test_the_ray_engine_writes_the_local_engines_bytes(cluster: Any, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from pml.batch.raydata import ChunkSource, RenderChunks

    data = write_parquet(tmp_path / "rows.parquet", many(400), 150)
    options: dict[str, Any] = {**OPTIONS, "chunk_rows": 60, "max_requests": 150}
    local = write_requests(PROMPT, data, tmp_path / "local", workers=2, **options)
    spy = Spy(monkeypatch, cluster)
    remote = write_requests(PROMPT, data, tmp_path / "ray", engine="ray", workers=2, **options)
    assert remote == local
    assert files_of(tmp_path / "ray") == files_of(tmp_path / "local")
    assert [s.lines for s in remote.shards] == [150, 150, 100]
    # Ray Data read the file in two spans (a chunk starts a row group at row 300) and rendered on 2 actors
    [source] = spy.sources
    assert isinstance(source, ChunkSource)
    assert [[(span.chunk, span.chunks) for span in group] for group in source.groups] == [[(0, 5)], [(5, 2)]]
    [(fn, how)] = spy.maps
    assert fn is RenderChunks and how["compute"].max_size == 2 and how["num_cpus"] == 0.5
    assert cluster.is_initialized()  # a cluster it did not start is left running


def test_text_inputs_bad_rows_and_progress_on_ray_are_as_local(cluster: Any, tmp_path: Path) -> None:
    """CSV (all text, records over several lines) and JSONL (blank lines) over several files, rows
    left out with on_error="skip", and progress after each chunk: the same on both engines."""
    prompt = tmp_path / "shout.pml"
    prompt.write_text("<poml><p>{{ question.toUpperCase() }} {{ n }}</p></poml>", encoding="utf-8")
    rows = [{"id": f"r{i:03d}", "question": 7 if i % 11 == 5 else f'a, "b"\nc {i}' if i % 3 == 0 else f"q {i}",
             "n": i} for i in range(90)]
    first = tmp_path / "a.jsonl"
    first.write_text("".join(json.dumps(r) + ("\n\n" if i % 4 == 0 else "\n") for i, r in enumerate(rows)),
                     encoding="utf-8")
    second = tmp_path / "b.csv"
    with second.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "question", "n"])
        writer.writerows([f"c{r['id']}", r["question"], r["n"]] for r in rows)
    seen: dict[str, list[Progress]] = {"local": [], "ray": []}
    manifests = {engine: write_requests(prompt, [first, second], tmp_path / engine, model="m", id_column="id",
                                        engine=engine, workers=2, chunk_rows=7, max_requests=50, on_error="skip",
                                        progress=seen[engine].append)
                 for engine in ("local", "ray")}
    assert manifests["ray"] == manifests["local"]
    assert files_of(tmp_path / "ray") == files_of(tmp_path / "local")
    assert (manifests["ray"].requests, manifests["ray"].errors) == (172, 8)
    assert seen["ray"] == seen["local"] and len(seen["ray"]) == 1 + 26 and seen["ray"][-1] == Progress(180, 180, 8)
    left_out = [json.loads(line) for line in (tmp_path / "ray" / "errors.jsonl").read_text("utf-8").splitlines()]
    assert [e["input"] for e in left_out[:2]] == [f"{first}:8", f"{first}:21"]  # the CSV's 7 is text: no error
    lines = (tmp_path / "ray" / "requests-00002.jsonl").read_text("utf-8").splitlines()  # CSV rows 18 on
    said = {json.loads(line)["custom_id"]: json.loads(line)["body"]["messages"][0]["content"] for line in lines}
    assert (said["cr027"], said["cr030"]) == ("7 27", 'A, "B"\nC 30 30')


def test_a_ray_run_that_stops_resumes_to_the_clean_runs_bytes(cluster: Any, tmp_path: Path) -> None:
    data = write_parquet(tmp_path / "rows.parquet", many(400), 150)
    options: dict[str, Any] = {**OPTIONS, "chunk_rows": 20, "max_requests": 90, "workers": 2}
    clean = write_requests(PROMPT, data, tmp_path / "clean", **options)

    def stop(state: Progress) -> None:
        if state.rows >= 100:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_requests(PROMPT, data, tmp_path / "out", engine="ray", progress=stop, **options)
    chunks = tmp_path / "out" / ".pml-batch" / "chunks"
    assert sorted(p.name for p in chunks.glob("*.json")) == [f"{i:08d}.json" for i in range(5)]
    (chunks / "00000002.json").unlink()  # a chunk lost: rendered again, between chunks kept
    resumed: list[Progress] = []
    manifest = write_requests(PROMPT, data, tmp_path / "out", engine="ray", resume=True, progress=resumed.append,
                              **options)
    assert manifest == clean and files_of(tmp_path / "out") == files_of(tmp_path / "clean")
    assert (resumed[0].rows, resumed[-1].rows, len(resumed)) == (80, 400, 1 + 16)
    assert cluster.is_initialized()


def test_an_unreadable_row_on_ray_stops_the_run_as_on_local(cluster: Any, tmp_path: Path) -> None:
    data = tmp_path / "rows.jsonl"
    data.write_bytes(b"".join(b'{"question": "q%d"}\n' % i for i in range(30)).replace(b'"q23"', b'"q\xe9"'))
    messages = []
    for engine in ("local", "ray"):
        with pytest.raises(BatchError) as caught:
            write_requests(PROMPT, data, tmp_path / engine, model="m", context=CONTEXT, engine=engine, workers=2,
                           chunk_rows=4)
        messages.append(str(caught.value))
        assert sorted(p.name for p in (tmp_path / engine / ".pml-batch" / "chunks").glob("*.json")) == \
            [f"{i:08d}.json" for i in range(5)]
    assert messages[0] == messages[1] == f"{data}:24: the line is not UTF-8 text (byte 0xe9)"


def test_a_span_that_cannot_be_read_ends_with_its_error(tmp_path: Path) -> None:
    import pickle

    import pml.limits
    from pml.batch.inputs import At, expand
    from pml.batch.plan import Span
    from pml.batch.raydata import read_span

    data = tmp_path / "rows.jsonl"
    data.write_text('{"q": 1}\n{"q": 2}\n{"q": 3}\n{"q": "a long line"}\n{"q": 5}\n', encoding="utf-8")
    [file] = expand([data])
    span = Span(file, At(9, 1), 10, 100, 4, frozenset({11}))
    rows = [table.to_pylist()[0] for table in read_span(span, 1, pml.Limits(max_string=12))]
    assert [row["index"] for row in rows] == [10, 12]
    assert list(pickle.loads(rows[0]["block"]).places) == [2]
    error = pickle.loads(rows[1]["block"])
    assert isinstance(error, BatchError)
    assert str(error) == f"{data}:4: the line is longer than 12 bytes\nhint: raise the limit with --limit max_string=N"
    assert pml.limits.current() == pml.limits.DEFAULT


def test_the_command_runs_on_ray(cluster: Any, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["batch", str(PROMPT), str(CASE / "rows.csv"), "-o", str(tmp_path / "out"),
                                      "--model", "test-model", "--context", str(CASE / "context.json"),
                                      "--id-column", "id", "--engine", "ray"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "requests-00000.jsonl").read_text(encoding="utf-8").splitlines() == EXPECTED


def test_a_bad_row_on_ray_stops_the_run_with_its_id(cluster: Any, tmp_path: Path) -> None:
    prompt = tmp_path / "shout.pml"
    prompt.write_text("<poml><p>{{ question.toUpperCase() }}</p></poml>", encoding="utf-8")
    data = tmp_path / "rows.jsonl"
    data.write_text('{"question": "a"}\n{"question": 5}\n', encoding="utf-8")
    with pytest.raises(RowFailed, match=r"rows\.jsonl:2: row `row-1` \(index 1\) cannot become a request:\n") as caught:
        write_requests(prompt, data, tmp_path / "out", model="m", engine="ray", workers=2)
    assert (caught.value.row.id, caught.value.row.index, caught.value.row.where) == ("row-1", 1, f"{data}:2")
    assert caught.value.row.diagnostics[0]["file"] == str(prompt)


def test_prompt_requests_in_a_ray_data_pipeline(cluster: Any) -> None:
    dataset = cluster.data.from_items(rows()).repartition(2)
    rendered = dataset.map_batches(
        PromptRequests, fn_constructor_kwargs={"prompt": str(PROMPT), "model": "test-model", "context": CONTEXT,
                                               "id_column": "id"},
        batch_size=2, concurrency=2, num_cpus=0.5)
    found = sorted(rendered.take_all(), key=lambda row: row["custom_id"])
    assert [row["request"] for row in found] == EXPECTED
    first = json.loads(EXPECTED[0])
    assert [dict(m) for m in found[0]["messages"]] == first["body"]["messages"]
    assert [row["question"] for row in found] == [row["question"] for row in rows()]


# ------------------------------------------------------------------ the class without Ray
def test_prompt_requests_takes_dicts_pandas_and_arrow_batches() -> None:
    import pandas
    import pyarrow as pa

    udf = PromptRequests(PROMPT, model="test-model", context=CONTEXT, id_column="id")
    columns = {"id": [r["id"] for r in rows()], "question": [r["question"] for r in rows()]}
    for batch in (columns, pandas.DataFrame(columns), pa.table(columns)):
        out = udf(batch)
        assert list(out["request"]) == EXPECTED
        assert list(out["custom_id"]) == columns["id"]
        assert list(out["question"]) == columns["question"]


def test_prompt_requests_for_anthropic_still_gives_chat_messages() -> None:
    udf = PromptRequests(PROMPT, model="test-model", target="anthropic", params={"max_tokens": 512}, context=CONTEXT,
                         id_column="id")
    out = udf({"id": ["q-001"], "question": ["Can I return boots I wore once?"]})
    expected = (CASE / "expected-anthropic.jsonl").read_text(encoding="utf-8").splitlines()[0]
    assert out["request"][0] == expected
    assert out["messages"][0] == pml.load(PROMPT).render({**CONTEXT, "question": "Can I return boots I wore once?"}
                                                         ).to_openai()["messages"]


def test_prompt_requests_skips_or_fails_bad_rows(tmp_path: Path) -> None:
    prompt = tmp_path / "shout.pml"
    prompt.write_text("<poml><p>{{ question.toUpperCase() }}</p></poml>", encoding="utf-8")
    batch = {"id": ["a", "b"], "question": ["fine", 5]}
    out = PromptRequests(prompt, model="m", id_column="id", on_error="skip")(batch)
    assert list(out["custom_id"]) == ["a", "b"]
    assert out["request"][1] is None and out["error"][0] is None
    assert out["error"][1].startswith(f"{prompt}:1:22: `question` has no attribute `toUpperCase`")
    with pytest.raises(BatchError, match=r"^the row with id `b`: row `b` \(index 1\) cannot become a request:"):
        PromptRequests(prompt, model="m", id_column="id")(batch)


def test_prompt_requests_needs_ids_from_the_rows() -> None:
    with pytest.raises(BatchError, match=r"^PromptRequests needs ids from the rows: give id_column= or id_template="):
        PromptRequests(PROMPT, model="m")
    with pytest.raises(BatchError, match=r"^PromptRequests cannot fill `\{index\}`"):
        PromptRequests(PROMPT, model="m", id_template="row-{index}")


def test_read_tasks_take_consecutive_spans_of_about_equal_chunks() -> None:
    from pml.batch.inputs import At, InputFile
    from pml.batch.plan import Span
    from pml.batch.raydata import tasks

    spans = [Span(InputFile(Path(f"p{n}.jsonl"), f"p{n}.jsonl", "jsonl"), At(0, 0), 4 * n, 20 * n, 4)
             for n in range(30)]  # thirty small files of four chunks each
    groups = tasks(spans, 4)
    assert [len(group) for group in groups] == [8, 8, 8, 6]
    assert [span for group in groups for span in group] == spans
    resumed = [Span(s.file, s.at, s.chunk, s.first, s.chunks, frozenset(range(s.chunk, s.chunk + 3)) if n < 20 else
                    frozenset()) for n, s in enumerate(spans)]  # one chunk left in each of the first twenty
    assert [len(group) for group in tasks(resumed, 4)] == [15, 8, 4, 3]  # 15, 17, 16 and 12 chunks to render
    assert tasks(spans[:1], 4) == [spans[:1]]
