// Capture Traffic for real: the host's tcpdump through the helper, in a
// container's namespace and on the host side, against a real ping; hostile
// filters, a container that goes away mid-capture, and cancel.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createEngine } from '../../extension/core/engine/engine';
import { resolveEndpoint } from '../../extension/core/engine/engine-endpoint';
import { ContainerHelperRunner, LocalHelperRunner, type HelperRunner } from '../../extension/core/host/helper-runners';
import { captureTraffic, countPackets } from '../../extension/core/network/capture';
import type { ContainerSnapshot } from '../../extension/core/snapshot/model';
import { CLI, docker, inspectPid, LAB_IMAGE, LAB_LABEL, requireLab, run, waitFor } from './lab';

const tag = `${process.pid}`;
const NET = `cilab-cap-net-${tag}`;
const A = `cilab-cap-a-${tag}`;
const B = `cilab-cap-b-${tag}`;
const MARKER = `/tmp/cilab-cap-pwned-${tag}`;
const engine = createEngine(resolveEndpoint({}));
const local = new LocalHelperRunner();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ci-capture-'));

async function container(name: string): Promise<ContainerSnapshot> {
  const [id, pid] = (await docker(['inspect', '-f', '{{.Id}} {{.State.Pid}}', name])).split(' ');
  return { id, name, pid: Number(pid) } as ContainerSnapshot;
}
const ipOf = (name: string) => docker(['inspect', '-f', `{{(index .NetworkSettings.Networks "${NET}").IPAddress}}`, name]);
const vethOf = async (name: string): Promise<string> => {
  // The host end: the host link whose ifindex the container's eth0@ifN names.
  const link = (await run('nsenter', ['-t', String(await inspectPid(name)), '-n', 'ip', '-j', 'link', 'show', 'eth0'])).stdout;
  const peer = (JSON.parse(link) as Array<{ link_index: number }>)[0]!.link_index;
  const host = JSON.parse((await run('ip', ['-j', 'link', 'show'])).stdout) as Array<{ ifindex: number; ifname: string }>;
  return host.find((l) => l.ifindex === peer)!.ifname;
};
function tcpdumpRead(file: string): Promise<string> {
  return run('tcpdump', ['-n', '-r', file]).then((r) => r.stdout);
}

