// The Containers view: one row per container, grouped as the user chose, and
// refreshed item by item when only some containers changed.

import { snapshotIndex } from '../../core/snapshot/snapshot-index';
import type { ContainerSnapshot, Snapshot } from '../../core/snapshot/model';
import { NAMESPACE_TYPES } from '../../core/snapshot/model';
import { containerNamesById } from '../../present/snapshot-text';
import { matchesContainerFilter } from '../../present/container-filter';
import { groupContainers } from '../../present/container-grouping';
import { ContainerGroupingNode } from './grouping-node';
import { ContainerNode, type SnapshotContext } from './container-nodes';
import type { EngineSession } from '../../core/session/engine-session';
import type { GroupBy } from '../settings';
import { SnapshotTreeProvider } from './snapshot-tree-provider';
import { ProcessWatches } from '../process-watches';
import { NetStateSource } from '../net-state-source';
import { MessageNode, ProblemNode, type TreeNode } from './tree-node';

export const CONTAINERS_VIEW = 'containerInternals.containers';

export class ContainersTreeProvider extends SnapshotTreeProvider {
  private nodes = new Map<string, ContainerNode>();
  private signatures = new Map<string, string>();
  private changed: ContainerNode[] = [];
  private filterValue = '';

  /** Open Processes groups, each read live while it stays open. */
  readonly processes: ProcessWatches;

  constructor(
    session: EngineSession,
    private groupByValue: GroupBy,
  ) {
    super(session, CONTAINERS_VIEW);
    this.processes = new ProcessWatches(session, (node) => this.repaint(node));
    this.netState = new NetStateSource(session);
  }

  /** A container's routes, read on expand. */
  readonly netState: NetStateSource;

  override dispose(): void {
    this.processes.dispose();
    super.dispose();
  }

  get filter(): string {
    return this.filterValue;
  }

  /** Keeps only the containers matching the query (see container-filter.ts); '' shows all. Applied to every snapshot that follows. */
  setFilter(query: string): void {
    const next = query.trim();
    if (next === this.filterValue) return;
    this.filterValue = next;
    this.rerender();
  }

  get groupBy(): GroupBy {
    return this.groupByValue;
  }

  setGroupBy(groupBy: GroupBy): void {
    if (groupBy === this.groupByValue) return;
    this.groupByValue = groupBy;
    this.rerender();
  }

  /** Every node showing a container with this name (one per group it sits in). */
  nodesForContainer(name: string): ContainerNode[] {
    return [...this.nodes.values()].filter((n) => n.container.name === name);
  }

  protected buildRoots(unfiltered: Snapshot, engineIsLocal: boolean): TreeNode[] {
    // Shared namespaces and wiring still name every container; only the rows are filtered.
    const snapshot = this.filterValue
      ? { ...unfiltered, containers: unfiltered.containers.filter((c) => matchesContainerFilter(c, this.filterValue)) }
      : unfiltered;
    const ctx: SnapshotContext = {
      snapshot: unfiltered,
      engineIsLocal,
      namesById: containerNamesById(unfiltered),
      processes: this.processes,
      netState: this.netState,
    };
    const next = new Map<string, ContainerNode>();
    const nextSignatures = new Map<string, string>();
    this.changed = [];
    const nodeFor = (id: string, parent: TreeNode | null, c: ContainerSnapshot): ContainerNode => {
      const signature = containerSignature(snapshot, c, engineIsLocal);
      let node = this.nodes.get(id);
      if (node && node.parent === parent) {
        if (this.signatures.get(id) !== signature) this.changed.push(node);
        node.container = c;
        node.ctx = ctx;
      } else {
        node = new ContainerNode(id, parent, c, ctx);
      }
      next.set(id, node);
      nextSignatures.set(id, signature);
      return node;
    };

    const roots: TreeNode[] = [];
    if (!snapshot.helper.ok) {
      roots.push(
        new ProblemNode(
          `${CONTAINERS_VIEW}/problem/helper`,
          'Namespace details need the host helper',
          snapshot.helper.reason ?? '',
          [['Enable…', { command: 'containerInternals.enableHelper', title: 'Enable…' }, 'key']],
          'warning',
        ),
      );
    }
    if (!snapshot.containers.length && this.filterValue) {
      roots.push(
        new MessageNode(`${CONTAINERS_VIEW}/no-match`, null, `No container matches "${this.filterValue}" (${unfiltered.containers.length} hidden)`, {
          icon: 'filter',
        }),
      );
    } else if (!snapshot.containers.length) {
      roots.push(new MessageNode(`${CONTAINERS_VIEW}/empty`, null, `No containers on ${snapshot.engine.endpoint}`, { icon: 'info' }));
    } else if (this.groupByValue === 'none') {
      for (const c of snapshot.containers) roots.push(nodeFor(`c/${c.id}`, null, c));
    } else {
      for (const g of groupContainers(snapshot, this.groupByValue)) {
        const groupNode = new ContainerGroupingNode(`g/${g.key}`, g);
        groupNode.children = g.members.map((c) => nodeFor(`g/${g.key}/c/${c.id}`, groupNode, c));
        roots.push(groupNode);
      }
    }
    this.nodes = next;
    this.signatures = nextSignatures;
    return roots;
  }

  protected override announce(): void {
    // Same rows as before: repaint only the containers whose facts changed.
    if (this.groupByValue !== 'none') {
      this.onDidChangeTreeDataEmitter.fire(undefined);
      return;
    }
    for (const node of this.changed) this.onDidChangeTreeDataEmitter.fire(node);
  }
}

/** Everything a container row and its children show, including who shares its namespaces. */
function containerSignature(snapshot: Snapshot, c: ContainerSnapshot, local: boolean): string {
  const index = snapshotIndex(snapshot);
  const sharing = NAMESPACE_TYPES.map((t) => index.namespaceGroup(t, c.namespaces[t])?.containers.join(',') ?? '');
  const bridges = c.interfaces.map((i) => index.bridge(i.hostPeer?.bridge)?.network ?? '');
  return JSON.stringify([c, sharing, bridges, snapshot.hostNamespaces?.net ?? null, local]);
}
