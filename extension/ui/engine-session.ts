// Owns the LiveSnapshot of the configured engine, recreating it when an engine
// setting changes. Views subscribe here once and never see the swap.

import * as vscode from 'vscode';
import type { HelperImagePins } from '../core/helper-image-pin';
import { createEngine } from '../core/engine';
import { dockerConfigDir, EndpointError, resolveEndpoint } from '../core/engine-endpoint';
import type { EngineEvent } from '../core/engine-events';
import { LiveSnapshot, type LiveState } from '../core/live-snapshot';
import { ENGINE_SETTINGS, readSettings } from './settings';

export type SessionState = LiveState | { kind: 'misconfigured'; reason: string };

export class EngineSession implements vscode.Disposable {
  /** For the diagram: the main session's panel. */
  readonly key = 'session';
  readonly title = 'Network Diagram';
  private readonly onDidChangeStateEmitter = new vscode.EventEmitter<SessionState>();
  readonly onDidChangeState = this.onDidChangeStateEmitter.event;
  private readonly onEngineEventEmitter = new vscode.EventEmitter<EngineEvent>();
  readonly onEngineEvent = this.onEngineEventEmitter.event;
  private live: LiveSnapshot | null = null;
  private liveSubscriptions: vscode.Disposable[] = [];
  private misconfigured: string | null = null;
  private wanted = false;
  private firstSnapshotLogged = false;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly log: vscode.LogOutputChannel, private readonly pins: HelperImagePins) {
    this.disposables.push(
      this.onDidChangeStateEmitter,
      this.onEngineEventEmitter,
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (ENGINE_SETTINGS.some((s) => e.affectsConfiguration(s))) this.rebuild();
      }),
    );
    // Engine events do not say that the current Docker context changed: watch where the CLI keeps it.
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(dockerConfigDir()), '{config.json,contexts/meta/**}'));
    const onContextFiles = (): void => {
      const s = readSettings();
      if (!s.dockerHost && !process.env.DOCKER_HOST) this.rebuild();
    };
    this.disposables.push(watcher, watcher.onDidChange(onContextFiles), watcher.onDidCreate(onContextFiles), watcher.onDidDelete(onContextFiles));
    this.rebuild();
  }

  get state(): SessionState {
    if (this.misconfigured) return { kind: 'misconfigured', reason: this.misconfigured };
    return this.live?.state ?? { kind: 'idle' };
  }

  get liveSnapshot(): LiveSnapshot | null {
    return this.live;
  }

  /** Called when a view first shows: only then does anything talk to the engine. */
  ensureStarted(): void {
    if (!this.wanted) this.log.info('a view opened: starting');
    this.wanted = true;
    this.live?.start();
  }

  refresh(): Promise<void> {
    this.ensureStarted();
    return this.live?.refresh() ?? Promise.resolve();
  }

  private rebuild(): void {
    for (const s of this.liveSubscriptions) s.dispose();
    this.liveSubscriptions = [];
    this.live?.dispose();
    this.live = null;
    this.misconfigured = null;
    const settings = readSettings();
    try {
      const engine = createEngine(resolveEndpoint({ explicit: settings.dockerHost, context: settings.context }));
      this.log.info(`engine ${engine.endpoint.url} (from ${engine.endpoint.source}${engine.endpoint.context ? ` "${engine.endpoint.context}"` : ''}); helper mode ${settings.helperMode}`);
      const live = new LiveSnapshot(engine, {
        helper: { mode: settings.helperMode, image: settings.helperImage, pins: this.pins },
        log: (level, message) => this.log[level](message),
      });
      this.live = live;
      this.liveSubscriptions.push(
        live.onDidChange((state) => {
          if (state.kind === 'ready' && !this.firstSnapshotLogged) {
            this.firstSnapshotLogged = true;
            this.log.info(`first snapshot: ${state.snapshot.containers.length} containers, helper ${state.snapshot.helper.mode}`);
          }
          if (state.kind === 'ready' && state.snapshot.helper.reason) this.log.warn(`host helper: ${state.snapshot.helper.reason}`);
          if (state.kind === 'unreachable') this.log.warn(`Cannot reach Docker at ${state.endpoint}: ${state.reason}`);
          this.onDidChangeStateEmitter.fire(state);
        }),
        live.onEvent((event) => this.onEngineEventEmitter.fire(event)),
      );
      if (this.wanted) live.start();
    } catch (error) {
      this.misconfigured = error instanceof EndpointError ? error.message : String(error);
      this.log.error(this.misconfigured);
    }
    this.onDidChangeStateEmitter.fire(this.state);
  }

  dispose(): void {
    for (const s of this.liveSubscriptions) s.dispose();
    this.live?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
