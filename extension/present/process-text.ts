// How processes read as text: the Processes group in the tree, its tooltips,
// and the CLI's `ps`. Command lines are the processes' own bytes: always
// passed through printable() before they reach a terminal or a row.

import type { CgroupLimits, ContainerProcesses, ProcessInfo } from '../core/processes/process-model';
import type { NamespaceInodes } from '../core/snapshot/model';
import { printable } from './snapshot-text';

/** Rows cut long command lines; the tooltip and the CLI's --json have them whole. */
const ROW_COMMAND_CHARS = 120;

export function processLabel(p: ProcessInfo): string {
  const command = printable(p.command);
  return `${p.hostPid} ${command.length > ROW_COMMAND_CHARS ? `${command.slice(0, ROW_COMMAND_CHARS)}…` : command}`;
}

/** "init · pid 1 inside · uid 0", "joined (exec) · pid 7 inside", "joined (setns) · shares net, uts; not pid". */
export function processDescription(p: ProcessInfo): string {
  const parts: string[] = [];
  if (p.isInit) parts.push('init');
  else if (p.joined) parts.push(`joined (${p.joined.how})`);
  parts.push(p.containerPid !== null ? `pid ${p.containerPid} inside` : 'not in its pid namespace');
  parts.push(p.insideUid !== null ? `uid ${p.hostUid} (${p.insideUid} inside)` : `uid ${p.hostUid}`);
  if (p.notShared.length) parts.push(`shares ${p.shared.join(', ') || 'none'}; not ${p.notShared.join(', ')}`);
  return parts.join(' · ');
}

export function processTooltip(p: ProcessInfo, containerName: string, container: NamespaceInodes): string {
  const lines = [
    `host pid ${p.hostPid}${p.containerPid !== null ? `, pid ${p.containerPid} in ${containerName}'s pid namespace` : ''}`,
    `parent ${p.ppid}, started ${p.startedAt}`,
    `uid ${p.hostUid} on the host${p.insideUid !== null ? `, ${p.insideUid} inside the user namespace` : ''}`,
    `command ${printable(p.command)}`,
  ];
  if (p.isInit) lines.push(`the container's init: the process the engine reported for ${containerName}`);
  if (p.joined) lines.push(`joined (${p.joined.how}): ${p.joined.why}`);
  if (!p.inCgroup) lines.push(`not in ${containerName}'s cgroup`);
  for (const t of p.shared) lines.push(`${t}:[${p.namespaces[t]}] — the container's`);
  for (const t of p.notShared) lines.push(`${t}:[${p.namespaces[t]}] — not the container's ${t}:[${container[t]}]`);
  return lines.join('\n');
}

/** "3 processes · 1 joined · pid namespace shared with web". */
export function processesSummary(value: ContainerProcesses): string {
  if (value.unavailable) return value.unavailable;
  const joined = value.processes.filter((p) => p.joined).length;
  const parts = [`${value.processes.length}${value.truncated ? '+' : ''} process${value.processes.length === 1 ? '' : 'es'}`];
  if (joined) parts.push(`${joined} joined`);
  if (value.pidNamespace.kind === 'host') parts.push("the host's pid namespace");
  else if (value.pidNamespace.kind === 'shared') parts.push(`pid namespace shared with ${value.pidNamespace.with.map(printable).join(', ')}`);
  return parts.join(' · ');
}

/** "memory 1.2 MiB / 64 MiB · cpu 3% of 0.5 · pids 2 / 100". */
export function limitsDescription(limits: CgroupLimits, cpuRate?: number): string {
  const memory = `memory ${bytes(limits.memory.usageBytes)} / ${limits.memory.limitBytes === null ? 'no limit' : bytes(limits.memory.limitBytes)}`;
  const used = cpuRate === undefined ? '' : `${(cpuRate * 100).toFixed(cpuRate < 0.1 ? 1 : 0)}% `;
  const cpu = `cpu ${used}${limits.cpu.limit === null ? (used ? 'of no limit' : 'no limit') : `of ${trim(limits.cpu.limit)} CPU${limits.cpu.limit === 1 ? '' : 's'}`}`;
  const pids = `pids ${limits.pids.current ?? '?'} / ${limits.pids.limit ?? 'no limit'}`;
  return `${memory} · ${cpu} · ${pids}`;
}

function trim(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(2).replace(/0+$/, '');
}

function bytes(n: number | null): string {
  if (n === null) return '?';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit ? value.toFixed(value < 10 ? 1 : 0) : value} ${units[unit]}`;
}

/** The CLI's `ps` table: one line per process, tabs between columns. */
export function processesTable(value: ContainerProcesses): string {
  const lines = [`${printable(value.containerName)}: ${processesSummary(value)}`];
  if (value.limits) lines.push(`cgroup v${value.limits.version}: ${limitsDescription(value.limits)}`);
  if (value.processes.length) lines.push(['HOST PID', 'PID', 'PPID', 'UID', 'STARTED', 'HOW', 'COMMAND'].join('\t'));
  for (const p of value.processes) {
    const how = p.isInit ? 'init' : p.joined ? `joined:${p.joined.how}` : '';
    const partial = p.notShared.length ? ` (not in ${p.notShared.join(',')})` : '';
    lines.push([p.hostPid, p.containerPid ?? '-', p.ppid, p.hostUid, p.startedAt, `${how}${partial}`, printable(p.command)].join('\t'));
  }
  return `${lines.join('\n')}\n`;
}
