// Whole-process time of `container-internals snapshot --json` against the raw
// API floor (bench/api-floor), alternating the two in one run on ~100 running
// containers. Prints medians and their ratio; the target is ≤ 1.5×.
//   node dist/bench/snapshot-vs-floor.js [--containers 100] [--rounds 15] [--keep]
import { execFile, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { mapWithConcurrency } from '../extension/core/concurrency';

const LABEL = 'dev.container-internals.bench=1';
const IMAGE = 'container-internals-lab/busybox:1';
const dist = path.resolve(__dirname, '..');

function docker(args: string[]): string {
  const r = spawnSync('docker', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

function timeProcess(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    execFile(process.execPath, args, { maxBuffer: 256 * 1024 * 1024 }, (error) => {
      if (error) reject(error);
      else resolve(Number(process.hrtime.bigint() - start) / 1e6);
    });
  });
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { containers: { type: 'string', default: '100' }, rounds: { type: 'string', default: '15' }, keep: { type: 'boolean' } } });
  const want = Number(values.containers);
  const rounds = Number(values.rounds);
  const have = docker(['ps', '-q', '--filter', `label=${LABEL}`]).split('\n').filter(Boolean).length;
  if (have < want) {
    process.stderr.write(`bench: starting ${want - have} containers…\n`);
    await mapWithConcurrency(Array.from({ length: want - have }, (_, i) => i + have), 4, async (i) => {
      docker(['run', '-d', '--label', LABEL, '--name', `cibench-${i}-${Date.now()}`, IMAGE, 'sleep', '86400']);
    });
  }
  const total = docker(['ps', '-aq']).split('\n').filter(Boolean).length;
  const cli = [path.join(dist, 'cli.js'), 'snapshot', '--json'];
  const floor = [path.join(dist, 'bench', 'api-floor.js')];
  // Warm the page cache for both before measuring.
  await timeProcess(cli);
  await timeProcess(floor);
  const snap: number[] = [];
  const base: number[] = [];
  for (let i = 0; i < rounds; i++) {
    // Alternate the order too, so neither always runs right after the other.
    if (i % 2 === 0) {
      base.push(await timeProcess(floor));
      snap.push(await timeProcess(cli));
    } else {
      snap.push(await timeProcess(cli));
      base.push(await timeProcess(floor));
    }
  }
  const ratio = median(snap) / median(base);
  process.stdout.write(
    `containers on engine: ${total}\n` +
      `rounds: ${rounds}\n` +
      `floor (list + inspect, 8 at a time), median: ${median(base).toFixed(0)} ms\n` +
      `snapshot --json (one helper process), median: ${median(snap).toFixed(0)} ms\n` +
      `ratio snapshot / floor: ${ratio.toFixed(2)}× (target ≤ 1.5×)\n`,
  );
  if (!values.keep) {
    const ids = docker(['ps', '-aq', '--filter', `label=${LABEL}`]).split('\n').filter(Boolean);
    if (ids.length) docker(['rm', '-f', ...ids]);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
