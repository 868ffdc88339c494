// Validation of the helper's `processes` reply: one container's processes as
// the host sees them. Command lines, names and cgroup paths are the
// processes' own bytes (base64 in transit) and are only ever shown.

import { NAMESPACE_TYPES, type NamespaceInodes, type NamespaceType } from '../snapshot/model';
import { asArray, asInt, asObject, asString, decodeNameBytes, emptyNamespaces, HelperOutputError, parseHelperReply, type PidVerdict } from './helper-output';

/** A command line is cut after this many bytes by the helper (it sends one more to say so). */
export const MAX_CMDLINE_BYTES = 4096;

export interface ProcessReading {
  pid: number;
  ppid: number;
  /** Start time in clock ticks after boot (/proc/PID/stat field 22): with the pid, it names one process. */
  startTicks: number;
  /** In the container's cgroup (as opposed to only sharing one of its namespaces). */
  member: boolean;
  /** NSpid: the pid in each pid namespace, from the host's down to the process's own. */
  nsPids: number[];
  /** Real, effective, saved and filesystem ids, as the host sees them. */
  uids: number[];
  gids: number[];
  argv: string[];
  /** The command line was longer than MAX_CMDLINE_BYTES. */
  argvCut: boolean;
  /** The kernel's name for a process without a command line (kernel threads, zombies). */
  comm: string | null;
  /** Container ids named by a non-member's cgroup (it belongs to another container). */
  cgroupContainerIds: string[];
  namespaces: NamespaceInodes;
}

export interface ProcessesReading {
  verdict: PidVerdict;
  referencePid: number | null;
  /** Boot time, seconds since the epoch: start ticks become a date with it. */
  btime: number;
  /** More processes than the helper describes for one container. */
  truncated: boolean;
  /** The container's uid map (inside, outside, count) when it has a user namespace of its own. */
  uidMap: Array<[number, number, number]>;
  cgroup: { version: 0 | 1 | 2; files: Map<string, string> };
  processes: ProcessReading[];
}

export function parseProcessesOutput(stdout: Buffer | string): ProcessesReading {
  const root = parseHelperReply(stdout);
  const verdicts = asArray(root.pids, 'pids').filter((v) => v !== null);
  if (verdicts.length !== 1) throw new HelperOutputError('helper output: processes needs one verdict');
  const v = asObject(verdicts[0], 'verdict');
  const containerId = asString(v.id, 'container id');
  if (!/^[0-9a-f]{64}$/.test(containerId)) throw new HelperOutputError('helper output: bad container id');
  const reason = v.reason === null ? null : asString(v.reason, 'reason');
  if (reason !== null && reason !== 'gone' && reason !== 'cgroup' && reason !== 'reused') throw new HelperOutputError('helper output: bad rejection reason');
  const verdict: PidVerdict = { pid: asInt(v.pid, 'pid'), containerId, verified: v.verified === true, reason };
  const empty: ProcessesReading = {
    verdict,
    referencePid: null,
    btime: 0,
    truncated: false,
    uidMap: [],
    cgroup: { version: 0, files: new Map() },
    processes: [],
  };
  if (!verdict.verified) return empty;

  const namespaces = new Map<number, NamespaceInodes>();
  for (const entry of asArray(root.namespaces, 'namespaces')) {
    if (entry === null) continue;
    const pair = asArray(entry, 'namespace entry');
    const match = /^\/proc\/(\d+)\/ns\/([a-z_]+)$/.exec(String(pair[0]));
    if (!match || !(NAMESPACE_TYPES as readonly string[]).includes(match[2]!)) continue;
    const pid = Number(match[1]);
    const inodes = namespaces.get(pid) ?? emptyNamespaces();
    inodes[match[2] as NamespaceType] = asInt(pair[1], 'namespace inode');
    namespaces.set(pid, inodes);
  }

  const processes = asArray(root.processes, 'processes')
    .filter((p) => p !== null)
    .map((raw): ProcessReading => {
      const p = asObject(raw, 'process');
      const pid = asInt(p.pid, 'pid');
      const cmd = base64Bytes(p.cmd, 'command line');
      const argvCut = cmd.length > MAX_CMDLINE_BYTES;
      const comm = base64Bytes(p.comm, 'name');
      const cgroup = decodeNameBytes(base64Bytes(p.cgroup, 'cgroup')).text;
      return {
        pid,
        ppid: asInt(p.ppid, 'ppid'),
        startTicks: asInt(p.start, 'start'),
        member: p.member === true,
        nsPids: numbers(p.nspid, 'NSpid'),
        uids: numbers(p.uid, 'uid'),
        gids: numbers(p.gid, 'gid'),
        argv: splitArgv(argvCut ? cmd.subarray(0, MAX_CMDLINE_BYTES) : cmd),
        argvCut,
        comm: comm.length ? decodeNameBytes(comm).text.replace(/\n$/, '') : null,
        cgroupContainerIds: [...new Set(cgroup.match(/[0-9a-f]{64}/g) ?? [])],
        namespaces: namespaces.get(pid) ?? emptyNamespaces(),
      };
    });

  const cgroupRoot = asObject(root.cgroup, 'cgroup');
  const version = cgroupRoot.version;
  if (version !== 0 && version !== 1 && version !== 2) throw new HelperOutputError('helper output: bad cgroup version');
  const files = new Map<string, string>();
  for (const entry of asArray(cgroupRoot.files, 'cgroup files')) {
    if (entry === null) continue;
    const [name, value] = asArray(entry, 'cgroup file');
    files.set(asString(name, 'cgroup file name'), asString(value, 'cgroup value'));
  }
  const uidMap = asString(root.uidMap, 'uid map')
    .split(',')
    .map((line) => line.trim().split(/\s+/).map(Number))
    .filter((t): t is [number, number, number] => t.length === 3 && t.every(Number.isSafeInteger));
  return {
    verdict,
    referencePid: root.reference ? asInt(asObject(root.reference, 'reference').pid, 'reference pid') : null,
    btime: asInt(root.btime, 'btime'),
    truncated: root.truncated === true,
    uidMap,
    cgroup: { version, files },
    processes,
  };
}

function base64Bytes(value: unknown, what: string): Buffer {
  const text = asString(value ?? '', what);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw new HelperOutputError(`helper output: ${what} is not base64`);
  return Buffer.from(text, 'base64');
}

function numbers(value: unknown, what: string): number[] {
  const text = asString(value, what).trim();
  if (!text) return [];
  const out = text.split(/\s+/).map(Number);
  if (!out.every((n) => Number.isSafeInteger(n) && n >= 0)) throw new HelperOutputError(`helper output: ${what} is not numbers`);
  return out;
}

/** /proc/PID/cmdline: arguments ended by NUL bytes (a process may rewrite it into one string with spaces). */
function splitArgv(bytes: Buffer): string[] {
  const parts: string[] = [];
  let from = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0) {
      parts.push(decodeNameBytes(bytes.subarray(from, i)).text);
      from = i + 1;
    }
  }
  if (from < bytes.length) parts.push(decodeNameBytes(bytes.subarray(from)).text);
  return parts;
}
