"""Images and audio: message parts, their payload shapes, resizing and its optional extra."""

from __future__ import annotations

import base64
import builtins
import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

import pml

MEDIA = Path(__file__).resolve().parent / "cases" / "media"
RED = base64.b64encode((MEDIA / "red.png").read_bytes()).decode()


def _render(markup: str) -> pml.Rendered:
    return pml.loads(markup, base_dir=MEDIA).render()


def test_image_bytes_are_sent_unchanged() -> None:
    (message,) = _render('<poml><img src="red.png"/></poml>').messages
    assert message.content == [{"type": "image/png", "base64": RED}]


def test_image_parts_in_openai_and_anthropic_payloads() -> None:
    rendered = _render('<poml><human-msg>See <img src="red.png" syntax="multimedia" alt="red"/> now</human-msg></poml>')
    assert rendered.to_openai() == {"messages": [{"role": "user", "content": [
        {"type": "text", "text": "See "},
        {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{RED}"}},
        {"type": "text", "text": " now"},
    ]}]}
    assert rendered.to_anthropic()["messages"][0]["content"][1] == {
        "type": "image", "source": {"type": "base64", "media_type": "image/png", "data": RED}}


def test_resize_fits_the_limits() -> None:
    (message,) = _render('<poml><img src="red.png" maxWidth="10"/></poml>').messages
    part = message.content[0]
    with Image.open(io.BytesIO(base64.b64decode(part["base64"]))) as image:
        assert image.size == (10, 5)


def test_resize_without_pillow_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_pillow(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "PIL" or name.startswith("PIL."):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pillow)
    with pytest.raises(pml.PMLRenderError) as info:
        _render('<poml><img src="red.png" maxWidth="10"/></poml>')
    assert info.value.message == "resizing images needs the optional readers"
    assert info.value.hint == "pip install 'pml[documents]'"


def test_audio_is_a_part_with_its_type() -> None:
    clip = base64.b64encode(b"ID3\x03\x00rest of an mp3").decode()
    (message,) = _render(f'<poml><audio base64="{clip}"/></poml>').messages
    assert message.content == [{"type": "audio/mpeg", "base64": clip}]
    payload = pml.loads(f'<poml><audio base64="{clip}"/></poml>').render().to_openai()
    expected = [{"type": "input_audio", "input_audio": {"data": clip, "format": "mp3"}}]
    assert payload["messages"][0]["content"] == expected


def test_missing_image_and_urls_are_located_errors() -> None:
    with pytest.raises(pml.PMLCompileError) as info:  # a literal src is checked when compiling
        pml.loads('<poml>\n<img src="nope.png"/></poml>', name="m.pml", base_dir=MEDIA)
    assert str(info.value).startswith("m.pml:2:11: image not found: nope.png")
    with pytest.raises(pml.PMLRenderError) as info:  # and a src built by an expression when rendering
        pml.loads('<poml>\n<img src="{{ name }}"/></poml>', name="m.pml", base_dir=MEDIA).render({"name": "nope.png"})
    assert str(info.value).startswith("m.pml:2:11: image not found: nope.png")
    with pytest.raises(pml.PMLRenderError) as info:
        pml.loads('<poml><img src="https://example.com/a.png"/></poml>').render()
    assert info.value.message == "image URLs are not fetched: https://example.com/a.png"
