// One level of a container's directory, without streaming what lies below it.
// The engine's archive API only sends a directory's whole subtree: opening
// `/` over a 100 GB volume would stream 100 GB. Where the host helper runs,
// the same level is listed on the engine's host instead, at its real place:
// the source of the mount that governs it, or the container's overlay root
// (GraphDriver MergedDir) for the rest. The helper proves it stays inside
// that place. Elsewhere (no helper, a tmpfs, a stopped container, another
// storage driver, a symlinked path) the archive is read up to a budget, and
// the listing says when it is partial.

import type { Engine } from '../engine/engine';
import type { HelperSelection } from '../host/helper-runners';
import { normalizeMounts } from '../snapshot/container-inspect';
import {
  type ContainerDirEntry,
  type ContainerDirListing,
  listContainerDirectoryBounded,
  LISTING_ARCHIVE_BUDGET_BYTES,
  statContainerPath,
  GO_MODE_SYMLINK,
} from './container-files';
import { type HostDirEntry, listHostDirectory } from './mount-shadow';
import { containerPathToHostPath } from './path-mapping';

export interface ContainerLevelListing extends ContainerDirListing {
  /** 'host': one level read on the engine's host; 'archive': from the engine's archive of the subtree. */
  readFrom: 'host' | 'archive';
}

const TYPE_OF: Record<HostDirEntry['kind'], ContainerDirEntry['type']> = { dir: 'directory', file: 'file', link: 'symlink', other: 'other' };

/** Where on the engine's host one level of `dir` can be listed, or null when it cannot be (then the archive is read). */
export async function hostPlaceOf(engine: Engine, containerId: string, dir: string): Promise<{ within: string; path: string } | null> {
  const info = await engine.docker.getContainer(containerId).inspect();
  if (!info.State?.Running) return null;
  const location = containerPathToHostPath(dir, normalizeMounts(info));
  if (location.kind === 'mount') return { within: location.mount.source as string, path: location.hostPath };
  if (location.kind !== 'rootfs') return null;
  const driver = info.GraphDriver?.Name;
  const merged = (info.GraphDriver?.Data as Record<string, string> | undefined)?.MergedDir;
  if ((driver !== 'overlay2' && driver !== 'overlay') || !merged) return null;
  return { within: merged, path: dir === '/' ? merged : `${merged}${dir.replace(/\/+$/, '')}` };
}

export async function listContainerLevel(
  engine: Engine,
  helper: HelperSelection | null,
  containerId: string,
  dir: string,
  budgetBytes = LISTING_ARCHIVE_BUDGET_BYTES,
): Promise<ContainerLevelListing> {
  if (helper?.runner) {
    // A symlinked directory resolves inside the container, not on the host: the archive knows how.
    const stat = await statContainerPath(engine, containerId, dir);
    const place = stat.mode & GO_MODE_SYMLINK ? null : await hostPlaceOf(engine, containerId, dir);
    const entries = place ? await listHostDirectory(helper, place.within, place.path).catch(() => null) : null;
    // A name that is not UTF-8 cannot be opened by name through the archive API: leave it out, as the archive listing would garble it.
    if (entries)
      return { entries: entries.filter((e) => e.exact).map((e) => ({ name: e.name, type: TYPE_OF[e.kind], size: 0 })), complete: true, readFrom: 'host' };
  }
  return { ...(await listContainerDirectoryBounded(engine, containerId, dir, budgetBytes)), readFrom: 'archive' };
}
