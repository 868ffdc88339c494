// One TreeNode class per kind of thing under a container: the container, its
// three groups, and namespace / mount / interface rows.

import { snapshotIndex } from '../../core/snapshot/snapshot-index';
import * as vscode from 'vscode';
import type { ContainerSnapshot, InterfaceSnapshot, MountSnapshot, NamespaceType, Snapshot } from '../../core/snapshot/model';
import { NAMESPACE_TYPES } from '../../core/snapshot/model';
import { describeInterface, describeMount, describeNamespaceSharing, describeNetworkMode, namespaceSharing } from '../../present/snapshot-text';
import { MessageNode, TreeNode } from './tree-node';
import { ProcessesGroupNode } from './process-nodes';
import { ContainerRoutesNode } from './net-state-nodes';
import type { NetStateSource } from '../net-state-source';
import type { ProcessWatches } from '../process-watches';

/** What a node needs besides its own data: the whole snapshot (for sharing) and whether paths are on this machine. */
export interface SnapshotContext {
  snapshot: Snapshot;
  engineIsLocal: boolean;
  namesById: Map<string, string>;
  /** Where a running container's Processes group is read from; views without it show no such group. */
  processes?: ProcessWatches;
  /** Where a container's routes are read from, on expand. */
  netState?: NetStateSource;
}

const STATE_ICONS: Record<string, [string, string | undefined]> = {
  running: ['vm-running', 'testing.iconPassed'],
  paused: ['debug-pause', 'editorWarning.foreground'],
  restarting: ['sync', 'editorWarning.foreground'],
  created: ['vm-outline', undefined],
  exited: ['vm-outline', 'disabledForeground'],
  dead: ['error', 'errorForeground'],
  removing: ['trash', undefined],
};

export class ContainerNode extends TreeNode {
  constructor(
    id: string,
    parent: TreeNode | null,
    public container: ContainerSnapshot,
    public ctx: SnapshotContext,
  ) {
    super(id, parent);
  }

  toTreeItem(): vscode.TreeItem {
    const c = this.container;
    const item = new vscode.TreeItem(c.name, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    item.description = `${c.image} · ${c.id.slice(0, 12)}`;
    const [icon, color] = STATE_ICONS[c.state] ?? ['question', undefined];
    item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
    item.contextValue = `container.${c.state}`;
    return item;
  }

  override lazyTooltip(): vscode.MarkdownString {
    const c = this.container;
    const tip = new vscode.MarkdownString();
    tip.appendMarkdown(`**${escapeMarkdown(c.name)}** — ${c.state}`);
    tip.appendText(`\nimage ${c.image}\nid ${c.id}\n${c.pid !== null ? `pid ${c.pid}\n` : ''}network mode ${c.networkMode}`);
    return tip;
  }

  override getChildren(): TreeNode[] {
    const groups: TreeNode[] = [
      new NamespacesGroupNode(`${this.id}/ns`, this),
      new MountsGroupNode(`${this.id}/mounts`, this),
      new NetworkGroupNode(`${this.id}/net`, this),
    ];
    if (this.ctx.processes && this.container.pid !== null) groups.push(new ProcessesGroupNode(`${this.id}/procs`, this, this.ctx.processes));
    return groups;
  }
}

abstract class ContainerGroupNode extends TreeNode {
  constructor(
    id: string,
    readonly owner: ContainerNode,
    private readonly label: string,
    private readonly icon: string,
  ) {
    super(id, owner);
  }
  protected abstract describe(): string;
  toTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.label, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon(this.icon);
    item.description = this.describe();
    item.contextValue = `group.${this.label.toLowerCase()}`;
    return item;
  }
}

