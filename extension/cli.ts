// container-internals: the command line on the same core as the extension.
// Argument parsing only; the work happens in extension/core.

import { spawn } from 'node:child_process';
import { constants as osConstants } from 'node:os';
import { parseArgs } from 'node:util';
import { type AttachedProcess, startExec } from './core/engine/attached-process';
import { createEngine, pingEngine } from './core/engine/engine';
import { EngineUnreachableError } from './core/engine/engine-errors';
import { firstLine } from './core/common/first-line';
import {
  DEFAULT_ENTER_NAMESPACES,
  enterBanner,
  EnterError,
  enterHelperArgs,
  entersThroughEngine,
  parseNamespaceList,
  resolveEnterTarget,
} from './core/actions/enter-plan';
import { currentContextName, EndpointError, endpointFromContext, listContexts, resolveEndpoint } from './core/engine/engine-endpoint';
import { FileHelperImagePins } from './core/host/helper-image-pin-file';
import { type ContainerHelperRunner, selectHelperRunner } from './core/host/helper-runners';
import { HELPER_MODES, type HelperMode } from './core/snapshot/model';
import * as path from 'node:path';
import { createVolume, VolumeError, volumeNameProblem } from './core/actions/volumes';
import { takeSnapshot } from './core/snapshot/read-snapshot';
import { printable, renderSnapshotText } from './present/snapshot-text';
import { readContainerProcesses } from './core/processes/read-processes';
import { processesTable } from './present/process-text';
import { readNetState, NetStateError } from './core/network/read-net-state';
import { publishedPorts } from './core/network/published-ports';
import { parseTraceEnd, tracePath, TraceError } from './core/network/path-trace';
import { publishedPortLine, traceText } from './present/trace-text';
import { CaptureError, captureTraffic, decodeWithTcpdump } from './core/network/capture';
import type { ContainerSnapshot } from './core/snapshot/model';
import * as fs from 'node:fs';

const USAGE = `Usage: container-internals <command> [options]

Commands:
  snapshot [--json]        Show containers with their namespaces, mounts and veth/bridge wiring
  volume create NAME [--bind HOST_DIR]
                           Create a named volume, or one bound to HOST_DIR on the engine's host
                           (created there if missing). Prints the name and the mountpoint.
  lsp --stdio              The compose-file language server (LSP over stdio), for any editor
  diagram --svg            Draw bridges, veth pairs and network namespaces as a standalone SVG (stdout)
  enter CONTAINER [--ns net,pid,uts,ipc,mnt,cgroup,user] [--] [COMMAND [ARGS...]]
                           Run COMMAND (default /bin/sh) on the host inside the container's
                           namespaces (default net,uts,ipc,pid): host tools, the container's view.
                           Its exit status is this command's.

  ps CONTAINER [--json]    The container's processes as the host sees them: host pid, pid inside,
                           parent, user, start, command, whether it joined later (exec, setns) and
                           which of the container's namespaces it is in; cgroup limits and use
  trace FROM TO [--json]   The path a packet takes, from live state (no packet is sent): FROM and TO
                           are containers, host, outside, an IPv4 address, or host:PORT[/udp]
  ports [--json]           Published ports with the DNAT rule and docker-proxy behind each
  capture CONTAINER [--iface eth0] [--host-side] [-c N] [--seconds S] [-w FILE.pcap] [FILTER...]
                           The host's tcpdump on the container's interface (or, with --host-side, on a
                           host interface such as its veth or bridge), bounded in packets and time;
                           writes a pcap (-w, or stdout when it is not a terminal), lines to stderr
  contexts                 List Docker contexts with their endpoints and whether they answer

Options (before or after the command):
  --host URL               Docker endpoint: unix:///path, tcp://host:port (TLS from DOCKER_TLS_VERIFY and
                           DOCKER_CERT_PATH) or ssh://[user@]host[:port] (through the system ssh)
  --context NAME           A Docker context (default: DOCKER_HOST, DOCKER_CONTEXT, the current context,
                           then /var/run/docker.sock or a rootless daemon's socket)
  --helper MODE            How host facts are read: auto | local | sudo | container | off (default auto)
  --helper-image IMAGE     Image for the privileged helper container (default busybox:latest)
  -h, --help               Show this help
`;

