"""`pml tokens` and `pml.output.tokenreport`: token counts per message, component and module.

Expected counts are computed with `tokenizer_for(...).count` on the message texts, which are
themselves checked first; the marking render is checked to give exactly the messages of a normal
render on every case file.
"""

from __future__ import annotations

import base64
import io
import json
import struct
import zlib
from pathlib import Path

import pytest
from promptcases import case_id, load_case, rendering_cases
from typer.testing import CliRunner

import pml
from pml.cli.app import app
from pml.cli.tokentable import format_report
from pml.output.tokenreport import OUTSIDE, image_size, measure, render_marked
from pml.tokens.encodings import tokenizer_for

O200K = tokenizer_for(None)

# Rich reads these; the table output must not depend on the terminal the tests run in.
PLAIN_ENV = {"COLUMNS": "120", "FORCE_COLOR": None, "TTY_COMPATIBLE": None, "TTY_INTERACTIVE": None,
             "NO_COLOR": None, "TERM": "dumb"}
runner = CliRunner()


def png(width: int, height: int) -> bytes:
    """A valid grey PNG of the given size."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


# ---------------------------------------------------------------------- marks change nothing
@pytest.mark.parametrize("path", rendering_cases(), ids=case_id)
def test_marking_render_gives_exactly_the_messages_of_a_normal_render(path: Path) -> None:
    prompt, context, options = load_case(path)
    normal = prompt.render(context, **options)
    marked = render_marked(prompt, context, chat=options.get("chat", True))
    assert marked.rendered.messages == normal.messages
    assert marked.rendered.modules == normal.modules
    assert (marked.rendered.schema, marked.rendered.tools, marked.rendered.runtime) == \
           (normal.schema, normal.tools, normal.runtime)
    report = measure(prompt, context)
    assert report.total == sum(m.tokens for m in report.messages)
    assert sum(c.tokens for c in report.components) + report.outside_tokens == report.total


# ---------------------------------------------------------------------- counts
REVIEW = """<poml>
  <schema><module name="m" cache="true"><p>Stable instructions that never change.</p></module></schema>
  <role>You are a careful reviewer.</role>
  Loose text for {{ who }}.
  <task>Review the <b>patch</b> below.</task>
  <list><item>style</item><item>tests</item></list>
  <use module="m"/>
  <human-msg>Here is the patch: {{ patch }}</human-msg>
