// The Engines view: several engines side by side, each a root with its own
// live snapshot, state and errors. One engine being down never blocks another.

import * as vscode from 'vscode';
import type { HelperImagePins } from '../core/helper-image-pin';
import { createEngine } from '../core/engine';
import { isLocalEndpoint, resolveEndpoint } from '../core/engine-endpoint';
import { containerNamesById } from '../core/snapshot-text';
import { LiveSnapshot, type LiveState } from '../core/live-snapshot';
import type { ContainerSnapshot } from '../core/model';
import { ContainerNode, type SnapshotContext } from './container-nodes';
import type { DiagramSource } from './diagram-panel';
import type { SessionState } from './engine-session';
import { readSettings, SECTION } from './settings';
import { MessageNode, TreeNode } from './tree-node';

export const ENGINES_VIEW = 'containerInternals.engines';

/** A container on one of several engines: the same rows, without actions bound to the main engine. */
class EngineContainerNode extends ContainerNode {
  override toTreeItem(): vscode.TreeItem {
    const item = super.toTreeItem();
    item.contextValue = `engine-container.${this.container.state}`;
    return item;
  }
}

class EngineRootNode extends TreeNode {
  constructor(id: string, readonly entry: string, readonly live: LiveSnapshot | null, readonly problem: string | null) {
    super(id, null);
  }

  toTreeItem(): vscode.TreeItem {
    const state: LiveState | null = this.live?.state ?? null;
    const item = new vscode.TreeItem(this.entry, vscode.TreeItemCollapsibleState.Expanded);
    item.id = this.id;
    if (this.problem) {
      item.description = this.problem;
      item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
    } else if (state?.kind === 'ready') {
      item.description = `${state.snapshot.containers.length} containers · Docker ${state.snapshot.engine.version}`;
      item.iconPath = new vscode.ThemeIcon('server');
    } else if (state?.kind === 'unreachable' || state?.kind === 'failed') {
      item.description = `unreachable: ${state.reason}`;
      item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
    } else {
      item.description = 'connecting…';
      item.iconPath = new vscode.ThemeIcon('loading~spin');
    }
    item.tooltip = `${this.live?.engine.endpoint.url ?? this.entry}\n${String(item.description)}`;
    item.contextValue = 'engine';
    return item;
  }

  override getChildren(): TreeNode[] {
    if (this.problem) return [new MessageNode(`${this.id}/problem`, this, this.problem, { icon: 'warning' })];
    const state = this.live?.state;
    if (!state || state.kind === 'idle' || state.kind === 'loading') return [];
    if (state.kind !== 'ready') return [new MessageNode(`${this.id}/problem`, this, `Cannot reach Docker at ${state.endpoint}: ${state.reason}`, { icon: 'warning' })];
    const snapshot = state.snapshot;
    const ctx: SnapshotContext = { snapshot, engineIsLocal: !!this.live && isLocalEndpoint(this.live.engine.endpoint), namesById: containerNamesById(snapshot) };
    if (!snapshot.containers.length) return [new MessageNode(`${this.id}/empty`, this, 'No containers', { icon: 'info' })];
    return snapshot.containers.map((c: ContainerSnapshot) => new EngineContainerNode(`${this.id}/c/${c.id}`, this, c, ctx));
  }
}

export class EnginesTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private roots: EngineRootNode[] = [];
  private subscriptions: vscode.Disposable[] = [];
  private started = false;
  private readonly config: vscode.Disposable;

  constructor(private readonly log: vscode.LogOutputChannel, private readonly pins: HelperImagePins) {
    this.config = vscode.workspace.onDidChangeConfiguration((e) => {
      if (['engines', 'helperMode', 'helperImage'].some((k) => e.affectsConfiguration(`${SECTION}.${k}`))) this.rebuild();
    });
    this.rebuild();
  }

  private rebuild(): void {
    this.disposeEngines();
    const settings = readSettings();
    const helper = { mode: settings.helperMode, image: settings.helperImage, pins: this.pins };
    this.roots = settings.engines.map((entry, i) => {
      try {
        const endpoint = entry.startsWith('context:') ? resolveEndpoint({ context: entry.slice('context:'.length), env: {} }) : resolveEndpoint({ explicit: entry, env: {} });
        const live = new LiveSnapshot(createEngine(endpoint), { helper, log: (level, m) => this.log[level](`[${entry}] ${m}`) });
        const root = new EngineRootNode(`engine/${i}/${entry}`, entry, live, null);
        this.subscriptions.push(live.onDidChange(() => this.emitter.fire(root)), { dispose: () => live.dispose() });
        if (this.started) live.start();
        return root;
      } catch (error) {
        return new EngineRootNode(`engine/${i}/${entry}`, entry, null, (error as Error).message);
      }
    });
    this.emitter.fire(undefined);
  }

  getTreeItem(element: TreeNode): vscode.TreeItem {
    return element.toTreeItem();
  }

  /** The diagram of one engine of this view (its root node, or its index). */
  diagramSourceFor(node: unknown): DiagramSource | null {
    const root = node instanceof EngineRootNode ? node : typeof node === 'number' ? this.roots[node] : undefined;
    const live = root?.live;
    if (!root || !live) return null;
    return {
      key: root.id,
      title: `Network Diagram — ${root.entry}`,
      get state(): SessionState {
        return live.state;
      },
      onDidChangeState: (listener) => live.onDidChange(listener),
      ensureStarted: () => live.start(),
    };
  }

  getParent(element: TreeNode): TreeNode | null {
    return element.parent;
  }

  getChildren(element?: TreeNode): TreeNode[] {
    if (element) return element.getChildren();
    if (!this.started) {
      this.started = true;
      for (const r of this.roots) r.live?.start();
    }
    if (!this.roots.length) return [new MessageNode(`${ENGINES_VIEW}/empty`, null, 'Add endpoints or context:NAME entries to containerInternals.engines to watch several engines here', { icon: 'info' })];
    return this.roots;
  }

  private disposeEngines(): void {
    for (const s of this.subscriptions) s.dispose();
    this.subscriptions = [];
  }

  dispose(): void {
    this.disposeEngines();
    this.config.dispose();
    this.emitter.dispose();
  }
}
