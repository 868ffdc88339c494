// Shared plumbing for the three views: session state to root nodes, lazy start
// on first show, and change events. Subclasses only build nodes from a Snapshot.

import * as vscode from 'vscode';
import { isLocalEndpoint } from '../../core/engine/engine-endpoint';
import type { Snapshot } from '../../core/snapshot/model';
import type { EngineSession, SessionState } from '../../core/session/engine-session';
import { ProblemNode, type TreeNode, problemNodesFor } from './tree-node';

const FIRST_LOAD_TIMEOUT_MS = 30_000;

export abstract class SnapshotTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  protected readonly onDidChangeTreeDataEmitter = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.onDidChangeTreeDataEmitter.event;
  protected roots: TreeNode[] = [];
  private rootsFor: SessionState | null = null;
  private readonly subscription: vscode.Disposable;

  constructor(
    protected readonly session: EngineSession,
    protected readonly viewId: string,
  ) {
    this.subscription = session.onDidChangeState((state) => this.onState(state));
  }

  /** Builds the root nodes for a snapshot, reusing nodes whose ids did not change. */
  protected abstract buildRoots(snapshot: Snapshot, engineIsLocal: boolean): TreeNode[];

  /** Called when the root ids did not change: a subclass may refresh only what changed; the default refreshes the whole view. */
  protected announce(): void {
    this.onDidChangeTreeDataEmitter.fire(undefined);
  }

  /** Repaints one node and what is under it, without rebuilding the view. */
  repaint(node: TreeNode): void {
    this.onDidChangeTreeDataEmitter.fire(node);
  }

  /** Rebuilds from the current state without asking the engine (e.g. grouping changed). */
  rerender(): void {
    this.rootsFor = null;
    this.onState(this.session.state, true);
  }

  private onState(state: SessionState, force = false): void {
    if (state.kind === 'idle' || state.kind === 'loading') return;
    const previous = this.roots;
    this.roots = this.rootsForState(state);
    this.rootsFor = state;
    if (force || previous.length === 0 || !previous.every((n, i) => n.id === this.roots[i]?.id) || previous.length !== this.roots.length) {
      this.onDidChangeTreeDataEmitter.fire(undefined);
    } else {
      this.announce();
    }
  }

  private rootsForState(state: SessionState): TreeNode[] {
    if (state.kind !== 'ready') return problemNodesFor(state, this.viewId);
    const engine = this.session.liveSnapshot?.engine;
    const local = !!engine && isLocalEndpoint(engine.endpoint);
    const roots = this.buildRoots(state.snapshot, local);
    if (!state.liveUpdates) return roots;
    const notice = new ProblemNode(
      `${this.viewId}/problem/live-updates`,
      'Live updates are unavailable',
      state.liveUpdates,
      [['Refresh', { command: 'containerInternals.refresh', title: 'Refresh' }, 'refresh']],
      'warning',
    );
    return [notice, ...roots];
  }

  getTreeItem(element: TreeNode): vscode.TreeItem {
    const item = element.toTreeItem();
    // Screen readers (and UI tests) get what the row shows, not the long tooltip.
    if (!item.accessibilityInformation) {
      const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
      const description = typeof item.description === 'string' ? item.description : '';
      item.accessibilityInformation = { label: description ? `${label} ${description}` : label };
    }
    return item;
  }

  resolveTreeItem(item: vscode.TreeItem, element: TreeNode): vscode.TreeItem {
    item.tooltip ??= element.lazyTooltip();
    return item;
  }

  getParent(element: TreeNode): TreeNode | null {
    return element.parent;
  }

  async getChildren(element?: TreeNode): Promise<TreeNode[]> {
    if (element) return element.getChildren();
    this.session.ensureStarted();
    const state = await this.settledState();
    if (this.rootsFor !== state) {
      this.roots = this.rootsForState(state);
      this.rootsFor = state;
    }
    return this.roots;
  }

  /** The first time a view shows, wait for the first snapshot instead of flashing an empty view. */
  private settledState(): Promise<SessionState> {
    const now = this.session.state;
    if (now.kind !== 'idle' && now.kind !== 'loading') return Promise.resolve(now);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        sub.dispose();
        resolve(this.session.state);
      }, FIRST_LOAD_TIMEOUT_MS);
      const sub = this.session.onDidChangeState((s) => {
        if (s.kind === 'idle' || s.kind === 'loading') return;
        clearTimeout(timer);
        sub.dispose();
        resolve(s);
      });
    });
  }

  dispose(): void {
    this.subscription.dispose();
    this.onDidChangeTreeDataEmitter.dispose();
  }
}
