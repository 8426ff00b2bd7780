'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { previewDocument, withContentSecurityPolicy, contentSecurityPolicy, errorDocument, escapeHtml }
    = require('../../out/previewHtml');

const options = { cspSource: 'vscode-webview://abc', title: 'Preview a.pml' };
const cspOf = (html) => /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)?.[1];

test('the policy allows no scripts and no network', () => {
    const csp = contentSecurityPolicy('vscode-webview://abc');
    assert.match(csp, /default-src 'none'/);
    assert.doesNotMatch(csp, /script-src|https:|http:/);
    assert.match(csp, /img-src vscode-webview:\/\/abc data:/);
});

test("a full page from the server gets the CSP first in its <head>", () => {
    const html = '<!DOCTYPE html><html><head lang="en"><title>x</title></head><body><p>Hi</p></body></html>';
    const out = previewDocument({ html, messages: [] }, options);
    assert.ok(out.startsWith('<!DOCTYPE html><html><head lang="en"><meta http-equiv="Content-Security-Policy"'));
    assert.ok(out.includes('<body><p>Hi</p></body>'));
    assert.equal(cspOf(out), escapeHtml(contentSecurityPolicy(options.cspSource)));
});

test('a page without <head> gets one; a fragment is wrapped', () => {
    assert.match(withContentSecurityPolicy('<html><body>x</body></html>', options),
        /^<html><head><meta http-equiv="Content-Security-Policy"[^>]*><\/head><body>x<\/body><\/html>$/);
    const wrapped = previewDocument({ html: '<section class="message">Hi</section>' }, options);
    assert.match(wrapped, /^<!DOCTYPE html>/);
    assert.ok(cspOf(wrapped));
    assert.ok(wrapped.includes('<section class="message">Hi</section>'));
    assert.ok(wrapped.includes('<title>Preview a.pml</title>'));
});

test('without html, the messages are shown, escaped', () => {
    const out = previewDocument({
        messages: [
            { speaker: 'system', content: '# Role\n\n<b>teacher</b>', tokens: 7 },
            { speaker: 'human', content: ['Look:', { type: 'image/png', base64: 'iVBORw0KGgo=', alt: 'a cat' }] },
        ],
    }, options);
    assert.ok(out.includes('<span>system</span><span class="tokens">7 tokens</span>'));
    assert.ok(out.includes('&lt;b&gt;teacher&lt;/b&gt;'));
    assert.ok(!out.includes('<b>teacher</b>'));
    assert.ok(out.includes('<img src="data:image/png;base64,iVBORw0KGgo=" alt="a cat">'));
});

test('an unexpected result or an error is a readable page', () => {
    assert.match(previewDocument(null, options), /sent no preview/);
    const out = errorDocument('The preview could not be rendered.', 'prompt.pml:3:5: <tsk> is not a component', options);
    assert.ok(out.includes('&lt;tsk&gt; is not a component'));
    assert.ok(cspOf(out));
});