export class NamespacesGroupNode extends ContainerGroupNode {
  constructor(id: string, owner: ContainerNode) {
    super(id, owner, 'Namespaces', 'symbol-namespace');
  }
  protected describe(): string {
    const c = this.owner.container;
    if (c.pid === null) return 'not running';
    const shared = NAMESPACE_TYPES.filter((t) => namespaceSharing(this.owner.ctx.snapshot, c, t).kind === 'shared');
    return shared.length ? `shares ${shared.join(', ')}` : '';
  }
  override getChildren(): TreeNode[] {
    const c = this.owner.container;
    if (c.unavailable.namespaces) return [new MessageNode(`${this.id}/why`, this, c.unavailable.namespaces, { icon: 'info' })];
    return NAMESPACE_TYPES.filter((t) => c.namespaces[t] !== null).map((t) => new NamespaceNode(`${this.id}/${t}`, this, t));
  }
}

export class NamespaceNode extends TreeNode {
  constructor(
    id: string,
    readonly group: NamespacesGroupNode,
    readonly type: NamespaceType,
  ) {
    super(id, group);
  }
  get inode(): number {
    return this.group.owner.container.namespaces[this.type] as number;
  }
  /** Other containers in the same namespace. */
  get sharers(): string[] {
    const { snapshot } = this.group.owner.ctx;
    const g = snapshotIndex(snapshot).namespaceGroup(this.type, this.inode);
    return (g?.containers ?? []).filter((n) => n !== this.group.owner.container.name);
  }
  toTreeItem(): vscode.TreeItem {
    const { snapshot } = this.group.owner.ctx;
    const sharing = describeNamespaceSharing(snapshot, this.group.owner.container, this.type);
    const item = new vscode.TreeItem(`${this.type} ${this.inode}`, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.description = sharing;
    const kind = namespaceSharing(snapshot, this.group.owner.container, this.type).kind;
    item.iconPath =
      kind === 'shared'
        ? new vscode.ThemeIcon('link', new vscode.ThemeColor('charts.blue'))
        : kind === 'host'
          ? new vscode.ThemeIcon('home')
          : new vscode.ThemeIcon('circle-small');
    item.tooltip = `${this.type}:[${this.inode}] — ${sharing}${kind === 'shared' ? '\nClick to reveal the others in this namespace.' : ''}`;
    item.contextValue = `namespace.${kind}`;
    if (kind === 'shared') item.command = { command: 'containerInternals.revealSharers', title: 'Reveal sharers', arguments: [this] };
    return item;
  }
}

export class MountsGroupNode extends ContainerGroupNode {
  constructor(id: string, owner: ContainerNode) {
    super(id, owner, 'Mounts', 'files');
  }
  protected describe(): string {
    const n = this.owner.container.mounts.length;
    return n ? `${n}` : 'none';
  }
  override getChildren(): TreeNode[] {
    const mounts = this.owner.container.mounts;
    if (!mounts.length) return [new MessageNode(`${this.id}/none`, this, 'no mounts: only the image and its writable layer', { icon: 'info' })];
    return mounts.map((m) => new MountNode(`${this.id}/${encodeURIComponent(m.destination)}`, this, m));
  }
}

export class MountNode extends TreeNode {
  constructor(
    id: string,
    readonly group: MountsGroupNode,
    readonly mount: MountSnapshot,
  ) {
    super(id, group);
  }
  get hostPath(): string | null {
    return this.mount.source;
  }
  toTreeItem(): vscode.TreeItem {
    const m = this.mount;
    const item = new vscode.TreeItem(describeMount(m), vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    if (m.type === 'volume' && m.source) item.description = m.source;
    else if (m.propagation && m.propagation !== 'rprivate') item.description = m.propagation;
    item.iconPath = new vscode.ThemeIcon(
      m.type === 'bind' ? 'file-symlink-directory' : m.type === 'volume' ? 'database' : m.type === 'tmpfs' ? 'zap' : 'file-submodule',
    );
    item.tooltip = [
      `${m.type} mount at ${m.destination} (${m.rw ? 'read-write' : 'read-only'})`,
      m.source ? `host path: ${m.source}` : 'no host path (in memory)',
      m.name ? `volume: ${m.name}${m.anonymous ? ' (anonymous)' : ''}` : '',
      m.propagation ? `propagation: ${m.propagation}` : '',
    ]
      .filter(Boolean)
      .join('\n');
    const local = this.group.owner.ctx.engineIsLocal && m.source ? '.local' : '';
    item.contextValue = `mount.${m.type}${m.source ? '.hostpath' : ''}${local}`;
    return item;
  }
}

export class NetworkGroupNode extends ContainerGroupNode {
  constructor(id: string, owner: ContainerNode) {
    super(id, owner, 'Network', 'globe');
  }
  protected describe(): string {
    return this.owner.container.networkMode;
  }
  override getChildren(): TreeNode[] {
    const { container: c, ctx } = this.owner;
    const out: TreeNode[] = [];
    const mode = describeNetworkMode(ctx.snapshot, c, ctx.namesById);
    if (mode)
      out.push(
        new MessageNode(`${this.id}/mode`, this, mode, { icon: c.networkMode === 'host' ? 'home' : c.networkMode === 'none' ? 'circle-slash' : 'link' }),
      );
    if (c.pid === null) {
      out.push(new MessageNode(`${this.id}/stopped`, this, 'not running: no network namespace', { icon: 'info' }));
      return out;
    }
    for (const i of c.interfaces) out.push(new InterfaceNode(`${this.id}/${encodeURIComponent(i.name)}`, this, i));
    if (ctx.netState && c.networkMode !== 'host') out.push(new ContainerRoutesNode(`${this.id}/routes`, this, ctx.netState, ctx.snapshot, c));
    if (!c.interfaces.length && c.unavailable.interfaces) {
      out.push(new MessageNode(`${this.id}/why`, this, c.unavailable.interfaces, { icon: 'info' }));
      for (const ep of c.endpoints) {
        out.push(
          new MessageNode(`${this.id}/ep/${encodeURIComponent(ep.network)}`, this, `${ep.network} ${ep.ipAddress ?? ''}`.trim(), {
            icon: 'plug',
            description: ep.macAddress ?? '',
          }),
        );
      }
    }
    return out;
  }
}

export class InterfaceNode extends TreeNode {
  constructor(
    id: string,
    readonly group: NetworkGroupNode,
    readonly iface: InterfaceSnapshot,
  ) {
    super(id, group);
  }
  get ip(): string | null {
    return this.iface.addresses.find((a) => !a.startsWith('fe80:'))?.split('/')[0] ?? null;
  }
  toTreeItem(): vscode.TreeItem {
    const i = this.iface;
    const item = new vscode.TreeItem(describeInterface(i, this.group.owner.ctx.snapshot), vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon(i.kind === 'loopback' ? 'debug-restart' : i.hostPeer ? 'plug' : 'symbol-interface');
    item.tooltip = [
      `${i.name}: ${i.kind}${i.driverKind && i.driverKind !== i.kind ? ` (${i.driverKind})` : ''}, ifindex ${i.ifindex}${i.peerIfindex !== null ? `, peer ifindex ${i.peerIfindex}` : ''}`,
      i.mac ? `MAC ${i.mac}` : '',
      `MTU ${i.mtu ?? '?'}, ${i.state}`,
      i.addresses.length ? `addresses ${i.addresses.join(', ')}` : 'no addresses',
      i.hostPeer ? `host end ${i.hostPeer.name} (ifindex ${i.hostPeer.ifindex})${i.hostPeer.bridge ? ` on bridge ${i.hostPeer.bridge}` : ''}` : '',
      i.network ? `Docker network ${i.network}` : '',
    ]
      .filter(Boolean)
      .join('\n');
    item.contextValue = `interface.${i.kind}${this.ip ? '.ip' : ''}`;
    return item;
  }
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, (c) => `\\${c}`);
}
