// A unix socket is not proof of "this machine". The far engine (test/lab/far-engine.sh)
// is a dockerd in pid, mount and network namespaces of its own, so the pids it
// reports name other processes, or none, in this machine's /proc: what Docker
// Desktop, Colima or an `ssh -L` forward look like from here.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Snapshot } from '../../extension/core/snapshot/model';
import { cli, LAB_IMAGE, requireLab, ROOT, run } from './lab';

const state = fs.mkdtempSync(path.join(os.tmpdir(), 'ci-far-engine-'));
const host = `unix://${state}/docker.sock`;
const far = (args: string[]) => run('docker', ['-H', host, ...args]);

/** The host pid of a container of the far engine: the process whose cgroup names it, read here. */
function hostPidOf(id: string): number | null {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/cgroup`, 'utf8').includes(id) && fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').startsWith('sleep'))
        return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return null;
}

describe('an engine whose socket is here but whose processes are not', () => {
  let id = '';
  before(async () => {
    await requireLab();
    const started = await run('bash', [path.join(ROOT, 'test', 'lab', 'far-engine.sh'), 'start', state, LAB_IMAGE], 60_000);
    assert.equal(started.code, 0, started.stderr);
    const r = await far(['run', '-d', '--name', 'far-sleeper', '--network', 'none', LAB_IMAGE, 'sleep', '600']);
    assert.equal(r.code, 0, r.stderr);
    id = r.stdout.trim();
  });
  after(async () => {
    await run('bash', [path.join(ROOT, 'test', 'lab', 'far-engine.sh'), 'stop', state], 60_000);
    fs.rmSync(state, { recursive: true, force: true });
  });

  it('is not taken for this machine: the local helper is refused with the evidence', async () => {
    const reportedPid = Number((await far(['inspect', '-f', '{{.State.Pid}}', 'far-sleeper'])).stdout.trim());
    const r = await cli(['snapshot', '--json', '--host', host, '--helper', 'local']);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as Snapshot;
    assert.equal(s.helper.ok, false);
    assert.match(
      s.helper.reason ?? '',
      new RegExp(
        `could not be shown to run on this machine \\(pid ${reportedPid} (of far-sleeper does not exist here|here is not a process of far-sleeper)\\)`,
      ),
    );
    assert.equal(s.containers.find((c) => c.name === 'far-sleeper')?.namespaces.net, null);
  });

  it("auto picks the helper container on that engine, which reads that engine's host, not ours", async () => {
    const r = await cli(['snapshot', '--json', '--host', host, '--helper', 'auto', '--helper-image', LAB_IMAGE], 60_000);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as Snapshot;
    assert.equal(s.helper.mode, 'container', s.helper.reason ?? '');
    const ourNet = Number(/\[(\d+)\]/.exec(fs.readlinkSync('/proc/self/ns/net'))?.[1]);
    assert.notEqual(s.hostNamespaces?.net, ourNet, "the far engine's host network is not this machine's");
    const hostPid = hostPidOf(id);
    assert.ok(hostPid, 'found the container process from here');
    const truth = Number(/\[(\d+)\]/.exec(fs.readlinkSync(`/proc/${hostPid}/ns/net`))?.[1]);
    assert.equal(s.containers.find((c) => c.name === 'far-sleeper')?.namespaces.net, truth);
  });

  it('enter refuses to go through this machine, instead of entering an unrelated process', async () => {
    const r = await cli(['enter', '--host', host, '--helper', 'local', 'far-sleeper', 'true']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /could not be shown to run on this machine/);
  });
});