</poml>
"""
SYSTEM = ("# Role\n\nYou are a careful reviewer.\n\n Loose text for Bob. \n\n# Task\n\nReview the **patch** below."
          "\n\n- style\n- tests\n\nStable instructions that never change.")
HUMAN = "Here is the patch: fix the off-by-one in range()"
PIECES = {
    "<role>": "# Role\n\nYou are a careful reviewer.",
    "<task>": "# Task\n\nReview the **patch** below.",
    "<list>": "- style\n- tests",
    "<use>": "Stable instructions that never change.",
    "<human-msg>": HUMAN,
}
CONTEXT = {"who": "Bob", "patch": "fix the off-by-one in range()"}


@pytest.fixture()
def review() -> pml.Prompt:
    return pml.loads(REVIEW, name="review.pml")


def test_the_review_prompt_renders_as_expected(review: pml.Prompt) -> None:
    rendered = review.render(CONTEXT)
    assert [(m.speaker, m.parts) for m in rendered.messages] == [("system", (SYSTEM,)), ("human", (HUMAN,))]


@pytest.mark.parametrize("model", [None, "gpt-4", "gpt-4o", "claude-sonnet-4-5"])
def test_messages_components_and_modules_are_counted_exactly(review: pml.Prompt, model: str | None) -> None:
    tok = tokenizer_for(model)
    report = measure(review, CONTEXT, model)
    assert (report.model, report.encoding, report.estimate) == (tok.name, tok.encoding_name, tok.estimate)
    assert [(m.index, m.speaker, m.tokens, m.chars) for m in report.messages] == [
        (0, "system", tok.count(SYSTEM), len(SYSTEM)),
        (1, "human", tok.count(HUMAN), len(HUMAN)),
    ]
    assert report.total == tok.count(SYSTEM) + tok.count(HUMAN)
    assert report.chars == len(SYSTEM) + len(HUMAN)
    assert [(c.name, c.location, c.tokens, c.chars) for c in report.components] == [
        (name, f"review.pml:{line}:3", tok.count(text), len(text))
        for (name, text), line in zip(PIECES.items(), (3, 5, 6, 7, 8), strict=True)
    ]
    components = sum(tok.count(text) for text in PIECES.values())
    assert report.outside_tokens == report.total - components
    assert report.outside_chars == report.chars - sum(len(text) for text in PIECES.values())
    assert [(m.name, m.cached, m.tokens, m.chars, m.location) for m in report.modules] == [
        ("m", True, tok.count(PIECES["<use>"]), len(PIECES["<use>"]), "review.pml:7:3")]
    estimate_note = f"{tok.name} has no offline tokenizer: counts are estimates in o200k_base"
    assert report.notes == ((estimate_note,) if tok.estimate else ())


def test_the_default_model_is_o200k_base_and_not_an_estimate(review: pml.Prompt) -> None:
    report = measure(review, CONTEXT)
    assert (report.model, report.encoding, report.estimate) == ("o200k_base", "o200k_base", False)


def test_to_dict(review: pml.Prompt) -> None:
    report = measure(review, CONTEXT, "gpt-4o")
    data = report.to_dict()
    assert data["model"] == "gpt-4o" and data["encoding"] == "o200k_base" and data["estimate"] is False
    assert data["total_tokens"] == report.total and data["total_chars"] == report.chars
    assert data["messages"][1] == {"index": 1, "speaker": "human", "tokens": O200K.count(HUMAN),
                                   "chars": len(HUMAN), "images": 0, "image_tokens": 0}
    assert [c["name"] for c in data["components"]] == list(PIECES)
    assert data["outside"] == {"tokens": report.outside_tokens, "chars": report.outside_chars}
    assert data["modules"] == [{"name": "m", "cached": True, "tokens": O200K.count(PIECES["<use>"]),
                                "chars": len(PIECES["<use>"]), "location": "review.pml:7:3"}]
    assert json.loads(json.dumps(data)) == data


def test_marks_inside_speakers_keep_sticky_speakers() -> None:
    prompt = pml.loads("<poml><p>sys</p><p speaker=\"human\">q</p><p>still human</p>"
                       "<ai-msg>a</ai-msg><p>still ai</p><p for=\"x in [1, 2]\">n{{ x }}</p></poml>",
                       name="s.pml")
    report = measure(prompt)
    assert [(m.speaker, m.chars) for m in report.messages] == [("system", 3), ("human", 14), ("ai", 19)]
    assert [(c.name, c.location, c.chars) for c in report.components] == [
        ("<p>", "s.pml:1:7", 3), ("<p>", "s.pml:1:17", 1), ("<p>", "s.pml:1:41", 11), ("<ai-msg>", "s.pml:1:59", 1),
        ("<p>", "s.pml:1:77", 8), ("<p>", "s.pml:1:92", len("n1\n\nn2"))]


def test_a_token_limit_on_the_root_keeps_the_components() -> None:
    source = "<poml token-limit=\"{}\">\n<role>Be kind.</role>\n<task>Do {{{{ x }}}}.</task>\n</poml>\n"
    roomy = measure(pml.loads(source.format(1000), name="r.pml"), {"x": "it"})
    assert [(c.name, c.location, c.tokens, c.chars) for c in roomy.components] == [
        ("<role>", "r.pml:2:1", O200K.count("# Role\n\nBe kind."), 16),
        ("<task>", "r.pml:3:1", O200K.count("# Task\n\nDo it."), 14)]
    assert roomy.outside_chars == 2


def test_elements_cut_by_a_token_limit_keep_their_rows() -> None:
    prompt = pml.loads('<poml token-limit="8">\n<p priority="1">Low priority text that goes first.</p>\n'
                       '<p priority="3">This content has high priority and will be preserved longer.</p>\n'
                       '</poml>\n', name="cut.pml")
    text = prompt.render().messages[0].parts[0]
    assert text == "This content has high priority and will be (...truncated)"
    report = measure(prompt)
    assert [(c.name, c.location, c.tokens, c.chars) for c in report.components] == [
        ("<p>", "cut.pml:3:1", O200K.count(text), len(text))]
    assert (report.outside_tokens, report.outside_chars) == (0, 0)


def test_a_component_spanning_messages_sums_its_text() -> None:
    prompt = pml.loads("<poml><p>intro</p><div><human-msg>question?</human-msg><ai-msg>answer.</ai-msg></div>"
                       "</poml>", name="d.pml")
    report = measure(prompt)
    assert [m.speaker for m in report.messages] == ["system", "human", "ai"]
    div = report.components[1]
    assert (div.name, div.tokens, div.chars) == ("<div>", O200K.count("question?") + O200K.count("answer."), 16)


def test_the_elements_of_an_include_are_top_level(tmp_path: Path) -> None:
    (tmp_path / "inc.pml").write_text("<poml>\n<p>inc para</p>\nloose\n<task>inc task</task>\n</poml>\n",
                                      encoding="utf-8")
    (tmp_path / "main.pml").write_text('<poml>\n<role>R</role>\n<include src="inc.pml"/>\n</poml>\n',
                                       encoding="utf-8")
    report = measure(pml.load(tmp_path / "main.pml"))
    assert [(c.name, c.location.rsplit("/", 1)[-1], c.tokens) for c in report.components] == [
        ("<role>", "main.pml:2:1", O200K.count("# Role\n\nR")),
        ("<p>", "inc.pml:2:1", O200K.count("inc para")),
        ("<task>", "inc.pml:4:1", O200K.count("# Task\n\ninc task")),
    ]


def test_tool_calls_and_results_belong_to_their_elements() -> None:
    prompt = pml.loads(
        "<poml>\n<human-msg>Add 2 and 3.</human-msg>\n"
        "<ai-msg>Sure. <tool-request id=\"c1\" name=\"add\" parameters='{\"a\": 2, \"b\": 3}'/></ai-msg>\n"
        "<tool-response id=\"c1\" name=\"add\">5</tool-response>\n</poml>\n", name="t.pml")
    report = measure(prompt)
    call = 'add{"a":2,"b":3}'
    assert [(m.speaker, m.tokens, m.chars) for m in report.messages] == [
        ("human", O200K.count("Add 2 and 3."), 12),
        ("ai", O200K.count("Sure. ") + O200K.count(call), len("Sure. ") + len(call)),
        ("tool", O200K.count("5"), 1),
    ]
    assert [(c.name, c.tokens) for c in report.components] == [(m_name, m.tokens) for m_name, m in zip(
        ("<human-msg>", "<ai-msg>", "<tool-response>"), report.messages, strict=True)]
    assert (report.outside_tokens, report.outside_chars) == (0, 0)


def test_elements_that_write_nothing_are_not_listed() -> None:
    prompt = pml.loads('<poml><let name="x" value="1"/><p if="false">no</p><p>yes</p></poml>', name="n.pml")
    assert [c.name for c in measure(prompt).components] == ["<p>"]


def test_a_serialized_prompt_is_counted_whole() -> None:
    prompt = pml.loads('<poml syntax="json"><p>Hello <b>world</b></p><cp caption="k">v</cp></poml>', name="j.pml")
    text = prompt.render().messages[0].parts[0]
    report = measure(prompt)
    assert report.total == O200K.count(text)
    assert report.components == () and report.outside_tokens == report.total
    assert report.notes == ("the prompt is written as one serialized value (json, yaml, xml or html): "
                            "its elements are not counted one by one",)


# ---------------------------------------------------------------------- images
def test_an_image_is_counted_by_the_tile_rule(tmp_path: Path) -> None:
    (tmp_path / "pic.png").write_bytes(png(512, 512))
    path = tmp_path / "img.pml"
    path.write_text('<poml>\n<task>Describe it.</task>\n<human-msg>What is this? <img src="pic.png"/></human-msg>\n'
                    "</poml>\n", encoding="utf-8")
    prompt = pml.load(path)
    report = measure(prompt)
    assert O200K.count_image(512, 512) == 255
    human = report.messages[1]
    assert (human.speaker, human.images, human.image_tokens) == ("human", 1, 255)
    assert human.tokens == O200K.count("What is this? ") + 255
    assert report.total == O200K.count("# Task\n\nDescribe it.") + human.tokens
    msg = report.components[1]
    assert (msg.name, msg.images, msg.image_tokens, msg.tokens) == ("<human-msg>", 1, 255, human.tokens)
    assert report.outside_tokens == report.total - sum(c.tokens for c in report.components)


def test_an_image_of_unknown_format_is_counted_as_1024_square() -> None:
    data = base64.b64encode(b"not an image at all").decode()
    prompt = pml.loads(f'<poml><img base64="{data}" type="image/x-thing"/></poml>', name="u.pml")
    report = measure(prompt)
    assert report.total == O200K.count_image(1024, 1024) == 765
    assert report.components[0].image_tokens == 765
    assert report.notes == ("an image's size could not be read: it is counted as 1024×1024",)


def test_image_sizes_are_read_from_headers() -> None:
    from PIL import Image

    def encoded(kind: str, size: tuple[int, int]) -> str:
        out = io.BytesIO()
        Image.new("RGB", size, "white").save(out, kind)
        return base64.b64encode(out.getvalue()).decode()

    assert image_size(base64.b64encode(png(300, 200)).decode()) == (300, 200)
    assert image_size(encoded("JPEG", (1600, 900))) == (1600, 900)
    assert image_size(encoded("GIF", (33, 44))) == (33, 44)
    assert image_size(encoded("WEBP", (640, 480))) == (640, 480)
    assert image_size(base64.b64encode(b"GIF89a").decode()) is None
    assert image_size("!!!") is None


# ---------------------------------------------------------------------- the command
SMALL = "<poml>\n  <role>You are terse.</role>\n  <task>Say hi to {{ name }}.</task>\n</poml>\n"
SMALL_TEXT = "# Role\n\nYou are terse.\n\n# Task\n\nSay hi to Ada."


@pytest.fixture()
def small(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "p.pml"
    path.write_text(SMALL, encoding="utf-8")
    return path


def _lines(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.split("\n"))


def test_cli_table(small: Path) -> None:
    assert (O200K.count(SMALL_TEXT), O200K.count("# Role\n\nYou are terse."), O200K.count("# Task\n\nSay hi to Ada.")) \
        == (15, 7, 8)
    result = runner.invoke(app, ["tokens", "p.pml", "--var", "name=Ada"], env=PLAIN_ENV)
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout
    assert _lines(result.stdout) == """\
