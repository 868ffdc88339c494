// Whole-process time of `container-internals snapshot --json` against the raw
// API floor (bench/api-floor), alternating the two in one run on ~100 running
// containers. Prints medians and their ratio; the target is ≤ 1.5×.
//   node dist/bench/snapshot-vs-floor.js [--containers 100] [--rounds 15] [--keep]
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { docker, growBenchContainers, median, removeBenchContainers, runBench } from './bench-containers';

const dist = path.resolve(__dirname, '..');

function timeProcess(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    execFile(process.execPath, args, { maxBuffer: 256 * 1024 * 1024 }, (error) => {
      if (error) reject(error);
      else resolve(Number(process.hrtime.bigint() - start) / 1e6);
    });
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { containers: { type: 'string', default: '100' }, rounds: { type: 'string', default: '15' }, keep: { type: 'boolean' } } });
  const want = Number(values.containers);
  const rounds = Number(values.rounds);
  await growBenchContainers(want);
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
  if (!values.keep) removeBenchContainers();
}

runBench(main);
