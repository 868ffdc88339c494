// Whole-process time of `container-internals snapshot --json` against the raw
// API floor (bench/api-floor), alternating the two in one run on ~100 running
// containers. Prints medians and their ratio; the target is ≤ 1.5×.
//   node dist/bench/snapshot-vs-floor.js [--containers 100] [--rounds 15] [--keep]
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { docker, growBenchContainers, median, removeBenchContainers, runBench, timeAlternately } from './bench-containers';

const dist = path.resolve(__dirname, '..');

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { containers: { type: 'string', default: '100' }, rounds: { type: 'string', default: '15' }, keep: { type: 'boolean' } },
  });
  const want = Number(values.containers);
  const rounds = Number(values.rounds);
  await growBenchContainers(want);
  const total = docker(['ps', '-aq']).split('\n').filter(Boolean).length;
  const cli = [path.join(dist, 'cli.js'), 'snapshot', '--json'];
  const floor = [path.join(dist, 'bench', 'api-floor.js')];
  const { a: base, b: snap } = await timeAlternately(rounds, floor, cli);
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
