// Where a packet goes, computed from live state only: the source's routes,
// the veth pair, the bridge's CAM table, the host's routes, and the NAT and
// filter rules Docker wrote. Where state cannot decide a hop, the hop says so
// (decided: false); nothing is guessed, and nothing is sent. Pure. IPv4.

import type { ContainerSnapshot, InterfaceSnapshot, Snapshot } from '../snapshot/model';
import { camOf } from './cam-table';
import type { NetState, PathTrace, RouteEntry, TraceHop, TraceRef } from './net-state-model';
import { findDnat } from './published-ports';

export type TraceEnd =
  | { kind: 'container'; container: ContainerSnapshot }
  | { kind: 'host' }
  | { kind: 'ip'; ip: string }
  | { kind: 'outside' }
  | { kind: 'published'; hostPort: number; protocol: string };

export class TraceError extends Error {}

/** "web", "host", "outside", "172.17.0.2", "host:8080" or "host:53/udp". */
export function parseTraceEnd(text: string, snapshot: Snapshot): TraceEnd {
  if (text === 'host') return { kind: 'host' };
  if (text === 'outside') return { kind: 'outside' };
  const published = /^host:(\d{1,5})(?:\/(tcp|udp|sctp))?$/.exec(text);
  if (published) return { kind: 'published', hostPort: Number(published[1]), protocol: published[2] ?? 'tcp' };
  const byName =
    snapshot.containers.find((c) => c.name === text || c.id === text) ?? snapshot.containers.find((c) => text.length >= 4 && c.id.startsWith(text));
  if (byName) return { kind: 'container', container: byName };
  if (ipToInt(text) !== null) {
    const owner = snapshot.containers.find((c) => c.interfaces.some((i) => i.addresses.some((a) => a.split('/')[0] === text)));
    return owner ? { kind: 'container', container: owner } : { kind: 'ip', ip: text };
  }
  throw new TraceError(`"${text}" is not a container, an IPv4 address, host, outside or host:PORT`);
}

export function describeEnd(end: TraceEnd): string {
  switch (end.kind) {
    case 'container':
      return end.container.name;
    case 'host':
      return 'the host';
    case 'ip':
      return end.ip;
    case 'outside':
      return 'outside';
    case 'published':
      return `host port ${end.hostPort}/${end.protocol}`;
  }
}

