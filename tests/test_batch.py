"""`pml batch` and `pml.batch`: request lines for each target, shards, ids, inputs, resuming, bad rows.

The golden case is tests/batch (its README says what each file is). Most runs use one
worker (in this process); the runs that compare engines and shipping use processes.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import itertools
import json
import os
import pickle
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import pml
import pml.batch
import pml.limits
from pml.batch import BatchError, iter_requests, write_requests
from pml.batch.ids import IdSet
from pml.cli.app import app
from pml.cli.batch import parse_params, parse_size
from pml.output.prompt import Prompt

ROOT = Path(__file__).resolve().parent.parent
CASE = ROOT / "tests" / "batch"
PROMPT = CASE / "support.pml"
CONTEXT = json.loads((CASE / "context.json").read_text(encoding="utf-8"))
runner = CliRunner()


def rows_of(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def run(data: Any, out: Path, **options: Any) -> pml.batch.Manifest:
    options.setdefault("model", "test-model")
    options.setdefault("context", CONTEXT)
    options.setdefault("workers", 1)
    return write_requests(options.pop("prompt", PROMPT), data, out, **options)


def files_of(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file()}


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def many(count: int) -> list[dict[str, Any]]:
    return [{"id": f"r{i:05d}", "question": f"What about item {i}?"} for i in range(count)]


def write_parquet(path: Path, rows: list[dict[str, Any]], row_group_size: int | None = None) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pylist(rows)
    pq.write_table(table, path, row_group_size=row_group_size)
    return path


# ------------------------------------------------------------------ each target's lines
@pytest.mark.parametrize("target", ["openai", "openai-responses", "anthropic"])
def test_each_target_writes_the_expected_request_lines(target: str, tmp_path: Path) -> None:
    params = {"max_tokens": 512} if target == "anthropic" else {}
    manifest = run(CASE / "rows.jsonl", tmp_path / "out", target=target, params=params, id_column="id")
    expected = (CASE / f"expected-{target}.jsonl").read_bytes()
    assert (tmp_path / "out" / "requests-00000.jsonl").read_bytes() == expected
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["manifest.json", "requests-00000.jsonl"]
    assert manifest.requests == 5 and manifest.errors == 0
    assert manifest.shards[0].sha256 == hashlib.sha256(expected).hexdigest()
    assert (manifest.shards[0].first_id, manifest.shards[0].last_id) == ("q-001", "q-005")


def test_the_lines_are_what_the_sdk_payloads_are(tmp_path: Path) -> None:
    """A body is `model`, then `to_openai()` with `extra_body` lifted in, then the params."""
    prompt = pml.load(PROMPT)
    rows = rows_of(CASE / "rows.jsonl")
    lines = (CASE / "expected-anthropic.jsonl").read_text(encoding="utf-8").splitlines()
    for row, line in zip(rows, lines, strict=True):
        payload = prompt.render({**CONTEXT, **row}).to_anthropic("test-model")
        extra = payload.pop("extra_body", {})
        assert json.loads(line) == {"custom_id": row["id"], "params": {"model": "test-model", "max_tokens": 512,
                                                                       **payload, **extra}}


def test_params_win_over_the_prompts_runtime_and_model_is_first(tmp_path: Path) -> None:
    run(CASE / "rows.jsonl", tmp_path / "out", params={"temperature": 0, "seed": 7}, id_column="id")
    first = json.loads((tmp_path / "out" / "requests-00000.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert list(first["body"]) == ["model", "messages", "temperature", "seed"]
    assert (first["body"]["temperature"], first["body"]["seed"]) == (0, 7)
    with pytest.raises(BatchError) as caught:
        run(CASE / "rows.jsonl", tmp_path / "other", params={"model": "another"})
    assert str(caught.value) == ("the model is not a parameter: give it with --model MODEL (model= in Python), not "
                                 "--param model=…")


def test_anthropic_without_max_tokens_stops_and_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(BatchError) as caught:
        run(CASE / "rows.jsonl", tmp_path / "out", target="anthropic", id_column="id")
    assert str(caught.value) == (
        f"{CASE / 'rows.jsonl'}:1: anthropic requests need `max_tokens`, and neither the prompt nor the options "
        "give it\nhint: pass --param max_tokens=N (or params={'max_tokens': N}), or write <runtime "
        "max-tokens=\"N\"> in the prompt")
    assert not (tmp_path / "out").exists()


# ------------------------------------------------------------------ shards
def test_shards_are_cut_by_count(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "rows.jsonl", many(10))
    manifest = run(data, tmp_path / "out", max_requests=3, chunk_rows=4)
    out = tmp_path / "out"
    assert [(s.file, s.lines, s.first_id, s.last_id) for s in manifest.shards] == [
        ("requests-00000.jsonl", 3, "row-0", "row-2"), ("requests-00001.jsonl", 3, "row-3", "row-5"),
        ("requests-00002.jsonl", 3, "row-6", "row-8"), ("requests-00003.jsonl", 1, "row-9", "row-9")]
    for shard in manifest.shards:
        content = (out / shard.file).read_bytes()
        assert (len(content), hashlib.sha256(content).hexdigest()) == (shard.bytes, shard.sha256)
        assert content.count(b"\n") == shard.lines
    on_disk = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert on_disk == manifest.to_json()
    assert on_disk["requests"] == 10 and on_disk["options"]["max_requests"] == 3


def test_shards_are_cut_by_bytes(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "rows.jsonl", many(10))
    sizes = [len(line) + 1 for line in _lines(run(data, tmp_path / "whole"), tmp_path / "whole")]
    limit = sizes[0] + sizes[1] + sizes[2] - 1  # two lines fit, three do not
    manifest = run(data, tmp_path / "out", max_bytes=limit)
    assert [s.lines for s in manifest.shards] == [2, 2, 2, 2, 2]
    assert all(s.bytes <= limit for s in manifest.shards)
    joined = b"".join((tmp_path / "out" / s.file).read_bytes() for s in manifest.shards)
    assert joined == (tmp_path / "whole" / "requests-00000.jsonl").read_bytes()


def _lines(manifest: pml.batch.Manifest, out: Path) -> list[bytes]:
    return b"".join((out / s.file).read_bytes() for s in manifest.shards).splitlines()


def test_shards_are_cut_at_the_providers_limits_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pml.batch.targets import TARGETS

    assert {name: (t.max_requests, t.max_bytes) for name, t in TARGETS.items()} == {
        "openai": (50_000, 200_000_000), "openai-responses": (50_000, 200_000_000),
        "anthropic": (100_000, 256_000_000)}
    monkeypatch.setitem(TARGETS, "openai", dataclasses.replace(TARGETS["openai"], max_requests=2))
    manifest = run(CASE / "rows.jsonl", tmp_path / "count")
    assert [s.lines for s in manifest.shards] == [2, 2, 1] and manifest.options["max_requests"] == 2
    size = max(len(line) + 1 for line in (CASE / "expected-openai.jsonl").read_bytes().splitlines())
    monkeypatch.setitem(TARGETS, "openai", dataclasses.replace(TARGETS["openai"], max_bytes=size))
    manifest = run(CASE / "rows.jsonl", tmp_path / "bytes", id_column="id")
    assert [s.lines for s in manifest.shards] == [1, 1, 1, 1, 1] and manifest.options["max_bytes"] == size


def test_limits_above_the_providers_are_refused(tmp_path: Path) -> None:
    with pytest.raises(BatchError, match=r"max_requests is 60,000, more than the provider takes in one batch "
                                         r"\(50,000 requests\)"):
        run(CASE / "rows.jsonl", tmp_path / "out", max_requests=60_000)
    with pytest.raises(BatchError, match=r"max_bytes is 300,000,000, more than the provider takes in one batch "
                                         r"\(256,000,000 bytes\)"):
        run(CASE / "rows.jsonl", tmp_path / "out", target="anthropic", max_bytes=300_000_000)


def test_a_request_larger_than_a_shard_is_a_bad_row(tmp_path: Path) -> None:
    rows = [{"question": "short"}, {"question": "long " * 200}, {"question": "short again"}]
    data = write_jsonl(tmp_path / "rows.jsonl", rows)
    manifest = run(data, tmp_path / "out", max_bytes=900, on_error="skip")
    assert manifest.requests == 2
    error = json.loads((tmp_path / "out" / "errors.jsonl").read_text(encoding="utf-8"))
    assert error["id"] == "row-1" and error["index"] == 1
    assert error["message"].startswith("the request is 1,") and error["message"].endswith(
        "bytes, more than a shard may hold (900 bytes)")


# ------------------------------------------------------------------ ids
def test_ids_from_a_template_with_a_format(tmp_path: Path) -> None:
    manifest = run(CASE / "rows.jsonl", tmp_path / "out", id_template="ticket-{id}-{index:03d}")
    assert [json.loads(line)["custom_id"] for line in _lines(manifest, tmp_path / "out")] == [
        "ticket-q-001-000", "ticket-q-002-001", "ticket-q-003-002", "ticket-q-004-003", "ticket-q-005-004"]


def test_duplicate_ids_are_named(tmp_path: Path) -> None:
    rows = [{"id": "a", "question": "1"}, {"id": "b", "question": "2"}, {"id": "a", "question": "3"},
            {"id": "c", "question": "4"}, {"id": "b", "question": "5"}, {"id": "a", "question": "6"}]
    data = write_jsonl(tmp_path / "rows.jsonl", rows)
    with pytest.raises(BatchError) as caught:
        run(data, tmp_path / "out", id_column="id")
    assert str(caught.value) == (
        f"ids must be unique, and some are used more than once:\n  `a`: {data}:1, {data}:3, {data}:6\n"
        f"  `b`: {data}:2, {data}:5\nhint: ids come from the column `id`; choose another with --id-column, or make "
        "them with --id TEMPLATE (for example `row-{index}`)")
    assert not (tmp_path / "out").exists()


def test_a_template_without_index_can_repeat_ids(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "rows.jsonl", [{"question": "same"}, {"question": "same"}])
    with pytest.raises(BatchError) as caught:
        run(data, tmp_path / "out", id_template="q-{question}")
    assert str(caught.value) == (
        f"ids must be unique, and some are used more than once:\n  `q-same`: {data}:1, {data}:2\n"
        "hint: ids come from the template `q-{question}`; add {index} to make them unique")


def test_ids_invalid_for_anthropic_are_named(tmp_path: Path) -> None:
    rows = [{"id": "ok_1", "question": "1"}, {"id": "has space", "question": "2"}, {"id": "x" * 65, "question": "3"}]
    data = write_jsonl(tmp_path / "rows.jsonl", rows)
    with pytest.raises(BatchError) as caught:
        run(data, tmp_path / "out", id_column="id", target="anthropic", params={"max_tokens": 10})
    rule = "Anthropic takes 1 to 64 letters, digits, `_` and `-`"
    assert str(caught.value) == (
        f"2 rows have no usable id:\n  {data}:2: `has space` is not a valid id: {rule}\n"
        f"  {data}:3: `{'x' * 65}` is not a valid id: {rule}\n"
        "hint: ids come from the column `id`; choose another with --id-column, or make them with --id TEMPLATE "
        "(for example `row-{index}`)")


def test_the_same_ids_are_fine_for_openai(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "rows.jsonl", [{"id": "has space", "question": "1"}])
    assert run(data, tmp_path / "out", id_column="id").shards[0].first_id == "has space"


@pytest.mark.parametrize(("rows", "message"), [
    ([{"question": "no id"}], "{data}:1: the row has no column `id`"),
    ([{"id": None, "question": "?"}], "{data}:1: the id column `id` holds null; ids are text or whole numbers"),
    ([{"id": 1.5, "question": "?"}], "{data}:1: the id column `id` holds a fraction (1.5); ids are text or whole "
                                     "numbers"),
    ([{"id": "", "question": "?"}], "{data}:1: an id is empty"),
])
def test_rows_without_a_usable_id(rows: list[dict[str, Any]], message: str, tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "rows.jsonl", rows)
    with pytest.raises(BatchError) as caught:
        run(data, tmp_path / "out", id_column="id")
    assert str(caught.value).splitlines()[:2] == ["1 row has no usable id:", "  " + message.format(data=data)]


def test_whole_numbers_are_ids(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "rows.jsonl", [{"id": 7, "question": "?"}])
    assert run(data, tmp_path / "out", id_column="id").shards[0].first_id == "7"


def test_a_csv_or_parquet_without_the_id_column(tmp_path: Path) -> None:
    data = tmp_path / "rows.csv"
    data.write_text("key,question\nk,?\n", encoding="utf-8")
    with pytest.raises(BatchError) as caught:
        run(data, tmp_path / "out", id_column="id")
    assert str(caught.value) == f"{data}:1: the header has no column `id`\nhint: its columns are key, question"
    parquet = write_parquet(tmp_path / "rows.parquet", [{"key": "k", "question": "?"}])
    with pytest.raises(BatchError) as caught:
        run(parquet, tmp_path / "out", id_column="id")
    assert str(caught.value) == f"{parquet}: the file has no column `id`\nhint: its columns are key, question"


@pytest.mark.parametrize(("template", "message"), [
    ("row-{", "the id template `row-{` is not valid: Single '{' encountered in format string"),
    ("row-{}", "the id template `row-{}` has a field `{}` it cannot fill"),
    ("row-{index!r}", "the id template `row-{index!r}` has a field `{index}` it cannot fill"),
])
def test_bad_templates(template: str, message: str, tmp_path: Path) -> None:
    with pytest.raises(BatchError) as caught:
        run(CASE / "rows.jsonl", tmp_path / "out", id_template=template)
    assert str(caught.value).splitlines()[0] == message


def test_the_duplicate_finder_spills_to_disk_and_finds_repeats(tmp_path: Path) -> None:
    seen = IdSet(tmp_path / "ids", buffered=1000)
    for i in range(200_000):
        seen.add(f"id-{i}")
    seen.add("id-123456")
    seen.add("id-5")
    assert list((tmp_path / "ids").iterdir())  # buckets went to disk
    from pml.batch.ids import digest

    assert seen.repeated() == {digest("id-123456"), digest("id-5")}
    assert not list((tmp_path / "ids").iterdir())


# ------------------------------------------------------------------ inputs
def test_jsonl_csv_and_parquet_give_the_same_files(tmp_path: Path) -> None:
    parquet = write_parquet(tmp_path / "rows.parquet", rows_of(CASE / "rows.jsonl"), row_group_size=2)
    outs = {}
    for name, data in [("jsonl", CASE / "rows.jsonl"), ("csv", CASE / "rows.csv"), ("parquet", parquet)]:
        run(data, tmp_path / name, id_column="id", max_requests=2, chunk_rows=2)
        outs[name] = files_of(tmp_path / name)
    shards = {name: {k: v for k, v in files.items() if k != "manifest.json"} for name, files in outs.items()}
    assert shards["jsonl"] == shards["csv"] == shards["parquet"]
    assert len(shards["jsonl"]) == 3
    assert b"".join(shards["jsonl"].values()) == (CASE / "expected-openai.jsonl").read_bytes()


def test_folders_and_globs_read_files_in_order(tmp_path: Path) -> None:
    rows = rows_of(CASE / "rows.jsonl")
    folder = tmp_path / "data"
    (folder / "b").mkdir(parents=True)
    write_jsonl(folder / "a.jsonl", rows[:2])
    write_jsonl(folder / "b" / "c.jsonl", rows[2:4])
    write_jsonl(folder / "b" / "d.jsonl", rows[4:])
    (folder / "notes.txt").write_text("not an input", encoding="utf-8")
    run(folder, tmp_path / "folder", id_column="id")
    run([str(folder / "a.jsonl"), str(folder / "b" / "*.jsonl")], tmp_path / "glob", id_column="id")
    expected = (CASE / "expected-openai.jsonl").read_bytes()
    assert (tmp_path / "folder" / "requests-00000.jsonl").read_bytes() == expected
    assert (tmp_path / "glob" / "requests-00000.jsonl").read_bytes() == expected
    manifest = json.loads((tmp_path / "folder" / "manifest.json").read_text(encoding="utf-8"))
    assert [(i["file"], i["rows"]) for i in manifest["inputs"]] == [
        (str(folder / "a.jsonl"), 2), (str(folder / "b" / "c.jsonl"), 2), (str(folder / "b" / "d.jsonl"), 1)]


def test_parquet_values_become_json_values(tmp_path: Path) -> None:
    import datetime
    import decimal

    from pml.batch.inputs import plain

    assert plain({"when": datetime.date(2024, 5, 1), "price": decimal.Decimal("2.50"), "n": decimal.Decimal("3"),
                  "tags": [("k", b"v")], "raw": b"\xff"}) == {
        "when": "2024-05-01", "price": 2.5, "n": 3, "tags": {"k": "v"}, "raw": "/w=="}


def test_a_large_parquet_file_is_read_a_block_at_a_time(tmp_path: Path) -> None:
    parquet = write_parquet(tmp_path / "rows.parquet", many(2_500))
    from pml.batch.inputs import blocks, expand

    sizes = [len(b) for b in blocks(expand([parquet]), 1000)]
    assert sizes == [1000, 1000, 500]
    manifest = run(parquet, tmp_path / "out", id_column="id", chunk_rows=1000)
    assert manifest.requests == 2_500 and manifest.shards[0].last_id == "r02499"


@pytest.mark.parametrize(("name", "content", "message"), [
    ("bad.jsonl", b'{"question": "fine"}\n{"question": oops}\n', "{data}:2:14: not valid JSON: Expecting value"),
    ("list.jsonl", b'["a", "b"]\n', "{data}:1: a row must be a JSON object, not a list"),
    ("latin.jsonl", b'{"question": "caf\xe9"}\n', "{data}:1: the line is not UTF-8 text (byte 0xe9)"),
    ("short.csv", b"id,question\na,b\nc\n", "{data}:3: this record has 1 field, the header has 2\n"
                                           "hint: quote values that hold commas or line breaks with double quotes"),
    ("quote.csv", b'id,question\na,"open\n', "{data}:2: not valid CSV: unexpected end of data"),
    ("twice.csv", b"id,id\na,b\n", "{data}:1: the header names `id` more than once"),
    ("latin.csv", b"id,question\na,caf\xe9\n", "{data}:2: the line is not UTF-8 text (byte 0xe9)\n"
                                              "hint: save the file as UTF-8"),
    ("junk.parquet", b"not parquet at all", "{data}: not a readable Parquet file: …"),
    ("notes.txt", b"hello", "{data}: not an input format PML reads\nhint: name the file .jsonl, .csv or .parquet"),
])
def test_unreadable_inputs_name_the_file_and_line(name: str, content: bytes, message: str, tmp_path: Path) -> None:
    data = tmp_path / name
    data.write_bytes(content)
    with pytest.raises(BatchError) as caught:
        run(data, tmp_path / "out")
    expected = message.format(data=data)
    if expected.endswith("…"):
        assert str(caught.value).startswith(expected[:-1])
    else:
        assert str(caught.value) == expected
    assert not (tmp_path / "out").exists()


def test_a_line_longer_than_max_string_is_refused(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "rows.jsonl", [{"question": "short"}, {"question": "x" * 200}])
    with pytest.raises(BatchError) as caught, pml.limits.using(pml.Limits(max_string=100)):
        run(data, tmp_path / "out")
    assert str(caught.value) == f"{data}:2: the line is longer than 100 bytes\nhint: raise the limit with --limit " \
                                "max_string=N"


def test_missing_inputs(tmp_path: Path) -> None:
    with pytest.raises(BatchError, match=r"nothing\.jsonl: no such file or folder$"):
        run(tmp_path / "nothing.jsonl", tmp_path / "out")
    with pytest.raises(BatchError, match=r"\*\.csv: no \.jsonl, \.csv or \.parquet file matches$"):
        run(str(tmp_path / "*.csv"), tmp_path / "out")
    (tmp_path / "empty").mkdir()
    with pytest.raises(BatchError, match=r"empty: the folder holds no \.jsonl, \.csv or \.parquet file$"):
        run(tmp_path / "empty", tmp_path / "out")
    with pytest.raises(BatchError, match=r"the input is named twice"):
        run([CASE / "rows.jsonl", CASE / "rows.jsonl"], tmp_path / "out")


def test_an_empty_input_makes_no_shard(tmp_path: Path) -> None:
    data = tmp_path / "rows.jsonl"
    data.write_text("\n\n", encoding="utf-8")
    manifest = run(data, tmp_path / "out")
    assert (manifest.requests, manifest.shards) == (0, ())
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["manifest.json"]


def test_the_row_wins_over_the_base_context(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "rows.jsonl", [{"question": "?", "company": "Row Co"}])
    manifest = run(data, tmp_path / "out")
    assert "support agent for Row Co." in _lines(manifest, tmp_path / "out")[0].decode()


# ------------------------------------------------------------------ bad rows
BAD_PROMPT = "<poml><p>Answer: {{ question.toUpperCase() }}</p></poml>"


def bad_rows(tmp_path: Path) -> tuple[Path, Path]:
    prompt = tmp_path / "shout.pml"
    prompt.write_text(BAD_PROMPT, encoding="utf-8")
    rows = [{"id": "a", "question": "fine"}, {"id": "b", "question": 42}, {"id": "c", "question": "also fine"},
            {"id": "d", "question": None}]
    return prompt, write_jsonl(tmp_path / "rows.jsonl", rows)


def test_a_bad_row_stops_the_run_by_default(tmp_path: Path) -> None:
    prompt, data = bad_rows(tmp_path)
    with pytest.raises(BatchError) as caught:
        run(data, tmp_path / "out", prompt=prompt, id_column="id", context={})
    assert str(caught.value) == (
        f"{data}:2: row `b` (index 1) cannot become a request:\n"
        f"{prompt}:1:30: `question` has no attribute `toUpperCase`\n"
        "  <poml><p>Answer: {{ question.toUpperCase() }}</p></poml>\n"
        "                               ^^^^^^^^^^^")


def test_bad_rows_are_skipped_and_listed(tmp_path: Path) -> None:
    prompt, data = bad_rows(tmp_path)
    manifest = run(data, tmp_path / "out", prompt=prompt, id_column="id", context={}, on_error="skip")
    assert (manifest.requests, manifest.errors) == (2, 2)
    assert [json.loads(line)["custom_id"] for line in _lines(manifest, tmp_path / "out")] == ["a", "c"]
    errors = [json.loads(line) for line in (tmp_path / "out" / "errors.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(e["id"], e["index"], e["input"]) for e in errors] == [("b", 1, f"{data}:2"), ("d", 3, f"{data}:4")]
    assert errors[0]["message"].splitlines()[0] == f"{prompt}:1:30: `question` has no attribute `toUpperCase`"
    assert errors[0]["diagnostics"][0]["line"] == 1 and errors[0]["diagnostics"][0]["column"] == 30
    assert errors[0]["diagnostics"][0]["file"] == str(prompt)


def test_without_bad_rows_skip_writes_an_empty_error_list(tmp_path: Path) -> None:
    manifest = run(CASE / "rows.jsonl", tmp_path / "out", on_error="skip")
    assert manifest.errors == 0 and (tmp_path / "out" / "errors.jsonl").read_bytes() == b""


def test_a_bad_row_in_a_worker_process_stops_the_run_with_the_same_error(tmp_path: Path) -> None:
    """The error a worker process finds reaches the caller as it was: its class, text and row."""
    prompt, data = bad_rows(tmp_path)
    caught = []
    for workers in (1, 2):
        with pytest.raises(pml.batch.RowFailed) as failed:
            run(data, tmp_path / f"out{workers}", prompt=prompt, id_column="id", context={}, workers=workers)
        caught.append(failed.value)
    here, there = caught
    assert str(here) == str(there) and here.row == there.row
    assert isinstance(there, BatchError) and isinstance(there, pml.PMLError)
    assert (there.row.id, there.row.index, there.row.where) == ("b", 1, f"{data}:2")
    assert there.row.diagnostics[0]["file"] == str(prompt)
    assert (there.row.diagnostics[0]["line"], there.row.diagnostics[0]["column"]) == (1, 30)
    copy = pickle.loads(pickle.dumps(there))
    assert (type(copy), str(copy), copy.row) == (pml.batch.RowFailed, str(there), there.row)


def test_what_a_batch_raises_is_a_pml_error(tmp_path: Path) -> None:
    from pml.batch.errors import IdProblem, InputProblem, RequestError

    assert all(issubclass(kind, BatchError) for kind in (IdProblem, InputProblem, pml.batch.RowFailed))
    assert issubclass(RequestError, pml.PMLError) and not issubclass(RequestError, BatchError)
    data = tmp_path / "bad.jsonl"
    data.write_bytes(b'{"question": "fine"}\n[1]\n')
    for workers in (1, 2):
        with pytest.raises(InputProblem) as caught:
            run(data, tmp_path / "out", workers=workers)
        assert str(caught.value) == f"{data}:2: a row must be a JSON object, not a list"
    with pytest.raises(IdProblem) as missing:
        list(iter_requests(PROMPT, [{"question": "?"}], model="m", context=CONTEXT, id_column="id"))
    assert str(missing.value) == "row 0: the row has no column `id`"
    ids = tmp_path / "ids.jsonl"
    ids.write_bytes(b'{"id": "lone \\ud800", "question": "?"}\n')  # JSON may escape a lone surrogate
    with pytest.raises(BatchError) as caught:
        run(ids, tmp_path / "out", id_column="id")
    assert str(caught.value).splitlines()[1] == (
        f"  {tmp_path / 'ids.jsonl'}:1: `lone \ufffd` is not valid Unicode text (it holds a lone surrogate)")


def test_a_request_that_cannot_be_written_is_a_bad_row_with_a_diagnostic(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "rows.jsonl", [{"question": "short"}, {"question": "long " * 200}])
    message = "the request is 1,603 bytes, more than a shard may hold (900 bytes)"
    with pytest.raises(pml.batch.RowFailed) as caught:
        run(data, tmp_path / "out", max_bytes=900)
    assert str(caught.value) == f"{data}:2: row `row-1` (index 1) cannot become a request:\n{message}"
    run(data, tmp_path / "out", max_bytes=900, on_error="skip")
    assert json.loads((tmp_path / "out" / "errors.jsonl").read_text(encoding="utf-8")) == {
        "id": "row-1", "index": 1, "input": f"{data}:2", "message": message,
        "diagnostics": [{"severity": "error", "message": message, "code": "batch", "hint": None}]}


# ------------------------------------------------------------------ resuming
def test_an_interrupted_run_resumes_to_the_clean_runs_bytes(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "rows.jsonl", many(50))
    clean = run(data, tmp_path / "clean", max_requests=7, chunk_rows=5)
    seen: list[int] = []

    def stop_after_three_chunks(state: pml.batch.Progress) -> None:
        seen.append(state.rows)
        if state.rows >= 15:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run(data, tmp_path / "out", max_requests=7, chunk_rows=5, progress=stop_after_three_chunks)
    assert len(list((tmp_path / "out" / ".pml-batch" / "chunks").glob("*.json"))) == 3
    resumed_from: list[int] = []
    manifest = run(data, tmp_path / "out", max_requests=7, chunk_rows=5, resume=True,
                   progress=lambda state: resumed_from.append(state.rows))
    assert resumed_from[0] == 15 and resumed_from[-1] == 50
    assert files_of(tmp_path / "out") == files_of(tmp_path / "clean")
    assert manifest == clean
    assert not (tmp_path / "out" / ".pml-batch").exists()


def test_a_killed_cli_run_resumes_to_the_clean_runs_bytes(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "rows.jsonl", many(20_000))
    argv = [sys.executable, "-m", "pml", "batch", str(PROMPT), str(data), "--model", "test-model", "--context",
            str(CASE / "context.json"), "--id-column", "id", "--chunk-rows", "100", "--max-requests", "3000",
            "--workers", "1"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([*argv, "-o", str(tmp_path / "clean")], env=env, capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
    out = tmp_path / "out"
    process = subprocess.Popen([*argv, "-o", str(out)], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    chunks = out / ".pml-batch" / "chunks"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(chunks.glob("*.json")) if chunks.is_dir() else []) < 20:
        time.sleep(0.01)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    finished = len(list(chunks.glob("*.json")))
    assert 20 <= finished < 200 and not (out / "manifest.json").exists()
    again = subprocess.run([*argv, "-o", str(out)], env=env, capture_output=True, text=True, check=False)
    assert again.returncode == 1
    assert "the folder already holds a batch (.pml-batch)\nhint: pass --resume to continue it" in again.stderr
    resumed = subprocess.run([*argv, "-o", str(out), "--resume"], env=env, capture_output=True, text=True,
                             check=False)
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stdout == "20,000 requests in 7 files in " + str(out) + "\n"
    assert files_of(out) == files_of(tmp_path / "clean")


def test_resuming_another_run_is_refused(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "rows.jsonl", many(20))

    def stop(state: pml.batch.Progress) -> None:
        if state.rows >= 5:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run(data, tmp_path / "out", chunk_rows=5, progress=stop)
    with pytest.raises(BatchError) as caught:
        run(data, tmp_path / "out", chunk_rows=5, resume=True, max_requests=10, params={"seed": 1})
    assert str(caught.value) == (
        f"{tmp_path / 'out'}: cannot resume: this is not the run that was started there\n"
        "  the option max_requests was 50000, now 10\n"
        "  the option params was {}, now {\"seed\": 1}\n"
        "hint: run with the same prompt, inputs and options, or write to another folder")
    write_jsonl(data, many(21))
    with pytest.raises(BatchError, match=f"  the input {data} changed\n"):
        run(data, tmp_path / "out", chunk_rows=5, resume=True)


def test_resuming_after_the_prompt_or_a_file_it_includes_changed_is_refused(tmp_path: Path) -> None:
    (tmp_path / "part.pml").write_text("<p>{{ question }}</p>", encoding="utf-8")
    prompt = tmp_path / "main.pml"
    prompt.write_text('<poml><include src="part.pml"/></poml>', encoding="utf-8")
    data = write_jsonl(tmp_path / "rows.jsonl", many(20))

    def stop(state: pml.batch.Progress) -> None:
        if state.rows >= 5:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run(data, tmp_path / "out", prompt=prompt, chunk_rows=5, progress=stop)
    (tmp_path / "part.pml").write_text("<p>Q: {{ question }}</p>", encoding="utf-8")
    with pytest.raises(BatchError) as caught:
        run(data, tmp_path / "out", prompt=prompt, chunk_rows=5, resume=True)
    assert str(caught.value) == (
        f"{tmp_path / 'out'}: cannot resume: this is not the run that was started there\n"
        f"  the prompt {prompt} (or a file it includes) changed\n"
        "hint: run with the same prompt, inputs and options, or write to another folder")
    (tmp_path / "part.pml").write_text("<p>{{ question }}</p>", encoding="utf-8")
    manifest = run(data, tmp_path / "out", prompt=prompt, chunk_rows=5, resume=True)
    assert manifest.requests == 20


def test_the_manifest_says_what_ran_on_what(tmp_path: Path) -> None:
    run(CASE / "rows.jsonl", tmp_path / "out", id_column="id")
    data, prompt = (CASE / "rows.jsonl").read_bytes(), PROMPT.read_bytes()
    expected = (CASE / "expected-openai.jsonl").read_bytes()
    context = json.dumps(CONTEXT, sort_keys=True, ensure_ascii=False).encode("utf-8")

    def sha256(content: bytes) -> str:
        return hashlib.sha256(content).hexdigest()

    assert json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8")) == {
        "pml_version": pml.__version__,
        "prompt": {"file": str(PROMPT), "sha256": sha256(len(prompt).to_bytes(8, "little") + prompt)},
        "inputs": [{"file": str(CASE / "rows.jsonl"), "format": "jsonl", "bytes": len(data), "sha256": sha256(data),
                    "rows": 5}],
        "options": {"target": "openai", "model": "test-model", "params": {},
                    "context_sha256": sha256(context), "id": {"column": "id"}, "max_requests": 50_000,
                    "max_bytes": 200_000_000, "on_error": "fail", "chunk_rows": 1000, "strict": False, "limits": {}},
        "requests": 5,
        "errors": 0,
        "shards": [{"file": "requests-00000.jsonl", "lines": 5, "bytes": len(expected), "sha256": sha256(expected),
                    "first_id": "q-001", "last_id": "q-005"}],
    }


def test_a_finished_run_is_not_overwritten_and_resuming_it_does_nothing(tmp_path: Path) -> None:
    first = run(CASE / "rows.jsonl", tmp_path / "out", id_column="id")
    before = files_of(tmp_path / "out")
    with pytest.raises(BatchError, match="the folder already holds a finished batch"):
        run(CASE / "rows.jsonl", tmp_path / "out", id_column="id")
    assert run(CASE / "rows.jsonl", tmp_path / "out", id_column="id", resume=True) == first
    assert files_of(tmp_path / "out") == before


# ------------------------------------------------------------------ workers and shipping
class ReloadingPrompt(Prompt):
    """A prompt that pickles as the instruction to compile its file again."""

    def __reduce__(self) -> tuple[Any, ...]:
        return (pml.load, (str(PROMPT),))


def test_two_workers_and_both_ways_of_shipping_the_prompt_give_the_same_bytes(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "rows.jsonl", many(300))
    run(data, tmp_path / "one", id_column="id", chunk_rows=40, max_requests=100)
    run(data, tmp_path / "two", id_column="id", chunk_rows=40, max_requests=100, workers=2)
    compiled = pml.load(PROMPT)
    picklable = ReloadingPrompt.__new__(ReloadingPrompt)
    picklable.__dict__.update(compiled.__dict__)
    assert pickle.loads(pickle.dumps(picklable)).render({**CONTEXT, "question": "?"}) == \
        compiled.render({**CONTEXT, "question": "?"})
    run(data, tmp_path / "pickled", id_column="id", chunk_rows=40, max_requests=100, workers=2, prompt=picklable)
    shards = [{k: v for k, v in files_of(tmp_path / name).items() if k != "manifest.json"}
              for name in ("one", "two", "pickled")]
    assert shards[0] == shards[1] == shards[2] and len(shards[0]) == 3
    assert files_of(tmp_path / "one") == files_of(tmp_path / "two")


class StayingPrompt(Prompt):
    """A prompt that cannot be pickled."""

    def __reduce__(self) -> tuple[Any, ...]:
        raise TypeError("cannot pickle this prompt")


def test_a_compiled_prompt_that_cannot_travel_needs_its_path(tmp_path: Path) -> None:
    compiled = pml.loads("<poml><p>{{ question }}</p></poml>")
    prompt = StayingPrompt.__new__(StayingPrompt)
    prompt.__dict__.update(compiled.__dict__)
    with pytest.raises(BatchError) as caught:
        run(CASE / "rows.jsonl", tmp_path / "out", prompt=prompt, workers=2)
    assert str(caught.value) == ("this compiled prompt cannot be sent to worker processes\n"
                                 "hint: pass the prompt's path instead of a compiled prompt, or use workers=1")
    manifest = run(CASE / "rows.jsonl", tmp_path / "here", prompt=prompt, workers=1)
    assert manifest.requests == 5 and manifest.prompt["file"] == "<string>"


# ------------------------------------------------------------------ spans: chunks read by other processes
def _plan(files: list[Path], chunk_rows: int, keep: int, done: frozenset[int] = frozenset()) -> Any:
    from pml.batch.inputs import blocks, expand
    from pml.batch.plan import Marks, Plan

    inputs = expand(files)
    marks = Marks(inputs, keep)
    rows = {f.shown: 0 for f in inputs}
    for chunk, block in enumerate(blocks(inputs, chunk_rows, need=["id"], only=["id"])):
        marks.note(chunk, block)
        rows[block.file] += len(block)
    return Plan(tuple(inputs), tuple(rows[f.shown] for f in inputs), chunk_rows, done, marks.marks())


def _read(chunks: Any) -> list[tuple[int, str, int, list[int], list[dict[str, Any]]]]:
    from pml.batch.inputs import decode

    return [(index, block.file, block.first, list(block.places), decode(block)) for index, block in chunks]


def test_spans_read_the_chunks_this_process_reads(tmp_path: Path) -> None:
    """JSONL with blank lines, CSV with records over several lines, Parquet with row groups that
    do not fall on chunk boundaries: each span, read from where it starts, gives the same blocks."""
    rows = [{"id": f"r{i:03d}", "question": f'line one, "{i}"\nline two' if i % 3 == 0 else f"q{i}"}
            for i in range(50)]
    jsonl = tmp_path / "a.jsonl"
    jsonl.write_text("".join(json.dumps(r) + "\n" + ("\n" if i % 4 == 0 else "") for i, r in enumerate(rows)),
                     encoding="utf-8")
    table = tmp_path / "b.csv"
    with table.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "question"])
        writer.writerows([r["id"], r["question"]] for r in rows)
    parquet = write_parquet(tmp_path / "c.parquet", rows, row_group_size=15)
    plan = _plan([jsonl, table, parquet], 5, 3)
    assert plan.rows == (50, 50, 50) and plan.counts == (10, 10, 10) and plan.chunks == 30
    # every file's first chunk, then at most 3 more, spread over the 19 other places that reading can
    # start at (JSONL and CSV: every chunk; Parquet: only a chunk that starts a row group, row 75, chunk
    # 25): the 8th and the 16th
    assert [(s.chunk, s.chunks) for s in plan.spans()] == [(0, 8), (8, 2), (10, 7), (17, 3), (20, 10)]
    spans = [chunk for span in plan.spans() for chunk in span.blocks(5)]
    assert _read(spans) == _read(plan.blocks())
    # the CSV's first ten records, from line 2 (every third takes two lines)
    assert [place for *_, places, _ in _read(plan.blocks())[10:12] for place in places] == [2, 4, 5, 6, 8, 9, 10, 12,
                                                                                              13, 14]

    resumed = _plan([jsonl, table, parquet], 5, 3, frozenset({0, 2, 3, 4, 7, 8, 9, 20, 21, 22, 23, 24}))
    assert [(s.chunk, s.chunks, sorted(s.done)) for s in resumed.spans()] == [
        (0, 8, [0, 2, 3, 4, 7]), (10, 7, []), (17, 3, []), (20, 10, [20, 21, 22, 23, 24])]  # (8, 2) is done
    assert _read(chunk for span in resumed.spans() for chunk in span.blocks(5)) == _read(resumed.blocks())
    assert resumed.pending == 18

    # fewer, longer spans: neighbours in a file are joined until each holds pending / most chunks
    assert [(s.chunk, s.chunks) for s in plan.spans(most=2)] == [(0, 10), (10, 10), (20, 10)]
    assert [(s.chunk, s.chunks, len(s.done)) for s in resumed.spans(most=2)] == [(0, 8, 5), (10, 10, 0), (20, 10, 5)]
    for joined in (plan, resumed):
        assert _read(chunk for span in joined.spans(most=2) for chunk in span.blocks(5)) == _read(joined.blocks())


def test_the_marks_stay_few_however_many_chunks(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "rows.jsonl", many(2_000))
    plan = _plan([data], 1, 16)
    assert len(plan.marks) <= 17 and plan.chunks == 2_000
    spans = plan.spans()
    assert spans[0].chunk == 0 and sum(s.chunks for s in spans) == 2_000
    assert all(a.chunk + a.chunks == b.chunk for a, b in itertools.pairwise(spans))
    assert max(s.chunks for s in spans) == min(s.chunks for s in spans[:-1]) == 128


def test_the_ray_engine_needs_ray_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(BatchError) as caught:
        run(CASE / "rows.jsonl", tmp_path / "out", engine="ray")
    assert str(caught.value) == "the ray engine needs Ray Data\nhint: pip install 'pml[ray]'"
    assert not (tmp_path / "out").exists()


def test_a_ray_cluster_that_does_not_answer_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    pytest.importorskip("ray")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    for address in (f"127.0.0.1:{port}", f"ray://127.0.0.1:{port}"):
        monkeypatch.setenv("RAY_ADDRESS", address)
        with pytest.raises(BatchError) as caught:
            run(CASE / "rows.jsonl", tmp_path / "out", engine="ray")
        assert str(caught.value) == (
            f"cannot reach the Ray cluster at {address}: connection refused\n"
            "hint: check RAY_ADDRESS (HOST:PORT of the head node, or ray://HOST:10001), or unset it to start a local "
            "cluster")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("cpus", "workers", "share"), [(2, 2, 0.5), (2, 1, 1.0), (1, 1, 0.5), (64, 64, 0.98),
                                                        (2, 8, 0.12), (4, 2, 1.0)])
def test_ray_actors_leave_a_cpu_for_reading(cpus: float, workers: int, share: float) -> None:
    from pml.batch.engines import actor_share

    assert actor_share(cpus, workers) == share


# ------------------------------------------------------------------ iter_requests
def test_iter_requests_gives_the_lines_in_order(tmp_path: Path) -> None:
    requests = list(iter_requests(PROMPT, rows_of(CASE / "rows.jsonl"), model="test-model", context=CONTEXT,
                                  id_column="id"))
    expected = [json.loads(line) for line in (CASE / "expected-openai.jsonl").read_text(encoding="utf-8").splitlines()]
    assert requests == expected


def test_iter_requests_fails_or_skips_bad_rows(tmp_path: Path) -> None:
    prompt, data = bad_rows(tmp_path)
    rows = rows_of(data)
    skipped: list[pml.batch.RowError] = []
    got = list(iter_requests(prompt, rows, model="m", id_column="id", on_error="skip", skipped=skipped.append))
    assert [r["custom_id"] for r in got] == ["a", "c"]
    assert [(e.id, e.index) for e in skipped] == [("b", 1), ("d", 3)]
    with pytest.raises(BatchError, match=r"^row 1: row `b` \(index 1\) cannot become a request:\n"):
        list(iter_requests(prompt, rows, model="m", id_column="id"))
    with pytest.raises(BatchError, match=r"^row 0: anthropic requests need `max_tokens`, and neither the prompt "):
        list(iter_requests(PROMPT, rows_of(CASE / "rows.jsonl"), model="m", target="anthropic", context=CONTEXT))
    with pytest.raises(BatchError, match=r"^row 2: the id `a` is used twice"):
        list(iter_requests(prompt, [{"id": "a", "question": "x"}, {"id": "b", "question": "y"},
                                    {"id": "a", "question": "z"}], model="m", id_column="id"))


# ------------------------------------------------------------------ the command
def test_the_command_writes_the_batch(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["batch", str(PROMPT), str(CASE / "rows.csv"), "-o", str(out), "--target",
                                 "anthropic", "--model", "test-model", "--context", str(CASE / "context.json"),
                                 "--id-column", "id", "--param", "max_tokens=512", "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert result.output == f"5 requests in 1 file in {out}\n"
    assert (out / "requests-00000.jsonl").read_bytes() == (CASE / "expected-anthropic.jsonl").read_bytes()


def test_the_command_reports_a_bad_row_and_exits_1(tmp_path: Path) -> None:
    prompt, data = bad_rows(tmp_path)
    result = runner.invoke(app, ["batch", str(prompt), str(data), "-o", str(tmp_path / "out"), "--model", "m",
                                 "--id-column", "id"])
    assert result.exit_code == 1
    assert result.output.startswith(f"{data}:2: row `b` (index 1) cannot become a request:\n{prompt}:1:30: ")
    result = runner.invoke(app, ["batch", str(prompt), str(data), "-o", str(tmp_path / "out"), "--model", "m",
                                 "--id-column", "id", "--on-error", "skip", "--var", "unused=1"])
    assert result.exit_code == 0
    assert result.output == (f"2 requests in 1 file in {tmp_path / 'out'}\n"
                             f"2 rows left out (listed in {tmp_path / 'out' / 'errors.jsonl'})\n")


def test_the_command_needs_a_model_and_checks_its_options(tmp_path: Path) -> None:
    base = ["batch", str(PROMPT), str(CASE / "rows.jsonl"), "-o", str(tmp_path / "out")]
    result = runner.invoke(app, base)
    assert result.exit_code == 2 and "Missing option '--model'" in result.output
    result = runner.invoke(app, [*base, "--model", "m", "--max-bytes", "lots"])
    message = " ".join(result.output.replace("│", " ").split())
    assert result.exit_code == 2 and "expected a size such as 100MB, 512KiB or 1000000, not `lots`" in message
    result = runner.invoke(app, [*base, "--model", "m", "--target", "gemini"])
    assert result.exit_code == 2
    result = runner.invoke(app, ["batch", str(tmp_path / "missing.pml"), str(CASE / "rows.jsonl"), "-o",
                                 str(tmp_path / "out"), "--model", "m"])
    assert (result.exit_code, result.output) == (1, f"{tmp_path / 'missing.pml'}: no such file\n")


def test_no_progress_when_stdout_is_not_a_terminal(tmp_path: Path) -> None:
    argv = [sys.executable, "-m", "pml", "batch", str(PROMPT), str(CASE / "rows.jsonl"), "-o", str(tmp_path / "out"),
            "--model", "m", "--context", str(CASE / "context.json"), "--progress"]
    done = subprocess.run(argv, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
                          check=False)
    assert (done.returncode, done.stderr, done.stdout) == (0, "", f"5 requests in 1 file in {tmp_path / 'out'}\n")


def _on_a_terminal(argv: list[str]) -> tuple[int, str]:
    """Run a command with its stdout and stderr on a pseudo-terminal; its status and what it showed."""
    import pty

    leader, follower = pty.openpty()
    process = subprocess.Popen(argv, stdout=follower, stderr=follower, stdin=subprocess.DEVNULL,
                               env={**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "120", "TERM": "xterm"})
    os.close(follower)
    shown = b""
    while True:
        try:
            piece = os.read(leader, 65536)
        except OSError:  # the command closed the terminal
            break
        if not piece:
            break
        shown += piece
    os.close(leader)
    return process.wait(), shown.decode("utf-8", "replace")


def test_progress_on_a_terminal_unless_no_progress(tmp_path: Path) -> None:
    argv = [sys.executable, "-m", "pml", "batch", str(PROMPT), str(CASE / "rows.jsonl"), "--model", "m",
            "--context", str(CASE / "context.json"), "--workers", "1"]
    status, shown = _on_a_terminal([*argv, "-o", str(tmp_path / "bar")])
    assert status == 0 and "rendering" in shown and "0/5 rows" in shown and "5/5 rows" in shown
    assert shown.endswith(f"5 requests in 1 file in {tmp_path / 'bar'}\r\n")
    status, shown = _on_a_terminal([*argv, "-o", str(tmp_path / "quiet"), "--no-progress"])
    assert (status, shown) == (0, f"5 requests in 1 file in {tmp_path / 'quiet'}\r\n")


def test_progress_is_drawn_on_a_terminal(tmp_path: Path) -> None:
    from pml.cli.batch import _Display

    display = _Display(True)
    with display:
        display.update(pml.batch.Progress(0, 10, 0))
        display.update(pml.batch.Progress(10, 10, 2))
        task = display.bar.tasks[0]
        assert (task.completed, task.total, task.fields["errors"]) == (10, 10, "2 left out")


@pytest.mark.parametrize(("text", "size"), [("100MB", 100_000_000), ("1.5GB", 1_500_000_000), ("512KiB", 524_288),
                                            ("1000", 1000), ("2 mib", 2_097_152)])
def test_sizes(text: str, size: int) -> None:
    assert parse_size(text) == size


def test_params_are_json_when_they_parse() -> None:
    assert parse_params(["temperature=0.2", "stop=[\"END\"]", "user=ada", "flag=true"]) == {
        "temperature": 0.2, "stop": ["END"], "user": "ada", "flag": True}


def test_csv_rows_hold_text(tmp_path: Path) -> None:
    data = tmp_path / "rows.csv"
    with data.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["question", "n"])
        writer.writerow(["multi\nline", "5"])
    requests = list(iter_requests(pml.loads("<poml><p>{{ question }} {{ n + 1 }}</p></poml>"),
                                  [{"question": "multi\nline", "n": "5"}], model="test-model"))
    manifest = run(data, tmp_path / "out", prompt=_write(tmp_path / "p.pml", "<poml><p>{{ question }} {{ n + 1 }}</p>"
                                                                             "</poml>"))
    assert json.loads(_lines(manifest, tmp_path / "out")[0]) == requests[0]
    assert requests[0]["body"]["messages"][0]["content"] == "multi\nline 51"


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_limits_reach_the_worker_processes(tmp_path: Path) -> None:
    result = runner.invoke(app, ["batch", str(PROMPT), str(CASE / "rows.jsonl"), "-o", str(tmp_path / "out"),
                                 "--model", "m", "--context", str(CASE / "context.json"), "--workers", "2",
                                 "--on-error", "skip", "--limit", "max_output=300"])
    assert result.exit_code == 0, result.output
    errors = (tmp_path / "out" / "errors.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(errors) == 5
    assert "the output is longer than 300 characters" in json.loads(errors[0])["message"]


def test_help_reads_cleanly() -> None:
    result = runner.invoke(app, ["batch", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    for noise in ("<bool>", "<list[", "<path>", "<int", "<str>", "<text>"):
        assert noise not in result.stdout
    for option in ("--target", "--model", "--param", "KEY=VALUE", "--id-column", "--id ", "--max-requests",
                   "--max-bytes", "--workers", "--engine", "--resume", "--on-error", "--no-progress", "--limit"):
        assert option in result.stdout
    assert "pml batch [OPTIONS] PROMPT DATA..." in result.stdout
