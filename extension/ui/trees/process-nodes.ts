// The Processes group under a running container: its cgroup limits and use,
// and each process the host sees in it, read only while the group is open.

import * as vscode from 'vscode';
import type { ProcessInfo } from '../../core/processes/process-model';
import { NAMESPACE_TYPES } from '../../core/snapshot/model';
import { limitsDescription, processDescription, processesSummary, processLabel, processTooltip } from '../../present/process-text';
import type { ProcessWatches } from '../process-watches';
import type { ContainerNode } from './container-nodes';
import { MessageNode, TreeNode } from './tree-node';

export class ProcessesGroupNode extends TreeNode {
  constructor(
    id: string,
    readonly owner: ContainerNode,
    private readonly watches: ProcessWatches,
  ) {
    super(id, owner);
  }

  get containerId(): string {
    return this.owner.container.id;
  }

  toTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem('Processes', vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon('server-process');
    const state = this.watches.current(this.containerId)?.state;
    item.description = state?.kind === 'ready' ? processesSummary(state.value) : state?.kind === 'failed' ? 'could not be read' : '';
    item.tooltip = 'Every process of this container as the host sees it, read from /proc while this group is open.';
    item.contextValue = 'group.processes';
    return item;
  }

  override async getChildren(): Promise<TreeNode[]> {
    const state = await this.watches.watch(this);
    if (state.kind === 'failed') return [new MessageNode(`${this.id}/failed`, this, `could not read the processes: ${state.reason}`, { icon: 'error' })];
    if (state.kind === 'loading') return [new MessageNode(`${this.id}/loading`, this, 'still being read', { icon: 'loading~spin' })];
    const value = state.value;
    if (value.unavailable) return [new MessageNode(`${this.id}/why`, this, value.unavailable, { icon: 'info' })];
    const out: TreeNode[] = [];
    if (value.limits) {
      out.push(
        new MessageNode(`${this.id}/cgroup`, this, `cgroup v${value.limits.version}`, {
          icon: 'dashboard',
          description: limitsDescription(value.limits, value.cpuRate),
          tooltip: 'Limits and use from the container’s cgroup files (memory, cpu, pids); CPU use is measured between two reads, while this group is open.',
        }),
      );
    }
    if (value.truncated)
      out.push(new MessageNode(`${this.id}/cut`, this, 'more processes than one read describes: only the first are listed', { icon: 'warning' }));
    for (const p of value.processes) out.push(new ProcessNode(processNodeId(this.id, p), this, p));
    return out;
  }
}

/** Pid and start time together: a reused pid is another row. */
export function processNodeId(groupId: string, p: ProcessInfo): string {
  return `${groupId}/${p.hostPid}-${p.startTicks}`;
}

export class ProcessNode extends TreeNode {
  constructor(
    id: string,
    readonly group: ProcessesGroupNode,
    readonly process: ProcessInfo,
  ) {
    super(id, group);
  }

  toTreeItem(): vscode.TreeItem {
    const p = this.process;
    const item = new vscode.TreeItem(processLabel(p), p.notShared.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.description = processDescription(p);
    item.tooltip = processTooltip(p, this.group.owner.container.name, this.group.owner.container.namespaces);
    item.iconPath = p.isInit
      ? new vscode.ThemeIcon('debug-start')
      : p.joined
        ? new vscode.ThemeIcon('debug-step-into', new vscode.ThemeColor('charts.orange'))
        : new vscode.ThemeIcon('circle-small');
    item.contextValue = `process${p.joined ? '.joined' : ''}`;
    return item;
  }

  /** For a process in only some of the container's namespaces: each one, by inode. */
  override getChildren(): TreeNode[] {
    const p = this.process;
    const container = this.group.owner.container.namespaces;
    return NAMESPACE_TYPES.filter((t) => p.shared.includes(t) || p.notShared.includes(t)).map((t) =>
      p.shared.includes(t)
        ? new MessageNode(`${this.id}/${t}`, this, `${t} ${p.namespaces[t]}`, { icon: 'link', description: 'the container’s' })
        : new MessageNode(`${this.id}/${t}`, this, `${t} ${p.namespaces[t]}`, { icon: 'circle-slash', description: `not the container’s (${container[t]})` }),
    );
  }
}
