// What one look at a container's processes costs as the host fills up: the
// helper's `processes` read (every process in the container's cgroup or its
// namespaces, with NSpid, parents, inodes, command lines and cgroup limits)
// beside the engine's own `top` (GET /containers/ID/top: dockerd runs ps and
// keeps the container's pids), the floor, for the same container, alternated
// in one run at each size. An open Processes group pays this at most once a
// second.
//   node dist/bench/process-read.js [--sizes 100,300,500] [--rounds 9] [--keep]
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { createEngine } from '../extension/core/engine/engine';
import { resolveEndpoint } from '../extension/core/engine/engine-endpoint';
import { HELPER_SCRIPT } from '../extension/core/host/helper-runners';
import { BENCH_IMAGE, BENCH_LABEL, docker, growBenchContainers, median, removeBenchContainers, runBench } from './bench-containers';

function helperRead(pair: string): number {
  const start = process.hrtime.bigint();
  const r = spawnSync('sh', ['-c', HELPER_SCRIPT, 'bench-helper', 'processes', pair], { maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0 || !r.stdout.includes('"ok":true')) throw new Error(`helper: ${r.stderr.toString().slice(0, 200)}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { sizes: { type: 'string', default: '100,300,500' }, rounds: { type: 'string', default: '9' }, keep: { type: 'boolean' } },
  });
  const rounds = Number(values.rounds);
  const engine = createEngine(resolveEndpoint({}));
  // The container looked at: a shell with a few children, as a dev container has.
  const name = `cibench-procs-${process.pid}`;
  docker(['run', '-d', '--label', BENCH_LABEL, '--name', name, BENCH_IMAGE, 'sh', '-c', 'sleep 86400 & sleep 86401 & sleep 86402 & wait']);
  const pair = docker(['inspect', '-f', '{{.State.Pid}}:{{.Id}}', name]);
  const id = pair.split(':')[1] as string;
  const top = async (): Promise<number> => {
    const start = process.hrtime.bigint();
    await engine.docker.getContainer(id).top();
    return Number(process.hrtime.bigint() - start) / 1e6;
  };
  const rows: string[] = [];
  try {
    for (const size of values.sizes.split(',').map(Number)) {
      await growBenchContainers(size, { total: true });
      const running = docker(['ps', '-q']).split('\n').filter(Boolean).length;
      const hostProcesses = spawnSync('sh', ['-c', 'ls -d /proc/[0-9]* | wc -l'], { encoding: 'utf8' }).stdout.trim();
      helperRead(pair);
      await top();
      const ours: number[] = [];
      const floor: number[] = [];
      for (let i = 0; i < rounds; i++) {
        if (i % 2 === 0) {
          floor.push(await top());
          ours.push(helperRead(pair));
        } else {
          ours.push(helperRead(pair));
          floor.push(await top());
        }
      }
      rows.push(
        `| ${running} | ${hostProcesses} | ${median(floor).toFixed(0)} ms | ${median(ours).toFixed(0)} ms | ${(median(ours) / median(floor)).toFixed(2)}× |`,
      );
      process.stderr.write(`${rows[rows.length - 1]}\n`);
    }
  } finally {
    docker(['rm', '-f', name]);
    engine.close();
  }
  process.stdout.write(
    `one container's processes, local helper, median of ${rounds}\n| running containers | host processes | engine top (floor) | helper processes | ratio |\n|---|---|---|---|---|\n${rows.join('\n')}\n`,
  );
  if (!values.keep) removeBenchContainers();
}

runBench(main);
