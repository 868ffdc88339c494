// The Engines view: several engines side by side, each a root with its own
// live snapshot, state and errors. One engine being down never blocks another.

import * as vscode from 'vscode';
import type { HelperImagePins } from '../../core/host/helper-image-pin';
import { isLocalEndpoint } from '../../core/engine/engine-endpoint';
import { EngineSession, type SessionView } from '../../core/session/engine-session';
import type { ContainerSnapshot } from '../../core/snapshot/model';
import { sessionProblem, sessionProblemLine } from '../../present/session-problem';
import { containerNamesById } from '../../present/snapshot-text';
import { logTo } from '../session-settings';
import { readSettings, SECTION } from '../settings';
import { ContainerNode, type SnapshotContext } from './container-nodes';
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
  constructor(
    id: string,
    readonly entry: string,
    readonly session: EngineSession,
  ) {
    super(id, null);
  }

  toTreeItem(): vscode.TreeItem {
    const state = this.session.state;
    const problem = sessionProblem(state);
    const item = new vscode.TreeItem(this.entry, vscode.TreeItemCollapsibleState.Expanded);
    item.id = this.id;
    if (state.kind === 'ready') {
      item.description = `${state.snapshot.containers.length} containers · Docker ${state.snapshot.engine.version}`;
      item.iconPath = new vscode.ThemeIcon('server');
    } else if (problem) {
      item.description = problem.kind === 'misconfigured' ? problem.reason : `unreachable: ${problem.reason}`;
      item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
    } else {
      item.description = 'connecting…';
      item.iconPath = new vscode.ThemeIcon('loading~spin');
    }
    item.tooltip = `${this.session.liveSnapshot?.engine.endpoint.url ?? this.entry}\n${String(item.description)}`;
    item.contextValue = 'engine';
    return item;
  }

  override getChildren(): TreeNode[] {
    const state = this.session.state;
    const problem = sessionProblemLine(state);
    if (problem) return [new MessageNode(`${this.id}/problem`, this, problem, { icon: 'warning' })];
    if (state.kind !== 'ready') return [];
    const snapshot = state.snapshot;
    const live = this.session.liveSnapshot;
    const ctx: SnapshotContext = { snapshot, engineIsLocal: !!live && isLocalEndpoint(live.engine.endpoint), namesById: containerNamesById(snapshot) };
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

  constructor(
    private readonly log: vscode.LogOutputChannel,
    private readonly pins: HelperImagePins,
  ) {
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
      // Each entry names its engine itself: the environment's DOCKER_HOST is the main session's, not theirs.
      const endpoint = entry.startsWith('context:') ? { context: entry.slice('context:'.length), env: {} } : { explicit: entry, env: {} };
      const id = `engine/${i}/${entry}`;
      const session = new EngineSession(id, `Network Diagram — ${entry}`, { endpoint, helper }, logTo(this.log, `[${entry}] `));
      const root = new EngineRootNode(id, entry, session);
      this.subscriptions.push(
        session.onDidChangeState(() => this.emitter.fire(root)),
        session,
      );
      if (this.started) session.ensureStarted();
      return root;
    });
    this.emitter.fire(undefined);
  }

  getTreeItem(element: TreeNode): vscode.TreeItem {
    return element.toTreeItem();
  }

  resolveTreeItem(item: vscode.TreeItem, element: TreeNode): vscode.TreeItem {
    item.tooltip ??= element.lazyTooltip();
    return item;
  }

  /** The diagram of one engine of this view (its root node, or its index). */
  diagramSourceFor(node: unknown): SessionView | null {
    const root = node instanceof EngineRootNode ? node : typeof node === 'number' ? this.roots[node] : undefined;
    return root?.session ?? null;
  }

  getParent(element: TreeNode): TreeNode | null {
    return element.parent;
  }

  getChildren(element?: TreeNode): TreeNode[] | Promise<TreeNode[]> {
    if (element) return element.getChildren();
    if (!this.started) {
      this.started = true;
      for (const r of this.roots) r.session.ensureStarted();
    }
    if (!this.roots.length)
      return [
        new MessageNode(`${ENGINES_VIEW}/empty`, null, 'Add endpoints or context:NAME entries to containerInternals.engines to watch several engines here', {
          icon: 'info',
        }),
      ];
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
