// How the language server is started: `<pythonPath> <serverArgs…>` (by default `python3 -m pml lsp`).
// No `vscode` import, so that the unit tests can run it under plain Node.

export const DEFAULT_SERVER_ARGS: readonly string[] = ['-m', 'pml', 'lsp'];

export interface ServerCommand {
    command: string;
    args: string[];
}

export interface Substitutions {
    /** The first workspace folder's path, for `${workspaceFolder}`. */
    workspaceFolder?: string;
    /** The user's home folder, for `~` and `${userHome}`. */
    home?: string;
    platform?: NodeJS.Platform;
}

/** Expand `~`, `${userHome}` and `${workspaceFolder}` in a setting's value. */
export function substitute(value: string, subs: Substitutions): string {
    let result = value;
    if (subs.home !== undefined) {
        if (result === '~' || result.startsWith('~/') || result.startsWith('~\\')) {
            result = subs.home + result.slice(1);
        }
        result = result.split('${userHome}').join(subs.home);
    }
    if (subs.workspaceFolder !== undefined) {
        result = result.split('${workspaceFolder}').join(subs.workspaceFolder);
    }
    return result;
}

/** The command line of the server from the `pml.pythonPath` and `pml.serverArgs` settings. */
export function serverCommand(pythonPath: unknown, serverArgs: unknown, subs: Substitutions = {}): ServerCommand {
    const fallback = (subs.platform ?? process.platform) === 'win32' ? 'python' : 'python3';
    const configured = typeof pythonPath === 'string' ? pythonPath.trim() : '';
    const command = configured === '' ? fallback : substitute(configured, subs);
    const args =
        Array.isArray(serverArgs) && serverArgs.every((arg) => typeof arg === 'string')
            ? serverArgs.map((arg: string) => substitute(arg, subs))
            : [...DEFAULT_SERVER_ARGS];
    return { command, args };
}

/** A command line as a person would type it, for messages. */
export function formatCommand({ command, args }: ServerCommand): string {
    const quote = (part: string) => (/^[\w@%+=:,./-]+$/.test(part) ? part : JSON.stringify(part));
    return [command, ...args].map(quote).join(' ');
}