export function tracePath(snapshot: Snapshot, state: NetState, from: TraceEnd, to: TraceEnd): PathTrace {
  const hops: TraceHop[] = [];
  const result = (outcome: PathTrace['outcome']): PathTrace => ({ from: describeEnd(from), to: describeEnd(to), hops, outcome });
  const hop = (kind: TraceHop['kind'], where: string, detail: string, decided = true, ref?: TraceRef): void => {
    hops.push(ref ? { kind, where, detail, decided, ref } : { kind, where, detail, decided });
  };

  // A published port is DNAT to a container's address first.
  let target = to;
  if (to.kind === 'published') {
    const owner = snapshot.containers.find((c) => c.ports.some((p) => p.hostPort === to.hostPort && p.protocol === to.protocol));
    const port = owner?.ports.find((p) => p.hostPort === to.hostPort && p.protocol === to.protocol);
    if (!owner || !port) {
      hop('nat', 'nat DOCKER', `no container publishes ${to.hostPort}/${to.protocol}`);
      return result('unknown');
    }
    const ip = owner.endpoints.find((e) => e.ipAddress)?.ipAddress?.split('/')[0];
    const rule = ip ? findDnat(state.nat, port.protocol, port.hostIp, port.hostPort, ip, port.containerPort) : undefined;
    if (from.kind !== 'outside') hop('host', 'the host', `the packet is addressed to a local address, port ${to.hostPort}`);
    else hop('outside', 'arrives from outside', `at the host's address, port ${to.hostPort}`);
    if (rule)
      hop('nat', `nat (${state.natTool ?? 'iptables'})`, `DNAT to ${ip}:${port.containerPort}: ${rule}`, true, { port: `${port.hostPort}/${port.protocol}` });
    else hop('nat', 'nat', `no DNAT rule for ${to.hostPort}/${to.protocol} → ${ip ?? '?'}:${port.containerPort} was found in the nat table`, false);
    target = { kind: 'container', container: owner };
    return towardsFromHost(snapshot, state, hop, targetIp(target, null), target, null, result);
  }

  const source = from.kind === 'container' && from.container.networkMode !== 'host' ? from.container : null;
  if (from.kind === 'container' && from.container.networkMode === 'host')
    hop('host', from.container.name, "the host's network namespace (--network host): the host's routes apply");
  if (!source) {
    if (from.kind === 'outside') hop('outside', 'arrives from outside', "on one of the host's interfaces");
    else if (from.kind !== 'container') hop('host', 'the host', "the host's network namespace");
    return towardsFromHost(snapshot, state, hop, targetIp(target, null), target, null, result);
  }

  // From a container: its own routing table first.
  if (source.pid === null) {
    hop('interface', source.name, 'not running: no network namespace');
    return result('unknown');
  }
  const dstIp = targetIp(target, source);
  const sameNetns =
    (target.kind === 'container' && target.container.namespaces.net !== null && target.container.namespaces.net === source.namespaces.net) ||
    (dstIp !== null && source.interfaces.some((i) => i.addresses.some((a) => a.split('/')[0] === dstIp)));
  if (sameNetns) {
    hop(
      'interface',
      `${source.name} lo`,
      `${dstIp ?? describeEnd(target)} is an address of this same network namespace: the kernel delivers it through lo, and it never reaches a bridge`,
    );
    return result('reached');
  }
  const routes = state.containerRoutes.get(source.id);
  if (!routes) {
    hop('route', source.name, "the container's routes were not read", false);
    return result('unknown');
  }
  const route = lookup(routes, dstIp);
  if (!route) {
    hop(
      'route',
      source.name,
      `no route to ${dstIp ?? 'outside'}${source.networkMode === 'none' ? ' (--network none: loopback only)' : ''}: network unreachable`,
    );
    return result('dropped');
  }
  const iface = source.interfaces.find((i) => i.name === route.dev);
  hop('interface', `${source.name} ${route.dev ?? '?'}`, `route: ${describeRoute(route)}`, true, {
    container: source.name,
    ...(route.dev ? { ifname: route.dev } : {}),
  });
  if (!iface?.hostPeer) {
    hop('veth', `${route.dev ?? '?'}`, iface ? `a ${iface.kind} interface with no host veth peer: not traced further` : 'the interface was not read', false);
    return result('unknown');
  }
  hop('veth', `host end ${iface.hostPeer.name}`, `veth pair ${iface.name}@if${iface.hostPeer.ifindex} ⇄ ${iface.hostPeer.name}`, true, {
    ifname: iface.hostPeer.name,
  });
  const bridge = iface.hostPeer.bridge;
  if (!bridge) {
    hop('bridge', iface.hostPeer.name, 'the host end is on no bridge', false);
    return result('unknown');
  }
  if (!route.gateway && target.kind === 'container') {
    // Connected: one CAM lookup on this bridge, then the other veth.
    const dest = interfaceOn(target.container, bridge, snapshot);
    if (dest) return acrossBridge(state, hop, bridge, dest, target.container, result);
  }
  if (!route.gateway) {
    hop('bridge', bridge, `${dstIp ?? '?'} is on the link, but no container here has it: the bridge floods the ARP request, and state shows no answer`, false);
    return result('unknown');
  }
  const gatewayIsBridge = snapshot.bridges.find((b) => b.name === bridge)?.addresses.some((a) => a.split('/')[0] === route.gateway);
  hop(
    'bridge',
    bridge,
    gatewayIsBridge ? `to the gateway ${route.gateway}, the bridge's own address: up to the host's routing` : `to the gateway ${route.gateway}`,
    !!gatewayIsBridge,
    { bridge },
  );
  if (!gatewayIsBridge) return result('unknown');
  return towardsFromHost(
    snapshot,
    state,
    hop,
    dstIp,
    target,
    { bridge, sourceIp: iface.addresses.find((a) => !a.includes(':'))?.split('/')[0] ?? null },
    result,
  );
}

