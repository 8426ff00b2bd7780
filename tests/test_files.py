"""Reading the files a prompt names: regular files only, bounded, and every failure located.

Each reading component (`<include>`, `<import>`, `<document>`, `<webpage>`, `<img>`, `<audio>`,
`<table>`, `<let>`, `<folder>`) is tried against FIFOs, devices, sockets, files over
`max_file_size` and paths the operating system refuses. A FIFO must never block: each render
runs in a thread that must finish within seconds.
"""

from __future__ import annotations

import contextvars
import errno
import os
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import pml
from pml import files, limits
from pml.cli.app import app

# Each reading component, and what its messages call the file it reads.
READERS = [
    ('<document src="{src}"/>', "document"),
    ('<webpage src="{src}"/>', "page"),
    ('<img src="{src}" syntax="multimedia"/>', "image"),
    ('<audio src="{src}"/>', "audio"),
    ('<table src="{src}" parser="csv"/>', "table"),
    ('<let name="x" src="{src}"/>{{{{ x }}}}', "file"),
    ('<include src="{src}"/>', "included file"),
    ('<import src="{src}" as="lib"/>', "imported file"),
]
READER_IDS = [what for _, what in READERS]


def finishes(work: Callable[[], Any], seconds: float = 10.0) -> Any:
    """Run `work` in a thread (with this context's limits); fail if it is still running after
    `seconds` (it blocked)."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = work()
        except BaseException as exc:  # handed back to the test
            outcome["error"] = exc

    context = contextvars.copy_context()  # the limits in force reach the thread
    thread = threading.Thread(target=context.run, args=(run,), daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "reading the file blocked"
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def error_of(markup: str, folder: Path, context: dict[str, Any] | None = None, **options: Any) -> pml.PMLError:
    """The located error of compiling and rendering `markup` in `folder` (never blocking)."""

    def work() -> None:
        pml.loads(f"<poml>\n{markup}\n</poml>", name="p.pml", base_dir=folder, **options).render(context or {})

    with pytest.raises(pml.PMLError) as info:
        finishes(work)
    return info.value


def dynamic(markup: str) -> str:
    """The markup with its `src` given by an expression, so that it is read at render."""
    return markup.format(src="{{ path }}")


@pytest.fixture()
def fifo(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "pipe.txt"
    os.mkfifo(path)
    yield path


# ---------------------------------------------------------------------- FIFOs, devices, sockets


@pytest.mark.parametrize(("markup", "what"), READERS, ids=READER_IDS)
def test_a_fifo_is_refused_when_compiling(fifo: Path, markup: str, what: str) -> None:
    error = error_of(markup.format(src="pipe.txt"), fifo.parent)
    assert isinstance(error, pml.PMLCompileError)
    assert error.message == f"cannot read {what} `pipe.txt`: it is a FIFO (named pipe), not a regular file"
    assert error.hint == "only regular files are read"
    assert (error.line, error.column) == (2, markup.index("{src}") + 1)


@pytest.mark.parametrize(("markup", "what"), READERS[:6], ids=READER_IDS[:6])
def test_a_fifo_named_by_an_expression_is_refused_without_blocking(fifo: Path, markup: str, what: str) -> None:
    error = error_of(dynamic(markup), fifo.parent, {"path": "pipe.txt"})
    assert isinstance(error, pml.PMLRenderError)
    assert error.message == f"cannot read {what} `pipe.txt`: it is a FIFO (named pipe), not a regular file"
    assert str(error).splitlines()[0].startswith("p.pml:2:")


def test_a_fifo_swapped_in_after_the_check_is_refused_on_the_open_descriptor(fifo: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    regular = os.stat(fifo.parent)  # the check before opening sees something else
    monkeypatch.setattr(files.os, "stat", lambda path: _as_regular(regular))
    with pytest.raises(files.FileProblem) as info:
        finishes(lambda: files.read_file(fifo))
    assert info.value.reason == "it is a FIFO (named pipe), not a regular file"


def _as_regular(info: os.stat_result) -> os.stat_result:
    fields = list(info)
    fields[0] = 0o100644  # a regular file
    fields[6] = 1  # of one byte
    return os.stat_result(fields)


def test_a_fifo_in_a_folder_is_listed_without_content(fifo: Path) -> None:
    (fifo.parent / "notes.md").write_text("hello", encoding="utf-8")
    folder = fifo.parent

    def work() -> str:
        prompt = pml.loads('<poml><folder src="." showContent="true" syntax="json"/></poml>', base_dir=folder)
        return str(prompt.render().messages[0].content)

    got = finishes(work)
    assert f'"{folder.name}": {{\n    "notes.md": "hello",\n    "pipe.txt": null\n  }}' in got


def test_a_device_is_refused(tmp_path: Path) -> None:
    error = error_of('<document src="/dev/zero"/>', tmp_path, root="/")
    assert error.message == "cannot read document `/dev/zero`: it is a character device, not a regular file"
    assert error.hint == "only regular files are read"


def test_a_socket_is_refused(tmp_path: Path) -> None:
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        server.bind(str(tmp_path / "s.sock"))
        error = error_of('<let name="x" src="{{ path }}"/>', tmp_path, {"path": "s.sock"})
    finally:
        server.close()
    assert error.message == "cannot read file `s.sock`: it is a socket, not a regular file"


def test_a_folder_where_a_file_is_wanted(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    error = error_of('<document src="sub"/>', tmp_path)
    assert error.message == "cannot read document `sub`: it is a folder, not a regular file"
    assert error.hint == "name a file in it"


# ---------------------------------------------------------------------- sizes


@pytest.mark.parametrize(("markup", "what"), READERS, ids=READER_IDS)
def test_a_file_over_max_file_size_is_refused(tmp_path: Path, markup: str, what: str) -> None:
    (tmp_path / "big.txt").write_bytes(b"x" * 11)
    with limits.using(limits.Limits(max_file_size=10)):
        error = error_of(markup.format(src="big.txt"), tmp_path)
    assert error.message == f"cannot read {what} `big.txt`: it is larger than 10 bytes (the limit `max_file_size`)"
    assert error.hint == ("split the file, or raise the limit with `--limit max_file_size=N` (CLI) or "
                          "`limits=Limits(max_file_size=N)` (SDK)")


def test_a_file_of_exactly_max_file_size_is_read(tmp_path: Path) -> None:
    (tmp_path / "ten.txt").write_bytes(b"0123456789")
    with limits.using(limits.Limits(max_file_size=10)):
        rendered = pml.loads('<poml><document src="ten.txt"/></poml>', base_dir=tmp_path).render()
    assert rendered.messages[0].content == "0123456789"


def test_a_file_that_grows_past_the_limit_while_read_is_refused(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "growing.txt"
    path.write_bytes(b"x" * 5)
    grown = iter([b"x" * 5, b"y" * 4, b"z" * 4])  # the file said 5 bytes, then keeps giving

    monkeypatch.setattr(files.os, "read", lambda fd, n: next(grown, b"")[:n])
    with limits.using(limits.Limits(max_file_size=10)), pytest.raises(files.TooLarge):
        files.read_file(path)


def test_folder_contents_are_bounded_by_max_output(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    for name in "abc":
        (tmp_path / "docs" / f"{name}.txt").write_text("x" * 40, encoding="utf-8")
    with limits.using(limits.Limits(max_output=100)):
        error = error_of('<folder src="docs" showContent="true"/>', tmp_path)
    assert error.message == ("cannot show the content of `docs/c.txt`: the folder's files hold more than 100 "
                             "bytes (the limit `max_output`)")


# ---------------------------------------------------------------------- paths the system refuses


def test_a_loop_of_links(tmp_path: Path) -> None:
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    error = error_of('<document src="{{ path }}"/>', tmp_path, {"path": "a"})
    assert error.message == "cannot read document `a`: the path goes round a loop of symbolic links"


def test_a_file_used_as_a_folder(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    error = error_of('<table src="notes.txt/data.csv"/>', tmp_path)
    assert error.message == "cannot read table `notes.txt/data.csv`: a part of the path is not a folder"


@pytest.mark.parametrize(("number", "reason"), [
    (errno.EACCES, "permission denied"),
    (errno.EPERM, "permission denied"),
    (errno.EINVAL, "the path is not valid"),
    (errno.EIO, "the disk reported an input/output error"),
    (errno.ENOSPC, "no space left on device"),  # not in the table: the system's words
])
def test_what_the_system_says_becomes_the_reason(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 number: int, reason: str) -> None:
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")

    def refuse(*args: Any) -> int:
        raise OSError(number, os.strerror(number))

    monkeypatch.setattr(files.os, "open", refuse)
    error = error_of('<document src="{{ path }}"/>', tmp_path, {"path": "notes.txt"})
    assert error.message == f"cannot read document `notes.txt`: {reason}"


def test_a_nul_in_an_include_path_written_literally(tmp_path: Path) -> None:
    # A literal NUL cannot be typed in markup, but a character reference could carry one.
    with pytest.raises(files.FileProblem) as info:
        files.resolve_under(tmp_path, "a\0b.pml", tmp_path)
    assert info.value.reason == "the path contains a NUL character"


def test_long_paths_are_shortened_in_messages() -> None:
    assert files.clip("a" * 300) == "a" * 40 + "…" + "a" * 40
    assert files.clip("x\0y\nz") == "x\\0y\\nz"


# ---------------------------------------------------------------------- did you mean


@pytest.mark.parametrize(("wanted", "candidates", "expected"), [
    ("data/order.csv", ["data/orders.csv", "orders.txt"], "data/orders.csv"),
    ("orders.csv", ["data/orders.csv", "archive/2023/orders.csv"], "data/orders.csv"),
    ("Data/Orders.CSV", ["data/orders.csv"], "data/orders.csv"),
    ("lib/nowhere.poml", ["lib/outer.poml", "lib/inner.poml"], None),
    ("missing.pml", ["include_missing.pml"], None),
    ("report.pdf", ["report.docx", "notes.txt"], "report.docx"),
])
def test_closest_path(wanted: str, candidates: list[str], expected: str | None) -> None:
    assert files.closest_path(wanted, candidates) == expected


def test_nearby_paths_are_bounded(tmp_path: Path) -> None:
    for index in range(30):
        (tmp_path / f"{index:02}.txt").write_text("", encoding="utf-8")
    with limits.using(limits.Limits(max_folder_entries=10)):
        assert len(list(files.nearby_paths(tmp_path, tmp_path))) == 10


def test_pml_check_reports_a_missing_literal_src(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "orders.csv").write_text("id\n1\n", encoding="utf-8")
    prompt = tmp_path / "p.pml"
    prompt.write_text('<poml>\n  <table src="data/order.csv"/>\n  <table src="{{ name }}"/>\n</poml>\n',
                      encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(prompt)])
    assert result.exit_code == 1
    assert result.stdout == (
        f"{prompt}:2:15: table not found: data/order.csv\n"
        '    <table src="data/order.csv"/>\n'
        "                ^^^^^^^^^^^^^^\n"
        "hint: did you mean data/orders.csv?\n"
        "1 file checked: 1 error, 0 warnings\n"
    )
