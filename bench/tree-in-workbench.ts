// The Containers view in a real workbench (code-server + Chromium), measured
// the way a person experiences it, side by side with a floor: a minimal tree
// extension (bench/floor-extension) that makes one list call per container
// event. Both run in the same harness and the same run, alternated, at each
// engine size, so the workbench's and the engine's own costs cancel out:
//  - cold: clicking the activity-bar tab → the first container row, activation included;
//  - `docker run` returning → its row is in the tree, and `docker rm -f` → gone;
//  - engine API calls per `docker run` (through a counting socket proxy);
//  - how long `docker run` itself takes while the view is open;
// and, at each size, `container-internals snapshot --json` against the raw API floor.
//   node dist/bench/tree-in-workbench.js [--sizes 100,300,500] [--rounds 2] [--tries 5] [--keep]
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import {
  BENCH_IMAGE,
  BENCH_LABEL,
  countingProxy,
  docker,
  growBenchContainers,
  median,
  removeBenchContainers,
  runBench,
  runningContainers,
  timeAlternately,
} from './bench-containers';
import type { CountingProxy } from './bench-containers';

const ROOT = path.resolve(__dirname, '..', '..');
const DIST = path.resolve(__dirname, '..');

interface Harness {
  installVsix(vsix: string, dir: string): Promise<void>;
  launchWorkbench(o: {
    folder: string;
    extensionsDir: string;
    userDataDir?: string;
    viewport?: { width: number; height: number };
  }): Promise<{ page: Page; close(): Promise<void> }>;
}

interface Side {
  name: string;
  /** The activity-bar tab that shows its Containers view. */
  tab: string;
  extensionsDir: string;
}

interface Samples {
  cold: number[];
  appear: number[];
  vanish: number[];
  calls: number[];
  dockerRun: number[];
}

