"""`pml preview`: the editor's preview page, served on 127.0.0.1 for a browser on this machine.

Every request renders the file again (`pml.lsp.preview.preview_data`), so the page follows the
file as it is edited; the page reloads itself every two seconds. Routes: `/` (the page) and
`/data.json` (the same data as JSON: messages, token counts, diagnostics, cache plans).

What it serves, and to whom:

- It listens on the loopback address only, and answers only requests whose `Host` header names
  that address with its port (`127.0.0.1:PORT`, `localhost:PORT`, `[::1]:PORT`). A web page the
  user visits cannot read the preview by pointing its own domain name at 127.0.0.1 (DNS
  rebinding): its requests carry its domain as `Host` and are refused with 421 and no content.
- The prompt reads files only under its own folder, as `pml render` does.
- A prompt that fails to compile or render shows its located errors (status 200, `error` set);
  a crash of the renderer itself is an error page (or a JSON `error`) with status 500, one line
  on stderr, and no traceback.
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from pml import limits
from pml.lsp.preview import preview_data, preview_html
from pml.syntax.source import Source, normalize_newlines

RELOAD_SECONDS = 2
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


class PreviewError(Exception):
    """A problem with what `pml preview` was given; the message is user-facing and located."""


def _empty(error: str) -> dict[str, Any]:
    return {"messages": [], "total_tokens": 0, "diagnostics": [], "cache": None, "modules": [],
            "model": None, "encoding": None, "error": error}


def _read_prompt(file: Path) -> Source:
    """The prompt's text, within `max_file_size`; `PreviewError` when it cannot be read."""
    bound = limits.current().max_file_size
    try:
        with open(file, "rb") as handle:
            data = handle.read(bound + 1)
    except IsADirectoryError:
        raise PreviewError(f"{file}: is a folder, not a prompt file") from None
    except OSError as exc:
        raise PreviewError(f"{file}: cannot read the prompt: {exc.strerror or exc}") from None
    if len(data) > bound:
        raise PreviewError(f"{file}: the prompt is larger than max_file_size ({bound} bytes)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PreviewError(f"{file}:{_where(data, exc.start)}: the prompt is not UTF-8 text "
                           f"(byte 0x{data[exc.start]:02x})") from None
    return Source(normalize_newlines(text), str(file), file.resolve())


def _where(data: bytes, offset: int) -> str:
    """`line:column` (1-based, in bytes) of a byte offset."""
    line = data.count(b"\n", 0, offset) + 1
    column = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
    return f"{line}:{column}"


def page_data(file: Path, context: Mapping[str, Any]) -> dict[str, Any]:
    """The preview data of `file` as it is on disk now."""
    try:
        source = _read_prompt(file)
    except PreviewError as exc:
        return _empty(str(exc))
    sheet = file.with_name(file.stem + ".pss")
    return preview_data(source, context, stylesheet=sheet if sheet.is_file() else None)


def page(file: Path, context: Mapping[str, Any], *, reload: bool = True) -> str:
    """The preview page of `file`; with `reload`, it asks the browser to fetch it again every two seconds."""
    return _page_html(page_data(file, context), file, reload)


def _page_html(data: Mapping[str, Any], file: Path, reload: bool) -> str:
    text = preview_html(data, title=f"PML preview: {file.name}")
    if reload:
        text = text.replace("<head>", f'<head>\n<meta http-equiv="refresh" content="{RELOAD_SECONDS}">', 1)
    return text


def allowed_hosts(host: str, port: int) -> frozenset[str]:
    """The `Host` header values a server on `host:port` answers (lower case)."""
    names = {*LOOPBACK_NAMES, f"[{host}]" if ":" in host else host}
    found = {f"{name}:{port}" for name in names}
    if port == 80:
        found |= names
    return frozenset(n.lower() for n in found)


class PreviewServer(ThreadingHTTPServer):
    """The HTTP server: one thread per connection, errors reported on one line."""

    daemon_threads = True
    hosts: frozenset[str] = frozenset()  # the `Host` values it answers (`allowed_hosts`)

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):
            return  # the browser went away
        print(f"pml preview: a request failed: {type(error).__name__}: {error}", file=sys.stderr)


def make_server(file: Path, context: Mapping[str, Any], host: str = "127.0.0.1", port: int = 0,
                *, reload: bool = True) -> PreviewServer:
    """A server for the preview of `file` (port 0 picks a free port: see `server.server_address`)."""

    def data() -> tuple[int, dict[str, Any]]:
        try:
            return 200, page_data(file, context)
        except Exception as exc:  # a bug in the renderer: shown, not a dropped connection
            print(f"pml preview: rendering {file} failed: {type(exc).__name__}: {exc}", file=sys.stderr)
            return 500, _empty(f"the preview failed: {type(exc).__name__}: {exc}")

    def html() -> tuple[int, str, str]:
        status, found = data()
        return status, "text/html; charset=utf-8", _page_html(found, file, reload)

    def as_json() -> tuple[int, str, str]:
        status, found = data()
        return status, "application/json", json.dumps(found, ensure_ascii=False)

    routes: dict[str, Callable[[], tuple[int, str, str]]] = {"/": html, "/data.json": as_json}

    class Handler(BaseHTTPRequestHandler):
        timeout = 30  # seconds a connection may stay silent

        def do_GET(self) -> None:
            hosts = self.headers.get_all("Host") or []
            expected = self.server.hosts if isinstance(self.server, PreviewServer) else frozenset()
            if len(hosts) != 1 or hosts[0].strip().lower() not in expected:
                self._send(421, "text/plain; charset=utf-8",
                           "the preview answers only requests for 127.0.0.1, localhost or [::1] on its port\n")
                return
            route = routes.get(self.path.split("?", 1)[0])
            if route is None:
                self._send(404, "text/plain; charset=utf-8", "the preview serves / and /data.json\n")
                return
            self._send(*route())

        def _send(self, status: int, kind: str, text: str) -> None:
            body = text.encode("utf-8")
            self.send_response(status)
            self.send_header("content-type", kind)
            self.send_header("content-length", str(len(body)))
            self.send_header("cache-control", "no-store")
            self.send_header("x-content-type-options", "nosniff")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = PreviewServer((host, port), Handler)
    server.hosts = allowed_hosts(host, int(server.server_address[1]))
    return server


def serve_in_thread(server: ThreadingHTTPServer) -> threading.Thread:
    """Serve until `server.shutdown()` (for tests and embedding)."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return thread
