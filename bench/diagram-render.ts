// Renders synthetic snapshots of 100, 300 and 500 containers on 10 networks to
// SVG (ELK layout included), with every container drawn (as before crowds were
// grouped) and with the default grouping, alternated in one run. Prints medians,
// their ratio, and the webview bundle size.
//   node dist/bench/diagram-render.js [--sizes 100,300,500] [--rounds 5]
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { renderDiagramSvg } from '../extension/present/diagram-svg';
import { emptyNamespaces } from '../extension/core/host/helper-output';
import type { ContainerSnapshot, Snapshot } from '../extension/core/snapshot/model';

/** A snapshot shaped like a real host: bridges with veth ports, every fifth container sharing a namespace. */
export function syntheticSnapshot(containers: number, networks: number): Snapshot {
  const nets = Array.from({ length: networks }, (_, n) => ({
    id: `net${n}`.padEnd(64, '0'),
    name: `net-${n}`,
    driver: 'bridge',
    scope: 'local',
    bridge: `br-net${n}`,
    subnets: [`10.${n}.0.0/16`],
    gateways: [`10.${n}.0.1`],
    parent: null,
  }));
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
            {
              name: 'lo',
              kind: 'loopback',
              driverKind: null,
              ifindex: 1,
              peerIfindex: null,
              mac: null,
              addresses: ['127.0.0.1/8'],
              mtu: 65536,
              state: 'UNKNOWN',
              network: null,
              hostPeer: null,
              parent: null,
            },
            {
              name: 'eth0',
              kind: 'veth',
              driverKind: 'veth',
              ifindex: 2 + i,
              peerIfindex: 5000 + i,
              mac: null,
              addresses: [`10.${i % networks}.${Math.floor(i / 250)}.${(i % 250) + 2}/16`],
              mtu: 1500,
              state: 'UP',
              network: net.name,
              hostPeer: { name: veth, ifindex: 5000 + i, bridge: net.bridge },
              parent: null,
            },
          ],
      endpoints: [],
      ports: [],
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
    bridges: nets.map((n, i) => ({
      name: n.bridge,
      ifindex: 10 + i,
      network: n.name,
      ports: ports.get(n.bridge) ?? [],
      addresses: [`${n.gateways[0]}/16`],
      state: 'UP',
    })),
    networks: nets,
    volumes: [],
    namespaceGroups: [],
  };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function time(s: Snapshot, expanded?: readonly string[]): Promise<number> {
  const start = performance.now();
  await renderDiagramSvg(s, { standalone: true, expanded });
  return performance.now() - start;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, sizes: { type: 'string', default: '100,300,500' } } });
  const rounds = Number(values.rounds);
  await time(syntheticSnapshot(20, 10)); // warm up ELK's code paths
  const rows: string[] = [];
  for (const size of values.sizes.split(',').map(Number)) {
    const s = syntheticSnapshot(size, 10);
    const everyBridge = s.bridges.map((b) => b.name);
    const grouped: number[] = [];
    const flat: number[] = [];
    for (let i = 0; i < rounds; i++) {
      grouped.push(await time(s));
      flat.push(await time(s, everyBridge));
    }
    rows.push(`| ${size} | ${median(flat).toFixed(0)} ms | ${median(grouped).toFixed(0)} ms | ${(median(grouped) / median(flat)).toFixed(2)}× |`);
    process.stderr.write(`${rows[rows.length - 1]}\n`);
  }
  const webview = path.join(__dirname, '..', 'webview', 'main.js');
  process.stdout.write(
    `diagram render (ELK layout + SVG), 10 networks, median of ${rounds}\n` +
      `| containers | every container drawn (before) | crowds grouped (default now) | ratio |\n|---|---|---|---|\n${rows.join('\n')}\n` +
      (fs.existsSync(webview) ? `webview bundle: ${(fs.statSync(webview).size / 1024).toFixed(0)} KiB (ELK is most of it)\n` : ''),
  );
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`bench: ${String(error)}\n`);
    process.exitCode = 1;
  });
}
