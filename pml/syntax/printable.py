"""Text as a terminal can show it: what messages and excerpts print in place of invisible characters.

It imports nothing of PML, so both the sources (`pml.syntax.source`) and the errors (`pml.errors`)
can use it.
"""

from __future__ import annotations

import re

# What an excerpt or a message shows in place of characters a terminal cannot print: C0 controls
# (tab and newline stay) as their Control Pictures, DEL as ␡, lone surrogates as U+FFFD.
_INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")


def _picture(found: re.Match[str]) -> str:
    code = ord(found.group())
    if code < 0x20:
        return chr(0x2400 + code)
    return "\u2421" if code == 0x7F else "\ufffd"


def visible(text: str) -> str:
    """`text` with control characters and lone surrogates replaced by visible symbols."""
    return _INVISIBLE.sub(_picture, text) if _INVISIBLE.search(text) else text


__all__ = ["visible"]
