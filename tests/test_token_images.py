"""Image sizes from headers (`pml.tokens.images`), and the cache plan counting images with them."""

from __future__ import annotations

import base64
import io
import struct
import zlib

import pytest
from PIL import Image

from pml.components.parts import MediaPart, Message
from pml.output.cacheplan import plan
from pml.output.prompt import Rendered
from pml.tokens.encodings import tokenizer_for
from pml.tokens.images import image_size


def png(width: int, height: int) -> bytes:
    """A PNG header that says `width`×`height` (the data after it is not read)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + header
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(header)) + chunk + struct.pack(">I", zlib.crc32(chunk))


def encoded(kind: str, size: tuple[int, int]) -> str:
    out = io.BytesIO()
    Image.new("RGB", size, "white").save(out, kind)
    return base64.b64encode(out.getvalue()).decode()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@pytest.mark.parametrize(("kind", "size"), [("PNG", (300, 200)), ("JPEG", (1600, 900)), ("GIF", (33, 44)),
                                            ("WEBP", (640, 480)), ("WEBP", (1, 1))])
def test_sizes_of_each_format(kind: str, size: tuple[int, int]) -> None:
    assert image_size(encoded(kind, size)) == size


@pytest.mark.parametrize("data", [
    b64(png(0, 10)), b64(png(10, 0)),  # a size of 0 is no size
    b64(b"GIF89a"), b64(b"\xff\xd8\xff"), b64(b"RIFF\x00\x00\x00\x00WEBPVP8 "),  # headers cut short
    b64(b"plain text"), "!!!", "", "a",
])
def test_what_gives_no_size(data: str) -> None:
    assert image_size(data) is None


def test_the_cache_plan_counts_an_image_by_its_header() -> None:
    def total(data: str) -> int | None:
        rendered = Rendered((Message("human", ("Look", MediaPart("image/png", data))),))
        return plan(rendered, "openai", "gpt-4o").total_tokens

    text = tokenizer_for("gpt-4o").count("Look")
    assert total(encoded("JPEG", (512, 512))) == text + tokenizer_for("gpt-4o").count_image(512, 512)
    # no size to read (or a size of 0): counted as 1024×1024, never an error
    default = text + tokenizer_for("gpt-4o").count_image(1024, 1024)
    assert total(b64(png(0, 700))) == default
    assert total("not base64 at all!") == default
