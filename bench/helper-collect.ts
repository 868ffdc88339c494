// What the helper's trust costs: one `collect` run of the verifying helper
// (pids from the engine checked against their cgroup and start time, `ip` in
// every network namespace) against the first helper (container sysfs read
// with one grep), both run locally as root over the same pids, alternated in
// one run. Grows the engine to each
// size asked for and prints medians and their ratio per size.
//   node dist/bench/helper-collect.js [--sizes 100,300,500] [--rounds 9] [--baseline COMMIT] [--keep]
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { HELPER_SCRIPT } from '../extension/core/host/helper-runners';
import { docker, growBenchContainers, median, removeBenchContainers, runBench } from './bench-containers';

function timeRun(script: string, args: string[]): { ms: number; bytes: number } {
  const start = process.hrtime.bigint();
  const r = spawnSync('sh', ['-c', script, 'bench-helper', ...args], { maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`helper exited ${r.status}: ${r.stderr.toString().slice(0, 200)}`);
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, bytes: r.stdout.length };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string', default: '100,300,500' },
      rounds: { type: 'string', default: '9' },
      baseline: { type: 'string', default: '2af9c60' },
      keep: { type: 'boolean' },
    },
  });
  const repo = path.resolve(__dirname, '..', '..');
  const baseline = execFileSync('git', ['-C', repo, 'show', `${values.baseline}:extension/helper/host-helper.sh`], { encoding: 'utf8' });
  fs.writeFileSync(path.join(os.tmpdir(), 'bench-helper-baseline.sh'), baseline);
  const rounds = Number(values.rounds);
  const rows: string[] = [];
  for (const size of values.sizes.split(',').map(Number)) {
    await growBenchContainers(size);
    // The lab's hostile containers are left out: cilab-evil-chroot's FIFOs hang
    // the first helper for good (that is one of the attacks), which would
    // measure nothing. Both helpers get the same pids, none discovered by name.
    const running = docker(['ps', '-q', '--no-trunc']).split('\n').filter(Boolean);
    const pairs = docker(['inspect', '-f', '{{.State.Pid}}:{{.Id}}:{{.Name}}', ...running])
      .split('\n')
      .filter((l) => !l.startsWith('0:') && !l.includes(':/cilab-evil-'))
      .map((l) => l.split(':').slice(0, 2).join(':'));
    const pids = pairs.map((p) => p.split(':')[0] as string);
    const now = (): { ms: number; bytes: number } => timeRun(HELPER_SCRIPT, ['collect', ...pairs]);
    const before = (): { ms: number; bytes: number } => timeRun(baseline, ['collect', ...pids]);
    now();
    before();
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < rounds; i++) {
      if (i % 2 === 0) {
        b.push(before().ms);
        a.push(now().ms);
      } else {
        a.push(now().ms);
        b.push(before().ms);
      }
    }
    rows.push(`| ${pairs.length} | ${median(b).toFixed(0)} ms | ${median(a).toFixed(0)} ms | ${(median(a) / median(b)).toFixed(2)}× |`);
    process.stderr.write(`${rows[rows.length - 1]}\n`);
  }
  process.stdout.write(
    `helper collect, local, median of ${rounds} (baseline ${values.baseline})\n| running containers | first helper | verifying helper | ratio |\n|---|---|---|---|\n${rows.join('\n')}\n`,
  );
  if (!values.keep) removeBenchContainers();
}

runBench(main);
