// The compose language server over stdio (`container-internals lsp --stdio`),
// as Neovim or Helix would run it, against the lab engine.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { createMessageConnection, type MessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { CLI, docker, requireLab } from './lab';
import { waitFor } from '../wait-for';

interface Diagnostic {
  range: { start: { line: number } };
  message: string;
  code?: string;
  severity: number;
}

describe('compose language server over stdio', () => {
  let server: ChildProcess;
  let rpc: MessageConnection;
  let dir: string;
  let uri: string;
  let text: string;
  const diagnostics = new Map<string, Diagnostic[]>();

  before(async () => {
    await requireLab();
    // The compose file lives in the host directory cilab-web mounts at /srv/app, so `./` is a live bind source.
    const mounts = JSON.parse(await docker(['inspect', '-f', '{{json .Mounts}}', 'cilab-web'])) as Array<{ Source: string; Destination: string }>;
    dir = mounts.find((m) => m.Destination === '/srv/app')?.Source as string;
    const file = path.join(dir, 'compose.yaml');
    text = [
      'name: cilab',
      'services:',
      '  web:',
      '    image: container-internals-lab/busybox:1',
      '    volumes:',
      '      - ./:/srv/app',
      '      - ./missing-dir:/data',
      '  ghost:',
      '    image: container-internals-lab/busybox:1',
      '    network_mode: "container:cilab-web"',
      '',
    ].join('\n');
    fs.writeFileSync(file, text);
    uri = pathToFileURL(file).href;
    server = spawn(process.execPath, [CLI, 'lsp', '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
    rpc = createMessageConnection(
      new StreamMessageReader(server.stdout as NodeJS.ReadableStream),
      new StreamMessageWriter(server.stdin as NodeJS.WritableStream),
    );
    rpc.onNotification('textDocument/publishDiagnostics', (p: { uri: string; diagnostics: Diagnostic[] }) => diagnostics.set(p.uri, p.diagnostics));
    rpc.listen();
    const init = (await rpc.sendRequest('initialize', { processId: process.pid, rootUri: pathToFileURL(dir).href, capabilities: {} })) as {
      capabilities: Record<string, unknown>;
    };
    assert.ok(init.capabilities.hoverProvider && init.capabilities.codeLensProvider);
    await rpc.sendNotification('initialized', {});
    await rpc.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text } });
  });

  after(async () => {
    await rpc?.sendRequest('shutdown').catch(() => undefined);
    await rpc?.sendNotification('exit').catch(() => undefined);
    rpc?.dispose();
    server?.kill();
    fs.rmSync(path.join(dir, 'compose.yaml'), { force: true });
  });

  /** Hover answers from the live snapshot once the server has one; poll until it does. */
  async function hover(line: number, character: number, until: RegExp): Promise<string> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const h = (await rpc.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line, character } })) as {
        contents: { value: string };
      } | null;
      const value = h?.contents.value ?? '';
      if (until.test(value) || Date.now() > deadline) return value;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('answers a hover on a service with the lab container carrying its compose labels', async () => {
    // The first look paints from the list call alone; namespaces follow a moment later.
    const value = await hover(2, 3, /cilab-web[\s\S]*net `\d+`/);
    assert.match(value, /`cilab-web` — running/);
    assert.match(value, /net `\d+` — shared with cilab-sidecar/);
  });

  it('diagnoses the missing ./dir bind source on its line, and not the existing one', async () => {
    const deadline = Date.now() + 15_000;
    while (!(diagnostics.get(uri) ?? []).some((d) => d.code === 'missing-bind-source') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const found = (diagnostics.get(uri) ?? []).filter((d) => d.code === 'missing-bind-source');
    assert.equal(found.length, 1);
    assert.equal(found[0]?.range.start.line, 6);
    assert.match(found[0]?.message ?? '', /missing-dir does not exist/);
  });

  it('shows what a bind mount is on the host, and who mounts it', async () => {
    const value = await hover(5, 10, /mounted by/);
    assert.match(value, new RegExp(`host path: \`${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\``));
    assert.match(value, /`cilab-web` at `\/srv\/app`/);
  });

  it('offers code lenses only for services with a running container', async () => {
    const lenses = (await rpc.sendRequest('textDocument/codeLens', { textDocument: { uri } })) as Array<{
      range: { start: { line: number } };
      command: { title: string; command: string; arguments: unknown[] };
    }>;
    assert.deepEqual([...new Set(lenses.map((l) => l.range.start.line))], [2]);
    assert.deepEqual(
      lenses.map((l) => l.command.command),
      ['containerInternals.attachShell', 'containerInternals.enterNamespaces', 'containerInternals.showInDiagram', 'containerInternals.revealContainer'],
    );
  });
});

describe('compose language server over stdio, with global options', () => {
  it('follows the engine --host names (before or after the command), not the default one', async () => {
    const missing = `unix://${path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ci-lsp-')), 'no-engine.sock')}`;
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ci-lsp-ws-')), 'compose.yaml');
    const text = ['services:', '  web:', '    image: busybox', ''].join('\n');
    fs.writeFileSync(file, text);
    const uri = pathToFileURL(file).href;
    for (const args of [
      ['--host', missing, 'lsp', '--stdio'],
      ['lsp', '--stdio', '--host', missing],
    ]) {
      const server = spawn(process.execPath, [CLI, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
      const rpc = createMessageConnection(
        new StreamMessageReader(server.stdout as NodeJS.ReadableStream),
        new StreamMessageWriter(server.stdin as NodeJS.WritableStream),
      );
      rpc.listen();
      try {
        await rpc.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
        await rpc.sendNotification('initialized', {});
        await rpc.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text } });
        let value = '';
        await waitFor('a hover that names the endpoint given', async () => {
          const h = (await rpc.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 1, character: 3 } })) as {
            contents: { value: string };
          } | null;
          value = h?.contents.value ?? '';
          return value.includes(`Cannot reach Docker at ${missing}`);
        });
        assert.match(value, /the socket does not exist/);
      } finally {
        await rpc.sendRequest('shutdown').catch(() => undefined);
        await rpc.sendNotification('exit').catch(() => undefined);
        rpc.dispose();
        server.kill();
      }
    }
  });
});
