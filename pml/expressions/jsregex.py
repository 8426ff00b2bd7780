"""JavaScript regular expressions, run with a time bound.

A literal `/pattern/flags` becomes a `JSRegExp`. Patterns run on the `regex` package, which
reads Python's syntax; the few JavaScript forms Python spells differently are rewritten
(`(?<name>…)`, `\\k<name>`, `[^]`, and `$`, which without the `m` flag matches only at the
very end). Every match, search, split and substitution is bounded by `limits.regex_timeout`
seconds; a pattern that runs longer (catastrophic backtracking: `/^(a+)+$/`) raises
`RegexTimeout`, which names the pattern. String patterns (`s.replace('.', '!')`) are literal
text, as in JavaScript.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import regex

from pml import limits
from pml.values import to_text

from .budget import check_text, limit_text


class RegexTimeout(ValueError):
    """A regular expression ran longer than `limits.regex_timeout`."""

    def __init__(self, shown: str) -> None:
        seconds = limits.current().regex_timeout
        super().__init__(f"the regular expression {shown} ran longer than {seconds:g} s "
                         "(it may backtrack catastrophically)")


class JSRegExp:
    """A JavaScript regular expression literal.

    Flags: `g` (replace/match every occurrence), `i`, `m`, `s`; `u` and `d` are accepted and
    ignored. `source` and `flags` are readable from expressions, as is `test(text)`.
    """

    __slots__ = ("_compiled", "flags", "is_global", "source")

    def __init__(self, source: str, flags: str) -> None:
        for flag in flags:
            if flag == "y":
                raise ValueError("the sticky flag `y` is not supported")
            if flag not in "gimsud" or flags.count(flag) > 1:
                raise ValueError(f"flag `{flag}` is unknown or repeated")
        options = regex.IGNORECASE if "i" in flags else 0
        options |= regex.MULTILINE if "m" in flags else 0
        options |= regex.DOTALL if "s" in flags else 0
        self.source = source
        self.flags = flags
        self.is_global = "g" in flags
        check_size(source)
        self._compiled = regex.compile(python_pattern(source, "m" in flags), options | regex.VERSION0)

    def test(self, text: Any) -> bool:
        """Whether the pattern matches anywhere in `text`."""
        return search(self._compiled, to_text(text), str(self)) is not None

    def __str__(self) -> str:
        return f"/{self.source}/{self.flags}"

    __repr__ = __str__


_MAX_EXPANSION = 100_000
_COUNTED = re.compile(r"\{(\d*)(?:,(\d*))?\}")


def check_size(source: str) -> None:
    """Refuse a pattern whose counted repeats, nested, multiply past 100,000 (`((a{1000}){1000}){1000}`):
    the engine unrolls them when it compiles, and would run out of memory."""
    stack: list[list[int]] = [[0, 0]]  # per open group: [size so far, size of the last item]
    index, in_class = 0, False
    while index < len(source):
        char = source[index]
        top = stack[-1]
        if char == "\\":
            top[0], top[1] = top[0] + 1, 1
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            top[0], top[1] = top[0] + 1, 1
        elif char == "(":
            stack.append([0, 0])
        elif char == ")" and len(stack) > 1:
            inner = stack.pop()[0]
            stack[-1][0] += inner
            stack[-1][1] = inner
        elif char == "{" and (counted := _COUNTED.match(source, index)) is not None:
            low, high = counted.group(1), counted.group(2)
            times = max(int(low or 0), int(high or 0)) if len(low) < 7 and len(high or "") < 7 else _MAX_EXPANSION + 1
            top[0] += top[1] * (max(times, 1) - 1)
            top[1] *= max(times, 1)
            index = counted.end()
            if top[0] > _MAX_EXPANSION:
                raise ValueError(f"its counted repeats unroll to more than {_MAX_EXPANSION} steps")
            continue
        else:
            top[0], top[1] = top[0] + 1, 1
        index += 1
    if sum(level[0] for level in stack) > _MAX_EXPANSION:
        raise ValueError(f"its counted repeats unroll to more than {_MAX_EXPANSION} steps")


def python_pattern(source: str, multiline: bool) -> str:
    """Rewrite the few JavaScript regex forms Python spells differently."""
    out: list[str] = []
    index, in_class = 0, False
    while index < len(source):
        char = source[index]
        if char == "\\":
            if source.startswith("\\k<", index) and ">" in source[index:]:
                end = source.index(">", index)
                out.append(f"(?P={source[index + 3 : end]})")
                index = end + 1
                continue
            out.append(source[index : index + 2])
            index += 2
            continue
        if in_class:
            in_class = char != "]"
            out.append(char)
        elif source.startswith("[^]", index):
            out.append(r"[\s\S]")
            index += 3
            continue
        elif char == "[":
            in_class = True
            out.append(char)
        elif source.startswith("(?<", index) and source[index + 3 : index + 4] not in ("=", "!"):
            out.append("(?P<")
            index += 3
            continue
        elif char == "$" and not multiline:
            out.append(r"\Z")
        else:
            out.append(char)
        index += 1
    return "".join(out)


@lru_cache(maxsize=512)
def cached(source: str, flags: str) -> JSRegExp:
    """The regular expression of a literal, compiled once per process."""
    return JSRegExp(source, flags)


def _timeout() -> float:
    return limits.current().regex_timeout


def search(pattern: Any, text: str, shown: str) -> Any:
    try:
        return pattern.search(text, timeout=_timeout())
    except TimeoutError:
        raise RegexTimeout(shown) from None


def find_all(pattern: Any, text: str, shown: str) -> list[Any]:
    try:
        return list(pattern.finditer(text, timeout=_timeout()))
    except TimeoutError:
        raise RegexTimeout(shown) from None


def split(pattern: Any, text: str, shown: str) -> list[Any]:
    try:
        return list(pattern.split(text, timeout=_timeout()))
    except TimeoutError:
        raise RegexTimeout(shown) from None


_DOLLAR = re.compile(r"\$(\$|&|`|'|\d{1,2}|<[^>]*>)")


def expand(template: str, match: Any) -> str:
    """Apply JavaScript's `$&`, `$1`, `$<name>`, `` $` ``, `$'` and `$$` to one match."""
    groups = match.re.groups

    def one(token: re.Match[str]) -> str:
        key = token.group(1)
        if key == "$":
            return "$"
        if key == "&":
            return str(match.group(0))
        if key == "`":
            return str(match.string[: match.start()])
        if key == "'":
            return str(match.string[match.end() :])
        if key.startswith("<"):
            name = key[1:-1]
            if not match.re.groupindex:
                return token.group(0)
            return (match.group(name) or "") if name in match.re.groupindex else ""
        if len(key) == 2 and 1 <= int(key) <= groups:
            return str(match.group(int(key)) or "")
        if 1 <= int(key[0]) <= groups:
            return str(match.group(int(key[0])) or "") + key[1:]
        return token.group(0)

    return _DOLLAR.sub(one, template)


