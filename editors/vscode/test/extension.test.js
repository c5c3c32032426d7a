// The extension's client, with VS Code and the language client replaced by
// recorders: activating it starts `kpirules lsp` over stdio for .kpi documents.
'use strict';

const assert = require('node:assert');
const Module = require('node:module');
const test = require('node:test');

function loadExtension(settings) {
  const started = [];
  const fakeVscode = {
    workspace: {
      getConfiguration: (section) => ({ get: (key) => settings[`${section}.${key}`] }),
      createFileSystemWatcher: (glob) => ({ glob }),
    },
    window: { showErrorMessage: (message) => started.push({ error: message }) },
  };
  class LanguageClient {
    constructor(id, name, serverOptions, clientOptions) {
      Object.assign(this, { id, name, serverOptions, clientOptions });
    }
    start() { started.push(this); return Promise.resolve(); }
    stop() { return Promise.resolve(); }
  }
  const fakeClient = { LanguageClient, TransportKind: { stdio: 0 } };
  const originalLoad = Module._load;
  Module._load = function load(request, ...rest) {
    if (request === 'vscode') return fakeVscode;
    if (request === 'vscode-languageclient/node') return fakeClient;
    return originalLoad.call(this, request, ...rest);
  };
  try {
    delete require.cache[require.resolve('../extension.js')];
    return { extension: require('../extension.js'), started };
  } finally {
    Module._load = originalLoad;
  }
}

test('activating starts kpirules lsp over stdio for kpirules documents', async () => {
  const { extension, started } = loadExtension({});
  const context = { subscriptions: [] };
  await extension.activate(context);
  assert.strictEqual(started.length, 1);
  const client = started[0];
  assert.deepStrictEqual(client.serverOptions, { command: 'kpirules', args: ['lsp'], transport: 0 });
  assert.deepStrictEqual(client.clientOptions.documentSelector, [
    { scheme: 'file', language: 'kpirules' },
    { scheme: 'untitled', language: 'kpirules' },
  ]);
  assert.strictEqual(client.clientOptions.synchronize.fileEvents.glob, '**/{kpirules.toml,pyproject.toml}');
  assert.deepStrictEqual(context.subscriptions, [client]);
});

test('the server command comes from the settings', async () => {
  const { extension, started } = loadExtension({
    'kpirules.server.command': '/project/.venv/bin/kpirules',
    'kpirules.server.args': ['lsp', '--stdio'],
  });
  await extension.activate({ subscriptions: [] });
  assert.strictEqual(started[0].serverOptions.command, '/project/.venv/bin/kpirules');
  assert.deepStrictEqual(started[0].serverOptions.args, ['lsp', '--stdio']);
});

test('the language, grammar and settings are contributed for .kpi files', () => {
  const manifest = require('../package.json');
  const language = manifest.contributes.languages[0];
  assert.deepStrictEqual(language.extensions, ['.kpi']);
  assert.strictEqual(manifest.contributes.grammars[0].language, language.id);
  assert.strictEqual(manifest.contributes.grammars[0].scopeName, 'source.kpi');
  assert.strictEqual(manifest.main, './extension.js');
  const configuration = require('../language-configuration.json');
  assert.strictEqual(configuration.comments.lineComment, '#');
});
