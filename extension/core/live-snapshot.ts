// Keeps one engine's Snapshot current: the first look, then a refresh on every
// relevant engine event (bursts coalesced), and a slow poll only while the
// events stream is down. One owner of every refresh trigger, so callers (the
// tree, the diagram, the language server) never schedule their own.

import { Emitter, type Disposable } from './disposable';
import { type Engine, EngineUnreachableError, firstLine } from './engine';
import { EngineEventStream, type EngineEvent } from './engine-events';
import { type HelperOptions, type HelperSelection, selectHelperRunner } from './helper-runners';
import type { Snapshot } from './model';
import { takeSnapshot } from './snapshot';
import { withoutContainer } from './snapshot-edits';

export type LiveState =
  | { kind: 'idle' }
  | { kind: 'loading' }
  | { kind: 'ready'; snapshot: Snapshot }
  | { kind: 'unreachable'; endpoint: string; reason: string }
  | { kind: 'failed'; endpoint: string; reason: string };

export interface LiveSnapshotOptions {
  helper: HelperOptions;
  /** Quiet time after an event before refreshing, so a `docker run` burst is one refresh. */
  debounceMs?: number;
  /** Upper bound on how long a steady stream of events can delay a refresh. */
  maxDelayMs?: number;
  /** Poll interval while the events stream is down (the only polling there is). */
  pollWhileDownMs?: number;
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
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
  private events: EngineEventStream | null = null;
  private subscriptions: Disposable[] = [];
  private debounceTimer: NodeJS.Timeout | null = null;
  private firstPendingAt = 0;
  private pollTimer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private disposed = false;
  private streamWasUp = false;
  private readonly destroyedDuringRefresh = new Set<string>();
  /** Counts engine round trips started by this object, for the idle benchmark and tests. */
  refreshCount = 0;

  constructor(readonly engine: Engine, private readonly options: LiveSnapshotOptions) {}

  get state(): LiveState {
    return this._state;
  }

  /** True when the events stream is up and nothing is scheduled: the engine is not being asked anything. */
  get quiet(): boolean {
    return this.events?.state === 'up' && !this.pollTimer && !this.debounceTimer && !this.running;
  }

  /** Idempotent. Nothing talks to the engine before this is called. */
  start(): void {
    if (this.disposed || this.helper) return;
    this.helper = this.selectHelper();
    this.setState({ kind: 'loading' });
    this.events = new EngineEventStream(this.engine, { log: (m) => this.options.log?.('info', m) });
    this.subscriptions.push(
      this.events.onEvent((event) => {
        // A helper container's create, start, network connect on `host`, die and
        // destroy would otherwise each schedule a refresh that runs a helper again.
        if (this.isOwnHelperEvent(event)) return;
        this.onEventEmitter.fire(event);
        if (event.type === 'container' && event.action === 'destroy') {
          // A refresh already in flight may have listed it before it went.
          this.destroyedDuringRefresh.add(event.id);
          if (this._state.kind === 'ready') {
            const edited = withoutContainer(this._state.snapshot, event.id);
            if (edited !== this._state.snapshot) this.setState({ kind: 'ready', snapshot: edited });
          }
        }
        this.schedule();
      }),
      this.events.onState((state) => {
        if (state === 'up') {
          this.stopPolling();
          // After a reconnect, catch up on whatever happened while it was down.
          if (this.streamWasUp) void this.refresh();
          this.streamWasUp = true;
        } else if (state === 'down') {
          this.startPolling();
        }
      }),
    );
    this.events.start();
    // Don't wait for the stream: dockerd may hold its headers until the first event.
    void this.refresh();
  }

  /** Refreshes now (coalesced with one in flight). Resolves when the state reflects it. */
  refresh(): Promise<void> {
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
        void this.refresh();
      }
    });
    return this.running;
  }

  /** How the host helper runs for this engine (selected once, on start). */
  helperSelection(): Promise<HelperSelection> {
    this.helper ??= this.selectHelper();
    return this.helper;
  }

  private selectHelper(): Promise<HelperSelection> {
    const selecting = selectHelperRunner(this.engine, this.options.helper);
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

  private schedule(): void {
    const debounce = this.options.debounceMs ?? 30;
    const maxDelay = this.options.maxDelayMs ?? 200;
    const now = Date.now();
    if (!this.firstPendingAt) this.firstPendingAt = now;
    if (this.debounceTimer) clearTimeout(this.debounceTimer);
    const wait = Math.max(0, Math.min(debounce, this.firstPendingAt + maxDelay - now));
    this.debounceTimer = setTimeout(() => void this.refresh(), wait);
  }

  private async runRefresh(): Promise<void> {
    this.refreshCount++;
    try {
      this.destroyedDuringRefresh.clear();
      const helper = await (this.helper as Promise<HelperSelection>);
      let snapshot = await takeSnapshot(this.engine, { helper });
      if (this.disposed) return;
      for (const id of this.destroyedDuringRefresh) snapshot = withoutContainer(snapshot, id);
      this.setState({ kind: 'ready', snapshot });
    } catch (error) {
      if (this.disposed) return;
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

  private setState(state: LiveState): void {
    this._state = state;
    this.onDidChangeEmitter.fire(state);
  }

  private startPolling(): void {
    if (this.pollTimer || this.disposed) return;
    const every = this.options.pollWhileDownMs ?? 2_000;
    this.pollTimer = setInterval(() => {
      if (this.events?.state === 'up' && this._state.kind === 'ready') {
        this.stopPolling();
        return;
      }
      void this.refresh();
    }, every);
  }

  private stopPolling(): void {
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = null;
  }

  dispose(): void {
    this.disposed = true;
    if (this.debounceTimer) clearTimeout(this.debounceTimer);
    this.stopPolling();
    for (const s of this.subscriptions) s.dispose();
    this.events?.dispose();
    this.engine.close();
    this.onDidChangeEmitter.dispose();
    this.onEventEmitter.dispose();
  }
}
