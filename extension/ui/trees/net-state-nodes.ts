// Rows read from the host's forwarding state on expand: a bridge's CAM table,
// the host's routes to it, the ports published on it, and a container's routes.

import * as vscode from 'vscode';
import { camOf } from '../../core/network/cam-table';
import type { NetState, RouteEntry } from '../../core/network/net-state-model';
import { publishedPorts } from '../../core/network/published-ports';
import type { ContainerSnapshot, DockerNetworkSnapshot, Snapshot } from '../../core/snapshot/model';
import { printable } from '../../present/snapshot-text';
import { publishedPortLine } from '../../present/trace-text';
import type { NetStateSource } from '../net-state-source';
import { MessageNode, TreeNode } from './tree-node';

abstract class NetStateGroupNode extends TreeNode {
  constructor(
    id: string,
    parent: TreeNode,
    private readonly label: string,
    private readonly icon: string,
    protected readonly source: NetStateSource,
    protected readonly snapshot: Snapshot,
  ) {
    super(id, parent);
  }
  protected abstract rows(state: NetState): TreeNode[];
  protected withRoutesOf(): ContainerSnapshot[] {
    return [];
  }
  toTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.label, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon(this.icon);
    item.contextValue = `netstate.${this.label.toLowerCase().replace(/\W+/g, '-')}`;
    item.tooltip = 'Read from the host through the helper when opened.';
    return item;
  }
  override async getChildren(): Promise<TreeNode[]> {
    try {
      const rows = this.rows(await this.source.get(this.snapshot, this.withRoutesOf()));
      return rows.length ? rows : [new MessageNode(`${this.id}/none`, this, 'none', { icon: 'info' })];
    } catch (error) {
      return [new MessageNode(`${this.id}/error`, this, `could not be read: ${(error as Error).message}`, { icon: 'error' })];
    }
  }
}

/** A group about one bridge. */
abstract class BridgeGroupNode extends NetStateGroupNode {
  constructor(
    id: string,
    parent: TreeNode,
    source: NetStateSource,
    snapshot: Snapshot,
    readonly bridge: string,
    what: [label: string, icon: string],
  ) {
    super(id, parent, what[0], what[1], source, snapshot);
  }
}

/** The bridge's forwarding database: MAC → port → the container that owns the MAC. */
export class CamTableNode extends BridgeGroupNode {
  constructor(id: string, parent: TreeNode, source: NetStateSource, snapshot: Snapshot, bridge: string) {
    super(id, parent, source, snapshot, bridge, ['CAM table', 'table']);
  }
  protected rows(state: NetState): TreeNode[] {
    const ageing = state.ageing.get(this.bridge);
    return camOf(state, this.bridge).map(
      (e) =>
        new MessageNode(`${this.id}/${e.mac}/${e.port}/${e.vlan ?? ''}`, this, `${e.mac} → ${printable(e.port)}`, {
          icon: e.state === 'learned' ? 'arrow-swap' : e.state === 'local' ? 'home' : 'pinned',
          description: [
            e.owner
              ? `${printable(e.owner.container)} ${printable(e.owner.iface)}`
              : e.state === 'local'
                ? "the port's own address"
                : 'no container has this MAC',
            e.state === 'learned'
              ? `learned${e.updatedSecondsAgo !== null ? `, ${e.updatedSecondsAgo} s ago${ageing ? ` (ages out at ${ageing} s)` : ''}` : ''}`
              : e.state,
            e.vlan !== null ? `vlan ${e.vlan}` : '',
          ]
            .filter(Boolean)
            .join(' · '),
        }),
    );
  }
}

function routeRow(parent: TreeNode, id: string, r: RouteEntry): TreeNode {
  return new MessageNode(`${id}/${r.family}/${r.dst}/${r.dev ?? ''}`, parent, `${r.dst}${r.gateway ? ` via ${r.gateway}` : ''}`, {
    icon: r.dst === 'default' ? 'arrow-right' : 'git-commit',
    description: [r.dev ? `dev ${printable(r.dev)}` : '', r.scope === 'link' ? 'connected' : '', r.prefsrc ? `src ${r.prefsrc}` : '', r.protocol ?? '']
      .filter(Boolean)
      .join(' · '),
  });
}

/** The host's routes that lead to this bridge. */
export class HostRoutesNode extends BridgeGroupNode {
  constructor(id: string, parent: TreeNode, source: NetStateSource, snapshot: Snapshot, bridge: string) {
    super(id, parent, source, snapshot, bridge, ['Host routes', 'git-merge']);
  }
  protected rows(state: NetState): TreeNode[] {
    return state.hostRoutes.filter((r) => r.dev === this.bridge).map((r) => routeRow(this, this.id, r));
  }
}

/** Ports published by containers on this network, each with its DNAT rule and docker-proxy. */
export class PublishedPortsNode extends NetStateGroupNode {
  constructor(
    id: string,
    parent: TreeNode,
    source: NetStateSource,
    snapshot: Snapshot,
    readonly network: DockerNetworkSnapshot,
  ) {
    super(id, parent, 'Published ports', 'plug', source, snapshot);
  }
  protected rows(state: NetState): TreeNode[] {
    const here = new Set(this.snapshot.containers.filter((c) => c.endpoints.some((e) => e.network === this.network.name)).map((c) => c.id));
    return publishedPorts(this.snapshot, state)
      .filter((p) => here.has(p.containerId))
      .map(
        (p) =>
          new MessageNode(
            `${this.id}/${p.hostIp}/${p.hostPort}/${p.protocol}`,
            this,
            `${p.hostIp}:${p.hostPort}/${p.protocol} → ${printable(p.container)} ${p.containerPort}`,
            {
              icon: 'arrow-right',
              description: p.dnatRule ? 'DNAT' : 'no DNAT rule found',
              tooltip: publishedPortLine(p),
            },
          ),
      );
  }
}

/** A container's own routing table (IPv4 and IPv6), read in its network namespace. */
export class ContainerRoutesNode extends NetStateGroupNode {
  constructor(
    id: string,
    parent: TreeNode,
    source: NetStateSource,
    snapshot: Snapshot,
    readonly container: ContainerSnapshot,
  ) {
    super(id, parent, 'Routes', 'git-merge', source, snapshot);
  }
  protected override withRoutesOf(): ContainerSnapshot[] {
    return [this.container];
  }
  protected rows(state: NetState): TreeNode[] {
    const routes = state.containerRoutes.get(this.container.id);
    if (!routes) return [new MessageNode(`${this.id}/unread`, this, 'its routes could not be read (it may have stopped)', { icon: 'info' })];
    return routes.map((r) => routeRow(this, this.id, r));
  }
}
