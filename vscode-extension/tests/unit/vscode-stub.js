// A small stand-in for the `vscode` module: just what src/preview.ts uses, recording what the
// extension does. VS Code itself cannot run here; this lets plain Node drive the preview logic.
'use strict';

const Module = require('module');

class EventEmitter {
    constructor() {
        this.listeners = [];
        this.event = (listener) => {
            this.listeners.push(listener);
            return { dispose: () => { this.listeners = this.listeners.filter((l) => l !== listener); } };
        };
    }
    fire(value) {
        for (const listener of [...this.listeners]) listener(value);
    }
}

class Uri {
    constructor(fsPath) {
        this.scheme = 'file';
        this.fsPath = fsPath;
        this.path = fsPath;
    }
    static file(fsPath) {
        return new Uri(fsPath);
    }
    toString() {
        return `file://${this.fsPath}`;
    }
}

function createStub() {
    const events = {
        changeText: new EventEmitter(),
        activeEditor: new EventEmitter(),
        save: new EventEmitter(),
        close: new EventEmitter(),
        configuration: new EventEmitter(),
    };
    const recorded = { panels: [], messages: [], errors: [], commands: new Map(), executed: [], logs: [] };
    const settings = { pythonPath: 'python3', serverArgs: ['-m', 'pml', 'lsp'] };
    const documents = new Map();

    function document(fsPath, languageId = 'pml') {
        const doc = { uri: Uri.file(fsPath), fileName: fsPath, languageId };
        documents.set(doc.uri.toString(), doc);
        return doc;
    }

    const vscode = {
        Uri,
        EventEmitter,
        ViewColumn: { Active: -1, Beside: -2, One: 1, Two: 2 },
        workspace: {
            workspaceFolders: [{ uri: Uri.file('/work') }],
            onDidChangeTextDocument: events.changeText.event,
            onDidSaveTextDocument: events.save.event,
            onDidCloseTextDocument: events.close.event,
            openTextDocument: async (uri) => documents.get(uri.toString()),
            onDidChangeConfiguration: events.configuration.event,
            getConfiguration: (section) => ({
                get: (key, fallback) => (section === 'pml' && key in settings ? settings[key] : fallback),
            }),
            createFileSystemWatcher: (glob) => ({ glob, dispose() {} }),
        },
        commands: {
            registerCommand(id, handler) {
                recorded.commands.set(id, handler);
                return { dispose: () => recorded.commands.delete(id) };
            },
            async executeCommand(id, ...args) { recorded.executed.push([id, ...args]); },
        },
        window: {
            activeTextEditor: undefined,
            onDidChangeActiveTextEditor: events.activeEditor.event,
            showInformationMessage: async (message) => { recorded.messages.push(message); return undefined; },
            showErrorMessage: async (message, ...items) => { recorded.errors.push({ message, items }); return undefined; },
            createOutputChannel: (name, options) => {
                const channel = { name, options, dispose() {}, show() {} };
                for (const level of ['trace', 'debug', 'info', 'warn', 'error']) {
                    channel[level] = (message) => recorded.logs.push([level, message]);
                }
                return channel;
            },
            createWebviewPanel(viewType, title, showOptions, options) {
                const disposed = new EventEmitter();
                const panel = {
                    viewType, title, showOptions, options, revealed: 0, htmlHistory: [],
                    webview: {
                        cspSource: 'vscode-webview://stub',
                        set html(value) { panel.htmlHistory.push(value); },
                        get html() { return panel.htmlHistory[panel.htmlHistory.length - 1]; },
                    },
                    reveal() { panel.revealed++; },
                    onDidDispose(listener, thisArg, disposables) {
                        const d = disposed.event(listener);
                        if (disposables) disposables.push(d);
                        return d;
                    },
                    dispose() { disposed.fire(); },
                };
                recorded.panels.push(panel);
                return panel;
            },
        },
    };
    return { vscode, events, recorded, document, settings };
}

/** Make `require('vscode')` return `stub` (and other modules their `extra` stand-ins) while `load` runs. */
function withVscode(stub, load, extra = {}) {
    const original = Module._load;
    Module._load = function (request, parent, isMain) {
        if (request === 'vscode') return stub;
        if (request in extra) return extra[request];
        return original.call(this, request, parent, isMain);
    };
    try {
        return load();
    } finally {
        Module._load = original;
    }
}

module.exports = { createStub, withVscode };