p.pml: 15 tokens, 46 characters (o200k_base, exact)

messages
#   speaker   tokens   chars
────────────────────────────
1   human         15      46
────────────────────────────
    total         15      46

components
component               where       tokens   chars    share
───────────────────────────────────────────────────────────
<role>                  p.pml:2:3        7      22    46.7%
<task>                  p.pml:3:3        8      22    53.3%
text outside elements                    0       2     0.0%
───────────────────────────────────────────────────────────
total                                   15      46   100.0%
"""


def test_cli_table_with_a_model_images_modules_and_notes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pic.png").write_bytes(png(512, 512))
    (tmp_path / "q.pml").write_text(
        '<poml>\n<schema><module name="m" cache="true"><p>Stable.</p></module></schema>\n<use module="m"/>\n'
        '<human-msg>See <img src="pic.png"/></human-msg>\n</poml>\n', encoding="utf-8")
    result = runner.invoke(app, ["tokens", "q.pml", "--model", "claude-sonnet-4-5"], env=PLAIN_ENV)
    assert result.exit_code == 0, result.output
    stable, see = O200K.count("Stable."), O200K.count("See ")
    assert (stable, see) == (2, 2)
    assert _lines(result.stdout) == """\
q.pml: 259 tokens, 11 characters (claude-sonnet-4-5: estimated in o200k_base)

