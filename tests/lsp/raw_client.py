"""A raw stdio client for the language server: it writes bytes exactly as a test gives them
(broken headers included) and reads the server's messages on a thread, with timeouts."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def frame(message: dict[str, Any]) -> bytes:
    body = json.dumps(message).encode("utf-8")
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


class RawClient:
    """`python -m pml lsp` in a subprocess."""

    def __init__(self) -> None:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
        self.process = subprocess.Popen([sys.executable, "-m", "pml", "lsp"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        self.messages: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.seen: list[dict[str, Any]] = []
        self.stderr = b""
        threading.Thread(target=self._read, daemon=True).start()
        self._stderr_reader = threading.Thread(target=self._read_stderr, daemon=True)
        self._stderr_reader.start()

    def _read(self) -> None:
        out = self.process.stdout
        assert out is not None
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    self.messages.put(None)
                    return
                if line == b"\r\n":
                    break
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            assert length is not None
            self.messages.put(json.loads(out.read(length)))

    def _read_stderr(self) -> None:
        err = self.process.stderr
        assert err is not None
        for line in err:
            self.stderr += line

    def send(self, data: bytes) -> None:
        stdin = self.process.stdin
        assert stdin is not None
        stdin.write(data)
        stdin.flush()

    def request(self, msg_id: int, method: str, params: Any = None) -> None:
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": msg_id, "method": method}
        if params is not None:
            message["params"] = params
        self.send(frame(message))

    def response(self, msg_id: int, timeout: float = 20) -> dict[str, Any]:
        """The response to request `msg_id` (what else arrives first is kept in `seen`)."""
        while True:
            message = self.messages.get(timeout=timeout)
            assert message is not None, "the server closed its output"
            self.seen.append(message)
            if message.get("id") == msg_id and "method" not in message:
                return message

    def logs(self) -> list[str]:
        """The `window/logMessage` texts received so far."""
        return [m["params"]["message"] for m in self.seen if m.get("method") == "window/logMessage"]

    def initialize(self, root: Path | None = None) -> dict[str, Any]:
        params: dict[str, Any] = {"processId": None, "capabilities": {}}
        if root is not None:
            params["rootUri"] = root.resolve().as_uri()
        self.request(0, "initialize", params)
        result = self.response(0)
        self.send(frame({"jsonrpc": "2.0", "method": "initialized", "params": {}}))
        return result

    def close(self, timeout: float = 20) -> int:
        """Shut the server down politely; its exit code."""
        self.request(999_999, "shutdown")
        self.response(999_999)
        self.send(frame({"jsonrpc": "2.0", "method": "exit"}))
        try:
            code = self.process.wait(timeout)
            self._stderr_reader.join(timeout)
            return code
        finally:
            self.kill()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()
