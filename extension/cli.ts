// container-internals: the command line on the same core as the extension.
// Argument parsing only; the work happens in extension/core.

import { parseArgs } from 'node:util';
import { createEngine, EngineUnreachableError, firstLine } from './core/engine';
import { EndpointError, resolveEndpoint } from './core/engine-endpoint';
import { selectHelperRunner } from './core/helper-runners';
import type { HelperMode } from './core/model';
import { takeSnapshot } from './core/snapshot';
import { renderSnapshotText } from './core/snapshot-text';

const USAGE = `Usage: container-internals <command> [options]

Commands:
  snapshot [--json]        Show containers with their namespaces, mounts and veth/bridge wiring

Options:
  --host URL               Docker endpoint (unix:///path or tcp://host:port); default DOCKER_HOST, then /var/run/docker.sock
  --helper MODE            How host facts are read: auto | local | sudo | container | off (default auto)
  --helper-image IMAGE     Image for the privileged helper container (default busybox:latest)
  -h, --help               Show this help
`;

const HELPER_MODES: readonly HelperMode[] = ['auto', 'local', 'sudo', 'container', 'off'];

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      json: { type: 'boolean' },
      host: { type: 'string' },
      helper: { type: 'string' },
      'helper-image': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    process.stdout.write(USAGE);
    return command || values.help ? 0 : 2;
  }
  if (command !== 'snapshot') throw new UsageError(`unknown command "${command}"`);
  if (rest.length) throw new UsageError(`unexpected argument "${rest[0]}"`);
  const mode = (values.helper ?? 'auto') as HelperMode;
  if (!HELPER_MODES.includes(mode)) throw new UsageError(`--helper must be one of ${HELPER_MODES.join(', ')}`);

  const engine = createEngine(resolveEndpoint({ explicit: values.host }));
  const helper = await selectHelperRunner(engine, { mode, image: values['helper-image'] });
  const snapshot = await takeSnapshot(engine, { helper });
  process.stdout.write(values.json ? `${JSON.stringify(snapshot, null, 2)}\n` : renderSnapshotText(snapshot));
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`container-internals: ${firstLine(message)}\n${USAGE}`);
      process.exitCode = 2;
    } else if (error instanceof EngineUnreachableError || error instanceof EndpointError) {
      process.stderr.write(`container-internals: ${message}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`container-internals: ${firstLine(message)}\n`);
      process.exitCode = 1;
    }
    // A half-open connection must not keep the process alive after a clear error.
    setImmediate(() => process.exit());
  },
);
