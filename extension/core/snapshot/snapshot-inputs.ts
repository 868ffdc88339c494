// What a Snapshot is built from, kept between events so that one event costs
// one container's worth of engine calls and one helper run for its pid, not a
// full re-read. The Snapshot is always re-assembled from these inputs by the
// same pure function a full read uses, so the live model cannot drift from a
// fresh snapshot. Pure: no I/O here.

import type { ContainerInspect } from './container-inspect';
import type { EngineEvent } from '../engine/engine-events';
import type { HostFacts, NetnsReading } from '../host/helper-output';
import type { DockerNetworkSnapshot, HelperStatus, NamespaceInodes, Snapshot } from './model';
import { assembleSnapshot, type RawVolume } from './snapshot-assembly';

export interface SnapshotInputs {
  engine: Snapshot['engine'];
  /** Every container the engine listed (our own helper containers left out), by id. */
  inspected: ReadonlyMap<string, ContainerInspect>;
  networks: readonly DockerNetworkSnapshot[];
  rawVolumes: readonly RawVolume[];
  facts: HostFacts | null;
  helper: HelperStatus;
  /** Containers listed but not inspectable (a daemon error other than 404), by id, with the reason; their entry in `inspected` comes from the list. */
  inspectErrors: ReadonlyMap<string, string>;
}

export function snapshotFromInputs(inputs: SnapshotInputs, takenAt?: Date): Snapshot {
  return assembleSnapshot({
    engine: inputs.engine,
    inspected: [...inputs.inspected.values()],
    networks: [...inputs.networks],
    rawVolumes: [...inputs.rawVolumes],
    facts: inputs.facts,
    helper: inputs.helper,
    takenAt,
    inspectErrors: inputs.inspectErrors,
  });
}

/** What a batch of events makes stale: which containers to inspect again, and whether the network or volume lists changed. */
export interface StaleParts {
  containers: Set<string>;
  networks: boolean;
  volumes: boolean;
  /** The host's own links (bridge states) must be read again, though no container changed. */
  hostLinks: boolean;
}

/**
 * Not an engine event: the live model's own note that the host's links may
 * have changed after the batch that prompted them was read. The kernel takes
 * a bridge down only after its last port is gone, and reports that operstate
 * through linkwatch, up to a second later, with no engine event to follow.
 */
export const HOST_LINKS_SETTLED: EngineEvent = { type: 'host', action: 'links-settled', id: '', name: null, containerId: null };

/** Events after which a bridge may lose its last port (a veth goes away). */
export function removesPorts(event: EngineEvent): boolean {
  if (event.type === 'container') return ['die', 'stop', 'kill', 'destroy', 'pause'].includes(event.action);
  return event.type === 'network' && (event.action === 'disconnect' || event.action === 'destroy');
}

export function staleParts(events: readonly EngineEvent[]): StaleParts {
  const stale: StaleParts = { containers: new Set(), networks: false, volumes: false, hostLinks: false };
  for (const e of events) {
    if (e === HOST_LINKS_SETTLED || e.type === 'host') stale.hostLinks = true;
    else if (e.type === 'container' && e.id) stale.containers.add(e.id);
    else if (e.type === 'network') {
      // connect/disconnect change one container's endpoints and its interfaces; create/destroy change the list.
      if (e.containerId) stale.containers.add(e.containerId);
      else stale.networks = true;
    } else if (e.type === 'volume') stale.volumes = true;
  }
  return stale;
}

/**
 * Host facts after a helper run for some containers only: their old readings
 * are replaced by the new ones (or dropped, for a container no longer
 * running), the host's own readings are the new run's, and network namespace
 * readings no container uses any more are dropped.
 */
export function mergeHostFacts(old: HostFacts | null, fresh: HostFacts, replacedPids: ReadonlySet<number>, replacedIds: ReadonlySet<string>): HostFacts {
  const namespacesByPid = new Map<number, NamespaceInodes>();
  for (const [pid, ns] of old?.namespacesByPid ?? []) if (!replacedPids.has(pid) && pid !== old?.referencePid) namespacesByPid.set(pid, ns);
  for (const [pid, ns] of fresh.namespacesByPid) namespacesByPid.set(pid, ns);
  const verdicts = new Map([...(old?.verdicts ?? [])].filter(([id]) => !replacedIds.has(id)));
  for (const [id, v] of fresh.verdicts) verdicts.set(id, v);
  const inUse = new Set([...namespacesByPid.values()].map((ns) => ns.net).filter((n): n is number => n !== null));
  const byInode = new Map<number, NetnsReading>();
  for (const r of old?.netns ?? []) if (inUse.has(r.inode)) byInode.set(r.inode, r);
  for (const r of fresh.netns) byInode.set(r.inode, r);
  return {
    ipMode: fresh.ipMode,
    referencePid: fresh.referencePid,
    referenceSource: fresh.referenceSource,
    namespacesByPid,
    verdicts,
    netns: [...byInode.values()].filter((r) => inUse.has(r.inode)),
  };
}
