// The packaged extension in a real VS Code workbench, driven like a person would.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { openContainerInternals, openWorkbenchWithVsix, SCREENSHOTS, setPaneExpanded, widenSideBar } from './workbench';

function docker(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => execFile('docker', args, (e, out, err) => (e ? reject(new Error(err || e.message)) : resolve(out.trim()))));
}

describe('Explorer tree in the workbench (packaged .vsix)', () => {
  let page: Page;
  let close: () => Promise<void>;

  before(async () => {
    ({ page, close } = await openWorkbenchWithVsix());
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
  });
  after(async () => {
    await close?.();
  });

  it('opens the activity bar view and shows a lab container with its net inode, veth and bridge', async () => {
    await openContainerInternals(page);
    // Give the Containers view the whole side bar: rows below the fold are not rendered at all.
    await page.locator('.pane-header[aria-label="Containers Section"]').waitFor({ timeout: 30_000 });
    await setPaneExpanded(page, 'Networks', false);
    await setPaneExpanded(page, 'Volumes', false);
    await setPaneExpanded(page, 'Engines', false);
    await widenSideBar(page, 720);
    const web = page.getByRole('treeitem', { name: /^cilab-web\b/ });
    await web.waitFor({ timeout: 30_000 });
    await web.click();
    const namespaces = page.getByRole('treeitem', { name: /^Namespaces/ }).first();
    await namespaces.click();
    const pid = Number(await docker(['inspect', '-f', '{{.State.Pid}}', 'cilab-web']));
    const inode = /\[(\d+)\]/.exec(fs.readlinkSync(`/proc/${pid}/ns/net`))?.[1];
    assert.ok(inode);
    const netRow = page.getByRole('treeitem', { name: new RegExp(`^net ${inode}\\b`) });
    await netRow.waitFor({ timeout: 10_000 });
    assert.match((await netRow.textContent()) ?? '', /shared with cilab-sidecar/);

    await page
      .getByRole('treeitem', { name: /^Network\b/ })
      .first()
      .click();
    const eth0 = page.getByRole('treeitem', { name: /^eth0 172\.30\.1\.\d+\/24 ⇄ veth\w+ → br-[0-9a-f]{12} \(cilab-net-a\)/ });
    await eth0.waitFor({ timeout: 10_000 });
    await page
      .getByRole('treeitem', { name: /^Mounts\b/ })
      .first()
      .click();
    await page.getByRole('treeitem', { name: /^volume cilab-data → \/var\/lib\/data/ }).waitFor({ timeout: 10_000 });
    await page.locator('.part.sidebar').screenshot({ path: path.join(SCREENSHOTS, 'containers-view.png') });
  });

  it('shows the Networks view with the user bridge and its containers', async () => {
    await setPaneExpanded(page, 'Containers', false);
    await setPaneExpanded(page, 'Networks', true);
    await setPaneExpanded(page, 'Volumes', true);
    const net = page.getByRole('treeitem', { name: /^cilab-net-a\b/ });
    await net.waitFor({ timeout: 10_000 });
    await net.click();
    await page.getByRole('treeitem', { name: /^bridge br-[0-9a-f]{12}/ }).waitFor({ timeout: 10_000 });
    await page.getByRole('treeitem', { name: /^cilab-multi 172\.30\.1\.\d+\/24/ }).waitFor({ timeout: 10_000 });
    await page.locator('.part.sidebar').screenshot({ path: path.join(SCREENSHOTS, 'networks-volumes-views.png') });
  });
});
