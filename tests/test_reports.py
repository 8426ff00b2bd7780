"""Error reports: excerpts cut around the caret, a bounded number of diagnostics, located encoding
errors, and reports that stay fast however many problems a file has."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

import pml
from pml import limits
from pml.errors import Diagnostic, PMLError, clip, limit_hint
from pml.limits import Limits
from pml.syntax.parser import parse
from pml.syntax.source import Source, decode, read_source


def _excerpt(line: str, start: int, end: int, width: int) -> list[str]:
    return Source(line).span(start, end).excerpt(width).splitlines()


def test_a_short_line_is_shown_whole() -> None:
    assert _excerpt("<p>a &bogus; b</p>", 5, 12, 40) == ["  <p>a &bogus; b</p>", "       ^^^^^^^"]


def test_a_long_line_is_cut_around_the_caret() -> None:
    line = "".join(f"{i:03d}," for i in range(100))  # 400 characters
    assert _excerpt(line, 200, 203, 40) == [
        "  …7,048,049,050,051,052,053,054,055,056,05…",
        "             ^^^",
    ]


def test_the_start_and_the_end_of_a_long_line_are_cut_on_one_side() -> None:
    line = "x" * 100 + "END"
    assert _excerpt(line, 0, 1, 20) == ["  " + "x" * 20 + "…", "  ^"]
    assert _excerpt(line, 100, 103, 20) == ["  …" + "x" * 17 + "END", "                    ^^^"]


def test_a_caret_longer_than_the_window_stops_at_its_edge() -> None:
    line = "a" * 10 + "b" * 100 + "c" * 10
    excerpt = _excerpt(line, 10, 110, 40)
    assert excerpt[0] == "  " + "a" * 10 + "b" * 30 + "…"
    assert excerpt[1] == "  " + " " * 10 + "^" * 30


def test_a_span_over_several_lines_underlines_to_the_end_of_its_first_line() -> None:
    assert _excerpt("<p>\n</p>", 0, 8, 40) == ["  <p>", "  ^^^"]


def test_a_caret_at_the_end_of_a_line() -> None:
    assert _excerpt("<p", 2, 2, 40) == ["  <p", "    ^"]


def test_tabs_wide_and_combining_characters_keep_the_caret_in_place() -> None:
    assert _excerpt("\t日本\u0301x&y;", 4, 8, 40) == ["  \t日本\u0301x&y;", "  \t    ^^^^"]
    # The window is measured on screen: 40 columns of wide characters are 20 characters.
    line = "日" * 100 + "&bogus;"
    shown = _excerpt(line, 100, 107, 40)
    assert shown[0] == "  …" + "日" * 16 + "&bogus;"
    assert shown[1] == "   " + "  " * 16 + "^" * 7


def test_control_characters_and_lone_surrogates_are_shown_as_symbols() -> None:
    assert _excerpt("a\x00b\x1bc\ud800d\x7f", 1, 2, 40) == ["  a␀b␛c\ufffdd␡", "   ^"]


def test_the_excerpt_width_is_a_limit() -> None:
    span = Source("y" * 50 + "^here" + "y" * 50).span(50, 55)
    with limits.using(Limits(excerpt_width=20)):
        assert span.excerpt().splitlines()[0] == "  …yyyyy^hereyyyyyyyyyy…"


def _bogus(count: int) -> str:
    return "<poml><p>" + "&bogus;" * count + "</p></poml>"


def test_a_report_prints_max_diagnostics_and_counts_the_rest() -> None:
    with limits.using(Limits(max_diagnostics=2)), pytest.raises(pml.PMLSyntaxError) as info:
        parse("<p>&a; &b; &c; &d;</p>", "x.pml")
    error = info.value
    hint = "hint: write `&amp;` for a literal `&`, or use a numeric entity such as `&#38;`"
    with limits.using(Limits(max_diagnostics=2)):
        assert str(error) == "\n".join([
            "x.pml:1:4: unknown entity `&a;`", "  <p>&a; &b; &c; &d;</p>", "     ^^^", hint, "",
            "x.pml:1:8: unknown entity `&b;`", "  <p>&a; &b; &c; &d;</p>", "         ^^^", hint, "",
            "and 2 more errors (4 in all)",
        ])
    assert len(error.diagnostics) == 2 and error.omitted == 2
    assert [d["column"] for d in error.to_json()["diagnostics"]] == [4, 8]  # type: ignore[index]
    assert error.to_json()["omitted"] == 2


def test_an_error_keeps_all_it_is_given_and_prints_the_cap() -> None:
    source = Source("abc")
    error = PMLError([Diagnostic("error", f"problem {i}", source.span(i, i + 1)) for i in range(3)])
    with limits.using(Limits(max_diagnostics=1)):
        assert str(error).endswith("and 2 more errors (3 in all)")
    assert str(error).endswith("\n\n3 errors")
    assert len(error.to_json()["diagnostics"]) == 3  # type: ignore[arg-type]


def test_twenty_thousand_errors_on_one_long_line_report_quickly() -> None:
    text = _bogus(20_000)  # one line of 140 KB
    start = time.perf_counter()
    with pytest.raises(pml.PMLSyntaxError) as info:
        pml.loads(text)
    shown = str(info.value)
    data = json.dumps(info.value.to_json())
    elapsed = time.perf_counter() - start
    cap = limits.DEFAULT.max_diagnostics
    assert shown.count("unknown entity") == cap
    assert shown.endswith(f"and {20_000 - cap} more errors (20000 in all)")
    assert max(len(line) for line in shown.splitlines()) <= limits.DEFAULT.excerpt_width + 4
    assert len(shown) < 30_000 and len(data) < 30_000
    assert elapsed < 5, f"{elapsed:.1f} s"  # was 95 s and 5.5 GB


def test_many_control_characters_are_counted_not_kept() -> None:
    with pytest.raises(pml.PMLSyntaxError) as info:
        pml.loads("<poml><p>" + "\x00" * 100_000 + "</p></poml>")
    assert len(info.value.diagnostics) == limits.DEFAULT.max_diagnostics
    assert info.value.omitted == 100_000 - limits.DEFAULT.max_diagnostics


def test_long_source_text_in_messages_is_clipped() -> None:
    with pytest.raises(pml.PMLSyntaxError) as info:
        parse("<poml><p>&" + "a" * 100_000 + ";</p></poml>")
    assert info.value.message == f"unknown entity `&{'a' * 51}…{'a' * 26};`"
    assert clip("abcdefghijkl", 8) == "abcd…jkl"
    assert clip("short", 8) == "short"


def test_a_limit_hint_says_how_to_raise_it() -> None:
    assert limit_hint("max_depth") == \
        "raise the limit with `--limit max_depth=N` (CLI) or `limits=Limits(max_depth=N)` (SDK)"


# ------------------------------------------------------------------ encodings


def test_bytes_that_are_not_utf8_are_located_by_line_and_character() -> None:
    with pytest.raises(pml.PMLSyntaxError) as info:
        decode(b"<poml>\r\n  <p>\xc3\xa9t\xe9</p>\r\n</poml>", "menu.pml")
    assert str(info.value) == "\n".join([
        "menu.pml:2:8: the file is not UTF-8 text: the byte 0xE9 cannot be decoded",
        "    <p>ét\ufffd</p>",
        "         ^",
        "hint: save the file as UTF-8 (a file in Latin-1 or Windows-1252 has bytes like these for accented letters)",
    ])


def test_a_utf8_sequence_cut_short_at_the_end() -> None:
    with pytest.raises(pml.PMLSyntaxError) as info:
        decode(b"<p>\xe2\x82", "cut.pml")
    assert info.value.message == "the file is not UTF-8 text: the bytes 0xE2 0x82 cannot be decoded"
    assert (info.value.line, info.value.column) == (1, 4)


def test_utf16_is_not_read_as_utf8() -> None:
    with pytest.raises(pml.PMLSyntaxError, match="not UTF-8") as info:
        decode("<poml/>".encode("utf-16"), "wide.pml")
    assert (info.value.line, info.value.column) == (1, 1)


def test_a_byte_order_mark_is_dropped() -> None:
    source = decode(b"\xef\xbb\xbf<poml>x</poml>", "bom.pml")
    assert source.text == "<poml>x</poml>"
    assert parse(source.text).root.key == "poml"


def test_a_prompt_file_larger_than_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.pml"
    path.write_text("<poml>" + "x" * 100 + "</poml>", encoding="utf-8")
    with limits.using(Limits(max_file_size=50)), pytest.raises(pml.PMLCompileError) as info:
        read_source(path, "big.pml")
    assert str(info.value) == (
        "big.pml:1:1: cannot read the file: it is larger than 50 bytes (the limit `max_file_size`)\n"
        "hint: split the file, or raise the limit with `--limit max_file_size=N` (CLI) "
        "or `limits=Limits(max_file_size=N)` (SDK)"
    )
    assert read_source(path).text.startswith("<poml>")


def test_load_reports_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.pml"
    path.write_bytes("<poml><p>Café</p></poml>".encode("latin-1"))
    with pytest.raises(pml.PMLSyntaxError) as info:
        pml.load(path)
    assert (info.value.filename, info.value.line, info.value.column) == (str(path), 1, 13)


def test_an_include_that_is_not_utf8_is_located_in_the_included_file(tmp_path: Path) -> None:
    (tmp_path / "part.pml").write_bytes(b"<p>ok</p>\n<p>na\xefve</p>")
    (tmp_path / "main.pml").write_text('<poml><include src="part.pml"/></poml>', encoding="utf-8")
    with pytest.raises(pml.PMLError) as info:
        pml.load(tmp_path / "main.pml")
    assert (info.value.filename, info.value.line, info.value.column) == (str(tmp_path / "part.pml"), 2, 6)


@pytest.mark.parametrize(("text", "where", "message"), [
    ("<p>\ud800</p>", (1, 4), "a lone surrogate (U+D800) is not a character"),
    ("<p a='\udfff'/>", (1, 7), "a lone surrogate (U+DFFF) is not a character"),
    ("<p>\n<!-- \x00 --></p>", (2, 6), "the control character U+0000 cannot appear in markup"),
    ("{{ x }}\x0b", (1, 8), "the control character U+000B cannot appear in markup"),
    ("<p>\uffff</p>", (1, 4), "U+FFFF is not a character and cannot appear in markup"),
])
def test_characters_markup_cannot_hold_are_located(text: str, where: tuple[int, int], message: str) -> None:
    with pytest.raises(pml.PMLSyntaxError) as info:
        pml.loads(text)
    assert info.value.message == message
    assert (info.value.line, info.value.column) == where
    str(info.value).encode("utf-8")  # the report itself can always be printed
    json.dumps(info.value.to_json(), ensure_ascii=False).encode("utf-8")


def test_tabs_form_feeds_delete_and_other_controls_in_data_are_kept() -> None:
    rendered = pml.loads("<poml><p>a\tb\fc\x7fd {{ v }}</p></poml>").render({"v": "\x00\x01"})
    assert rendered.messages[0].content == "a b c\x7fd \x00\x01"
