// Volumes for real: create (named and bind-backed, through the helper), the
// container filesystem over the archive API, and what a mount hides.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  listContainerDirectoryBounded,
  readContainerFile,
  statContainerPath,
  writeContainerFile,
  GO_MODE_DIR,
} from '../../extension/core/actions/container-files';
import { createEngine } from '../../extension/core/engine/engine';
import { resolveEndpoint } from '../../extension/core/engine/engine-endpoint';
import { parseHelperReply } from '../../extension/core/host/helper-output';
import { ContainerHelperRunner, LocalHelperRunner } from '../../extension/core/host/helper-runners';
import { listContainerLevel } from '../../extension/core/actions/container-directory';
import { hiddenByMount, readHostFile } from '../../extension/core/actions/mount-shadow';
import { cli, docker, LAB_IMAGE, requireLab, run, waitFor } from './lab';

const engine = createEngine(resolveEndpoint({ env: {} }));
const local = { runner: new LocalHelperRunner(), mode: 'local' as const, reason: null };
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'ci-vol-'));
const names = ['civol-named', 'civol-bind', 'civol-exists', 'civol-remote'];

describe('volume create', () => {
  before(async () => {
    await requireLab();
    for (const n of names) await docker(['volume', 'rm', '-f', n]).catch(() => undefined);
  });
  after(async () => {
    for (const n of names) await docker(['volume', 'rm', '-f', n]).catch(() => undefined);
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('creates a named volume and prints its name and mountpoint', async () => {
    const r = await cli(['volume', 'create', 'civol-named']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'civol-named\t/var/lib/docker/volumes/civol-named/_data\n');
    assert.equal(await docker(['volume', 'inspect', '-f', '{{.Driver}}', 'civol-named']), 'local');
  });

  it('creates a bind-backed volume, making its directory, and a write inside a container lands there', async () => {
    const dir = path.join(scratch, 'deep', 'er', 'data');
    const r = await cli(['volume', 'create', 'civol-bind', '--bind', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /created it/);
    assert.ok(fs.statSync(dir).isDirectory());
    const opts = JSON.parse(await docker(['volume', 'inspect', '-f', '{{json .Options}}', 'civol-bind'])) as Record<string, string>;
    assert.deepEqual(opts, { device: dir, o: 'bind', type: 'none' });
    await docker(['run', '--rm', '-v', 'civol-bind:/v', LAB_IMAGE, 'sh', '-c', 'echo written-inside > /v/proof']);
    assert.equal(fs.readFileSync(path.join(dir, 'proof'), 'utf8'), 'written-inside\n');
  });

  it('prepares the bind directory on the engine host also when the helper runs in a container', async () => {
    const dir = path.join(scratch, 'via-container', 'data');
    const r = await cli(['volume', 'create', 'civol-remote', '--bind', dir, '--helper', 'container', '--helper-image', LAB_IMAGE]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(fs.statSync(dir).isDirectory(), 'made on the host, not inside the helper container');
  });

  it('refuses bad and hostile names before anything runs or is created', async () => {
    const marker = '/tmp/cilab-pwned-volume';
    fs.rmSync(marker, { force: true });
    const before = await docker(['volume', 'ls', '-q']);
    for (const bad of ['-x', 'a', 'a/b', 'a b', `$(touch ${marker})`, `a;touch ${marker}`, '`id`']) {
      const dir = path.join(scratch, `never-${Buffer.from(bad).toString('hex')}`);
      const r = await cli(['volume', 'create', '--bind', dir, '--', bad]);
      assert.equal(r.code, 1, `${bad}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split('\n').length, 1);
      assert.match(r.stderr, /not a valid volume name|too short/);
      assert.ok(!fs.existsSync(dir), `no directory for ${bad}`);
    }
    assert.equal(await docker(['volume', 'ls', '-q']), before);
    assert.ok(!fs.existsSync(marker));
  });

  it('says so plainly on a read-only host directory, and creates nothing', async () => {
    const ro = fs.mkdtempSync(path.join(os.tmpdir(), 'ci-ro-'));
    await run('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', ro]);
    try {
      const before = await docker(['volume', 'ls', '-q']);
      const r = await cli(['volume', 'create', 'civol-ro', '--bind', path.join(ro, 'a', 'b')]);
      assert.equal(r.code, 1);
      assert.equal(r.stderr.trim(), `container-internals: cannot prepare ${path.join(ro, 'a', 'b')}: the host helper failed: cannot create the bind directory`);
      assert.equal(await docker(['volume', 'ls', '-q']), before);
      assert.deepEqual(fs.readdirSync(ro), []);
    } finally {
      await run('umount', [ro]);
      fs.rmdirSync(ro);
    }
  });

  it('refuses a bind directory whose path goes through a symlink (a container can plant one in a shared folder)', async () => {
    const target = fs.mkdtempSync(path.join(os.tmpdir(), 'ci-link-target-'));
    const link = path.join(scratch, 'planted-link');
    fs.symlinkSync(target, link);
    try {
      const r = await cli(['volume', 'create', 'civol-link', '--bind', path.join(link, 'sub')]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /goes through a symlink/);
      assert.deepEqual(fs.readdirSync(target), [], 'nothing was made where the link points');
      await assert.rejects(docker(['volume', 'inspect', 'civol-link']));
    } finally {
      fs.rmSync(link);
      fs.rmSync(target, { recursive: true, force: true });
    }
  });

  it('creates no directory when the volume cannot be created', async () => {
    await docker(['volume', 'create', 'civol-exists']);
    const dir = path.join(scratch, 'orphan', 'dir');
    const r = await cli(['volume', 'create', 'civol-exists', '--bind', dir]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /already exists/);
    assert.ok(!fs.existsSync(path.join(scratch, 'orphan')));
  });

  it('the helper undoes exactly the directories it made, and only empty ones', async () => {
    const dir = path.join(scratch, 'undo', 'a', 'b');
    const made = Number(parseHelperReply((await local.runner.run(['prepare-bind', dir])).stdout).created);
    assert.equal(made, 3);
    fs.writeFileSync(path.join(scratch, 'keep'), 'x');
    assert.equal(Number(parseHelperReply((await local.runner.run(['undo-bind', dir, String(made)])).stdout).removed), 3);
    assert.ok(!fs.existsSync(path.join(scratch, 'undo')) && fs.existsSync(path.join(scratch, 'keep')));
  });
});

describe('container filesystem over the archive API', () => {
  before(requireLab);

  for (const container of ['cilab-web', 'cilab-shellless']) {
    it(`reads, lists and writes in ${container}`, async () => {
      const dir = container === 'cilab-web' ? '/srv/app' : '/';
      const name = `written-by-test-${process.pid}.txt`;
      await writeContainerFile(engine, container, path.posix.join(dir, name), Buffer.from('from the provider\n'));
      assert.equal((await readContainerFile(engine, container, path.posix.join(dir, name))).toString(), 'from the provider\n');
      const listing = (await listContainerDirectoryBounded(engine, container, dir)).entries;
      assert.ok(listing.some((e) => e.name === name && e.type === 'file'));
      const stat = await statContainerPath(engine, container, dir);
      assert.ok(stat.mode & GO_MODE_DIR);
      if (container === 'cilab-web') {
        // /srv/app is a bind mount: the host directory has the same file.
        const mounts = JSON.parse(await docker(['inspect', '-f', '{{json .Mounts}}', container])) as Array<{ Source: string; Destination: string }>;
        const src = mounts.find((m) => m.Destination === '/srv/app')?.Source as string;
        assert.equal(fs.readFileSync(path.join(src, name), 'utf8'), 'from the provider\n');
        fs.rmSync(path.join(src, name));
      } else {
        assert.ok(listing.some((e) => e.name === 'busybox'));
      }
    });
  }

  it("keeps a saved file's mode and owner, and writes through a symlink to its target", async () => {
    const dir = '/tmp/ci-save';
    await docker([
      'exec',
      'cilab-web',
      'sh',
      '-c',
      `rm -rf ${dir} && mkdir ${dir} && echo secret > ${dir}/secret && chown 1234:2345 ${dir}/secret && chmod 600 ${dir}/secret && printf '#!/bin/sh\\necho hi\\n' > ${dir}/run.sh && chmod 755 ${dir}/run.sh && ln -s secret ${dir}/link && chown 4321:4321 ${dir}`,
    ]);
    const statOf = async (f: string) => docker(['exec', 'cilab-web', 'stat', '-c', '%a %u %g %F', f]);
    await writeContainerFile(engine, 'cilab-web', `${dir}/secret`, Buffer.from('rotated\n'));
    assert.equal(await statOf(`${dir}/secret`), '600 1234 2345 regular file');
    await writeContainerFile(engine, 'cilab-web', `${dir}/run.sh`, Buffer.from('#!/bin/sh\necho edited\n'));
    assert.equal(await statOf(`${dir}/run.sh`), '755 0 0 regular file');
    assert.equal(await docker(['exec', 'cilab-web', `${dir}/run.sh`]), 'edited');
    // Through the link: the target changes, the link stays a link.
    assert.equal((await readContainerFile(engine, 'cilab-web', `${dir}/link`)).toString(), 'rotated\n');
    await writeContainerFile(engine, 'cilab-web', `${dir}/link`, Buffer.from('via the link\n'));
    assert.equal(await statOf(`${dir}/link`), '777 0 0 symbolic link');
    assert.equal(await docker(['exec', 'cilab-web', 'cat', `${dir}/secret`]), 'via the link');
    assert.equal(await statOf(`${dir}/secret`), '600 1234 2345 regular file');
    // A new file: 0644, owned like its directory.
    await writeContainerFile(engine, 'cilab-web', `${dir}/new.txt`, Buffer.from('new\n'));
    assert.equal(await statOf(`${dir}/new.txt`), '644 4321 4321 regular file');
    await docker(['exec', 'cilab-web', 'rm', '-rf', dir]);
  });

  it('reads a stopped container too', async () => {
    const listing = (await listContainerDirectoryBounded(engine, 'cilab-stopped', '/bin')).entries;
    assert.ok(listing.some((e) => e.name === 'sh'));
  });
});

describe('what a mount hides', () => {
  before(requireLab);
  it("lists the image's files under a bind mount, which differ from the mounted content", async () => {
    const hidden = await hiddenByMount(engine, local, 'cilab-undermount', '/data');
    assert.deepEqual(hidden.entries, [{ name: 'from-image', kind: 'dir', exact: true }]);
    const mounted = (await listContainerDirectoryBounded(engine, 'cilab-undermount', '/data')).entries.map((e) => e.name);
    assert.ok(mounted.includes('hello.txt') && !mounted.includes('from-image'));
    const inner = await hiddenByMount(engine, local, 'cilab-undermount', '/data/from-image');
    const readme = inner.hostPathOf(inner.entries[0]!);
    assert.ok(readme);
    assert.equal((await readHostFile(local, readme.within, readme.path)).content.toString(), 'baked into the image\n');
  });

  it("reads the same through the helper container, which reaches the host through the daemon's root", async () => {
    const imageId = await docker(['image', 'inspect', '-f', '{{.Id}}', LAB_IMAGE]);
    const inContainer = { runner: new ContainerHelperRunner(engine, LAB_IMAGE, imageId), mode: 'container' as const, reason: null };
    const hidden = await hiddenByMount(engine, inContainer, 'cilab-undermount', '/data/from-image');
    assert.deepEqual(
      hidden.entries.map((e) => e.name),
      ['readme.txt'],
    );
    const readme = hidden.hostPathOf(hidden.entries[0]!);
    assert.ok(readme);
    assert.equal((await readHostFile(inContainer, readme.within, readme.path)).content.toString(), 'baked into the image\n');
  });
});

describe('a folder with gigabytes below it', () => {
  const engine = createEngine(resolveEndpoint());
  const name = `cilab-bigvol-${process.pid}`;
  let id = '';
  before(async () => {
    await requireLab();
    // 2 GiB of sparse files two levels down: nothing on disk, but the archive of /data streams all of it.
    id = await docker([
      'run',
      '-d',
      '--label',
      'dev.container-internals.lab=1',
      '--name',
      name,
      '-v',
      '/data',
      LAB_IMAGE,
      'sh',
      '-c',
      'mkdir -p /data/deep/er && truncate -s 1G /data/deep/er/a && truncate -s 1G /data/deep/b && echo small > /data/z.txt && sleep 600',
    ]);
    await waitFor('the sparse files', async () => (await run('docker', ['exec', name, 'ls', '/data/deep/b'])).code === 0);
  });
  after(async () => {
    await docker(['rm', '-f', '-v', name]).catch(() => undefined);
  });

  it('lists one level through the host helper at once, without streaming the subtree', async (t) => {
    const started = Date.now();
    const listing = await listContainerLevel(engine, local, id, '/data');
    const took = Date.now() - started;
    assert.deepEqual(
      { readFrom: listing.readFrom, complete: listing.complete, names: listing.entries.map((e) => `${e.name}:${e.type}`).sort() },
      { readFrom: 'host', complete: true, names: ['deep:directory', 'z.txt:file'] },
    );
    t.diagnostic(`one level through the helper: ${took} ms`);
  });

  it('without a helper, reads the archive only up to its budget and says the listing is partial', async (t) => {
    const started = Date.now();
    const listing = await listContainerLevel(engine, null, id, '/data', 4 * 1024 * 1024);
    const took = Date.now() - started;
    assert.equal(listing.readFrom, 'archive');
    assert.equal(listing.complete, false);
    assert.ok(
      listing.entries.some((e) => e.name === 'deep'),
      'what came before the budget is listed',
    );
    t.diagnostic(`archive cut at its budget after ${took} ms`);
  });

  it('a read above the limit is refused until a larger one is allowed, and an aborted read stops', async () => {
    await assert.rejects(readContainerFile(engine, id, '/data/deep/b', { maxBytes: 1024 }), /larger than 1024 bytes/);
    const controller = new AbortController();
    const started = Date.now();
    const reading = readContainerFile(engine, id, '/data/deep/b', { maxBytes: 2 ** 31, signal: controller.signal });
    setTimeout(() => controller.abort(), 200);
    await assert.rejects(reading, /cancelled/);
    assert.ok(Date.now() - started < 10_000, 'the abort ended the transfer instead of waiting for 1 GiB');
    assert.equal((await readContainerFile(engine, id, '/data/z.txt')).toString(), 'small\n');
  });
});
