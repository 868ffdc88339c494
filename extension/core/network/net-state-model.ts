// The host's forwarding state, read on demand (a bridge's CAM table opened, a
// trace asked for), never part of Snapshot: it changes with every packet.

export type CamState = 'learned' | 'permanent' | 'local';

/** One entry of a bridge's forwarding database: which MAC it reaches through which port. */
export interface CamEntry {
  bridge: string;
  mac: string;
  /** The bridge port (a host veth, or the bridge itself) the MAC is behind. */
  port: string;
  /** learned from traffic; permanent (static); local: the port's own address. */
  state: CamState;
  /** Seconds since the kernel last saw the MAC on this port (learned entries). */
  updatedSecondsAgo: number | null;
  vlan: number | null;
  /** The container interface with this MAC, when one has it. */
  owner: { container: string; iface: string } | null;
}

export interface RouteEntry {
  family: 4 | 6;
  /** "default", or a prefix such as "172.17.0.0/16". */
  dst: string;
  gateway: string | null;
  dev: string | null;
  protocol: string | null;
  scope: string | null;
  prefsrc: string | null;
  type: string | null;
}

export interface NeighbourEntry {
  ip: string;
  mac: string | null;
  dev: string;
  state: string[];
}

/** What the helper reads and the model keeps as it is. */
export interface HostForwarding {
  /** Which iptables holds Docker's chains (iptables-save, iptables-nft-save, iptables-legacy-save), or null. */
  natTool: string | null;
  hostRoutes: RouteEntry[];
  neighbours: NeighbourEntry[];
  /** Rule lines of the nat and filter tables, as iptables-save prints them. */
  nat: string[];
  filter: string[];
  /** docker-proxy processes on the host (not in any container). */
  proxies: Array<{ pid: number; argv: string[] }>;
  /** Each asked-for container's own routes, by container id. */
  containerRoutes: Map<string, RouteEntry[]>;
}

export interface NetState extends HostForwarding {
  cam: CamEntry[];
  /** Bridge ageing time in seconds, by bridge name. */
  ageing: Map<string, number>;
}

export interface PublishedPortInfo {
  container: string;
  containerId: string;
  protocol: string;
  hostIp: string;
  hostPort: number;
  containerIp: string | null;
  containerPort: number;
  /** The DNAT rule that implements the mapping, as iptables-save prints it; null when none was found. */
  dnatRule: string | null;
  /** The docker-proxy process for it, when the engine runs one. */
  proxy: { pid: number; argv: string[] } | null;
}

/** One step a packet takes, computed from state; `decided` is false where state cannot tell (never a guess). */
export interface TraceHop {
  kind: 'interface' | 'route' | 'veth' | 'bridge' | 'nat' | 'filter' | 'host' | 'outside';
  where: string;
  detail: string;
  decided: boolean;
  /** What the hop passes through, by the names the diagram marks (data-container, data-ifname, data-bridge, data-port). */
  ref?: TraceRef;
}

export interface TraceRef {
  container?: string;
  ifname?: string;
  bridge?: string;
  port?: string;
}

export interface PathTrace {
  from: string;
  to: string;
  hops: TraceHop[];
  /** Whether the packet gets there, as far as state tells: reached, dropped (by a rule), or unknown. */
  outcome: 'reached' | 'dropped' | 'unknown' | 'leaves the host';
}
