// The cheap check behind "an exited process disappears within 300 ms": on the
// engine's own machine, /proc/PID/stat of a listed process either is gone or
// names a later process. Any user may read it, so no helper run is needed.

import { readFileSync } from 'node:fs';
import type { ProcessInfo } from './process-model';

/** Past this many processes the probe costs more than it saves; the poll covers them. */
const MAX_PROBED = 200;

/** The listed processes that have ended (or whose pid now names a later process). */
export function exitedProcesses(processes: readonly ProcessInfo[]): ProcessInfo[] {
  if (processes.length > MAX_PROBED) return [];
  return processes.filter((p) => {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${p.hostPid}/stat`, 'latin1');
    } catch {
      return true;
    }
    // Field 22, counted after the name's closing parenthesis (the name may hold anything).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // A zombie has ended too: it waits only for its parent to reap it.
    return Number(fields[19]) !== p.startTicks || fields[0] === 'Z';
  });
}
