// Reaching engines the way users do: Docker contexts, TLS (a second dockerd
// with --tlsverify beside the lab engine) and ssh:// through the system ssh
// (a loopback sshd in front of the lab engine).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execCollect } from '../../extension/core/engine/attached-process';
import { createEngine } from '../../extension/core/engine/engine';
import { parseEndpointUrl } from '../../extension/core/engine/engine-endpoint';
import { LiveSnapshot } from '../../extension/core/snapshot/live-snapshot';
import type { Snapshot } from '../../extension/core/snapshot/model';
import { waitFor } from '../wait-for';
import { CLI, docker, LAB_IMAGE, LAB_LABEL, requireLab, ROOT, run, type Run } from './lab';

const TLS_PORT = 23760;
const SSH_PORT = 22220;

function cliEnv(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 30_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: { ...process.env, ...env }, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}
function script(name: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile('bash', [path.join(ROOT, 'test', 'lab', name), ...args], { timeout: 120_000 }, (e, _o, err) =>
      e ? reject(new Error(`${name}: ${err || e.message}`)) : resolve(),
    ),
  );
}
const ids = (s: Snapshot) => s.containers.map((c) => c.id).sort();

describe('TLS engine and Docker contexts', () => {
  const state = fs.mkdtempSync(path.join(os.tmpdir(), 'ci-tls-'));
  const config = fs.mkdtempSync(path.join(os.tmpdir(), 'ci-dockerconfig-'));
  const tlsSock = `unix://${state}/docker.sock`;
  const noEnv = { DOCKER_HOST: '', DOCKER_CONTEXT: '', DOCKER_TLS_VERIFY: '', DOCKER_CERT_PATH: '' };

  before(async () => {
    await requireLab();
    await script('tls-engine.sh', ['start', state, String(TLS_PORT)]);
    // Its own container, on its own engine: the two must not mix.
    const image = await docker(['image', 'save', LAB_IMAGE, '-o', path.join(state, 'img.tar')]).then(() => path.join(state, 'img.tar'));
    await docker(['-H', tlsSock, 'load', '-i', image]);
    await docker(['-H', tlsSock, 'run', '-d', '--name', 'tls-only', LAB_IMAGE, 'sleep', '600']);
    // Contexts as the docker CLI stores them.
    const writeContext = (name: string, host: string, tlsDir?: string) => {
      const dir = createHash('sha256').update(name).digest('hex');
      fs.mkdirSync(path.join(config, 'contexts', 'meta', dir), { recursive: true });
      fs.writeFileSync(
        path.join(config, 'contexts', 'meta', dir, 'meta.json'),
        JSON.stringify({ Name: name, Metadata: { Description: 'test' }, Endpoints: { docker: { Host: host, SkipTLSVerify: false } } }),
      );
      if (tlsDir) {
        const tls = path.join(config, 'contexts', 'tls', dir, 'docker');
        fs.mkdirSync(tls, { recursive: true });
        for (const f of ['ca.pem', 'cert.pem', 'key.pem']) fs.copyFileSync(path.join(tlsDir, f), path.join(tls, f));
      }
    };
    writeContext('cilab-tls', `tcp://127.0.0.1:${TLS_PORT}`, path.join(state, 'client'));
    writeContext('cilab-wrong-ca', `tcp://127.0.0.1:${TLS_PORT}`, path.join(state, 'wrong'));
    writeContext('cilab-local', 'unix:///var/run/docker.sock');
    fs.writeFileSync(path.join(config, 'config.json'), JSON.stringify({ currentContext: 'cilab-tls' }));
  });
  after(async () => {
    await docker(['-H', tlsSock, 'rm', '-f', 'tls-only']).catch(() => undefined);
    await script('tls-engine.sh', ['stop', state]).catch(() => undefined);
    // The lab engine's own bridge must have survived its neighbour.
    assert.ok(fs.existsSync('/sys/class/net/docker0'), 'docker0 still exists');
    fs.rmSync(state, { recursive: true, force: true });
    fs.rmSync(config, { recursive: true, force: true });
  });

  it('reads a TLS engine with DOCKER_TLS_VERIFY and DOCKER_CERT_PATH, and keeps the two engines apart', async () => {
    const r = await cliEnv(['snapshot', '--json', '--host', `tcp://127.0.0.1:${TLS_PORT}`, '--helper', 'off'], {
      ...noEnv,
      DOCKER_TLS_VERIFY: '1',
      DOCKER_CERT_PATH: path.join(state, 'client'),
    });
    assert.equal(r.code, 0, r.stderr);
    const tlsSnap = JSON.parse(r.stdout) as Snapshot;
    assert.deepEqual(
      tlsSnap.containers.map((c) => c.name),
      ['tls-only'],
    );
    const lab = JSON.parse((await cliEnv(['snapshot', '--json', '--helper', 'off'], noEnv)).stdout) as Snapshot;
    assert.ok(!lab.containers.some((c) => c.name === 'tls-only') && lab.containers.some((c) => c.name === 'cilab-web'));
  });

  it('refuses a certificate from the wrong CA with a clear error, never falling back to plain TCP', async () => {
    const started = Date.now();
    const r = await cliEnv(['snapshot', '--host', `tcp://127.0.0.1:${TLS_PORT}`], {
      ...noEnv,
      DOCKER_TLS_VERIFY: '1',
      DOCKER_CERT_PATH: path.join(state, 'wrong'),
    });
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`Cannot reach Docker at tcp://127\\.0\\.0\\.1:${TLS_PORT}: TLS verification failed`));
    assert.ok(Date.now() - started < 10_000);
    const plain = await cliEnv(['snapshot', '--host', `tcp://127.0.0.1:${TLS_PORT}`], noEnv);
    assert.equal(plain.code, 1);
    assert.match(plain.stderr, /this port speaks TLS/);
  });

  it('follows the current context, DOCKER_CONTEXT and --context, with the context TLS material', async () => {
    const env = { ...noEnv, DOCKER_CONFIG: config };
    const current = JSON.parse((await cliEnv(['snapshot', '--json', '--helper', 'off'], env)).stdout) as Snapshot;
    assert.deepEqual(
      current.containers.map((c) => c.name),
      ['tls-only'],
    );
    const viaEnv = JSON.parse((await cliEnv(['snapshot', '--json', '--helper', 'off'], { ...env, DOCKER_CONTEXT: 'cilab-local' })).stdout) as Snapshot;
    assert.ok(viaEnv.containers.some((c) => c.name === 'cilab-web'));
    const wrong = await cliEnv(['snapshot', '--context', 'cilab-wrong-ca'], env);
    assert.match(wrong.stderr, /TLS verification failed/);
    const missing = await cliEnv(['snapshot', '--context', 'nope'], env);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /Docker context "nope" does not exist/);
  });

  it('lists contexts with their endpoints and whether they answer', async () => {
    const r = await cliEnv(['contexts'], { ...noEnv, DOCKER_CONFIG: config });
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.ok(
      lines.some((l) => /^\* cilab-tls\ttcp:\/\/127\.0\.0\.1:\d+\treachable$/.test(l)),
      r.stdout,
    );
    assert.ok(
      lines.some((l) => /^ {2}cilab-wrong-ca\t.*\tunreachable: TLS verification failed/.test(l)),
      r.stdout,
    );
    assert.ok(
      lines.some((l) => /^ {2}cilab-local\tunix:\/\/\/var\/run\/docker\.sock\treachable$/.test(l)),
      r.stdout,
    );
  });

  it('a dockerd killed under a live snapshot: the error shows in place within seconds, and the snapshot is whole again, with no duplicate rows, within about a second of the engine answering', async (t) => {
    const live = new LiveSnapshot(createEngine(parseEndpointUrl(tlsSock, 'explicit')), { helper: { mode: 'off' } });
    const whole = () => live.state.kind === 'ready' && !live.state.snapshot.preliminary && live.state.snapshot.containers.some((c) => c.name === 'tls-only');
    try {
      live.start();
      await waitFor('the first snapshot', async () => whole() && live.quiet);
      const killedAt = Date.now();
      await script('tls-engine.sh', ['kill', state]);
      await waitFor('the error in place', async () => live.state.kind === 'unreachable', 5_000);
      const errorMs = Date.now() - killedAt;
      await script('tls-engine.sh', ['resume', state, String(TLS_PORT)]);
      const answeredAt = Date.now(); // resume returns once the engine answers
      await waitFor('the snapshot whole again', async () => whole(), 10_000);
      const recoveredMs = Date.now() - answeredAt;
      await waitFor('the events stream back up', async () => live.quiet, 10_000);
      const ids = live.state.kind === 'ready' ? live.state.snapshot.containers.map((c) => c.id) : [];
      assert.equal(new Set(ids).size, ids.length, 'no duplicate rows');
      t.diagnostic(`error shown ${errorMs} ms after the kill; whole again ${recoveredMs} ms after the engine answered`);
    } finally {
      live.dispose();
    }
  });
});

