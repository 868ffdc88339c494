// Small, exact edits to a Snapshot that need no engine round trip.

import type { Snapshot } from './model';
import { groupNamespaces } from './snapshot-assembly';

/**
 * The snapshot without one container: what a `destroy` event means. Applied at
 * once so the row disappears without waiting for the next full refresh.
 */
export function withoutContainer(snapshot: Snapshot, id: string): Snapshot {
  const gone = snapshot.containers.find((c) => c.id === id);
  if (!gone) return snapshot;
  const containers = snapshot.containers.filter((c) => c.id !== id);
  return {
    ...snapshot,
    containers,
    namespaceGroups: groupNamespaces(containers, snapshot.hostNamespaces),
    volumes: snapshot.volumes.map((v) => ({ ...v, usedBy: v.usedBy.filter((u) => u.container !== gone.name) })),
  };
}
