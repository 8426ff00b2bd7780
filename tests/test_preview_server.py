"""`pml preview` over a real socket: only loopback `Host` headers are answered (no DNS rebinding),
a crash of the renderer is an error page, and the command's bad inputs are located messages."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pml.cli import preview_server
from pml.cli.app import app
from pml.cli.preview_server import PreviewServer, allowed_hosts, make_server, serve_in_thread

PROMPT = "<p>Hello {{ who }}, SECRET-CONTEXT.</p>\n"


@pytest.fixture()
def server(tmp_path: Path) -> Iterator[PreviewServer]:
    (tmp_path / "p.pml").write_text(PROMPT, encoding="utf-8")
    running = make_server(tmp_path / "p.pml", {"who": "Ada"}, reload=False)
    thread = serve_in_thread(running)
    try:
        yield running
    finally:
        running.shutdown()
        running.server_close()
        thread.join(timeout=5)


def get(server: PreviewServer, path: str, *hosts: str) -> tuple[int, dict[str, str], str]:
    """GET `path` with exactly these `Host` headers (none when none is given)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=10)
    try:
        connection.putrequest("GET", path, skip_host=True)
        for host in hosts:
            connection.putheader("Host", host)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read().decode("utf-8")
    finally:
        connection.close()


def test_loopback_hosts_are_answered(server: PreviewServer) -> None:
    port = server.server_address[1]
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LocalHost:{port}", f"[::1]:{port}"):
        status, headers, body = get(server, "/data.json", host)
        assert status == 200, host
        assert [m["text"] for m in json.loads(body)["messages"]] == ["Hello Ada, SECRET-CONTEXT."]
        assert headers["content-type"] == "application/json"
        assert headers["x-content-type-options"] == "nosniff" and headers["cache-control"] == "no-store"
    status, headers, body = get(server, "/", f"localhost:{port}")
    assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
    assert "Hello Ada, SECRET-CONTEXT." in body


def test_other_hosts_are_refused_with_no_content(server: PreviewServer) -> None:
    port = server.server_address[1]
    refused = [("attacker.example",), (f"attacker.example:{port}",), ("127.0.0.1",), ("localhost",),
               (f"127.0.0.1:{port + 1 if port < 65535 else 1}",), (f"localhost.:{port}",), (f"127.0.0.2:{port}",),
               (f"10.0.0.1:{port}",), (), (f"localhost:{port}", "attacker.example")]
    for hosts in refused:
        for path in ("/", "/data.json", "/nothing"):
            status, headers, body = get(server, path, *hosts)
            assert status == 421, (hosts, path)
            assert body == "the preview answers only requests for 127.0.0.1, localhost or [::1] on its port\n"
            assert headers["content-type"] == "text/plain; charset=utf-8"


def test_unknown_paths_are_404(server: PreviewServer) -> None:
    status, _, body = get(server, "/etc/passwd", f"127.0.0.1:{server.server_address[1]}")
    assert (status, body) == (404, "the preview serves / and /data.json\n")


def test_the_hosts_a_server_answers() -> None:
    assert allowed_hosts("127.0.0.1", 8765) == {"127.0.0.1:8765", "localhost:8765", "[::1]:8765"}
    assert allowed_hosts("::1", 80) == {"127.0.0.1:80", "localhost:80", "[::1]:80", "127.0.0.1", "localhost",
                                        "[::1]"}


def test_a_crash_is_an_error_page(server: PreviewServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(preview_server, "preview_data", crash)
    host = f"127.0.0.1:{server.server_address[1]}"
    status, headers, body = get(server, "/", host)
    assert status == 500 and headers["content-type"] == "text/html; charset=utf-8"
    assert '<p class="error">the preview failed: RuntimeError: boom</p>' in body
    status, headers, body = get(server, "/data.json", host)
    assert status == 500 and json.loads(body)["error"] == "the preview failed: RuntimeError: boom"
    err = capsys.readouterr().err
    assert err == f"pml preview: rendering {tmp_path / 'p.pml'} failed: RuntimeError: boom\n" * 2
    assert "Traceback" not in err


def test_prompt_errors_are_shown_located(tmp_path: Path) -> None:
    (tmp_path / "bad.pml").write_bytes(b"<p>caf\xe9</p>\n")
    data = preview_server.page_data(tmp_path / "bad.pml", {})
    assert data["error"] == f"{tmp_path / 'bad.pml'}:1:7: the prompt is not UTF-8 text (byte 0xe9)"
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "out.pml").write_text('<document src="../secret.txt"/>\n', encoding="utf-8")
    (tmp_path / "secret.txt").write_text("SECRET\n", encoding="utf-8")
    data = preview_server.page_data(tmp_path / "sub" / "out.pml", {})
    assert data["error"] == "`../secret.txt` is outside the prompt's folder" and "SECRET\n" not in str(data)


runner = CliRunner()


def test_the_command_reports_bad_contexts(tmp_path: Path) -> None:
    prompt = tmp_path / "p.pml"
    prompt.write_text(PROMPT, encoding="utf-8")
    (tmp_path / "bad.json").write_bytes(b'{"who":\n "\xff"}')
    (tmp_path / "broken.json").write_text('{"who": \n [1,', encoding="utf-8")
    (tmp_path / "list.json").write_text("[1]", encoding="utf-8")
    cases = {
        str(tmp_path): f"{tmp_path}: the context must be a JSON file, not a folder\n",
        str(tmp_path / "bad.json"): f"{tmp_path / 'bad.json'}:2:3: the context is not UTF-8 text (byte 0xff)\n",
        str(tmp_path / "broken.json"): f"{tmp_path / 'broken.json'}:2:5: the context is not valid JSON: "
                                       "Expecting value\n",
        str(tmp_path / "list.json"): f"{tmp_path / 'list.json'}: the context must be a JSON object, not a list\n",
        str(tmp_path / "none.json"): f"{tmp_path / 'none.json'}: context file not found\n",
    }
    for context, message in cases.items():
        result = runner.invoke(app, ["preview", str(prompt), "--context", context, "--port", "0"])
        assert (result.exit_code, result.stderr) == (1, message), context
    (tmp_path / "p.context.json").write_text("{", encoding="utf-8")
    result = runner.invoke(app, ["preview", str(prompt), "--port", "0"])
    assert (result.exit_code, result.stderr) == (
        1, f"{tmp_path / 'p.context.json'}:1:2: the context is not valid JSON: Expecting property name enclosed in "
           "double quotes\n")
    result = runner.invoke(app, ["preview", str(tmp_path), "--port", "0"])
    assert (result.exit_code, result.stderr) == (1, f"{tmp_path}: is a folder, not a prompt file\n")
    result = runner.invoke(app, ["preview", str(prompt), "--port", "70000"])
    assert result.exit_code == 2 and "Traceback" not in result.output
