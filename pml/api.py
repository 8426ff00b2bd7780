"""The Python SDK: load and render prompts, and POML's `poml()` call with its return shapes.

Compiled prompts are cached: by path while the file (and every file it includes) is unchanged,
and by content for strings, so rendering the same prompt again costs only the render.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pml import components as _components  # noqa: F401  (registers the component catalog)
from pml.compile.compiler import Compiler
from pml.errors import PMLTypeError, render_error
from pml.limits import Limits, using
from pml.output.prompt import Prompt, Rendered, dumps
from pml.output.targets import check_format
from pml.render.charsafe import fix_surrogates
from pml.style.stylesheet import ORIGIN_CALLER, Stylesheet, load_stylesheet, parse_css, parse_json_stylesheet
from pml.syntax.nodes import Document
from pml.syntax.parser import parse_source
from pml.syntax.source import Source, normalize_newlines

StylesheetArg = "str | Path | Mapping[str, Any] | Stylesheet | None"

_CACHE: OrderedDict[tuple[Any, ...], tuple[tuple[tuple[str, int, int], ...], Prompt]] = OrderedDict()
_CACHE_SIZE = 256
_LOCK = threading.Lock()


def _stamp(path: Path) -> tuple[str, int, int]:
    st = path.stat()
    return (str(path), st.st_mtime_ns, st.st_size)


STYLESHEET_SUFFIXES = (".pss", ".css", ".json")


def stylesheet_path(stylesheet: Any) -> Path | None:
    """The file a `stylesheet=` argument names, or None when it is a stylesheet itself.

    A `Path` (any `os.PathLike`) always names a file. A `str` is CSS or JSON text, unless it
    holds no `{` (so it cannot hold a rule), is one line, and ends in `.pss`, `.css` or `.json`:
    then it names a file. Nothing is guessed from a string's length or from what is on disk.
    """
    if isinstance(stylesheet, os.PathLike):
        return Path(stylesheet)
    if isinstance(stylesheet, str):
        text = stylesheet.strip()
        if "{" not in text and "\n" not in text and text.lower().endswith(STYLESHEET_SUFFIXES):
            return Path(text)
    return None


def _sheet(stylesheet: Any) -> list[Stylesheet]:
    if stylesheet is None:
        return []
    if isinstance(stylesheet, Stylesheet):
        return [stylesheet]
    if isinstance(stylesheet, Mapping):
        return [parse_json_stylesheet(dict(stylesheet), None, 0, origin=ORIGIN_CALLER)]
    path = stylesheet_path(stylesheet)
    if path is not None:
        return [load_stylesheet(path, origin=ORIGIN_CALLER)]
    if isinstance(stylesheet, str):
        source = Source(normalize_newlines(stylesheet), "<stylesheet>")
        if source.text.lstrip().startswith("{"):
            return [parse_json_stylesheet(source.text, source, 0, origin=ORIGIN_CALLER)]
        return [parse_css(source.text, source, 0, origin=ORIGIN_CALLER)]
    raise PMLTypeError(f"stylesheet must be a path, a dict, CSS text or a Stylesheet, not {type(stylesheet).__name__}")


def _given(value: Any, types: type | tuple[type, ...], what: str, expected: str) -> Any:
    """`value`, when it is one of `types`; a `PMLTypeError` naming `what` and what is `expected` otherwise."""
    if not isinstance(value, types):
        raise PMLTypeError(f"{what} must be {expected}, not {type(value).__name__}")
    return value


def _sheet_key(sheets: Sequence[Stylesheet], stylesheet: Any) -> Any:
    if stylesheet is None:
        return None
    if isinstance(stylesheet, Mapping):
        return json.dumps(stylesheet, sort_keys=True, default=str)
    path = stylesheet_path(stylesheet)
    if path is not None:
        try:
            return _stamp(path.resolve())
        except (OSError, ValueError):
            return ("unreadable", str(path))  # loading it reports why
    if isinstance(stylesheet, str):
        return ("text", hashlib.sha256(stylesheet.encode("utf-8", "surrogatepass")).hexdigest())
    return id(stylesheet)


def _cached(key: tuple[Any, ...]) -> Prompt | None:
    with _LOCK:
        entry = _CACHE.get(key)
        if entry is None:
            return None
        stamps, prompt = entry
    try:
        if all(_stamp(Path(p)) == (p, m, s) for p, m, s in stamps):
            with _LOCK:
                _CACHE.move_to_end(key)
            return prompt
    except OSError:
        pass
    return None


def _store(key: tuple[Any, ...], prompt: Prompt) -> None:
    stamps = tuple(_stamp(p) for p in prompt.files)
    with _LOCK:
        _CACHE[key] = (stamps, prompt)
        _CACHE.move_to_end(key)
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)


def compile_source(source: Source, *, stylesheet: Any = None, strict: bool = False,
                   root: str | Path | None = None) -> Prompt:
    """Compile a `Source` (no caching). Files are read only under `root` (default: its folder)."""
    return compile_document(parse_source(source), stylesheet=stylesheet, strict=strict, root=root)


def compile_document(document: Document, *, stylesheet: Any = None, strict: bool = False,
                     root: str | Path | None = None) -> Prompt:
    """Compile an already parsed `Document` (no caching), as `compile_source` compiles its source.
    The compile does not change the document, so a caller may keep it (an editor does)."""
    folder = Path(root).resolve() if root is not None else None
    compiled = Compiler(strict=strict, stylesheets=_sheet(stylesheet), root=folder).compile(document)
    return Prompt(compiled, document.source.name, document.source.directory)


def load(path: str | Path, *, stylesheet: Any = None, strict: bool = False,
         root: str | Path | None = None, limits: Limits | None = None) -> Prompt:
    """Compile a `.pml` / `.poml` file (cached while it and its includes are unchanged).

    Files the prompt names are read only under `root` (default: the prompt's folder). `limits`
    bound the compile (`pml.Limits`; default: the ones in force); a render has its own.
    """
    path = Path(_given(path, (str, os.PathLike), "the path", "a str or a Path"))
    resolved = path.resolve()
    with using(limits) as bounds:
        key = ("file", str(resolved), _sheet_key([], stylesheet), strict, str(root), bounds)
        prompt = _cached(key)
        if prompt is None:
            prompt = compile_source(Source.from_path(resolved, str(path)), stylesheet=stylesheet, strict=strict,
                                    root=root)
            _store(key, prompt)
    return prompt


def loads(text: str, *, name: str = "<string>", base_dir: str | Path | None = None, stylesheet: Any = None,
          strict: bool = False, root: str | Path | None = None, limits: Limits | None = None) -> Prompt:
    """Compile markup from a string. Relative paths resolve against `base_dir` (default: the CWD).

    Files the prompt names are read only under `root` (default: `base_dir`). `limits` bound the
    compile (`pml.Limits`; default: the ones in force); a render has its own.
    """
    text = normalize_newlines(_given(text, str, "the markup", "a str"))
    folder = Path(base_dir).resolve() if base_dir is not None else Path.cwd()
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    with using(limits) as bounds:
        key = ("text", digest, name, str(folder), _sheet_key([], stylesheet), strict, str(root), bounds)
        prompt = _cached(key)
        if prompt is None:
            source = Source(text, name, None, folder)
            prompt = compile_source(source, stylesheet=stylesheet, strict=strict, root=root)
            _store(key, prompt)
    return prompt


def _load_any(markup: str | Path, stylesheet: Any = None, limits: Limits | None = None) -> Prompt:
    _given(markup, (str, os.PathLike), "the markup", "a str (markup or a file name) or a Path")
    if isinstance(markup, os.PathLike):
        return load(markup, stylesheet=stylesheet, limits=limits)
    if "<" not in markup and "\n" not in markup and markup.endswith((".pml", ".poml")) and os.path.isfile(markup):
        return load(Path(markup), stylesheet=stylesheet, limits=limits)
    return loads(markup, stylesheet=stylesheet, limits=limits)


def _context(context: Mapping[str, Any] | str | Path | None) -> dict[str, Any]:
    if context is None:
        return {}
    if isinstance(context, Mapping):
        return dict(context)
    path = Path(_given(context, (str, os.PathLike), "the context", "a mapping, or the path of a JSON file"))
    try:
        source = Source.from_path(path, str(context))
    except (OSError, UnicodeDecodeError) as exc:
        raise render_error(f"cannot read the context file {context}: {exc}", None) from None
    try:
        data = json.loads(source.text)
    except json.JSONDecodeError as exc:
        raise render_error(f"the context file is not valid JSON: {exc.msg}",
                           source.span(exc.pos, exc.pos + 1)) from None
    if not isinstance(data, dict):
        raise render_error("the context file must hold a JSON object", source.span(0, 1),
                           'write {"name": value, …}')
    return data


def render(markup: str | Path, context: Mapping[str, Any] | str | Path | None = None, *,
           format: str = "openai", stylesheet: Any = None, limits: Limits | None = None) -> Any:
    """Compile (cached) and render in one call; returns the payload in `format`. `limits` bound
    the compile and the render (`pml.Limits`)."""
    check_format(format)
    with using(limits):
        rendered = _load_any(markup, stylesheet).render(_context(context))
        return rendered.to_format(format)


def poml(markup: str | Path, context: Mapping[str, Any] | str | Path | None = None,
         stylesheet: Mapping[str, Any] | str | Path | None = None, chat: bool = True,
         output_file: str | Path | None = None, format: str = "message_dict",
         extra_args: Sequence[str] | None = None, *, limits: Limits | None = None) -> Any:
    """POML's `poml()` with its signature and return shapes.

    `format` is one of POML's (`message_dict`, `dict`, `raw`, `openai_chat`, `langchain`,
    `pydantic`) or any other name in `FORMATS` (`openai`, `openai-responses`, `anthropic`,
    `gemini`, `text`). With `chat=False`, `message_dict` is the content of the single message.
    `limits` bound the compile and the render (`pml.Limits`).
    """
    with using(limits):
        return _poml(markup, context, stylesheet, chat, output_file, format)


def _poml(markup: str | Path, context: Mapping[str, Any] | str | Path | None, stylesheet: Any, chat: bool,
          output_file: str | Path | None, format: str) -> Any:
    check_format(format)
    rendered: Rendered = _load_any(markup, stylesheet).render(_context(context), chat=chat)
    if format == "message_dict" and not chat:
        result: Any = rendered.messages[0].content if rendered.messages else ""
    else:
        result = rendered.to_format(format)
    if output_file is not None:
        if hasattr(result, "model_dump"):  # the pydantic format
            result_data: Any = result.model_dump(mode="json")
        else:
            result_data = result
        text = result_data if isinstance(result_data, str) else dumps(result_data)
        Path(output_file).write_text(fix_surrogates(text), encoding="utf-8")
    return result
