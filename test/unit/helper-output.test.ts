import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeHelperJson, decodeNameBytes, HelperOutputError, parseHelperOutput } from '../../extension/core/host/helper-output';
import { parseEntryList } from '../../extension/core/actions/mount-shadow';
import { loadLabFixture } from './fixtures';

const ID_A = 'a'.repeat(64);
const ID_B = 'b'.repeat(64);
const base = { format: 'container-internals-helper', version: 2, ok: true, ipMode: 'direct', reference: { pid: 7, source: 'parent' }, pids: [null] };

describe('parseHelperOutput', () => {
  it('reads namespaces per pid and links per network namespace from a recorded run', () => {
    const { facts } = loadLabFixture();
    assert.equal(facts.referenceSource, 'parent');
    const host = facts.namespacesByPid.get(facts.referencePid);
    assert.ok(host?.net && host.mnt && host.pid && host.user, 'reference namespaces present');
    assert.ok(facts.netns.length >= 4);
    assert.ok([...facts.verdicts.values()].every((v) => v.verified));
    const hostNetns = facts.netns.find((n) => n.inode === host.net);
    assert.ok(hostNetns?.links?.some((l) => l.ifname === 'docker0' && l.info_kind === 'bridge'));
  });

  it('keeps only the namespace types of the model', () => {
    const facts = parseHelperOutput(
      JSON.stringify({
        ...base,
        namespaces: [
          ['/proc/7/ns/net', 11],
          ['/proc/7/ns/pid_for_children', 12],
        ],
        netns: [],
      }),
    );
    assert.deepEqual(facts.namespacesByPid.get(7), { net: 11, mnt: null, pid: null, uts: null, ipc: null, cgroup: null, user: null, time: null });
  });

  it('drops every reading of a pid the helper did not verify', () => {
    const facts = parseHelperOutput(
      JSON.stringify({
        ...base,
        pids: [{ pid: 9, id: ID_A, verified: true, reason: null }, { pid: 10, id: ID_B, verified: false, reason: 'cgroup' }, null],
        namespaces: [
          ['/proc/9/ns/net', 21],
          ['/proc/10/ns/net', 22],
        ],
        netns: [{ pid: 9, inode: 21, links: [] }, { pid: 10, inode: 22, links: [] }, null],
      }),
    );
    assert.deepEqual([...facts.namespacesByPid.keys()], [9]);
    assert.deepEqual(
      facts.netns.map((n) => n.pid),
      [9],
    );
    assert.deepEqual(facts.verdicts.get(ID_B), { pid: 10, containerId: ID_B, verified: false, reason: 'cgroup' });
  });

  it('marks a namespace whose ip run failed as unreadable rather than empty', () => {
    const facts = parseHelperOutput(JSON.stringify({ ...base, namespaces: [], netns: [{ pid: 7, inode: 5, links: null }] }));
    assert.equal(facts.netns[0]?.links, null);
  });

  it('takes interface names byte for byte: raw control bytes, and names that are not UTF-8 marked inexact', () => {
    // What ip -j prints for a name with \x01 and one with \xff: the bytes raw inside the string.
    const link = (name: Buffer) => Buffer.concat([Buffer.from('{"ifindex":3,"ifname":"'), name, Buffer.from('","flags":[],"operstate":"UP"}')]);
    const doc = Buffer.concat([
      Buffer.from(JSON.stringify({ ...base, namespaces: [] }).replace(/}$/, ',"netns":[{"pid":7,"inode":5,"links":[')),
      link(Buffer.from('ev\x01il')),
      Buffer.from(','),
      link(Buffer.from([0x65, 0x76, 0xff, 0x6c])),
      Buffer.from(','),
      link(Buffer.from('grüße')),
      Buffer.from(']}]}\n'),
    ]);
    const links = parseHelperOutput(doc).netns[0]?.links ?? [];
    assert.deepEqual(
      links.map((l) => [l.ifname, l.nameIsExact]),
      [
        ['ev\x01il', true],
        ['ev\\xffl', false],
        ['grüße', true],
      ],
    );
  });

  for (const [what, text, message] of [
    ['non-JSON text', 'sh: nsenter: not found', /not JSON/],
    ['another format', JSON.stringify({ format: 'x', version: 2 }), /unknown format/],
    ['an older version', JSON.stringify({ ...base, version: 1 }), /version 1/],
    [
      'a failure document',
      JSON.stringify({ format: 'container-internals-helper', version: 2, ok: false, error: 'arguments must be PID:CONTAINER_ID' }),
      /PID:CONTAINER_ID/,
    ],
    ['a path outside /proc/PID/ns', JSON.stringify({ ...base, namespaces: [['/etc/passwd', 1]], netns: [] }), /bad namespace path/],
    ['a negative inode', JSON.stringify({ ...base, namespaces: [['/proc/7/ns/net', -1]], netns: [] }), /whole number/],
    ['a reference found by an unknown way', JSON.stringify({ ...base, reference: { pid: 7, source: 'shim' }, namespaces: [], netns: [] }), /reference source/],
    [
      'a verdict for a malformed id',
      JSON.stringify({ ...base, pids: [{ pid: 9, id: 'x', verified: true, reason: null }], namespaces: [], netns: [] }),
      /container id/,
    ],
  ] as const) {
    it(`rejects ${what}`, () => {
      assert.throws(
        () => parseHelperOutput(text),
        (e: unknown) => e instanceof HelperOutputError && message.test(e.message),
      );
    });
  }
});

describe('names as bytes', () => {
  it('decodes valid UTF-8 exactly and escapes only the stray bytes of anything else', () => {
    assert.deepEqual(decodeNameBytes(Buffer.from('line1\nline2')), { text: 'line1\nline2', exact: true });
    assert.deepEqual(decodeNameBytes(Buffer.from([0x62, 0x61, 0x64, 0xff, 0x62])), { text: 'bad\\xffb', exact: false });
  });

  it('escapes control bytes only inside strings, so whitespace between tokens stays whitespace', () => {
    assert.deepEqual(decodeHelperJson(Buffer.from('[\n "a\x01b",\n\t1]\n')), ['a\x01b', 1]);
  });

  it('splits a NUL-separated listing into names, newlines and all, one list per kind', () => {
    // directories: d; files: line1\nline2, plain, b\xff; symlinks: none; other: fifo
    const listing = Buffer.concat([Buffer.from('./d\0\0./line1\nline2\0./plain\0./'), Buffer.from([0x62, 0xff]), Buffer.from('\0\0\0./fifo\0\0')]).toString(
      'base64',
    );
    assert.deepEqual(parseEntryList(listing), [
      { name: 'd', kind: 'dir', exact: true },
      { name: 'line1\nline2', kind: 'file', exact: true },
      { name: 'plain', kind: 'file', exact: true },
      { name: 'b\\xff', kind: 'file', exact: false },
      { name: 'fifo', kind: 'other', exact: true },
    ]);
  });
});
