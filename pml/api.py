"""The Python SDK: load and render prompts, and POML's `poml()` call with its return shapes.

Compiled prompts are cached: by path while the file (and every file it includes) is unchanged,
and by content for strings, so rendering the same prompt again costs only the render.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pml.compiler import Compiler
from pml.nodes import Document
from pml.parser import parse_source
from pml.prompt import FORMATS, Prompt, Rendered
from pml.source import Source, normalize_newlines
from pml.stylesheet import Stylesheet, load_stylesheet, parse_json_stylesheet

StylesheetArg = "str | Path | Mapping[str, Any] | Stylesheet | None"

_CACHE: OrderedDict[tuple[Any, ...], tuple[tuple[tuple[str, int, int], ...], Prompt]] = OrderedDict()
_CACHE_SIZE = 256
_LOCK = threading.Lock()


def _stamp(path: Path) -> tuple[str, int, int]:
    st = path.stat()
    return (str(path), st.st_mtime_ns, st.st_size)


def _sheet(stylesheet: Any) -> list[Stylesheet]:
    if stylesheet is None:
        return []
    if isinstance(stylesheet, Stylesheet):
        return [stylesheet]
    if isinstance(stylesheet, Mapping):
        return [parse_json_stylesheet(dict(stylesheet), None, 0, origin=2)]
    if isinstance(stylesheet, (str, Path)) and Path(stylesheet).suffix in (".pss", ".css", ".json") \
            and Path(stylesheet).is_file():
        return [load_stylesheet(Path(stylesheet), origin=2)]
    if isinstance(stylesheet, str):
        text = stylesheet.strip()
        if text.startswith("{"):
            return [parse_json_stylesheet(text, Source(text, "<stylesheet>"), 0, origin=2)]
        from pml.stylesheet import parse_css

        source = Source(stylesheet, "<stylesheet>")
        return [parse_css(stylesheet, source, 0, origin=2)]
    raise TypeError(f"stylesheet must be a path, a dict, CSS text or a Stylesheet, not {type(stylesheet).__name__}")


def _sheet_key(sheets: Sequence[Stylesheet], stylesheet: Any) -> Any:
    if stylesheet is None:
        return None
    if isinstance(stylesheet, Mapping):
        return json.dumps(stylesheet, sort_keys=True, default=str)
    if isinstance(stylesheet, (str, Path)):
        path = Path(stylesheet)
        return _stamp(path) if path.is_file() else str(stylesheet)
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
         root: str | Path | None = None) -> Prompt:
    """Compile a `.pml` / `.poml` file (cached while it and its includes are unchanged).

    Files the prompt names are read only under `root` (default: the prompt's folder).
    """
    path = Path(path)
    resolved = path.resolve()
    key = ("file", str(resolved), _sheet_key([], stylesheet), strict, str(root))
    prompt = _cached(key)
    if prompt is None:
        prompt = compile_source(Source.from_path(resolved, str(path)), stylesheet=stylesheet, strict=strict,
                                root=root)
        _store(key, prompt)
    return prompt


def loads(text: str, *, name: str = "<string>", base_dir: str | Path | None = None, stylesheet: Any = None,
          strict: bool = False, root: str | Path | None = None) -> Prompt:
    """Compile markup from a string. Relative paths resolve against `base_dir` (default: the CWD).

    Files the prompt names are read only under `root` (default: `base_dir`).
    """
    text = normalize_newlines(text)
    folder = Path(base_dir).resolve() if base_dir is not None else Path.cwd()
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    key = ("text", digest, name, str(folder), _sheet_key([], stylesheet), strict, str(root))
    prompt = _cached(key)
    if prompt is None:
        source = Source(text, name, None, folder)
        prompt = compile_source(source, stylesheet=stylesheet, strict=strict, root=root)
        _store(key, prompt)
    return prompt


def _load_any(markup: str | Path, stylesheet: Any = None) -> Prompt:
    if isinstance(markup, Path):
        return load(markup, stylesheet=stylesheet)
    if "<" not in markup and "\n" not in markup and len(markup) < 4096:
        candidate = Path(markup)
        if candidate.suffix in (".pml", ".poml") and candidate.is_file():
            return load(candidate, stylesheet=stylesheet)
    return loads(markup, stylesheet=stylesheet)


def _context(context: Mapping[str, Any] | str | Path | None) -> dict[str, Any]:
    if context is None:
        return {}
    if isinstance(context, Mapping):
        return dict(context)
    path = Path(context)
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise TypeError(f"the context file {path} must hold a JSON object")
    return data


def render(markup: str | Path, context: Mapping[str, Any] | str | Path | None = None, *,
           format: str = "openai", stylesheet: Any = None) -> Any:
    """Compile (cached) and render in one call; returns the payload in `format`."""
    if format not in FORMATS:
        raise ValueError(f"unknown format {format!r}; choose one of {', '.join(FORMATS)}")
    rendered = _load_any(markup, stylesheet).render(_context(context))
    return rendered.to_format(format)


def poml(markup: str | Path, context: Mapping[str, Any] | str | Path | None = None,
         stylesheet: Mapping[str, Any] | str | Path | None = None, chat: bool = True,
         output_file: str | Path | None = None, format: str = "message_dict",
         extra_args: Sequence[str] | None = None) -> Any:
    """POML's `poml()` with its signature and return shapes.

    `format` is one of POML's (`message_dict`, `dict`, `raw`, `openai_chat`, `langchain`,
    `pydantic`) or any other name in `FORMATS` (`openai`, `openai-responses`, `anthropic`,
    `gemini`, `text`). With `chat=False`, `message_dict` is the content of the single message.
    """
    if format not in FORMATS:
        raise ValueError(f"unknown format {format!r}; choose one of {', '.join(FORMATS)}")
    if isinstance(stylesheet, str) and not stylesheet.strip().startswith("{") and Path(stylesheet).is_file():
        stylesheet = Path(stylesheet)
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
        text = result_data if isinstance(result_data, str) else json.dumps(result_data, ensure_ascii=False, indent=2)
        Path(output_file).write_text(text, encoding="utf-8")
    return result
