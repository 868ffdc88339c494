// The CLI's contract on failure, the helper runners, and hostile input.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { createEngine } from '../../extension/core/engine/engine';
import { resolveEndpoint } from '../../extension/core/engine/engine-endpoint';
import { parseHelperOutput } from '../../extension/core/host/helper-output';
import { ContainerHelperRunner, LocalHelperRunner } from '../../extension/core/host/helper-runners';
import type { Snapshot } from '../../extension/core/snapshot/model';
import { startFaultyEngine } from './faulty-engine';
import { CLI, cli, docker, inspectPid, LAB_IMAGE, LAB_LABEL, requireLab, waitFor } from './lab';

const PWNED = ['/tmp/cilab-pwned-label', '/tmp/cilab-pwned-tick', '/tmp/cilab-pwned-arg'];
const dataDir = path.join(
  process.env.LAB_STATE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'container-internals-lab'),
  'data',
);

describe('CLI', () => {
  before(requireLab);

  for (const [what, host, cause] of [
    ['a socket that does not exist', 'unix:///nonexistent/docker.sock', /does not exist/],
    ['a port nobody listens on', 'tcp://127.0.0.1:1', /refused/],
  ] as const) {
    it(`exits non-zero with one line naming the endpoint for ${what}`, async () => {
      const r = await cli(['snapshot', '--host', host], 15_000);
      assert.equal(r.code, 1);
      assert.equal(r.stdout, '');
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.ok(lines[0]?.includes(host), r.stderr);
      assert.match(lines[0] ?? '', cause);
    });
  }

  it('names the silent request when an engine answers its ping and then goes quiet, within the 15 s request bound', async () => {
    const engine = await startFaultyEngine((_method, url) =>
      url.startsWith('/containers/json') || /^\/v[\d.]+\/containers\/json/.test(url) ? { stall: true } : null,
    );
    try {
      const started = Date.now();
      const r = await cli(['snapshot', '--host', `unix://${engine.socket}`, '--helper', 'off'], 40_000);
      const took = Date.now() - started;
      assert.equal(r.code, 1, r.stderr);
      assert.ok(took < 20_000, `took ${took} ms`);
      assert.match(
        r.stderr.trim(),
        new RegExp(
          `^container-internals: Cannot reach Docker at unix://${engine.socket}: the engine is not answering \\(nothing within 15 s\\) to GET /(v[\\d.]+/)?containers/json$`,
        ),
      );
    } finally {
      await engine.close();
    }
  });

  it('gives up within seconds, naming the endpoint, on an engine that accepts connections and never answers', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ci-mute-'));
    const socket = path.join(dir, 'docker.sock');
    const held: net.Socket[] = [];
    const server = net.createServer((c) => held.push(c.on('data', () => undefined)));
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    try {
      for (const helper of ['auto', 'container']) {
        const started = Date.now();
        const r = await cli(['snapshot', '--host', `unix://${socket}`, '--helper', helper], 30_000);
        assert.ok(Date.now() - started < 15_000, `helper ${helper}: took ${Date.now() - started} ms`);
        assert.equal(r.code, 1);
        assert.match(
          r.stderr.trim(),
          new RegExp(`^container-internals: Cannot reach Docker at unix://${socket}: the engine is not answering \\(nothing within \\d+ s\\)$`),
        );
      }
    } finally {
      for (const c of held) c.destroy();
      server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects unknown commands and helper modes with usage and exit 2', async () => {
    assert.equal((await cli(['frobnicate'])).code, 2);
    const r = await cli(['snapshot', '--helper', 'root']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--helper must be one of/);
  });

  it('with the helper off, still gives mounts, networks, IPs and MACs, and says why the rest is missing', async () => {
    const r = await cli(['snapshot', '--json', '--helper', 'off']);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as Snapshot;
    const multi = s.containers.find((c) => c.name === 'cilab-multi');
    assert.ok(multi);
    assert.ok(Object.values(multi.namespaces).every((v) => v === null));
    assert.match(multi.unavailable.namespaces ?? '', /needs the host helper/);
    const ip = await docker(['inspect', '-f', '{{(index .NetworkSettings.Networks "cilab-net-b").IPAddress}}', 'cilab-multi']);
    assert.ok(multi.endpoints.some((e) => e.network === 'cilab-net-b' && e.ipAddress?.startsWith(`${ip}/`) && e.macAddress));
    assert.ok(s.containers.find((c) => c.name === 'cilab-web')?.mounts.some((m) => m.destination === '/srv/app'));
  });

  it('draws the diagram as a standalone SVG', async () => {
    const r = await cli(['diagram', '--svg']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.match(r.stdout, /<style>/);
    assert.match(r.stdout, /data-bridge="docker0"/);
    assert.match(r.stdout, /data-container="cilab-web"/);
    assert.ok(!r.stdout.includes('<img'));
    assert.equal((await cli(['diagram'])).code, 2);
  });

  it('writes all of a multi-megabyte snapshot into a pipe read slowly, then exits 0', async () => {
    // Labels are the container's to choose, and they travel in the snapshot: 64 of 32 KiB make it megabytes.
    const labels = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ci-labels-')), 'labels');
    fs.writeFileSync(labels, Array.from({ length: 64 }, (_, i) => `big.${i}=${String(i % 10).repeat(32 * 1024)}`).join('\n'));
    await docker(['run', '-d', '--label', LAB_LABEL, '--label-file', labels, '--name', 'cilab-biglabels', LAB_IMAGE, 'sleep', '600']);
    fs.rmSync(path.dirname(labels), { recursive: true, force: true });
    try {
      await readSlowly();
    } finally {
      await docker(['rm', '-f', 'cilab-biglabels']);
    }
  });

  async function readSlowly(): Promise<void> {
    const child = spawn(process.execPath, [CLI, 'snapshot', '--json', '--helper', 'local'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const done = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
    const chunks: Buffer[] = [];
    // A slow reader: the iterator takes the next chunk only after the pause, so the 64 KiB pipe stays full.
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(await done, 0);
    const text = Buffer.concat(chunks).toString('utf8');
    assert.ok(text.length > 2 * 1024 * 1024, `only ${text.length} bytes arrived`);
    const s = JSON.parse(text) as Snapshot;
    assert.equal(s.containers.find((c) => c.name === 'cilab-biglabels')?.labels['big.63']?.length, 32 * 1024);
  }

  it("shows a container the daemon fails to inspect from the list, with the daemon's reason, and everything else whole", async () => {
    // An engine that answers 500 for one container's inspect, and passes everything else through.
    const victim = await docker(['inspect', '-f', '{{.Id}}', 'cilab-multi']);
    const engine = await startFaultyEngine((_method, url) =>
      url.includes(`/containers/${victim}/json`) ? { status: 500, message: 'injected fault: storage driver error' } : null,
    );
    const socket = engine.socket;
    try {
      const r = await cli(['snapshot', '--json', '--host', `unix://${socket}`, '--helper', 'local']);
      assert.equal(r.code, 0, r.stderr);
      const s = JSON.parse(r.stdout) as Snapshot;
      const multi = s.containers.find((c) => c.name === 'cilab-multi');
      assert.equal(multi?.state, 'running');
      assert.match(multi?.unavailable.namespaces ?? '', /the engine could not inspect it: injected fault: storage driver error \(HTTP 500\)/);
      assert.ok(
        multi?.endpoints.some((e) => e.network === 'cilab-net-b'),
        'what the list says is kept',
      );
      assert.ok(s.containers.find((c) => c.name === 'cilab-web')?.namespaces.net, 'the others are whole');
    } finally {
      await engine.close();
    }
  });

  it('prints a readable tree by default', async () => {
    const r = await cli(['snapshot', '--helper', 'local']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /cilab-sidecar[\s\S]*net +\d+ +shared with cilab-web/);
    assert.match(r.stdout, /eth1 172\.30\.2\.\d+\/24 ⇄ veth\w+ → br-\w+ \(cilab-net-b\)/);
    assert.match(r.stdout, /cilab-host[\s\S]*host network/);
  });
});

describe('host helper', () => {
  before(requireLab);

  it('the privileged helper container reads the same facts as the local runner, and leaves nothing behind', async () => {
    const engine = createEngine(resolveEndpoint({ env: {} }));
    const before = (await docker(['ps', '-aq', '--no-trunc'])).split('\n').filter(Boolean);
    const targets = await Promise.all(
      ['cilab-web', 'cilab-multi', 'cilab-none'].map(async (n) => ({ pid: await inspectPid(n), id: await docker(['inspect', '-f', '{{.Id}}', n]) })),
    );
    const args = ['collect', ...targets.map((t) => `${t.pid}:${t.id}`)];
    const local = parseHelperOutput((await new LocalHelperRunner().run(args)).stdout);
    const imageId = await docker(['image', 'inspect', '-f', '{{.Id}}', LAB_IMAGE]);
    const runner = new ContainerHelperRunner(engine, LAB_IMAGE, imageId);
    const inContainer = parseHelperOutput((await runner.run(args)).stdout);
    for (const { pid, id } of targets) {
      assert.equal(local.verdicts.get(id)?.verified, true);
      assert.ok(local.namespacesByPid.get(pid)?.net);
      assert.deepEqual(inContainer.namespacesByPid.get(pid), local.namespacesByPid.get(pid));
    }
    assert.deepEqual(
      inContainer.netns.map((n) => [n.inode, n.links?.map((l) => l.ifname)]),
      local.netns.map((n) => [n.inode, n.links?.map((l) => l.ifname)]),
    );
    // The daemon removed it (AutoRemove): no container is left that was not there before.
    await waitFor('the helper container to be removed', async () => {
      const now = (await docker(['ps', '-aq', '--no-trunc'])).split('\n').filter(Boolean);
      return now.every((id) => before.includes(id));
    });
  });

  it('a helper container whose terminal is closed is removed, not left running', async () => {
    const engine = createEngine(resolveEndpoint({ env: {} }));
    try {
      const runner = new ContainerHelperRunner(engine, LAB_IMAGE, await docker(['image', 'inspect', '-f', '{{.Id}}', LAB_IMAGE]));
      const target = `${await inspectPid('cilab-web')}:${await docker(['inspect', '-f', '{{.Id}}', 'cilab-web'])}`;
      const proc = await runner.startAttached(['enter', target, 'net', '--', 'sleep', '300'], { tty: true });
      const ours = () => docker(['ps', '-aq', '--filter', 'name=^container-internals-helper-']);
      await waitFor('the helper container to run', async () => (await ours()) !== '');
      proc.dispose();
      await waitFor('the helper container to be gone', async () => (await ours()) === '', 20_000);
      assert.notEqual(await proc.exited, 0);
    } finally {
      engine.close();
    }
  });

  it('the CLI in helper-container mode matches the local one', async () => {
    const local = JSON.parse((await cli(['snapshot', '--json', '--helper', 'local'])).stdout) as Snapshot;
    const r = await cli(['snapshot', '--json', '--helper', 'container', '--helper-image', LAB_IMAGE]);
    assert.equal(r.code, 0, r.stderr);
    const viaContainer = JSON.parse(r.stdout) as Snapshot;
    assert.equal(viaContainer.helper.mode, 'container');
    assert.equal(viaContainer.helper.ok, true, viaContainer.helper.reason ?? '');
    const strip = (s: Snapshot) => s.containers.map((c) => [c.name, c.namespaces, c.interfaces]);
    assert.deepEqual(strip(viaContainer), strip(local));
    assert.deepEqual(viaContainer.bridges, local.bridges);
  });

  it('a missing helper image is reported, never pulled', async () => {
    const r = await cli(['snapshot', '--json', '--helper', 'container', '--helper-image', 'container-internals-lab/absent:0']);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as Snapshot;
    assert.equal(s.helper.ok, false);
    assert.match(s.helper.reason ?? '', /absent:0 is not on the engine/);
    await assert.rejects(docker(['image', 'inspect', 'container-internals-lab/absent:0']));
  });

  it('refuses malformed targets and drops pids that no longer exist', async () => {
    const bad = await new LocalHelperRunner().run(['collect', `1;touch ${PWNED[2]}`]);
    assert.match(bad.stdout.toString(), /arguments must be PID:CONTAINER_ID/);
    assert.ok(!fs.existsSync(PWNED[2] as string));
    // A container that dies mid-operation: its pid is gone by the time the helper runs.
    await docker(['run', '-d', '--label', LAB_LABEL, '--name', 'cilab-ephemeral', LAB_IMAGE, 'sleep', '600']);
    const pid = await inspectPid('cilab-ephemeral');
    const id = await docker(['inspect', '-f', '{{.Id}}', 'cilab-ephemeral']);
    await docker(['rm', '-f', 'cilab-ephemeral']);
    const facts = parseHelperOutput((await new LocalHelperRunner().run(['collect', `${pid}:${id}`])).stdout);
    assert.equal(facts.namespacesByPid.has(pid), false);
    assert.equal(facts.verdicts.get(id)?.verified, false);
  });

  it('hostile labels and mount paths reach no shell, and come back byte for byte', async () => {
    for (const f of PWNED) fs.rmSync(f, { force: true });
    for (const mode of ['local', 'container']) {
      const r = await cli(['snapshot', '--json', '--helper', mode, '--helper-image', LAB_IMAGE]);
      assert.equal(r.code, 0, r.stderr);
      const hostile = (JSON.parse(r.stdout) as Snapshot).containers.find((c) => c.name === 'cilab-hostile');
      assert.equal(hostile?.labels.evil, '$(touch /tmp/cilab-pwned-label)');
      assert.equal(hostile?.labels.newline, 'a\nb');
      assert.ok(hostile?.mounts.some((m) => m.source === path.join(dataDir, `$(touch hostile-ran) 'q" ;x`) && m.destination === `/mnt/$(touch x) 'q" ;x`));
      const text = await cli(['snapshot', '--helper', mode, '--helper-image', LAB_IMAGE]);
      assert.equal(text.code, 0);
    }
    for (const f of PWNED) assert.ok(!fs.existsSync(f), `${f} must not exist`);
    assert.ok(!fs.existsSync('hostile-ran') && !fs.existsSync(path.join(dataDir, 'hostile-ran')) && !fs.existsSync('x'));
  });
});
