// A traced path as text: the read-only editor document and the CLI's `trace`.

import type { CamEntry, PathTrace, PublishedPortInfo } from '../core/network/net-state-model';
import { printable } from './snapshot-text';

export function traceText(trace: PathTrace): string {
  const lines = [`${printable(trace.from)} → ${printable(trace.to)}: ${trace.outcome}`, ''];
  trace.hops.forEach((h, i) => {
    lines.push(`${String(i + 1).padStart(2)}. ${h.kind.padEnd(9)} ${printable(h.where)}`);
    lines.push(`    ${h.decided ? '' : 'NOT DECIDED FROM STATE: '}${printable(h.detail)}`);
  });
  lines.push('', 'Computed from live state (routes, the CAM table, neighbours, NAT and filter rules); no packet was sent.');
  return `${lines.join('\n')}\n`;
}

/** "0.0.0.0:8080/tcp → cilab-web 172.30.1.2:80 (DNAT …; docker-proxy pid N)". */
export function publishedPortLine(p: PublishedPortInfo): string {
  const via = [p.dnatRule ? `DNAT: ${p.dnatRule}` : 'no DNAT rule found', p.proxy ? `docker-proxy pid ${p.proxy.pid}` : 'no docker-proxy'].join('; ');
  return `${p.hostIp}:${p.hostPort}/${p.protocol} → ${printable(p.container)} ${p.containerIp ?? '?'}:${p.containerPort} (${via})`;
}

/** "02:42:ac:11:00:02 → veth1a2b3c4: cilab-web eth0, learned 3 s ago". */
export function camLine(e: CamEntry): string {
  const owner = e.owner
    ? `${printable(e.owner.container)} ${printable(e.owner.iface)}`
    : e.state === 'local'
      ? "the port's own address"
      : 'no container has this MAC';
  const how = e.state === 'learned' ? `learned${e.updatedSecondsAgo !== null ? ` ${e.updatedSecondsAgo} s ago` : ''}` : e.state;
  return `${e.mac} → ${printable(e.port)}: ${owner}, ${how}${e.vlan !== null ? `, vlan ${e.vlan}` : ''}`;
}
