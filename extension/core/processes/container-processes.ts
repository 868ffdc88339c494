// From the helper's reading to what the Processes group shows: which process
// is the init, which joined later and how that is known, and which of the
// container's namespaces each one is in. Pure: fed by recorded readings in tests.

import { NAMESPACE_TYPES, type ContainerSnapshot, type NamespaceInodes, type Snapshot } from '../snapshot/model';
import type { ProcessReading, ProcessesReading } from '../host/process-output';
import { cgroupLimits } from './cgroup-limits';
import type { ContainerProcesses, JoinedHow, ProcessInfo } from './process-model';

/** USER_HZ: /proc reports start times in these ticks on every Linux architecture. */
const TICKS_PER_SECOND = 100;

const REJECTED: Record<string, string> = {
  gone: 'its process has ended',
  cgroup: 'the engine reported a pid that, on the host, is not in this container’s cgroup',
  reused: 'its process ended and the pid was reused while it was read',
};

export function containerProcesses(reading: ProcessesReading, container: ContainerSnapshot, snapshot: Snapshot): ContainerProcesses {
  const base = { containerId: container.id, containerName: container.name, truncated: reading.truncated };
  if (!reading.verdict.verified) {
    const why = REJECTED[reading.verdict.reason ?? ''] ?? 'its process could not be verified';
    return { ...base, unavailable: `processes not read: ${why}`, processes: [], pidNamespace: { kind: 'own', with: [] }, limits: null };
  }
  const initPid = reading.verdict.pid;
  const init = reading.processes.find((p) => p.pid === initPid);
  const containerNs: NamespaceInodes = init?.namespaces ?? container.namespaces;
  const hostNs = snapshot.hostNamespaces;
  // A process in another container's cgroup is that container's, even in a shared namespace.
  const kept = reading.processes.filter((p) => p.member || !p.cgroupContainerIds.some((id) => id !== container.id));
  const byPid = new Map(kept.map((p) => [p.pid, p]));
  const pidDepth = Math.max(0, (init?.nsPids.length ?? 1) - 1);

  const joinedOf = (p: ProcessReading): ProcessInfo['joined'] => {
    if (p.pid === initPid) return null;
    let top = p;
    for (let steps = 0; steps < byPid.size; steps++) {
      const parent = byPid.get(top.ppid);
      if (!parent) break;
      if (parent.pid === initPid) return null;
      top = parent;
    }
    if (top !== p) return { how: 'forked', why: `a descendant of pid ${top.pid}, which joined the container (${howJoined(top, init).how})` };
    return howJoined(p, init);
  };

  const processes = kept.map((p): ProcessInfo => {
    const types = NAMESPACE_TYPES.filter((t) => containerNs[t] !== null && p.namespaces[t] !== null);
    const inPidNs = p.namespaces.pid !== null && p.namespaces.pid === containerNs.pid;
    const hostUid = p.uids[1] ?? p.uids[0] ?? 0;
    return {
      hostPid: p.pid,
      containerPid: inPidNs || p.member ? (p.nsPids[pidDepth] ?? null) : null,
      ppid: p.ppid,
      startTicks: p.startTicks,
      startedAt: new Date((reading.btime + p.startTicks / TICKS_PER_SECOND) * 1000).toISOString(),
      hostUid,
      insideUid: mapUid(hostUid, reading.uidMap),
      argv: p.argv,
      command: p.argv.length ? `${p.argv.join(' ')}${p.argvCut ? ' …' : ''}` : `[${p.comm ?? '?'}]`,
      isInit: p.pid === initPid,
      inCgroup: p.member,
      joined: joinedOf(p),
      namespaces: p.namespaces,
      shared: types.filter((t) => p.namespaces[t] === containerNs[t]),
      notShared: types.filter((t) => p.namespaces[t] !== containerNs[t]),
    };
  });
  processes.sort((a, b) => Number(b.isInit) - Number(a.isInit) || a.startTicks - b.startTicks || a.hostPid - b.hostPid);

  const pidSharers = snapshot.containers
    .filter((c) => c.id !== container.id && c.namespaces.pid !== null && c.namespaces.pid === containerNs.pid)
    .map((c) => c.name);
  const pidNamespace: ContainerProcesses['pidNamespace'] =
    hostNs && containerNs.pid !== null && hostNs.pid === containerNs.pid
      ? { kind: 'host', with: pidSharers }
      : pidSharers.length
        ? { kind: 'shared', with: pidSharers }
        : { kind: 'own', with: [] };
  return { ...base, unavailable: null, processes, pidNamespace, limits: cgroupLimits(reading.cgroup.version, reading.cgroup.files) };
}

/** How a process whose parent is outside the container got in, and the evidence. */
function howJoined(p: ProcessReading, init: ProcessReading | undefined): { how: JoinedHow; why: string } {
  if (!p.member) {
    return {
      how: 'setns',
      why: `not in the container’s cgroup: a host process (parent pid ${p.ppid}) that entered its namespaces with setns(), as nsenter does`,
    };
  }
  if (init && p.ppid === init.ppid) {
    return { how: 'exec', why: `its parent is pid ${p.ppid}, the shim that also started the init: the engine’s exec (docker exec)` };
  }
  return { how: 'exec', why: `in the container’s cgroup, but its parent (pid ${p.ppid}) is outside the container: started into it by the engine` };
}

function mapUid(uid: number, map: ReadonlyArray<[number, number, number]>): number | null {
  for (const [inside, outside, count] of map) if (uid >= outside && uid < outside + count) return uid - outside + inside;
  return null;
}
