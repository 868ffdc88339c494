// One engine, followed live: the one session type that the Containers views,
// each root of the Engines view, the diagram, the compose language server and
// the CLI's `lsp` all use. It resolves an endpoint, owns the LiveSnapshot for
// it, and can be pointed elsewhere (a setting changed) without its
// subscribers noticing the swap.

import { Emitter, type Disposable } from '../common/disposable';
import { createEngine } from '../engine/engine';
import { EndpointError, type EndpointInput, resolveEndpoint } from '../engine/engine-endpoint';
import type { EngineEvent } from '../engine/engine-events';
import type { HelperOptions } from '../host/helper-runners';
import { LiveSnapshot, type LiveSnapshotOptions, type LiveState } from '../snapshot/live-snapshot';

/** A session whose endpoint could not even be resolved (a bad setting) has no engine to ask. */
export type SessionState = LiveState | { kind: 'misconfigured'; reason: string };

/** What the diagram, the compose client and the trees need of a session. */
export interface SessionView {
  /** One diagram panel per key. */
  readonly key: string;
  readonly title: string;
  readonly state: SessionState;
  readonly onDidChangeState: (listener: (state: SessionState) => void) => Disposable;
  /** Called when something first shows the session: only then does anything talk to the engine. */
  ensureStarted(): void;
}

export interface SessionTarget {
  endpoint: EndpointInput;
  helper: HelperOptions;
}

export type SessionLog = (level: 'info' | 'warn' | 'error', message: string) => void;

export class EngineSession implements SessionView, Disposable {
  private readonly onDidChangeStateEmitter = new Emitter<SessionState>();
  readonly onDidChangeState = this.onDidChangeStateEmitter.event;
  private readonly onEngineEventEmitter = new Emitter<EngineEvent>();
  readonly onEngineEvent = this.onEngineEventEmitter.event;
  private live: LiveSnapshot | null = null;
  private liveSubscriptions: Disposable[] = [];
  private misconfigured: string | null = null;
  private wanted = false;

  constructor(
    readonly key: string,
    readonly title: string,
    target: SessionTarget,
    private readonly log: SessionLog = () => undefined,
    private readonly liveOptions: Omit<LiveSnapshotOptions, 'helper' | 'log'> = {},
  ) {
    this.retarget(target);
  }

  get state(): SessionState {
    if (this.misconfigured) return { kind: 'misconfigured', reason: this.misconfigured };
    return this.live?.state ?? { kind: 'idle' };
  }

  get liveSnapshot(): LiveSnapshot | null {
    return this.live;
  }

  ensureStarted(): void {
    if (!this.wanted) this.log('info', 'first shown: starting');
    this.wanted = true;
    this.live?.start();
  }

  refresh(): Promise<void> {
    this.ensureStarted();
    return this.live?.refresh() ?? Promise.resolve();
  }

  /** Points the session at another endpoint or helper; a started session starts again there. */
  retarget(target: SessionTarget): void {
    this.dropLive();
    this.misconfigured = null;
    try {
      const engine = createEngine(resolveEndpoint(target.endpoint));
      const from = `${engine.endpoint.source}${engine.endpoint.context ? ` "${engine.endpoint.context}"` : ''}`;
      this.log('info', `engine ${engine.endpoint.url} (from ${from}); helper mode ${target.helper.mode}`);
      const live = new LiveSnapshot(engine, { ...this.liveOptions, helper: target.helper, log: this.log });
      this.live = live;
      let firstLogged = false;
      this.liveSubscriptions.push(
        live.onDidChange((state) => {
          if (state.kind === 'ready' && !firstLogged && !state.snapshot.preliminary) {
            firstLogged = true;
            this.log('info', `first snapshot: ${state.snapshot.containers.length} containers, helper ${state.snapshot.helper.mode}`);
            if (state.snapshot.helper.reason) this.log('warn', `host helper: ${state.snapshot.helper.reason}`);
          }
          if (state.kind === 'unreachable') this.log('warn', `Cannot reach Docker at ${state.endpoint}: ${state.reason}`);
          this.onDidChangeStateEmitter.fire(state);
        }),
        live.onEvent((event) => this.onEngineEventEmitter.fire(event)),
      );
      if (this.wanted) live.start();
    } catch (error) {
      this.misconfigured = error instanceof EndpointError ? error.message : String(error);
      this.log('error', this.misconfigured);
    }
    this.onDidChangeStateEmitter.fire(this.state);
  }

  private dropLive(): void {
    for (const s of this.liveSubscriptions) s.dispose();
    this.liveSubscriptions = [];
    this.live?.dispose();
    this.live = null;
  }

  dispose(): void {
    this.dropLive();
    this.onDidChangeStateEmitter.dispose();
    this.onEngineEventEmitter.dispose();
  }
}
