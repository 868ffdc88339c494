// Small, exact edits to a Snapshot that need no engine round trip.

import { compareNatural } from '../common/natural-order';
import type { EngineEvent } from '../engine/engine-events';
import { emptyNamespaces } from '../host/helper-output';
import { composeIdentity } from './container-inspect';
import type { ContainerSnapshot, Snapshot } from './model';
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

/**
 * The snapshot with a container the engine just announced (`create`), drawn
 * from the event's own words (name, image, labels) until its inspect and the
 * helper fill it in, so the row shows without waiting for them. Nothing the
 * event does not say is guessed: namespaces and wiring are "still being read".
 */
export function withAnnouncedContainer(snapshot: Snapshot, event: EngineEvent): Snapshot {
  if (event.type !== 'container' || event.action !== 'create' || !event.id || !event.name) return snapshot;
  if (snapshot.containers.some((c) => c.id === event.id)) return snapshot;
  const { name: _name, image: _image, ...labels } = event.attributes ?? {};
  const announced: ContainerSnapshot = {
    id: event.id,
    name: event.name,
    image: event.image ?? '',
    state: 'created',
    pid: null,
    networkMode: 'default',
    namespaces: emptyNamespaces(),
    mounts: [],
    interfaces: [],
    endpoints: [],
    ports: [],
    compose: composeIdentity(labels),
    labels,
    unavailable: { namespaces: 'still being read', interfaces: 'still being read' },
  };
  const containers = [...snapshot.containers, announced].sort((a, b) => compareNatural(a.name, b.name) || compareNatural(a.id, b.id));
  return { ...snapshot, containers };
}
