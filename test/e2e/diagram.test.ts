// The network diagram webview in the workbench, against the lab.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FrameLocator, Page } from 'playwright-core';
import { openWorkbenchWithVsix, runCommand, SCREENSHOTS } from './workbench';

function docker(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => execFile('docker', args, (e, out, err) => (e ? reject(new Error(err || e.message)) : resolve(out.trim()))));
}
const netns = async (name: string) => /\[(\d+)\]/.exec(fs.readlinkSync(`/proc/${await docker(['inspect', '-f', '{{.State.Pid}}', name])}/ns/net`))?.[1];

describe('Network diagram in the workbench', () => {
  let page: Page;
  let close: () => Promise<void>;
  let frame: FrameLocator;

  before(async () => {
    ({ page, close } = await openWorkbenchWithVsix());
    await runCommand(page, 'Container Internals: Show Network Diagram');
    frame = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
    await frame.locator('svg.ci-diagram').waitFor({ timeout: 30_000 });
    await frame.locator('g.netns').first().waitFor({ state: 'attached', timeout: 30_000 });
  });
  after(async () => {
    await docker(['rm', '-f', 'cilab-diagram-live']).catch(() => undefined);
    const crowd = (await docker(['ps', '-aq', '--filter', 'name=^cilab-crowd-']).catch(() => '')).split('\n').filter(Boolean);
    if (crowd.length) await docker(['rm', '-f', ...crowd]).catch(() => undefined);
    for (const net of ['cilab-crowd-a', 'cilab-crowd-b']) await docker(['network', 'rm', net]).catch(() => undefined);
    await close?.();
  });

  it('draws containers that share a netns inside one box, both bridges, and two edges for a multi-homed container', async () => {
    const web = await netns('cilab-web');
    const box = frame.locator(`g.netns[data-netns="${web}"]`);
    assert.equal(await box.count(), 1);
    assert.deepEqual((await box.locator('[data-container]').evaluateAll((els) => els.map((e) => e.getAttribute('data-container')))).sort(), [
      'cilab-sidecar',
      'cilab-web',
    ]);
    const multi = await netns('cilab-multi');
    assert.equal(await frame.locator(`path.edge.veth[data-netns="${multi}"]`).count(), 2);
    const netA = (await docker(['network', 'inspect', '-f', '{{.Id}}', 'cilab-net-a'])).slice(0, 12);
    assert.equal(await frame.locator(`g.bridge[data-bridge="br-${netA}"]`).count(), 1);
    assert.equal(await frame.locator('g.bridge[data-bridge="docker0"]').count(), 1);
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'network-diagram.png') });
  });

  it('marks a traced path: both containers, their veths and the bridge between them', async () => {
    await runCommand(page, 'Container Internals: Trace Path…');
    const pick = async (name: string) => {
      await page.locator('.quick-input-widget input').fill(name);
      await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().click();
    };
    await pick('cilab-web');
    await pick('cilab-multi');
    // The trace opens beside the diagram; the diagram marks it.
    const bridge = `br-${(await docker(['network', 'inspect', '-f', '{{.Id}}', 'cilab-net-a'])).slice(0, 12)}`;
    await frame.locator(`g.bridge.traced[data-bridge="${bridge}"]`).waitFor({ state: 'attached', timeout: 30_000 });
    assert.equal(await frame.locator(`g.netns.traced[data-netns="${await netns('cilab-web')}"]`).count(), 1);
    assert.equal(await frame.locator(`g.netns.traced[data-netns="${await netns('cilab-multi')}"]`).count(), 1);
    assert.ok((await frame.locator('g.veth.traced').count()) >= 2, 'both host ends of the veth pairs');
    assert.equal(await frame.locator('g.bridge.traced').count(), 1, 'only the bridge it crosses');
    assert.match((await frame.locator('#status').textContent()) ?? '', /traced: cilab-web → cilab-multi \(reached\)/);
    // The bridge's hover text carries its CAM table, read from the host: web's MAC on its veth, after a ping.
    const multiIp = await docker(['inspect', '-f', '{{(index .NetworkSettings.Networks "cilab-net-a").IPAddress}}', 'cilab-multi']);
    await docker(['exec', 'cilab-web', 'ping', '-c', '1', '-W', '2', multiIp]);
    const webMac = await docker(['inspect', '-f', '{{(index .NetworkSettings.Networks "cilab-net-a").MacAddress}}', 'cilab-web']);
    const title = frame.locator(`g.bridge[data-bridge="${bridge}"] > title`);
    await docker(['run', '-d', '--label', 'dev.container-internals.lab=1', '--name', 'cilab-diagram-cam', 'container-internals-lab/busybox:1', 'true']);
    await docker(['rm', '-f', 'cilab-diagram-cam']);
    const deadline = Date.now() + 30_000;
    let text = '';
    while (Date.now() < deadline && !text.includes(webMac)) {
      text = (await title.textContent()) ?? '';
      if (!text.includes(webMac)) await new Promise((r) => setTimeout(r, 500));
    }
    assert.match(text, /CAM table \(\d+\):/);
    assert.match(text, new RegExp(`${webMac} → veth\\w+: cilab-web eth0, learned`));
  });

  it('runs nothing from markup in names and labels', async () => {
    const hostile = frame.locator('[data-container="cilab-hostile"]');
    assert.equal(await hostile.count(), 1);
    assert.match((await hostile.textContent()) ?? '', /<img src=x onerror=/);
    assert.equal(await frame.locator('img').count(), 0);
    assert.equal(await frame.locator('body').evaluate((body) => body.ownerDocument.title), 'Network Diagram');
  });

  it('updates live without losing the zoom', async () => {
    await frame.locator('#zoomIn').click();
    await frame.locator('#zoomIn').click();
    const zoomed = await frame.locator('svg.ci-diagram').getAttribute('viewBox');
    await docker([
      'run',
      '-d',
      '--label',
      'dev.container-internals.lab=1',
      '--name',
      'cilab-diagram-live',
      'container-internals-lab/busybox:1',
      'sleep',
      '600',
    ]);
    await frame.locator('[data-container="cilab-diagram-live"]').waitFor({ state: 'attached', timeout: 15_000 });
    assert.equal(await frame.locator('svg.ci-diagram').getAttribute('viewBox'), zoomed);
  });

  it('filters by Docker network and searches', async () => {
    await frame.locator('#network').selectOption('cilab-net-b');
    const multi = await netns('cilab-multi');
    const web = await netns('cilab-web');
    // Not dimmed (it may still carry the earlier trace's mark).
    assert.doesNotMatch((await frame.locator(`g.netns[data-netns="${multi}"]`).getAttribute('class')) ?? 'dimmed', /dimmed/);
    assert.match((await frame.locator(`g.netns[data-netns="${web}"]`).getAttribute('class')) ?? '', /dimmed/);
    await frame.locator('#network').selectOption('');
    await frame.locator('#search').fill('sidecar');
    assert.match((await frame.locator(`g.netns[data-netns="${web}"]`).getAttribute('class')) ?? '', /match/);
  });

  it('reveals a clicked container in the tree', async () => {
    // The earlier tests zoomed in; with the lab's hostile crowd on docker0 the label may lie outside the view.
    await frame.locator('#fit').click();
    await frame.locator('text[data-container="cilab-multi"]').click();
    const row = page.getByRole('treeitem', { name: /^cilab-multi\b/ });
    await row.waitFor({ timeout: 15_000 });
    await page.waitForFunction(
      () =>
        !!(globalThis as unknown as { document: { querySelector(s: string): unknown } }).document.querySelector(
          '[role=treeitem][aria-selected="true"][aria-label^="cilab-multi "]',
        ),
      undefined,
      { timeout: 10_000 },
    );
  });

  it('draws a crowd on one bridge as one box with its count; a click opens it, and so does a search for one member', async () => {
    const crowd = async (net: string): Promise<string> => {
      // Reused if an earlier run left it (dockerd can keep a stale endpoint that blocks its removal).
      await docker(['network', 'inspect', net]).catch(() => docker(['network', 'create', '--label', 'dev.container-internals.lab=1', net]));
      for (let i = 0; i < 21; i++) {
        await docker([
          'run',
          '-d',
          '--label',
          'dev.container-internals.lab=1',
          '--name',
          `cilab-crowd-${net.slice(-1)}${i}`,
          '--network',
          net,
          'container-internals-lab/busybox:1',
          'sleep',
          '600',
        ]);
      }
      return `br-${(await docker(['network', 'inspect', '-f', '{{.Id}}', net])).slice(0, 12)}`;
    };
    const [a, b] = [await crowd('cilab-crowd-a'), await crowd('cilab-crowd-b')];
    const groupA = frame.locator(`g.group[data-group="${a}"]`);
    await groupA.waitFor({ state: 'attached', timeout: 30_000 });
    await frame.locator(`g.group[data-group="${b}"]`).waitFor({ state: 'attached', timeout: 30_000 });
    assert.match((await groupA.textContent()) ?? '', /21 containers on br-/);
    assert.equal(await frame.locator('[data-container="cilab-crowd-a5"]').count(), 0);
    await frame.locator('#fit').click();
    await groupA.locator('text').first().click();
    await frame.locator('[data-container="cilab-crowd-a5"]').waitFor({ state: 'attached', timeout: 15_000 });
    await frame.locator('#search').fill('cilab-crowd-b7');
    await frame.locator('[data-container="cilab-crowd-b7"]').waitFor({ state: 'attached', timeout: 15_000 });
    await frame.locator('#search').fill('');
  });
});
