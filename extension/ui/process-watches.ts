// One ProcessWatch per container whose Processes group is open, and none for
// the others: a collapsed group, a hidden view or a stopped container reads
// nothing. Each change repaints that group only.

import type * as vscode from 'vscode';
import type { EngineSession } from '../core/session/engine-session';
import { exitedProcesses } from '../core/processes/process-exit-probe';
import type { ContainerProcesses, ProcessInfo } from '../core/processes/process-model';
import { ProcessWatch, type ProcessWatchState } from '../core/processes/process-watch';
import { readContainerProcesses } from '../core/processes/read-processes';
import type { Disposable } from '../core/common/disposable';
import type { ProcessesGroupNode } from './trees/process-nodes';
import type { TreeNode } from './trees/tree-node';

/** How long the first look at a group may wait for its first read before it says "still being read". */
const FIRST_READ_WAIT_MS = 12_000;

interface Entry {
  watch: ProcessWatch;
  node: ProcessesGroupNode;
  subscription: Disposable;
  signature: string;
}

export class ProcessWatches implements vscode.Disposable {
  private readonly entries = new Map<string, Entry>();
  /** Groups that were open when their watch stopped (the view hid): shown again, they are read again. */
  private readonly parked = new Map<string, ProcessesGroupNode>();
  private readonly stateSubscription: Disposable;

  constructor(
    private readonly session: EngineSession,
    private readonly repaint: (node: TreeNode) => void,
  ) {
    this.stateSubscription = session.onDidChangeState((state) => {
      // A container that stopped or went away has nothing left to watch.
      if (state.kind !== 'ready') return;
      const running = new Set(state.snapshot.containers.filter((c) => c.pid !== null).map((c) => c.id));
      for (const id of [...this.entries.keys()]) if (!running.has(id)) this.stop(id);
    });
  }

  current(containerId: string): ProcessWatch | undefined {
    return this.entries.get(containerId)?.watch;
  }

  /** Starts (or joins) the watch for an open group, and resolves with its first reading. */
  watch(node: ProcessesGroupNode): Promise<ProcessWatchState> {
    const id = node.containerId;
    let entry = this.entries.get(id);
    if (entry) {
      entry.node = node;
    } else {
      entry = this.start(node);
    }
    const watch = entry.watch;
    if (watch.state.kind !== 'loading') return Promise.resolve(watch.state);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        sub.dispose();
        resolve(watch.state);
      }, FIRST_READ_WAIT_MS);
      const sub = watch.onDidChange((state) => {
        clearTimeout(timer);
        sub.dispose();
        resolve(state);
      });
    });
  }

  private start(node: ProcessesGroupNode): Entry {
    const id = node.containerId;
    this.parked.delete(id);
    const watch = new ProcessWatch({
      containerId: id,
      read: () => this.read(id),
      onEngineEvent: (listener) => this.session.onEngineEvent(listener),
      // Only where /proc here is the engine's: a local or sudo helper.
      exited: (processes) => {
        const mode = this.session.liveSnapshot?.helperMode;
        return mode === 'local' || mode === 'sudo' ? exitedProcesses(processes) : [];
      },
    });
    const entry: Entry = { watch, node, signature: '', subscription: { dispose: () => undefined } };
    entry.subscription = watch.onDidChange((state) => {
      const signature = JSON.stringify(state);
      if (signature === entry.signature) return;
      entry.signature = signature;
      this.repaint(entry.node);
    });
    this.entries.set(id, entry);
    return entry;
  }

  private async read(containerId: string): Promise<ContainerProcesses> {
    const state = this.session.state;
    const live = this.session.liveSnapshot;
    if (state.kind !== 'ready' || !live) throw new Error('the engine is not available');
    const container = state.snapshot.containers.find((c) => c.id === containerId);
    if (!container) throw new Error('the container is gone');
    const selection = await live.helperSelection();
    return readContainerProcesses(selection.runner, container, state.snapshot, selection.reason);
  }

  /** Stops reading for a container (its group or row collapsed). */
  stop(containerId: string): void {
    const entry = this.entries.get(containerId);
    if (!entry) return;
    entry.subscription.dispose();
    entry.watch.dispose();
    this.entries.delete(containerId);
  }

  /** The view hid: stop every watch, and remember which groups were open. */
  park(): void {
    for (const [id, entry] of this.entries) this.parked.set(id, entry.node);
    for (const id of [...this.entries.keys()]) this.stop(id);
  }

  /** The view shows again: the groups that were open read again. */
  unpark(): void {
    for (const node of this.parked.values()) this.repaint(node);
    this.parked.clear();
  }

  /** Resolves with the first process for which pick returns true, within the time, or null. */
  async waitFor(containerId: string, pick: (p: ProcessInfo) => boolean, timeoutMs: number): Promise<ProcessInfo | null> {
    const watch = this.current(containerId);
    if (!watch) return null;
    const found = (): ProcessInfo | null => (watch.state.kind === 'ready' ? (watch.state.value.processes.find(pick) ?? null) : null);
    const now = found();
    if (now) return now;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        sub.dispose();
        resolve(found());
      }, timeoutMs);
      const sub = watch.onDidChange(() => {
        const hit = found();
        if (!hit) return;
        clearTimeout(timer);
        sub.dispose();
        resolve(hit);
      });
    });
  }

  dispose(): void {
    this.stateSubscription.dispose();
    for (const id of [...this.entries.keys()]) this.stop(id);
  }
}
