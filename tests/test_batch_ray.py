"""`pml batch --engine ray` and the `PromptRequests` class for Ray Data, on one small local Ray
cluster (2 CPUs) shared by the tests of this module."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import pml
from pml.batch import BatchError, PromptRequests, write_requests
from pml.cli.app import app

ROOT = Path(__file__).resolve().parent.parent
CASE = ROOT / "tests" / "cases" / "batch"
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


def test_the_ray_engine_writes_the_local_engines_bytes(cluster: Any, tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    many = [{"id": f"r{i:04d}", "question": f"What about item {i}?"} for i in range(400)]
    data = tmp_path / "rows.parquet"
    pq.write_table(pa.Table.from_pylist(many), data, row_group_size=150)
    options: dict[str, Any] = {"model": "test-model", "context": CONTEXT, "id_column": "id", "chunk_rows": 60,
                               "max_requests": 150}
    local = write_requests(PROMPT, data, tmp_path / "local", workers=2, **options)
    remote = write_requests(PROMPT, data, tmp_path / "ray", engine="ray", workers=2, **options)
    assert remote == local
    assert files_of(tmp_path / "ray") == files_of(tmp_path / "local")
    assert [s.lines for s in remote.shards] == [150, 150, 100]
    assert cluster.is_initialized()  # a cluster it did not start is left running


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
    with pytest.raises(BatchError, match=r"rows\.jsonl:2: row `row-1` \(index 1\) cannot become a request:\n"):
        write_requests(prompt, data, tmp_path / "out", model="m", engine="ray", workers=2)


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
