import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as vscode from 'vscode';
import type { ContainerInternalsApi } from '../../extension/extension';
import { activateExtension, child, rows } from './api';
import { docker, nsInode, waitFor } from './lab';

describe('Containers view', () => {
  let api: ContainerInternalsApi;
  before(async () => {
    api = await activateExtension();
    api.containers.setGroupBy('none');
  });

  it('filters rows by name, image, network or project, and keeps the filter across refreshes', async () => {
    try {
      await vscode.commands.executeCommand('containerInternals.filterContainers', 'network:cilab-net-b');
      assert.deepEqual(
        (await rows(api.containers)).map((r) => r.label),
        ['cilab-multi'],
      );
      await api.session.refresh();
      assert.deepEqual(
        (await rows(api.containers)).map((r) => r.label),
        ['cilab-multi'],
      );
      await vscode.commands.executeCommand('containerInternals.filterContainers', 'name:nothing-is-called-this');
      assert.match((await rows(api.containers))[0]?.label ?? '', /^No container matches "name:nothing-is-called-this" \(\d+ hidden\)$/);
    } finally {
      await vscode.commands.executeCommand('containerInternals.clearContainerFilter');
    }
    assert.ok((await rows(api.containers)).some((r) => r.label === 'cilab-web'));
  });

  it('lists lab containers with namespace rows showing the inodes /proc shows', async () => {
    const web = await child(api.containers, undefined, 'cilab-web');
    assert.match(web.description, /container-internals-lab\/busybox:1 · [0-9a-f]{12}/);
    assert.equal(web.item.contextValue, 'container.running');
    const namespaces = await child(api.containers, web.node, 'Namespaces');
    const pid = Number(await docker(['inspect', '-f', '{{.State.Pid}}', 'cilab-web']));
    const net = await child(api.containers, namespaces.node, `net ${nsInode(pid, 'net')}`);
    assert.equal(net.description, 'shared with cilab-sidecar');
    assert.equal(net.item.contextValue, 'namespace.shared');
    const mnt = await child(api.containers, namespaces.node, `mnt ${nsInode(pid, 'mnt')}`);
    assert.equal(mnt.description, 'own');
    const cgroup = await child(api.containers, namespaces.node, /^cgroup \d+$/);
    assert.equal(cgroup.description, cgroup.label === `cgroup ${nsInode(process.pid, 'cgroup')}` ? 'host' : 'own');
  });

  it('shows each interface paired with its host veth and bridge, as ip sees them', async () => {
    const multi = await child(api.containers, undefined, 'cilab-multi');
    const network = await child(api.containers, multi.node, 'Network');
    const pid = Number(await docker(['inspect', '-f', '{{.State.Pid}}', 'cilab-multi']));
    const inside = JSON.parse(await run('nsenter', ['-t', String(pid), '-n', 'ip', '-j', 'link'])) as Array<{ ifname: string; link_index?: number }>;
    const host = JSON.parse(await run('ip', ['-j', 'link'])) as Array<{ ifindex: number; ifname: string; master?: string }>;
    for (const name of ['eth0', 'eth1']) {
      const link = inside.find((l) => l.ifname === name);
      const peer = host.find((h) => h.ifindex === link?.link_index);
      assert.ok(peer?.master, `${name} has a host peer on a bridge`);
      const row = await child(api.containers, network.node, new RegExp(`^${name} `));
      assert.ok(row.label.includes(`⇄ ${peer.ifname} → ${peer.master}`), row.label);
    }
  });

  it('says plainly when a container uses the host network or none', async () => {
    const host = await child(api.containers, undefined, 'cilab-host');
    assert.ok((await rows(api.containers, (await child(api.containers, host.node, 'Network')).node)).some((r) => /host network/.test(r.label)));
    const none = await child(api.containers, undefined, 'cilab-none');
    const noneRows = await rows(api.containers, (await child(api.containers, none.node, 'Network')).node);
    assert.deepEqual(
      noneRows.map((r) => r.label),
      ['no network (only loopback)', 'lo 127.0.0.1/8 (loopback)', 'Routes'],
    );
  });

  it('lists mounts with their host sources', async () => {
    const web = await child(api.containers, undefined, 'cilab-web');
    const mounts = await rows(api.containers, (await child(api.containers, web.node, 'Mounts')).node);
    assert.ok(mounts.some((m) => /^bind .*\/src → \/srv\/app$/.test(m.label)));
    assert.ok(mounts.some((m) => m.label === 'volume cilab-data → /var/lib/data' && m.description === '/var/lib/docker/volumes/cilab-data/_data'));
    assert.ok(mounts.some((m) => /^anonymous [0-9a-f]{12}… → \/cache$/.test(m.label)));
    assert.ok(mounts.some((m) => /→ \/etc\/lab\.conf \(ro\)$/.test(m.label)));
  });

  it('adds a row when a container is created and drops it when removed, from engine events', async () => {
    const name = `cilab-evt-${process.pid}`;
    await docker(['rm', '-f', name]).catch(() => undefined);
    await docker(['run', '-d', '--label', 'dev.container-internals.lab=1', '--name', name, 'container-internals-lab/busybox:1', 'sleep', '600']);
    await waitFor(`${name} row`, async () => (await rows(api.containers)).some((r) => r.label === name));
    await docker(['rm', '-f', name]);
    await waitFor(`${name} gone`, async () => !(await rows(api.containers)).some((r) => r.label === name));
  });

  it('groups by network namespace, putting containers that share one together', async () => {
    try {
      api.containers.setGroupBy('netns');
      const groups = await rows(api.containers);
      const pid = Number(await docker(['inspect', '-f', '{{.State.Pid}}', 'cilab-web']));
      const shared = groups.find((g) => g.label === `net ${nsInode(pid, 'net')}`);
      assert.ok(shared, 'group for web netns');
      assert.deepEqual((await rows(api.containers, shared.node)).map((r) => r.label).sort(), ['cilab-sidecar', 'cilab-web']);
    } finally {
      api.containers.setGroupBy('none');
    }
  });
});

function run(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => execFile(file, args, (e, out, err) => (e ? reject(new Error(err || e.message)) : resolve(out))));
}
