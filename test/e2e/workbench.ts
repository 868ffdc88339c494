// Shared setup for UI tests: the packaged .vsix in a real workbench (code-server + Chromium).
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const SCREENSHOTS = path.join(ROOT, 'docs', 'screenshots');

interface Harness {
  installVsix(vsix: string, extensionsDir: string): Promise<void>;
  launchWorkbench(options: {
    folder: string;
    extensionsDir: string;
    viewport?: { width: number; height: number };
  }): Promise<{ page: Page; close(): Promise<void> }>;
}

export async function loadHarness(): Promise<Harness> {
  return (await import(pathToFileURL(path.join(ROOT, 'test', 'harness', 'code-server.mjs')).href)) as Harness;
}

function run(file: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(file, args, { cwd, timeout: 180_000, maxBuffer: 16 * 1024 * 1024 }, (e, out, err) =>
      e ? reject(new Error(`${file} ${args.join(' ')}: ${err || e.message}`)) : resolve(out),
    ),
  );
}

/** Packages the extension exactly as `npm run package` does. */
export async function packageVsix(): Promise<string> {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ci-vsix-')), 'container-internals.vsix');
  await run(process.execPath, [path.join(ROOT, 'scripts', 'package.mjs'), out], ROOT);
  return out;
}

export async function openWorkbenchWithVsix(): Promise<{ page: Page; close(): Promise<void> }> {
  const harness = await loadHarness();
  const vsix = await packageVsix();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ci-e2e-'));
  const extensionsDir = path.join(tmp, 'extensions');
  const folder = path.join(tmp, 'workspace');
  fs.mkdirSync(folder, { recursive: true });
  await harness.installVsix(vsix, extensionsDir);
  const wb = await harness.launchWorkbench({ folder, extensionsDir, viewport: { width: 1500, height: 950 } });
  return {
    page: wb.page,
    close: async () => {
      await wb.close();
      fs.rmSync(tmp, { recursive: true, force: true });
      fs.rmSync(path.dirname(vsix), { recursive: true, force: true });
    },
  };
}

export async function openContainerInternals(page: Page): Promise<void> {
  await page.locator('.activitybar').getByRole('tab', { name: 'Container Internals' }).click();
}

/** Collapses or expands one of the extension's view panes by its header. */
export async function setPaneExpanded(page: Page, title: 'Containers' | 'Networks' | 'Volumes' | 'Engines', expanded: boolean): Promise<void> {
  const header = page.locator(`.pane-header[aria-label="${title} Section"]`);
  if ((await header.getAttribute('aria-expanded')) !== String(expanded)) await header.click();
}

/** Widens the side bar so rows are readable in screenshots: drags the sash at its right edge. */
export async function widenSideBar(page: Page, width: number): Promise<void> {
  const box = await page.locator('.part.sidebar').boundingBox();
  if (!box) return;
  const x = box.x + box.width;
  const y = box.y + box.height / 2;
  await page.mouse.move(x - 1, y);
  await page.mouse.down();
  await page.mouse.move(box.x + width, y, { steps: 5 });
  await page.mouse.up();
}

/**
 * Runs a palette command by its full title, clicking the row once the list has it.
 * The palette lists the commands known when it opens: opened before the extension's
 * contributions are registered, it never shows them, so it is closed and opened again.
 */
export async function runCommand(page: Page, title: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await page.keyboard.press('F1');
    await page.locator('.quick-input-widget input').fill(`>${title}`);
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    try {
      await row.click({ timeout: 3_000 });
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await page.keyboard.press('Escape');
    }
  }
}
