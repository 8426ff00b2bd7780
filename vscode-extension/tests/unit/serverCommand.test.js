'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { serverCommand, formatCommand, DEFAULT_SERVER_ARGS } = require('../../out/serverCommand');

test('defaults: python3 -m pml lsp', () => {
    assert.deepEqual(serverCommand('python3', ['-m', 'pml', 'lsp'], { platform: 'linux' }),
        { command: 'python3', args: ['-m', 'pml', 'lsp'] });
    assert.deepEqual([...DEFAULT_SERVER_ARGS], ['-m', 'pml', 'lsp']);
});

test('an empty or missing pythonPath means python3 (python on Windows)', () => {
    assert.equal(serverCommand('', undefined, { platform: 'linux' }).command, 'python3');
    assert.equal(serverCommand(undefined, undefined, { platform: 'linux' }).command, 'python3');
    assert.equal(serverCommand('  ', undefined, { platform: 'win32' }).command, 'python');
});

test('serverArgs that are not a list of strings fall back to the default', () => {
    assert.deepEqual(serverCommand('py', 'lsp', {}).args, ['-m', 'pml', 'lsp']);
    assert.deepEqual(serverCommand('py', ['-m', 3], {}).args, ['-m', 'pml', 'lsp']);
    assert.deepEqual(serverCommand('py', [], {}).args, []);
});

test('~, ${userHome} and ${workspaceFolder} are expanded', () => {
    const subs = { home: '/home/ada', workspaceFolder: '/src/app', platform: 'linux' };
    assert.equal(serverCommand('~/venv/bin/python', [], subs).command, '/home/ada/venv/bin/python');
    assert.equal(serverCommand('${workspaceFolder}/.venv/bin/python', [], subs).command, '/src/app/.venv/bin/python');
    assert.deepEqual(serverCommand('python3', ['-m', 'pml', 'lsp', '--log', '${userHome}/pml.log'], subs).args,
        ['-m', 'pml', 'lsp', '--log', '/home/ada/pml.log']);
    assert.equal(serverCommand('a~b', [], subs).command, 'a~b');
});

test('formatCommand quotes what a shell would split', () => {
    assert.equal(formatCommand({ command: '/opt/my python/bin/python3', args: ['-m', 'pml', 'lsp'] }),
        '"/opt/my python/bin/python3" -m pml lsp');
});
