// Follows GET /events and tells which changes matter, reconnecting with backoff.
// Nothing here polls: while the stream is up the engine is not asked anything.

import type { Readable } from 'node:stream';
import { Emitter, type Disposable } from '../common/disposable';
import type { Engine } from './engine';
import { firstLine } from '../common/first-line';

export interface EngineEvent {
  type: string;
  action: string;
  id: string;
  name: string | null;
  /** For network connect/disconnect: the container plugged in or out. */
  containerId: string | null;
  /** For container events: the image, and the labels and other attributes the engine sent with it. */
  image?: string | null;
  attributes?: Record<string, string>;
}

/**
 * Actions that change what the snapshot shows, plus exec_*, which change only
 * a container's processes (see isProcessEvent). attach, resize, top and
 * archive reads change nothing shown.
 */
const RELEVANT: Record<string, ReadonlySet<string>> = {
  container: new Set([
    'create',
    'start',
    'restart',
    'die',
    'stop',
    'kill',
    'destroy',
    'pause',
    'unpause',
    'rename',
    'update',
    'oom',
    'exec_create',
    'exec_start',
    'exec_die',
  ]),
  network: new Set(['create', 'destroy', 'remove', 'connect', 'disconnect']),
  volume: new Set(['create', 'destroy', 'prune']),
};

/** An exec started or ended: the container's processes changed, nothing in the snapshot did. */
export function isProcessEvent(event: EngineEvent): boolean {
  return event.type === 'container' && event.action.startsWith('exec_');
}

/** Parses one line of the events stream; null for noise. Our own helpers are told apart by the consumer, by id. */
export function parseEngineEvent(line: string): EngineEvent | null {
  let raw: { Type?: string; Action?: string; status?: string; Actor?: { ID?: string; Attributes?: Record<string, string> } };
  try {
    raw = JSON.parse(line);
  } catch {
    return null;
  }
  const type = raw.Type ?? 'container';
  // "exec_start: sh -c …" and "health_status: healthy" carry text after a colon.
  const action = (raw.Action ?? raw.status ?? '').split(':')[0]?.trim() ?? '';
  if (!RELEVANT[type]?.has(action)) return null;
  const attributes = raw.Actor?.Attributes ?? {};
  const event: EngineEvent = {
    type,
    action,
    id: raw.Actor?.ID ?? '',
    name: attributes.name ?? null,
    containerId: type === 'network' ? (attributes.container ?? null) : null,
  };
  if (type === 'container' && action === 'create') Object.assign(event, { image: attributes.image ?? null, attributes });
  return event;
}

/**
 * 'refused': the engine answered and said no (an authorization plugin or a
 * proxy that blocks /events): retrying fast would change nothing.
 */
export type StreamState = 'connecting' | 'up' | 'down' | 'refused';

export interface EventStreamOptions {
  /** First retry delay; doubles up to maxBackoffMs. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** How often to ask again after the engine refused the stream. */
  refusedRetryMs?: number;
  log?: (message: string) => void;
}

export class EngineEventStream implements Disposable {
  private readonly onEventEmitter = new Emitter<EngineEvent>();
  private readonly onStateEmitter = new Emitter<StreamState>();
  readonly onEvent = this.onEventEmitter.event;
  /** 'up' after (re)connecting: a consumer should refresh, since events may have been missed. */
  readonly onState = this.onStateEmitter.event;
  private stream: Readable | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private backoff: number;
  private disposed = false;
  private _state: StreamState = 'down';
  /** The engine's own words when it refused the stream. */
  refusedBecause: string | null = null;

  constructor(
    private readonly engine: Engine,
    private readonly options: EventStreamOptions = {},
  ) {
    this.backoff = options.initialBackoffMs ?? 250;
  }

  get state(): StreamState {
    return this._state;
  }

  start(): void {
    if (this.disposed || this.stream || this.retryTimer) return;
    void this.connect();
  }

  private setState(state: StreamState): void {
    if (state === this._state) return;
    this._state = state;
    this.onStateEmitter.fire(state);
  }

  private async connect(): Promise<void> {
    this.retryTimer = null;
    this.setState('connecting');
    try {
      const since = Math.floor(Date.now() / 1000);
      const stream = (await this.engine.streams.getEvents({ since })) as unknown as Readable;
      if (this.disposed) {
        stream.destroy();
        return;
      }
      this.stream = stream;
      this.refusedBecause = null;
      this.backoff = this.options.initialBackoffMs ?? 250;
      this.setState('up');
      let buffered = '';
      stream.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('utf8');
        let newline: number;
        while ((newline = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, newline).trim();
          buffered = buffered.slice(newline + 1);
          const event = line ? parseEngineEvent(line) : null;
          if (event) this.onEventEmitter.fire(event);
        }
      });
      const lost = (why: string): void => {
        if (this.stream !== stream) return;
        this.stream = null;
        stream.destroy();
        this.options.log?.(`events stream ended (${why}); reconnecting`);
        this.scheduleRetry();
      };
      stream.on('end', () => lost('end'));
      stream.on('close', () => lost('close'));
      stream.on('error', (error: Error) => lost(error.message));
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      this.options.log?.(`events stream: ${(error as Error).message}`);
      if (status !== undefined && status >= 400 && status < 500) {
        // docker-modem words it "(HTTP code 403) unexpected - <the engine's message>".
        const words = firstLine((error as { json?: { message?: string } }).json?.message ?? (error as Error).message).replace(/^\(HTTP code \d+\) [^-]*- /, '');
        this.refusedBecause = `${words} (HTTP ${status})`;
        this.scheduleRetry('refused');
      } else this.scheduleRetry();
    }
  }

  private scheduleRetry(kind: 'down' | 'refused' = 'down'): void {
    if (this.disposed || this.retryTimer) return;
    this.setState(kind);
    const delay = kind === 'refused' ? (this.options.refusedRetryMs ?? 60_000) : this.backoff;
    if (kind === 'down') this.backoff = Math.min(this.backoff * 2, this.options.maxBackoffMs ?? 2_000);
    this.retryTimer = setTimeout(() => void this.connect(), delay);
  }

  dispose(): void {
    this.disposed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.stream?.destroy();
    this.stream = null;
    this.onEventEmitter.dispose();
    this.onStateEmitter.dispose();
  }
}
