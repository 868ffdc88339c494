// The network path from live state, against real containers and real traffic:
// the bridge's CAM table after a ping, each container's routes, a traced path
// checked hop by hop against the kernel (`ip route get`, `bridge fdb`,
// `iptables-save`), published ports with their DNAT rule and docker-proxy.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { createEngine } from '../../extension/core/engine/engine';
import { resolveEndpoint } from '../../extension/core/engine/engine-endpoint';
import { ContainerHelperRunner, LocalHelperRunner, type HelperRunner } from '../../extension/core/host/helper-runners';
import { camOf } from '../../extension/core/network/cam-table';
import type { NetState } from '../../extension/core/network/net-state-model';
import { parseTraceEnd, tracePath } from '../../extension/core/network/path-trace';
import { publishedPorts } from '../../extension/core/network/published-ports';
import { readNetState } from '../../extension/core/network/read-net-state';
import type { ContainerSnapshot, Snapshot } from '../../extension/core/snapshot/model';
import { takeSnapshot } from '../../extension/core/snapshot/read-snapshot';
import { cli, docker, inspectPid, LAB_IMAGE, LAB_LABEL, requireLab, run } from './lab';

const tag = `${process.pid}`;
const NET = `cilab-path-net-${tag}`;
const A = `cilab-path-a-${tag}`;
const B = `cilab-path-b-${tag}`;
const PUB = `cilab-path-pub-${tag}`;
const engine = createEngine(resolveEndpoint({}));
const local = new LocalHelperRunner();

async function snap(): Promise<Snapshot> {
  return takeSnapshot(engine, { helper: { runner: local, mode: 'local', reason: null } });
}
function byName(s: Snapshot, name: string): ContainerSnapshot {
  const c = s.containers.find((x) => x.name === name);
  assert.ok(c, `${name} is in the snapshot`);
  return c;
}
function ipOf(c: ContainerSnapshot): string {
  return c.interfaces
    .find((i) => i.kind === 'veth')!
    .addresses.find((a) => !a.includes(':'))!
    .split('/')[0]!;
}
/** The kernel's own answer, in the container's network namespace: `ip -j route get`. */
async function routeGet(pid: number, ip: string): Promise<{ dev: string; gateway?: string }> {
  const r = await run('nsenter', ['-t', String(pid), '-n', 'ip', '-j', 'route', 'get', ip]);
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as Array<{ dev: string; gateway?: string }>)[0]!;
}
async function natRules(): Promise<string[]> {
  for (const tool of ['iptables-save', 'iptables-nft-save', 'iptables-legacy-save']) {
    const r = await run(tool, ['-t', 'nat']);
    if (r.code === 0 && r.stdout.includes(':DOCKER ')) return r.stdout.split('\n').filter((l) => l.startsWith('-A '));
  }
  throw new Error('no iptables holds the DOCKER chain');
}

