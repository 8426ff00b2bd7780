"""The `pml/preview` request: messages, token counts, diagnostics, cache plans and the HTML page."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from lsp_helpers import change, open_file
from pytest_lsp import LanguageClient

from pml import load
from pml.tokens.encodings import tokenizer_for

pytestmark = pytest.mark.asyncio(loop_scope="session")

DOC = """<poml>
  <role>You are a guide for {{ city }}.</role>
  <human-msg>What should I see in {{ city }}? Say <b>three</b> & more.</human-msg>
</poml>
"""


async def preview(client: LanguageClient, params: dict[str, Any]) -> dict[str, Any]:
    result = await client.protocol.send_request_async("pml/preview", params)
    assert isinstance(result, dict)
    return result


def count(text: str) -> int:
    return tokenizer_for(None).count(text)


async def test_preview_renders_with_the_context_beside_the_file(client: LanguageClient, tmp_path: Path) -> None:
    (tmp_path / "guide.context.json").write_text(json.dumps({"city": "Lyon"}), encoding="utf-8")
    uri = await open_file(client, tmp_path / "guide.pml", DOC)
    result = await preview(client, {"uri": uri})
    system = "# Role\n\nYou are a guide for Lyon."
    human = "What should I see in Lyon? Say **three** & more."
    assert [(m["speaker"], m["text"], m["tokens"]) for m in result["messages"]] == [
        ("system", system, count(system)), ("human", human, count(human))]
    assert result["total_tokens"] == count(system) + count(human)
    assert result["diagnostics"] == []
    assert result["cache"] is None
    assert result["error"] is None
    page = result["html"]
    assert page.startswith("<!DOCTYPE html>")
    assert "You are a guide for Lyon." in page
    assert "What should I see in Lyon? Say **three** &amp; more." in page  # escaped
    assert f"{count(human)} tokens" in page
    assert "<script" not in page and "http" not in page.replace('http-equiv', '')


async def test_preview_uses_the_editor_text_and_the_context_given(client: LanguageClient, tmp_path: Path) -> None:
    (tmp_path / "guide.context.json").write_text(json.dumps({"city": "Lyon"}), encoding="utf-8")
    uri = await open_file(client, tmp_path / "guide.pml", DOC)
    await change(client, uri, "<p>Hello {{ who }} in {{ city }}!</p>\n")
    result = await preview(client, {"uri": uri, "context": {"who": "<Ada>", "city": "Oslo", "odd-key": 1}})
    assert [m["text"] for m in result["messages"]] == ["Hello <Ada> in Oslo!"]
    assert "Hello &lt;Ada&gt; in Oslo!" in result["html"]


async def test_preview_of_a_prompt_with_a_cached_module(client: LanguageClient, tmp_path: Path) -> None:
    policy = " ".join(f"Rule {n}: answer politely and check the booking number." for n in range(150))
    text = (f'<schema><module name="policy" cache="true">{policy}</module></schema>\n'
            '<use module="policy"/>\n<human-msg>{{ question }}</human-msg>\n')
    uri = await open_file(client, tmp_path / "cached.pml", text)
    result = await preview(client, {"uri": uri, "context": {"question": "Can I change my flight?"}})
    rendered = load(tmp_path / "cached.pml").render({"question": "Can I change my flight?"})
    assert result["cache"] == {"anthropic": rendered.cache_plan("anthropic").to_dict(),
                               "openai": rendered.cache_plan("openai").to_dict()}
    breakpoints = result["cache"]["anthropic"]["breakpoints"]
    assert [(b["module"], b["message"], b["part"]) for b in breakpoints] == [("policy", 0, 0)]
    assert result["modules"] == [{"name": "policy", "cached": True, "start": [0, 0, 0],
                                  "end": [0, 0, len(policy)]}]
    page = result["html"]
    assert "⟂ cache breakpoint after policy" in page
    assert page.index("Rule 149") < page.index("⟂ cache breakpoint") < page.index("Can I change my flight?")
    assert result["cache"]["openai"]["cache_key"] in page


async def test_preview_of_a_prompt_that_does_not_compile(client: LanguageClient, tmp_path: Path) -> None:
    uri = await open_file(client, tmp_path / "bad.pml", "<tsk>x</tsk>\n")
    result = await preview(client, {"uri": uri})
    assert result["messages"] == [] and result["total_tokens"] == 0
    assert result["error"] == "unknown tag `<tsk>`"
    assert [(d["severity"], d["line"], d["column"], d["hint"]) for d in result["diagnostics"]] == [
        ("error", 1, 2, "did you mean `<task>`?")]
    assert "unknown tag `&lt;tsk&gt;`" in result["html"]


async def test_preview_reports_warnings(client: LanguageClient, tmp_path: Path) -> None:
    uri = await open_file(client, tmp_path / "warn.pml", '<p colour="red">Hi</p>\n')
    result = await preview(client, {"uri": uri})
    assert [m["text"] for m in result["messages"]] == ["Hi"]
    assert [(d["severity"], d["message"]) for d in result["diagnostics"]] == [
        ("warning", "unknown attribute `colour` on `<p>`")]