class UsageError extends Error {}

function helperModeOption(value: string | undefined): HelperMode {
  const mode = (value ?? 'auto') as HelperMode;
  if (!(HELPER_MODES as readonly string[]).includes(mode)) throw new UsageError(`--helper must be one of ${HELPER_MODES.join(', ')}`);
  return mode;
}

/** Options every command takes, before or after its name. */
interface GlobalOptions {
  host?: string | undefined;
  context?: string | undefined;
  helper?: string | undefined;
  'helper-image'?: string | undefined;
}

const GLOBAL_VALUE_OPTIONS = new Set(['--host', '--context', '--helper', '--helper-image']);

/** Splits `[global options] COMMAND [its arguments]`. */
function splitCommand(argv: string[]): { globals: GlobalOptions; command: string | undefined; rest: string[]; help: boolean } {
  const globals: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '-h' || arg === '--help') return { globals, command: undefined, rest: [], help: true };
    const eq = arg.indexOf('=');
    const key = eq > 0 ? arg.slice(0, eq) : arg;
    if (GLOBAL_VALUE_OPTIONS.has(key)) {
      const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new UsageError(`${key} needs a value`);
      globals[key.slice(2)] = value;
    } else if (arg.startsWith('-')) {
      throw new UsageError(`unknown option ${arg} before the command`);
    } else {
      return { globals, command: arg, rest: argv.slice(i + 1), help: false };
    }
  }
  return { globals, command: undefined, rest: [], help: false };
}

/** --host wins over --context; without either, the docker CLI's own order applies. */
function engineFromOptions(o: GlobalOptions) {
  return createEngine(resolveEndpoint({ explicit: o.host, context: o.context }));
}

function helperFromOptions(o: GlobalOptions, engine: ReturnType<typeof createEngine>) {
  return selectHelperRunner(engine, { mode: helperModeOption(o.helper), image: o['helper-image'], pins: new FileHelperImagePins() });
}

const GLOBAL_PARSE_OPTIONS = {
  host: { type: 'string' },
  context: { type: 'string' },
  helper: { type: 'string' },
  'helper-image': { type: 'string' },
} as const;

/**
 * The diagram (ELK) and the language server are large; they are separate
 * bundles loaded only by the commands that use them, so `snapshot` starts fast.
 */
function loadSibling(bundle: string): unknown {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a separate bundle, found by path at run time
  return require(path.join(__dirname, bundle));
}

