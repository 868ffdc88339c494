// The live model's timing, with fake timers and fake engine reads: debounce,
// the upper bound on delay, coalescing with a read in flight, a destroy that
// lands during a read, polling while the stream is down or refused, and the
// events stream's own backoff. No daemon, no sleeps.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { Emitter } from '../../extension/core/common/disposable';
import type { Engine } from '../../extension/core/engine/engine';
import { type EngineEvent, EngineEventStream, type StreamState } from '../../extension/core/engine/engine-events';
import type { ContainerInspect } from '../../extension/core/snapshot/container-inspect';
import { type EventSource, LiveSnapshot, type LiveSnapshotIo } from '../../extension/core/snapshot/live-snapshot';
import { NeedsFullRead } from '../../extension/core/snapshot/read-snapshot';
import type { SnapshotInputs } from '../../extension/core/snapshot/snapshot-inputs';
import { loadLabFixture } from './fixtures';

class FakeEvents implements EventSource {
  state: StreamState = 'down';
  refusedBecause: string | null = null;
  private readonly events = new Emitter<EngineEvent>();
  private readonly states = new Emitter<StreamState>();
  readonly onEvent = this.events.event;
  readonly onState = this.states.event;
  start(): void {
    this.set('up');
  }
  set(state: StreamState, refusedBecause: string | null = null): void {
    this.state = state;
    this.refusedBecause = refusedBecause;
    this.states.fire(state);
  }
  emit(action: string, id: string, type = 'container', extra: Partial<EngineEvent> = {}): void {
    this.events.fire({ type, action, id, name: null, containerId: null, ...extra });
  }
  dispose(): void {
    this.events.dispose();
    this.states.dispose();
  }
}

interface Deferred {
  resolve(): void;
}

/** Engine reads that record what they were asked, answer from the lab fixture, and can be held open. */
class FakeReads {
  readonly full: number[] = [];
  readonly batches: string[][] = [];
  /** While set, the next full read waits for it. */
  hold: Promise<void> | null = null;
  /** The next batch cannot be applied on top of the kept inputs. */
  failNextApply = false;
  readonly inputs: SnapshotInputs;
  constructor(private readonly clock: () => number) {
    const { inspect, networks } = loadLabFixture();
    this.inputs = {
      engine: { endpoint: 'unix:///fake', version: '1', apiVersion: '1', os: 'linux' },
      inspected: new Map(inspect.map((c: ContainerInspect) => [c.Id, c])),
      networks,
      rawVolumes: [],
      facts: null,
      helper: { mode: 'off', ok: false, reason: 'off' },
      inspectErrors: new Map(),
    };
  }
  holdNext(): Deferred {
    let resolve = (): void => undefined;
    this.hold = new Promise<void>((r) => (resolve = r));
    return { resolve };
  }
  io(events: FakeEvents): Partial<LiveSnapshotIo> {
    return {
      selectHelper: () => Promise.resolve({ runner: null, mode: 'off', reason: 'off' }),
      openEvents: () => events,
      readAll: async () => {
        this.full.push(this.clock());
        const hold = this.hold;
        this.hold = null;
        if (hold) await hold;
        return this.inputs;
      },
      apply: async (_engine, _options, inputs, batch) => {
        this.batches.push(batch.map((e) => `${e.action}:${e.id}`));
        if (this.failNextApply) {
          this.failNextApply = false;
          throw new NeedsFullRead('the host helper failed for this batch');
        }
        return inputs;
      },
    };
  }
}

