import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ContainerInternalsApi } from '../../extension/extension';
import { activateExtension, child, rows } from './api';
import { docker, waitFor } from './lab';

describe('Volumes', () => {
  let api: ContainerInternalsApi;
  before(async () => {
    api = await activateExtension();
    api.containers.setGroupBy('none');
    await api.session.refresh();
  });
  after(async () => {
    await docker(['volume', 'rm', '-f', 'civol-ext']).catch(() => undefined);
  });

  async function mountRow(container: string, label: RegExp) {
    const c = await child(api.containers, undefined, container);
    const mounts = await child(api.containers, c.node, 'Mounts');
    return child(api.containers, mounts.node, label);
  }

  it('Inspect Side by Side opens the host file and the container file as one diff with the same content', async () => {
    const mount = await mountRow('cilab-web', /→ \/srv\/app$/);
    const result = (await vscode.commands.executeCommand('containerInternals.openSideBySide', mount.node, { file: 'hello.txt' })) as {
      ok: boolean;
      opened?: vscode.Uri[];
      entries?: Array<{ name: string; host: boolean; container: boolean }>;
    };
    assert.ok(result.ok && result.opened?.length === 2);
    assert.ok(result.entries?.some((e) => e.name === 'hello.txt' && e.host && e.container));
    const [left, right] = result.opened;
    assert.equal(left?.scheme, 'file');
    assert.equal(right?.scheme, 'container-internals');
    const host = Buffer.from(await vscode.workspace.fs.readFile(left as vscode.Uri)).toString();
    const inside = Buffer.from(await vscode.workspace.fs.readFile(right as vscode.Uri)).toString();
    assert.equal(inside, host);
    // The same data: an edit on the host side is what the container sees.
    fs.writeFileSync((left as vscode.Uri).fsPath, 'edited on the host\n');
    assert.equal(Buffer.from(await vscode.workspace.fs.readFile(right as vscode.Uri)).toString(), 'edited on the host\n');
    fs.writeFileSync((left as vscode.Uri).fsPath, host);
  });

  it('What This Mount Hides lists the image files under a bind mount', async () => {
    const mount = await mountRow('cilab-undermount', /→ \/data$/);
    const result = (await vscode.commands.executeCommand('containerInternals.showHiddenByMount', mount.node, { open: 'none' })) as {
      ok: boolean;
      entries?: Array<{ name: string; kind: string; exact: boolean }>;
    };
    assert.ok(result.ok);
    assert.deepEqual(result.entries, [{ name: 'from-image', kind: 'dir', exact: true }]);
  });

  it('Create Volume makes a volume that then shows in the Volumes view', async () => {
    const result = (await vscode.commands.executeCommand('containerInternals.createVolume', { name: 'civol-ext' })) as {
      ok: boolean;
      volume?: { mountpoint: string };
    };
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.volume?.mountpoint, '/var/lib/docker/volumes/civol-ext/_data');
    await waitFor('the new volume row', async () => (await rows(api.volumes)).some((r) => r.label === 'civol-ext'));
    const bad = (await vscode.commands.executeCommand('containerInternals.createVolume', { name: 'bad name' })) as { ok: boolean; reason?: string };
    assert.equal(bad.ok, false);
    assert.match(bad.reason ?? '', /not a valid volume name/);
    assert.ok(!path.isAbsolute(bad.reason ?? ''));
  });

  it('reads the host side through the helper when the engine is not on this machine', async () => {
    // A TCP endpoint in front of the lab socket: to the extension it is a remote engine.
    const proxy = net.createServer((client) => {
      const upstream = net.connect('/var/run/docker.sock');
      client.pipe(upstream).pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const port = (proxy.address() as net.AddressInfo).port;
    const config = vscode.workspace.getConfiguration('containerInternals');
    try {
      await config.update('helperImage', 'container-internals-lab/busybox:1', vscode.ConfigurationTarget.Global);
      await config.update('dockerHost', `tcp://127.0.0.1:${port}`, vscode.ConfigurationTarget.Global);
      await waitFor('the remote engine', async () => (await rows(api.containers)).some((r) => r.label === 'cilab-web'));
      const mount = await mountRow('cilab-web', /→ \/srv\/app$/);
      assert.doesNotMatch(String(mount.item.contextValue), /\.local\b/);
      const result = (await vscode.commands.executeCommand('containerInternals.openSideBySide', mount.node, { file: 'hello.txt' })) as {
        ok: boolean;
        opened?: vscode.Uri[];
      };
      assert.ok(result.ok && result.opened?.length === 2, JSON.stringify(result));
      const [left, right] = result.opened;
      assert.equal(left?.scheme, 'container-internals-hidden');
      const hostText = (await vscode.workspace.openTextDocument(left as vscode.Uri)).getText();
      assert.equal(hostText, Buffer.from(await vscode.workspace.fs.readFile(right as vscode.Uri)).toString());
      assert.match(hostText, /hello from the host/);
    } finally {
      await config.update('dockerHost', undefined, vscode.ConfigurationTarget.Global);
      await config.update('helperImage', undefined, vscode.ConfigurationTarget.Global);
      await waitFor('the local engine again', async () => (await rows(api.containers)).some((r) => r.label === 'cilab-web'));
      // Only now, and once no helper container is left: the daemon removes each when it ends (AutoRemove).
      // Ours are known by their names; the lab's cilab-evil-label carries the helper label and must stay.
      await waitFor('no helper container left', async () => (await docker(['ps', '-aq', '--filter', 'name=^container-internals-helper-'])) === '');
      proxy.close();
    }
  });
});
