'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { createStub, withVscode } = require('./vscode-stub');

function setup({ result = { html: '<p>rendered</p>' }, client = true } = {}) {
    const stub = createStub();
    const { PreviewManager, PREVIEW_REQUEST } = withVscode(stub.vscode, () => {
        const modulePath = require.resolve('../../out/preview');
        delete require.cache[modulePath];
        return require(modulePath);
    });
    const requests = [];
    const fakeClient = {
        async sendRequest(method, params) {
            requests.push({ method, params });
            if (result instanceof Error) throw result;
            return typeof result === 'function' ? result(params) : result;
        },
    };
    const log = { warn() {}, info() {}, error() {} };
    const manager = new PreviewManager(async () => (client ? fakeClient : undefined), log);
    return { stub, manager, requests, PREVIEW_REQUEST };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

test('opens a static webview beside the editor with the server\'s HTML', async () => {
    const { stub, manager, requests, PREVIEW_REQUEST } = setup();
    const doc = stub.document('/work/a.pml');
    stub.vscode.window.activeTextEditor = { document: doc };
    await manager.show();
    assert.equal(stub.recorded.panels.length, 1);
    const panel = stub.recorded.panels[0];
    assert.equal(panel.showOptions.viewColumn, stub.vscode.ViewColumn.Beside);
    assert.equal(panel.options.enableScripts, false);
    assert.equal(panel.title, 'Preview a.pml');
    assert.deepEqual(requests, [{ method: 'pml/preview', params: { uri: 'file:///work/a.pml' } }]);
    assert.equal(PREVIEW_REQUEST, 'pml/preview');
    assert.match(panel.webview.html, /Content-Security-Policy/);
    assert.match(panel.webview.html, /<p>rendered<\/p>/);
    manager.dispose();
});

test('edits are debounced into one request ~300 ms after the last one', async () => {
    const { stub, manager, requests } = setup();
    const doc = stub.document('/work/a.pml');
    await manager.show(doc.uri);
    requests.length = 0;
    for (let i = 0; i < 5; i++) {
        stub.events.changeText.fire({ document: doc });
        await sleep(20);
    }
    await sleep(150);
    assert.equal(requests.length, 0, 'no request before the pause');
    await sleep(300);
    assert.equal(requests.length, 1);
    // Edits to another document do not re-render.
    stub.events.changeText.fire({ document: stub.document('/work/other.pml') });
    await sleep(400);
    assert.equal(requests.length, 1);
    manager.dispose();
});

test('follows the active PML editor, not other languages', async () => {
    const { stub, manager, requests } = setup({ result: (params) => ({ html: `<p>${params.uri}</p>` }) });
    await manager.show(stub.document('/work/a.pml').uri);
    stub.events.activeEditor.fire({ document: stub.document('/work/style.pss', 'pss') });
    stub.events.activeEditor.fire({ document: stub.document('/work/b.pml') });
    await sleep(10);
    assert.deepEqual(requests.map((r) => r.params.uri), ['file:///work/a.pml', 'file:///work/b.pml']);
    const panel = stub.recorded.panels[0];
    assert.equal(panel.title, 'Preview b.pml');
    assert.match(panel.webview.html, /file:\/\/\/work\/b\.pml/);
    manager.dispose();
});

test('a second show reuses the panel; a closed panel stops updating', async () => {
    const { stub, manager, requests } = setup();
    const doc = stub.document('/work/a.pml');
    await manager.show(doc.uri);
    await manager.show(doc.uri);
    assert.equal(stub.recorded.panels.length, 1);
    assert.equal(stub.recorded.panels[0].revealed, 1);
    stub.recorded.panels[0].dispose();
    requests.length = 0;
    stub.events.changeText.fire({ document: doc });
    await sleep(400);
    assert.equal(requests.length, 0);
    manager.dispose();
});

test('server errors and a missing server show an error page', async () => {
    let { stub, manager } = setup({ result: new Error('prompt.pml:1:2: unknown tag <tsk>') });
    await manager.show(stub.document('/work/a.pml').uri);
    assert.match(stub.recorded.panels[0].webview.html, /could not be rendered[\s\S]*unknown tag &lt;tsk&gt;/);
    manager.dispose();

    ({ stub, manager } = setup({ client: false }));
    await manager.show(stub.document('/work/a.pml').uri);
    assert.match(stub.recorded.panels[0].webview.html, /language server is not running/);
    manager.dispose();
});

test('a non-PML editor gets a message, not a panel', async () => {
    const { stub, manager } = setup();
    stub.vscode.window.activeTextEditor = { document: stub.document('/work/s.pss', 'pss') };
    await manager.show();
    assert.equal(stub.recorded.panels.length, 0);
    assert.equal(stub.recorded.messages.length, 1);
    manager.dispose();
});