/** Lets promise callbacks run; timers only move when the test ticks them. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

const fakeEngine = { endpoint: { url: 'unix:///fake' }, close: () => undefined } as unknown as Engine;

describe('LiveSnapshot timing (fake timers, fake reads)', () => {
  let events: FakeEvents;
  let reads: FakeReads;
  let live: LiveSnapshot;

  beforeEach(() => {
    mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'], now: 1_000_000 });
    events = new FakeEvents();
    reads = new FakeReads(() => Date.now());
  });
  afterEach(() => {
    live?.dispose();
    mock.timers.reset();
  });

  async function started(options: Partial<ConstructorParameters<typeof LiveSnapshot>[1]> = {}): Promise<LiveSnapshot> {
    live = new LiveSnapshot(fakeEngine, { helper: { mode: 'off' }, io: reads.io(events), ...options });
    live.start();
    await settle();
    assert.equal(live.state.kind, 'ready');
    return live;
  }

  it('reads everything once at the start, then nothing while the stream is up and quiet', async () => {
    await started();
    mock.timers.tick(60_000);
    await settle();
    assert.equal(reads.full.length, 1);
    assert.deepEqual(reads.batches, []);
    assert.ok(live.quiet);
  });

  it('reads everything when a batch cannot be applied, and never shows that as a failure', async () => {
    await started();
    const seen: string[] = [];
    live.onDidChange((s) => seen.push(s.kind));
    reads.failNextApply = true;
    events.emit('destroy', 'a');
    mock.timers.tick(30);
    await settle();
    assert.deepEqual(reads.batches, [['destroy:a']]);
    assert.equal(reads.full.length, 2, 'a full read follows at once');
    assert.ok(!seen.includes('failed') && live.state.kind === 'ready');
  });

  it('coalesces a burst into one batch, 30 ms after the last event', async () => {
    await started();
    events.emit('create', 'a');
    mock.timers.tick(10);
    events.emit('start', 'a');
    mock.timers.tick(10);
    events.emit('create', 'b');
    mock.timers.tick(29);
    await settle();
    assert.deepEqual(reads.batches, [], 'still inside the debounce window');
    mock.timers.tick(1);
    await settle();
    assert.deepEqual(reads.batches, [['create:a', 'start:a', 'create:b']]);
  });

  it('never lets a steady stream of events delay a refresh by more than 200 ms', async () => {
    await started();
    for (let t = 0; t < 200; t += 20) {
      events.emit('start', `c${t}`);
      mock.timers.tick(20);
      await settle();
    }
    assert.equal(reads.batches.length, 1, 'one refresh at the 200 ms bound');
    assert.equal(reads.batches[0]?.length, 10);
  });

  it('queues events that arrive during a read, and applies them in one more run afterwards', async () => {
    await started();
    let release = (): void => undefined;
    const io = reads.io(events);
    const slow: LiveSnapshotIo['apply'] = async (engine, options, inputs, batch) => {
      const done = io.apply!(engine, options, inputs, batch);
      if (reads.batches.length === 1) await new Promise<void>((r) => (release = r));
      return done;
    };
    (live as unknown as { io: LiveSnapshotIo }).io.apply = slow;
    events.emit('start', 'a');
    mock.timers.tick(30);
    await settle();
    assert.equal(reads.batches.length, 1);
    events.emit('stop', 'b');
    events.emit('die', 'b');
    mock.timers.tick(30);
    await settle();
    assert.equal(reads.batches.length, 1, 'no second read while the first is in flight');
    release();
    await settle();
    assert.deepEqual(reads.batches, [['start:a'], ['stop:b', 'die:b']]);
  });

  it('shows a created container at once from its event, before any read, and the batch then reads it', async () => {
    await started();
    const id = 'f'.repeat(64);
    events.emit('create', id, 'container', {
      name: 'just-made',
      image: 'busybox:1',
      attributes: { name: 'just-made', image: 'busybox:1', 'com.docker.compose.project': 'p', 'com.docker.compose.service': 's' },
    });
    const shown = live.state.kind === 'ready' ? live.state.snapshot.containers.find((c) => c.id === id) : undefined;
    assert.deepEqual(shown && { name: shown.name, image: shown.image, compose: shown.compose, unavailable: shown.unavailable }, {
      name: 'just-made',
      image: 'busybox:1',
      compose: { project: 'p', service: 's' },
      unavailable: { namespaces: 'still being read', interfaces: 'still being read' },
    });
    assert.deepEqual(reads.batches, [], 'no read yet');
    mock.timers.tick(30);
    await settle();
    assert.deepEqual(reads.batches, [[`create:${id}`]]);
  });

  it('drops a container destroyed while a full read that listed it is in flight, at once', async () => {
    await started();
    const victim = [...reads.inputs.inspected.keys()][0] as string;
    const held = reads.holdNext();
    const refreshing = live.refresh();
    await settle();
    events.emit('destroy', victim);
    // The destroy edits the shown snapshot at once, before any read.
    const shown = live.state.kind === 'ready' ? live.state.snapshot : null;
    assert.ok(shown && !shown.containers.some((c) => c.id === victim));
    held.resolve();
    await refreshing;
    await settle();
    const after = live.state.kind === 'ready' ? live.state.snapshot : null;
    assert.ok(after && !after.containers.some((c) => c.id === victim), 'the read that listed it does not bring it back');
  });

  it('reads at once when the stream is lost, polls every second while it is down, stops when it is back, and catches up with one full read', async () => {
    await started();
    events.set('down');
    await settle();
    assert.equal(reads.full.length, 2, 'one read at once, to show a lost engine in place');
    mock.timers.tick(1_000);
    await settle();
    mock.timers.tick(1_000);
    await settle();
    assert.equal(reads.full.length, 4, 'two polls while down');
    events.set('up');
    await settle();
    assert.equal(reads.full.length, 5, 'one catch-up read after reconnecting');
    mock.timers.tick(60_000);
    await settle();
    assert.equal(reads.full.length, 5, 'no polling once the stream is up');
  });

  it('while the stream is refused, polls from every 10 s, doubling, and says so in the state', async () => {
    await started();
    events.set('refused', 'authorization denied (HTTP 403)');
    await settle();
    assert.ok(live.state.kind === 'ready' && /refused the events stream \(authorization denied \(HTTP 403\)\)/.test(live.state.liveUpdates ?? ''));
    const at = (): number[] => reads.full.slice(1).map((t) => t - reads.full[0]!);
    for (let i = 0; i < 80; i++) {
      mock.timers.tick(1_000);
      await settle();
    }
    // 10 s, then 20 s, then 40 s apart.
    assert.deepEqual(at(), [10_000, 30_000, 70_000]);
  });
});

describe('EngineEventStream backoff (fake timers, fake engine)', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'], now: 2_000_000 }));
  afterEach(() => mock.timers.reset());

  function engineAnswering(answer: () => Promise<unknown>, attempts: number[]): Engine {
    return { streams: { getEvents: () => (attempts.push(Date.now()), answer()) } } as unknown as Engine;
  }

  it('retries a lost engine after 250 ms, doubling to 2 s', async () => {
    const attempts: number[] = [];
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const stream = new EngineEventStream(engineAnswering(() => Promise.reject(refused), attempts));
    stream.start();
    for (let i = 0; i < 200; i++) {
      await settle();
      mock.timers.tick(50);
    }
    stream.dispose();
    const gaps = attempts.slice(1).map((t, i) => t - attempts[i]!);
    assert.deepEqual(gaps.slice(0, 6), [250, 500, 1_000, 2_000, 2_000, 2_000]);
    assert.equal(stream.state, 'down');
  });

  it('asks again only once a minute after the engine refused the stream (4xx), keeping its words', async () => {
    const attempts: number[] = [];
    const forbidden = Object.assign(new Error('(HTTP code 403) unexpected - authorization denied by plugin'), {
      statusCode: 403,
      json: { message: 'authorization denied by plugin' },
    });
    const stream = new EngineEventStream(engineAnswering(() => Promise.reject(forbidden), attempts));
    stream.start();
    await settle();
    assert.equal(stream.state, 'refused');
    assert.equal(stream.refusedBecause, 'authorization denied by plugin (HTTP 403)');
    mock.timers.tick(59_999);
    await settle();
    assert.equal(attempts.length, 1);
    mock.timers.tick(1);
    await settle();
    assert.equal(attempts.length, 2);
    stream.dispose();
  });
});
