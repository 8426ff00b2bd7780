"""Scaling images down with Pillow (optional: the `documents` extra), inside the pixel limit.

An image is only decoded when it must be scaled (`maxWidth`, `maxHeight`, `resize`, on an
`<img>` or through a stylesheet on the pictures of a document). A small file can declare a huge
canvas (a "decompression bomb": a few kilobytes of PNG that decode to gigabytes), so the size
its header declares is held against `max_image_pixels` before a pixel is decoded. Pillow's own
check (a warning, or an exception past twice its bound) becomes the same `ReadFailure`, never a
warning on the caller's console.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import Any

from pml import limits
from pml.errors import limit_hint
from pml.readers import MissingExtra, ReadFailure


@dataclass(frozen=True, slots=True)
class Scaling:
    """How to scale an image: a bounding box (pixels) and a ratio, each optional."""

    max_width: float | None = None
    max_height: float | None = None
    ratio: float | None = None

    def __bool__(self) -> bool:
        return bool(self.max_width or self.max_height or self.ratio)


def scale_image(data: bytes, mime: str, scaling: Scaling) -> tuple[bytes, str]:
    """The image scaled down to fit `scaling` (PNG stays PNG, the rest becomes JPEG), or the bytes
    unchanged when it already fits. `ReadFailure` for an image that cannot be decoded or that
    has more pixels than `max_image_pixels`."""
    try:
        from PIL import Image as pil
    except ImportError:
        raise MissingExtra("resizing images", "PIL") from None
    with _open(pil, data) as image:
        width, height = image.size
        scale = float(scaling.ratio or 1.0)
        if scaling.max_width:
            scale = min(scale, float(scaling.max_width) / width)
        if scaling.max_height:
            scale = min(scale, float(scaling.max_height) / height)
        if scale >= 1.0:
            return data, mime
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        try:
            smaller = image.resize(size)
        except (OSError, ValueError, SyntaxError) as exc:  # damaged pixel data
            raise ReadFailure(f"not a readable image ({type(exc).__name__}: {exc})") from None
    kind = "PNG" if mime == "image/png" else "JPEG"
    if kind == "JPEG" and smaller.mode not in ("RGB", "L"):
        smaller = smaller.convert("RGB")
    out = io.BytesIO()
    smaller.save(out, kind)
    return out.getvalue(), "image/png" if kind == "PNG" else "image/jpeg"


def _open(pil: Any, data: bytes) -> Any:
    """The image, opened (its header read, nothing decoded) and checked against the pixel limit."""
    limit = limits.current().max_image_pixels
    too_large = ReadFailure(f"the image has more than {limit:,} pixels (the limit `max_image_pixels`)",
                            limit_hint("max_image_pixels", "use a smaller image"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pil.DecompressionBombWarning)
        try:
            image = pil.open(io.BytesIO(data))
        except pil.DecompressionBombError:
            raise too_large from None
        except (OSError, ValueError, SyntaxError) as exc:  # UnidentifiedImageError is an OSError
            raise ReadFailure(f"not a readable image ({type(exc).__name__}: {exc})") from None
    width, height = image.size
    if width * height > limit:
        image.close()
        raise too_large
    return image


__all__ = ["Scaling", "scale_image"]
