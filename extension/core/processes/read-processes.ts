// Reads one container's processes through the host helper, on demand.

import { firstLine } from '../common/first-line';
import type { HelperRunner } from '../host/helper-runners';
import { parseHelperReply } from '../host/helper-output';
import { parseProcessesOutput } from '../host/process-output';
import type { ContainerSnapshot, Snapshot } from '../snapshot/model';
import { containerProcesses } from './container-processes';
import type { ContainerProcesses } from './process-model';

/** A look at processes is interactive: it must answer, or say why not, quickly. */
const PROCESSES_TIMEOUT_MS = 10_000;

export class ProcessReadError extends Error {}

export async function readContainerProcesses(
  runner: HelperRunner | null,
  container: ContainerSnapshot,
  snapshot: Snapshot,
  why: string | null = null,
): Promise<ContainerProcesses> {
  const none = (unavailable: string): ContainerProcesses => ({
    containerId: container.id,
    containerName: container.name,
    unavailable,
    processes: [],
    truncated: false,
    pidNamespace: { kind: 'own', with: [] },
    limits: null,
  });
  if (container.pid === null) return none('not running: no processes');
  if (!runner) return none(`processes need the host helper${why ? `: ${why}` : ''}`);
  const result = await runner.run(['processes', `${container.pid}:${container.id}`], PROCESSES_TIMEOUT_MS);
  if (result.exitCode !== 0 && !result.stdout.length)
    throw new ProcessReadError(`the host helper failed: ${firstLine(result.stderr) || `exit ${result.exitCode}`}`);
  return containerProcesses(parseProcessesOutput(result.stdout), container, snapshot);
}

/** Sends a signal through the helper, only to the process that started at startTicks and is still the container's. */
export async function signalProcess(
  runner: HelperRunner,
  container: ContainerSnapshot,
  hostPid: number,
  startTicks: number,
  signal: 'TERM' | 'INT' | 'HUP' | 'KILL',
): Promise<void> {
  if (container.pid === null) throw new ProcessReadError(`${container.name} is not running`);
  const result = await runner.run(['signal', `${container.pid}:${container.id}`, String(hostPid), String(startTicks), signal], PROCESSES_TIMEOUT_MS);
  if (!result.stdout.length) throw new ProcessReadError(firstLine(result.stderr) || `the host helper exited with ${result.exitCode}`);
  try {
    parseHelperReply(result.stdout);
  } catch (error) {
    throw new ProcessReadError((error as Error).message.replace(/^the host helper failed: /, ''));
  }
}
