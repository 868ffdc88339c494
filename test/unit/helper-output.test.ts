import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HelperOutputError, parseHelperOutput } from '../../extension/core/helper-output';
import { loadLabFixture } from './fixtures';

const base = { format: 'container-internals-helper', version: 1, ok: true, ipMode: 'direct', reference: { pid: 7, source: 'shim' } };

describe('parseHelperOutput', () => {
  it('reads namespaces per pid and links per network namespace from a recorded run', () => {
    const { facts } = loadLabFixture();
    assert.equal(facts.referenceSource, 'shim');
    const host = facts.namespacesByPid.get(facts.referencePid);
    assert.ok(host?.net && host.mnt && host.pid && host.user, 'reference namespaces present');
    assert.ok(facts.netns.length >= 4);
    const hostNetns = facts.netns.find((n) => n.inode === host.net);
    assert.ok(hostNetns?.links?.some((l) => l.ifname === 'docker0' && l.info_kind === 'bridge'));
  });

  it('keeps only the namespace types of the model', () => {
    const facts = parseHelperOutput(JSON.stringify({ ...base, namespaces: [['/proc/7/ns/net', 11], ['/proc/7/ns/pid_for_children', 12]], netns: [] }));
    assert.deepEqual(facts.namespacesByPid.get(7), { net: 11, mnt: null, pid: null, uts: null, ipc: null, cgroup: null, user: null, time: null });
  });

  it('marks a namespace whose ip run failed as unreadable rather than empty', () => {
    const facts = parseHelperOutput(JSON.stringify({ ...base, namespaces: [], netns: [{ pid: 9, inode: 5, links: null }] }));
    assert.equal(facts.netns[0]?.links, null);
  });

  for (const [what, text, message] of [
    ['non-JSON text', 'sh: nsenter: not found', /not JSON/],
    ['another format', JSON.stringify({ format: 'x', version: 1 }), /unknown format/],
    ['a newer version', JSON.stringify({ ...base, version: 2 }), /version 2/],
    ['a failure document', JSON.stringify({ format: 'container-internals-helper', version: 1, ok: false, error: 'pid arguments must be decimal numbers' }), /pid arguments/],
    ['a path outside /proc/PID/ns', JSON.stringify({ ...base, namespaces: [['/etc/passwd', 1]], netns: [] }), /bad namespace path/],
    ['a negative inode', JSON.stringify({ ...base, namespaces: [['/proc/1/ns/net', -1]], netns: [] }), /whole number/],
  ] as const) {
    it(`rejects ${what}`, () => {
      assert.throws(() => parseHelperOutput(text), (e: unknown) => e instanceof HelperOutputError && message.test(e.message));
    });
  }
});
