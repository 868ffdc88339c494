// What `enter` means, independent of who runs it: the container's pid, the
// namespaces to join, the command, and the helper arguments that do it.

import type { Engine } from '../engine/engine';
import { firstLine } from '../common/first-line';
import type { NamespaceType } from '../snapshot/model';

export const ENTERABLE_NAMESPACES = ['net', 'pid', 'uts', 'ipc', 'mnt', 'cgroup', 'user'] as const;
export type EnterableNamespace = (typeof ENTERABLE_NAMESPACES)[number] & NamespaceType;
/** Like `docker exec` minus the filesystem: host tools, the container's network, names and processes. */
export const DEFAULT_ENTER_NAMESPACES: readonly EnterableNamespace[] = ['net', 'uts', 'ipc', 'pid'];

export class EnterError extends Error {}

export function parseNamespaceList(text: string): EnterableNamespace[] {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!names.length) throw new EnterError('--ns needs at least one namespace');
  for (const n of names) {
    if (!(ENTERABLE_NAMESPACES as readonly string[]).includes(n)) throw new EnterError(`unknown namespace "${n}" (use ${ENTERABLE_NAMESPACES.join(', ')})`);
  }
  return [...new Set(names)] as EnterableNamespace[];
}

export interface EnterTarget {
  id: string;
  name: string;
  pid: number;
}

/** Finds a running container by name or id (prefix), with one clear line when it cannot. */
export async function resolveEnterTarget(engine: Engine, nameOrId: string): Promise<EnterTarget> {
  let info;
  try {
    info = await engine.docker.getContainer(nameOrId).inspect();
  } catch (error) {
    const status = (error as { statusCode?: number }).statusCode;
    if (status === 404) throw new EnterError(`no such container: ${nameOrId}`);
    throw new EnterError(`cannot inspect ${nameOrId}: ${firstLine((error as Error).message)}`);
  }
  const name = info.Name.replace(/^\//, '');
  const pid = info.State?.Pid;
  if (!info.State?.Running || !pid) throw new EnterError(`container ${name} is not running (${info.State?.Status ?? 'unknown state'})`);
  return { id: info.Id, name, pid };
}

/**
 * Joining mnt means running the container's own binaries. From the host helper
 * they would run as full root: every capability, no seccomp, no cgroup. So
 * that case goes through the engine's exec instead, which joins every
 * namespace of the container and applies its cgroup, capability bounding set,
 * seccomp and AppArmor profiles: the container's confinement, not the host's.
 */
export function entersThroughEngine(namespaces: readonly EnterableNamespace[]): boolean {
  return namespaces.includes('mnt');
}

/**
 * Arguments for the host helper's `enter` subcommand: the pid with its
 * container id, so the helper enters only a process that is that container's.
 */
export function enterHelperArgs(target: EnterTarget, namespaces: readonly EnterableNamespace[], command: readonly string[], process?: ProcessTarget): string[] {
  if (entersThroughEngine(namespaces)) throw new EnterError('the mnt namespace is entered through the engine, not the host helper');
  // Another process of the container: named with its start time, so a reused pid is refused.
  const which = process ? ['--process', `${process.pid}:${process.startTicks}`] : [];
  return ['enter', `${target.pid}:${target.id}`, ...which, ...namespaces, '--', ...command];
}

/** One process of a container, other than its init: a joined process may sit in other namespaces. */
export interface ProcessTarget {
  pid: number;
  startTicks: number;
}

/** The line a terminal shows before the shell starts, so the user knows where they are. */
export function enterBanner(target: EnterTarget, namespaces: readonly EnterableNamespace[], process?: ProcessTarget): string {
  if (process && !entersThroughEngine(namespaces)) {
    return `Joined ${namespaces.join(', ')} of process ${process.pid} in ${target.name} from the host (that process's namespaces, which may differ from the init's).\nmnt is not joined: these are the host's files and tools.`;
  }
  if (entersThroughEngine(namespaces)) {
    return `mnt chosen: this runs through the engine's exec, like docker exec, in every namespace of ${target.name}, with its cgroup, capabilities and seccomp profile, and its own files and binaries. Host tools are not available.`;
  }
  const joined = `Joined ${namespaces.join(', ')} of ${target.name} (pid ${target.pid}) from the host.`;
  const files = namespaces.includes('mnt')
    ? "mnt is joined: / is the container's filesystem, and host tools are not available."
    : `mnt is not joined: these are the host's files and tools; the container's files are at /proc/${target.pid}/root.`;
  const ps =
    namespaces.includes('pid') && !namespaces.includes('mnt')
      ? "\nps and top read the host's /proc, so they list host processes; the container's own are under /proc/" + target.pid + '/root/proc.'
      : '';
  return `${joined}\n${files}${ps}`;
}
