// The Networks view: each Docker network, its Linux bridge, and who is plugged in.

import { snapshotIndex } from '../../core/snapshot/snapshot-index';
import * as vscode from 'vscode';
import type { DockerNetworkSnapshot, Snapshot } from '../../core/snapshot/model';
import { MessageNode, TreeNode } from './tree-node';
import { CamTableNode, HostRoutesNode, PublishedPortsNode } from './net-state-nodes';
import type { NetStateSource } from '../net-state-source';

export class NetworkNode extends TreeNode {
  constructor(
    id: string,
    readonly network: DockerNetworkSnapshot,
    readonly snapshot: Snapshot,
    private readonly netState?: NetStateSource,
  ) {
    super(id, null);
  }
  toTreeItem(): vscode.TreeItem {
    const n = this.network;
    const item = new vscode.TreeItem(n.name, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    item.description = [n.driver, n.bridge, ...n.subnets].filter(Boolean).join(' · ');
    item.iconPath = new vscode.ThemeIcon(
      n.driver === 'bridge' ? 'globe' : n.driver === 'host' ? 'home' : n.driver === 'null' ? 'circle-slash' : 'type-hierarchy',
    );
    item.tooltip = `${n.name} (${n.driver}, ${n.scope})\nid ${n.id}${n.bridge ? `\nLinux bridge ${n.bridge}` : ''}${n.parent ? `\nparent link ${n.parent}` : ''}${n.subnets.length ? `\nsubnets ${n.subnets.join(', ')}` : ''}${n.gateways.length ? `\ngateway ${n.gateways.join(', ')}` : ''}`;
    item.contextValue = `network.${n.driver || 'unknown'}`;
    return item;
  }
  override getChildren(): TreeNode[] {
    const { network: n, snapshot } = this;
    const out: TreeNode[] = [];
    const bridge = snapshotIndex(snapshot).bridge(n.bridge);
    if (n.bridge) {
      out.push(
        new MessageNode(`${this.id}/bridge`, this, `bridge ${n.bridge}`, {
          icon: 'server-environment',
          description: bridge
            ? `${bridge.addresses.filter((a) => !a.startsWith('fe80:')).join(' ')} · ${bridge.ports.length} port(s) · ${bridge.state}`
            : snapshot.helper.ok
              ? 'not present on the host'
              : 'needs the host helper',
        }),
      );
      // Read from the host only when opened: the forwarding state changes with every packet.
      if (bridge && this.netState) {
        out.push(
          new CamTableNode(`${this.id}/cam`, this, this.netState, snapshot, n.bridge),
          new HostRoutesNode(`${this.id}/routes`, this, this.netState, snapshot, n.bridge),
          new PublishedPortsNode(`${this.id}/ports`, this, this.netState, snapshot, n),
        );
      }
    }
    for (const c of snapshot.containers) {
      const ep = c.endpoints.find((e) => e.network === n.name);
      if (!ep) continue;
      const iface = c.interfaces.find((i) => ep.macAddress && i.mac === ep.macAddress);
      out.push(
        new EndpointNode(
          `${this.id}/ep/${c.id}`,
          this,
          c.name,
          ep.ipAddress,
          ep.macAddress,
          iface ? `${iface.name}${iface.hostPeer ? ` ⇄ ${iface.hostPeer.name}` : ''}` : null,
        ),
      );
    }
    if (!out.some((node) => node instanceof EndpointNode)) out.push(new MessageNode(`${this.id}/empty`, this, 'no containers attached', { icon: 'info' }));
    return out;
  }
}

export class EndpointNode extends TreeNode {
  constructor(
    id: string,
    parent: TreeNode,
    readonly containerName: string,
    readonly address: string | null,
    private readonly mac: string | null,
    private readonly wiring: string | null,
  ) {
    super(id, parent);
  }
  get ip(): string | null {
    return this.address?.split('/')[0] ?? null;
  }
  toTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(`${this.containerName}${this.address ? ` ${this.address}` : ''}`, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.description = this.wiring ?? this.mac ?? '';
    item.tooltip = [this.address ? `IP ${this.address}` : 'no IP (not running)', this.mac ? `MAC ${this.mac}` : '', this.wiring ?? '']
      .filter(Boolean)
      .join('\n');
    item.iconPath = new vscode.ThemeIcon('plug');
    item.contextValue = `endpoint${this.ip ? '.ip' : ''}`;
    return item;
  }
}
