// Pairs what `ip` sees inside a container's network namespace with what it sees
// on the host: the container's eth0@ifN is one end of a veth pair whose other
// end, host ifindex N, is a port of a Linux bridge (docker0 or br-...).

import type { IpLink } from '../host/helper-output';
import type { BridgeSnapshot, DockerNetworkSnapshot, EndpointSnapshot, InterfaceKind, InterfaceSnapshot } from './model';

export function classifyLink(link: IpLink): InterfaceKind {
  if (link.link_type === 'loopback' || (link.info_kind === null && link.ifname === 'lo')) return 'loopback';
  switch (link.info_kind) {
    case 'veth':
    case 'macvlan':
    case 'ipvlan':
    case 'bridge':
      return link.info_kind;
    default:
      return 'other';
  }
}

export function linkAddresses(link: IpLink): string[] {
  return link.addr_info.map((a) => `${a.local}/${a.prefixlen}`);
}

/** Indexes host links by ifindex, for pairing. */
export function indexLinks(links: readonly IpLink[]): Map<number, IpLink> {
  return new Map(links.map((l) => [l.ifindex, l]));
}

/**
 * Builds the interfaces of one container network namespace.
 * `hostLinks` are the links of the host namespace (containerd's), `endpoints`
 * the Docker endpoints of every container in this namespace.
 */
export function pairInterfaces(
  containerLinks: readonly IpLink[],
  hostLinks: ReadonlyMap<number, IpLink>,
  endpoints: readonly EndpointSnapshot[],
): InterfaceSnapshot[] {
  const networkByMac = new Map<string, string>();
  for (const ep of endpoints) if (ep.macAddress) networkByMac.set(ep.macAddress.toLowerCase(), ep.network);

  return containerLinks.map((link): InterfaceSnapshot => {
    const kind = classifyLink(link);
    const mac = link.address && link.link_type !== 'loopback' ? link.address.toLowerCase() : null;
    let hostPeer: InterfaceSnapshot['hostPeer'] = null;
    let parent: InterfaceSnapshot['parent'] = null;
    // link_netnsid is only set when the peer/parent lives in another namespace;
    // without it, link_index points into the container's own namespace.
    const peerElsewhere = link.link_index !== null && link.link_netnsid !== null;
    if (kind === 'veth' && peerElsewhere) {
      const peer = hostLinks.get(link.link_index as number);
      // Both ends must name each other, or this index belongs to an unrelated host link.
      if (peer && peer.info_kind === 'veth' && (peer.link_index === null || peer.link_index === link.ifindex)) {
        hostPeer = { name: peer.ifname, ifindex: peer.ifindex, bridge: peer.master };
      }
    } else if ((kind === 'macvlan' || kind === 'ipvlan') && peerElsewhere) {
      const p = hostLinks.get(link.link_index as number);
      if (p) parent = { name: p.ifname, ifindex: p.ifindex };
    }
    return {
      name: link.ifname,
      kind,
      driverKind: link.info_kind,
      ifindex: link.ifindex,
      peerIfindex: link.link_index,
      mac,
      addresses: linkAddresses(link),
      mtu: link.mtu,
      state: link.operstate,
      network: mac ? (networkByMac.get(mac) ?? null) : null,
      hostPeer,
      parent,
    };
  });
}

/** Every Linux bridge in the host namespace, with all its ports, tied to its Docker network. */
export function collectBridges(hostLinks: readonly IpLink[], networks: readonly DockerNetworkSnapshot[]): BridgeSnapshot[] {
  const networkByBridge = new Map<string, string>();
  for (const n of networks) if (n.bridge) networkByBridge.set(n.bridge, n.name);
  return hostLinks
    .filter((l) => l.info_kind === 'bridge')
    .map((bridge) => ({
      name: bridge.ifname,
      ifindex: bridge.ifindex,
      network: networkByBridge.get(bridge.ifname) ?? null,
      ports: hostLinks
        .filter((l) => l.master === bridge.ifname)
        .map((l) => l.ifname)
        .sort(),
      addresses: linkAddresses(bridge),
      state: bridge.operstate,
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The Docker API's view of a network, normalised; `raw` is one element of GET /networks. */
export function toDockerNetwork(raw: {
  Id: string;
  Name: string;
  Driver?: string;
  Scope?: string;
  Options?: Record<string, string> | null;
  IPAM?: { Config?: Array<{ Subnet?: string; Gateway?: string }> | null } | null;
}): DockerNetworkSnapshot {
  const driver = raw.Driver ?? '';
  const options = raw.Options ?? {};
  // Docker names a user bridge br-<first 12 hex of the id> unless an option says otherwise.
  const bridge = driver === 'bridge' ? options['com.docker.network.bridge.name'] || `br-${raw.Id.slice(0, 12)}` : null;
  const config = raw.IPAM?.Config ?? [];
  return {
    id: raw.Id,
    name: raw.Name,
    driver,
    scope: raw.Scope ?? 'local',
    bridge,
    subnets: config.map((c) => c.Subnet).filter((s): s is string => !!s),
    gateways: config.map((c) => c.Gateway).filter((s): s is string => !!s),
    parent: driver === 'macvlan' || driver === 'ipvlan' ? options.parent || null : null,
  };
}
