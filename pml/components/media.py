"""Media components: `<img>` and `<audio>`, which become image and audio parts of messages.

An image with `alt` text in a text syntax (markdown, the default) is written as its alt text
only, as in POML; `syntax="multimedia"` keeps the image itself. An image without `alt` is
always a media part. The file's bytes are sent unchanged unless `maxWidth`, `maxHeight` or
`resize` ask for a smaller image (that needs Pillow: `pip install 'pml[documents]'`).
"""

from __future__ import annotations

import base64
import binascii
import mimetypes
from collections.abc import Mapping
from typing import Any

from pml import readers
from pml.compile.program import CNode
from pml.components import boxes as ir
from pml.components.layout import Ctx, LayoutContext
from pml.components.reading import read_bytes, resolve_path, src_span
from pml.components.text import handles_syntax
from pml.errors import render_error
from pml.readers import MissingExtra, ReadFailure
from pml.registry import SYNTAXES, Attr, component

MEDIA_SYNTAXES = (*SYNTAXES, "multimedia")
POSITIONS = ("here", "top", "bottom")
EXTRA_HINT = "pip install 'pml[documents]'"

# Magic numbers, for bytes given without a file name.
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"RIFF", "image/webp"),
    (b"ID3", "audio/mpeg"),
    (b"\xff\xfb", "audio/mpeg"),
    (b"OggS", "audio/ogg"),
    (b"fLaC", "audio/flac"),
)


def sniff(data: bytes, name: str | None, default: str) -> str:
    """The MIME type of media bytes, from the file name or the leading bytes."""
    if name:
        guessed, _ = mimetypes.guess_type(name)
        if guessed:
            return guessed
    for magic, mime in _MAGIC:
        if data.startswith(magic):
            if mime == "image/webp" and data[8:12] == b"WAVE":
                return "audio/wav"
            return mime
    return default


def media_bytes(r: LayoutContext, node: CNode, attrs: Mapping[str, Any], what: str) -> tuple[bytes, str | None]:
    """The bytes from `src` (a file) or `base64`, and the file name if there is one."""
    src = attrs.get("src")
    if src:
        text = str(src)
        if text.startswith(("http://", "https://")):
            raise render_error(f"{what} URLs are not fetched: {text}", src_span(node),
                               "download the file next to the prompt and use src=\"file\"")
        path = resolve_path(r, node, text, what)
        return read_bytes(r, node, path, text, what), path.name
    encoded = attrs.get("base64")
    if encoded:
        try:
            return base64.b64decode(str(encoded), validate=True), None
        except (binascii.Error, ValueError):
            raise render_error(f"`base64` of the {what} is not valid base64", node.span) from None
    raise render_error(f"`<{node.element.tag}>` needs `src` or `base64`", node.span,
                       f'write <{node.element.tag} src="file"/>')


def scaling(attrs: Mapping[str, Any]) -> readers.images.Scaling:
    """The scaling `maxWidth`, `maxHeight` and `resize` ask for."""
    return readers.images.Scaling(attrs.get("maxWidth"), attrs.get("maxHeight"), attrs.get("resize"))


def resize(r: LayoutContext, node: CNode, data: bytes, mime: str, attrs: Mapping[str, Any]) -> tuple[bytes, str]:
    """Scale an image down to fit `maxWidth`/`maxHeight` and by the `resize` ratio (Pillow)."""
    try:
        return readers.images.scale_image(data, mime, scaling(attrs))
    except MissingExtra:
        raise render_error("resizing images needs the optional readers", node.span, EXTRA_HINT) from None
    except ReadFailure as exc:
        where = src_span(node) if attrs.get("src") else node.span
        raise render_error(f"cannot resize the image: {exc}", where, exc.hint) from None


def _common_attrs(what: str) -> list[Attr]:
    """The attributes images and audio share."""
    return [
        Attr("src", "string", f"The {what} file, relative to the prompt."),
        Attr("base64", "string", f"The {what} bytes, base64-encoded (instead of src)."),
        Attr("alt", "string", f"Text standing for the {what}."),
        Attr("type", "string", "The MIME type (default: from the file)."),
        Attr("position", "enum", f"Where the {what} goes in its message: here, top or bottom.",
             POSITIONS, default="here"),
        Attr("syntax", "enum", f"multimedia keeps the {what}; a text syntax writes the alt text.",
             MEDIA_SYNTAXES),
    ]


@component("Image", "img", "image",
           doc="An image, sent as an image part of its message. With `alt` in a text syntax only "
               "the alt text is written; `syntax=\"multimedia\"` keeps the image.",
           kind="inline",
           attrs=[*_common_attrs("image"),
                  Attr("maxWidth", "number", "Scale the image down to this width (pixels)."),
                  Attr("maxHeight", "number", "Scale the image down to this height (pixels)."),
                  Attr("resize", "number", "Scale the image by this ratio (0 to 1).")])
@handles_syntax
def layout_img(r: LayoutContext, node: CNode, attrs: Mapping[str, Any], scope: dict[str, Any],
               ctx: Ctx) -> list[ir.Box]:
    syntax = attrs.get("syntax")
    alt = attrs.get("alt")
    if alt and syntax != "multimedia":
        return [ir.Inline(str(alt), True)]
    data, name = media_bytes(r, node, attrs, "image")
    mime = str(attrs.get("type") or sniff(data, name, "image/png"))
    if scaling(attrs):
        data, mime = resize(r, node, data, mime, attrs)
    encoded = base64.b64encode(data).decode("ascii")
    return [ir.Media(mime, encoded, str(alt) if alt else None, attrs.get("position") or "here", node.span)]


@component("Audio", "audio",
           doc="An audio clip, sent as an audio part of its message.",
           kind="inline",
           attrs=_common_attrs("audio clip"))
@handles_syntax
def layout_audio(r: LayoutContext, node: CNode, attrs: Mapping[str, Any], scope: dict[str, Any],
                 ctx: Ctx) -> list[ir.Box]:
    syntax = attrs.get("syntax")
    alt = attrs.get("alt")
    if alt and syntax not in (None, "multimedia"):
        return [ir.Inline(str(alt), True)]
    data, name = media_bytes(r, node, attrs, "audio")
    mime = str(attrs.get("type") or sniff(data, name, "audio/mpeg"))
    encoded = base64.b64encode(data).decode("ascii")
    return [ir.Media(mime, encoded, str(alt) if alt else None, attrs.get("position") or "here", node.span)]
