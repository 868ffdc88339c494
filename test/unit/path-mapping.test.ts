import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MountSnapshot } from '../../extension/core/snapshot/model';
import { containerPathToHostPath, governingMount, hostPathToContainerPaths } from '../../extension/core/actions/path-mapping';

const m = (type: string, source: string | null, destination: string, rw = true): MountSnapshot => ({ type, source, destination, rw, propagation: '' });

const src = m('bind', '/home/me/src', '/work');
const nested = m('volume', '/var/lib/docker/volumes/nm/_data', '/work/node_modules');
const fileBind = m('bind', '/home/me/app.conf', '/etc/app.conf', false);
const tmp = m('tmpfs', null, '/work/tmp');
const again = m('bind', '/home/me/src/docs', '/docs');
const mounts = [src, nested, fileBind, tmp, again];

describe('hostPathToContainerPaths', () => {
  it('maps a file under a bind mount to its container path', () => {
    assert.deepEqual(hostPathToContainerPaths('/home/me/src/lib/a.ts', mounts), [{ containerPath: '/work/lib/a.ts', mount: src }]);
  });

  it('finds every place a file is visible when mounts overlap on the host', () => {
    assert.deepEqual(
      hostPathToContainerPaths('/home/me/src/docs/readme.md', mounts).map((x) => x.containerPath),
      ['/docs/readme.md', '/work/docs/readme.md'],
    );
  });

  it('drops a path that a deeper mount shadows inside the container', () => {
    // /home/me/src/node_modules exists on the host, but /work/node_modules shows the volume instead.
    assert.deepEqual(hostPathToContainerPaths('/home/me/src/node_modules/x/index.js', mounts), []);
    assert.deepEqual(hostPathToContainerPaths('/home/me/src/tmp/cache', mounts), []);
  });

  it('maps through a file bind mount and a volume mountpoint', () => {
    assert.deepEqual(
      hostPathToContainerPaths('/home/me/app.conf', mounts).map((x) => x.containerPath),
      ['/etc/app.conf'],
    );
    assert.deepEqual(
      hostPathToContainerPaths('/var/lib/docker/volumes/nm/_data/x/index.js', mounts).map((x) => x.containerPath),
      ['/work/node_modules/x/index.js'],
    );
  });

  it('does not match sibling paths that merely share a prefix', () => {
    assert.deepEqual(hostPathToContainerPaths('/home/me/src2/a', mounts), []);
    assert.deepEqual(hostPathToContainerPaths('/home/me/app.conf.bak', mounts), []);
  });

  it('handles trailing slashes and a mount of the host root', () => {
    const root = m('bind', '/', '/host', false);
    assert.deepEqual(
      hostPathToContainerPaths('/etc/hosts', [root]).map((x) => x.containerPath),
      ['/host/etc/hosts'],
    );
    assert.deepEqual(
      hostPathToContainerPaths('/home/me/src/', [src]).map((x) => x.containerPath),
      ['/work'],
    );
  });
});

describe('containerPathToHostPath', () => {
  it('resolves through the deepest mount', () => {
    assert.deepEqual(containerPathToHostPath('/work/node_modules/x', mounts), { kind: 'mount', hostPath: '/var/lib/docker/volumes/nm/_data/x', mount: nested });
    assert.deepEqual(containerPathToHostPath('/work/lib/a.ts', mounts), { kind: 'mount', hostPath: '/home/me/src/lib/a.ts', mount: src });
    assert.deepEqual(containerPathToHostPath('/etc/app.conf', mounts), { kind: 'mount', hostPath: '/home/me/app.conf', mount: fileBind });
  });

  it('says when a path has no host file: tmpfs, or the container root filesystem', () => {
    assert.deepEqual(containerPathToHostPath('/work/tmp/x', mounts), { kind: 'nohost', mount: tmp });
    assert.deepEqual(containerPathToHostPath('/etc/passwd', mounts), { kind: 'rootfs' });
    assert.deepEqual(containerPathToHostPath('/workshop', mounts), { kind: 'rootfs' });
  });

  it('treats the mount point itself as inside the mount', () => {
    assert.equal(governingMount('/work', mounts), src);
    assert.equal(governingMount('/work/', mounts), src);
  });
});
