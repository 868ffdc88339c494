import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Emitter } from '../../extension/core/common/disposable';
import type { EngineEvent } from '../../extension/core/engine/engine-events';
import type { ContainerProcesses, ProcessInfo } from '../../extension/core/processes/process-model';
import { ProcessWatch } from '../../extension/core/processes/process-watch';

const ID = 'c'.repeat(64);
const proc = (pid: number, start = pid * 10): ProcessInfo =>
  ({ hostPid: pid, startTicks: start, containerPid: pid, argv: ['sleep'], command: 'sleep', isInit: pid === 1, joined: null }) as unknown as ProcessInfo;
const value = (processes: ProcessInfo[], usageNs = 0): ContainerProcesses => ({
  containerId: ID,
  containerName: 'c',
  unavailable: null,
  processes,
  truncated: false,
  pidNamespace: { kind: 'own', with: [] },
  limits: { version: 1, memory: { limitBytes: null, usageBytes: 1 }, cpu: { limit: null, usageNs }, pids: { limit: null, current: processes.length } },
});
const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('ProcessWatch (reads fed by hand)', () => {
  it('reads at once, again on an exec event of its container only, and not on the poll before its time', async () => {
    const events = new Emitter<EngineEvent>();
    let reads = 0;
    const watch = new ProcessWatch({
      containerId: ID,
      read: async () => value([proc(1)], ++reads * 1e6),
      onEngineEvent: events.event,
      exited: null,
      minIntervalMs: 60_000,
    });
    try {
      await tick(50);
      assert.equal(reads, 1);
      events.fire({ type: 'container', action: 'exec_start', id: 'other', name: null, containerId: null });
      events.fire({ type: 'container', action: 'start', id: ID, name: null, containerId: null });
      await tick(100);
      assert.equal(reads, 1, 'neither another container’s exec nor a non-exec event reads');
      events.fire({ type: 'container', action: 'exec_start', id: ID, name: null, containerId: null });
      await tick(100);
      assert.equal(reads, 2);
      assert.ok(watch.state.kind === 'ready' && watch.state.value.cpuRate !== undefined, 'two reads give a CPU rate');
    } finally {
      watch.dispose();
    }
    events.fire({ type: 'container', action: 'exec_start', id: ID, name: null, containerId: null });
    await tick(100);
    assert.equal(reads, 2, 'disposed: nothing more is read');
  });

  it('takes an ended process off the list at once, and a read under way does not bring it back', async () => {
    let gone = false;
    let release: (() => void) | null = null;
    let reads = 0;
    const watch = new ProcessWatch({
      containerId: ID,
      read: async () => {
        reads++;
        // The second read started before the exit and answers after it: it still lists pid 2.
        if (reads === 2) await new Promise<void>((r) => (release = r));
        return value([proc(1), proc(2)]);
      },
      onEngineEvent: new Emitter<EngineEvent>().event,
      exited: (ps) => (gone ? ps.filter((p) => p.hostPid === 2) : []),
      minIntervalMs: 60_000,
      probeMs: 20,
    });
    try {
      await tick(50);
      assert.deepEqual(watch.state.kind === 'ready' && watch.state.value.processes.map((p) => p.hostPid), [1, 2]);
      void watch.refresh();
      await tick(10);
      gone = true;
      await tick(60);
      assert.deepEqual(watch.state.kind === 'ready' && watch.state.value.processes.map((p) => p.hostPid), [1], 'off at once');
      (release as unknown as () => void)();
      await tick(60);
      assert.deepEqual(watch.state.kind === 'ready' && watch.state.value.processes.map((p) => p.hostPid), [1], 'the late read does not bring it back');
    } finally {
      watch.dispose();
    }
  });

  it('says why a read failed', async () => {
    const watch = new ProcessWatch({
      containerId: ID,
      read: async () => {
        throw new Error('the helper is gone');
      },
      onEngineEvent: new Emitter<EngineEvent>().event,
      exited: null,
      minIntervalMs: 60_000,
    });
    try {
      await tick(50);
      assert.deepEqual(watch.state, { kind: 'failed', reason: 'the helper is gone' });
    } finally {
      watch.dispose();
    }
  });
});
