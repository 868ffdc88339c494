// Groups for the Containers view: by network namespace, Docker network or
// compose project. A container can sit in several Docker-network groups.

import { snapshotIndex } from '../core/snapshot/snapshot-index';
import { compareNatural } from '../core/common/natural-order';
import type { ContainerSnapshot, Snapshot } from '../core/snapshot/model';

export type GroupBy = 'none' | 'netns' | 'network' | 'project';

export interface ContainerGroup {
  key: string;
  label: string;
  description: string;
  icon: string;
  members: ContainerSnapshot[];
}

export function groupContainers(snapshot: Snapshot, groupBy: Exclude<GroupBy, 'none'>): ContainerGroup[] {
  const groups = new Map<string, ContainerGroup>();
  const add = (key: string, label: string, description: string, icon: string, c: ContainerSnapshot): void => {
    let g = groups.get(key);
    if (!g) {
      g = { key, label, description, icon, members: [] };
      groups.set(key, g);
    }
    if (!g.members.includes(c)) g.members.push(c);
  };
  for (const c of snapshot.containers) {
    if (groupBy === 'netns') {
      const inode = c.namespaces.net;
      if (inode === null) add('netns:none', 'not running', 'no network namespace', 'circle-slash', c);
      else if (inode === snapshot.hostNamespaces?.net) add(`netns:${inode}`, `net ${inode}`, 'host', 'home', c);
      else add(`netns:${inode}`, `net ${inode}`, '', 'symbol-namespace', c);
    } else if (groupBy === 'network') {
      if (c.networkMode === 'host') add('network:host', 'host', "the host's network namespace", 'home', c);
      else if (c.networkMode === 'none') add('network:none', 'none', 'loopback only', 'circle-slash', c);
      else if (c.networkMode.startsWith('container:')) {
        const owner = snapshotIndex(snapshot).container(c.networkMode.slice('container:'.length));
        for (const ep of owner?.endpoints ?? []) add(`network:${ep.network}`, ep.network, networkDescription(snapshot, ep.network), 'globe', c);
        if (!owner?.endpoints.length) add('network:shared', 'shared namespaces', '--network container:…', 'link', c);
      } else if (c.endpoints.length) {
        for (const ep of c.endpoints) add(`network:${ep.network}`, ep.network, networkDescription(snapshot, ep.network), 'globe', c);
      } else add('network:unattached', 'no network', '', 'circle-slash', c);
    } else {
      const project = c.compose?.project;
      if (project) add(`project:${project}`, project, 'compose project', 'layers', c);
      else add('project:', 'no compose project', '', 'circle-outline', c);
    }
  }
  for (const g of groups.values()) {
    if (groupBy === 'netns' && !g.description) g.description = g.members.map((m) => m.name).join(', ');
  }
  return [...groups.values()].sort((a, b) => compareNatural(a.label, b.label));
}

function networkDescription(snapshot: Snapshot, name: string): string {
  const n = snapshotIndex(snapshot).network(name);
  return n ? [n.driver, n.bridge, ...n.subnets].filter(Boolean).join(' · ') : '';
}
