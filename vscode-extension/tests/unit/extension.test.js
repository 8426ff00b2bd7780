'use strict';
// activate() with stand-ins for `vscode` and for vscode-languageclient's LanguageClient: which
// server command is started, with which options, and that a settings change restarts it.
const test = require('node:test');
const assert = require('node:assert/strict');
const { createStub, withVscode } = require('./vscode-stub');

function load({ failStart = false } = {}) {
    const stub = createStub();
    const clients = [];
    class FakeLanguageClient {
        constructor(id, name, serverOptions, clientOptions) {
            Object.assign(this, { id, name, serverOptions, clientOptions, running: false, stopped: false });
            clients.push(this);
        }
        async start() {
            if (failStart) throw new Error('spawn python3 ENOENT');
            this.running = true;
        }
        async stop() { this.running = false; this.stopped = true; }
        async dispose() { this.running = false; }
        isRunning() { return this.running; }
        async sendRequest(method, params) { return { html: `<p>${method} ${params.uri}</p>` }; }
    }
    const languageclient = { LanguageClient: FakeLanguageClient, TransportKind: { stdio: 0, ipc: 1, pipe: 2, socket: 3 } };
    const extension = withVscode(stub.vscode, () => {
        for (const name of ['../../out/extension', '../../out/preview']) delete require.cache[require.resolve(name)];
        return require('../../out/extension');
    }, { 'vscode-languageclient/node': languageclient });
    const context = { subscriptions: [] };
    return { stub, clients, extension, context };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 10));

test('activate starts `python3 -m pml lsp` over stdio for pml and pss documents', async () => {
    const { stub, clients, extension, context } = load();
    extension.activate(context);
    await tick();
    assert.equal(clients.length, 1);
    const [client] = clients;
    assert.equal(client.id, 'pml'); // so that `pml.trace.server` applies
    assert.deepEqual(client.serverOptions.command, 'python3');
    assert.deepEqual(client.serverOptions.args, ['-m', 'pml', 'lsp']);
    assert.equal(client.serverOptions.transport, 0);
    assert.deepEqual(client.clientOptions.documentSelector, [{ language: 'pml' }, { language: 'pss' }]);
    assert.ok(client.running);
    assert.deepEqual([...stub.recorded.commands.keys()].sort(), ['pml.restartServer', 'pml.showPreview']);
    await extension.deactivate();
    assert.ok(client.stopped);
});

test('changing pml.pythonPath or pml.serverArgs restarts the server with the new command', async () => {
    const { stub, clients, extension, context } = load();
    extension.activate(context);
    await tick();
    stub.settings.pythonPath = '/opt/venv/bin/python';
    stub.events.configuration.fire({ affectsConfiguration: (key) => key === 'pml.pythonPath' });
    await tick();
    assert.equal(clients.length, 2);
    assert.ok(clients[0].stopped);
    assert.equal(clients[1].serverOptions.command, '/opt/venv/bin/python');
    // Other settings leave the server alone.
    stub.events.configuration.fire({ affectsConfiguration: (key) => key === 'editor.fontSize' });
    await tick();
    assert.equal(clients.length, 2);
    await extension.deactivate();
});

test('the preview command asks the running server for pml/preview', async () => {
    const { stub, extension, context } = load();
    extension.activate(context);
    const doc = stub.document('/work/a.pml');
    await stub.recorded.commands.get('pml.showPreview')(doc.uri);
    assert.match(stub.recorded.panels[0].webview.html, /<p>pml\/preview file:\/\/\/work\/a\.pml<\/p>/);
    await extension.deactivate();
});

test('a server that cannot start is reported, and the preview says so', async () => {
    const { stub, extension, context } = load({ failStart: true });
    extension.activate(context);
    await tick();
    assert.equal(stub.recorded.errors.length, 1);
    assert.match(stub.recorded.errors[0].message, /python3 -m pml lsp/);
    assert.deepEqual(stub.recorded.errors[0].items, ['Open Settings', 'Show Log']);
    await stub.recorded.commands.get('pml.showPreview')(stub.document('/work/a.pml').uri);
    assert.match(stub.recorded.panels[0].webview.html, /language server is not running/);
    await extension.deactivate();
});
