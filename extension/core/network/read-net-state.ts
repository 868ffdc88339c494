// Reads the host's forwarding state through the host helper, on demand.

import { firstLine } from '../common/first-line';
import type { HelperRunner } from '../host/helper-runners';
import type { ContainerSnapshot, Snapshot } from '../snapshot/model';
import { netStateFrom } from './cam-table';
import { parseNetStateOutput } from './net-state-output';
import type { NetState } from './net-state-model';

const NET_STATE_TIMEOUT_MS = 10_000;

export class NetStateError extends Error {}

/** The host's CAM tables, routes, neighbours, NAT and filter rules, and the routes of `withRoutesOf` containers. */
export async function readNetState(
  runner: HelperRunner | null,
  snapshot: Snapshot,
  withRoutesOf: readonly ContainerSnapshot[] = [],
  why: string | null = null,
): Promise<NetState> {
  if (!runner) throw new NetStateError(`the host's forwarding state needs the host helper${why ? `: ${why}` : ''}`);
  const pairs = withRoutesOf.filter((c) => c.pid !== null).map((c) => `${c.pid}:${c.id}`);
  const result = await runner.run(['net-state', ...pairs], NET_STATE_TIMEOUT_MS);
  if (result.exitCode !== 0 && !result.stdout.length)
    throw new NetStateError(`the host helper failed: ${firstLine(result.stderr) || `exit ${result.exitCode}`}`);
  return netStateFrom(parseNetStateOutput(result.stdout), snapshot);
}
