import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { cgroupLimits } from '../../extension/core/processes/cgroup-limits';
import { containerProcesses } from '../../extension/core/processes/container-processes';
import { parseProcessesOutput } from '../../extension/core/host/process-output';
import type { ContainerSnapshot, NamespaceInodes, Snapshot } from '../../extension/core/snapshot/model';
import { limitsDescription, processDescription, processesTable } from '../../extension/present/process-text';

const recorded = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'test', 'unit', 'fixtures', 'processes-reading.json'), 'utf8')) as {
  hostNamespaces: NamespaceInodes;
  reply: unknown;
};
const replyText = JSON.stringify(recorded.reply);
const reading = parseProcessesOutput(replyText);

function world(): { container: ContainerSnapshot; snapshot: Snapshot } {
  const init = reading.processes.find((p) => p.pid === reading.verdict.pid)!;
  const container = {
    id: reading.verdict.containerId,
    name: 'cilab-fixture-proc',
    image: 'container-internals-lab/busybox:1',
    state: 'running',
    pid: reading.verdict.pid,
    networkMode: 'bridge',
    namespaces: init.namespaces,
    mounts: [],
    interfaces: [],
    endpoints: [],
    ports: [],
    compose: null,
    labels: {},
    unavailable: {},
  } as ContainerSnapshot;
  const snapshot = { hostNamespaces: recorded.hostNamespaces, containers: [container] } as unknown as Snapshot;
  return { container, snapshot };
}

describe('containerProcesses (a recorded helper reading)', () => {
  const { container, snapshot } = world();
  const value = containerProcesses(reading, container, snapshot);
  const byCommand = (cmd: string) => value.processes.find((p) => p.command === cmd)!;

  it('marks the init, and tells an exec, its child and an nsenter apart, with the evidence', () => {
    assert.deepEqual(
      value.processes.map((p) => [p.command, p.isInit, p.joined?.how ?? null]),
      [
        ['sleep 3600', true, null],
        ['sleep 1001', false, 'exec'],
        ['sleep 1000', false, 'forked'],
        ['sleep 1002', false, 'setns'],
      ],
    );
    const exec = byCommand('sleep 1001');
    assert.equal(exec.ppid, byCommand('sleep 3600').ppid, 'the exec and the init share the shim as parent');
    assert.match(exec.joined!.why, /shim that also started the init/);
    assert.match(byCommand('sleep 1000').joined!.why, new RegExp(`descendant of pid ${exec.hostPid}`));
    assert.match(byCommand('sleep 1002').joined!.why, /not in the container’s cgroup/);
  });

  it('gives the pid inside from NSpid, and none to a process outside the pid namespace', () => {
    assert.deepEqual(
      value.processes.map((p) => p.containerPid),
      [1, 7, 13, null],
    );
  });

  it('lists which namespaces a partial joiner shares and which not', () => {
    const nsenter = byCommand('sleep 1002');
    assert.deepEqual(nsenter.shared, ['net', 'uts', 'cgroup', 'user', 'time']);
    assert.deepEqual(nsenter.notShared, ['mnt', 'pid', 'ipc']);
    assert.equal(nsenter.namespaces.mnt, recorded.hostNamespaces.mnt);
    assert.match(processDescription(nsenter), /^joined \(setns\) · not in its pid namespace · uid 0 · shares net, uts, cgroup, user, time; not mnt, pid, ipc$/);
  });

  it('reads the limits set with --memory 32m and --pids-limit 20', () => {
    assert.deepEqual(value.limits, {
      version: 1,
      memory: { limitBytes: 32 * 1024 * 1024, usageBytes: 970752 },
      cpu: { limit: null, usageNs: 140044371 },
      pids: { limit: 20, current: 3 },
    });
    assert.equal(limitsDescription(value.limits!), 'memory 948 KiB / 32 MiB · cpu no limit · pids 3 / 20');
  });

  it('drops the processes of another container that shares a namespace, and says the pid namespace is shared', () => {
    const other = { ...container, id: 'f'.repeat(64), name: 'other' };
    const tampered = structuredClone(recorded.reply) as { processes: Array<Record<string, unknown> | null> };
    const nsenter = tampered.processes.find((p) => p && p.member === false)!;
    nsenter.cgroup = Buffer.from(`12:pids:/docker/${other.id}\n`).toString('base64');
    const shared = containerProcesses(parseProcessesOutput(JSON.stringify(tampered)), container, { ...snapshot, containers: [container, other] });
    assert.ok(!shared.processes.some((p) => p.command === 'sleep 1002'));
    assert.deepEqual(shared.pidNamespace, { kind: 'shared', with: ['other'] });
  });

  it('says why nothing was read when the pid failed its checks', () => {
    const rejected = structuredClone(recorded.reply) as { pids: Array<Record<string, unknown> | null> };
    rejected.pids[0] = { ...rejected.pids[0], verified: false, reason: 'reused' };
    const none = containerProcesses(parseProcessesOutput(JSON.stringify(rejected)), container, snapshot);
    assert.match(none.unavailable ?? '', /pid was reused/);
    assert.deepEqual(none.processes, []);
  });

  it('keeps command lines byte for byte, and the table shows control characters escaped', () => {
    const tampered = structuredClone(recorded.reply) as { processes: Array<Record<string, unknown> | null> };
    tampered.processes[1]!.cmd = Buffer.from('sh\0-c\0echo $(id)\nfake line\0\xff\0', 'latin1').toString('base64');
    const hostile = containerProcesses(parseProcessesOutput(JSON.stringify(tampered)), container, snapshot);
    const p = hostile.processes.find((x) => x.hostPid === 27259)!;
    assert.deepEqual(p.argv, ['sh', '-c', 'echo $(id)\nfake line', '\\xff']);
    const table = processesTable(hostile);
    assert.ok(table.includes('echo $(id)\\nfake line'));
    assert.ok(!table.split('\n').some((line) => line.startsWith('fake line')));
  });

  it('reads cgroup v2 files', () => {
    const files = new Map([
      ['memory.max', '67108864'],
      ['memory.current', '1048576'],
      ['cpu.max', '50000 100000'],
      ['cpu.stat usage_usec', '2500'],
      ['pids.max', 'max'],
      ['pids.current', '2'],
    ]);
    assert.deepEqual(cgroupLimits(2, files), {
      version: 2,
      memory: { limitBytes: 64 * 1024 * 1024, usageBytes: 1048576 },
      cpu: { limit: 0.5, usageNs: 2_500_000 },
      pids: { limit: null, current: 2 },
    });
    assert.equal(cgroupLimits(2, new Map([['cpu.max', 'max 100000']]))?.cpu.limit, null);
    assert.equal(cgroupLimits(0, new Map()), null);
  });

  it('refuses a reply whose fields are not what the helper prints', () => {
    const bad = structuredClone(recorded.reply) as { processes: Array<Record<string, unknown> | null> };
    bad.processes[0]!.nspid = '1 two';
    assert.throws(() => parseProcessesOutput(JSON.stringify(bad)), /NSpid is not numbers/);
  });
});
