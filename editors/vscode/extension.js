// The kpirules extension: starts `kpirules lsp` and lets VS Code talk to it.
// Highlighting comes from syntaxes/kpi.tmLanguage.json (generated from the
// kpirules grammar: `npm run build`); everything else from the language server.
'use strict';

const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

let client;

/** How the server is started: the `kpirules.server.*` settings, `kpirules lsp` by default. */
function serverOptions(configuration) {
  const command = configuration.get('server.command') || 'kpirules';
  const args = configuration.get('server.args') || ['lsp'];
  return { command, args, transport: TransportKind.stdio };
}

/** Which documents the server sees, and which files it is told about when they change. */
function clientOptions() {
  return {
    documentSelector: [
      { scheme: 'file', language: 'kpirules' },
      { scheme: 'untitled', language: 'kpirules' },
    ],
    synchronize: {
      fileEvents: vscode.workspace.createFileSystemWatcher('**/{kpirules.toml,pyproject.toml}'),
    },
  };
}

function activate(context) {
  const configuration = vscode.workspace.getConfiguration('kpirules');
  client = new LanguageClient('kpirules', 'kpirules', serverOptions(configuration), clientOptions());
  context.subscriptions.push(client);
  return client.start().catch((error) => {
    vscode.window.showErrorMessage(
      `kpirules: cannot start the language server (${error.message || error}). ` +
      "Install it with: pip install 'kpirules[lsp]', or set kpirules.server.command.");
  });
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate, serverOptions, clientOptions };
