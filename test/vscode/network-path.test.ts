import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { ContainerInternalsApi } from '../../extension/extension';
import { activateExtension, child, rows, unreadContainers } from './api';
import { docker, run, waitFor } from './lab';

describe('Network path in the workbench', () => {
  let api: ContainerInternalsApi;
  before(async () => {
    api = await activateExtension();
    console.log(`live model at the start of this suite: ${unreadContainers(api)}`);
    api.session.ensureStarted();
    // A settings change in an earlier suite may have restarted the session: wait for a whole snapshot, not the first rows.
    const whole = () =>
      api.session.state.kind === 'ready' &&
      !api.session.state.snapshot.preliminary &&
      !!api.session.state.snapshot.containers.find((c) => c.name === 'cilab-web')?.interfaces.length;
    await waitFor('a whole snapshot, with interfaces', async () => whole(), 30_000).catch((error: Error) => {
      const state = api.session.state;
      const web = state.kind === 'ready' ? state.snapshot.containers.find((c) => c.name === 'cilab-web') : undefined;
      throw new Error(
        `${error.message}: ${JSON.stringify({ kind: state.kind, helper: state.kind === 'ready' ? state.snapshot.helper : null, web: web?.unavailable, pid: web?.pid })}`,
      );
    });
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

  it('Capture Traffic on an interface row writes a pcap into the workspace and lists its packets', async () => {
    const web = await child(api.containers, undefined, 'cilab-web');
    const network = await child(api.containers, web.node, 'Network');
    const eth0 = (await rows(api.containers, network.node)).find((r) => r.label.startsWith('eth0 '));
    assert.ok(eth0, 'cilab-web has an eth0 row');
    const multiIp = await docker(['inspect', '-f', '{{(index .NetworkSettings.Networks "cilab-net-a").IPAddress}}', 'cilab-multi']);
    const capturing = vscode.commands.executeCommand('containerInternals.captureTraffic', eth0.node, {
      where: 'container',
      iface: 'eth0',
      filter: 'icmp',
      count: 2,
      seconds: 20,
    }) as Thenable<{ ok: boolean; reason?: string; file?: string; packets?: number; lines?: string[] | null }>;
    let done = false;
    void Promise.resolve(capturing).then(() => (done = true));
    for (let i = 0; i < 20 && !done; i++) await docker(['exec', 'cilab-web', 'ping', '-c', '1', '-W', '1', multiIp]).catch(() => undefined);
    const result = await capturing;
    assert.ok(result.ok, result.reason);
    assert.equal(result.packets, 2);
    assert.ok(result.file && fs.existsSync(result.file), 'the pcap is on disk');
    assert.ok(
      result.lines?.some((l) => l.includes('ICMP echo')),
      JSON.stringify(result.lines),
    );
    fs.rmSync(result.file, { force: true });
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