messages
#   speaker   tokens   chars   images
─────────────────────────────────────
1   system         2       7
2   human        257       4        1
─────────────────────────────────────
    total        259      11        1

components
component               where       tokens   chars    share
───────────────────────────────────────────────────────────
<use>                   q.pml:3:1        2       7     0.8%
<human-msg>             q.pml:4:1      257       4    99.2%
text outside elements                    0       0     0.0%
───────────────────────────────────────────────────────────
total                                  259      11   100.0%

modules
module   cached   where       tokens   chars
────────────────────────────────────────────
m        yes      q.pml:3:1        2       7

note: claude-sonnet-4-5 has no offline tokenizer: counts are estimates in o200k_base
"""


def test_format_report_renders_plain_text(small: Path) -> None:
    report = measure(pml.load("p.pml"), {"name": "Ada"})
    text = format_report(report, "p.pml", width=60)
    assert text.startswith("p.pml: 15 tokens, 46 characters (o200k_base, exact)\n")
    assert "<task>                  p.pml:3:3        8      22    53.3%" in text
    assert "\x1b" not in text


def test_cli_json(small: Path) -> None:
    result = runner.invoke(app, ["tokens", "p.pml", "--var", "name=Ada", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "file": "p.pml",
        "model": "o200k_base",
        "encoding": "o200k_base",
        "estimate": False,
        "total_tokens": 15,
        "total_chars": 46,
        "messages": [{"index": 0, "speaker": "human", "tokens": 15, "chars": 46, "images": 0, "image_tokens": 0}],
        "components": [
            {"name": "<role>", "location": "p.pml:2:3", "tokens": 7, "chars": 22, "images": 0, "image_tokens": 0},
            {"name": "<task>", "location": "p.pml:3:3", "tokens": 8, "chars": 22, "images": 0, "image_tokens": 0},
        ],
        "outside": {"tokens": 0, "chars": 2},
        "modules": [],
        "notes": [],
    }


def test_cli_context_files_and_model(small: Path, tmp_path: Path) -> None:
    (tmp_path / "p.context.json").write_text('{"name": "Ada"}', encoding="utf-8")
    result = runner.invoke(app, ["tokens", "p.pml", "-f", "json", "-m", "gpt-4"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["model"], data["encoding"], data["total_tokens"]) == \
           ("gpt-4", "cl100k_base", tokenizer_for("gpt-4").count(SMALL_TEXT))
    (tmp_path / "other.json").write_text('{"name": "Bo"}', encoding="utf-8")
    result = runner.invoke(app, ["tokens", "p.pml", "-f", "json", "-c", "other.json"])
    assert json.loads(result.stdout)["total_chars"] == len(SMALL_TEXT) - 1


def test_cli_missing_file(small: Path) -> None:
    result = runner.invoke(app, ["tokens", "nope.pml"])
    assert result.exit_code == 1
    assert result.stderr == "nope.pml: no such file\n"
    assert result.stdout == ""


def test_cli_bad_context(small: Path, tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text('{"name":\n', encoding="utf-8")
    result = runner.invoke(app, ["tokens", "p.pml", "--context", "bad.json"])
    assert result.exit_code == 1
    assert result.stderr == "bad.json:2:1: the context is not valid JSON: Expecting value\n"
    result = runner.invoke(app, ["tokens", "p.pml", "--context", "gone.json"])
    assert (result.exit_code, result.stderr) == (1, "gone.json: context file not found\n")
    result = runner.invoke(app, ["tokens", "p.pml", "--var", "oops"])
    assert (result.exit_code, result.stderr) == (1, "--var expects key=value, not `oops`\n")


def test_cli_render_error_is_located(small: Path) -> None:
    result = runner.invoke(app, ["tokens", "p.pml"])
    assert result.exit_code == 1
    assert result.stderr.startswith("p.pml:3:22: undefined variable `name`\n")
    assert "Traceback" not in result.stderr


def test_cli_image_outside_the_root_is_located(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pic.png").write_bytes(png(8, 8))
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "i.pml").write_text('<poml>\n<img src="../pic.png"/>\n</poml>\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["tokens", "sub/i.pml", "-f", "json"])
    assert result.exit_code == 1
    assert result.stderr.startswith("sub/i.pml:2:")
    assert "outside the prompt's folder" in result.stderr
    result = runner.invoke(app, ["tokens", "sub/i.pml", "-f", "json", "--root", "."])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["total_tokens"] == O200K.count_image(8, 8) == 255


def test_outside_label_is_stable() -> None:
    assert OUTSIDE == "text outside elements"
