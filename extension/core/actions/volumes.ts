// Creating and measuring volumes. A bind-backed volume is Docker's local
// driver with type=none,o=bind,device=DIR: the volume is a bind mount of DIR,
// which the host helper creates first when it is missing. Nothing is left
// half-made: if the volume cannot be created, the directories made for it go too.

import type { Engine } from '../engine/engine';
import { firstLine } from '../common/first-line';
import { parseHelperReply } from '../host/helper-output';
import type { HelperSelection } from '../host/helper-runners';

export class VolumeError extends Error {}

/** Docker's rule for volume names: [a-zA-Z0-9][a-zA-Z0-9_.-]+ (so at least two characters). */
export function volumeNameProblem(name: string): string | null {
  if (!name) return 'a volume name is required';
  if (name.length < 2) return `"${name}" is too short: a volume name needs at least 2 characters`;
  if (name.length > 255) return 'a volume name can have at most 255 characters';
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/.test(name)) return `"${name}" is not a valid volume name: use letters, digits, _ . - and start with a letter or digit`;
  return null;
}

export interface CreateVolumeRequest {
  name: string;
  /** Absolute directory on the engine's host for a bind-backed volume. */
  bindDir?: string;
  labels?: Record<string, string>;
}

export interface CreatedVolume {
  name: string;
  mountpoint: string;
  bindDir: string | null;
  /** Whether the helper had to create bindDir. */
  createdDir: boolean;
}

export async function createVolume(
  engine: Engine,
  request: CreateVolumeRequest,
  helper: HelperSelection,
  progress?: (step: string) => void,
): Promise<CreatedVolume> {
  const problem = volumeNameProblem(request.name);
  if (problem) throw new VolumeError(problem);
  const bindDir = request.bindDir?.trim() || null;
  if (bindDir !== null && !bindDir.startsWith('/')) throw new VolumeError(`the bind directory must be an absolute path on the engine's host, not "${bindDir}"`);
  if (bindDir !== null && /[\0\n]/.test(bindDir)) throw new VolumeError('the bind directory contains a character Docker cannot take');

  progress?.('checking the name');
  try {
    await engine.docker.getVolume(request.name).inspect();
    throw new VolumeError(`a volume named ${request.name} already exists`);
  } catch (error) {
    if (error instanceof VolumeError) throw error;
    if ((error as { statusCode?: number }).statusCode !== 404) throw new VolumeError(`cannot check the volume name: ${firstLine((error as Error).message)}`);
  }

  let createdLevels = 0;
  if (bindDir !== null) {
    if (!helper.runner) throw new VolumeError(`a bind-backed volume needs the host helper to prepare ${bindDir}: ${helper.reason ?? 'unavailable'}`);
    progress?.(`preparing ${bindDir} on the engine's host`);
    const result = await helper.runner.run(['prepare-bind', bindDir]);
    try {
      createdLevels = Number(parseHelperReply(result.stdout).created ?? 0);
    } catch (error) {
      throw new VolumeError(`cannot prepare ${bindDir}: ${(error as Error).message}`);
    }
  }

  progress?.(`creating volume ${request.name}`);
  try {
    await engine.docker.createVolume({
      Name: request.name,
      Driver: 'local',
      DriverOpts: bindDir !== null ? { type: 'none', o: 'bind', device: bindDir } : {},
      Labels: request.labels ?? {},
    });
    const info = await engine.docker.getVolume(request.name).inspect();
    return { name: info.Name, mountpoint: info.Mountpoint, bindDir, createdDir: createdLevels > 0 };
  } catch (error) {
    if (bindDir !== null && createdLevels > 0 && helper.runner) {
      await helper.runner.run(['undo-bind', bindDir, String(createdLevels)]).catch(() => undefined);
    }
    throw new VolumeError(`cannot create volume ${request.name}: ${firstLine((error as Error).message)}`);
  }
}

/** Disk usage of a host path, through the helper (on demand only). */
export async function diskUsageKib(helper: HelperSelection, hostPath: string): Promise<number> {
  if (!helper.runner) throw new VolumeError(`measuring needs the host helper: ${helper.reason ?? 'unavailable'}`);
  const reply = parseHelperReply((await helper.runner.run(['du', hostPath])).stdout);
  return Number(reply.kib);
}
