// The preview: one webview beside the editor showing the active PML document as the language
// server renders it (`pml/preview`). It follows the active PML editor, and re-renders 300 ms
// after the last edit, and when a stylesheet or context file is saved.

import * as path from 'path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';

import { errorDocument, previewDocument } from './previewHtml';

export const PREVIEW_REQUEST = 'pml/preview';
const VIEW_TYPE = 'pml.preview';
const DEBOUNCE_MS = 300;

/** Gives the running client, once it has started (undefined when it could not start). */
export type ClientProvider = () => Promise<LanguageClient | undefined>;

export class PreviewManager implements vscode.Disposable {
    private panel: vscode.WebviewPanel | undefined;
    private document: vscode.TextDocument | undefined;
    private timer: ReturnType<typeof setTimeout> | undefined;
    private generation = 0;
    private readonly subscriptions: vscode.Disposable[] = [];

    constructor(private readonly client: ClientProvider, private readonly log: vscode.LogOutputChannel) {
        this.subscriptions.push(
            vscode.workspace.onDidChangeTextDocument((event) => {
                if (this.panel && event.document === this.document) {
                    this.schedule();
                }
            }),
            vscode.window.onDidChangeActiveTextEditor((editor) => {
                if (this.panel && editor && editor.document.languageId === 'pml' && editor.document !== this.document) {
                    this.document = editor.document;
                    void this.update();
                }
            }),
            vscode.workspace.onDidSaveTextDocument((saved) => {
                // A stylesheet, context file or included prompt may change what the preview shows.
                if (this.panel && saved !== this.document
                    && (['pml', 'pss', 'json'].includes(saved.languageId) || saved.fileName.endsWith('.json'))) {
                    this.schedule();
                }
            }),
            vscode.workspace.onDidCloseTextDocument((closed) => {
                if (closed === this.document) {
                    this.generation++;
                }
            }),
        );
    }

    /** Show the preview of `uri` (or of the active editor's document) beside the editor. */
    async show(uri?: vscode.Uri): Promise<void> {
        const document = uri
            ? await vscode.workspace.openTextDocument(uri)
            : vscode.window.activeTextEditor?.document;
        if (!document || document.languageId !== 'pml') {
            void vscode.window.showInformationMessage('PML: open a .pml or .poml file to preview it.');
            return;
        }
        this.document = document;
        if (this.panel) {
            this.panel.reveal(vscode.ViewColumn.Beside, true);
        } else {
            this.panel = vscode.window.createWebviewPanel(
                VIEW_TYPE,
                this.title(document),
                { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
                {
                    enableScripts: false,
                    enableFindWidget: true,
                    localResourceRoots: this.resourceRoots(document),
                },
            );
            this.panel.onDidDispose(() => {
                this.panel = undefined;
                this.document = undefined;
                this.cancelTimer();
            }, undefined, this.subscriptions);
        }
        await this.update();
    }

    /** Render again (after the server restarted, for instance). */
    refresh(): void {
        if (this.panel) {
            void this.update();
        }
    }

    private title(document: vscode.TextDocument): string {
        return `Preview ${path.basename(document.fileName)}`;
    }

    private resourceRoots(document: vscode.TextDocument): vscode.Uri[] {
        const roots = (vscode.workspace.workspaceFolders ?? []).map((folder) => folder.uri);
        if (document.uri.scheme === 'file') {
            roots.push(vscode.Uri.file(path.dirname(document.uri.fsPath)));
        }
        return roots;
    }

    private schedule(): void {
        this.cancelTimer();
        this.timer = setTimeout(() => {
            this.timer = undefined;
            void this.update();
        }, DEBOUNCE_MS);
    }

    private cancelTimer(): void {
        if (this.timer !== undefined) {
            clearTimeout(this.timer);
            this.timer = undefined;
        }
    }

    private async update(): Promise<void> {
        const panel = this.panel;
        const document = this.document;
        if (!panel || !document) {
            return;
        }
        const generation = ++this.generation;
        const options = { cspSource: panel.webview.cspSource, title: this.title(document) };
        panel.title = options.title;
        let html: string;
        const client = await this.client();
        if (!client) {
            html = errorDocument(
                'The PML language server is not running.',
                'Install PML in the Python that `pml.pythonPath` names (pip install pml), then run "PML: Restart Language Server". The "PML Language Server" output channel says what went wrong.',
                options,
            );
        } else {
            try {
                const result: unknown = await client.sendRequest(PREVIEW_REQUEST, { uri: document.uri.toString() });
                html = previewDocument(result, options);
            } catch (error) {
                const message = error instanceof Error ? error.message : String(error);
                this.log.warn(`${PREVIEW_REQUEST} failed for ${document.uri.toString()}: ${message}`);
                html = errorDocument('The preview could not be rendered.', message, options);
            }
        }
        // A later update (or a closed panel) wins over this one.
        if (generation === this.generation && this.panel === panel) {
            panel.webview.html = html;
        }
    }

    dispose(): void {
        this.cancelTimer();
        this.panel?.dispose();
        for (const subscription of this.subscriptions.splice(0)) {
            subscription.dispose();
        }
    }
}
