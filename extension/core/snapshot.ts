// Builds one Snapshot of an engine: the Docker API for what Docker knows, and
// one host-helper run for what only the host kernel knows.

import type Dockerode from 'dockerode';
import { mapWithConcurrency } from './concurrency';
import { composeIdentity, containerName, containerPid, normalizeEndpoints, normalizeMounts, type ContainerInspect } from './container-inspect';
import { type Engine, firstLine, pingEngine } from './engine';
import { emptyNamespaces, type HostFacts, parseHelperOutput, type IpLink } from './helper-output';
import { HELPER_CONTAINER_LABEL, type HelperSelection } from './helper-runners';
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
import { collectBridges, indexLinks, pairInterfaces, toDockerNetwork } from './topology';

export const INSPECT_CONCURRENCY = 8;

export interface SnapshotOptions {
  helper: HelperSelection;
  /** Ping timeout; a dead engine must answer "unreachable" quickly. */
  pingTimeoutMs?: number;
}

export async function takeSnapshot(engine: Engine, options: SnapshotOptions): Promise<Snapshot> {
  await pingEngine(engine, options.pingTimeoutMs);
  const docker = engine.docker;
  const [version, listed, rawNetworks] = await Promise.all([
    docker.version(),
    docker.listContainers({ all: true }),
    docker.listNetworks(),
  ]);
  const ours = listed.filter((c) => !(c.Labels && HELPER_CONTAINER_LABEL in c.Labels));
  const inspected = (await mapWithConcurrency(ours, INSPECT_CONCURRENCY, (c) => inspectOrNull(docker, c.Id))).filter(
    (i): i is ContainerInspect => i !== null,
  );
  const networks = rawNetworks.map(toDockerNetwork).sort((a, b) => a.name.localeCompare(b.name));

  const pids = inspected.map(containerPid).filter((p): p is number => p !== null);
  const { facts, status } = await readHostFacts(options.helper, pids);

  return assembleSnapshot({
    engine: { endpoint: engine.endpoint.url, version: version.Version, apiVersion: version.ApiVersion, os: version.Os },
    inspected,
    networks,
    facts,
    helper: status,
  });
}

async function inspectOrNull(docker: Dockerode, id: string): Promise<ContainerInspect | null> {
  try {
    return await docker.getContainer(id).inspect();
  } catch (error) {
    // Removed between list and inspect: it is simply no longer there.
    if ((error as { statusCode?: number }).statusCode === 404) return null;
    throw error;
  }
}

async function readHostFacts(selection: HelperSelection, pids: number[]): Promise<{ facts: HostFacts | null; status: HelperStatus }> {
  if (!selection.runner) return { facts: null, status: { mode: selection.mode, ok: false, reason: selection.reason } };
  try {
    const result = await selection.runner.run(['collect', ...pids.map(String)]);
    if (result.exitCode !== 0 && !result.stdout.trim()) {
      const why = firstLine(result.stderr) || `exit status ${result.exitCode}`;
      return { facts: null, status: { mode: selection.mode, ok: false, reason: `the host helper (${selection.runner.description}) failed: ${why}` } };
    }
    const facts = parseHelperOutput(result.stdout);
    const reason = facts.ipMode === 'none' ? "the Docker host has no `ip` that prints JSON (install iproute2), so interfaces are missing" : null;
    return { facts, status: { mode: selection.mode, ok: true, reason } };
  } catch (error) {
    return { facts: null, status: { mode: selection.mode, ok: false, reason: `the host helper (${selection.runner.description}) failed: ${firstLine((error as Error).message)}` } };
  }
}

export interface SnapshotParts {
  engine: Snapshot['engine'];
  inspected: ContainerInspect[];
  networks: DockerNetworkSnapshot[];
  facts: HostFacts | null;
  helper: HelperStatus;
  takenAt?: Date;
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
      compose: composeIdentity(labels),
      labels,
      unavailable: {},
    };
    if (pid === null) {
      base.unavailable.namespaces = 'the container is not running';
      base.unavailable.interfaces = 'the container is not running';
    } else if (!facts) {
      base.unavailable.namespaces = `needs the host helper: ${missingHelper}`;
      base.unavailable.interfaces = `needs the host helper: ${missingHelper}`;
    } else {
      const ns = facts.namespacesByPid.get(pid);
      if (ns) base.namespaces = ns;
      else base.unavailable.namespaces = 'its process could not be read (it may have just exited)';
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
      if (facts && c.pid !== null && !c.unavailable.interfaces) c.unavailable.interfaces = c.unavailable.namespaces ?? 'its network namespace could not be read';
      continue;
    }
    if (inode === hostNamespaces?.net) continue; // host network: no interfaces of its own
    const links = linksByNetns.get(inode);
    if (facts.ipMode === 'none') {
      c.unavailable.interfaces = "the Docker host has no `ip` that prints JSON (install iproute2)";
    } else if (!links) {
      c.unavailable.interfaces = 'its network namespace could not be read (it may have just exited)';
    } else {
      c.interfaces = pairInterfaces(links, hostIndex, endpointsByNetns.get(inode) ?? []);
    }
  }

  containers.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  const bridges: BridgeSnapshot[] = collectBridges(hostLinks, parts.networks);
  return {
    engine: parts.engine,
    takenAt: (parts.takenAt ?? new Date()).toISOString(),
    helper,
    hostNamespaces,
    containers,
    bridges,
    networks: parts.networks,
    namespaceGroups: groupNamespaces(containers, hostNamespaces),
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
  return [...groups.values()]
    .map((g) => ({ ...g, containers: [...g.containers].sort() }))
    .sort((a, b) => a.type.localeCompare(b.type) || a.inode - b.inode);
}
