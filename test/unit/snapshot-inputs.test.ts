import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EngineEvent } from '../../extension/core/engine/engine-events';
import { emptyNamespaces, type HostFacts } from '../../extension/core/host/helper-output';
import { HOST_LINKS_SETTLED, mergeHostFacts, removesPorts, staleParts } from '../../extension/core/snapshot/snapshot-inputs';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const ev = (type: string, action: string, id: string, containerId: string | null = null): EngineEvent => ({ type, action, id, name: null, containerId });

function facts(reference: number, entries: Array<[number, number]>, verdicts: Array<[string, number]>): HostFacts {
  return {
    ipMode: 'direct',
    referencePid: reference,
    referenceSource: 'parent',
    namespacesByPid: new Map(entries.map(([pid, net]) => [pid, { ...emptyNamespaces(), net }])),
    verdicts: new Map(verdicts.map(([id, pid]) => [id, { pid, containerId: id, verified: true, reason: null }])),
    netns: entries.map(([pid, net]) => ({ pid, inode: net, links: [] })),
  };
}

describe('staleParts', () => {
  it('names the containers to read again, and whether the network or volume list changed', () => {
    const stale = staleParts([ev('container', 'start', A), ev('network', 'connect', 'n1', B), ev('network', 'create', 'n2'), ev('volume', 'create', 'v')]);
    assert.deepEqual([...stale.containers], [A, B]);
    assert.equal(stale.networks, true);
    assert.equal(stale.volumes, true);
    assert.deepEqual(staleParts([ev('container', 'die', A)]), { containers: new Set([A]), networks: false, volumes: false, hostLinks: false });
    // The live model's own note after a port went away: the host's links only, no container.
    assert.deepEqual(staleParts([HOST_LINKS_SETTLED]), { containers: new Set(), networks: false, volumes: false, hostLinks: true });
    assert.ok(removesPorts(ev('container', 'destroy', A)) && removesPorts(ev('network', 'disconnect', 'n1', B)));
    assert.ok(!removesPorts(ev('container', 'start', A)) && !removesPorts(ev('network', 'connect', 'n1', B)));
  });
});

describe('mergeHostFacts', () => {
  it('replaces the readings of the containers read again, keeps the others, and drops namespaces nobody uses', () => {
    const old = facts(
      1,
      [
        [1, 100],
        [10, 200],
        [20, 300],
      ],
      [
        [A, 10],
        [B, 20],
      ],
    );
    // A died (pid 10 gone): the new run read only the host.
    const fresh = facts(2, [[2, 100]], []);
    const merged = mergeHostFacts(old, fresh, new Set([10]), new Set([A]));
    assert.deepEqual([...merged.namespacesByPid.keys()].sort(), [2, 20]);
    assert.deepEqual([...merged.verdicts.keys()], [B]);
    assert.deepEqual(merged.netns.map((n) => n.inode).sort(), [100, 300]);
    assert.equal(merged.referencePid, 2);
  });
});
