"""Reading language-server messages from a byte stream, within bounds.

A message is a block of header lines (`Content-Length: N`, maybe `Content-Type: …`; each ended by
CRLF, the block by an empty line) and then N bytes of JSON. pygls' own reader trusts any N and
reads header lines of any length, so one bad header could make it wait forever or allocate without
bound. `frames` reads instead:

- header lines in chunks of at most `CHUNK` bytes; a longer line is malformed;
- a body only when its `Content-Length` is at most `max_frame` (`pml.limits`);
- after a malformed header (a line without a colon, a bad or too large `Content-Length`, a block
  without one), nothing at all until the next `Content-Length: N` followed by a line break: it
  skips the rest in chunks, keeping none of it, and goes on from that header. A body is JSON, whose
  raw bytes never hold that text (a line break inside a JSON string is escaped, and outside one
  the words cannot stand unquoted), so the next message is found wherever the bad one ended, even
  when its header follows the skipped body on the same line. The stream is resynchronised and the
  server keeps serving; only the end of the stream stops it.

Each skipped stretch is reported (`Skipped`, with the reason) for the server to log.
"""

from __future__ import annotations

import asyncio
import queue
import re
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from functools import partial
from typing import BinaryIO, Protocol

CHUNK = 4096
"""Bytes read at once while looking at headers or skipping; a header line longer than this is malformed."""

_HEADER_AT_END = re.compile(rb"Content-Length:[ \t]*([0-9]{1,20})[ \t]*\r?\n\Z", re.IGNORECASE)
_TAIL = 64  # bytes of a chunk kept to find a header split across two chunks


class ByteSource(Protocol):
    """Where the bytes come from (stdin, a socket, a test's buffer)."""

    async def readline(self, limit: int) -> bytes:
        """Up to `limit` bytes, stopping after the first newline; b"" at the end."""
        ...

    async def read(self, size: int) -> bytes:
        """`size` bytes, fewer only at the end."""
        ...


@dataclass(frozen=True, slots=True)
class Frame:
    """One message body."""

    body: bytes


@dataclass(frozen=True, slots=True)
class Skipped:
    """Input passed over, and why."""

    reason: str


def _length(value: bytes, max_frame: int) -> tuple[int | None, str | None]:
    """The length a `Content-Length` value gives, or why it gives none."""
    digits = value.strip()
    if not digits or not digits.isdigit() or len(digits) > 20:
        return None, f"a malformed Content-Length {_show(digits)}"
    size = int(digits)
    if size > max_frame:
        return None, f"a message of {size} bytes, over max_frame ({max_frame} bytes)"
    return size, None


def _show(data: bytes, width: int = 40) -> str:
    text = data[:width].decode("ascii", "backslashreplace")
    return repr(text + ("…" if len(data) > width else ""))


async def _resynchronise(source: ByteSource) -> bytes | None:
    """Skip to just after the next `Content-Length` header line; its value, or None at the end."""
    tail = b""
    while True:
        chunk = await source.readline(CHUNK)
        if not chunk:
            return None
        window = tail + chunk
        if chunk.endswith(b"\n"):
            found = _HEADER_AT_END.search(window)
            if found is not None:
                return found.group(1)
            tail = b""
        else:
            tail = window[-_TAIL:]


async def frames(source: ByteSource, max_frame: int) -> AsyncIterator[Frame | Skipped]:
    """The message bodies of `source`, and what was skipped between them (module docstring)."""
    length: int | None = None
    started = False  # a header line of this block was read
    while True:
        line = await source.readline(CHUNK)
        if not line:
            if started:
                yield Skipped("the stream ended inside a header")
            return
        problem: str | None = None
        content = line.rstrip(b"\r\n")
        if not line.endswith(b"\n"):
            problem = f"a header line longer than {CHUNK} bytes"
        elif content:
            started = True
            name, colon, value = content.partition(b":")
            if not colon:
                problem = f"a malformed header line {_show(content)}"
            elif name.strip().lower() == b"content-length":
                length, problem = _length(value, max_frame)
            if problem is None:
                continue
        elif not started:
            continue  # a stray empty line between messages
        elif length is None:
            problem = "a header without Content-Length"
        if problem is not None:
            while problem is not None:
                yield Skipped(problem)
                found = await _resynchronise(source)
                if found is None:
                    return
                length, problem = _length(found, max_frame)
            started = True
            continue
        wanted = length or 0
        length, started = None, False
        body = await source.read(wanted) if wanted else b""
        if len(body) < wanted:
            yield Skipped(f"the stream ended {wanted - len(body)} bytes before the end of a message")
            return
        yield Frame(body)


class StreamSource:
    """A `ByteSource` over a blocking binary stream (stdin), read by one daemon thread, so that a read
    still waiting when the server exits does not hold the process."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self._requests: queue.SimpleQueue[tuple[Callable[[int], bytes], int, asyncio.Future[bytes]]] = \
            queue.SimpleQueue()
        self._thread: threading.Thread | None = None

    def _run(self) -> None:
        while True:
            read, size, future = self._requests.get()
            loop = future.get_loop()
            try:
                data = read(size)
            except Exception as exc:  # handed to the reader, which ends the stream
                outcome: Callable[[], None] = partial(_settle, future, b"", exc)
            else:
                outcome = partial(_settle, future, data, None)
            try:
                loop.call_soon_threadsafe(outcome)
            except RuntimeError:  # the loop is closed: the server is gone
                return

    def _ask(self, read: Callable[[int], bytes], size: int) -> asyncio.Future[bytes]:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="pml-lsp-reader", daemon=True)
            self._thread.start()
        future: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self._requests.put((read, size, future))
        return future

    async def readline(self, limit: int) -> bytes:
        return await self._ask(self._stream.readline, limit)

    async def read(self, size: int) -> bytes:
        parts: list[bytes] = []
        missing = size
        while missing > 0:
            part = await self._ask(self._stream.read, min(missing, 1 << 20))
            if not part:
                break
            parts.append(part)
            missing -= len(part)
        return b"".join(parts)


def _settle(future: asyncio.Future[bytes], data: bytes, error: Exception | None) -> None:
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(data)
