// Keeps one container's processes current while someone looks at them, and
// costs nothing otherwise. Processes fork and exit without any engine event,
// so an open group re-reads on a timer (at most once a second, and never more
// than a quarter of the time); exec events and a cheap exit probe make the
// common changes show within a few hundred milliseconds.

import { Emitter, type Disposable } from '../common/disposable';
import type { EngineEvent } from '../engine/engine-events';
import { isProcessEvent } from '../engine/engine-events';
import type { ContainerProcesses, ProcessInfo } from './process-model';

export interface ProcessWatchOptions {
  containerId: string;
  read(): Promise<ContainerProcesses>;
  onEngineEvent(listener: (event: EngineEvent) => void): Disposable;
  /** The listed processes that have ended; null where this machine cannot see the engine's /proc. */
  exited: ((processes: readonly ProcessInfo[]) => ProcessInfo[]) | null;
  minIntervalMs?: number;
  probeMs?: number;
}

export type ProcessWatchState = { kind: 'loading' } | { kind: 'ready'; value: ContainerProcesses } | { kind: 'failed'; reason: string };

/** How soon after an exec event the group is read again: events come in threes (create, start, die). */
const EVENT_DELAY_MS = 30;

function processKey(p: ProcessInfo): string {
  return `${p.hostPid}-${p.startTicks}`;
}

export class ProcessWatch implements Disposable {
  private readonly onDidChangeEmitter = new Emitter<ProcessWatchState>();
  readonly onDidChange = this.onDidChangeEmitter.event;
  private stateValue: ProcessWatchState = { kind: 'loading' };
  private timer: NodeJS.Timeout | null = null;
  private probeTimer: NodeJS.Timeout | null = null;
  private reading: Promise<void> | null = null;
  private again = false;
  private disposed = false;
  private readonly subscription: Disposable;
  private lastUsage: { ns: number; at: number } | null = null;
  private readonly ended = new Set<string>();

  constructor(private readonly options: ProcessWatchOptions) {
    this.subscription = options.onEngineEvent((event) => {
      if (isProcessEvent(event) && event.id === options.containerId) this.readSoon(EVENT_DELAY_MS);
    });
    this.readSoon(0);
    if (options.exited) {
      this.probeTimer = setInterval(() => {
        if (this.stateValue.kind !== 'ready') return;
        const value = this.stateValue.value;
        const gone = options.exited?.(value.processes) ?? [];
        if (!gone.length) return;
        // Gone now, by the kernel's word: off the list at once, and never back (a read
        // already under way may still list it); the read that follows finds what else changed.
        for (const p of gone) this.ended.add(processKey(p));
        this.set({ kind: 'ready', value: { ...value, processes: value.processes.filter((p) => !gone.includes(p)) } });
        this.readSoon(0);
      }, options.probeMs ?? 100);
    }
  }

  get state(): ProcessWatchState {
    return this.stateValue;
  }

  /** Reads now (coalesced with a read in flight); resolves when the state reflects it. */
  refresh(): Promise<void> {
    if (this.reading) {
      this.again = true;
      return this.reading;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const started = Date.now();
    this.reading = this.options
      .read()
      .then(
        (value) => this.set({ kind: 'ready', value: this.withCpuRate(this.withoutEnded(value)) }),
        (error: unknown) => this.set({ kind: 'failed', reason: (error as Error).message }),
      )
      .finally(() => {
        this.reading = null;
        if (this.disposed) return;
        if (this.again) {
          this.again = false;
          void this.refresh();
          return;
        }
        // The poll never takes more than a quarter of the time, however slow one read is.
        const took = Date.now() - started;
        this.readSoon(Math.max(this.options.minIntervalMs ?? 1_000, 4 * took));
      });
    return this.reading;
  }

  private readSoon(delayMs: number): void {
    if (this.disposed) return;
    if (this.reading) {
      if (delayMs < 1_000) this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.refresh();
    }, delayMs);
  }

  /** A pid and its start time name one process, which once ended never comes back. */
  private withoutEnded(value: ContainerProcesses): ContainerProcesses {
    if (!this.ended.size) return value;
    const listed = new Set(value.processes.map(processKey));
    // Forget what no read lists any more: the set stays as small as the list.
    for (const key of this.ended) if (!listed.has(key)) this.ended.delete(key);
    return { ...value, processes: value.processes.filter((p) => !this.ended.has(processKey(p))) };
  }

  /** CPU use since the previous read, from the cgroup's cumulative counter. */
  private withCpuRate(value: ContainerProcesses): ContainerProcesses {
    const ns = value.limits?.cpu.usageNs;
    if (ns === null || ns === undefined) return value;
    const now = performance.now();
    const previous = this.lastUsage;
    this.lastUsage = { ns, at: now };
    if (!previous || now <= previous.at || ns < previous.ns) return value;
    return { ...value, cpuRate: (ns - previous.ns) / 1e6 / (now - previous.at) };
  }

  private set(state: ProcessWatchState): void {
    if (this.disposed) return;
    this.stateValue = state;
    this.onDidChangeEmitter.fire(state);
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.probeTimer) clearInterval(this.probeTimer);
    this.subscription.dispose();
    this.onDidChangeEmitter.dispose();
  }
}
