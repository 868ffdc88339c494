// Is an engine on this machine? A unix socket does not prove it: Docker
// Desktop, Colima, Rancher Desktop and `ssh -L` forwards are all sockets whose
// containers run elsewhere, and a helper run here would then describe (or
// enter) unrelated local processes. The proof asked for: a container pid the
// engine reports whose cgroup, read here, names that container.

import { readFile } from 'node:fs/promises';
import * as os from 'node:os';
import type { Engine } from '../engine/engine';
import { firstLine } from '../common/first-line';

export interface Locality {
  local: boolean;
  /** What the verdict rests on, in words, for logs and the tree. */
  evidence: string;
}

export interface LocalitySample {
  id: string;
  name: string;
  pid: number;
  /** /proc/PID/cgroup as read on this machine, or null when it could not be read. */
  cgroup: string | null;
}

export interface EngineHostInfo {
  name: string | null;
  kernel: string | null;
}

/** Pure: the verdict from what was read. Unit-tested with recorded fixtures. */
export function judgeLocality(samples: readonly LocalitySample[], engine: EngineHostInfo, here: EngineHostInfo): Locality {
  const proof = samples.find((s) => s.cgroup !== null && s.cgroup.includes(s.id));
  if (proof) return { local: true, evidence: `pid ${proof.pid} of ${proof.name} is in that container's cgroup here` };
  const first = samples[0];
  if (first) {
    return {
      local: false,
      evidence: first.cgroup === null ? `pid ${first.pid} of ${first.name} does not exist here` : `pid ${first.pid} here is not a process of ${first.name}`,
    };
  }
  // No running container to prove it with. The engine's host name and kernel
  // are the next best thing: a VM or another machine differs in at least one.
  if (engine.name && engine.kernel && engine.name === here.name && engine.kernel === here.kernel) {
    return { local: true, evidence: "no container runs; the engine reports this machine's host name and kernel" };
  }
  return {
    local: false,
    evidence: `no container runs, and the engine reports host ${engine.name ?? '?'} with kernel ${engine.kernel ?? '?'}, not this machine's`,
  };
}

/** Asks the engine for up to three running containers and checks their pids here. */
export async function checkEngineIsThisMachine(engine: Engine): Promise<Locality> {
  try {
    const running = await engine.docker.listContainers({ filters: { status: ['running'] } });
    const samples: LocalitySample[] = [];
    for (const c of running.slice(0, 3)) {
      const info = await engine.docker
        .getContainer(c.Id)
        .inspect()
        .catch(() => null);
      const pid = info?.State?.Pid;
      if (!info || !pid) continue;
      const cgroup = await readFile(`/proc/${pid}/cgroup`, 'utf8').catch(() => null);
      samples.push({ id: info.Id, name: info.Name.replace(/^\//, ''), pid, cgroup });
      if (cgroup?.includes(info.Id)) break;
    }
    if (samples.length) return judgeLocality(samples, { name: null, kernel: null }, { name: null, kernel: null });
    const info = (await engine.docker.info()) as { Name?: string; KernelVersion?: string };
    return judgeLocality([], { name: info.Name ?? null, kernel: info.KernelVersion ?? null }, { name: os.hostname(), kernel: os.release() });
  } catch (error) {
    return { local: false, evidence: `the engine could not be asked (${firstLine((error as Error).message)})` };
  }
}
