import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ContainerSnapshot, Snapshot } from '../../extension/core/snapshot/model';
import { assembleSnapshot } from '../../extension/core/snapshot/snapshot-assembly';
import { describeNamespaceSharing, printable, renderSnapshotText } from '../../extension/present/snapshot-text';
import { loadLabFixture } from './fixtures';

const engine = { endpoint: 'unix:///var/run/docker.sock', version: '20.10.24', apiVersion: '1.41', os: 'linux' };

function withHelper(): Snapshot {
  const { inspect, networks, facts } = loadLabFixture();
  return assembleSnapshot({ engine, inspected: inspect, networks, facts, helper: { mode: 'local', ok: true, reason: null } });
}
function byName(s: Snapshot, name: string): ContainerSnapshot {
  const c = s.containers.find((x) => x.name === name);
  assert.ok(c, `${name} is in the snapshot`);
  return c;
}

describe('assembleSnapshot from a recorded lab', () => {
  it('groups containers that share net, ipc and pid namespaces', () => {
    const s = withHelper();
    const web = byName(s, 'cilab-web');
    const sidecar = byName(s, 'cilab-sidecar');
    for (const type of ['net', 'ipc', 'pid'] as const) {
      assert.equal(sidecar.namespaces[type], web.namespaces[type]);
      assert.equal(describeNamespaceSharing(s, web, type), 'shared with cilab-sidecar');
    }
    assert.notEqual(sidecar.namespaces.mnt, web.namespaces.mnt);
    assert.equal(describeNamespaceSharing(s, web, 'mnt'), 'own');
  });

  it("lists the same interfaces for a container joining another one's network namespace", () => {
    const s = withHelper();
    assert.deepEqual(byName(s, 'cilab-sidecar').interfaces, byName(s, 'cilab-web').interfaces);
    const eth0 = byName(s, 'cilab-web').interfaces.find((i) => i.name === 'eth0');
    assert.equal(eth0?.network, 'cilab-net-a');
    assert.match(eth0?.hostPeer?.name ?? '', /^veth/);
  });

  it('shows a host-network container with no interfaces of its own, in the host namespace', () => {
    const s = withHelper();
    const host = byName(s, 'cilab-host');
    assert.deepEqual(host.interfaces, []);
    assert.equal(host.namespaces.net, s.hostNamespaces?.net);
    assert.equal(describeNamespaceSharing(s, host, 'net'), 'host');
  });

  it('shows only loopback for --network none, and two bridged interfaces for a multi-homed container', () => {
    const s = withHelper();
    assert.deepEqual(
      byName(s, 'cilab-none').interfaces.map((i) => i.kind),
      ['loopback'],
    );
    const multi = byName(s, 'cilab-multi').interfaces.filter((i) => i.kind === 'veth');
    assert.deepEqual(multi.map((i) => i.network).sort(), ['cilab-net-a', 'cilab-net-b']);
    assert.notEqual(multi[0]?.hostPeer?.bridge, multi[1]?.hostPeer?.bridge);
  });

  it('gives a stopped container no pid and null namespaces; a paused one keeps them', () => {
    const s = withHelper();
    const stopped = byName(s, 'cilab-stopped');
    assert.equal(stopped.pid, null);
    assert.ok(Object.values(stopped.namespaces).every((v) => v === null));
    assert.ok(byName(s, 'cilab-paused').namespaces.net);
  });

  it('flags anonymous volumes and keeps the inspect Source of every mount', () => {
    const { inspect } = loadLabFixture();
    const s = withHelper();
    const web = byName(s, 'cilab-web');
    const cache = web.mounts.find((m) => m.destination === '/cache');
    assert.equal(cache?.anonymous, true);
    assert.match(cache?.source ?? '', /^\/var\/lib\/docker\/volumes\/[0-9a-f]{64}\/_data$/);
    assert.equal(web.mounts.find((m) => m.destination === '/var/lib/data')?.anonymous, false);
    assert.equal(web.mounts.find((m) => m.destination === '/etc/lab.conf')?.rw, false);
    const raw = inspect.find((i) => i.Name === '/cilab-web');
    for (const m of raw?.Mounts ?? []) assert.equal(web.mounts.find((x) => x.destination === m.Destination)?.source, m.Source || null);
  });

  it('without the helper keeps what the API gives and says why the rest is missing', () => {
    const { inspect, networks } = loadLabFixture();
    const s = assembleSnapshot({
      engine,
      inspected: inspect,
      networks,
      facts: null,
      helper: { mode: 'off', ok: false, reason: 'the host helper is turned off (helper mode "off")' },
    });
    const multi = byName(s, 'cilab-multi');
    assert.ok(Object.values(multi.namespaces).every((v) => v === null));
    assert.deepEqual(multi.interfaces, []);
    assert.match(multi.unavailable.interfaces ?? '', /^needs the host helper: .*turned off/);
    assert.deepEqual(
      multi.endpoints.map((e) => e.network),
      ['cilab-net-a', 'cilab-net-b'],
    );
    assert.ok(multi.endpoints.every((e) => e.ipAddress && e.macAddress));
    assert.deepEqual(s.bridges, []);
    assert.deepEqual(s.namespaceGroups, []);
    assert.match(renderSnapshotText(s), /Host helper: unavailable/);
  });
});

describe('printable', () => {
  it('escapes newlines and terminal control sequences from user data', () => {
    assert.equal(printable('a\nb\u001b[2Jc\td'), 'a\\nb\\x1b[2Jc\\td');
  });
});