async function main(argv: string[]): Promise<number> {
  const { globals, command, rest: commandArgs, help } = splitCommand(argv);
  if (help || !command) {
    process.stdout.write(USAGE);
    return help ? 0 : 2;
  }
  if (command === 'enter') return enterCommand(commandArgs, globals);
  if (command === 'capture') return captureCommand(commandArgs, globals);
  if (command === 'volume') return volumeCommand(commandArgs, globals);
  if (command === 'lsp') return lspCommand(commandArgs, globals);
  const { values, positionals: rest } = parseArgs({
    args: commandArgs,
    allowPositionals: true,
    strict: true,
    options: { json: { type: 'boolean' }, svg: { type: 'boolean' }, help: { type: 'boolean', short: 'h' }, ...GLOBAL_PARSE_OPTIONS },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (command === 'contexts') return contextsCommand();
  if (command === 'ps') return psCommand(rest, { ...globals, ...values });
  if (command === 'trace' || command === 'ports') return networkCommand(command, rest, { ...globals, ...values });
  if (command !== 'snapshot' && command !== 'diagram') throw new UsageError(`unknown command "${command}"`);
  if (command === 'diagram' && !values.svg) throw new UsageError('diagram needs --svg (the only output format)');
  if (rest.length) throw new UsageError(`unexpected argument "${rest[0]}"`);
  const options = { ...globals, ...values };
  const { snapshot } = await snapshotFromOptions(options);
  if (command === 'diagram') {
    const { renderDiagramSvg } = loadSibling('diagram.js') as typeof import('./present/diagram-svg');
    process.stdout.write(`${await renderDiagramSvg(snapshot, { standalone: true })}\n`);
  } else process.stdout.write(values.json ? `${JSON.stringify(snapshot, null, 2)}\n` : renderSnapshotText(snapshot));
  return 0;
}

/** The engine, helper and one full snapshot the options name: what snapshot, diagram, ps, trace and ports start from. */
async function snapshotFromOptions(options: GlobalOptions) {
  helperModeOption(options.helper);
  const engine = engineFromOptions(options);
  const helper = await helperFromOptions(options, engine);
  return { engine, helper, snapshot: await takeSnapshot(engine, { helper }) };
}

/** One container's processes, read through the helper like the Processes group. */
async function psCommand(positionals: string[], options: GlobalOptions & { json?: boolean | undefined }): Promise<number> {
  const [name, ...extra] = positionals;
  if (!name) throw new UsageError('ps needs a container name or id');
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const { helper, snapshot } = await snapshotFromOptions(options);
  const container = snapshot.containers.find((c) => c.name === name || c.id === name) ?? snapshot.containers.find((c) => c.id.startsWith(name));
  if (!container) throw new EnterError(`no such container: ${name}`);
  const value = await readContainerProcesses(helper.runner, container, snapshot, helper.reason);
  process.stdout.write(options.json ? `${JSON.stringify(value, null, 2)}\n` : processesTable(value));
  return value.unavailable ? 1 : 0;
}

/** `trace FROM TO` and `ports`: the host's forwarding state, read through the helper. */
async function networkCommand(command: 'trace' | 'ports', positionals: string[], options: GlobalOptions & { json?: boolean | undefined }): Promise<number> {
  if (command === 'trace' && positionals.length !== 2) throw new UsageError('trace needs FROM and TO');
  if (command === 'ports' && positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const { helper, snapshot } = await snapshotFromOptions(options);
  if (command === 'ports') {
    const state = helper.runner ? await readNetState(helper.runner, snapshot) : null;
    const ports = publishedPorts(snapshot, state);
    process.stdout.write(options.json ? `${JSON.stringify(ports, null, 2)}\n` : ports.map((p) => `${publishedPortLine(p)}\n`).join(''));
    return 0;
  }
  const from = parseTraceEnd(positionals[0] as string, snapshot);
  const to = parseTraceEnd(positionals[1] as string, snapshot);
  const state = await readNetState(helper.runner, snapshot, from.kind === 'container' ? [from.container] : [], helper.reason);
  const trace = tracePath(snapshot, state, from, to);
  process.stdout.write(options.json ? `${JSON.stringify(trace, null, 2)}\n` : traceText(trace));
  return 0;
}

/** `capture`: a bounded tcpdump through the helper, written as a pcap. */
async function captureCommand(argv: string[], globals: GlobalOptions): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      iface: { type: 'string', default: 'eth0' },
      'host-side': { type: 'boolean' },
      count: { type: 'string', short: 'c', default: '100' },
      seconds: { type: 'string', default: '10' },
      write: { type: 'string', short: 'w' },
      ...GLOBAL_PARSE_OPTIONS,
    },
  });
  const [name, ...filter] = positionals;
  if (!name) throw new UsageError('capture needs a container name or id');
  const count = Number(values.count);
  const seconds = Number(values.seconds);
  if (!Number.isInteger(count) || count < 1) throw new UsageError('-c needs a positive number of packets');
  if (!Number.isInteger(seconds) || seconds < 1) throw new UsageError('--seconds needs a positive number');
  if (!values.write && process.stdout.isTTY) throw new UsageError('a pcap is binary: give -w FILE.pcap, or pipe stdout');
  const options = { ...globals, ...values };
  helperModeOption(options.helper);
  const engine = engineFromOptions(options);
  const helper = await helperFromOptions(options, engine);
  if (!helper.runner) throw new CaptureError(`capture needs the host helper: ${helper.reason ?? 'unavailable'}`);
  const target = await resolveEnterTarget(engine, name);
  const container = { id: target.id, name: target.name, pid: target.pid } as ContainerSnapshot;
  const { pcap, packets } = await captureTraffic(helper.runner, container, {
    where: values['host-side'] ? 'host' : 'container',
    iface: values.iface,
    count,
    seconds,
    filter,
  });
  if (values.write && values.write !== '-') {
    fs.writeFileSync(values.write, pcap);
    const lines = await decodeWithTcpdump(values.write);
    if (lines) process.stderr.write(lines.map((l) => `${printable(l)}\n`).join(''));
  } else process.stdout.write(pcap);
  process.stderr.write(`${packets} packet(s) captured on ${target.name} ${values['host-side'] ? '(host side) ' : ''}${values.iface}\n`);
  return 0;
}

