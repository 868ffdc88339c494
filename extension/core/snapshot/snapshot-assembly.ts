// Pure assembly of a Snapshot from what the engine and the host helper said:
// no I/O here, so it is unit-tested with recorded fixtures, and the live model
// re-assembles from cached inputs after each event without asking anyone.

import {
  composeIdentity,
  containerName,
  containerPid,
  normalizeEndpoints,
  normalizeMounts,
  normalizePorts,
  toVolume,
  type ContainerInspect,
} from './container-inspect';
import { emptyNamespaces, type HostFacts, type IpLink, type PidVerdict } from '../host/helper-output';
import {
  type BridgeSnapshot,
  type ContainerSnapshot,
  type DockerNetworkSnapshot,
  type EndpointSnapshot,
  type HelperStatus,
  NAMESPACE_TYPES,
  type NamespaceGroup,
  type NamespaceInodes,
  type Snapshot,
} from './model';
import { compareNatural } from '../common/natural-order';
import { collectBridges, indexLinks, pairInterfaces } from './topology';

/** Why a pid the engine reported was not trusted, in words. */
export function describeRejection(verdict: PidVerdict | undefined): string {
  switch (verdict?.reason) {
    case 'gone':
      return 'its process could not be read (it may have just exited)';
    case 'cgroup':
      return `the engine reported pid ${verdict.pid}, but on the host that process is not in this container's cgroup, so nothing read through it is trusted`;
    case 'reused':
      return `pid ${verdict.pid} ended and was reused while it was read, so its readings were dropped`;
    default:
      return 'its process could not be read (it may have just exited)';
  }
}

export type RawVolume = Parameters<typeof toVolume>[0];

export interface SnapshotParts {
  engine: Snapshot['engine'];
  inspected: ContainerInspect[];
  networks: DockerNetworkSnapshot[];
  rawVolumes?: RawVolume[];
  facts: HostFacts | null;
  helper: HelperStatus;
  takenAt?: Date;
  /** Drawn from the list call alone: every container is still being inspected and read on the host. */
  preliminary?: boolean;
  /** Containers the engine listed but failed to inspect (not 404), by id: shown from the list, with the reason. */
  inspectErrors?: ReadonlyMap<string, string>;
}

/** Pure: joins API facts and host facts. Unit-tested with recorded fixtures. */
export function assembleSnapshot(parts: SnapshotParts): Snapshot {
  const { facts, helper } = parts;
  const hostNamespaces = facts?.namespacesByPid.get(facts.referencePid) ?? null;
  const hostReading = facts && hostNamespaces?.net != null ? facts.netns.find((n) => n.inode === hostNamespaces.net) : undefined;
  const hostLinks: IpLink[] = hostReading?.links ?? [];
  const hostIndex = indexLinks(hostLinks);
  const linksByNetns = new Map<number, IpLink[] | null>((facts?.netns ?? []).map((n) => [n.inode, n.links]));
  const missingHelper = helper.reason ?? 'the host helper is not available';

  const containers: ContainerSnapshot[] = parts.inspected.map((inspect) => {
    const labels = inspect.Config?.Labels ?? {};
    const pid = containerPid(inspect);
    const base: ContainerSnapshot = {
      id: inspect.Id,
      name: containerName(inspect),
      image: inspect.Config?.Image ?? inspect.Image,
      state: inspect.State?.Status ?? 'unknown',
      pid,
      networkMode: inspect.HostConfig?.NetworkMode ?? 'default',
      namespaces: emptyNamespaces(),
      mounts: normalizeMounts(inspect),
      interfaces: [],
      endpoints: normalizeEndpoints(inspect),
      ports: normalizePorts(inspect),
      compose: composeIdentity(labels),
      labels,
      unavailable: {},
    };
    const inspectError = parts.inspectErrors?.get(inspect.Id);
    if (parts.preliminary) {
      base.unavailable.namespaces = 'still being read';
      base.unavailable.interfaces = 'still being read';
    } else if (inspectError !== undefined) {
      base.unavailable.namespaces = `the engine could not inspect it: ${inspectError}`;
      base.unavailable.interfaces = `the engine could not inspect it: ${inspectError}`;
    } else if (pid === null) {
      base.unavailable.namespaces = 'the container is not running';
      base.unavailable.interfaces = 'the container is not running';
    } else if (!facts) {
      base.unavailable.namespaces = `needs the host helper: ${missingHelper}`;
      base.unavailable.interfaces = `needs the host helper: ${missingHelper}`;
    } else {
      const verdict = facts.verdicts.get(inspect.Id);
      const ns = verdict?.verified ? facts.namespacesByPid.get(pid) : undefined;
      if (ns) base.namespaces = ns;
      else base.unavailable.namespaces = describeRejection(verdict);
    }
    return base;
  });

  // Endpoints are attached to the container that owns the namespace; containers
  // joining it (--network container:X) report none, so pool them per namespace.
  const endpointsByNetns = new Map<number, EndpointSnapshot[]>();
  for (const c of containers) {
    const inode = c.namespaces.net;
    if (inode === null) continue;
    endpointsByNetns.set(inode, [...(endpointsByNetns.get(inode) ?? []), ...c.endpoints]);
  }

  for (const c of containers) {
    const inode = c.namespaces.net;
    if (!facts || inode === null) {
      if (facts && c.pid !== null && !c.unavailable.interfaces)
        c.unavailable.interfaces = c.unavailable.namespaces ?? 'its network namespace could not be read';
      continue;
    }
    if (inode === hostNamespaces?.net) continue; // host network: no interfaces of its own
    const links = linksByNetns.get(inode);
    if (facts.ipMode === 'none') {
      c.unavailable.interfaces = 'the Docker host has no `ip` that prints JSON (install iproute2)';
    } else if (!links) {
      c.unavailable.interfaces = 'its network namespace could not be read (it may have just exited)';
    } else {
      c.interfaces = pairInterfaces(links, hostIndex, endpointsByNetns.get(inode) ?? []);
    }
  }

  containers.sort((a, b) => compareNatural(a.name, b.name) || compareNatural(a.id, b.id));
  const bridges: BridgeSnapshot[] = collectBridges(hostLinks, parts.networks);
  return {
    engine: parts.engine,
    takenAt: (parts.takenAt ?? new Date()).toISOString(),
    helper,
    hostNamespaces,
    containers,
    bridges,
    networks: parts.networks,
    volumes: (parts.rawVolumes ?? [])
      .map((v) => toVolume(v, containers))
      .sort((a, b) => Number(a.anonymous) - Number(b.anonymous) || compareNatural(a.name, b.name)),
    namespaceGroups: groupNamespaces(containers, hostNamespaces),
    ...(parts.preliminary ? { preliminary: true as const } : {}),
  };
}

/** Groups running containers by namespace inode: equal inodes mean one shared namespace. */
export function groupNamespaces(containers: readonly ContainerSnapshot[], host: NamespaceInodes | null): NamespaceGroup[] {
  const groups = new Map<string, NamespaceGroup>();
  for (const c of containers) {
    for (const type of NAMESPACE_TYPES) {
      const inode = c.namespaces[type];
      if (inode === null) continue;
      const key = `${type}:${inode}`;
      let group = groups.get(key);
      if (!group) {
        group = { type, inode, isHost: host?.[type] === inode, containers: [] };
        groups.set(key, group);
      }
      group.containers.push(c.name);
    }
  }
  return [...groups.values()].map((g) => ({ ...g, containers: [...g.containers].sort() })).sort((a, b) => a.type.localeCompare(b.type) || a.inode - b.inode);
}
