// LiveSnapshot against the real engine, through a socket proxy this test can cut.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createEngine } from '../../extension/core/engine/engine';
import { parseEndpointUrl } from '../../extension/core/engine/engine-endpoint';
import { LiveSnapshot, type LiveState } from '../../extension/core/snapshot/live-snapshot';
import { startFaultyEngine } from './faulty-engine';
import { docker, LAB_IMAGE, LAB_LABEL, requireLab } from './lab';

/** A unix socket in front of dockerd that can be taken away and brought back, like an engine restart. */
class CuttableProxy {
  private server: net.Server | null = null;
  private sockets = new Set<net.Socket>();
  readonly path = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ci-cut-')), 'docker.sock');
  up(): Promise<void> {
    this.server = net.createServer((client) => {
      const upstream = net.connect('/var/run/docker.sock');
      this.sockets.add(client).add(upstream);
      client.pipe(upstream).pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    return new Promise((resolve) => this.server?.listen(this.path, resolve));
  }
  down(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

function until(live: LiveSnapshot, what: string, test: (s: LiveState) => boolean, timeoutMs = 10_000): Promise<LiveState> {
  if (test(live.state)) return Promise.resolve(live.state);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`timed out waiting for ${what}; state is ${live.state.kind}`));
    }, timeoutMs);
    const sub = live.onDidChange((s) => {
      if (!test(s)) return;
      clearTimeout(timer);
      sub.dispose();
      resolve(s);
    });
  });
}

const has = (name: string) => (s: LiveState) => s.kind === 'ready' && s.snapshot.containers.some((c) => c.name === name);

describe('LiveSnapshot', () => {
  const proxy = new CuttableProxy();
  let live: LiveSnapshot;
  before(async () => {
    await requireLab();
    await proxy.up();
    live = new LiveSnapshot(createEngine(parseEndpointUrl(`unix://${proxy.path}`, 'explicit')), { helper: { mode: 'local' } });
  });
  after(async () => {
    live.dispose();
    await proxy.down();
    await docker(['rm', '-f', 'cilab-live']).catch(() => undefined);
  });

  it('does nothing before start, then shows the engine', async () => {
    assert.equal(live.state.kind, 'idle');
    assert.equal(live.refreshCount, 0);
    live.start();
    await until(live, 'first snapshot', has('cilab-web'));
  });

  it('follows docker run and docker rm through the events stream', async () => {
    await docker(['run', '-d', '--label', LAB_LABEL, '--name', 'cilab-live', LAB_IMAGE, 'sleep', '600']);
    await until(live, 'the new container', has('cilab-live'));
    await docker(['rm', '-f', 'cilab-live']);
    await until(live, 'the container gone', (s) => s.kind === 'ready' && !s.snapshot.containers.some((c) => c.name === 'cilab-live'));
  });

  it('says the engine is unreachable when it goes away, and recovers by itself when it is back', async () => {
    await proxy.down();
    const down = await until(live, 'unreachable', (s) => s.kind === 'unreachable');
    assert.ok(down.kind === 'unreachable' && down.endpoint.includes(proxy.path));
    await proxy.up();
    await until(live, 'recovery', has('cilab-web'), 8_000);
  });

  it('stays quiet while nothing happens', async () => {
    await until(live, 'settled', (s) => s.kind === 'ready');
    const deadline = Date.now() + 10_000;
    while (!live.quiet) {
      assert.ok(Date.now() < deadline, 'the events stream came back and polling stopped');
      await new Promise((r) => setTimeout(r, 50));
    }
    const before = live.refreshCount;
    await new Promise((r) => setTimeout(r, 3_000)); // an idle window, not a wait for readiness
    assert.equal(live.refreshCount, before);
  });
});

describe('LiveSnapshot, first look', () => {
  before(requireLab);

  it('paints every row from the list call first, then fills namespaces and wiring in', async () => {
    const live = new LiveSnapshot(createEngine(parseEndpointUrl('unix:///var/run/docker.sock', 'explicit')), { helper: { mode: 'local' } });
    const states: LiveState[] = [];
    const sub = live.onDidChange((s) => states.push(s));
    try {
      live.start();
      await until(
        live,
        'the full snapshot',
        (s) => s.kind === 'ready' && s.snapshot.containers.some((c) => c.name === 'cilab-web' && c.namespaces.net !== null),
        30_000,
      );
      const first = states.find((s) => s.kind === 'ready');
      assert.ok(first?.kind === 'ready');
      const web = first.snapshot.containers.find((c) => c.name === 'cilab-web');
      assert.equal(web?.state, 'running');
      assert.equal(web?.unavailable.namespaces, 'still being read');
      assert.ok(web?.mounts.some((m) => m.destination === '/srv/app'));
      assert.ok(web?.endpoints.some((e) => e.network === 'cilab-net-a' && e.ipAddress));
      const all = (await docker(['ps', '-aq', '--no-trunc'])).split('\n').filter(Boolean).sort();
      assert.deepEqual(first.snapshot.containers.map((c) => c.id).sort(), all);
    } finally {
      sub.dispose();
      live.dispose();
    }
  });
});

describe('LiveSnapshot, events stream refused', () => {
  before(requireLab);

  it('says why updates are not live, polls from every 10 s instead of reading everything every 2 s, and asks for the stream rarely', async () => {
    // As an authorization plugin answers when a policy forbids /events.
    const faulty = await startFaultyEngine((_method, url) =>
      url.includes('/events') ? { status: 403, message: 'authorization denied by plugin events-policy' } : null,
    );
    const live = new LiveSnapshot(createEngine(parseEndpointUrl(`unix://${faulty.socket}`, 'explicit')), { helper: { mode: 'local' } });
    try {
      live.start();
      await until(live, 'a snapshot', has('cilab-web'), 20_000);
      const started = Date.now();
      await new Promise((r) => setTimeout(r, 8_000)); // a window to count in, not a wait for readiness
      assert.ok(Date.now() - started >= 8_000);
      assert.equal(live.state.kind, 'ready');
      assert.match(
        (live.state.kind === 'ready' && live.state.liveUpdates) || '',
        /refused the events stream \(authorization denied by plugin events-policy \(HTTP 403\)\); refreshing every 10 s instead/,
      );
      assert.equal(live.refreshCount, 1, 'no full read was repeated within 8 s');
      assert.equal(faulty.requests.filter((r) => r.includes('/events')).length, 1, 'the refused stream was not asked for again at once');
    } finally {
      live.dispose();
      await faulty.close();
    }
  });
});
