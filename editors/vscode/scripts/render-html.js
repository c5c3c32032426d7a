// Render a .kpi file as HTML, highlighted by the extension's TextMate grammar
// with VS Code's "Dark+" colours: the picture in docs/editors.md is made with it.
//   node scripts/render-html.js syntaxes/kpi.tmLanguage.json FILE.kpi > out.html
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const oniguruma = require('vscode-oniguruma');
const vsctm = require('vscode-textmate');

// The scopes of the grammar, most specific first, and Dark+ colours for them.
const COLOURS = [
  ['comment', '#6A9955'],
  ['constant.character.escape', '#D7BA7D'],
  ['variable.other.placeholder', '#9CDCFE'],
  ['string', '#CE9178'],
  ['storage.type', '#569CD6'],
  ['entity.name.function.call', '#DCDCAA'],
  ['entity.name.function', '#4EC9B0'],
  ['support.function', '#DCDCAA'],
  ['constant.language', '#569CD6'],
  ['constant.other.period', '#B5CEA8'],
  ['constant.numeric', '#B5CEA8'],
  ['keyword.operator', '#D4D4D4'],
  ['keyword', '#C586C0'],
  ['variable', '#9CDCFE'],
];

function colourOf(scopes) {
  for (const [prefix, colour] of COLOURS) {
    if (scopes.some((scope) => scope === prefix || scope.startsWith(`${prefix}.`))) return colour;
  }
  return '#D4D4D4';
}

function escape(text) {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

async function main(grammarPath, sourcePath) {
  const wasm = fs.readFileSync(path.join(path.dirname(require.resolve('vscode-oniguruma')), 'onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer);
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (text) => new oniguruma.OnigString(text),
    }),
    loadGrammar: async () => vsctm.parseRawGrammar(fs.readFileSync(grammarPath, 'utf8'), grammarPath),
  });
  const grammar = await registry.loadGrammar('source.kpi');
  let state = vsctm.INITIAL;
  const out = [];
  for (const line of fs.readFileSync(sourcePath, 'utf8').replace(/\n$/, '').split('\n')) {
    const result = grammar.tokenizeLine(line, state);
    out.push(result.tokens.map((token) => {
      const text = escape(line.slice(token.startIndex, token.endIndex));
      return `<span style="color:${colourOf(token.scopes)}">${text}</span>`;
    }).join(''));
    state = result.ruleStack;
  }
  process.stdout.write(
    '<!doctype html><meta charset="utf-8"><body style="margin:0;background:#1E1E1E">' +
    '<pre style="margin:0;padding:16px 20px;font:15px/1.45 \'DejaVu Sans Mono\',monospace;color:#D4D4D4">' +
    `${out.join('\n')}</pre></body>\n`);
}

main(process.argv[2], process.argv[3]).catch((error) => {
  console.error(error);
  process.exit(1);
});
