// Builds one Snapshot of an engine: the Docker API for what Docker knows, and
// one host-helper run for what only the host kernel knows, about the pids the
// engine reported and nothing else.

import type Dockerode from 'dockerode';
import { mapWithConcurrency } from './concurrency';
import { composeIdentity, containerName, containerPid, normalizeEndpoints, normalizeMounts, toVolume, type ContainerInspect } from './container-inspect';
import { type Engine, firstLine, pingEngine } from './engine';
import { emptyNamespaces, type HostFacts, type IpLink, parseHelperOutput, type PidVerdict } from './helper-output';
import type { HelperSelection } from './helper-runners';
import { compareNatural } from './natural-order';
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
  const docker = engine.docker;
  // The ping bounds the wait for a dead engine; the other calls go out with it
  // rather than after it, and lose to its clearer error if it fails.
  const ping = pingEngine(engine, options.pingTimeoutMs);
  const answers = Promise.all([docker.version(), docker.listContainers({ all: true }), docker.listNetworks(), docker.listVolumes()]);
  answers.catch(() => undefined);
  await ping;
  const [version, listed, rawNetworks, rawVolumes] = await answers;
  const runner = options.helper.runner;
  // Our own helper containers are known by the ids and names we gave them, never by a label.
  const theirs = listed.filter((c) => !runner?.ownsContainer(c.Id) && !(c.Names ?? []).some((n) => runner?.ownsContainer(n)));
  const inspected = (await mapWithConcurrency(theirs, INSPECT_CONCURRENCY, (c) => inspectOrNull(docker, c.Id))).filter(
    (i): i is ContainerInspect => i !== null,
  );
  const networks = rawNetworks.map(toDockerNetwork).sort((a, b) => compareNatural(a.name, b.name));

  // The helper reads only the pids the engine reported, each with its
  // container id, and trusts one only when the host agrees it is that container's.
  const targets = inspected.flatMap((i) => {
    const pid = containerPid(i);
    return pid === null ? [] : [`${pid}:${i.Id}`];
  });
  const { facts, status } = await readHostFacts(options.helper, targets);

  return assembleSnapshot({
    engine: { endpoint: engine.endpoint.url, version: version.Version, apiVersion: version.ApiVersion, os: version.Os },
    inspected,
    networks,
    rawVolumes: rawVolumes.Volumes ?? [],
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

async function readHostFacts(selection: HelperSelection, targets: string[]): Promise<{ facts: HostFacts | null; status: HelperStatus }> {
  if (!selection.runner) return { facts: null, status: { mode: selection.mode, ok: false, reason: selection.reason } };
  try {
    const result = await selection.runner.run(['collect', ...targets]);
    if (result.exitCode !== 0 && !result.stdout.length) {
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

export interface SnapshotParts {
  engine: Snapshot['engine'];
  inspected: ContainerInspect[];
  networks: DockerNetworkSnapshot[];
  rawVolumes?: Parameters<typeof toVolume>[0][];
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
    volumes: (parts.rawVolumes ?? []).map((v) => toVolume(v, containers)).sort((a, b) => Number(a.anonymous) - Number(b.anonymous) || compareNatural(a.name, b.name)),
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
