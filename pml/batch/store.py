"""What a batch leaves in its folder, and the work in progress that makes a run resumable.

    OUTDIR/requests-00000.jsonl …   the requests, in input order, cut at the shard limits
    OUTDIR/errors.jsonl             the rows left out (with on_error="skip")
    OUTDIR/manifest.json            what was run on what, and each shard's size and checksum
    OUTDIR/.pml-batch/              while the run is not finished: state.json (what the run is)
                                    and chunks/NNNNNNNN.jsonl + .json (each rendered block)

Each block's result is written atomically (a temporary file renamed into place; the `.json`
beside the lines is written last and marks the chunk done), so a run that is killed loses at
most the blocks in flight. When every chunk is done the shards are assembled from the chunks
in order, then `manifest.json` is written and the work folder removed. The shards depend only
on the chunks' content, never on which run or engine rendered them: a resumed run writes the
same bytes as a clean one.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, BinaryIO

from pml.batch.errors import BatchError
from pml.batch.work import ChunkResult

WORK = ".pml-batch"
MANIFEST = "manifest.json"
ERRORS = "errors.jsonl"
STATE = "state.json"


def shard_name(number: int) -> str:
    return f"requests-{number:05d}.jsonl"


@dataclass(frozen=True, slots=True)
class Shard:
    """One requests file: its name, lines, bytes, SHA-256, and the ids of its first and last line."""

    file: str
    lines: int
    bytes: int
    sha256: str
    first_id: str
    last_id: str


@dataclass(frozen=True, slots=True)
class Manifest:
    """`manifest.json`: the PML version, the prompt's hash, the inputs' fingerprints, the
    options, the number of requests and of rows left out, and the shards."""

    pml_version: str
    prompt: Mapping[str, Any]
    inputs: tuple[Mapping[str, Any], ...]
    options: Mapping[str, Any]
    requests: int
    errors: int
    shards: tuple[Shard, ...]

    def to_json(self) -> dict[str, Any]:
        return {"pml_version": self.pml_version, "prompt": dict(self.prompt), "inputs": [dict(i) for i in self.inputs],
                "options": dict(self.options), "requests": self.requests, "errors": self.errors,
                "shards": [asdict(s) for s in self.shards]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Manifest:
        return cls(data["pml_version"], data["prompt"], tuple(data["inputs"]), data["options"], data["requests"],
                   data["errors"], tuple(Shard(**s) for s in data["shards"]))

    def run(self) -> dict[str, Any]:
        """What identifies the run (everything but the results)."""
        return {"pml_version": self.pml_version, "prompt": dict(self.prompt),
                "inputs": [dict(i) for i in self.inputs], "options": dict(self.options)}


def differences(before: Mapping[str, Any], now: Mapping[str, Any]) -> list[str]:
    """How the run described by `now` differs from `before` (both as `Manifest.run()` gives)."""
    found = []
    if before.get("pml_version") != now.get("pml_version"):
        found.append(f"PML was {before.get('pml_version')}, it is now {now.get('pml_version')}")
    if before.get("prompt", {}).get("sha256") != now.get("prompt", {}).get("sha256"):
        found.append(f"the prompt {now.get('prompt', {}).get('file')} (or a file it includes) changed")
    old_inputs, new_inputs = list(before.get("inputs", [])), list(now.get("inputs", []))
    if [_content(i) for i in old_inputs] != [_content(i) for i in new_inputs]:
        if len(old_inputs) != len(new_inputs):
            found.append(f"the run had {len(old_inputs)} input file(s), now {len(new_inputs)}")
        else:
            found.extend(f"the input {new['file']} changed" for old, new in zip(old_inputs, new_inputs, strict=True)
                         if _content(old) != _content(new))
    old_options, new_options = before.get("options", {}), now.get("options", {})
    for key in sorted(set(old_options) | set(new_options)):
        if old_options.get(key) != new_options.get(key):
            found.append(f"the option {key} was {json.dumps(old_options.get(key))}, "
                         f"now {json.dumps(new_options.get(key))}")
    return found


def _content(entry: Mapping[str, Any]) -> tuple[Any, ...]:
    return (entry.get("format"), entry.get("bytes"), entry.get("sha256"))


def write_atomic(path: Path, data: bytes) -> None:
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "wb") as file:
        file.write(data)
    os.replace(temporary, path)


def _json(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


@dataclass(frozen=True, slots=True)
class Done:
    """A finished chunk as the work folder holds it."""

    rows: int
    requests: int
    errors: int


class WorkDir:
    """The output folder and its work in progress (module docstring)."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.root = out / WORK
        self.chunks = self.root / "chunks"

    def finished(self) -> Manifest | None:
        """The manifest of a finished run in the folder, if there is one."""
        path = self.out / MANIFEST
        if not path.is_file():
            return None
        try:
            return Manifest.from_json(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError):
            raise BatchError(f"{path}: not a manifest PML wrote",
                             "write the batch to another folder, or delete this one") from None

    def begin(self, run: Mapping[str, Any], resume: bool) -> dict[int, Done]:
        """Prepare the folder for `run`; with `resume`, the chunks a run of the same work finished."""
        if resume and (self.root / STATE).is_file():
            try:
                before = json.loads((self.root / STATE).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                raise BatchError(f"{self.root / STATE}: the state of the unfinished run cannot be read",
                                 f"delete {self.out} and start again") from None
            changed = differences(before, run)
            if changed:
                raise BatchError(f"{self.out}: cannot resume: this is not the run that was started there",
                                 "run with the same prompt, inputs and options, or write to another folder",
                                 more=changed)
            return self._done()
        leftovers = self._leftovers()
        if leftovers:
            hint = ("pass --resume to continue it" if (self.root / STATE).is_file() and not resume
                    else "write the batch to another folder, or delete these files")
            raise BatchError(f"{self.out}: the folder already holds a batch ({', '.join(leftovers)})", hint)
        try:
            self.chunks.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise BatchError(f"{self.out}: cannot create the output folder: {exc.strerror or exc}") from None
        write_atomic(self.root / STATE, _json(dict(run)))
        return {}

    def _leftovers(self) -> list[str]:
        if not self.out.is_dir():
            return []
        names = sorted(p.name for p in self.out.iterdir()
                       if p.name in (MANIFEST, ERRORS, WORK) or (p.name.startswith("requests-") and
                                                               p.name.endswith(".jsonl")))
        return names[:3] + ([f"{len(names) - 3} more"] if len(names) > 3 else [])

    def _done(self) -> dict[int, Done]:
        done: dict[int, Done] = {}
        self.chunks.mkdir(parents=True, exist_ok=True)
        for path in self.chunks.iterdir():
            if path.suffix == ".tmp":
                path.unlink()
        for path in sorted(self.chunks.glob("*.json")):
            try:
                meta = json.loads(path.read_text(encoding="utf-8"))
                lines = path.with_suffix(".jsonl")
                if lines.stat().st_size != meta["bytes"]:
                    continue
                done[int(path.stem)] = Done(meta["rows"], len(meta["ids"]), len(meta["errors"]))
            except (OSError, ValueError, KeyError):
                continue  # a damaged chunk is rendered again
        return done

    def save(self, result: ChunkResult) -> None:
        """Keep one chunk's result (its lines first, then the record that marks it done)."""
        stem = self.chunks / f"{result.index:08d}"
        write_atomic(stem.with_suffix(".jsonl"), result.data)
        meta = {"rows": result.rows, "bytes": len(result.data), "sizes": list(result.sizes), "ids": list(result.ids),
                "errors": [e.to_json() for e in result.errors]}
        write_atomic(stem.with_suffix(".json"), json.dumps(meta, ensure_ascii=False).encode("utf-8"))

    def load(self, index: int) -> tuple[dict[str, Any], bytes]:
        stem = self.chunks / f"{index:08d}"
        meta = json.loads(stem.with_suffix(".json").read_text(encoding="utf-8"))
        return meta, stem.with_suffix(".jsonl").read_bytes()

    def assemble(self, count: int, header: Mapping[str, Any], max_requests: int, max_bytes: int,
                 errors_file: bool) -> Manifest:
        """The shards, errors.jsonl and manifest.json from chunks 0…count-1; then the work folder goes."""
        shards = Shards(self.out, max_requests, max_bytes)
        errors = 0
        error_file: BinaryIO | None = open(self.out / (ERRORS + ".tmp"), "wb") if errors_file else None
        try:
            for index in range(count):
                meta, data = self.load(index)
                shards.add(data, meta["sizes"], meta["ids"])
                for record in meta["errors"]:
                    errors += 1
                    if error_file is not None:
                        error_file.write(json.dumps(record, ensure_ascii=False, separators=(",", ":"))
                                         .encode("utf-8") + b"\n")
            done = shards.close()
        finally:
            if error_file is not None:
                error_file.close()
        if errors_file:
            os.replace(self.out / (ERRORS + ".tmp"), self.out / ERRORS)
        for stale in self.out.glob("requests-*.jsonl"):
            if stale.name not in {s.file for s in done}:
                stale.unlink()
        manifest = Manifest(header["pml_version"], header["prompt"], tuple(header["inputs"]), header["options"],
                            sum(s.lines for s in done), errors, tuple(done))
        write_atomic(self.out / MANIFEST, _json(manifest.to_json()))
        self.clean()
        return manifest

    def clean(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


class Shards:
    """Writes request lines into shards cut at `max_requests` lines and `max_bytes` bytes."""

    def __init__(self, out: Path, max_requests: int, max_bytes: int) -> None:
        self.out = out
        self.max_requests = max_requests
        self.max_bytes = max_bytes
        self.done: list[Shard] = []
        self.file: BinaryIO | None = None
        self.hasher = hashlib.sha256()
        self.lines = 0
        self.bytes = 0
        self.first = ""
        self.last = ""

    def add(self, data: bytes, sizes: list[int], ids: list[str]) -> None:
        """The lines of one chunk (`data`, each line's size and id), cutting shards where they must."""
        start = 0
        i = 0
        while i < len(sizes):
            if self.file is None:
                self._open(ids[i])
            j, lines, total = i, self.lines, self.bytes
            while j < len(sizes) and lines < self.max_requests and total + sizes[j] <= self.max_bytes:
                total += sizes[j]
                lines += 1
                j += 1
            if j == i:
                if self.lines == 0:  # the workers refuse such lines: this cannot happen
                    raise BatchError(f"a request of {sizes[i]:,} bytes does not fit in a shard")
                self._close()
                continue
            piece = data[start:start + total - self.bytes]
            assert self.file is not None
            self.file.write(piece)
            self.hasher.update(piece)
            start += len(piece)
            self.lines, self.bytes, self.last = lines, total, ids[j - 1]
            i = j

    def _open(self, first: str) -> None:
        name = shard_name(len(self.done))
        self.file = open(self.out / (name + ".tmp"), "wb")
        self.hasher = hashlib.sha256()
        self.lines, self.bytes, self.first, self.last = 0, 0, first, first

    def _close(self) -> None:
        assert self.file is not None
        self.file.close()
        name = shard_name(len(self.done))
        os.replace(self.out / (name + ".tmp"), self.out / name)
        self.done.append(Shard(name, self.lines, self.bytes, self.hasher.hexdigest(), self.first, self.last))
        self.file = None

    def close(self) -> list[Shard]:
        if self.file is not None:
            self._close()
        return self.done


__all__ = ["ERRORS", "MANIFEST", "WORK", "Done", "Manifest", "Shard", "Shards", "WorkDir", "differences",
           "shard_name", "write_atomic"]
