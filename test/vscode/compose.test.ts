import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activateExtension } from './api';
import { docker, waitFor } from './lab';

describe('Compose language server in the workbench', () => {
  let file: string;
  before(async () => {
    await activateExtension();
    const mounts = JSON.parse(await docker(['inspect', '-f', '{{json .Mounts}}', 'cilab-web'])) as Array<{ Source: string; Destination: string }>;
    const dir = mounts.find((m) => m.Destination === '/srv/app')?.Source as string;
    file = path.join(dir, 'docker-compose.yml');
    fs.writeFileSync(
      file,
      [
        'name: cilab',
        'services:',
        '  web:',
        '    image: busybox',
        '    volumes:',
        '      - ./:/srv/app',
        '      - ./not-there:/data',
        '      - cache:/cache',
        '',
      ].join('\n'),
    );
  });
  after(() => {
    fs.rmSync(file, { force: true });
  });

  it('shows diagnostics for a compose file opened in the editor', async () => {
    const uri = vscode.Uri.file(file);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const diagnostics = await waitFor(
      'compose diagnostics',
      async () => {
        const d = vscode.languages.getDiagnostics(uri);
        return d.some((x) => x.code === 'missing-bind-source') && d.some((x) => x.code === 'undeclared-volume') ? d : undefined;
      },
      30_000,
    );
    const missing = diagnostics.find((d) => d.code === 'missing-bind-source');
    assert.equal(missing?.range.start.line, 6);
    assert.equal(missing?.severity, vscode.DiagnosticSeverity.Warning);
    assert.ok(!diagnostics.some((d) => d.range.start.line === 5), 'the existing ./ is fine');
    const hovers = (await vscode.commands.executeCommand('vscode.executeHoverProvider', uri, new vscode.Position(2, 3))) as vscode.Hover[];
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))).join('\n');
    assert.match(text, /cilab-web/);
  });
});
