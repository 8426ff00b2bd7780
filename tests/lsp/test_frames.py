"""Message frames: `Content-Length` bounded by `max_frame`, bad headers skipped, the stream
resynchronised; then the real server, driven byte by byte over stdio."""

from __future__ import annotations

import asyncio
import io
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from raw_client import RawClient, frame

from pml import limits
from pml.lsp.framing import CHUNK, Frame, Skipped, frames


class Buffer:
    """A `ByteSource` over bytes."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    async def readline(self, limit: int) -> bytes:
        return self._data.readline(limit)

    async def read(self, size: int) -> bytes:
        return self._data.read(size)


def read_all(data: bytes, max_frame: int = 1000) -> list[Frame | Skipped]:
    async def collect() -> list[Frame | Skipped]:
        return [item async for item in frames(Buffer(data), max_frame)]

    return asyncio.run(collect())


def body(n: int) -> bytes:
    return json.dumps({"jsonrpc": "2.0", "method": "m", "params": {"n": n}}).encode()


def framed(data: bytes, headers: bytes = b"") -> bytes:
    return headers + b"Content-Length: %d\r\n\r\n" % len(data) + data


def test_well_formed_frames() -> None:
    data = framed(body(1)) + framed(body(2), b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n")
    data += b"content-length:%d\r\n\r\n" % len(body(3)) + body(3)  # any case, no space
    assert read_all(data) == [Frame(body(1)), Frame(body(2)), Frame(body(3))]


def test_a_frame_over_max_frame_is_skipped_and_the_next_one_read() -> None:
    huge = b"Content-Length: 1099511627776\r\n\r\n"
    assert read_all(huge + framed(body(1))) == [
        Skipped("a message of 1099511627776 bytes, over max_frame (1000 bytes)"), Frame(body(1))]


def test_an_over_large_body_that_is_really_sent_is_skipped_in_chunks() -> None:
    big = json.dumps({"jsonrpc": "2.0", "method": "m", "params": {"text": "x" * 50_000}}).encode()
    assert read_all(framed(big) + framed(body(1)) + framed(body(2))) == [
        Skipped(f"a message of {len(big)} bytes, over max_frame (1000 bytes)"), Frame(body(1)), Frame(body(2))]


def test_malformed_headers_are_skipped() -> None:
    cases = {
        b"Content-Length: abc\r\n\r\n": "a malformed Content-Length 'abc'",
        b"Content-Length: -5\r\n\r\n": "a malformed Content-Length '-5'",
        b"Content-Length: 123456789012345678901234\r\n\r\n": "a malformed Content-Length '123456789012345678901234'",
        b"garbage\r\n\r\n": "a malformed header line 'garbage'",
        b"Content-Type: text/plain\r\n\r\n{}": "a header without Content-Length",
        b"X" * (CHUNK * 3) + b"\r\n\r\n": f"a header line longer than {CHUNK} bytes",
    }
    for bad, reason in cases.items():
        assert read_all(bad + framed(body(1))) == [Skipped(reason), Frame(body(1))], bad[:40]


def test_a_header_split_across_chunks_is_found() -> None:
    # The junk line ends so that the next header straddles the chunk boundary while skipping.
    for cut in range(1, 30):
        junk = b"?" * (CHUNK - cut)
        items = read_all(b"Content-Length: 99999\r\n\r\n" + junk + framed(body(7)))
        assert items == [Skipped("a message of 99999 bytes, over max_frame (1000 bytes)"), Frame(body(7))], cut


def test_stray_blank_lines_and_the_end_of_the_stream() -> None:
    assert read_all(b"\r\n\r\n" + framed(body(1))) == [Frame(body(1))]
    assert read_all(b"Content-Length: 10\r\n\r\n{}") == [
        Skipped("the stream ended 8 bytes before the end of a message")]
    assert read_all(b"Content-Length: 10\r\n") == [Skipped("the stream ended inside a header")]
    assert read_all(b"Content-Length: 99999\r\n\r\n" + b"x" * 5000) == [
        Skipped("a message of 99999 bytes, over max_frame (1000 bytes)")]
    assert read_all(b"") == []


def test_the_default_bound_is_the_limit() -> None:
    assert limits.current().max_frame == limits.DEFAULT.max_frame == 64_000_000


# ---------------------------------------------------------------------------- the real server

@pytest.fixture()
def raw() -> Iterator[RawClient]:
    client = RawClient()
    yield client
    client.kill()


def test_the_server_survives_a_huge_content_length(raw: RawClient, tmp_path: Path) -> None:
    raw.initialize(tmp_path)
    started = time.monotonic()
    raw.send(b"Content-Length: 1099511627776\r\n\r\n")
    raw.request(1, "textDocument/documentSymbol", {"textDocument": {"uri": (tmp_path / "a.pml").as_uri()}})
    assert raw.response(1) == {"jsonrpc": "2.0", "id": 1, "result": []}
    assert time.monotonic() - started < 10
    assert "pml: skipped input: a message of 1099511627776 bytes, over max_frame (64000000 bytes)" in raw.logs()
    assert raw.close() == 0
    assert b"pml-lsp ERROR: skipped input: a message of 1099511627776 bytes, over max_frame" in raw.stderr
    assert b"Traceback" not in raw.stderr


def test_the_server_answers_bad_messages(raw: RawClient, tmp_path: Path) -> None:
    raw.initialize(tmp_path)
    uri = (tmp_path / "a.pml").as_uri()
    raw.send(b"Content-Length: nope\r\n\r\n")
    raw.send(framed(b"{not json"))
    raw.send(framed(b"[1, 2]"))
    raw.send(framed(b"[" * 100_000 + b"]" * 100_000))  # nested past the JSON decoder's recursion
    raw.send(frame({"id": 5, "method": "textDocument/hover"}))  # no "jsonrpc"
    assert raw.response(5)["error"] == {"code": -32600, "message": "not a JSON-RPC 2.0 request"}
    # params that do not fit the method: answered, not left waiting
    raw.request(6, "textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": -1, "character": 0}})
    assert raw.response(6)["error"] == {"code": -32602, "message": "invalid params for `textDocument/hover`"}
    raw.request(7, "textDocument/definition", {"position": {"line": 0, "character": 0}})
    assert raw.response(7)["error"] == {"code": -32602, "message": "invalid params for `textDocument/definition`"}
    raw.request(8, "pml/nothing", {})
    assert raw.response(8)["error"]["code"] == -32601
    raw.request(9, "textDocument/documentSymbol", {"textDocument": {"uri": uri}})
    assert raw.response(9)["result"] == []
    logs = raw.logs()
    assert "pml: skipped input: a malformed Content-Length 'nope'" in logs
    assert any(log.startswith("pml: a message that is not JSON was ignored: Expecting property name") for log in logs)
    assert logs.count("pml: a message that is not a JSON-RPC 2.0 object was ignored") == 2
    assert "pml: a message that is not JSON was ignored: maximum recursion depth exceeded while decoding a JSON " \
           "array from a unicode string" in logs
    assert "pml: `textDocument/hover` with invalid params was ignored" in logs
    assert all("data" not in m.get("error", {}) for m in raw.seen)
    assert raw.close() == 0


def test_odd_notifications_and_params_do_not_stop_the_server(raw: RawClient, tmp_path: Path) -> None:
    raw.initialize(tmp_path)
    big = (tmp_path / "big.pml").as_uri()

    def notify(method: str, params: object) -> None:
        raw.send(frame({"jsonrpc": "2.0", "method": method, "params": params}))

    nowhere = {"uri": (tmp_path / "never-opened.pml").as_uri()}
    changed: dict[str, object] = {"textDocument": {**nowhere, "version": 2}, "contentChanges": [{"text": "x"}]}
    notify("textDocument/didChange", changed)
    notify("textDocument/didClose", {"textDocument": nowhere})
    notify("textDocument/didSave", {"textDocument": nowhere})
    notify("workspace/didChangeWatchedFiles", {"changes": [{"uri": "file:///etc/passwd", "type": 2}]})
    notify("textDocument/didOpen", {"textDocument": {"uri": big, "languageId": "pml", "version": 1,
                                                     "text": "<p>" + "x" * 2_000_000 + "</p>"}})
    raw.request(1, "textDocument/hover", {"textDocument": {"uri": big}, "position": {"line": 0, "character": 10**9}})
    assert raw.response(1)["result"] is None
    for msg_id, params in ((2, None), (3, [1, 2]), (4, {"uri": 7})):
        raw.request(msg_id, "pml/preview", params)
        expected = "pml/preview needs a `uri` string" if msg_id == 4 else "pml/preview takes an object {uri, context?}"
        assert raw.response(msg_id)["error"] == {"code": -32602, "message": expected}
    raw.request(5, "pml/preview", {"uri": "file:///etc/passwd"})
    assert raw.response(5)["error"] == {"code": -32803, "message": "pml/preview: `passwd` is not a .pml / .poml file"}
    raw.request(6, "textDocument/documentSymbol", {"textDocument": {"uri": big}})
    [symbol] = raw.response(6)["result"]
    assert symbol["name"] == "p"
    assert raw.close() == 0
    assert b"Traceback" not in raw.stderr
