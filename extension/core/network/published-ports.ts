// Published ports (-p) with what implements each: the DNAT rule in the nat
// table of whichever iptables the engine uses, and the docker-proxy process
// when there is one. Pure.

import type { Snapshot } from '../snapshot/model';
import type { NetState, PublishedPortInfo } from './net-state-model';

export function publishedPorts(snapshot: Snapshot, state: NetState | null): PublishedPortInfo[] {
  const out: PublishedPortInfo[] = [];
  for (const c of snapshot.containers) {
    for (const p of c.ports) {
      const containerIp = c.endpoints.find((e) => e.ipAddress)?.ipAddress?.split('/')[0] ?? null;
      out.push({
        container: c.name,
        containerId: c.id,
        protocol: p.protocol,
        hostIp: p.hostIp,
        hostPort: p.hostPort,
        containerIp,
        containerPort: p.containerPort,
        dnatRule: state && containerIp ? (findDnat(state.nat, p.protocol, p.hostIp, p.hostPort, containerIp, p.containerPort) ?? null) : null,
        proxy: state ? (findProxy(state.proxies, p.protocol, p.hostIp, p.hostPort) ?? null) : null,
      });
    }
  }
  return out.sort((a, b) => a.hostPort - b.hostPort || a.hostIp.localeCompare(b.hostIp));
}

/** The rule "-A DOCKER … -p tcp … --dport 8080 -j DNAT --to-destination 172.17.0.2:80" for one mapping. */
export function findDnat(nat: readonly string[], protocol: string, hostIp: string, hostPort: number, ip: string, port: number): string | undefined {
  return nat.find((rule) => {
    const words = rule.split(' ');
    if (!words.includes('DNAT') || words[words.indexOf('-p') + 1] !== protocol) return false;
    if (words[words.indexOf('--dport') + 1] !== String(hostPort)) return false;
    if (words[words.indexOf('--to-destination') + 1] !== `${ip}:${port}`) return false;
    const d = words.indexOf('-d');
    // A mapping bound to one address carries it as -d ADDR/32; 0.0.0.0 carries none.
    return d < 0 ? hostIp === '0.0.0.0' || hostIp === '' : words[d + 1] === `${hostIp}/32`;
  });
}

function findProxy(proxies: NetState['proxies'], protocol: string, hostIp: string, hostPort: number): NetState['proxies'][number] | undefined {
  const option = (argv: string[], name: string) => argv[argv.indexOf(name) + 1];
  return proxies.find(
    (p) => option(p.argv, '-host-port') === String(hostPort) && option(p.argv, '-proto') === protocol && option(p.argv, '-host-ip') === hostIp,
  );
}
