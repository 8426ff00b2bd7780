// The PML extension: starts the PML language server (`python3 -m pml lsp`, over stdio) for .pml,
// .poml and .pss files, restarts it when its settings change, and offers a preview beside the
// editor. Highlighting, snippets and the language configurations are declared in package.json.

import * as os from 'os';
import * as vscode from 'vscode';
import {
    LanguageClient,
    type LanguageClientOptions,
    type ServerOptions,
    TransportKind,
} from 'vscode-languageclient/node';

import { PreviewManager } from './preview';
import { formatCommand, serverCommand } from './serverCommand';

let client: LanguageClient | undefined;
let starting: Promise<LanguageClient | undefined> | undefined;
let log: vscode.LogOutputChannel;

function workspaceFolderPath(): string | undefined {
    return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
}

function startClient(): Promise<LanguageClient | undefined> {
    const config = vscode.workspace.getConfiguration('pml');
    const workspaceFolder = workspaceFolderPath();
    const command = serverCommand(config.get('pythonPath'), config.get('serverArgs'), {
        workspaceFolder,
        home: os.homedir(),
    });
    const serverOptions: ServerOptions = {
        command: command.command,
        args: command.args,
        transport: TransportKind.stdio,
        options: workspaceFolder ? { cwd: workspaceFolder } : undefined,
    };
    // No `synchronize.fileEvents`: the server registers the file watcher it needs itself
    // (workspace/didChangeWatchedFiles), so each change on disk reaches it once.
    const clientOptions: LanguageClientOptions = {
        documentSelector: [{ language: 'pml' }, { language: 'pss' }],
        outputChannel: log,
    };
    // The id 'pml' makes the client read `pml.output.trace.server`.
    const created = new LanguageClient('pml', 'PML Language Server', serverOptions, clientOptions);
    client = created;
    log.info(`Starting the PML language server: ${formatCommand(command)}`);
    return created.start().then(
        () => created,
        async (error: unknown) => {
            const reason = error instanceof Error ? error.message : String(error);
            log.error(`The PML language server did not start (${formatCommand(command)}): ${reason}`);
            if (client === created) {
                client = undefined;
            }
            await created.dispose().catch(() => undefined);
            const choice = await vscode.window.showErrorMessage(
                `PML: the language server did not start with \`${formatCommand(command)}\`. `
                    + 'Install PML in that Python (pip install pml) or set "pml.pythonPath".',
                'Open Settings',
                'Show Log',
            );
            if (choice === 'Open Settings') {
                void vscode.commands.executeCommand('workbench.action.openSettings', 'pml.pythonPath');
            } else if (choice === 'Show Log') {
                log.show(true);
            }
            return undefined;
        },
    );
}

async function stopClient(): Promise<void> {
    const running = client;
    client = undefined;
    starting = undefined;
    if (running) {
        try {
            await running.stop();
        } catch (error) {
            log.warn(`Stopping the PML language server: ${error instanceof Error ? error.message : String(error)}`);
        }
    }
}

async function restartClient(preview: PreviewManager): Promise<void> {
    await stopClient();
    starting = startClient();
    await starting;
    preview.refresh();
}

/** The running client, after it has started; undefined if it could not start. */
async function runningClient(): Promise<LanguageClient | undefined> {
    const started = await (starting ?? Promise.resolve(undefined));
    return started && started === client && started.isRunning() ? started : undefined;
}

export function activate(context: vscode.ExtensionContext): void {
    log = vscode.window.createOutputChannel('PML Language Server', { log: true });
    const preview = new PreviewManager(runningClient, log);
    context.subscriptions.push(
        log,
        preview,
        vscode.commands.registerCommand('pml.showPreview', (uri?: vscode.Uri) =>
            preview.show(uri instanceof vscode.Uri ? uri : undefined),
        ),
        vscode.commands.registerCommand('pml.restartServer', () => restartClient(preview)),
        vscode.workspace.onDidChangeConfiguration((event) => {
            if (event.affectsConfiguration('pml.pythonPath') || event.affectsConfiguration('pml.serverArgs')) {
                void restartClient(preview);
            }
        }),
    );
    starting = startClient();
}

export function deactivate(): Promise<void> {
    return stopClient();
}