describe('capture traffic from the host', () => {
  before(async () => {
    await requireLab();
    await docker(['network', 'create', '--label', LAB_LABEL, NET]);
    for (const name of [A, B]) await docker(['run', '-d', '--label', LAB_LABEL, '--name', name, '--network', NET, LAB_IMAGE, 'sleep', '3600']);
  });
  after(async () => {
    await docker(['rm', '-f', A, B]).catch(() => undefined);
    await docker(['network', 'rm', NET]).catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(MARKER, { force: true });
    engine.close();
  });

  for (const [what, runner, where] of [
    ['in the container’s namespace, local helper', (): Promise<HelperRunner> => Promise.resolve(local), 'container'],
    ['on the host veth, local helper', (): Promise<HelperRunner> => Promise.resolve(local), 'host'],
    [
      'in the container’s namespace, helper container',
      async (): Promise<HelperRunner> => new ContainerHelperRunner(engine, LAB_IMAGE, await docker(['image', 'inspect', '-f', '{{.Id}}', LAB_IMAGE])),
      'container',
    ],
  ] as const) {
    it(`captures a ping between two containers ${what}: the pcap holds the echo requests and replies`, async () => {
      const a = await container(A);
      const bIp = await ipOf(B);
      const aIp = await ipOf(A);
      const iface = where === 'host' ? await vethOf(A) : 'eth0';
      const capturing = captureTraffic(await runner(), a, { where, iface, count: 4, seconds: 20, filter: ['icmp'] });
      // tcpdump needs a moment to listen: ping until the capture has its four packets.
      const pinging = (async () => {
        for (let i = 0; i < 20; i++) {
          const done = await Promise.race([capturing.then(() => true), new Promise((r) => setTimeout(() => r(false), 500))]);
          if (done) return;
          await docker(['exec', A, 'ping', '-c', '1', '-W', '1', bIp]).catch(() => undefined);
        }
      })();
      const { pcap, packets } = await capturing;
      await pinging;
      assert.equal(packets, 4);
      assert.equal(countPackets(pcap), 4);
      const file = path.join(dir, `${where}-${Date.now()}.pcap`);
      fs.writeFileSync(file, pcap);
      const text = await tcpdumpRead(file);
      assert.match(text, new RegExp(`IP ${aIp.replace(/\./g, '\\.')} > ${bIp.replace(/\./g, '\\.')}: ICMP echo request`));
      assert.match(text, new RegExp(`IP ${bIp.replace(/\./g, '\\.')} > ${aIp.replace(/\./g, '\\.')}: ICMP echo reply`));
    });
  }

  it('passes a filter with shell metacharacters to tcpdump as words: tcpdump refuses it, nothing runs', async () => {
    const a = await container(A);
    await assert.rejects(
      captureTraffic(local, a, {
        where: 'container',
        iface: 'eth0',
        count: 1,
        seconds: 5,
        filter: ['icmp', 'and', `$(touch ${MARKER})`, ';', 'touch', MARKER],
      }),
      /syntax error|can't parse|illegal/i,
    );
    assert.ok(!fs.existsSync(MARKER));
    await assert.rejects(
      captureTraffic(local, a, { where: 'container', iface: 'eth0; touch x', count: 1, seconds: 5, filter: [] }),
      /characters capture does not take/,
    );
  });

  it('ends when the time is up, and says which interface does not exist', async () => {
    const a = await container(A);
    const started = Date.now();
    const quiet = await captureTraffic(local, a, { where: 'container', iface: 'eth0', count: 1000, seconds: 1, filter: ['udp', 'port', '9'] });
    assert.equal(quiet.packets, 0);
    assert.ok(Date.now() - started < 10_000);
    await assert.rejects(captureTraffic(local, a, { where: 'container', iface: 'eth9', count: 1, seconds: 2, filter: [] }), /eth9/);
  });

  it('a container that goes away mid-capture ends the capture with what it had, and leaves no tcpdump', async () => {
    const name = `cilab-cap-gone-${tag}`;
    await docker(['run', '-d', '--label', LAB_LABEL, '--name', name, '--network', NET, LAB_IMAGE, 'sleep', '3600']);
    const c = await container(name);
    const started = Date.now();
    const capturing = captureTraffic(local, c, { where: 'container', iface: 'eth0', count: 1000, seconds: 30, filter: [] }).then(
      (r) => r.packets,
      (e: Error) => e.message,
    );
    await new Promise((r) => setTimeout(r, 1_000));
    await docker(['rm', '-f', name]);
    const outcome = await capturing;
    assert.ok(Date.now() - started < 25_000, `the capture ended when the namespace went (${Date.now() - started} ms): ${outcome}`);
    await waitFor('no tcpdump of ours left', async () => !(await run('pgrep', ['-f', `tcpdump -i eth0 -U -n -s 262144 -c 1000`])).stdout.trim());
  });

  it('cancel stops the capture at once and leaves no tcpdump', async () => {
    const a = await container(A);
    const abort = new AbortController();
    const started = Date.now();
    const capturing = captureTraffic(local, a, {
      where: 'container',
      iface: 'eth0',
      count: 999,
      seconds: 60,
      filter: ['udp', 'port', '7'],
      signal: abort.signal,
    });
    setTimeout(() => abort.abort(), 700);
    await assert.rejects(capturing, /cancelled/);
    assert.ok(Date.now() - started < 5_000);
    await waitFor('no tcpdump of ours left', async () => !(await run('pgrep', ['-f', 'tcpdump -i eth0 -U -n -s 262144 -c 999'])).stdout.trim());
  });

  it('the CLI writes the pcap and lists the packets', async () => {
    const file = path.join(dir, 'cli.pcap');
    const bIp = await ipOf(B);
    const capture = run(process.execPath, [CLI, 'capture', A, '-c', '2', '--seconds', '20', '-w', file, 'icmp']);
    for (let i = 0; i < 20 && !fs.existsSync(file); i++) await docker(['exec', A, 'ping', '-c', '1', '-W', '1', bIp]).catch(() => undefined);
    const r = await capture;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /ICMP echo (request|reply)/);
    assert.match(r.stderr, /2 packet\(s\) captured on cilab-cap-a-\d+ eth0/);
    assert.equal(countPackets(fs.readFileSync(file)), 2);
  });
});
