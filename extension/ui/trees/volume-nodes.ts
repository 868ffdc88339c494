// The Volumes view: each volume, where its data lives on the host, and who mounts it.

import * as vscode from 'vscode';
import type { VolumeSnapshot } from '../../core/snapshot/model';
import { MessageNode, TreeNode } from './tree-node';

export class VolumeNode extends TreeNode {
  constructor(
    id: string,
    readonly volume: VolumeSnapshot,
    private readonly engineIsLocal: boolean,
  ) {
    super(id, null);
  }
  get hostPath(): string | null {
    return this.volume.mountpoint;
  }
  toTreeItem(): vscode.TreeItem {
    const v = this.volume;
    const label = v.anonymous ? `${v.name.slice(0, 12)}…` : v.name;
    const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    item.description = [v.anonymous ? 'anonymous' : '', v.driver !== 'local' ? v.driver : '', v.device ? `bind ${v.device}` : (v.mountpoint ?? '')]
      .filter(Boolean)
      .join(' · ');
    item.iconPath = new vscode.ThemeIcon(v.anonymous ? 'database' : 'database', v.usedBy.length ? undefined : new vscode.ThemeColor('disabledForeground'));
    item.tooltip = [
      `${v.name}${v.anonymous ? ' (anonymous)' : ''}`,
      `driver ${v.driver}`,
      v.mountpoint ? `host path ${v.mountpoint}` : '',
      v.device ? `backed by ${v.device}` : '',
      `${v.usedBy.length} mount(s)`,
    ]
      .filter(Boolean)
      .join('\n');
    const local = this.engineIsLocal && v.mountpoint ? '.local' : '';
    item.contextValue = `volume${v.mountpoint ? '.hostpath' : ''}${local}${v.anonymous ? '.anonymous' : ''}`;
    return item;
  }
  override getChildren(): TreeNode[] {
    const v = this.volume;
    if (!v.usedBy.length) return [new MessageNode(`${this.id}/unused`, this, 'not mounted by any container', { icon: 'info' })];
    return v.usedBy.map(
      (u) =>
        new MessageNode(`${this.id}/by/${encodeURIComponent(u.container)}/${encodeURIComponent(u.destination)}`, this, `${u.container} → ${u.destination}`, {
          icon: 'vm',
          description: u.rw ? 'rw' : 'ro',
        }),
    );
  }
}
