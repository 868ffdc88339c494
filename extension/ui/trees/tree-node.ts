import * as vscode from 'vscode';
import type { SessionState } from '../../core/session/engine-session';
import { type SessionProblem, sessionProblem } from '../../present/session-problem';

/** Every item of every view: stable id, its TreeItem, children, and its parent for reveal(). */
export abstract class TreeNode {
  constructor(
    readonly id: string,
    readonly parent: TreeNode | null,
  ) {}
  abstract toTreeItem(): vscode.TreeItem;
  /** A promise where the children must be read first (a Processes group on its first expand). */
  getChildren(): TreeNode[] | Promise<TreeNode[]> {
    return [];
  }
  /**
   * A tooltip computed only when the row is hovered (resolveTreeItem). Rows
   * at the top of a big view set this instead of item.tooltip, so that a
   * refresh of hundreds of rows does not carry hundreds of tooltips.
   */
  lazyTooltip(): vscode.MarkdownString | string | undefined {
    return undefined;
  }
}

/** A line of text: an explanation rather than an object. */
export class MessageNode extends TreeNode {
  constructor(
    id: string,
    parent: TreeNode | null,
    private readonly label: string,
    private readonly options: { icon?: string; tooltip?: string; description?: string } = {},
  ) {
    super(id, parent);
  }
  toTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.label, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.contextValue = 'message';
    if (this.options.icon) item.iconPath = new vscode.ThemeIcon(this.options.icon);
    if (this.options.tooltip) item.tooltip = this.options.tooltip;
    if (this.options.description) item.description = this.options.description;
    return item;
  }
}

/** A clickable line that runs a command: the way out of an error. */
export class ActionNode extends TreeNode {
  constructor(
    id: string,
    parent: TreeNode | null,
    private readonly label: string,
    private readonly command: vscode.Command,
    private readonly icon: string,
  ) {
    super(id, parent);
  }
  toTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.label, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.command = this.command;
    item.iconPath = new vscode.ThemeIcon(this.icon);
    item.contextValue = 'action';
    return item;
  }
}

/** A problem the user can act on, with its actions as children. */
export class ProblemNode extends TreeNode {
  private readonly actions: TreeNode[];
  constructor(
    id: string,
    private readonly label: string,
    private readonly detail: string,
    actions: Array<[string, vscode.Command, string]>,
    private readonly severity: 'error' | 'warning' = 'error',
  ) {
    super(id, null);
    this.actions = actions.map(([label, command, icon]) => new ActionNode(`${id}/${label}`, this, label, command, icon));
  }
  toTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.label, vscode.TreeItemCollapsibleState.Expanded);
    item.id = this.id;
    item.description = this.detail;
    item.tooltip = `${this.label}\n${this.detail}`;
    item.iconPath = new vscode.ThemeIcon(this.severity, new vscode.ThemeColor(this.severity === 'error' ? 'errorForeground' : 'editorWarning.foreground'));
    item.contextValue = `problem.${this.severity}`;
    return item;
  }
  override getChildren(): TreeNode[] {
    return this.actions;
  }
}

const RETRY: vscode.Command = { command: 'containerInternals.refresh', title: 'Retry' };
const CONFIGURE: vscode.Command = { command: 'containerInternals.configureEngine', title: 'Configure…' };
const SHOW_LOGS: vscode.Command = { command: 'containerInternals.showLogs', title: 'Show Logs' };

/** The root items for a session that has no snapshot to show. */
export function problemNodesFor(state: SessionState, view: string): TreeNode[] {
  const problem = sessionProblem(state);
  if (!problem) return [];
  const actions: Record<SessionProblem['kind'], Array<[string, vscode.Command, string]>> = {
    unreachable: [
      ['Retry', RETRY, 'refresh'],
      ['Configure…', CONFIGURE, 'gear'],
      ['Show Logs', SHOW_LOGS, 'output'],
    ],
    failed: [
      ['Retry', RETRY, 'refresh'],
      ['Show Logs', SHOW_LOGS, 'output'],
    ],
    misconfigured: [['Configure…', CONFIGURE, 'gear']],
  };
  return [new ProblemNode(`${view}/problem/${problem.kind}`, problem.headline, problem.reason, actions[problem.kind])];
}
