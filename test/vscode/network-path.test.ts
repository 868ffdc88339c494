import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ContainerInternalsApi } from '../../extension/extension';
import { activateExtension, child, rows } from './api';
import { docker, run } from './lab';

describe('Network path in the workbench', () => {
  let api: ContainerInternalsApi;
  before(async () => {
    api = await activateExtension();
    await api.session.refresh();
  });
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('a bridge network lists its CAM table, as `bridge fdb` has it, with each MAC’s owner', async () => {
    const id = await docker(['network', 'inspect', '-f', '{{.Id}}', 'cilab-net-a']);
    const bridge = `br-${id.slice(0, 12)}`;
    // Traffic, so that the bridge learns the MACs.
    const multiIp = await docker(['inspect', '-f', '{{(index .NetworkSettings.Networks "cilab-net-a").IPAddress}}', 'cilab-multi']);
    await docker(['exec', 'cilab-web', 'ping', '-c', '1', '-W', '2', multiIp]);
    const net = await child(api.networks, undefined, 'cilab-net-a');
    const cam = await child(api.networks, net.node, 'CAM table');
    const entries = await rows(api.networks, cam.node);
    const truth = JSON.parse((await run('bridge', ['-j', 'fdb', 'show', 'br', bridge])).stdout) as Array<{ mac: string; ifname: string; state?: string }>;
    const learned = truth.filter((t) => !t.state && t.ifname !== bridge);
    assert.ok(learned.length >= 2, 'the ping taught the bridge two MACs');
    for (const t of learned) {
      const row = entries.find((r) => r.label === `${t.mac} → ${t.ifname}`);
      assert.ok(row, `${t.mac} on ${t.ifname} is listed among ${entries.map((r) => r.label).join(' | ')}`);
      assert.match(row.description, /^cilab-(web|multi) eth\d · learned/);
    }
  });

  it('Trace Path opens the hop list in a read-only editor', async () => {
    const result = (await vscode.commands.executeCommand('containerInternals.tracePath', { from: 'cilab-web', to: 'cilab-multi' })) as {
      ok: boolean;
      reason?: string;
      document?: vscode.TextDocument;
    };
    assert.ok(result.ok, result.reason);
    const text = result.document!.getText();
    assert.match(text, /^cilab-web → cilab-multi: reached/);
    assert.match(text, /bridge +br-[0-9a-f]{12}\n +CAM: /);
    assert.equal(vscode.window.activeTextEditor?.document.uri.scheme, 'container-internals-trace');
  });
});
