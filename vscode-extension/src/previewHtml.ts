// The HTML shown in the preview webview. The language server renders the prompt (`pml/preview`
// returns `{html, messages, …}`); this module only makes that HTML safe to show: a strict
// Content-Security-Policy (no scripts, no network), or a page built from `messages` when the
// server sent no HTML. No `vscode` import, so that the unit tests can run it under plain Node.

/** One rendered chat message, as the server reports it. */
export interface PreviewMessage {
    speaker?: string;
    role?: string;
    content?: unknown;
    tokens?: number;
}

/** The result of the server's `pml/preview` request. Fields other than these are ignored. */
export interface PreviewResult {
    html?: string;
    messages?: PreviewMessage[];
    tokens?: number;
}

export interface PageOptions {
    /** `webview.cspSource`: the origin of resources VS Code serves to the webview. */
    cspSource: string;
    title: string;
}

/** No scripts, no network: images and media only from the webview's own resources or data URLs. */
export function contentSecurityPolicy(cspSource: string): string {
    return [
        "default-src 'none'",
        `img-src ${cspSource} data:`,
        `media-src ${cspSource} data:`,
        `style-src ${cspSource} 'unsafe-inline'`,
        `font-src ${cspSource}`,
    ].join('; ');
}

export function escapeHtml(text: string): string {
    return text
        .replace(/&/g, '&amp;')
        .replace(/</g, '&lt;')
        .replace(/>/g, '&gt;')
        .replace(/"/g, '&quot;')
        .replace(/'/g, '&#39;');
}

function cspMeta(cspSource: string): string {
    return `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(contentSecurityPolicy(cspSource))}">`;
}

const BASE_STYLE = `
body { font-family: var(--vscode-font-family, sans-serif); font-size: var(--vscode-font-size, 13px);
       color: var(--vscode-foreground, #333); background: var(--vscode-editor-background, #fff);
       padding: 0 16px 16px; line-height: 1.45; }
.message { border: 1px solid var(--vscode-panel-border, #8885); border-radius: 6px; margin: 12px 0; }
.speaker { font-weight: 600; font-size: 0.8em; letter-spacing: 0.06em; text-transform: uppercase;
           padding: 4px 10px; border-bottom: 1px solid var(--vscode-panel-border, #8885);
           display: flex; justify-content: space-between; }
.tokens { font-weight: normal; opacity: 0.75; text-transform: none; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; margin: 0; padding: 8px 10px;
      font-family: var(--vscode-editor-font-family, monospace); font-size: var(--vscode-editor-font-size, 13px); }
img { max-width: 100%; display: block; margin: 8px 10px; }
.error { color: var(--vscode-errorForeground, #c00); }
.muted { opacity: 0.75; }
`;

function page(title: string, cspSource: string, body: string): string {
    return [
        '<!DOCTYPE html>',
        '<html lang="en">',
        '<head>',
        '<meta charset="utf-8">',
        cspMeta(cspSource),
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        `<title>${escapeHtml(title)}</title>`,
        `<style>${BASE_STYLE}</style>`,
        '</head>',
        `<body>${body}</body>`,
        '</html>',
        '',
    ].join('\n');
}

/** Put the CSP first in the server's page, or wrap an HTML fragment in a page of ours. */
export function withContentSecurityPolicy(html: string, options: PageOptions): string {
    const meta = cspMeta(options.cspSource);
    const head = /<head(?:\s[^>]*)?>/i.exec(html);
    if (head) {
        const at = head.index + head[0].length;
        return html.slice(0, at) + meta + html.slice(at);
    }
    const root = /<html(?:\s[^>]*)?>/i.exec(html);
    if (root) {
        const at = root.index + root[0].length;
        return `${html.slice(0, at)}<head>${meta}</head>${html.slice(at)}`;
    }
    return page(options.title, options.cspSource, html);
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function partHtml(part: unknown): string {
    if (typeof part === 'string') {
        return `<pre>${escapeHtml(part)}</pre>`;
    }
    if (isRecord(part) && typeof part.type === 'string' && typeof part.base64 === 'string'
        && /^image\/[\w.+-]+$/.test(part.type)) {
        const alt = typeof part.alt === 'string' ? part.alt : '';
        return `<img src="data:${part.type};base64,${escapeHtml(part.base64)}" alt="${escapeHtml(alt)}">`;
    }
    return `<pre class="muted">${escapeHtml(JSON.stringify(part, null, 2) ?? String(part))}</pre>`;
}

/** A page of chat messages, for a server result that has `messages` but no `html`. */
export function messagesHtml(messages: readonly PreviewMessage[]): string {
    if (messages.length === 0) {
        return '<p class="muted">The prompt renders no messages.</p>';
    }
    return messages
        .map((message) => {
            const speaker = message.speaker ?? message.role ?? 'message';
            const tokens = typeof message.tokens === 'number'
                ? `<span class="tokens">${message.tokens} tokens</span>` : '';
            const parts = Array.isArray(message.content) ? message.content : [message.content ?? ''];
            return `<section class="message"><div class="speaker"><span>${escapeHtml(String(speaker))}</span>${tokens}</div>`
                + `${parts.map(partHtml).join('')}</section>`;
        })
        .join('\n');
}

/** The webview's HTML for a `pml/preview` result. */
export function previewDocument(result: unknown, options: PageOptions): string {
    if (isRecord(result) && typeof result.html === 'string') {
        return withContentSecurityPolicy(result.html, options);
    }
    if (isRecord(result) && Array.isArray(result.messages)) {
        return page(options.title, options.cspSource, messagesHtml(result.messages as PreviewMessage[]));
    }
    return errorDocument('The PML language server sent no preview.', JSON.stringify(result) ?? String(result), options);
}

/** A page that says why there is no preview. */
export function errorDocument(message: string, detail: string | undefined, options: PageOptions): string {
    const more = detail ? `<pre class="muted">${escapeHtml(detail)}</pre>` : '';
    return page(options.title, options.cspSource, `<p class="error">${escapeHtml(message)}</p>${more}`);
}
