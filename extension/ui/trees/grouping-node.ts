import * as vscode from 'vscode';
import type { ContainerGroup } from '../../present/container-grouping';
import { TreeNode } from './tree-node';

export class ContainerGroupingNode extends TreeNode {
  children: TreeNode[] = [];
  constructor(
    id: string,
    readonly group: ContainerGroup,
  ) {
    super(id, null);
  }
  toTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.group.label, vscode.TreeItemCollapsibleState.Expanded);
    item.id = this.id;
    item.description = this.group.description;
    item.iconPath = new vscode.ThemeIcon(this.group.icon);
    item.contextValue = `grouping.${this.group.key.split(':')[0]}`;
    return item;
  }
  override getChildren(): TreeNode[] {
    return this.children;
  }
}
