// Exec three ways, against the lab: the Docker API exec, and `enter` through
// the host helper (local and helper-container runners), including hostile argv.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { detectShell, ExecError, execCollect, startExec } from '../../extension/core/engine/attached-process';
import { createEngine } from '../../extension/core/engine/engine';
import { resolveEndpoint } from '../../extension/core/engine/engine-endpoint';
import { CLI, cli, docker, LAB_IMAGE, LAB_LABEL, requireLab, run, waitFor } from './lab';

const engine = createEngine(resolveEndpoint({ env: {} }));
const ODD = 'cilab-odd.name_1-';

describe('Docker API exec', () => {
  before(requireLab);

  it('round-trips input and output and reports the exit code', async () => {
    const proc = await startExec(engine, 'cilab-web', { cmd: ['sh', '-c', 'read x; echo "got:$x"; exit 5'], tty: false });
    const out: Buffer[] = [];
    proc.onData((c) => out.push(c));
    proc.write('hello\n');
    proc.endInput();
    assert.equal(await proc.exited, 5);
    assert.equal(Buffer.concat(out).toString(), 'got:hello\n');
    proc.dispose();
  });

  it('letting go of a TTY exec after its prompt ends its process: the engine itself would keep it running', async () => {
    const proc = await startExec(engine, 'cilab-web', { cmd: ['sh'], tty: true });
    let out = '';
    proc.onData((c) => (out += c.toString()));
    proc.write('echo prompt-$((2+2))\n');
    await waitFor('the shell at its prompt', async () => out.includes('prompt-4'));
    proc.write('exec sleep 4324\n');
    await waitFor('sleep 4324 running in cilab-web', async () => (await docker(['top', 'cilab-web'])).includes('sleep 4324'));
    proc.dispose();
    await waitFor('no sleep 4324 in cilab-web', async () => !(await docker(['top', 'cilab-web'])).includes('sleep 4324'));
  });

  it('accepts a terminal resize once started', async () => {
    const proc = await startExec(engine, 'cilab-web', { cmd: ['sh', '-c', 'read x; stty size'], tty: true });
    let out = '';
    proc.onData((c) => (out += c.toString()));
    await proc.resize(123, 45);
    proc.write('\r');
    assert.equal(await proc.exited, 0);
    assert.match(out, /45 123/);
    proc.dispose();
  });

  it('finds a shell by running it, and finds none in a shell-less image', async () => {
    assert.equal(await detectShell(engine, 'cilab-web'), 'sh'); // busybox: no bash
    assert.equal(await detectShell(engine, 'cilab-shellless'), null);
    const { exitCode } = await execCollect(engine, 'cilab-shellless', ['sh', '-c', 'true']).catch(() => ({ exitCode: -1 }));
    assert.notEqual(exitCode, 0);
  });

  it('says clearly when the container is not running or does not exist', async () => {
    await assert.rejects(
      startExec(engine, 'cilab-stopped', { cmd: ['true'], tty: false }),
      (e: unknown) => e instanceof ExecError && /not running/.test(e.message),
    );
    await assert.rejects(
      startExec(engine, 'cilab-no-such', { cmd: ['true'], tty: false }),
      (e: unknown) => e instanceof ExecError && /no such container/.test(e.message),
    );
  });
});

for (const mode of ['local', 'container'] as const) {
  describe(`container-internals enter (helper ${mode})`, () => {
    const enter = (args: string[]) => cli(['enter', '--helper', mode, '--helper-image', LAB_IMAGE, ...args], 30_000);
    before(async () => {
      await requireLab();
      await docker(['rm', '-f', ODD]).catch(() => undefined);
      await docker(['run', '-d', '--label', LAB_LABEL, '--name', ODD, LAB_IMAGE, 'sleep', '600']);
    });
    after(async () => {
      await docker(['rm', '-f', ODD]).catch(() => undefined);
    });

    it("sees the container's own addresses from inside its network namespace", async () => {
      const r = await enter(['cilab-multi', '--', 'ip', '-o', '-4', 'addr']);
      assert.equal(r.code, 0, r.stderr);
      for (const net of ['cilab-net-a', 'cilab-net-b']) {
        const ip = await docker(['inspect', '-f', `{{(index .NetworkSettings.Networks "${net}").IPAddress}}`, 'cilab-multi']);
        assert.ok(r.stdout.includes(` ${ip}/24 `), `${ip} in ${r.stdout}`);
      }
      assert.ok(!r.stdout.includes('docker0'));
    });

    it('sees only lo in a --network none container', async () => {
      const r = await enter(['--ns', 'net', 'cilab-none', 'ip', '-o', 'link']);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(
        r.stdout
          .trim()
          .split('\n')
          .map((l) => l.split(':')[1]?.trim()),
        ['lo'],
      );
    });

    it('works in a shell-less container with host tools', async () => {
      const r = await enter(['cilab-shellless', '--', 'ip', '-o', '-4', 'addr', 'show', 'eth0']);
      assert.equal(r.code, 0, r.stderr);
      const ip = await docker(['inspect', '-f', '{{.NetworkSettings.IPAddress}}', 'cilab-shellless']);
      assert.ok(r.stdout.includes(`${ip}/16`));
    });

    it("passes the command's exit status through, and odd container names work", async () => {
      assert.equal((await enter([ODD, '--', 'sh', '-c', 'exit 42'])).code, 42);
      assert.equal((await enter([ODD, 'true'])).code, 0);
    });

    it('passes hostile arguments as argv, never through a shell', async () => {
      const marker = `/tmp/cilab-pwned-enter-${mode}`;
      fs.rmSync(marker, { force: true });
      const hostile = [`$(touch ${marker})`, `'; touch ${marker}; '`, `\`touch ${marker}\``, 'a b;c|d&e'];
      const r = await enter(['cilab-web', '--', 'printf', '%s\\n', ...hostile]);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(r.stdout.replace(/\r/g, '').trimEnd().split('\n'), hostile);
      assert.ok(!fs.existsSync(marker));
    });

    it('fails cleanly for an unknown or stopped container', async () => {
      for (const [name, why] of [
        ['cilab-no-such', /no such container: cilab-no-such/],
        ['cilab-stopped', /not running/],
      ] as const) {
        const r = await enter([name, 'true']);
        assert.equal(r.code, 1);
        assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
        assert.match(r.stderr, why);
      }
    });
  });
}

describe('container-internals enter without privilege', () => {
  it('exits non-zero with one clear line', async () => {
    // The bundle is self-contained; copy it where an unprivileged user can read it.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ci-nobody-'));
    fs.chmodSync(dir, 0o755);
    fs.copyFileSync(CLI, path.join(dir, 'cli.js'));
    fs.chmodSync(path.join(dir, 'cli.js'), 0o644);
    const r = await run('setpriv', [
      '--reuid=65534',
      '--regid=65534',
      '--clear-groups',
      process.execPath,
      path.join(dir, 'cli.js'),
      'enter',
      '--helper',
      'local',
      'cilab-web',
      'true',
    ]);
    fs.rmSync(dir, { recursive: true, force: true });
    assert.notEqual(r.code, 0);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /permission denied|needs this process to run as root/);
  });
});
