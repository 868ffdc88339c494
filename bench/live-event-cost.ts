// What one `docker run` costs the live model, at growing engine sizes: engine
// API calls (counted through a proxy socket in front of the engine), helper
// runs, and the time from `docker run` returning to the container being in the
// live snapshot with its namespaces. Side by side, in the same run, with what
// every event cost before the model went incremental: a full read (list,
// inspect all, helper over every pid).
//   node dist/bench/live-event-cost.js [--sizes 100,300,500] [--rounds 5] [--keep]
import { parseArgs } from 'node:util';
import { createEngine } from '../extension/core/engine/engine';
import { resolveEndpoint } from '../extension/core/engine/engine-endpoint';
import { LiveSnapshot } from '../extension/core/snapshot/live-snapshot';
import { readAllInputs } from '../extension/core/snapshot/read-snapshot';
import { waitFor } from '../test/wait-for';
import { LocalHelperRunner } from '../extension/core/host/helper-runners';
import { BENCH_IMAGE, BENCH_LABEL, countingProxy, docker, growBenchContainers, median, removeBenchContainers, runBench } from './bench-containers';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { sizes: { type: 'string', default: '100,300,500' }, rounds: { type: 'string', default: '5' }, keep: { type: 'boolean' } },
  });
  const rounds = Number(values.rounds);
  const proxy = await countingProxy('/var/run/docker.sock');
  const endpoint = resolveEndpoint({ explicit: `unix://${proxy.path}`, env: {} });
  const rows: string[] = [];
  try {
    for (const size of values.sizes.split(',').map(Number)) {
      await growBenchContainers(size);
      const running = docker(['ps', '-q']).split('\n').filter(Boolean).length;
      // Before: every event was a full read.
      const fullMs: number[] = [];
      const fullCalls: number[] = [];
      const helper = { runner: new LocalHelperRunner(), mode: 'local' as const, reason: null };
      const engine = createEngine(endpoint);
      for (let i = 0; i < rounds; i++) {
        const before = proxy.requests();
        const t = process.hrtime.bigint();
        await readAllInputs(engine, { helper });
        fullMs.push(Number(process.hrtime.bigint() - t) / 1e6);
        fullCalls.push(proxy.requests() - before);
      }
      engine.close();
      // Now: the live model applies the run's events.
      const live = new LiveSnapshot(createEngine(endpoint), { helper: { mode: 'local' } });
      live.start();
      await waitFor('the first snapshot', async () => live.state.kind === 'ready' && live.quiet, 120_000);
      const eventMs: number[] = [];
      const runToRowMs: number[] = [];
      const eventCalls: number[] = [];
      let firstEventAt = 0n;
      let watching = '';
      const sub = live.onEvent((e) => {
        if (e.name === watching && !firstEventAt) firstEventAt = process.hrtime.bigint();
      });
      const fullBefore = live.fullRefreshCount;
      for (let i = 0; i < rounds; i++) {
        const name = `cibench-live-${size}-${i}-${Date.now()}`;
        await waitFor('quiet', async () => live.quiet, 30_000);
        const before = proxy.requests();
        watching = name;
        firstEventAt = 0n;
        const t = process.hrtime.bigint();
        docker(['run', '-d', '--label', BENCH_LABEL, '--name', name, BENCH_IMAGE, 'sleep', '86400']);
        await waitFor(
          'the new container with its namespaces',
          async () => live.state.kind === 'ready' && !!live.state.snapshot.containers.find((c) => c.name === name && c.namespaces.net),
          30_000,
        );
        const now = process.hrtime.bigint();
        runToRowMs.push(Number(now - t) / 1e6);
        eventMs.push(Number(now - firstEventAt) / 1e6);
        await waitFor('quiet', async () => live.quiet, 30_000);
        // The docker CLI's own calls do not go through the proxy: these are the live model's alone.
        eventCalls.push(proxy.requests() - before);
      }
      if (live.fullRefreshCount !== fullBefore) throw new Error('the live model fell back to a full read during the run');
      sub.dispose();
      live.dispose();
      rows.push(
        `| ${running} | ${median(fullCalls)} calls, ${median(fullMs).toFixed(0)} ms | ${median(eventCalls)} calls, ${median(eventMs).toFixed(0)} ms | ${(median(eventMs) / median(fullMs)).toFixed(2)}× | ${median(runToRowMs).toFixed(0)} ms |`,
      );
      process.stderr.write(`${rows[rows.length - 1]}\n`);
    }
  } finally {
    proxy.close();
  }
  process.stdout.write(
    `one docker run, live model (local helper), median of ${rounds}\n` +
      `| running containers | before: a full read per event | now: first event → row with namespaces | ratio | docker run → row |\n|---|---|---|---|---|\n${rows.join('\n')}\n` +
      '(calls: engine API requests by the model, counted at a proxy socket; the now column includes the 30 ms debounce)\n',
  );
  if (!values.keep) removeBenchContainers();
}

runBench(main);
