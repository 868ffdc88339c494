// Lookups that every row of a view makes, by key instead of by scanning: with
// 500 containers there are thousands of namespace groups, and a scan per row
// per namespace made each update O(N²). Built once per snapshot object (a
// snapshot is never changed after it is assembled; edits make a new one).

import type { BridgeSnapshot, ContainerSnapshot, DockerNetworkSnapshot, NamespaceGroup, NamespaceType, Snapshot } from './model';

export interface SnapshotIndex {
  namespaceGroup(type: NamespaceType, inode: number | null): NamespaceGroup | undefined;
  bridge(name: string | null | undefined): BridgeSnapshot | undefined;
  network(name: string | null | undefined): DockerNetworkSnapshot | undefined;
  /** By full id or by name, as `--network container:X` names it. */
  container(idOrName: string): ContainerSnapshot | undefined;
}

const built = new WeakMap<Snapshot, SnapshotIndex>();

export function snapshotIndex(snapshot: Snapshot): SnapshotIndex {
  let index = built.get(snapshot);
  if (index) return index;
  const groups = new Map(snapshot.namespaceGroups.map((g) => [`${g.type}:${g.inode}`, g]));
  const bridges = new Map(snapshot.bridges.map((b) => [b.name, b]));
  const networks = new Map(snapshot.networks.map((n) => [n.name, n]));
  const containers = new Map<string, ContainerSnapshot>();
  for (const c of snapshot.containers) containers.set(c.name, c);
  for (const c of snapshot.containers) containers.set(c.id, c);
  index = {
    namespaceGroup: (type, inode) => (inode === null ? undefined : groups.get(`${type}:${inode}`)),
    bridge: (name) => (name ? bridges.get(name) : undefined),
    network: (name) => (name ? networks.get(name) : undefined),
    container: (idOrName) => containers.get(idOrName),
  };
  built.set(snapshot, index);
  return index;
}
