// What a mount hides: the image's own files at the mount point. The container's
// mounts exist only inside its mount namespace; from the host's, the overlay
// root (GraphDriver MergedDir) shows the image and the container's writes
// without them. For a stopped container, the layers are read top down.

import type { Engine } from './engine';
import { firstLine } from './engine';
import { parseHelperReply } from './helper-output';
import type { HelperSelection } from './helper-runners';

export class MountShadowError extends Error {}

export interface HiddenEntries {
  /** Where on the host the listing was read. */
  readFrom: string[];
  /** Entry names; directories end with '/'. Empty when the image had nothing there. */
  entries: string[];
  /** The host path of each entry, for opening it. */
  hostPathOf(entry: string): string | null;
}

/** The entries of a directory on the engine's host (directories end with '/'), or null when it is not one. */
export async function listHostDirectory(helper: HelperSelection, dir: string): Promise<string[] | null> {
  if (!helper.runner) throw new MountShadowError(`reading the engine's host needs the host helper: ${helper.reason ?? 'unavailable'}`);
  const result = await helper.runner.run(['ls-dir', dir]);
  try {
    const reply = parseHelperReply(result.stdout);
    return (reply.entries as unknown[]).filter((e): e is string => typeof e === 'string');
  } catch {
    return null; // not a directory in this layer
  }
}

export async function hiddenByMount(engine: Engine, helper: HelperSelection, containerId: string, destination: string): Promise<HiddenEntries> {
  let info;
  try {
    info = await engine.docker.getContainer(containerId).inspect();
  } catch (error) {
    throw new MountShadowError(`cannot inspect ${containerId}: ${firstLine((error as Error).message)}`);
  }
  const driver = info.GraphDriver?.Name ?? 'unknown';
  if (driver !== 'overlay2' && driver !== 'overlay') throw new MountShadowError(`the ${driver} storage driver is not supported: only overlay2 layers can be read`);
  const data = (info.GraphDriver?.Data ?? {}) as Record<string, string>;
  const dest = destination.replace(/\/+$/, '') || '/';
  const layers = info.State?.Running && data.MergedDir ? [data.MergedDir] : [data.UpperDir, ...(data.LowerDir ?? '').split(':')].filter((d): d is string => !!d);
  const seen = new Map<string, string>();
  const readFrom: string[] = [];
  for (const layer of layers) {
    const dir = `${layer}${dest}`;
    const entries = await listHostDirectory(helper, dir);
    if (!entries) continue;
    readFrom.push(dir);
    for (const e of entries) if (!seen.has(e)) seen.set(e, `${dir}/${e.replace(/\/$/, '')}`);
  }
  return { readFrom, entries: [...seen.keys()].sort(), hostPathOf: (e) => seen.get(e) ?? null };
}

export async function readHostFile(helper: HelperSelection, hostPath: string): Promise<Buffer> {
  if (!helper.runner) throw new MountShadowError(`reading needs the host helper: ${helper.reason ?? 'unavailable'}`);
  const reply = parseHelperReply((await helper.runner.run(['read-file', hostPath])).stdout);
  return Buffer.from(String(reply.base64 ?? ''), 'base64');
}
