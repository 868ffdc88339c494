// Reads a container network namespace from files instead of running `ip` in it:
// the container's own /sys/class/net (sysfs shows the namespace of whoever
// mounted it, and runc mounts it inside the container's namespace) and the
// /proc/PID/net tables (always PID's namespace). No process per namespace.
//
// This only answers when the readings settle every fact; anything unusual
// (macvlan, a bridge or tunnel inside the container, an address that no prefix
// route explains, a host /sys bind-mounted over the container's) returns null,
// and the caller asks `ip` instead. Exactness first, speed second.

import type { IpLink } from './helper-output';

export interface SysfsAttributes {
  ifindex?: string;
  iflink?: string;
  address?: string;
  mtu?: string;
  operstate?: string;
  flags?: string;
}

export interface NetnsFiles {
  netDev: string[];
  ifInet6: string[];
  fibTrie: string[];
  route: string[];
  sys: Map<string, SysfsAttributes>;
}

const SYS_ATTRIBUTES = new Set<keyof SysfsAttributes>(['ifindex', 'iflink', 'address', 'mtu', 'operstate', 'flags']);
const IFF_LOOPBACK = 0x8;
const IFF_BROADCAST = 0x2;
const IFF_POINTOPOINT = 0x10;
const IFF_NOARP = 0x80;

/** Groups the helper's ["PATH","LINE"] pairs by pid. Paths it did not ask for are ignored. */
export function groupNetnsFiles(lines: ReadonlyArray<readonly [string, string]>): Map<number, NetnsFiles> {
  const byPid = new Map<number, NetnsFiles>();
  const get = (pid: number): NetnsFiles => {
    let f = byPid.get(pid);
    if (!f) {
      f = { netDev: [], ifInet6: [], fibTrie: [], route: [], sys: new Map() };
      byPid.set(pid, f);
    }
    return f;
  };
  for (const [path, line] of lines) {
    const net = /^\/proc\/(\d+)\/net\/(dev|if_inet6|fib_trie|route)$/.exec(path);
    if (net) {
      const f = get(Number(net[1]));
      const table = net[2] === 'dev' ? f.netDev : net[2] === 'if_inet6' ? f.ifInet6 : net[2] === 'fib_trie' ? f.fibTrie : f.route;
      table.push(line);
      continue;
    }
    const sys = /^\/proc\/(\d+)\/root\/sys\/class\/net\/([^/]+)\/([a-z]+)$/.exec(path);
    if (sys && SYS_ATTRIBUTES.has(sys[3] as keyof SysfsAttributes)) {
      const f = get(Number(sys[1]));
      const name = sys[2] as string;
      const attrs = f.sys.get(name) ?? {};
      attrs[sys[3] as keyof SysfsAttributes] = line.trim();
      f.sys.set(name, attrs);
    }
  }
  return byPid;
}

/** Interface names from /proc/PID/net/dev ("  eth0: 123 ..."), after its two header lines. */
export function netDevNames(lines: readonly string[]): string[] {
  return lines
    .map((l) => /^\s*([^\s:]+):/.exec(l)?.[1])
    .filter((n): n is string => !!n);
}

/** Local IPv4 addresses: leaves of /proc/net/fib_trie followed by "/32 host LOCAL". */
export function localIPv4Addresses(fibTrie: readonly string[]): Set<string> {
  const local = new Set<string>();
  let leaf: string | null = null;
  for (const line of fibTrie) {
    const l = /\|-- (\d+\.\d+\.\d+\.\d+)$/.exec(line);
    if (l) {
      leaf = l[1] as string;
      continue;
    }
    if (leaf && /^\s*\/32 host LOCAL\s*$/.test(line)) local.add(leaf);
    else if (/\+-- /.test(line) || /^\S/.test(line)) leaf = null;
  }
  return local;
}

interface Route {
  iface: string;
  dest: number;
  mask: number;
}

/** Directly connected routes (no gateway) from /proc/net/route, whose numbers are host-order hex. */
export function connectedRoutes(route: readonly string[]): Route[] {
  const out: Route[] = [];
  for (const line of route.slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 8) continue;
    const [iface, dest, gateway, , , , , mask] = cols as [string, string, string, string, string, string, string, string];
    if (Number.parseInt(gateway, 16) !== 0) continue;
    out.push({ iface, dest: leHexToNumber(dest), mask: leHexToNumber(mask) });
  }
  return out;
}

