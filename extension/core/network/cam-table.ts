// From the helper's reading to what the Networks view and the trace use: the
// CAM tables with each MAC's owner, the bridges' ageing, and the rest as read.
// Pure.

import type { Snapshot } from '../snapshot/model';
import type { NetStateReading } from './net-state-output';
import type { CamEntry, CamState, NetState } from './net-state-model';

export function netStateFrom(reading: NetStateReading, snapshot: Snapshot): NetState {
  const bridges = new Set([...reading.bridges.map((b) => b.name), ...snapshot.bridges.map((b) => b.name)]);
  const owners = new Map<string, { container: string; iface: string }>();
  for (const c of snapshot.containers)
    for (const i of c.interfaces) if (i.mac && i.kind !== 'loopback') owners.set(i.mac.toLowerCase(), { container: c.name, iface: i.name });
  const cam: CamEntry[] = [];
  for (const e of reading.fdb) {
    // The bridge's view only: entries a bridge keeps (master), and the bridge's own address.
    // A device's own multicast list ("self") is not forwarding state.
    const bridge = e.master && bridges.has(e.master) ? e.master : null;
    if (!bridge) continue;
    // The kernel's own address of a port shows as "permanent"; one added by hand as "static".
    const state: CamState = e.state === 'permanent' ? 'local' : e.state === 'static' ? 'permanent' : 'learned';
    cam.push({
      bridge,
      mac: e.mac,
      port: e.ifname,
      state,
      updatedSecondsAgo: state === 'learned' ? e.updated : null,
      vlan: e.vlan,
      owner: state === 'local' ? null : (owners.get(e.mac) ?? null),
    });
  }
  cam.sort((a, b) => a.bridge.localeCompare(b.bridge) || a.port.localeCompare(b.port) || a.mac.localeCompare(b.mac));
  return {
    natTool: reading.natTool,
    cam,
    ageing: new Map(reading.bridges.filter((b) => b.ageingCentiseconds !== null).map((b) => [b.name, (b.ageingCentiseconds as number) / 100])),
    hostRoutes: reading.hostRoutes,
    neighbours: reading.neighbours,
    nat: reading.nat,
    filter: reading.filter,
    proxies: reading.proxies,
    containerRoutes: reading.containerRoutes,
  };
}

/** The CAM entries of one bridge, learned ones first. */
export function camOf(state: NetState, bridge: string): CamEntry[] {
  const order: Record<CamState, number> = { learned: 0, permanent: 1, local: 2 };
  return state.cam.filter((e) => e.bridge === bridge).sort((a, b) => order[a.state] - order[b.state] || a.port.localeCompare(b.port));
}