function progress(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

/** Waits, checking every animation frame in the page, until a tree row with that name is there (or gone). */
async function rowPresence(page: Page, name: string, present: boolean, timeout = 15_000): Promise<void> {
  await page.waitForFunction(
    ([n, want]) =>
      [
        ...(
          globalThis as unknown as { document: { querySelectorAll(s: string): Iterable<{ getAttribute(a: string): string | null }> } }
        ).document.querySelectorAll('[role=treeitem]'),
      ].some((e) => (e.getAttribute('aria-label') ?? '').split(/[\s,]/)[0] === n) === want,
    [name, present] as const,
    { polling: 'raf', timeout },
  );
}

function timed(run: () => void): number {
  const t = performance.now();
  run();
  return performance.now() - t;
}

async function measureSide(harness: Harness, side: Side, proxy: CountingProxy, anchor: string, tries: number, into: Samples, tmp: string): Promise<void> {
  const folder = fs.mkdtempSync(path.join(tmp, 'ws-'));
  const userDataDir = fs.mkdtempSync(path.join(tmp, 'user-'));
  // The extension host inherits the environment: both sides talk to the engine through the counting proxy.
  const direct = process.env.DOCKER_HOST;
  process.env.DOCKER_HOST = `unix://${proxy.path}`;
  const wb = await harness.launchWorkbench({ folder, extensionsDir: side.extensionsDir, userDataDir, viewport: { width: 1400, height: 1000 } }).finally(() => {
    if (direct === undefined) delete process.env.DOCKER_HOST;
    else process.env.DOCKER_HOST = direct;
  });
  const page = wb.page;
  try {
    // The clock starts once the workbench itself has finished starting (its
    // own "Eventually" lifecycle mark), so its boot is not counted.
    await page.waitForFunction(
      () =>
        JSON.stringify((globalThis as unknown as { MonacoPerformanceMarks: { getMarks(): unknown } }).MonacoPerformanceMarks.getMarks()).includes(
          'code/LifecyclePhase/Eventually',
        ),
      undefined,
      { timeout: 60_000, polling: 50 },
    );
    const clicked = performance.now();
    await page.locator('.activitybar').getByRole('tab', { name: side.tab }).click();
    await rowPresence(page, anchor, true, 60_000);
    into.cold.push(performance.now() - clicked);
    // Only the Containers view stays open, so the measured rows are rendered.
    for (const title of ['Networks', 'Volumes']) {
      const header = page.locator(`.pane-header[aria-label="${title} Section"]`);
      if ((await header.count()) && (await header.getAttribute('aria-expanded')) === 'true') await header.click();
    }
    await page.waitForTimeout(2_000); // let the first full read settle before counting calls
    for (let i = 0; i < tries; i++) {
      // "a-…" sorts before every other row, so the row is at the top and rendered.
      const name = `a-cibench-lat-${i}-${process.pid}`;
      const callsBefore = proxy.requests();
      into.dockerRun.push(timed(() => docker(['run', '-d', '--label', BENCH_LABEL, '--name', name, BENCH_IMAGE, 'sleep', '600'])));
      const ran = performance.now();
      await rowPresence(page, name, true);
      into.appear.push(performance.now() - ran);
      // Whatever the event causes, counted once the view has settled. VS Code
      // also coalesces tree updates within 200 ms of the previous one; a person
      // does not remove a container that fast after it appeared.
      await page.waitForTimeout(1_500);
      into.calls.push(proxy.requests() - callsBefore);
      docker(['rm', '-f', name]);
      const removed = performance.now();
      await rowPresence(page, name, false);
      into.vanish.push(performance.now() - removed);
      await page.waitForTimeout(500);
    }
  } finally {
    await wb.close();
  }
}

async function packageFloor(out: string): Promise<void> {
  const src = path.join(ROOT, 'bench', 'floor-extension');
  execFileSync(
    process.execPath,
    [path.join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--out', out],
    { cwd: src, stdio: ['ignore', 'ignore', 'inherit'] },
  );
}

function p50(xs: number[]): string {
  return median(xs).toFixed(0);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string', default: '100,300,500' },
      rounds: { type: 'string', default: '2' },
      tries: { type: 'string', default: '5' },
      'cli-rounds': { type: 'string', default: '7' },
      keep: { type: 'boolean' },
    },
  });
  const sizes = values.sizes.split(',').map(Number);
  const rounds = Number(values.rounds);
  const tries = Number(values.tries);
  const cliRounds = Number(values['cli-rounds']);
  const harness = (await import(pathToFileURL(path.join(ROOT, 'test', 'harness', 'code-server.mjs')).href)) as Harness;

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ci-bench-wb-'));
  const proxy = await countingProxy(process.env.DOCKER_HOST?.replace(/^unix:\/\//, '') || '/var/run/docker.sock');
  const rows: string[] = [];
  const cliRows: string[] = [];
  try {
    progress('packaging both extensions');
    const oursVsix = path.join(tmp, 'ours.vsix');
    execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'package.mjs'), oursVsix], { cwd: ROOT, stdio: 'ignore' });
    const floorVsix = path.join(tmp, 'floor.vsix');
    await packageFloor(floorVsix);
    const sides: Side[] = [
      { name: 'floor', tab: 'Bench Floor', extensionsDir: path.join(tmp, 'ext-floor') },
      { name: 'this extension', tab: 'Container Internals', extensionsDir: path.join(tmp, 'ext-ours') },
    ];
    await harness.installVsix(floorVsix, sides[0]!.extensionsDir);
    await harness.installVsix(oursVsix, sides[1]!.extensionsDir);
    const anchor = `a-cibench-anchor-${process.pid}`;
    docker(['run', '-d', '--label', BENCH_LABEL, '--name', anchor, BENCH_IMAGE, 'sleep', '86400']);

    for (const size of sizes) {
      await growBenchContainers(size, { total: true });
      const running = runningContainers();
      const samples = new Map(sides.map((s) => [s.name, { cold: [], appear: [], vanish: [], calls: [], dockerRun: [] } as Samples]));
      for (let r = 0; r < rounds; r++) {
        // Alternate which side goes first, so neither always follows the other.
        for (const side of r % 2 ? [...sides].reverse() : sides) {
          progress(`${running} running: ${side.name}, round ${r + 1}/${rounds}`);
          await measureSide(harness, side, proxy, anchor, tries, samples.get(side.name)!, tmp);
        }
      }
      const floor = samples.get('floor')!;
      for (const side of sides) {
        const s = samples.get(side.name)!;
        rows.push(
          `| ${running} | ${side.name} | ${p50(s.cold)} ms | ${p50(s.appear)} ms | ${p50(s.vanish)} ms | ${median(s.calls)} | ${p50(s.dockerRun)} ms` +
            (side.name === 'floor'
              ? ' | |'
              : ` | cold ${(median(s.cold) - median(floor.cold)).toFixed(0)} ms, run ${(median(s.appear) - median(floor.appear)).toFixed(0)} ms, rm ${(median(s.vanish) - median(floor.vanish)).toFixed(0)} ms, docker run ${(median(s.dockerRun) / median(floor.dockerRun)).toFixed(2)}× |`),
        );
      }
      progress(`${running} running: CLI snapshot --json against the API floor`);
      const cli = [path.join(DIST, 'cli.js'), 'snapshot', '--json'];
      const apiFloor = [path.join(DIST, 'bench', 'api-floor.js')];
      const { a: base, b: snap } = await timeAlternately(cliRounds, apiFloor, cli);
      cliRows.push(`| ${running} | ${p50(base)} ms | ${p50(snap)} ms | ${(median(snap) / median(base)).toFixed(2)}× |`);
    }
  } finally {
    proxy.close();
    if (!values.keep) removeBenchContainers();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  process.stdout.write(
    `p50 over ${rounds} rounds × ${tries} tries (cold: p50 of ${rounds} launches), sides alternated in one run\n\n` +
      '| running | extension | cold: tab → first row | `docker run` → row | `docker rm -f` → gone | engine calls per `docker run` | `docker run` itself | this extension − floor |\n' +
      '| --- | --- | --- | --- | --- | --- | --- | --- |\n' +
      `${rows.join('\n')}\n\n` +
      `CLI, median of ${cliRounds}, alternated:\n\n` +
      '| running | API floor (list + inspect, 8 at a time) | `snapshot --json` | ratio |\n| --- | --- | --- | --- |\n' +
      `${cliRows.join('\n')}\n`,
  );
}

runBench(main);