/** Every Docker context with its endpoint, whether it answers, and which one is current. */
async function contextsCommand(): Promise<number> {
  const current = process.env.DOCKER_CONTEXT?.trim() || currentContextName() || 'default';
  const rows = await Promise.all(
    listContexts().map(async (ctx) => {
      let status: string;
      try {
        const engine = createEngine(endpointFromContext(ctx.name, process.env));
        await pingEngine(engine);
        status = 'reachable';
      } catch (error) {
        status = `unreachable: ${error instanceof EngineUnreachableError ? error.reason : firstLine((error as Error).message)}`;
      }
      return `${ctx.name === current ? '*' : ' '} ${printable(ctx.name)}\t${printable(ctx.host ?? '(no docker endpoint)')}\t${status}`;
    }),
  );
  process.stdout.write(`${rows.join('\n')}\n`);
  return 0;
}

/** The compose language server over stdio, following the engine the options name. */
async function lspCommand(argv: string[], globals: GlobalOptions): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: { stdio: { type: 'boolean' }, ...GLOBAL_PARSE_OPTIONS },
  });
  if (!values.stdio) throw new UsageError('lsp speaks over stdio: use `lsp --stdio`');
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const options = { ...globals, ...values };
  const mode = helperModeOption(options.helper);
  const { runComposeServer } = loadSibling('compose-server.js') as typeof import('./compose/server-main');
  // The server owns the process from here; it exits when its client says so.
  runComposeServer({
    endpoint: { explicit: options.host, context: options.context },
    helper: { mode, image: options['helper-image'], pins: new FileHelperImagePins() },
  });
  return new Promise<number>(() => undefined);
}

async function volumeCommand(argv: string[], globals: GlobalOptions): Promise<number> {
  const { values: own, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: { bind: { type: 'string' }, ...GLOBAL_PARSE_OPTIONS },
  });
  const values = { ...globals, ...own };
  const [action, name, ...rest] = positionals;
  if (action !== 'create') throw new UsageError(action ? `unknown volume action "${action}"` : 'volume needs an action: create');
  if (name === undefined) throw new UsageError('volume create needs a NAME');
  if (rest.length) throw new UsageError(`unexpected argument "${rest[0]}"`);
  const problem = volumeNameProblem(name);
  if (problem) throw new VolumeError(problem);
  helperModeOption(values.helper);
  const engine = engineFromOptions(values);
  await pingEngine(engine);
  const helper = values.bind ? await helperFromOptions(values, engine) : { runner: null, mode: 'off' as const, reason: null };
  const created = await createVolume(engine, { name, bindDir: values.bind }, helper);
  process.stdout.write(`${created.name}\t${created.mountpoint}\n`);
  if (created.bindDir) process.stderr.write(`bound to ${created.bindDir}${created.createdDir ? ' (created it)' : ''}\n`);
  return 0;
}

const VALUE_OPTIONS = new Set(['--ns', ...GLOBAL_VALUE_OPTIONS]);

/**
 * `enter` takes options until the container name; everything after the name
 * (or after `--`) is the command, passed on as argv without any shell.
 */
