// Keeps one engine's Snapshot current: a full read first (and after the events
// stream reconnects, or when asked), then each batch of relevant engine events
// (bursts coalesced) re-reads only what it names, and a slow poll runs only
// while the events stream is down. One owner of every refresh trigger, so callers (the
// tree, the diagram, the language server) never schedule their own.

import { Emitter, type Disposable } from '../common/disposable';
import { type Engine } from '../engine/engine';
import { EngineUnreachableError } from '../engine/engine-errors';
import { firstLine } from '../common/first-line';
import { EngineEventStream, type EngineEvent, type EventStreamOptions, isProcessEvent, type StreamState } from '../engine/engine-events';
import { type HelperOptions, type HelperSelection, selectHelperRunner } from '../host/helper-runners';
import type { ResolvedHelperMode, Snapshot } from './model';
import { applyEvents, NeedsFullRead, readAllInputs } from './read-snapshot';
import { HOST_LINKS_SETTLED, removesPorts, snapshotFromInputs, type SnapshotInputs } from './snapshot-inputs';
import { withAnnouncedContainer, withoutContainer } from './snapshot-edits';

export type LiveState =
  | { kind: 'idle' }
  | { kind: 'loading' }
  /** `liveUpdates`: null while events keep the snapshot current; otherwise why they cannot, in words. */
  | { kind: 'ready'; snapshot: Snapshot; liveUpdates?: string | null }
  | { kind: 'unreachable'; endpoint: string; reason: string }
  | { kind: 'failed'; endpoint: string; reason: string };

/** What the live model needs of an events stream (EngineEventStream is one). */
export interface EventSource extends Disposable {
  readonly state: StreamState;
  readonly refusedBecause: string | null;
  readonly onEvent: (listener: (event: EngineEvent) => void) => Disposable;
  readonly onState: (listener: (state: StreamState) => void) => Disposable;
  start(): void;
}

/** The I/O a LiveSnapshot does. Injectable, so that its timing (debounce, coalescing, polling) is tested without a daemon. */
export interface LiveSnapshotIo {
  selectHelper(engine: Engine, options: HelperOptions): Promise<HelperSelection>;
  readAll: typeof readAllInputs;
  apply: typeof applyEvents;
  openEvents(engine: Engine, options: EventStreamOptions): EventSource;
}

const ENGINE_IO: LiveSnapshotIo = {
  selectHelper: selectHelperRunner,
  readAll: readAllInputs,
  apply: applyEvents,
  openEvents: (engine, options) => new EngineEventStream(engine, options),
};

/** Past linkwatch's one-second delay, with a margin. */
const LINKS_SETTLE_MS = 1_500;

export interface LiveSnapshotOptions {
  helper: HelperOptions;
  /** Quiet time after an event before refreshing, so a `docker run` burst is one refresh. */
  debounceMs?: number;
  /** Upper bound on how long a steady stream of events can delay a refresh. */
  maxDelayMs?: number;
  /** Poll interval while the events stream is down (the only polling there is). */
  pollWhileDownMs?: number;
  /**
   * First poll interval while the engine refuses the events stream (it then
   * doubles up to five minutes): polling is the only way to stay current, but
   * a full read every two seconds, for good, would load a big engine for nothing.
   */
  pollWhileRefusedMs?: number;
  /** How long after a port went away the host's links are read once more (linkwatch reports a bridge's operstate up to a second late). */
  linksSettleMs?: number;
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
  /** Only tests replace the engine reads. */
  io?: Partial<LiveSnapshotIo>;
}

