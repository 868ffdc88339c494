// Pure decisions behind the helper's trust: is an engine on this machine, and
// which helper image may run.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judgeLocality } from '../../extension/core/host/engine-locality';
import { isImmutableReference } from '../../extension/core/host/helper-image-pin';

const ID = 'c'.repeat(64);
const here = { name: 'devbox', kernel: '6.18.0-1-amd64' };

describe('judgeLocality', () => {
  it("is local when a reported pid's cgroup here names its container (cgroup v1 and v2 layouts)", () => {
    for (const cgroup of [`12:pids:/docker/${ID}\n1:name=systemd:/docker/${ID}\n`, `0::/system.slice/docker-${ID}.scope\n`]) {
      assert.equal(judgeLocality([{ id: ID, name: 'web', pid: 42, cgroup }], { name: null, kernel: null }, here).local, true);
    }
  });

  it('is not local when the pid here belongs to someone else, or does not exist (Docker Desktop, ssh -L, a VM)', () => {
    const other = judgeLocality(
      [{ id: ID, name: 'web', pid: 42, cgroup: '0::/user.slice/user-1000.slice/session-2.scope\n' }],
      { name: null, kernel: null },
      here,
    );
    assert.deepEqual(other, { local: false, evidence: 'pid 42 here is not a process of web' });
    assert.equal(judgeLocality([{ id: ID, name: 'web', pid: 42, cgroup: null }], { name: null, kernel: null }, here).local, false);
  });

  it('with nothing running, needs both the host name and the kernel to match', () => {
    assert.equal(judgeLocality([], here, here).local, true);
    assert.equal(judgeLocality([], { name: 'docker-desktop', kernel: '6.10.14-linuxkit' }, here).local, false);
    assert.equal(judgeLocality([], { name: 'devbox', kernel: '6.10.14-linuxkit' }, here).local, false);
  });
});

describe('helper image references', () => {
  it('treats ids and digests as fixed, and tags as movable', () => {
    assert.equal(isImmutableReference(`sha256:${'d'.repeat(64)}`), true);
    assert.equal(isImmutableReference(`busybox@sha256:${'d'.repeat(64)}`), true);
    assert.equal(isImmutableReference('busybox:latest'), false);
    assert.equal(isImmutableReference('busybox'), false);
  });
});
