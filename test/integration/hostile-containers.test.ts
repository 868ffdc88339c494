// The host helper against containers that attack it (test/lab/hostile.sh).
// Each runner mode meets the same crowd: processes renamed containerd-shim and
// dockerd with children at low pids, an init chrooted into a fake sysfs of
// FIFOs and symlinks to a canary, the helper label on a user's container,
// symlinks and odd bytes under a mount point, an interface named with a control
// byte, and a helper image tag moved by a build. Every check is against facts
// read here independently: our own namespaces, `ip -j -d link`, the engine's
// container list, the canary file and the marker directory.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createEngine } from '../../extension/core/engine/engine';
import { resolveEndpoint } from '../../extension/core/engine/engine-endpoint';
import { FileHelperImagePins } from '../../extension/core/host/helper-image-pin-file';
import { parseHelperOutput, parseHelperReply } from '../../extension/core/host/helper-output';
import {
  ContainerHelperRunner,
  HELPER_SCRIPT,
  type HelperSelection,
  LocalHelperRunner,
  runProcess,
  selectHelperRunner,
} from '../../extension/core/host/helper-runners';
import { LiveSnapshot } from '../../extension/core/snapshot/live-snapshot';
import type { Snapshot } from '../../extension/core/snapshot/model';
import { hiddenByMount, readHostFile } from '../../extension/core/actions/mount-shadow';
import { cli, docker, inspectPid, LAB_IMAGE, requireLab, ROOT, run, waitFor } from './lab';

const LAB_STATE = process.env.LAB_STATE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'container-internals-lab');
const HOSTILE_DIR = path.join(LAB_STATE, 'hostile');
const CANARY_FILE = path.join(HOSTILE_DIR, 'canary-secret');
const MARKERS = path.join(HOSTILE_DIR, 'markers');
const HOSTILE = ['cilab-evil-shim', 'cilab-evil-shim-hostpid', 'cilab-evil-dockerd', 'cilab-evil-chroot', 'cilab-evil-files', 'cilab-evil-ifname'];
const LABELLED = ['cilab-evil-label', 'cilab-evil-label-exited'];
/** A snapshot must come back well within this, whatever the containers do. */
const SNAPSHOT_BOUND_MS = 30_000;

let canary = '';
/** Every byte any call under test printed, searched for the canary at the end. */
const outputs: string[] = [];

function markers(): string[] {
  return fs.readdirSync(MARKERS);
}

async function allContainerIds(): Promise<string[]> {
  return (await docker(['ps', '-aq', '--no-trunc'])).split('\n').filter(Boolean).sort();
}

function ownNamespace(type: string): number {
  return Number(/\[(\d+)\]/.exec(fs.readlinkSync(`/proc/self/ns/${type}`))?.[1]);
}

interface HostLink {
  ifname: string;
  master?: string;
  linkinfo?: { info_kind?: string };
}

async function hostBridges(): Promise<Map<string, string[]>> {
  const links = JSON.parse((await run('ip', ['-j', '-d', 'link', 'show'])).stdout) as HostLink[];
  const bridges = new Map<string, string[]>();
  for (const l of links) if (l.linkinfo?.info_kind === 'bridge') bridges.set(l.ifname, []);
  for (const l of links) if (l.master && bridges.has(l.master)) bridges.get(l.master)?.push(l.ifname);
  for (const ports of bridges.values()) ports.sort();
  return bridges;
}

before(async () => {
  await requireLab();
  const names = (await docker(['ps', '-a', '--format', '{{.Names}}'])).split('\n');
  for (const n of [...HOSTILE, ...LABELLED]) assert.ok(names.includes(n), `the hostile lab is not up (${n} missing): run \`bash test/lab/lab.sh up\``);
  canary = fs.readFileSync(CANARY_FILE, 'utf8').trim();
  assert.match(canary, /^CANARY-[0-9a-f]{32}$/);
  assert.deepEqual(markers(), [], 'the marker directory must start empty');
});

after(() => {
  // The canary's contents never reached any output, and no container binary ever ran.
  for (const text of outputs) assert.ok(!text.includes(canary), 'the canary file was read and printed');
  assert.deepEqual(markers(), [], 'a binary from a container ran');
});

/**
 * The CLI as root (local, container), or as cilab-sudo, a user that may run
 * only `sh` and `true` through `sudo -n` (test/lab/sudo-user.sh), for the sudo runner.
 */