/** /proc/net/route prints addresses as the raw 32-bit value in little-endian hex. */
function leHexToNumber(hex: string): number {
  const v = Number.parseInt(hex, 16) >>> 0;
  return (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
}

function ipv4ToNumber(ip: string): number {
  return ip.split('.').reduce((acc, part) => ((acc << 8) | Number(part)) >>> 0, 0);
}

function popcount(n: number): number {
  let c = 0;
  for (let v = n >>> 0; v; v >>>= 1) c += v & 1;
  return c;
}

/** Compresses a 32-hex-digit IPv6 address the way iproute2 prints it (RFC 5952). */
export function formatIPv6(hex32: string): string | null {
  if (!/^[0-9a-f]{32}$/i.test(hex32)) return null;
  const groups = hex32.match(/.{4}/g)?.join(':') ?? '';
  try {
    return new URL(`http://[${groups}]/`).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return null;
  }
}

/**
 * Builds `ip -j -d addr`-shaped links from the files, or null when they do not
 * settle every fact. `hostLinks` are the host namespace's links, by ifindex.
 */
export function linksFromFiles(f: NetnsFiles, hostLinks: ReadonlyMap<number, IpLink>): IpLink[] | null {
  const names = netDevNames(f.netDev);
  // The sysfs we read must be this namespace's: same interfaces as /proc/PID/net/dev.
  if (!names.length || names.length !== f.sys.size || !names.every((n) => f.sys.has(n))) return null;

  const links: IpLink[] = [];
  const localIndexes = new Set<number>();
  for (const name of names) {
    const a = f.sys.get(name) as SysfsAttributes;
    const ifindex = Number(a.ifindex);
    const iflink = Number(a.iflink);
    const mtu = Number(a.mtu);
    const flags = Number.parseInt(a.flags ?? '', 16);
    if (![ifindex, iflink, mtu, flags].every(Number.isSafeInteger) || !a.address || !a.operstate) return null;
    localIndexes.add(ifindex);
    const ethernetLike = /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(a.address) && (flags & (IFF_BROADCAST | IFF_POINTOPOINT | IFF_NOARP)) === IFF_BROADCAST;
    let link: IpLink;
    if ((flags & IFF_LOOPBACK) !== 0 && iflink === ifindex) {
      link = base(name, ifindex, mtu, a, flags, 'loopback');
    } else if (ethernetLike && iflink !== ifindex) {
      // A veth whose other end is on the host: that end must name us back.
      const peer = hostLinks.get(iflink);
      if (!peer || peer.info_kind !== 'veth' || peer.link_index !== ifindex || peer.link_netnsid === null) return null;
      // ip would print the host's netns id as seen from here; we only need to
      // know the peer is in another namespace, which the host side proved.
      link = { ...base(name, ifindex, mtu, a, flags, 'ether'), link_index: iflink, link_netnsid: 0, info_kind: 'veth' };
    } else {
      return null; // macvlan, ipvlan, tunnels, bridges, dummies: let ip name them.
    }
    links.push(link);
  }
  // A peer index that is also one of ours means a pair inside this namespace, not a host port.
  if (links.some((l) => l.link_index !== null && localIndexes.has(l.link_index))) return null;

  // IPv4: every local address must sit on exactly one interface's connected route.
  const routes = connectedRoutes(f.route);
  const byName = new Map(links.map((l) => [l.ifname, l]));
  for (const addr of [...localIPv4Addresses(f.fibTrie)].sort((x, y) => ipv4ToNumber(x) - ipv4ToNumber(y))) {
    const n = ipv4ToNumber(addr);
    let owner: IpLink | undefined;
    let prefixlen = 0;
    if ((n >>> 24) === 127) {
      const lo = links.filter((l) => l.link_type === 'loopback');
      if (lo.length !== 1) return null;
      owner = lo[0];
      prefixlen = 8;
    } else {
      const hits = routes.filter((r) => r.mask !== 0 && ((n & r.mask) >>> 0) === r.dest);
      if (hits.length !== 1) return null;
      owner = byName.get((hits[0] as Route).iface);
      prefixlen = popcount((hits[0] as Route).mask);
    }
    if (!owner) return null;
    owner.addr_info.push({ family: 'inet', local: addr, prefixlen });
  }
  // IPv6: if_inet6 names the interface of every address exactly.
  for (const line of f.ifInet6) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 6) return null;
    const local = formatIPv6(cols[0] as string);
    const owner = byName.get(cols[5] as string);
    if (!local || !owner) return null;
    owner.addr_info.push({ family: 'inet6', local, prefixlen: Number.parseInt(cols[2] as string, 16) });
  }
  return links;
}

function base(name: string, ifindex: number, mtu: number, a: SysfsAttributes, flags: number, linkType: string): IpLink {
  return {
    ifindex,
    ifname: name,
    flags: flagNames(flags),
    mtu,
    operstate: (a.operstate ?? 'unknown').toUpperCase(),
    link_type: linkType,
    address: (a.address ?? '').toLowerCase(),
    link_index: null,
    link_netnsid: null,
    master: null,
    info_kind: null,
    info_slave_kind: null,
    addr_info: [],
  };
}

const IFF: Array<[number, string]> = [
  [0x1, 'UP'],
  [0x2, 'BROADCAST'],
  [0x8, 'LOOPBACK'],
  [0x10, 'POINTOPOINT'],
  [0x80, 'NOARP'],
  [0x100, 'PROMISC'],
  [0x1000, 'MULTICAST'],
];

function flagNames(flags: number): string[] {
  return IFF.filter(([bit]) => (flags & bit) !== 0).map(([, name]) => name);
}
