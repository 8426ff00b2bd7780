"""`pml preview`: the editor's preview page, served on 127.0.0.1 for any browser.

Every request renders the file again (`pml.lsp.preview.preview_data`), so the page follows the
file as it is edited; the page reloads itself every two seconds. Routes: `/` (the page) and
`/data.json` (the same data as JSON: messages, token counts, diagnostics, cache plans).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from pml.lsp.preview import preview_data, preview_html
from pml.source import Source

RELOAD_SECONDS = 2


def page_data(file: Path, context: Mapping[str, Any]) -> dict[str, Any]:
    """The preview data of `file` as it is on disk now."""
    try:
        source = Source.from_path(file.resolve(), str(file))
    except (OSError, UnicodeDecodeError) as exc:
        return {"messages": [], "total_tokens": 0, "diagnostics": [], "cache": None, "modules": [],
                "model": None, "encoding": None, "error": f"{file}: {exc}"}
    sheet = file.with_name(file.stem + ".pss")
    return preview_data(source, context, stylesheet=sheet if sheet.is_file() else None)


def page(file: Path, context: Mapping[str, Any], *, reload: bool = True) -> str:
    """The preview page of `file`; with `reload`, it asks the browser to fetch it again every two seconds."""
    text = preview_html(page_data(file, context), title=f"PML preview: {file.name}")
    if reload:
        text = text.replace("<head>", f'<head>\n<meta http-equiv="refresh" content="{RELOAD_SECONDS}">', 1)
    return text


def make_server(file: Path, context: Mapping[str, Any], host: str = "127.0.0.1", port: int = 0,
                *, reload: bool = True) -> ThreadingHTTPServer:
    """A server for the preview of `file` (port 0 picks a free port: see `server.server_address`)."""
    routes: dict[str, tuple[str, Callable[[], str]]] = {
        "/": ("text/html; charset=utf-8", lambda: page(file, context, reload=reload)),
        "/data.json": ("application/json", lambda: json.dumps(page_data(file, context), ensure_ascii=False)),
    }

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            route = routes.get(self.path.split("?", 1)[0])
            if route is None:
                self.send_error(404, "the preview serves / and /data.json")
                return
            kind, build = route
            body = build().encode("utf-8")
            self.send_response(200)
            self.send_header("content-type", kind)
            self.send_header("content-length", str(len(body)))
            self.send_header("cache-control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return

    return ThreadingHTTPServer((host, port), Handler)


def serve_in_thread(server: ThreadingHTTPServer) -> threading.Thread:
    """Serve until `server.shutdown()` (for tests and embedding)."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return thread
