"""The preview page, served on 127.0.0.1 by `pml preview`, rendered by headless Chromium.

The page the editor shows beside a prompt (`pml.lsp.preview.preview_html`) is served the way
`pml preview` serves it, loaded by Debian's `chromium` with no network but loopback, and its DOM
must hold every message; a screenshot is taken too. `PML_UPDATE_SCREENSHOT=1` writes it to
`vscode-extension/images/preview.png`, the picture in the extension's README.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from pml.cli.preview_server import make_server, serve_in_thread

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "travel.pml"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars"]


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    assert found, "these tests need Debian's chromium: apt-get install chromium (.ci/run installs it)"
    return found


@pytest.fixture()
def page_url() -> Iterator[str]:
    context = {"today": "2026-11-29", "question": "Where should we stay in Kyoto?"}
    server = make_server(EXAMPLE, context, reload=False)
    thread = serve_in_thread(server)
    try:
        host, port = server.server_address[:2]
        yield f"http://{host}:{port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def run_chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / "profile"
    env = {**os.environ, "HOME": str(tmp_path)}
    return subprocess.run([chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=120, env=env, check=False)


def test_the_served_preview_shows_every_message(page_url: str, tmp_path: Path) -> None:
    result = run_chromium(tmp_path, "--dump-dom", page_url)
    assert result.returncode == 0, result.stderr[-2000:]
    dom = result.stdout
    assert "<html" in dom
    assert "system" in dom and "human" in dom
    assert "You are the booking assistant of Northwind Travel" in dom
    assert "Where should we stay in Kyoto?" in dom
    assert "breakpoint" in dom.lower()


def test_a_screenshot_of_the_preview(page_url: str, tmp_path: Path) -> None:
    shot = tmp_path / "preview.png"
    result = run_chromium(tmp_path, "--window-size=1000,760", f"--screenshot={shot}", page_url)
    assert result.returncode == 0, result.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
    if os.environ.get("PML_UPDATE_SCREENSHOT"):
        target = ROOT / "vscode-extension" / "images" / "preview.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def test_the_server_answers_data_and_404(page_url: str) -> None:
    import json
    import urllib.error
    import urllib.request

    with urllib.request.urlopen(page_url + "data.json", timeout=10) as response:
        data = json.loads(response.read())
    assert [m["speaker"] for m in data["messages"]] == ["system", "human"]
    assert data["cache"]["anthropic"]["breakpoints"]
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(page_url + "nothing", timeout=10)
    assert info.value.code == 404