/** From the host's routing on: to a container through its bridge, or out. `forwarded` when the packet came in from a bridge. */
function towardsFromHost(
  snapshot: Snapshot,
  state: NetState,
  hop: (kind: TraceHop['kind'], where: string, detail: string, decided?: boolean, ref?: TraceRef) => void,
  dstIp: string | null,
  target: TraceEnd,
  forwarded: { bridge: string; sourceIp: string | null } | null,
  result: (o: PathTrace['outcome']) => PathTrace,
): PathTrace {
  if (target.kind === 'host') {
    hop('host', 'the host', 'delivered locally');
    return result('reached');
  }
  const route = lookup(state.hostRoutes, dstIp);
  if (!route) {
    hop('route', 'the host', `no host route to ${dstIp ?? 'outside'}`);
    return result('dropped');
  }
  hop('route', 'the host', `route: ${describeRoute(route)}`);
  const toBridge = route.dev ? snapshot.bridges.find((b) => b.name === route.dev) : undefined;
  if (toBridge) {
    if (forwarded && forwarded.bridge !== toBridge.name) {
      const rule = isolationDrop(state.filter, forwarded.bridge, toBridge.name);
      if (rule) {
        hop('filter', 'filter FORWARD', `Docker isolates its networks: ${rule}`);
        return result('dropped');
      }
      hop(
        'filter',
        'filter FORWARD',
        `no Docker isolation rule between ${forwarded.bridge} and ${toBridge.name} was found; other FORWARD rules are not evaluated`,
        false,
      );
    }
    const dest = target.kind === 'container' ? interfaceOn(target.container, toBridge.name, snapshot) : undefined;
    if (target.kind === 'container' && dest) return acrossBridge(state, hop, toBridge.name, dest, target.container, result);
    hop('bridge', toBridge.name, `no container on ${toBridge.name} has ${dstIp ?? '?'}`, false);
    return result('unknown');
  }
  if (target.kind === 'container') {
    hop('route', route.dev ?? '?', `${target.container.name} is not behind a bridge of this host (${target.container.networkMode})`, false);
    return result('unknown');
  }
  if (forwarded?.sourceIp) {
    const masquerade = state.nat.find((rule) => {
      const w = rule.split(' ');
      const s = w[w.indexOf('-s') + 1];
      return w[1] === 'POSTROUTING' && w.includes('MASQUERADE') && w.indexOf('-s') > 0 && !!s && inPrefix(forwarded.sourceIp as string, s);
    });
    if (masquerade) hop('nat', `nat (${state.natTool ?? 'iptables'})`, `source NAT to the address of ${route.dev ?? 'the outgoing interface'}: ${masquerade}`);
    else hop('nat', 'nat', `no MASQUERADE rule covers ${forwarded.sourceIp}: it leaves with its own address`, false);
  }
  hop('outside', route.dev ?? '?', route.gateway ? `out through ${route.dev} to ${route.gateway}` : `out through ${route.dev}`);
  return result('leaves the host');
}

/** Bridge → CAM lookup → the destination's veth → its interface. */
function acrossBridge(
  state: NetState,
  hop: (kind: TraceHop['kind'], where: string, detail: string, decided?: boolean, ref?: TraceRef) => void,
  bridge: string,
  dest: InterfaceSnapshot,
  container: ContainerSnapshot,
  result: (o: PathTrace['outcome']) => PathTrace,
): PathTrace {
  const mac = dest.mac?.toLowerCase() ?? '';
  const entry = camOf(state, bridge).find((e) => e.mac === mac);
  if (entry && entry.port !== dest.hostPeer?.name) {
    hop('bridge', bridge, `CAM: ${mac} is learned on ${entry.port}, but ${container.name}'s veth is ${dest.hostPeer?.name ?? '?'}`, false);
    return result('unknown');
  }
  hop(
    'bridge',
    bridge,
    entry
      ? `CAM: ${mac} learned on ${entry.port}${entry.updatedSecondsAgo !== null ? `, seen ${entry.updatedSecondsAgo} s ago` : ''}`
      : `CAM: ${mac} not learned yet: the bridge floods the frame to every port`,
    true,
    { bridge },
  );
  hop('veth', dest.hostPeer?.name ?? '?', `veth pair ⇄ ${container.name} ${dest.name}`, true, dest.hostPeer ? { ifname: dest.hostPeer.name } : undefined);
  hop('interface', `${container.name} ${dest.name}`, `delivered to ${dest.addresses.filter((a) => !a.includes(':')).join(', ') || dest.name}`, true, {
    container: container.name,
    ifname: dest.name,
  });
  return result('reached');
}