async function enterCommand(argv: string[], globals: GlobalOptions): Promise<number> {
  const options = new Map<string, string>(Object.entries(globals).map(([k, v]) => [`--${k}`, v as string]));
  let container: string | undefined;
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      i++;
      break;
    }
    const eq = arg.indexOf('=');
    const key = eq > 0 ? arg.slice(0, eq) : arg;
    if (VALUE_OPTIONS.has(key)) {
      const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new UsageError(`${key} needs a value`);
      options.set(key, value);
    } else if (arg === '-h' || arg === '--help') {
      process.stdout.write(USAGE);
      return 0;
    } else if (arg.startsWith('-') && !container) {
      throw new UsageError(`unknown option ${arg}`);
    } else if (!container) {
      container = arg;
    } else {
      break;
    }
  }
  const command = argv.slice(i);
  if (!container) throw new UsageError('enter needs a container name or id');
  const chosen: GlobalOptions = {
    host: options.get('--host'),
    context: options.get('--context'),
    helper: options.get('--helper'),
    'helper-image': options.get('--helper-image'),
  };
  helperModeOption(chosen.helper);
  const namespaces = options.has('--ns') ? parseNamespaceList(options.get('--ns') as string) : [...DEFAULT_ENTER_NAMESPACES];

  const engine = engineFromOptions(chosen);
  await pingEngine(engine);
  const target = await resolveEnterTarget(engine, container);
  const tty = !!(process.stdin.isTTY && process.stdout.isTTY);
  if (entersThroughEngine(namespaces)) {
    process.stderr.write(`${enterBanner(target, namespaces)}\n`);
    return runAttached(await startExec(engine, target.id, { cmd: command.length ? command : ['/bin/sh'], tty }));
  }
  const helper = await helperFromOptions(chosen, engine);
  if (!helper.runner) throw new EnterError(`cannot enter ${target.name}'s namespaces: ${helper.reason ?? 'no host helper'}`);
  const args = enterHelperArgs(target, namespaces, command.length ? command : ['/bin/sh']);
  const line = helper.runner.commandLine(args);
  if (line) return runInherited(line.command, line.args);
  return runAttached(await (helper.runner as ContainerHelperRunner).startAttached(args, { tty }));
}

/** The helper on this machine, with our stdin, stdout, stderr (and TTY, if any) passed straight through. */
function runInherited(command: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'inherit' });
    child.on('error', (error) => reject(new EnterError(`cannot run ${command}: ${error.message}`)));
    child.on('exit', (code, signal) => resolve(code ?? 128 + (signal ? (osConstants.signals[signal] ?? 1) : 1)));
  });
}

/** The helper in its container on the engine: our terminal wired to it over the API. */
async function runAttached(proc: AttachedProcess): Promise<number> {
  const stdin = process.stdin;
  const raw = stdin.isTTY && process.stdout.isTTY;
  if (raw) stdin.setRawMode(true);
  const resize = () => void proc.resize(process.stdout.columns ?? 80, process.stdout.rows ?? 24);
  if (raw) {
    resize();
    process.stdout.on('resize', resize);
  }
  proc.onData((chunk) => process.stdout.write(chunk));
  const onInput = (chunk: Buffer) => proc.write(chunk);
  stdin.on('data', onInput);
  stdin.on('end', () => proc.endInput());
  try {
    return await proc.exited;
  } finally {
    stdin.off('data', onInput);
    if (raw) stdin.setRawMode(false);
    stdin.pause();
    proc.dispose();
  }
}

/**
 * Resolves once everything written to the stream so far has reached the OS.
 * Into a pipe, writes are asynchronous: exiting before this loses whatever the
 * reader has not taken yet (a snapshot was cut at 64 KiB into `| jq`).
 */
function drained(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || stream.writableLength === 0) {
      resolve();
      return;
    }
    stream.once('error', () => resolve());
    stream.write('', () => resolve());
  });
}

/** Exits once stdout and stderr are written out: kept-alive engine connections (an ssh process each) must not hold the process open. */
function exitWhenDrained(): void {
  void Promise.all([drained(process.stdout), drained(process.stderr)]).then(() => process.exit(Number(process.exitCode ?? 0)));
}

// A reader that goes away early (`| head`) is not an error of ours.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    exitWhenDrained();
  },
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`container-internals: ${firstLine(message)}\n${USAGE}`);
      process.exitCode = 2;
    } else if (
      error instanceof EngineUnreachableError ||
      error instanceof EndpointError ||
      error instanceof EnterError ||
      error instanceof VolumeError ||
      error instanceof NetStateError ||
      error instanceof TraceError
    ) {
      process.stderr.write(`container-internals: ${message}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`container-internals: ${firstLine(message)}\n`);
      process.exitCode = 1;
    }
    // A half-open connection must not keep the process alive after a clear error.
    exitWhenDrained();
  },
);
