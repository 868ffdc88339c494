// The Processes group's core against real containers: every process the host
// sees in a container, how a late one joined, which namespaces it is in,
// cgroup limits, signals, and processes that try to fool the reading.
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { createEngine } from '../../extension/core/engine/engine';
import { resolveEndpoint } from '../../extension/core/engine/engine-endpoint';
import { EngineEventStream } from '../../extension/core/engine/engine-events';
import { ContainerHelperRunner, LocalHelperRunner, type HelperRunner } from '../../extension/core/host/helper-runners';
import { exitedProcesses } from '../../extension/core/processes/process-exit-probe';
import type { ContainerProcesses, ProcessInfo } from '../../extension/core/processes/process-model';
import { ProcessWatch } from '../../extension/core/processes/process-watch';
import { readContainerProcesses, signalProcess } from '../../extension/core/processes/read-processes';
import { NAMESPACE_TYPES } from '../../extension/core/snapshot/model';
import { takeSnapshot } from '../../extension/core/snapshot/read-snapshot';
import { cli, docker, inspectPid, LAB_IMAGE, LAB_LABEL, requireLab, waitFor } from './lab';

const tag = `${process.pid}`;
const MAIN = `cilab-proc-${tag}`;
const HOSTPID = `cilab-proc-hostpid-${tag}`;
const JOINER = `cilab-proc-joiner-${tag}`;
const MARKER = `/tmp/cilab-proc-pwned-${tag}`;
const engine = createEngine(resolveEndpoint({}));
const local = new LocalHelperRunner();
const started: ChildProcess[] = [];

async function ps(name: string, runner: HelperRunner = local): Promise<ContainerProcesses> {
  const snapshot = await takeSnapshot(engine, { helper: { runner, mode: runner.mode, reason: null } });
  const container = snapshot.containers.find((c) => c.name === name);
  assert.ok(container, `${name} is in the snapshot`);
  return readContainerProcesses(runner, container, snapshot);
}

/** Ground truth, read here without the helper: the inode of each namespace of a pid. */
function nsOf(pid: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of NAMESPACE_TYPES) {
    try {
      out[t] = Number(/\[(\d+)\]/.exec(fs.readlinkSync(`/proc/${pid}/ns/${t}`))?.[1]);
    } catch {
      // not on this kernel
    }
  }
  return out;
}

