// Maps paths between the host and a container through its mounts. A mount
// hides whatever was at its mount point, so the mount that governs a container
// path is the one with the deepest destination that contains it.

import * as path from 'node:path';
import type { MountSnapshot } from '../snapshot/model';

export interface ContainerPathMatch {
  containerPath: string;
  mount: MountSnapshot;
}

export type HostLocation =
  | { kind: 'mount'; hostPath: string; mount: MountSnapshot }
  /** Backed by a mount with no host path (tmpfs, or a volume driver with no local mountpoint). */
  | { kind: 'nohost'; mount: MountSnapshot }
  /** Not under any mount: it lives in the container's own writable layer or image. */
  | { kind: 'rootfs' };

function normalize(p: string): string {
  const n = path.posix.normalize(p);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

/** The part of `child` below `parent`, '' when equal, null when outside. */
function relativeUnder(parent: string, child: string): string | null {
  if (child === parent) return '';
  const prefix = parent === '/' ? '/' : `${parent}/`;
  return child.startsWith(prefix) ? child.slice(prefix.length) : null;
}

/** The mount that a container path is seen through, or null for the root filesystem. */
export function governingMount(containerPath: string, mounts: readonly MountSnapshot[]): MountSnapshot | null {
  const target = normalize(containerPath);
  let best: MountSnapshot | null = null;
  for (const m of mounts) {
    const dest = normalize(m.destination);
    if (relativeUnder(dest, target) === null) continue;
    if (!best || dest.length >= normalize(best.destination).length) best = m;
  }
  return best;
}

/**
 * Every container path at which a host path is visible. A candidate is dropped
 * when a deeper mount shadows it there, because the container sees that mount's
 * data instead of this file.
 */
export function hostPathToContainerPaths(hostPath: string, mounts: readonly MountSnapshot[]): ContainerPathMatch[] {
  const target = normalize(hostPath);
  const matches: ContainerPathMatch[] = [];
  for (const m of mounts) {
    if (!m.source) continue;
    const rel = relativeUnder(normalize(m.source), target);
    if (rel === null) continue;
    const containerPath = rel === '' ? normalize(m.destination) : path.posix.join(normalize(m.destination), rel);
    if (governingMount(containerPath, mounts) !== m) continue;
    matches.push({ containerPath, mount: m });
  }
  return matches.sort((a, b) => a.containerPath.localeCompare(b.containerPath));
}

/** Where a container path lives on the host. */
export function containerPathToHostPath(containerPath: string, mounts: readonly MountSnapshot[]): HostLocation {
  const mount = governingMount(containerPath, mounts);
  if (!mount) return { kind: 'rootfs' };
  if (!mount.source || mount.type === 'tmpfs' || mount.type === 'npipe') return { kind: 'nohost', mount };
  const rel = relativeUnder(normalize(mount.destination), normalize(containerPath)) ?? '';
  return { kind: 'mount', hostPath: rel === '' ? normalize(mount.source) : path.posix.join(normalize(mount.source), rel), mount };
}