export class LiveSnapshot implements Disposable {
  private readonly onDidChangeEmitter = new Emitter<LiveState>();
  /** Fires after every refresh that finished, even when nothing changed. */
  readonly onDidChange = this.onDidChangeEmitter.event;
  private readonly onEventEmitter = new Emitter<EngineEvent>();
  readonly onEvent = this.onEventEmitter.event;
  private _state: LiveState = { kind: 'idle' };
  private helper: Promise<HelperSelection> | null = null;
  /** The helper once selected, so events about its own containers can be dropped without waiting. */
  private helperNow: HelperSelection | null = null;
  private events: EventSource | null = null;
  private readonly io: LiveSnapshotIo;
  private subscriptions: Disposable[] = [];
  private debounceTimer: NodeJS.Timeout | null = null;
  private settleTimer: NodeJS.Timeout | null = null;
  private readonly settleIds = new Set<string>();
  private firstPendingAt = 0;
  private pollTimer: NodeJS.Timeout | null = null;
  private pollEvery = 0;
  /** Doubles on every poll while the stream is refused, up to five minutes. */
  private refusedPollMs = 10_000;
  private running: Promise<void> | null = null;
  private again = false;
  private disposed = false;
  private streamWasUp = false;
  private readonly destroyedDuringRefresh = new Set<string>();
  /** What the snapshot is assembled from, kept so that an event costs only what it names. */
  private inputs: SnapshotInputs | null = null;
  /** Events not applied yet, in arrival order. */
  private pending: EngineEvent[] = [];
  /** The next refresh reads everything: at the start, after a reconnect or a failure, and when asked. */
  private needsFull = true;
  /** Counts engine round trips started by this object, for the idle benchmark and tests. */
  refreshCount = 0;
  /** Of those, the full reads. */
  fullRefreshCount = 0;

  constructor(
    readonly engine: Engine,
    private readonly options: LiveSnapshotOptions,
  ) {
    this.io = { ...ENGINE_IO, ...options.io };
  }

  get state(): LiveState {
    return this._state;
  }

  /** True when the events stream is up and nothing is scheduled: the engine is not being asked anything. */
  get quiet(): boolean {
    return this.events?.state === 'up' && !this.pollTimer && !this.debounceTimer && !this.settleTimer && !this.running;
  }

  /** Idempotent. Nothing talks to the engine before this is called. */
  start(): void {
    if (this.disposed || this.helper) return;
    this.helper = this.selectHelper();
    this.setState({ kind: 'loading' });
    this.events = this.io.openEvents(this.engine, { log: (m) => this.options.log?.('info', m) });
    this.subscriptions.push(
      this.events.onEvent((event) => {
        // A helper container's create, start, network connect on `host`, die and
        // destroy would otherwise each schedule a refresh that runs a helper again.
        if (this.isOwnHelperEvent(event)) return;
        this.onEventEmitter.fire(event);
        // Only a Processes group that is open reads anything for an exec.
        if (isProcessEvent(event)) return;
        this.pending.push(event);
        if (event.type === 'container' && event.action === 'create' && this._state.kind === 'ready') {
          // The row shows at once, from the event; the batch below reads the rest.
          const edited = withAnnouncedContainer(this._state.snapshot, event);
          if (edited !== this._state.snapshot) this.setReady(edited);
        }
        if (event.type === 'container' && event.action === 'destroy') {
          // A refresh already in flight may have listed it before it went.
          this.destroyedDuringRefresh.add(event.id);
          if (this._state.kind === 'ready') {
            const edited = withoutContainer(this._state.snapshot, event.id);
            if (edited !== this._state.snapshot) this.setReady(edited);
          }
        }
        this.schedule();
      }),
      this.events.onState((state) => {
        if (state === 'up') {
          this.stopPolling();
          // After a reconnect, or once a refused stream is granted, catch up on whatever happened meanwhile.
          const wasRefused = this._state.kind === 'ready' && !!this._state.liveUpdates;
          if (this.streamWasUp || wasRefused) void this.refresh();
          this.streamWasUp = true;
        } else if (state === 'down') {
          // The stream ends at once when the engine goes away: find out now, so the views
          // say so in place, rather than showing a stale picture until the first poll.
          if (this.streamWasUp && this._state.kind === 'ready') void this.refresh();
          this.startPolling();
        } else if (state === 'refused') {
          this.refusedPollMs = this.options.pollWhileRefusedMs ?? 10_000;
          this.options.log?.(
            'warn',
            `the engine at ${this.engine.endpoint.url} refused the events stream (${this.events?.refusedBecause ?? '?'}): views refresh by polling, from every ${Math.round(this.refusedPollMs / 1000)} s, growing`,
          );
          this.startPolling();
          // Say so where the views are, not only in the log.
          if (this._state.kind === 'ready') this.setReady(this._state.snapshot);
        }
      }),
    );
    this.events.start();
    // Don't wait for the stream: dockerd may hold its headers until the first event.
    void this.refresh();
  }