describe('network path, from live state', () => {
  let bridge = '';
  before(async () => {
    await requireLab();
    await docker(['network', 'create', '--label', LAB_LABEL, NET]);
    bridge = `br-${(await docker(['network', 'inspect', '-f', '{{.Id}}', NET])).slice(0, 12)}`;
    for (const name of [A, B]) await docker(['run', '-d', '--label', LAB_LABEL, '--name', name, '--network', NET, LAB_IMAGE, 'sleep', '3600']);
    await docker(['run', '-d', '--label', LAB_LABEL, '--name', PUB, '--network', NET, '-p', '127.0.0.1::80', LAB_IMAGE, 'sleep', '3600']);
  });
  after(async () => {
    await docker(['rm', '-f', A, B, PUB]).catch(() => undefined);
    await docker(['network', 'rm', NET]).catch(() => undefined);
    engine.close();
  });

  it('after a ping, the CAM table has both MACs on the right veths, as `bridge fdb` has them, with their owners', async () => {
    let s = await snap();
    await docker(['exec', A, 'ping', '-c', '2', '-W', '2', ipOf(byName(s, B))]);
    s = await snap();
    const state = await readNetState(local, s);
    const cam = camOf(state, bridge);
    const truth = JSON.parse((await run('bridge', ['-j', 'fdb', 'show', 'br', bridge])).stdout) as Array<{ mac: string; ifname: string; state?: string }>;
    for (const name of [A, B]) {
      const iface = byName(s, name).interfaces.find((i) => i.kind === 'veth')!;
      const entry = cam.find((e) => e.mac === iface.mac);
      assert.ok(entry, `${name}'s MAC ${iface.mac} is in the CAM table`);
      assert.equal(entry.state, 'learned');
      assert.equal(entry.port, iface.hostPeer!.name, `${name}'s MAC is on its own veth`);
      assert.deepEqual(entry.owner, { container: name, iface: iface.name });
      assert.ok(
        truth.some((t) => t.mac === iface.mac && t.ifname === entry.port && !t.state),
        'the kernel has the same learned entry',
      );
    }
    // The ports' own addresses are local entries, not learned ones.
    for (const port of s.bridges.find((b) => b.name === bridge)!.ports)
      assert.ok(
        cam.some((e) => e.port === port && e.state === 'local'),
        `${port} has its own address`,
      );
    assert.ok((state.ageing.get(bridge) ?? 0) > 0, 'the bridge reports its ageing time');
  });

  it('traces container to container on one bridge: first hop as `ip route get` says, the CAM lookup, the other veth', async () => {
    const s = await snap();
    const a = byName(s, A);
    const b = byName(s, B);
    const state = await readNetState(local, s, [a]);
    const trace = tracePath(s, state, parseTraceEnd(A, s), parseTraceEnd(B, s));
    const kernel = await routeGet(a.pid!, ipOf(b));
    assert.equal(trace.outcome, 'reached');
    assert.equal(trace.hops[0]!.where, `${A} ${kernel.dev}`);
    assert.equal(kernel.gateway, undefined);
    assert.match(trace.hops[0]!.detail, /\(connected\)/);
    const aPeer = a.interfaces.find((i) => i.kind === 'veth')!.hostPeer!;
    const bPeer = b.interfaces.find((i) => i.kind === 'veth')!.hostPeer!;
    assert.deepEqual(
      trace.hops.map((h) => [h.kind, h.decided]),
      [
        ['interface', true],
        ['veth', true],
        ['bridge', true],
        ['veth', true],
        ['interface', true],
      ],
    );
    assert.equal(trace.hops[1]!.where, `host end ${aPeer.name}`);
    assert.equal(trace.hops[2]!.where, bridge);
    assert.match(trace.hops[2]!.detail, new RegExp(`learned on ${bPeer.name}|not learned yet`));
    assert.equal(trace.hops[3]!.where, bPeer.name);
    const cliTrace = await cli(['trace', A, B, '--json']);
    assert.equal(cliTrace.code, 0, cliTrace.stderr);
    assert.equal((JSON.parse(cliTrace.stdout) as { outcome: string }).outcome, 'reached');
  });

  it('traces to outside through the MASQUERADE rule iptables-save has, computing it without sending anything', async () => {
    const s = await snap();
    const a = byName(s, A);
    const state = await readNetState(local, s, [a]);
    const trace = tracePath(s, state, parseTraceEnd(A, s), parseTraceEnd('outside', s));
    assert.equal(trace.outcome, 'leaves the host');
    const routes = JSON.parse((await run('nsenter', ['-t', String(a.pid), '-n', 'ip', '-j', 'route', 'show', 'default'])).stdout) as Array<{
      gateway: string;
      dev: string;
    }>;
    assert.match(trace.hops[0]!.detail, new RegExp(`default via ${routes[0]!.gateway.replace(/\./g, '\\.')} dev ${routes[0]!.dev}`));
    const nat = trace.hops.find((h) => h.kind === 'nat')!;
    const rule = (await natRules()).find((r) => r.includes('MASQUERADE') && nat.detail.endsWith(r));
    assert.ok(rule, `the MASQUERADE hop quotes a rule iptables-save has: ${nat.detail}`);
  });

  it('shows a published port with the DNAT rule iptables-save has and its docker-proxy, and traces to it', async () => {
    const s = await snap();
    const pub = byName(s, PUB);
    assert.equal(pub.ports.length, 1);
    const state = await readNetState(local, s);
    const port = publishedPorts(s, state).find((p) => p.container === PUB)!;
    assert.equal(port.hostIp, '127.0.0.1');
    assert.equal(port.containerPort, 80);
    assert.equal(port.containerIp, ipOf(pub));
    assert.ok(port.dnatRule && (await natRules()).includes(port.dnatRule), `the DNAT rule is iptables-save's: ${port.dnatRule}`);
    assert.match(port.dnatRule, new RegExp(`--to-destination ${port.containerIp!.replace(/\./g, '\\.')}:80`));
    if (port.proxy) assert.ok(fs.readFileSync(`/proc/${port.proxy.pid}/cmdline`, 'latin1').includes(String(port.hostPort)));
    const trace = tracePath(s, state, parseTraceEnd('outside', s), parseTraceEnd(`host:${port.hostPort}`, s));
    assert.equal(trace.outcome, 'reached');
    assert.ok(trace.hops.some((h) => h.kind === 'nat' && h.detail.includes(port.dnatRule!)));
    assert.equal(trace.hops.at(-1)!.where, `${PUB} eth0`);
    const listed = await cli(['ports']);
    assert.ok(listed.stdout.includes(`127.0.0.1:${port.hostPort}/tcp → ${PUB} ${port.containerIp}:80`), listed.stdout);
  });

  it('multi-homed, none, host and container:X: each traced from its own namespace', async () => {
    const s = await snap();
    const state = await readNetState(
      local,
      s,
      ['cilab-multi', 'cilab-sidecar', 'cilab-none', 'cilab-default'].map((n) => byName(s, n)),
    );
    // Multi-homed: the kernel's choice of interface, whichever network the target is on.
    const multi = byName(s, 'cilab-multi');
    for (const target of ['cilab-web', 'cilab-default']) {
      const trace = tracePath(s, state, parseTraceEnd('cilab-multi', s), parseTraceEnd(target, s));
      const ip = trace.hops[0]!.detail;
      const targetIp = ipOf(byName(s, target));
      const kernel = await routeGet(multi.pid!, targetIp);
      assert.equal(trace.hops[0]!.where, `cilab-multi ${kernel.dev}`, ip);
    }
    assert.equal(tracePath(s, state, parseTraceEnd('cilab-none', s), parseTraceEnd('cilab-web', s)).outcome, 'dropped');
    const fromHost = tracePath(s, state, parseTraceEnd('cilab-host', s), parseTraceEnd('cilab-web', s));
    assert.equal(fromHost.hops[0]!.kind, 'host');
    assert.equal(fromHost.outcome, 'reached');
    // container:X shares X's namespace: to X it never leaves it; to another container it goes out X's eth0.
    assert.match(tracePath(s, state, parseTraceEnd('cilab-sidecar', s), parseTraceEnd('cilab-web', s)).hops[0]!.detail, /same network namespace/);
    const sidecarOut = tracePath(s, state, parseTraceEnd('cilab-sidecar', s), parseTraceEnd('cilab-multi', s));
    const web = byName(s, 'cilab-web');
    assert.equal(sidecarOut.hops[1]!.where, `host end ${web.interfaces.find((i) => i.kind === 'veth')!.hostPeer!.name}`);
    // Across two Docker networks, Docker's isolation rules drop it, and the trace quotes them.
    const across = tracePath(s, state, parseTraceEnd('cilab-default', s), parseTraceEnd(A, s));
    assert.equal(across.outcome, 'dropped');
    assert.match(across.hops.at(-1)!.detail, /DOCKER-ISOLATION-STAGE-2 -o br-\w+ -j DROP/);
  });

  it('reads each container’s routes as `ip route` has them in its namespace, also through the helper container', async () => {
    const s = await snap();
    const a = byName(s, A);
    const image = await docker(['image', 'inspect', '-f', '{{.Id}}', LAB_IMAGE]);
    for (const runner of [local, new ContainerHelperRunner(engine, LAB_IMAGE, image)] as HelperRunner[]) {
      const state: NetState = await readNetState(runner, s, [a]);
      const truth = JSON.parse((await run('nsenter', ['-t', String(await inspectPid(A)), '-n', 'ip', '-j', 'route', 'show'])).stdout) as Array<{
        dst: string;
        dev: string;
      }>;
      const mine = state.containerRoutes.get(a.id)!.filter((r) => r.family === 4);
      assert.deepEqual(
        mine.map((r) => [r.dst, r.dev]),
        truth.map((r) => [r.dst, r.dev]),
        runner.description,
      );
      assert.ok(state.natTool, `${runner.description} reads the nat table`);
      assert.ok(camOf(state, bridge).length > 0);
    }
  });

  it('an interface named with a control byte is shown escaped in a trace and its CAM entry, and breaks nothing', async () => {
    const s = await snap();
    const evil = byName(s, 'cilab-evil-ifname');
    const state = await readNetState(local, s, [evil]);
    const trace = await cli(['trace', 'cilab-evil-ifname', 'cilab-default']);
    assert.equal(trace.code, 0, trace.stderr);
    // eslint-disable-next-line no-control-regex -- checking that none got through
    assert.ok(!/[\u0000-\u0008\u000b-\u001f]/.test(trace.stdout), 'no raw control byte reaches the terminal');
    assert.ok(state.containerRoutes.has(evil.id));
  });
});