function statusField(pid: number, key: string): string {
  return (new RegExp(`^${key}:\\s*(.*)$`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? '').trim();
}

function find(value: ContainerProcesses, pick: (p: ProcessInfo) => boolean): ProcessInfo | undefined {
  return value.processes.find(pick);
}

/** Host pids whose command line starts with these words (read here from /proc, not through the helper). */
function hostPidsRunning(argv: string[]): number[] {
  const want = `${argv.join('\0')}\0`;
  return fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return fs.readFileSync(`/proc/${d}/cmdline`, 'latin1') === want;
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('processes of a container, from the host', () => {
  before(async () => {
    await requireLab();
    await docker(['run', '-d', '--label', LAB_LABEL, '--name', MAIN, '--memory', '64m', '--cpus', '0.5', '--pids-limit', '100', LAB_IMAGE, 'sleep', '3600']);
    await docker(['run', '-d', '--label', LAB_LABEL, '--name', HOSTPID, '--pid', 'host', LAB_IMAGE, 'sleep', '3601']);
    await docker(['run', '-d', '--label', LAB_LABEL, '--name', JOINER, '--pid', `container:${MAIN}`, LAB_IMAGE, 'sleep', '3602']);
  });
  after(async () => {
    for (const child of started) child.kill('SIGKILL');
    await docker(['rm', '-f', MAIN, HOSTPID, JOINER]).catch(() => undefined);
    fs.rmSync(MARKER, { force: true });
    engine.close();
  });

  it('lists the init with its host pid, NSpid, parent and the namespaces /proc shows', async () => {
    const pid = await inspectPid(MAIN);
    const value = await ps(MAIN);
    assert.equal(value.unavailable, null);
    const init = find(value, (p) => p.isInit);
    assert.ok(init, 'the init is marked');
    assert.equal(init.hostPid, pid);
    assert.equal(init.containerPid, 1);
    assert.equal(init.ppid, Number(statusField(pid, 'PPid')));
    assert.deepEqual(statusField(pid, 'NSpid').split(/\s+/).map(Number), [pid, 1]);
    assert.deepEqual(init.argv, ['sleep', '3600']);
    const truth = nsOf(pid);
    for (const t of NAMESPACE_TYPES) if (truth[t]) assert.equal(init.namespaces[t], truth[t], `${t} inode`);
    assert.equal(init.joined, null);
    assert.deepEqual(init.notShared, []);
  });

  it('marks a docker exec as joined by exec: in the cgroup, the shim its parent, every namespace the same', async () => {
    await docker(['exec', '-d', MAIN, 'sleep', '4242']);
    const value = await waitFor('the exec to show', async () => {
      const v = await ps(MAIN);
      return find(v, (p) => p.argv[1] === '4242') ? v : null;
    });
    const exec = find(value, (p) => p.argv[1] === '4242')!;
    const init = find(value, (p) => p.isInit)!;
    assert.equal(exec.joined?.how, 'exec');
    assert.match(exec.joined?.why ?? '', /shim/);
    assert.equal(exec.ppid, init.ppid, "the exec's parent is the init's parent");
    assert.equal(exec.inCgroup, true);
    assert.deepEqual(exec.notShared, []);
    const nspid = statusField(exec.hostPid, 'NSpid').split(/\s+/).map(Number);
    assert.equal(exec.containerPid, nspid[1]);
    for (const t of NAMESPACE_TYPES) assert.equal(exec.namespaces[t], init.namespaces[t]);
  });

  it('shows a host process that joined only the net namespace, with what it shares and what not, by inode', async () => {
    const pid = await inspectPid(MAIN);
    const child = spawn('nsenter', ['-t', String(pid), '-n', 'sleep', '4343'], { stdio: 'ignore' });
    started.push(child);
    const value = await waitFor('the nsenter process to show', async () => {
      const v = await ps(MAIN);
      return find(v, (p) => p.hostPid === child.pid) ? v : null;
    });
    const joined = find(value, (p) => p.hostPid === child.pid)!;
    assert.equal(joined.inCgroup, false);
    assert.equal(joined.joined?.how, 'setns');
    assert.equal(joined.containerPid, null, 'not in the container’s pid namespace');
    assert.ok(joined.shared.includes('net'));
    for (const t of ['pid', 'mnt', 'uts', 'ipc'] as const) assert.ok(joined.notShared.includes(t), `${t} is not shared`);
    const truth = nsOf(child.pid!);
    assert.equal(joined.namespaces.net, truth.net);
    assert.equal(joined.namespaces.mnt, truth.mnt, 'the host’s mnt, not the container’s');
    // The host-network container sees none of it: the host's namespaces are nobody's to join.
    const hostNet = await ps('cilab-host');
    assert.ok(!find(hostNet, (p) => p.hostPid === child.pid));
    child.kill('SIGKILL');
  });

  it('enters the namespaces of one process (a joiner in only the net namespace), and refuses a pid whose start time moved', async () => {
    const pid = await inspectPid(MAIN);
    const joiner = spawn('nsenter', ['-t', String(pid), '-n', 'sleep', '4747'], { stdio: 'ignore' });
    started.push(joiner);
    const value = await waitFor('the joiner to show', async () => {
      const v = await ps(MAIN);
      return find(v, (p) => p.hostPid === joiner.pid) ? v : null;
    });
    const target = find(value, (p) => p.hostPid === joiner.pid)!;
    const id = (await docker(['inspect', '-f', '{{.Id}}', MAIN])).trim();
    const enter = (start: number, command: string[]) => {
      const line = local.commandLine(['enter', `${pid}:${id}`, '--process', `${target.hostPid}:${start}`, 'net', 'uts', '--', ...command]);
      return new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
        execFile(line.command, line.args, (error, stdout, stderr) =>
          resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, out: stdout, err: stderr }),
        );
      });
    };
    // Its net is the container's, its uts the host's: entering it gives exactly those.
    const r = await enter(target.startTicks, ['sh', '-c', 'readlink /proc/self/ns/net; readlink /proc/self/ns/uts']);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(r.out.trim().split('\n'), [`net:[${nsOf(pid).net}]`, `uts:[${nsOf(process.pid).uts}]`]);
    const stale = await enter(target.startTicks + 1, ['true']);
    assert.equal(stale.code, 125);
    assert.match(stale.err, /has ended, or is no longer this container's/);
    joiner.kill('SIGKILL');
  });

  it('--pid host: only the container’s own processes, and says the pid namespace is the host’s', async () => {
    const value = await ps(HOSTPID);
    assert.equal(value.pidNamespace.kind, 'host');
    assert.deepEqual(
      value.processes.map((p) => p.argv.join(' ')),
      ['sleep 3601'],
    );
    assert.equal(value.processes[0]!.containerPid, value.processes[0]!.hostPid, 'in the host’s pid namespace its pid is the host pid');
  });

  it('--pid container:X: says with whom the pid namespace is shared, and lists no process of X as its own', async () => {
    const value = await ps(JOINER);
    assert.equal(value.pidNamespace.kind, 'shared');
    assert.ok(value.pidNamespace.with.includes(MAIN));
    assert.deepEqual(
      value.processes.map((p) => p.argv.join(' ')),
      ['sleep 3602'],
    );
    const main = await ps(MAIN);
    assert.ok(!find(main, (p) => p.argv.join(' ') === 'sleep 3602'), 'the joiner’s process is not listed as the main container’s');
    assert.ok(main.processes.every((p) => p.isInit || p.joined || p.ppid !== main.processes[0]!.hostPid));
  });

  for (const [what, runner] of [
    ['the local helper', () => Promise.resolve<HelperRunner>(local)],
    [
      'the helper container',
      async (): Promise<HelperRunner> => {
        return new ContainerHelperRunner(engine, LAB_IMAGE, await docker(['image', 'inspect', '-f', '{{.Id}}', LAB_IMAGE]));
      },
    ],
  ] as const) {
    it(`reads --memory, --cpus and --pids-limit as the cgroup files have them, through ${what}`, async () => {
      const pid = await inspectPid(MAIN);
      const value = await ps(MAIN, await runner());
      const limits = value.limits;
      assert.ok(limits, 'limits are read');
      assert.equal(limits.memory.limitBytes, 64 * 1024 * 1024);
      assert.equal(limits.cpu.limit, 0.5);
      assert.equal(limits.pids.limit, 100);
      assert.ok((limits.pids.current ?? 0) >= 1);
      assert.ok((limits.memory.usageBytes ?? 0) > 0);
      // The same files, read here: the path from /proc/PID/cgroup under the host's cgroup mount.
      const lines = fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim().split('\n');
      const v1 = lines.map((l) => l.split(':')).find((f) => f[1]?.split(',').includes('memory'));
      const file = v1 ? `/sys/fs/cgroup/memory${v1[2]}/memory.limit_in_bytes` : `/sys/fs/cgroup${lines.find((l) => l.startsWith('0::'))!.slice(3)}/memory.max`;
      assert.equal(Number(fs.readFileSync(file, 'utf8').trim()), limits.memory.limitBytes);
    });
  }

  it('sends a signal only to the process that started at the given time, and it ends', async () => {
    await docker(['exec', '-d', MAIN, 'sleep', '4444']);
    const value = await waitFor('the exec to show', async () => {
      const v = await ps(MAIN);
      return find(v, (p) => p.argv[1] === '4444') ? v : null;
    });
    const target = find(value, (p) => p.argv[1] === '4444')!;
    const snapshot = await takeSnapshot(engine, { helper: { runner: local, mode: 'local', reason: null } });
    const container = snapshot.containers.find((c) => c.name === MAIN)!;
    await assert.rejects(signalProcess(local, container, target.hostPid, target.startTicks + 1, 'TERM'), /ended, or its pid now belongs to another process/);
    assert.ok(fs.existsSync(`/proc/${target.hostPid}`), 'a wrong start time sends nothing');
    const hostSleep = spawn('sleep', ['4545'], { stdio: 'ignore' });
    started.push(hostSleep);
    const hostStart = Number(fs.readFileSync(`/proc/${hostSleep.pid}/stat`, 'latin1').split(') ')[1]!.split(' ')[19]);
    await assert.rejects(signalProcess(local, container, hostSleep.pid!, hostStart, 'KILL'), /not|ended/, 'a host process outside the container is refused');
    assert.equal(hostSleep.exitCode, null);
    await signalProcess(local, container, target.hostPid, target.startTicks, 'KILL');
    await waitFor(
      'the process to end',
      async () => !fs.existsSync(`/proc/${target.hostPid}`) || /^State:\s*Z/m.test(fs.readFileSync(`/proc/${target.hostPid}/status`, 'utf8')),
    );
    hostSleep.kill('SIGKILL');
  });

  it('shows hostile command lines and names byte for byte, and runs none of them', async () => {
    const long = 'x'.repeat(100_000);
    // A name with a newline and a fake status line, set by the process itself, and argv with spaces, $() and a newline.
    await docker([
      'exec',
      '-d',
      MAIN,
      'sh',
      '-c',
      `printf 'evil\\nNSpid:\\t1' > /proc/$$/comm; while :; do sleep 1; done`,
      `arg with spaces $(touch ${MARKER}) ;\nnext`,
      long,
    ]);
    const value = await waitFor('the hostile process to show', async () => {
      const v = await ps(MAIN);
      return find(v, (p) => p.argv[0] === 'sh' && p.argv.length >= 3 && p.argv[3]?.startsWith('arg with')) ? v : null;
    });
    const hostile = find(value, (p) => p.argv[0] === 'sh' && p.argv[3]?.startsWith('arg with') === true)!;
    assert.equal(hostile.argv[3], `arg with spaces $(touch ${MARKER}) ;\nnext`);
    assert.ok(hostile.command.endsWith(' …'), 'a command line over 4 KiB is cut and says so');
    assert.equal(hostile.joined?.how, 'exec');
    const truthPid = Number(statusField(hostile.hostPid, 'NSpid').split(/\s+/)[0]);
    assert.equal(hostile.hostPid, truthPid);
    assert.equal(hostile.containerPid, Number(statusField(hostile.hostPid, 'NSpid').split(/\s+/)[1]), 'a forged NSpid in the name changes nothing');
    assert.ok(!fs.existsSync(MARKER), 'nothing in a command line ran');
    const cliOut = await cli(['ps', MAIN]);
    assert.equal(cliOut.code, 0, cliOut.stderr);
    assert.ok(!cliOut.stdout.includes('\nnext'), 'a newline in a command line cannot start a line of its own in the table');
    assert.ok(cliOut.stdout.includes('\\nnext'));
  });

  it('follows exec and exit live: an exec shows and an ended process goes, with no read while nothing changes', async (t) => {
    // A container of its own: MAIN holds a loop from the hostile test whose children come and go every second.
    const QUIET = `cilab-proc-quiet-${tag}`;
    await docker(['run', '-d', '--label', LAB_LABEL, '--name', QUIET, LAB_IMAGE, 'sleep', '3600']);
    t.after(() => docker(['rm', '-f', QUIET]).then(() => undefined));
    const snapshot = await takeSnapshot(engine, { helper: { runner: local, mode: 'local', reason: null } });
    const container = snapshot.containers.find((c) => c.name === QUIET)!;
    const events = new EngineEventStream(engine);
    let execDied = false;
    events.onEvent((e) => {
      if (e.id === container.id && e.action === 'exec_die') execDied = true;
    });
    let reads = 0;
    const watch = new ProcessWatch({
      containerId: container.id,
      read: () => {
        reads++;
        return readContainerProcesses(local, container, snapshot);
      },
      onEngineEvent: (listener) => events.onEvent(listener),
      exited: exitedProcesses,
      minIntervalMs: 60_000,
    });
    try {
      events.start();
      await waitFor('the stream and the first read', async () => events.state === 'up' && watch.state.kind === 'ready');
      const readsBefore = reads;
      const execAt = Date.now();
      await docker(['exec', '-d', QUIET, 'sleep', '4646']);
      const shown = await waitFor('the exec in the watch', async () =>
        watch.state.kind === 'ready' ? find(watch.state.value, (p) => p.argv[1] === '4646') : null,
      );
      const appearedMs = Date.now() - execAt;
      assert.ok(reads > readsBefore, 'the exec event caused a read (the poll is a minute away)');
      const pids = hostPidsRunning(['sleep', '4646']);
      assert.deepEqual(pids, [shown.hostPid]);
      const killAt = Date.now();
      process.kill(shown.hostPid, 'SIGKILL');
      await waitFor('the ended process gone from the watch', async () =>
        watch.state.kind === 'ready' ? !find(watch.state.value, (p) => p.hostPid === shown.hostPid) : false,
      );
      const goneMs = Date.now() - killAt;
      t.diagnostic(`exec → shown ${appearedMs} ms (includes docker CLI exec time); kill → gone ${goneMs} ms`);
      // The engine announces the exec's end too (exec_die), and that is read once more; after it, quiet.
      await waitFor('the exec_die event', async () => execDied);
      // Its read (and one queued behind a read in flight) settle first.
      for (let settled = 0, last = -1; settled < 10 && last !== reads; settled++) {
        last = reads;
        await new Promise((r) => setTimeout(r, 700));
      }
      const quietReads = reads;
      await new Promise((r) => setTimeout(r, 1_000));
      assert.equal(reads, quietReads, 'nothing changed, so nothing was read (the poll is set to a minute here)');
    } finally {
      watch.dispose();
      events.dispose();
    }
  });
});