  /** A full read now (coalesced with one in flight). Resolves when the state reflects it. */
  refresh(): Promise<void> {
    this.needsFull = true;
    return this.kick();
  }

  /** Runs the pending work now: a full read if one is due, else the pending events. */
  private kick(): Promise<void> {
    if (this.disposed || !this.helper) return Promise.resolve();
    if (this.debounceTimer) clearTimeout(this.debounceTimer);
    this.debounceTimer = null;
    this.firstPendingAt = 0;
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.runRefresh().finally(() => {
      this.running = null;
      if (this.again && !this.disposed) {
        this.again = false;
        void this.kick();
      }
    });
    return this.running;
  }

  /** The helper's mode once chosen; null before. */
  get helperMode(): ResolvedHelperMode | null {
    return this.helperNow?.mode ?? null;
  }

  /** How the host helper runs for this engine (selected once, on start). */
  helperSelection(): Promise<HelperSelection> {
    this.helper ??= this.selectHelper();
    return this.helper;
  }

  private selectHelper(): Promise<HelperSelection> {
    const selecting = this.io.selectHelper(this.engine, this.options.helper);
    void selecting.then((selection) => {
      this.helperNow = selection;
    });
    return selecting;
  }

  private isOwnHelperEvent(event: EngineEvent): boolean {
    const runner = this.helperNow?.runner;
    if (!runner) return false;
    if (event.type === 'container') return runner.ownsContainer(event.id) || (event.name !== null && runner.ownsContainer(event.name));
    if (event.type === 'network') return event.containerId !== null && runner.ownsContainer(event.containerId);
    return false;
  }

  /**
   * The containers whose ports went away, and the host's links, once more
   * after the kernel settled: a veth pair is deleted after the engine's
   * disconnect event (seen: a container still listing its eth0 when read at
   * once), and a bridge's operstate follows a second later.
   */
  private scheduleLinksSettled(batch: readonly EngineEvent[]): void {
    if (this.settleTimer) clearTimeout(this.settleTimer);
    for (const e of batch) {
      const id = e.type === 'network' ? e.containerId : e.type === 'container' ? e.id : null;
      if (id && removesPorts(e)) this.settleIds.add(id);
    }
    this.settleTimer = setTimeout(() => {
      this.settleTimer = null;
      if (this.disposed) return;
      for (const id of this.settleIds) this.pending.push({ type: 'container', action: 'settled', id, name: null, containerId: null });
      this.settleIds.clear();
      this.pending.push(HOST_LINKS_SETTLED);
      this.schedule();
    }, this.options.linksSettleMs ?? LINKS_SETTLE_MS);
  }

  private schedule(): void {
    const debounce = this.options.debounceMs ?? 30;
    const maxDelay = this.options.maxDelayMs ?? 200;
    const now = Date.now();
    if (!this.firstPendingAt) this.firstPendingAt = now;
    if (this.debounceTimer) clearTimeout(this.debounceTimer);
    const wait = Math.max(0, Math.min(debounce, this.firstPendingAt + maxDelay - now));
    this.debounceTimer = setTimeout(() => void this.kick(), wait);
  }

