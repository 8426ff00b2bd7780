"""The preview: a document rendered into messages, with token counts and cache plans, as data and HTML.

`preview_data(source, context)` compiles and renders a `Source` and returns JSON-ready data::

    {"messages": [{"speaker", "text", "tokens", "parts"}], "total_tokens", "model", "encoding",
     "diagnostics": [Diagnostic.to_json()], "cache": {"anthropic": plan, "openai": plan} | None,
     "modules": [{"name", "cached", "start", "end"}], "error": str | None}

`cache` is there when the prompt places cached modules (`Rendered.cache_plan(...).to_dict()`).
Tokens are counted by `pml.output.tokenreport.measure` (the `<runtime model>`'s tokenizer, o200k_base by
default). `preview_html(data)` is a pure function from that data to a self-contained HTML page
(inline CSS, no scripts, no external resources; every value escaped), for the `pml/preview`
request of the language server and for an editor's webview.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pml.api import compile_source
from pml.components.parts import MediaPart, Message, ToolCallPart, ToolResultPart
from pml.errors import PMLError
from pml.output.tokenreport import measure
from pml.syntax.source import Source
from pml.tokens.encodings import tokenizer_for


def preview_data(source: Source, context: Mapping[str, Any] | None = None, *,
                 stylesheet: Path | None = None, root: Path | None = None) -> dict[str, Any]:
    """Compile and render `source` with `context` (module docstring), reading files only under `root`
    (default: the source's folder). Never raises for a bad prompt: its problems are in
    `diagnostics` and `error`."""
    data: dict[str, Any] = {"messages": [], "total_tokens": 0, "model": None, "encoding": None,
                            "diagnostics": [], "cache": None, "modules": [], "error": None}
    try:
        prompt = compile_source(source, stylesheet=stylesheet, root=root)
        rendered = prompt.render(dict(context or {}))
    except PMLError as exc:
        data["diagnostics"] = [d.to_json() for d in exc.diagnostics]
        data["error"] = exc.message
        return data
    diagnostics = list(prompt.diagnostics)
    model = (rendered.runtime or {}).get("model")
    model = model if isinstance(model, str) and model else None
    tokenizer = tokenizer_for(model)
    data["model"], data["encoding"] = tokenizer.name, tokenizer.encoding_name
    try:
        counts = [m.tokens for m in measure(prompt, dict(context or {}), model).messages]
    except Exception:  # a render that marks elements should never fail where one that does not passed
        counts = []
    if len(counts) != len(rendered.messages):
        counts = [tokenizer.count(m.text) for m in rendered.messages]
    data["messages"] = [_message(m, n) for m, n in zip(rendered.messages, counts, strict=True)]
    data["total_tokens"] = sum(counts)
    data["modules"] = [{"name": p.name, "cached": p.cached, "start": list(p.start), "end": list(p.end)}
                       for p in rendered.modules]
    if any(p.cached for p in rendered.modules):
        plans = {provider: rendered.cache_plan(provider) for provider in ("anthropic", "openai")}
        data["cache"] = {provider: plan.to_dict() for provider, plan in plans.items()}
        for plan in plans.values():
            diagnostics.extend(w for w in plan.warnings if w not in diagnostics)
    data["diagnostics"] = [d.to_json() for d in diagnostics]
    return data


def _message(message: Message, tokens: int) -> dict[str, Any]:
    return {"speaker": message.speaker, "text": message.text, "tokens": tokens,
            "parts": [_part(p) for p in message.parts]}


def _part(part: Any) -> dict[str, Any]:
    if isinstance(part, str):
        return {"type": "text", "text": part}
    if isinstance(part, MediaPart):
        return {"type": part.kind, "mime": part.mime, "alt": part.alt}
    if isinstance(part, ToolCallPart):
        return {"type": "tool_call", "id": part.id, "name": part.name, "arguments": part.arguments}
    if isinstance(part, ToolResultPart):
        return {"type": "tool_result", "id": part.id, "name": part.name, "text": part.text}
    return {"type": "other", "text": str(part)}


# ---------------------------------------------------------------------------- HTML
_STYLE = """
:root { color-scheme: light dark; }
body { font: 13px/1.45 var(--vscode-font-family, system-ui, sans-serif);
       color: var(--vscode-editor-foreground, #1f2328); background: var(--vscode-editor-background, #fff);
       margin: 0; padding: 16px 20px; }
h1 { font-size: 15px; margin: 0 0 12px; }
.summary { opacity: .8; margin-bottom: 14px; }
.message { border: 1px solid rgba(127,127,127,.35); border-radius: 6px; margin: 0 0 14px; overflow: hidden; }
.message > header { display: flex; justify-content: space-between; padding: 4px 10px;
                    background: rgba(127,127,127,.12); font-weight: 600; }
.speaker-system > header { border-left: 4px solid #8250df; }
.speaker-human > header { border-left: 4px solid #0969da; }
.speaker-ai > header { border-left: 4px solid #1a7f37; }
.speaker-tool > header { border-left: 4px solid #9a6700; }
.tokens { font-weight: 400; opacity: .75; }
pre { margin: 0; padding: 8px 10px; white-space: pre-wrap; word-wrap: break-word;
      font: 12px/1.5 var(--vscode-editor-font-family, ui-monospace, monospace); }
.part { display: inline-block; padding: 0 4px; border-radius: 3px; background: rgba(127,127,127,.2); }
.breakpoint { display: block; margin: 4px 0; padding: 1px 6px; border-top: 2px dashed #cf222e;
              color: #cf222e; font-weight: 600; }
.diagnostics { margin: 0 0 14px; padding-left: 18px; }
.error { color: #cf222e; }
.warning { color: #9a6700; }
table { border-collapse: collapse; margin: 0 0 14px; }
th, td { text-align: left; padding: 2px 10px 2px 0; vertical-align: top; }
.empty { opacity: .7; font-style: italic; }
"""


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _breakpoints(data: Mapping[str, Any]) -> dict[tuple[int, int], list[Mapping[str, Any]]]:
    """Anthropic's cache breakpoints by (message, part)."""
    plan = ((data.get("cache") or {}).get("anthropic") or {})
    out: dict[tuple[int, int], list[Mapping[str, Any]]] = {}
    for point in plan.get("breakpoints") or ():
        out.setdefault((int(point["message"]), int(point["part"])), []).append(point)
    return out


def _marker(point: Mapping[str, Any]) -> str:
    return (f'<span class="breakpoint" title="Anthropic cache_control breakpoint">⟂ cache breakpoint after '
            f'{_e(point.get("module"))} · {_e(point.get("prefix_tokens"))} tokens before it</span>')


def _text_part(text: str, points: list[Mapping[str, Any]]) -> str:
    out: list[str] = []
    at = 0
    for point in sorted(points, key=lambda p: int(p["offset"])):
        cut = max(at, min(len(text), int(point["offset"])))
        out.append(_e(text[at:cut]))
        out.append(_marker(point))
        at = cut
    out.append(_e(text[at:]))
    return "".join(out)


def _part_html(part: Mapping[str, Any], points: list[Mapping[str, Any]]) -> str:
    kind = part.get("type")
    if kind == "text":
        return _text_part(str(part.get("text", "")), points)
    if kind in ("image", "audio"):
        alt = f": {part['alt']}" if part.get("alt") else ""
        shown = f'<span class="part">[{_e(part.get("mime"))}{_e(alt)}]</span>'
    elif kind == "tool_call":
        shown = f'<span class="part">[tool call {_e(part.get("name"))} {_e(part.get("arguments"))}]</span>'
    elif kind == "tool_result":
        shown = f'<span class="part">[tool result {_e(part.get("name"))}]</span>\n{_e(part.get("text"))}'
    else:
        shown = _e(part.get("text"))
    return shown + "".join(_marker(p) for p in points)


def _message_html(index: int, message: Mapping[str, Any], breakpoints: dict[tuple[int, int], list[Any]]) -> str:
    parts = message.get("parts") or [{"type": "text", "text": message.get("text", "")}]
    body = "\n\n".join(_part_html(p, breakpoints.get((index, i), [])) for i, p in enumerate(parts))
    speaker = str(message.get("speaker", ""))
    tokens = message.get("tokens")
    count = f"{tokens} token{'s' if tokens != 1 else ''}" if tokens is not None else ""
    return (f'<section class="message speaker-{_e(speaker)}">'
            f'<header><span class="speaker">{_e(speaker)}</span><span class="tokens">{_e(count)}</span></header>'
            f"<pre>{body}</pre></section>")


def _diagnostics_html(diagnostics: list[Mapping[str, Any]]) -> str:
    if not diagnostics:
        return ""
    items = []
    for d in diagnostics:
        where = f"{d.get('file')}:{d.get('line')}:{d.get('column')}: " if d.get("line") is not None else ""
        hint = f" — {d['hint']}" if d.get("hint") else ""
        severity = "warning" if d.get("severity") == "warning" else "error"
        items.append(f'<li class="{severity}">{_e(where)}{_e(severity)}: {_e(d.get("message"))}{_e(hint)}</li>')
    return f'<ul class="diagnostics">{"".join(items)}</ul>'


def _cache_html(cache: Mapping[str, Any] | None) -> str:
    if not cache:
        return ""
    rows = []
    for provider, plan in cache.items():
        key = plan.get("cache_key")
        notes = "; ".join(str(n) for n in plan.get("notes") or ())
        rows.append(
            f"<tr><td>{_e(provider)}</td><td>{_e(plan.get('stable_prefix_tokens'))}</td>"
            f"<td>{_e(plan.get('cacheable_tokens'))}</td><td>{_e(len(plan.get('breakpoints') or ()))}</td>"
            f"<td>{_e(key) if key else ''}</td><td>{_e(notes)}</td></tr>")
    return ("<table><thead><tr><th>cache</th><th>stable prefix (tokens)</th><th>cacheable</th>"
            "<th>breakpoints</th><th>key</th><th>notes</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table>")


def preview_html(data: Mapping[str, Any], title: str = "PML preview") -> str:
    """A self-contained HTML page showing the messages of `preview_data` (module docstring)."""
    messages = list(data.get("messages") or ())
    breakpoints = _breakpoints(data)
    total = data.get("total_tokens") or 0
    counted = f" ({data['encoding']})" if data.get("encoding") else ""
    summary = (f"{len(messages)} message{'s' if len(messages) != 1 else ''} · "
               f"{total} token{'s' if total != 1 else ''}{counted}")
    body = [f"<h1>{_e(title)}</h1>", f'<div class="summary">{_e(summary)}</div>']
    if data.get("error"):
        body.append(f'<p class="error">{_e(data["error"])}</p>')
    body.append(_diagnostics_html(list(data.get("diagnostics") or ())))
    body.append(_cache_html(data.get("cache")))
    if messages:
        body.extend(_message_html(i, m, breakpoints) for i, m in enumerate(messages))
    elif not data.get("error"):
        body.append('<p class="empty">The prompt renders no messages.</p>')
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
            f"<title>{_e(title)}</title><style>{_STYLE}</style></head><body>\n"
            + "\n".join(b for b in body if b) + "\n</body></html>\n")
