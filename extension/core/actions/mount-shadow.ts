// What a mount hides: the image's own files at the mount point. The container's
// mounts exist only inside its mount namespace; from the host's, the overlay
// root (GraphDriver MergedDir) shows the image and the container's writes
// without them. For a stopped container, the layers are read top down.
//
// Everything under a container's root is the container's to shape: symlinks
// that climb out of it, FIFOs, names with any byte. So each read names the
// root it must stay inside, the helper proves it does, and names arrive as bytes.

import type { Engine } from '../engine/engine';
import { firstLine } from '../common/first-line';
import { decodeNameBytes, parseHelperReply } from '../host/helper-output';
import type { HelperSelection } from '../host/helper-runners';

export class MountShadowError extends Error {}

/** Files larger than this are shown cut short, and say so. */
export const MAX_HOST_FILE_BYTES = 2 * 1024 * 1024;

export type HostEntryKind = 'dir' | 'file' | 'link' | 'other';

export interface HostDirEntry {
  name: string;
  kind: HostEntryKind;
  /** False when the name is not UTF-8: it is shown escaped and cannot be opened by name. */
  exact: boolean;
}

export interface HiddenEntries {
  /** Where on the host the listing was read. */
  readFrom: string[];
  /** Entries, sorted by name. Empty when the image had nothing there. */
  entries: HostDirEntry[];
  /** The layer and host path of an entry, for opening it; null for one that cannot be opened. */
  hostPathOf(entry: HostDirEntry): { within: string; path: string } | null;
}

/** The order of the helper's lists: directories, files, symlinks, everything else. */
const KINDS: readonly HostEntryKind[] = ['dir', 'file', 'link', 'other'];

/**
 * Splits the helper's listing: NUL-separated "./name" entries (base64), one
 * list per kind in KINDS order, each ended by an empty entry (no name is empty).
 */
export function parseEntryList(base64: string): HostDirEntry[] {
  const bytes = Buffer.from(base64, 'base64');
  const entries: HostDirEntry[] = [];
  let kind = 0;
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== 0) continue;
    let name = bytes.subarray(start, i);
    start = i + 1;
    if (!name.length) {
      kind++;
      continue;
    }
    if (name[0] === 0x2e && name[1] === 0x2f) name = name.subarray(2);
    const decoded = decodeNameBytes(name);
    entries.push({ name: decoded.text, kind: KINDS[kind] ?? 'other', exact: decoded.exact });
  }
  return entries;
}

/**
 * The entries of a directory on the engine's host that must stay inside
 * `within` (a layer, a container root, a mount source), or null when it is not
 * a directory there. Symlinks are listed as links and never followed.
 */
export async function listHostDirectory(helper: HelperSelection, within: string, dir: string): Promise<HostDirEntry[] | null> {
  if (!helper.runner) throw new MountShadowError(`reading the engine's host needs the host helper: ${helper.reason ?? 'unavailable'}`);
  const result = await helper.runner.run(['ls-dir', within, dir]);
  let reply: Record<string, unknown>;
  try {
    reply = parseHelperReply(result.stdout);
  } catch {
    return null; // not a directory in this layer, or it leaves its root
  }
  return parseEntryList(String(reply.entries ?? '')).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export async function hiddenByMount(engine: Engine, helper: HelperSelection, containerId: string, destination: string): Promise<HiddenEntries> {
  let info;
  try {
    info = await engine.docker.getContainer(containerId).inspect();
  } catch (error) {
    throw new MountShadowError(`cannot inspect ${containerId}: ${firstLine((error as Error).message)}`);
  }
  const driver = info.GraphDriver?.Name ?? 'unknown';
  if (driver !== 'overlay2' && driver !== 'overlay')
    throw new MountShadowError(`the ${driver} storage driver is not supported: only overlay2 layers can be read`);
  const data = (info.GraphDriver?.Data ?? {}) as Record<string, string>;
  const dest = destination.replace(/\/+$/, '') || '/';
  const layers =
    info.State?.Running && data.MergedDir ? [data.MergedDir] : [data.UpperDir, ...(data.LowerDir ?? '').split(':')].filter((d): d is string => !!d);
  const seen = new Map<string, { entry: HostDirEntry; within: string; dir: string }>();
  const readFrom: string[] = [];
  for (const layer of layers) {
    const dir = dest === '/' ? layer : `${layer}${dest}`;
    const entries = await listHostDirectory(helper, layer, dir);
    if (!entries) continue;
    readFrom.push(dir);
    for (const entry of entries) if (!seen.has(entry.name)) seen.set(entry.name, { entry, within: layer, dir });
  }
  return {
    readFrom,
    entries: [...seen.values()].map((s) => s.entry).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    hostPathOf: (entry) => {
      const found = seen.get(entry.name);
      return found && found.entry.exact ? { within: found.within, path: `${found.dir}/${entry.name}` } : null;
    },
  };
}

export interface HostFileContent {
  content: Buffer;
  /** The whole file's size; more than content.length when it was cut at the limit. */
  size: number;
  truncated: boolean;
}

/** A regular file under `within` on the engine's host; symlinks, FIFOs and devices are refused. */
export async function readHostFile(helper: HelperSelection, within: string, hostPath: string, maxBytes = MAX_HOST_FILE_BYTES): Promise<HostFileContent> {
  if (!helper.runner) throw new MountShadowError(`reading needs the host helper: ${helper.reason ?? 'unavailable'}`);
  let reply: Record<string, unknown>;
  try {
    reply = parseHelperReply((await helper.runner.run(['read-file', within, hostPath, String(maxBytes)])).stdout);
  } catch (error) {
    throw new MountShadowError(`cannot read ${hostPath}: ${firstLine((error as Error).message)}`);
  }
  return { content: Buffer.from(String(reply.base64 ?? ''), 'base64'), size: Number(reply.size ?? 0), truncated: reply.truncated === true };
}
