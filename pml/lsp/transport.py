"""The language server's side of JSON-RPC: bounded frames in, pygls' dispatch, no tracebacks out.

`serve` reads message bodies with `pml.lsp.framing.frames` (which bounds every frame by
`max_frame` and resynchronises after a bad header), decodes each and hands it to the pygls
protocol. What cannot be handled is logged and, when it was a request, answered with an error:

- a body that is not JSON, or not a JSON-RPC 2.0 object, is logged (a request among them, one
  with an `id` and a `method`, is answered "Invalid Request");
- a request whose params do not fit the method (a position of -1, a missing URI) is answered
  "Invalid Params" (pygls itself would leave it unanswered);
- any other failure is logged and the next message is read.

`PMLProtocol` strips the `data` of every error response, where pygls puts the Python traceback of
a failed handler: a client sees the error's message, never the server's code.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams, JsonRpcInvalidRequest
from pygls.protocol import LanguageServerProtocol

from pml.lsp.framing import ByteSource, Skipped, frames

Log = Callable[[str], None]


class PMLProtocol(LanguageServerProtocol):
    """pygls' protocol, except that error responses carry no `data` (no traceback)."""

    def _send_response(self, msg_id: Any, result: Any | None = None,
                       error: types.ResponseError | None = None) -> None:
        if error is not None and error.data is not None:
            error = types.ResponseError(code=error.code, message=error.message)
        super()._send_response(msg_id, result, error)

    def reject(self, msg_id: int | str, code: int, message: str) -> None:
        """Answer request `msg_id` with an error."""
        self._send_response(msg_id, error=types.ResponseError(code=code, message=message))


def _request_id(raw: dict[str, Any]) -> int | str | None:
    """The id of a request (a message with a method and an id), else None."""
    found = raw.get("id")
    if "method" not in raw or isinstance(found, bool) or not isinstance(found, (int, str)):
        return None
    return found


def dispatch(protocol: PMLProtocol, body: bytes, log: Log) -> None:
    """Decode one message and hand it to pygls (module docstring)."""
    try:
        raw = json.loads(body)
    except (ValueError, RecursionError) as exc:
        log(f"a message that is not JSON was ignored: {str(exc)[:200]}")
        return
    if not isinstance(raw, dict) or raw.get("jsonrpc") != "2.0":
        log("a message that is not a JSON-RPC 2.0 object was ignored")
        if isinstance(raw, dict) and (msg_id := _request_id(raw)) is not None:
            protocol.reject(msg_id, JsonRpcInvalidRequest.CODE, "not a JSON-RPC 2.0 request")
        return
    method = raw.get("method")
    try:
        message = protocol.structure_message(raw)
    except Exception:
        shown = f"`{method}`" if isinstance(method, str) else "a message"
        log(f"{shown} with invalid params was ignored")
        if (msg_id := _request_id(raw)) is not None:
            protocol.reject(msg_id, JsonRpcInvalidParams.CODE, f"invalid params for {shown}")
        return
    try:
        protocol.handle_message(message)
    except Exception as exc:
        log(f"handling `{method}` failed: {type(exc).__name__}: {str(exc)[:200]}")


async def serve(source: ByteSource, protocol: PMLProtocol, max_frame: int, log: Log,
                stopped: Callable[[], bool]) -> None:
    """Read and dispatch messages until the stream ends or `stopped()`."""
    try:
        async for item in frames(source, max_frame):
            if isinstance(item, Skipped):
                log(f"skipped input: {item.reason}")
            else:
                dispatch(protocol, item.body, log)
            if stopped():
                return
    except OSError as exc:
        log(f"reading the client's messages failed: {exc}")