  private async runRefresh(): Promise<void> {
    const full = this.needsFull || !this.inputs;
    const batch = this.pending;
    // A full read covers every event that came before it; later ones wait for the next run.
    this.pending = [];
    if (!full && !batch.length) return;
    this.needsFull = false;
    this.refreshCount++;
    if (full) this.fullRefreshCount++;
    try {
      this.destroyedDuringRefresh.clear();
      const chosen = this.helper as Promise<HelperSelection>;
      const helper = full
        ? chosen.then((h) => {
            if (h.runner || this.options.helper.mode === 'off') return h;
            // Chosen while the engine was down, or before the image was there: choose again on every full read until a runner is found.
            this.helper = this.selectHelper();
            return this.helper;
          })
        : await chosen;
      // Rows first: with nothing on screen yet, the list calls alone paint them while the helper is chosen and every container is inspected.
      const onListed = this._state.kind === 'ready' ? undefined : (preliminary: Snapshot) => !this.disposed && this.setReady(preliminary);
      const inputs =
        full || !this.inputs
          ? await this.io.readAll(this.engine, { helper, onListed })
          : await this.io.apply(this.engine, { helper: helper as HelperSelection }, this.inputs, batch);
      if (this.disposed) return;
      this.inputs = inputs;
      // A port gone may take its bridge down a moment later, with no event: look at the host's links once more then.
      // Only a batch of real events: the settle's own batch must not schedule another.
      if (batch.some(removesPorts)) this.scheduleLinksSettled(batch);
      let snapshot = snapshotFromInputs(inputs);
      // Gone while the read was under way: its destroy event is pending, but the row need not come back meanwhile.
      for (const id of this.destroyedDuringRefresh) snapshot = withoutContainer(snapshot, id);
      this.setReady(snapshot);
    } catch (error) {
      this.needsFull = true;
      if (this.disposed) return;
      if (error instanceof NeedsFullRead) {
        // Not a failure the user needs to see: the next run reads everything.
        this.options.log?.('info', `an event batch needs a full read: ${error.message}`);
        this.again = true;
        return;
      }
      if (error instanceof EngineUnreachableError) {
        this.setState({ kind: 'unreachable', endpoint: error.endpoint, reason: error.reason });
      } else {
        const reason = firstLine((error as Error).message ?? String(error));
        this.options.log?.('error', `snapshot of ${this.engine.endpoint.url} failed: ${reason}`);
        this.setState({ kind: 'failed', endpoint: this.engine.endpoint.url, reason });
      }
      // The events stream notices an engine that went away, but not one that
      // answers ping and then fails; keep trying slowly either way.
      this.startPolling();
    }
  }

  private setReady(snapshot: Snapshot): void {
    const refused = this.events?.state === 'refused' ? this.events.refusedBecause : null;
    this.setState({
      kind: 'ready',
      snapshot,
      liveUpdates:
        refused === null ? null : `the engine refused the events stream (${refused}); refreshing every ${Math.round(this.pollPeriod() / 1000)} s instead`,
    });
  }

  private setState(state: LiveState): void {
    this._state = state;
    this.onDidChangeEmitter.fire(state);
  }

  /** Slow and growing while the engine refuses the events stream (nothing faster would help), quick while it is merely down. */
  private pollPeriod(): number {
    // While down, a poll is a failed connect or one ping: cheap, and the views recover within a second of the engine answering.
    return this.events?.state === 'refused' ? this.refusedPollMs : (this.options.pollWhileDownMs ?? 1_000);
  }

  /** Schedules the next poll, unless one is due at the same period already. A chain of timeouts, since the period changes. */
  private startPolling(): void {
    if (this.disposed) return;
    const every = this.pollPeriod();
    if (this.pollTimer && this.pollEvery === every) return;
    this.stopPolling();
    this.pollEvery = every;
    this.pollTimer = setTimeout(() => this.poll(), every);
  }

  private poll(): void {
    this.pollTimer = null;
    if (this.events?.state === 'up' && this._state.kind === 'ready') return;
    // A refused stream slows the poll down further each time.
    if (this.events?.state === 'refused') this.refusedPollMs = Math.min(this.refusedPollMs * 2, 300_000);
    this.startPolling();
    void this.refresh();
  }

  private stopPolling(): void {
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = null;
  }

  dispose(): void {
    this.disposed = true;
    if (this.debounceTimer) clearTimeout(this.debounceTimer);
    if (this.settleTimer) clearTimeout(this.settleTimer);
    this.stopPolling();
    for (const s of this.subscriptions) s.dispose();
    this.events?.dispose();
    this.engine.close();
    this.onDidChangeEmitter.dispose();
    this.onEventEmitter.dispose();
  }
}