describe('ssh:// through the system ssh', () => {
  const state = fs.mkdtempSync(path.join(os.tmpdir(), 'ci-ssh-'));
  const withShim = (which: 'good' | 'wrong') => ({ DOCKER_HOST: '', DOCKER_CONTEXT: '', PATH: `${state}/bin-${which}:${process.env.PATH}` });

  before(async () => {
    await requireLab();
    await script('sshd.sh', ['start', state, String(SSH_PORT)]);
  });
  after(async () => {
    await script('sshd.sh', ['stop', state]).catch(() => undefined);
    fs.rmSync(state, { recursive: true, force: true });
  });

  it('reads the same engine over ssh as over its socket', async () => {
    const r = await cliEnv(['snapshot', '--json', '--host', 'ssh://cilab-ssh', '--helper', 'off'], withShim('good'));
    assert.equal(r.code, 0, r.stderr);
    const overSsh = JSON.parse(r.stdout) as Snapshot;
    assert.equal(overSsh.engine.endpoint, 'ssh://cilab-ssh');
    const local = JSON.parse((await cliEnv(['snapshot', '--json', '--helper', 'off'], { DOCKER_HOST: '' })).stdout) as Snapshot;
    assert.deepEqual(ids(overSsh), ids(local));
  });

  it('checks the host key: a wrong known_hosts entry is a clear error, within 10 s', async () => {
    const started = Date.now();
    const r = await cliEnv(['snapshot', '--host', 'ssh://cilab-ssh'], withShim('wrong'));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Cannot reach Docker at ssh:\/\/cilab-ssh: ssh: the host key is unknown or changed/);
    assert.ok(Date.now() - started < 10_000);
  });

  it('recovers by itself when its ssh processes are killed, as after an engine restart, and follows events again', async () => {
    const saved = process.env.PATH;
    process.env.PATH = withShim('good').PATH;
    const live = new LiveSnapshot(createEngine(parseEndpointUrl('ssh://cilab-ssh', 'explicit')), { helper: { mode: 'off' } });
    const name = `cilab-ssh-after-kill-${process.pid}`;
    try {
      live.start();
      await waitFor('the first snapshot over ssh', async () => live.state.kind === 'ready' && !live.state.snapshot.preliminary && live.quiet);
      const ssh = (await run('pgrep', ['-P', String(process.pid), '-x', 'ssh'])).stdout.trim().split('\n').filter(Boolean);
      assert.ok(ssh.length >= 1, 'the events stream and requests ride on ssh processes of ours');
      for (const pid of ssh) process.kill(Number(pid), 'SIGKILL');
      const killedAt = Date.now();
      await waitFor('the lost stream noticed', async () => !live.quiet, 5_000);
      await waitFor('the events stream back up', async () => live.quiet && live.state.kind === 'ready', 15_000);
      const recoveredMs = Date.now() - killedAt;
      await docker(['run', '-d', '--label', LAB_LABEL, '--name', name, LAB_IMAGE, 'sleep', '600']);
      await waitFor(
        'the container started after the kill',
        async () => live.state.kind === 'ready' && live.state.snapshot.containers.some((c) => c.name === name),
      );
      assert.ok(recoveredMs < 10_000, `recovered in ${recoveredMs} ms`);
    } finally {
      live.dispose();
      process.env.PATH = saved;
      await docker(['rm', '-f', name]).catch(() => undefined);
    }
  });

  it('runs exec and enter over it', async () => {
    const saved = process.env.PATH;
    process.env.PATH = withShim('good').PATH;
    try {
      const engine = createEngine(parseEndpointUrl('ssh://cilab-ssh', 'explicit'));
      try {
        const { exitCode, output } = await execCollect(engine, 'cilab-web', ['sh', '-c', 'echo over-ssh; exit 4']);
        assert.deepEqual([exitCode, output], [4, 'over-ssh\n']);
      } finally {
        engine.close();
      }
    } finally {
      process.env.PATH = saved;
    }
    const r = await cliEnv(
      [
        'enter',
        '--host',
        'ssh://cilab-ssh',
        '--helper',
        'container',
        '--helper-image',
        LAB_IMAGE,
        'cilab-multi',
        '--',
        'sh',
        '-c',
        'ip -o link show eth1 && exit 5',
      ],
      withShim('good'),
    );
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stdout, /eth1/);
  });
});