async function snapshotCli(mode: 'local' | 'container' | 'sudo'): Promise<{ code: number; stdout: string; stderr: string }> {
  const args = ['snapshot', '--json', '--helper', mode, '--helper-image', LAB_IMAGE];
  if (mode !== 'sudo') return cli(args, SNAPSHOT_BOUND_MS);
  // The bundle is self-contained; copy it where that user can read it.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ci-sudo-'));
  try {
    fs.chmodSync(dir, 0o755);
    fs.copyFileSync(path.join(ROOT, 'dist', 'cli.js'), path.join(dir, 'cli.js'));
    fs.chmodSync(path.join(dir, 'cli.js'), 0o644);
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, CONTAINER_INTERNALS_STATE_DIR: dir };
    return await run(
      'setpriv',
      ['--reuid=cilab-sudo', '--regid=cilab-sudo', '--init-groups', process.execPath, path.join(dir, 'cli.js'), ...args],
      SNAPSHOT_BOUND_MS,
      env,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

for (const mode of ['local', 'container', 'sudo'] as const) {
  describe(`hostile containers, ${mode} helper`, () => {
    let snapshot: Snapshot;
    let idsBefore: string[];

    before(async () => {
      idsBefore = await allContainerIds();
      const r = await snapshotCli(mode);
      outputs.push(r.stdout, r.stderr);
      assert.equal(r.code, 0, `the snapshot did not finish within its bound: ${r.stderr}`);
      snapshot = JSON.parse(r.stdout) as Snapshot;
      assert.equal(snapshot.helper.mode, mode);
      assert.equal(snapshot.helper.ok, true, snapshot.helper.reason ?? '');
    });

    it("the host's namespaces are this machine's own, not a container's that calls itself containerd-shim or dockerd", () => {
      for (const type of ['net', 'pid', 'uts', 'ipc', 'mnt'] as const) assert.equal(snapshot.hostNamespaces?.[type], ownNamespace(type), type);
    });

    it('bridges and their ports are the ones `ip -d link` shows on this host', async () => {
      const truth = await hostBridges();
      for (const b of snapshot.bridges) assert.deepEqual([...b.ports].sort(), truth.get(b.name), b.name);
      assert.deepEqual(snapshot.bridges.map((b) => b.name).sort(), [...truth.keys()].sort());
    });

    it("every hostile container's namespaces and interfaces are read through its verified pid", async () => {
      for (const name of HOSTILE) {
        const c = snapshot.containers.find((x) => x.name === name);
        assert.ok(c, name);
        const pid = await inspectPid(name);
        const net = Number(/\[(\d+)\]/.exec(fs.readlinkSync(`/proc/${pid}/ns/net`))?.[1]);
        assert.equal(c.namespaces.net, net, name);
        assert.ok(
          c.interfaces.some((i) => i.hostPeer?.bridge === 'docker0'),
          `${name} is wired to docker0`,
        );
      }
    });

    it('an interface named with a control byte arrives byte for byte, and breaks nobody else', () => {
      const evil = snapshot.containers.find((c) => c.name === 'cilab-evil-ifname');
      assert.ok(
        evil?.interfaces.some((i) => i.name === 'ev\x01il' && i.hostPeer),
        JSON.stringify(evil?.interfaces.map((i) => i.name)),
      );
      assert.ok(snapshot.containers.find((c) => c.name === 'cilab-multi')?.interfaces.some((i) => i.name === 'eth1'));
    });

    it('containers carrying the helper label are shown and never removed', async () => {
      for (const name of LABELLED)
        assert.ok(
          snapshot.containers.some((c) => c.name === name),
          `${name} is hidden`,
        );
      // A second run: the old sweep removed labelled containers on the next run.
      const again = await snapshotCli(mode);
      outputs.push(again.stdout, again.stderr);
      assert.equal(again.code, 0, again.stderr);
      const now = await allContainerIds();
      assert.deepEqual(
        idsBefore.filter((id) => !now.includes(id)),
        [],
        'a container was removed',
      );
    });
  });
}

describe('what a hostile image hides under a mount', () => {
  const engine = createEngine(resolveEndpoint({ env: {} }));
  after(() => engine.close());
  const selections = async (): Promise<Array<[string, HelperSelection]>> => [
    ['local', { runner: new LocalHelperRunner(), mode: 'local', reason: null }],
    [
      'container',
      { runner: new ContainerHelperRunner(engine, LAB_IMAGE, await docker(['image', 'inspect', '-f', '{{.Id}}', LAB_IMAGE])), mode: 'container', reason: null },
    ],
  ];

  it('lists symlinks, FIFOs and names with any byte exactly, and opens none of them through a link', async () => {
    for (const [mode, helper] of await selections()) {
      const hidden = await hiddenByMount(engine, helper, 'cilab-evil-files', '/data');
      const kind = (name: string) => hidden.entries.find((e) => e.name === name)?.kind;
      assert.equal(kind('notes'), 'link', mode);
      assert.equal(kind('abs-link'), 'link', mode);
      assert.equal(kind('dir-link'), 'link', mode);
      assert.equal(kind('fifo'), 'other', mode);
      assert.equal(kind('plain.txt'), 'file', mode);
      for (const odd of ['line1\nline2', 'cr\rname', 'ctl\x01name', 'q"b\\s']) {
        assert.equal(kind(odd), 'file', `${mode}: ${JSON.stringify(odd)} must arrive byte for byte`);
        const at = hidden.hostPathOf(hidden.entries.find((e) => e.name === odd)!);
        assert.ok(at);
        assert.equal((await readHostFile(helper, at.within, at.path)).content.toString().trim(), 'odd name', `${mode}: ${JSON.stringify(odd)}`);
      }
      const notUtf8 = hidden.entries.find((e) => e.name === 'bad\\xffbyte');
      assert.equal(notUtf8?.exact, false, `${mode}: a name that is not UTF-8 is listed as such, not dropped`);
      assert.equal(hidden.hostPathOf(notUtf8!), null);
      assert.equal(
        (
          await readHostFile(
            helper,
            hidden.hostPathOf(hidden.entries.find((e) => e.name === 'plain.txt')!)!.within,
            hidden.hostPathOf(hidden.entries.find((e) => e.name === 'plain.txt')!)!.path,
          )
        ).content
          .toString()
          .trim(),
        'plain file from the image',
      );
      for (const link of ['notes', 'abs-link', 'fifo']) {
        const at = hidden.hostPathOf(hidden.entries.find((e) => e.name === link)!)!;
        const error = await readHostFile(helper, at.within, at.path).then(
          (r) => r.content.toString(),
          (e: Error) => e,
        );
        assert.ok(error instanceof Error, `${mode}: ${link} was read: ${String(error).slice(0, 40)}`);
        assert.ok(!error.message.includes(canary));
      }
      // Into the linked directory: the listing would be the host's, so it is refused.
      const through = await hiddenByMount(engine, helper, 'cilab-evil-files', '/data/dir-link');
      assert.deepEqual(through.entries, [], `${mode}: listed a directory through a symlink`);
    }
  });

  it('cuts large files at the limit and says so', async () => {
    const [, helper] = (await selections())[0]!;
    const hidden = await hiddenByMount(engine, helper, 'cilab-evil-files', '/data');
    const at = hidden.hostPathOf(hidden.entries.find((e) => e.name === 'big.bin')!)!;
    const read = await readHostFile(helper, at.within, at.path, 1024);
    assert.deepEqual([read.content.length, read.size, read.truncated], [1024, 3 * 1024 * 1024, true]);
  });

  it('refuses paths that climb out of their root, whatever the runner', async () => {
    const local = new LocalHelperRunner();
    const hidden = await hiddenByMount(engine, { runner: local, mode: 'local', reason: null }, 'cilab-evil-files', '/data');
    const layer = hidden.readFrom[0]!.replace(/\/data$/, '');
    for (const args of [
      ['read-file', layer, `${layer}/../../../../${CANARY_FILE}`, '4096'],
      ['read-file', layer, CANARY_FILE, '4096'],
      ['ls-dir', layer, `${layer}/data/../..`],
      ['ls-dir', layer, path.dirname(CANARY_FILE)],
    ]) {
      const r = await local.run(args);
      outputs.push(r.stdout.toString('latin1'));
      assert.throws(() => parseHelperReply(r.stdout), /not inside|no \. or \.\.|leaves its root/, args.join(' '));
    }
  });
});

describe('the helper image is pinned', () => {
  const tag = 'container-internals-lab/helper-under-test:1';
  const engine = createEngine(resolveEndpoint({ env: {} }));
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ci-pins-'));
  after(async () => {
    engine.close();
    fs.rmSync(stateDir, { recursive: true, force: true });
    await docker(['rmi', tag]).catch(() => undefined);
  });

  it('a tag moved by a build never runs privileged: the running session keeps the checked id, the next one refuses', async () => {
    await docker(['tag', LAB_IMAGE, tag]);
    const pins = new FileHelperImagePins(stateDir);
    const first = await selectHelperRunner(engine, { mode: 'container', image: tag, pins });
    assert.ok(first.runner, first.reason ?? '');
    const pid = await inspectPid('cilab-web');
    const id = await docker(['inspect', '-f', '{{.Id}}', 'cilab-web']);
    assert.equal((await first.runner.run(['collect', `${pid}:${id}`])).exitCode, 0);

    // `docker compose build` with `image: <the helper tag>` does this.
    const retag = await run('bash', [path.join(ROOT, 'test', 'lab', 'hostile.sh'), 'retag-image', tag]);
    assert.equal(retag.code, 0, retag.stderr);
    const after = await first.runner.run(['collect', `${pid}:${id}`]);
    outputs.push(after.stdout.toString(), after.stderr);
    assert.ok(!after.stdout.toString().includes('EVIL-HELPER-RAN'));
    assert.equal(parseHelperReply(after.stdout).ok, true);

    const next = await selectHelperRunner(engine, { mode: 'container', image: tag, pins });
    assert.equal(next.runner, null);
    assert.match(next.reason ?? '', /now names another image/);
    // The CLI keeps the same pins in its state directory.
    const viaCli = await run(
      process.execPath,
      [path.join(ROOT, 'dist', 'cli.js'), 'snapshot', '--json', '--helper', 'container', '--helper-image', tag],
      SNAPSHOT_BOUND_MS,
      { ...process.env, CONTAINER_INTERNALS_STATE_DIR: stateDir },
    );
    assert.equal(viaCli.code, 0, viaCli.stderr);
    assert.match((JSON.parse(viaCli.stdout) as Snapshot).helper.reason ?? '', /now names another image/);
    outputs.push(viaCli.stdout);
    assert.ok(!viaCli.stdout.includes('EVIL-HELPER-RAN'));
    assert.deepEqual(markers(), []);
  });
});

describe('enter', () => {
  it("refuses a pid that is not the named container's process", async () => {
    const web = await docker(['inspect', '-f', '{{.Id}}', 'cilab-web']);
    const r = await new LocalHelperRunner().run(['enter', `${await inspectPid('cilab-evil-shim')}:${web}`, 'net', '--', 'true']);
    assert.equal(r.exitCode, 125);
    assert.match(r.stderr, /is not a process of container/);
  });

  it("with mnt, the command is held to the container's own capability bounding set and cgroup", async () => {
    const pid = await inspectPid('cilab-web');
    const init = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const r = await cli([
      'enter',
      '--helper',
      'local',
      '--ns',
      'net,mnt',
      'cilab-web',
      '--',
      'sh',
      '-c',
      'grep CapBnd /proc/self/status; cat /proc/self/cgroup',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(/CapBnd:\s*(\w+)/.exec(r.stdout)?.[1], /CapBnd:\s*(\w+)/.exec(init)?.[1]);
    assert.notEqual(/CapBnd:\s*(\w+)/.exec(r.stdout)?.[1], '000001ffffffffff');
    assert.ok(r.stdout.includes(await docker(['inspect', '-f', '{{.Id}}', 'cilab-web'])), "joined the container's cgroup");
  });
});

describe('helper processes never outlive their timeout', () => {
  it('a timeout kills the whole process group and settles at the timer, even with an orphan holding the pipes', async () => {
    const pidFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ci-orphan-')), 'pid');
    const started = Date.now();
    await assert.rejects(runProcess('sh', ['-c', `sleep 300 & echo $! > '${pidFile}'; sleep 300`], 500), /did not finish within 500 ms/);
    assert.ok(Date.now() - started < 5_000);
    const orphan = Number(fs.readFileSync(pidFile, 'utf8'));
    await waitFor(
      'the orphan to be killed',
      async () => !fs.existsSync(`/proc/${orphan}`) || /^State:\s+Z/m.test(fs.readFileSync(`/proc/${orphan}/status`, 'utf8')),
    );
  });

  it('a helper stopped mid-run, or whose reader goes away, leaves no temporary directory', async () => {
    const ours = () => fs.readdirSync('/dev/shm').filter((n) => n.startsWith('container-internals-helper.'));
    const before = ours();
    const running = (await docker(['ps', '-q', '--no-trunc'])).split('\n').filter(Boolean);
    const pairs = (await docker(['inspect', '-f', '{{.State.Pid}}:{{.Id}}', ...running])).split('\n').filter((l) => !l.startsWith('0:'));
    // Stopped by the runner's timeout, in the middle of reading a few hundred namespaces.
    await assert.rejects(runProcess('sh', ['-c', HELPER_SCRIPT, 'container-internals-helper', 'collect', ...pairs], 60), /did not finish within 60 ms/);
    // A reader that takes one chunk and goes away.
    const child = spawn('sh', ['-c', HELPER_SCRIPT, 'container-internals-helper', 'collect', ...pairs], {
      stdio: ['ignore', 'pipe', 'ignore'],
      detached: true,
    });
    child.stdout.once('data', () => child.stdout.destroy());
    await new Promise((resolve) => child.on('exit', resolve));
    await waitFor('the temporary directories to be removed', async () => ours().every((n) => before.includes(n)), 5_000);
  });

  it('an orphan that keeps stdout open does not hold the answer', async () => {
    const r = await runProcess('sh', ['-c', 'sleep 300 & echo answer'], 10_000);
    assert.equal(r.stdout.toString().trim(), 'answer');
  });
});

describe('an `ip` that hangs in one namespace', () => {
  it('costs only that namespace, reported unreadable, and the collect still ends in seconds', async () => {
    // A fault injected on our side: an `ip` first on PATH that hangs inside
    // cilab-evil-shim's network namespace and is the real one everywhere else.
    const victim = await inspectPid('cilab-evil-shim');
    const victimNet = fs.readlinkSync(`/proc/${victim}/ns/net`);
    const realIp = (await run('sh', ['-c', 'command -v ip'])).stdout.trim();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ci-hang-ip-'));
    fs.writeFileSync(path.join(dir, 'ip'), `#!/bin/sh\n[ "$(readlink /proc/self/ns/net)" = '${victimNet}' ] && exec sleep 300\nexec ${realIp} "$@"\n`, {
      mode: 0o755,
    });
    try {
      const names = ['cilab-evil-shim', 'cilab-web', 'cilab-multi'];
      const targets = await Promise.all(names.map(async (n) => `${await inspectPid(n)}:${await docker(['inspect', '-f', '{{.Id}}', n])}`));
      const started = Date.now();
      const r = spawnSync('sh', ['-c', HELPER_SCRIPT, 'container-internals-helper', 'collect', ...targets], {
        env: { ...process.env, PATH: `${dir}:${process.env.PATH ?? ''}` },
        timeout: 30_000,
      });
      assert.ok(Date.now() - started < 15_000, 'the collect waited for the hung ip');
      const facts = parseHelperOutput(r.stdout);
      const byPid = (name: string) => facts.netns.find((n) => n.inode === facts.namespacesByPid.get(Number(targets[names.indexOf(name)]?.split(':')[0]))?.net);
      assert.equal(byPid('cilab-evil-shim')?.links, null);
      assert.ok(byPid('cilab-web')?.links?.some((l) => l.ifname === 'eth0'));
      assert.ok(byPid('cilab-multi')?.links?.some((l) => l.ifname === 'eth1'));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('container mode, idle', () => {
  it("with the view's live snapshot open and idle for 30 s, one snapshot is taken: our helpers' own events cause none", async () => {
    // Idle means nobody else acts: earlier tests' helper containers must be gone (the daemon removes them a moment after they end).
    await waitFor(
      'earlier helper containers to be removed',
      async () => (await docker(['ps', '-aq', '--filter', 'name=^container-internals-helper-'])) === '',
      30_000,
    );
    const live = new LiveSnapshot(createEngine(resolveEndpoint({ env: {} })), { helper: { mode: 'container', image: LAB_IMAGE } });
    const seen: string[] = [];
    const sub = live.onEvent((e) => seen.push(`${e.type} ${e.action} ${e.name ?? e.id}`));
    try {
      live.start();
      // The full first look, not the rows-first one painted while the helper is still being chosen.
      await waitFor('the first snapshot', async () => live.state.kind === 'ready' && !live.state.snapshot.preliminary, 30_000);
      assert.equal(live.state.kind === 'ready' && live.state.snapshot.helper.mode, 'container');
      const quietSince = Date.now();
      // Idle means no event from anyone else: wait out the window and count.
      await waitFor('30 s of idling', async () => Date.now() - quietSince >= 30_000, 40_000);
      assert.deepEqual(seen, [], "events that were not our own helpers' reached the view");
      assert.equal(live.refreshCount, 1);
    } finally {
      sub.dispose();
      live.dispose();
    }
  });
});
