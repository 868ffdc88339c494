// What the Processes group shows: one container's processes as the host sees
// them. Built on demand (only while someone looks), never part of Snapshot.

import type { NamespaceInodes, NamespaceType } from '../snapshot/model';

/**
 * How a process that is not of the init's tree came into the container:
 * - exec: its parent is the shim that started the init (the engine's exec);
 * - setns: its parent is some other host process (nsenter, Enter Namespaces);
 * - forked: a descendant of a process that joined.
 */
export type JoinedHow = 'exec' | 'setns' | 'forked';

export interface ProcessInfo {
  hostPid: number;
  /** The pid inside the container's pid namespace, from NSpid; null when it is not in that namespace. */
  containerPid: number | null;
  ppid: number;
  /** With the pid, names this process and no later one (pids are reused). */
  startTicks: number;
  startedAt: string;
  /** Effective uid as the host sees it, and inside when the container's user namespace maps it. */
  hostUid: number;
  insideUid: number | null;
  argv: string[];
  /** The command as one line: argv joined, or [name] for a process without a command line. */
  command: string;
  isInit: boolean;
  /** In the container's cgroup; false for a process that only entered some of its namespaces. */
  inCgroup: boolean;
  joined: { how: JoinedHow; why: string } | null;
  namespaces: NamespaceInodes;
  /** The container's namespaces this process is not in (empty when it is in all of them). */
  notShared: NamespaceType[];
  /** The container's namespaces it is in. */
  shared: NamespaceType[];
}

export interface CgroupLimits {
  version: 1 | 2;
  memory: { limitBytes: number | null; usageBytes: number | null };
  /** CPUs allowed (quota / period); null: no quota. */
  cpu: { limit: number | null; usageNs: number | null };
  pids: { limit: number | null; current: number | null };
}

export interface ContainerProcesses {
  containerId: string;
  containerName: string;
  /** Why nothing could be read (the helper, a stopped container, a pid that failed its checks). */
  unavailable: string | null;
  processes: ProcessInfo[];
  /** More processes than one read describes (the helper's cap). */
  truncated: boolean;
  /** Whose pid namespace this is: its own, the host's, or shared with the named containers. */
  pidNamespace: { kind: 'own' | 'host' | 'shared'; with: string[] };
  limits: CgroupLimits | null;
  /** CPU use over the last interval, in CPUs (1 = one core busy); set by a watch that read twice. */
  cpuRate?: number;
}