def substitute(pattern: Any, text: str, replacement: str, count: int, shown: str) -> str:
    """Replace the first `count` matches (0: all), each size-checked before the result is built."""
    total = len(text)
    dollars = "$" in replacement

    def replace(match: Any) -> str:
        nonlocal total
        out = expand(replacement, match) if dollars else replacement
        total += len(out) - (match.end() - match.start())
        limit_text(total)
        return out

    try:
        result = str(pattern.sub(replace, text, count=count, timeout=_timeout()))
    except TimeoutError:
        raise RegexTimeout(shown) from None
    check_text(len(result))
    return result


def pattern_of(pattern: Any) -> tuple[Any, str]:
    """The compiled pattern of a `JSRegExp` or of literal text, and how to name it."""
    if isinstance(pattern, JSRegExp):
        return pattern._compiled, str(pattern)
    text = to_text(pattern)
    return _literal(text), f"`{text}`"


@lru_cache(maxsize=256)
def _literal(text: str) -> Any:
    return regex.compile(regex.escape(text))


@lru_cache(maxsize=16)
def _fixed(pattern: str) -> Any:
    return regex.compile(pattern, regex.DOTALL)


def remove_all(pattern: str, text: str) -> str:
    """Remove every match of one of PML's own patterns, with the same time bound."""
    try:
        return str(_fixed(pattern).sub("", text, timeout=_timeout()))
    except TimeoutError:
        raise RegexTimeout(f"/{pattern}/") from None

