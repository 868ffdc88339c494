// The floor the snapshot is measured against: the raw Docker API work any
// tool must do, list + inspect of every container 8 at a time, nothing else.
import { mapWithConcurrency } from '../extension/core/common/concurrency';
import { createEngine } from '../extension/core/engine/engine';
import { resolveEndpoint } from '../extension/core/engine/engine-endpoint';

async function main(): Promise<void> {
  const { docker } = createEngine(resolveEndpoint());
  const list = await docker.listContainers({ all: true });
  const inspected = await mapWithConcurrency(list, 8, (c) => docker.getContainer(c.Id).inspect());
  process.stdout.write(`${inspected.length}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exitCode = 1;
});
