// The snapshot against facts read independently from the kernel:
// readlink /proc/PID/ns/*, `nsenter -t PID -n ip -j -d link`, `ip -j -d link`.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { before, describe, it } from 'node:test';
import type { ContainerSnapshot, Snapshot } from '../../extension/core/snapshot/model';
import { NAMESPACE_TYPES } from '../../extension/core/snapshot/model';
import { cli, docker, requireLab, run } from './lab';

interface Link {
  ifindex: number;
  ifname: string;
  link_index?: number;
  address?: string;
  link_type: string;
  master?: string;
  mtu: number;
  operstate: string;
  linkinfo?: { info_kind?: string };
  addr_info?: Array<{ local: string; prefixlen: number }>;
}

let snapshot: Snapshot;
const lab = (): ContainerSnapshot[] => snapshot.containers.filter((c) => c.labels['dev.container-internals.lab'] === '1');
const get = (name: string): ContainerSnapshot => {
  const c = snapshot.containers.find((x) => x.name === name);
  assert.ok(c, `${name} in snapshot`);
  return c;
};
function nsInode(pid: number, type: string): number {
  const link = fs.readlinkSync(`/proc/${pid}/ns/${type}`);
  const m = /^[a-z_]+:\[(\d+)\]$/.exec(link);
  assert.ok(m, `unexpected link ${link}`);
  return Number(m[1]);
}
async function linksIn(pid: number | null): Promise<Link[]> {
  const r = pid === null ? await run('ip', ['-j', '-d', 'addr']) : await run('nsenter', ['-t', String(pid), '-n', 'ip', '-j', '-d', 'addr']);
  assert.equal(r.code, 0, r.stderr);
  // ip's JSON writer leaves control bytes in names raw (cilab-evil-ifname has one): escape them to parse.
  // eslint-disable-next-line no-control-regex -- matching control bytes is the point
  return JSON.parse(r.stdout.replace(/[\x00-\x09\x0b-\x1f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)) as Link[];
}

describe('snapshot --json against the kernel', () => {
  before(async () => {
    await requireLab();
    const r = await cli(['snapshot', '--json', '--helper', 'local']);
    assert.equal(r.code, 0, r.stderr);
    snapshot = JSON.parse(r.stdout) as Snapshot;
  });

  it('covers every container, running or not, with the public fields', async () => {
    // Every container, the ones carrying the helper label included: a label proves nothing.
    const ids = (await docker(['ps', '-aq', '--no-trunc'])).split('\n').filter(Boolean).sort();
    assert.deepEqual(snapshot.containers.map((c) => c.id).sort(), ids);
    assert.equal(snapshot.helper.ok, true);
    for (const c of snapshot.containers) {
      assert.ok(!c.name.startsWith('/'));
      assert.deepEqual(Object.keys(c.namespaces).sort(), [...NAMESPACE_TYPES].sort());
      for (const key of ['id', 'name', 'state', 'pid', 'networkMode', 'mounts', 'interfaces']) assert.ok(key in c, key);
    }
    for (const key of ['engine', 'containers', 'bridges']) assert.ok(key in snapshot, key);
  });

  it('reports the namespace inodes that readlink /proc/PID/ns/* shows', () => {
    const running = lab().filter((c) => c.pid !== null);
    assert.ok(running.length >= 9);
    for (const c of running) {
      for (const type of NAMESPACE_TYPES) {
        if (!fs.existsSync(`/proc/${c.pid}/ns/${type}`)) continue;
        assert.equal(c.namespaces[type], nsInode(c.pid as number, type), `${c.name} ${type}`);
      }
    }
  });

  it('gives stopped containers no pid and null namespaces', () => {
    const stopped = get('cilab-stopped');
    assert.equal(stopped.state, 'exited');
    assert.equal(stopped.pid, null);
    assert.ok(Object.values(stopped.namespaces).every((v) => v === null));
  });

  it('recognises the host namespaces and groups sharers by inode', () => {
    const host = get('cilab-host');
    assert.equal(host.namespaces.net, nsInode(process.pid, 'net'));
    assert.equal(host.namespaces.pid, nsInode(process.pid, 'pid'));
    assert.deepEqual(host.interfaces, []);
    const hostNet = snapshot.namespaceGroups.find((g) => g.type === 'net' && g.inode === host.namespaces.net);
    assert.equal(hostNet?.isHost, true);
    const web = get('cilab-web');
    for (const type of ['net', 'ipc', 'pid'] as const) {
      const group = snapshot.namespaceGroups.find((g) => g.type === type && g.inode === web.namespaces[type]);
      assert.deepEqual(group?.containers, ['cilab-sidecar', 'cilab-web'], type);
      assert.equal(group?.isHost, false);
    }
  });

  it('lists every interface of each container network namespace as ip sees it inside', async () => {
    for (const c of lab().filter((x) => x.pid !== null && x.networkMode !== 'host')) {
      const truth = await linksIn(c.pid);
      const mine = c.interfaces.map((i) => [i.name, i.ifindex, i.peerIfindex, i.mac ?? '00:00:00:00:00:00', i.mtu, i.state, [...i.addresses].sort()]);
      const theirs = truth.map((l) => [
        l.ifname,
        l.ifindex,
        l.link_index ?? null,
        l.address ?? null,
        l.mtu,
        l.operstate,
        [...(l.addr_info ?? [])].map((a) => `${a.local}/${a.prefixlen}`).sort(),
      ]);
      assert.deepEqual(mine.sort(), theirs.sort(), c.name);
    }
    assert.deepEqual(
      get('cilab-none').interfaces.map((i) => i.name),
      ['lo'],
    );
  });

  it("pairs each container veth with the host veth that names it, and that veth's bridge", async () => {
    const host = new Map((await linksIn(null)).map((l) => [l.ifindex, l]));
    let paired = 0;
    for (const c of lab()) {
      for (const i of c.interfaces.filter((x) => x.kind === 'veth')) {
        const peer = host.get(i.peerIfindex as number);
        assert.ok(peer && i.hostPeer, `${c.name} ${i.name} has a host peer`);
        assert.equal(i.hostPeer.name, peer.ifname);
        assert.equal(peer.link_index, i.ifindex);
        assert.equal(i.hostPeer.bridge, peer.master ?? null);
        paired++;
      }
    }
    assert.ok(paired >= 8, `paired ${paired}`);
    const multi = get('cilab-multi').interfaces.filter((i) => i.kind === 'veth');
    assert.deepEqual(multi.map((i) => i.network).sort(), ['cilab-net-a', 'cilab-net-b']);
  });

  it('lists every Linux bridge on the host with all its ports, tied to its Docker network', async () => {
    const links = await linksIn(null);
    const bridges = links.filter((l) => l.linkinfo?.info_kind === 'bridge');
    assert.deepEqual(snapshot.bridges.map((b) => b.name).sort(), bridges.map((b) => b.ifname).sort());
    for (const b of snapshot.bridges) {
      assert.deepEqual(
        b.ports,
        links
          .filter((l) => l.master === b.name)
          .map((l) => l.ifname)
          .sort(),
        b.name,
      );
    }
    const netA = (await docker(['network', 'inspect', '-f', '{{.Id}}', 'cilab-net-a'])).slice(0, 12);
    assert.equal(snapshot.bridges.find((b) => b.name === `br-${netA}`)?.network, 'cilab-net-a');
    assert.equal(snapshot.bridges.find((b) => b.name === 'docker0')?.network, 'bridge');
  });

  it('reports each mount with the Source docker inspect gives', async () => {
    for (const c of lab()) {
      const raw = JSON.parse(await docker(['inspect', '-f', '{{json .Mounts}}', c.id])) as Array<{
        Source: string;
        Destination: string;
        RW: boolean;
        Type: string;
      }>;
      for (const m of raw) {
        const mine = c.mounts.find((x) => x.destination === m.Destination);
        assert.ok(mine, `${c.name} ${m.Destination}`);
        assert.equal(mine.source, m.Source || null);
        assert.equal(mine.rw, m.RW);
        assert.equal(mine.type, m.Type);
      }
    }
    const anon = get('cilab-web').mounts.find((m) => m.destination === '/cache');
    assert.equal(anon?.anonymous, true);
    assert.ok(fs.existsSync(anon?.source ?? ''), 'anonymous volume data dir exists on the host');
  });
});