/** The destination's interface on a bridge (a multi-homed container has several). */
function interfaceOn(container: ContainerSnapshot, bridge: string, snapshot: Snapshot): InterfaceSnapshot | undefined {
  const own = container.interfaces.find((i) => i.hostPeer?.bridge === bridge);
  if (own) return own;
  // --network container:X: the interfaces are X's, listed under X too.
  const mode = /^container:(.+)$/.exec(container.networkMode)?.[1];
  const owner = mode ? snapshot.containers.find((c) => c.id === mode || c.name === mode) : undefined;
  return owner?.interfaces.find((i) => i.hostPeer?.bridge === bridge);
}

/** The address to route to: a container's on a network the source shares, else its first. */
function targetIp(to: TraceEnd, source: ContainerSnapshot | null): string | null {
  if (to.kind === 'ip') return to.ip;
  if (to.kind !== 'container') return null;
  const v4 = to.container.interfaces
    .filter((i) => i.kind !== 'loopback')
    .flatMap((i) => i.addresses.filter((a) => !a.includes(':')).map((a) => ({ i, ip: a.split('/')[0] as string })));
  const shared = source ? v4.find((x) => source.interfaces.some((s) => s.hostPeer?.bridge && s.hostPeer.bridge === x.i.hostPeer?.bridge)) : undefined;
  return (shared ?? v4[0])?.ip ?? to.container.endpoints.find((e) => e.ipAddress)?.ipAddress?.split('/')[0] ?? null;
}

/** Longest-prefix match among IPv4 routes; null ip means "somewhere outside": the default route. */
export function lookup(routes: readonly RouteEntry[], ip: string | null): RouteEntry | null {
  let best: RouteEntry | null = null;
  let bestLength = -1;
  for (const r of routes) {
    if (r.family !== 4 || (r.type && r.type !== 'unicast')) continue;
    const length = r.dst === 'default' ? 0 : Number(r.dst.split('/')[1] ?? 32);
    if (ip === null ? r.dst !== 'default' : r.dst !== 'default' && !inPrefix(ip, r.dst)) continue;
    if (length > bestLength) {
      best = r;
      bestLength = length;
    }
  }
  return best;
}

function describeRoute(r: RouteEntry): string {
  return r.gateway ? `${r.dst} via ${r.gateway} dev ${r.dev ?? '?'}` : `${r.dst} dev ${r.dev ?? '?'}${r.scope === 'link' ? ' (connected)' : ''}`;
}

/** Docker's two-stage isolation: out of one bridge into another is dropped. */
function isolationDrop(filter: readonly string[], from: string, to: string): string | null {
  const stage1 = filter.find(
    (r) =>
      r.startsWith('-A DOCKER-ISOLATION-STAGE-1 ') && r.includes(` -i ${from} `) && r.includes(`! -o ${from} `) && r.endsWith('-j DOCKER-ISOLATION-STAGE-2'),
  );
  const stage2 = filter.find((r) => r.startsWith('-A DOCKER-ISOLATION-STAGE-2 ') && r.includes(` -o ${to} `) && r.endsWith('-j DROP'));
  return stage1 && stage2 ? `${stage1}; ${stage2}` : null;
}

export function ipToInt(ip: string): number | null {
  const parts = ip.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) < 256)) return null;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

export function inPrefix(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  const a = ipToInt(ip);
  const b = ipToInt(base ?? '');
  if (a === null || b === null) return false;
  const length = bits === undefined ? 32 : Number(bits);
  if (length === 0) return true;
  const size = 2 ** (32 - length);
  return Math.floor(a / size) === Math.floor(b / size);
}
