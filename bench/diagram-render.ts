// Renders a synthetic snapshot of 200 containers on 10 networks to SVG (ELK
// layout included) and compares it with a 20-container snapshot, alternating
// the two. Prints medians, their ratio, and the webview bundle size.
//   node dist/bench/diagram-render.js [--rounds 7]
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { renderDiagramSvg } from '../extension/core/diagram-svg';
import { emptyNamespaces } from '../extension/core/helper-output';
import type { ContainerSnapshot, Snapshot } from '../extension/core/model';

/** A snapshot shaped like a real host: bridges with veth ports, every fifth container sharing a namespace. */
export function syntheticSnapshot(containers: number, networks: number): Snapshot {
  const nets = Array.from({ length: networks }, (_, n) => ({ id: `net${n}`.padEnd(64, '0'), name: `net-${n}`, driver: 'bridge', scope: 'local', bridge: `br-net${n}`, subnets: [`10.${n}.0.0/16`], gateways: [`10.${n}.0.1`], parent: null }));
  const list: ContainerSnapshot[] = [];
  const ports = new Map<string, string[]>();
  for (let i = 0; i < containers; i++) {
    const net = nets[i % networks]!;
    const shares = i % 5 === 4 ? list[i - 1] : undefined;
    const inode = shares ? (shares.namespaces.net as number) : 4026530000 + i;
    const veth = `veth${i.toString(16).padStart(7, '0')}`;
    if (!shares) ports.set(net.bridge, [...(ports.get(net.bridge) ?? []), veth]);
    list.push({
      id: `c${i}`.padEnd(64, '0'),
      name: `svc-${i}`,
      image: 'img:1',
      state: 'running',
      pid: 1000 + i,
      networkMode: shares ? `container:${shares.id}` : net.name,
      namespaces: { ...emptyNamespaces(), net: inode },
      mounts: [],
      interfaces: shares
        ? shares.interfaces
        : [
            { name: 'lo', kind: 'loopback', driverKind: null, ifindex: 1, peerIfindex: null, mac: null, addresses: ['127.0.0.1/8'], mtu: 65536, state: 'UNKNOWN', network: null, hostPeer: null, parent: null },
            { name: 'eth0', kind: 'veth', driverKind: 'veth', ifindex: 2 + i, peerIfindex: 5000 + i, mac: null, addresses: [`10.${i % networks}.${Math.floor(i / 250)}.${(i % 250) + 2}/16`], mtu: 1500, state: 'UP', network: net.name, hostPeer: { name: veth, ifindex: 5000 + i, bridge: net.bridge }, parent: null },
          ],
      endpoints: [],
      compose: null,
      labels: {},
      unavailable: {},
    });
  }
  return {
    engine: { endpoint: 'unix:///var/run/docker.sock', version: 'synthetic', apiVersion: '1.41', os: 'linux' },
    takenAt: new Date(0).toISOString(),
    helper: { mode: 'local', ok: true, reason: null },
    hostNamespaces: { ...emptyNamespaces(), net: 4026531840 },
    containers: list,
    bridges: nets.map((n, i) => ({ name: n.bridge, ifindex: 10 + i, network: n.name, ports: ports.get(n.bridge) ?? [], addresses: [`${n.gateways[0]}/16`], state: 'UP' })),
    networks: nets,
    volumes: [],
    namespaceGroups: [],
  };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function time(s: Snapshot): Promise<number> {
  const start = performance.now();
  await renderDiagramSvg(s, { standalone: true });
  return performance.now() - start;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rounds: { type: 'string', default: '7' } } });
  const big = syntheticSnapshot(200, 10);
  const small = syntheticSnapshot(20, 10);
  await time(small); // warm up ELK's code paths
  const bigTimes: number[] = [];
  const smallTimes: number[] = [];
  for (let i = 0; i < Number(values.rounds); i++) {
    smallTimes.push(await time(small));
    bigTimes.push(await time(big));
  }
  const webview = path.join(__dirname, '..', 'webview', 'main.js');
  process.stdout.write(
    `20 containers / 10 networks, median: ${median(smallTimes).toFixed(0)} ms\n` +
      `200 containers / 10 networks, median: ${median(bigTimes).toFixed(0)} ms (target ≤ 1000 ms)\n` +
      `ratio 200 / 20: ${(median(bigTimes) / median(smallTimes)).toFixed(1)}×\n` +
      (fs.existsSync(webview) ? `webview bundle: ${(fs.statSync(webview).size / 1024).toFixed(0)} KiB (ELK is most of it)\n` : ''),
  );
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`bench: ${String(error)}\n`);
    process.exitCode = 1;
  });
}
