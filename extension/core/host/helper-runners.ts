// Ways to run the host helper with the privilege it needs. Each runner takes
// argv and returns what the script printed; none builds a shell string from data:
// the script text is our own constant, passed as `sh -c SCRIPT NAME ARGS...`.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { type Duplex, PassThrough } from 'node:stream';
import type Dockerode from 'dockerode';
import { attach, type AttachedProcess } from '../engine/attached-process';
import helperScript from '../../helper/host-helper.sh';
import { type Engine, pingEngine } from '../engine/engine';
import { firstLine } from '../common/first-line';
import { isLocalEndpoint } from '../engine/engine-endpoint';
import { checkEngineIsThisMachine } from './engine-locality';
import { type HelperImagePins, pinHelperImage } from './helper-image-pin';
import type { HelperMode, ResolvedHelperMode } from '../snapshot/model';

export const HELPER_SCRIPT: string = helperScript;
export const DEFAULT_HELPER_IMAGE = 'busybox:latest';
export const DEFAULT_HELPER_TIMEOUT_MS = 20_000;
/** What a helper may print at most: a hostile netns with thousands of links must not eat our memory. */
export const MAX_HELPER_OUTPUT_BYTES = 64 * 1024 * 1024;
/** Grace between TERM (the helper cleans up its temporary files) and KILL, after a timeout. */
const KILL_GRACE_MS = 500;
/** How long output may still arrive after the helper exited (an orphan may hold its pipes). */
const PIPE_DRAIN_MS = 1_000;
/** Where the helper container sees the daemon's "/": host paths are read under it. */
const HOST_ROOT_IN_HELPER = '/host';
/** Subcommands that read host paths, and the two that write them. */
const READS_HOST_PATHS = new Set(['du', 'ls-dir', 'read-file']);
const WRITES_HOST_PATHS = new Set(['prepare-bind', 'undo-bind']);
/** Reading the nat and filter tables needs CAP_NET_ADMIN (iptables-save asks the kernel); nothing else does. */
const READS_NETFILTER = new Set(['net-state']);

export interface HelperRunResult {
  stdout: Buffer;
  stderr: string;
  exitCode: number;
}

export interface HelperRunner {
  readonly mode: Exclude<ResolvedHelperMode, 'off'>;
  /** A short description for logs and the tree, e.g. "sudo -n" or "container busybox:latest". */
  readonly description: string;
  /** `signal` ends the run as a timeout would (a capture the user cancelled), and rejects with "cancelled". */
  run(args: readonly string[], timeoutMs?: number, signal?: AbortSignal): Promise<HelperRunResult>;
  /**
   * For interactive use (a terminal, the CLI's `enter`): the argv that runs the
   * helper on this machine, or null when it can only run on the engine.
   */
  commandLine(args: readonly string[]): { command: string; args: string[] } | null;
  /**
   * True for a container this runner created (by id or name), and only then:
   * views hide those and their events cause no refresh. Labels prove nothing,
   * since any image can carry any label.
   */
  ownsContainer(idOrName: string): boolean;
}

export class HelperRunError extends Error {}

/**
 * Spawns a process with argv in its own process group and collects its output.
 * At the timeout the whole group gets TERM, then KILL, and the promise settles
 * at once: an orphan that keeps stderr open must not hold the caller.
 */
export function runProcess(command: string, args: readonly string[], timeoutMs: number, signal?: AbortSignal): Promise<HelperRunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    let settled = false;
    const signalGroup = (signal: NodeJS.Signals): void => {
      try {
        if (child.pid) process.kill(-child.pid, signal);
      } catch {
        // Already gone, or (sudo) a group we may not signal: sudo relays TERM itself.
      }
    };
    const finish = (result: HelperRunResult | Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      child.stdout.destroy();
      child.stderr.destroy();
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const stop = (why: string): void => {
      signalGroup('SIGTERM');
      setTimeout(() => signalGroup('SIGKILL'), KILL_GRACE_MS).unref();
      finish(new HelperRunError(why));
    };
    const timer = setTimeout(() => stop(`${command} did not finish within ${timeoutMs} ms`), timeoutMs);
    const onAbort = (): void => stop('cancelled');
    if (signal?.aborted) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_HELPER_OUTPUT_BYTES) stop(`${command} printed more than ${MAX_HELPER_OUTPUT_BYTES} bytes`);
      else out.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (err.length < 64) err.push(chunk);
    });
    child.on('error', (error) => finish(new HelperRunError(`cannot run ${command}: ${error.message}`)));
    let ended = 0;
    let exitCode: number | null = null;
    const done = (): void => {
      if (exitCode !== null && ended === 2) finish({ stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8'), exitCode });
    };
    child.stdout.on('end', () => {
      ended++;
      done();
    });
    child.stderr.on('end', () => {
      ended++;
      done();
    });
    child.on('exit', (code, signal) => {
      // Not 'close' alone: a grandchild holding the pipes open must not delay the
      // answer. The pipes get a moment to drain what the process wrote, and any
      // process left in its group is killed.
      exitCode = code ?? (signal ? 128 : 1);
      signalGroup('SIGKILL');
      done();
      setTimeout(() => finish({ stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8'), exitCode: exitCode ?? 1 }), PIPE_DRAIN_MS).unref();
    });
  });
}

/** A helper that runs as a process on this machine: only how it is started differs. */
abstract class ProcessHelperRunner implements HelperRunner {
  abstract readonly mode: 'local' | 'sudo';
  abstract readonly description: string;
  abstract commandLine(args: readonly string[]): { command: string; args: string[] };
  run(args: readonly string[], timeoutMs = DEFAULT_HELPER_TIMEOUT_MS, signal?: AbortSignal): Promise<HelperRunResult> {
    const line = this.commandLine(args);
    return runProcess(line.command, line.args, timeoutMs, signal);
  }
  ownsContainer(): boolean {
    return false;
  }
}

export class LocalHelperRunner extends ProcessHelperRunner {
  readonly mode = 'local' as const;
  readonly description = 'local (this process is root)';
  commandLine(args: readonly string[]): { command: string; args: string[] } {
    return { command: 'sh', args: ['-c', HELPER_SCRIPT, 'container-internals-helper', ...args] };
  }
}

export class SudoHelperRunner extends ProcessHelperRunner {
  readonly mode = 'sudo' as const;
  readonly description = 'sudo -n';
  commandLine(args: readonly string[]): { command: string; args: string[] } {
    // -n: never prompt. A password prompt would hang a tree refresh.
    return { command: 'sudo', args: ['-n', 'sh', '-c', HELPER_SCRIPT, 'container-internals-helper', ...args] };
  }
}

/**
 * Runs the script in a short-lived container on the engine itself: --pid=host
 * and --net=host put it beside containerd, so it reads the engine's /proc even
 * when that is a VM (Docker Desktop) or another machine.
 *
 * What runs privileged is pinned: the image by the id it had when it was
 * checked (a tag can be moved by any `docker build`), with our own entrypoint
 * and user, never the image's. The daemon removes each container when it
 * ends (AutoRemove), so nothing is left to sweep, and nothing is ever removed
 * on the strength of a label.
 */
export class ContainerHelperRunner implements HelperRunner {
  readonly mode = 'container' as const;
  readonly description: string;
  /** Ids and names of containers this runner created; a random prefix nobody else can guess. */
  private readonly ownIds = new Set<string>();
  private readonly namePrefix = `container-internals-helper-${randomBytes(6).toString('hex')}-`;
  private count = 0;

  constructor(
    private readonly engine: Engine,
    readonly image: string,
    readonly imageId: string,
  ) {
    this.description = `privileged container from ${image} (${imageId.replace(/^sha256:/, '').slice(0, 12)})`;
  }

  commandLine(): null {
    return null;
  }

  ownsContainer(idOrName: string): boolean {
    const bare = idOrName.replace(/^\//, '');
    return this.ownIds.has(bare) || bare.startsWith(this.namePrefix);
  }

  private async create(args: readonly string[], interactive: { tty: boolean } | null): Promise<Dockerode.Container> {
    const subcommand = args[0] ?? '';
    const binds = WRITES_HOST_PATHS.has(subcommand) ? [`/:${HOST_ROOT_IN_HELPER}`] : READS_HOST_PATHS.has(subcommand) ? [`/:${HOST_ROOT_IN_HELPER}:ro`] : [];
    const rootArgs = binds.length ? ['--root', HOST_ROOT_IN_HELPER] : [];
    const name = `${this.namePrefix}${++this.count}`;
    // Known before the engine announces it: its create event must not look like someone else's.
    this.ownIds.add(name);
    // Attach and wait stay quiet until the script ends: they need the stream client.
    const container = await this.engine.streams.createContainer({
      name,
      Image: this.imageId,
      Entrypoint: ['/bin/sh', '-c', HELPER_SCRIPT, 'container-internals-helper'],
      Cmd: [...rootArgs, ...args],
      User: '0:0',
      WorkingDir: '/',
      Labels: { 'dev.container-internals.helper': 'informational only: never trusted' },
      AttachStdin: !!interactive,
      OpenStdin: !!interactive,
      StdinOnce: !!interactive,
      AttachStdout: true,
      AttachStderr: true,
      Tty: interactive?.tty ?? false,
      NetworkDisabled: false,
      // Only what setns() and reading other processes' /proc/PID/ns need, not
      // --privileged: that is refused where the engine itself runs with fewer
      // capabilities (nested or sandboxed daemons) and grants far more than we use.
      HostConfig: {
        PidMode: 'host',
        NetworkMode: 'host',
        CgroupnsMode: 'host',
        CapAdd: ['SYS_ADMIN', 'SYS_PTRACE', ...(READS_NETFILTER.has(subcommand) ? ['NET_ADMIN'] : [])],
        SecurityOpt: ['seccomp=unconfined', 'apparmor=unconfined'],
        Binds: binds,
        AutoRemove: true,
      },
    } as Dockerode.ContainerCreateOptions);
    this.ownIds.add(container.id);
    return container;
  }

  private removeQuietly(container: Dockerode.Container): Promise<void> {
    return container.remove({ force: true }).then(
      () => undefined,
      () => undefined,
    );
  }

  /** Runs the helper in its container with stdin attached (and a TTY if asked), for `enter`. */
  async startAttached(args: readonly string[], options: { tty: boolean }): Promise<AttachedProcess> {
    const container = await this.create(args, options);
    try {
      const stream = (await container.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true })) as unknown as Duplex;
      const waited = container.wait({ condition: 'removed' }) as Promise<{ StatusCode: number }>;
      waited.catch(() => undefined);
      await container.start();
      return attach(stream, this.engine, options.tty, {
        resize: (columns, rows) => container.resize({ h: rows, w: columns }).then(() => undefined),
        exitCode: async () => (await waited).StatusCode,
        cleanup: () => this.removeQuietly(container),
      });
    } catch (error) {
      await this.removeQuietly(container);
      throw error;
    }
  }

  async run(args: readonly string[], timeoutMs = DEFAULT_HELPER_TIMEOUT_MS, signal?: AbortSignal): Promise<HelperRunResult> {
    let timer: NodeJS.Timeout | undefined;
    let container: Dockerode.Container | null = null;
    let onAbort: (() => void) | undefined;
    // One clock for the whole run, create and attach included: a wedged daemon
    // must cost a refresh its timeout, not freeze it.
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new HelperRunError(`the helper container did not finish within ${timeoutMs} ms`)), timeoutMs);
      onAbort = () => reject(new HelperRunError('cancelled'));
      if (signal?.aborted) onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    const work = (async (): Promise<HelperRunResult> => {
      container = await this.create(args, null);
      const stream = await container.attach({ stream: true, stdout: true, stderr: true });
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let size = 0;
      stdout.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= MAX_HELPER_OUTPUT_BYTES) out.push(c);
      });
      stderr.on('data', (c: Buffer) => err.push(c));
      this.engine.streams.modem.demuxStream(stream, stdout, stderr);
      const ended = new Promise<void>((resolve) => {
        stream.on('end', resolve);
        stream.on('close', resolve);
        stream.on('error', () => resolve());
      });
      // Registered before start, so the exit status is not lost to AutoRemove.
      const waited = (container.wait({ condition: 'removed' }) as Promise<{ StatusCode: number }>).catch(() => null);
      await container.start();
      await ended;
      if (size > MAX_HELPER_OUTPUT_BYTES) throw new HelperRunError(`the helper printed more than ${MAX_HELPER_OUTPUT_BYTES} bytes`);
      const status = await waited;
      return { stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8'), exitCode: status?.StatusCode ?? 0 };
    })();
    try {
      return await Promise.race([work, timeout]);
    } catch (error) {
      // Never leave a privileged container behind: on a timeout or any failure, remove it.
      work.catch(() => undefined);
      const made = container as Dockerode.Container | null;
      if (made) await this.removeQuietly(made);
      throw error;
    } finally {
      clearTimeout(timer);
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    }
  }
}

export interface HelperSelection {
  runner: HelperRunner | null;
  mode: ResolvedHelperMode;
  /** Why no runner (or a lesser one) was chosen. */
  reason: string | null;
}

export interface HelperOptions {
  mode: HelperMode;
  image?: string;
  /** Image ids trusted for each tag before; a moved tag is refused (see helper-image-pin.ts). */
  pins?: HelperImagePins;
}

/** Picks the runner for a mode; `auto` takes the best one that works for this engine. */
export async function selectHelperRunner(engine: Engine, options: HelperOptions): Promise<HelperSelection> {
  const image = options.image?.trim() || DEFAULT_HELPER_IMAGE;
  if (options.mode === 'off') return { runner: null, mode: 'off', reason: 'the host helper is turned off (helper mode "off")' };
  // Choosing asks the engine (a container's pid, the helper image): an engine
  // that does not answer must cost the ping's few seconds, not a 15 s request
  // timeout per question. The caller chooses again once it answers.
  try {
    await pingEngine(engine);
  } catch (error) {
    return { runner: null, mode: 'off', reason: `the engine did not answer, so the host helper was not chosen: ${firstLine((error as Error).message)}` };
  }
  // A unix socket is not proof of "this machine": Docker Desktop, Colima and
  // ssh -L forwards are sockets too. The check asks the engine for a container
  // pid and reads that pid's cgroup here.
  const locality = isLocalEndpoint(engine.endpoint) && options.mode !== 'container' ? await checkEngineIsThisMachine(engine) : null;
  const local = locality?.local ?? false;
  const remoteReason = locality
    ? `the engine at ${engine.endpoint.url} could not be shown to run on this machine (${locality.evidence}), so its processes cannot be read here`
    : `the engine at ${engine.endpoint.url} is not on this machine, so its /proc cannot be read here`;
  const container = async (): Promise<HelperSelection | string> => {
    const pinned = await pinHelperImage(engine, image, options.pins);
    return typeof pinned === 'string' ? pinned : { runner: new ContainerHelperRunner(engine, image, pinned.id), mode: 'container', reason: null };
  };
  switch (options.mode) {
    case 'local':
      if (!local) return { runner: null, mode: 'off', reason: `helper mode "local": ${remoteReason}` };
      if (!isRoot()) return { runner: null, mode: 'off', reason: 'helper mode "local" needs this process to run as root' };
      return { runner: new LocalHelperRunner(), mode: 'local', reason: null };
    case 'sudo': {
      if (!local) return { runner: null, mode: 'off', reason: `helper mode "sudo": ${remoteReason}` };
      const problem = await sudoProblem();
      return problem ? { runner: null, mode: 'off', reason: `helper mode "sudo": ${problem}` } : { runner: new SudoHelperRunner(), mode: 'sudo', reason: null };
    }
    case 'container': {
      const made = await container();
      return typeof made === 'string' ? { runner: null, mode: 'off', reason: `helper mode "container": ${made}` } : made;
    }
    case 'auto': {
      const reasons: string[] = [];
      if (local) {
        if (isRoot()) return { runner: new LocalHelperRunner(), mode: 'local', reason: null };
        const problem = await sudoProblem();
        if (!problem) return { runner: new SudoHelperRunner(), mode: 'sudo', reason: null };
        reasons.push(`not root, and ${problem}`);
      } else if (locality) {
        reasons.push(remoteReason);
      }
      const made = await container();
      if (typeof made !== 'string') return made;
      reasons.push(made);
      return { runner: null, mode: 'off', reason: `no way to run the host helper: ${reasons.join('; ')}` };
    }
  }
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

async function sudoProblem(): Promise<string | null> {
  try {
    const result = await runProcess('sudo', ['-n', 'true'], 3_000);
    return result.exitCode === 0 ? null : `sudo -n is not allowed (${firstLine(result.stderr) || `exit ${result.exitCode}`})`;
  } catch (error) {
    return `sudo is not available (${(error as Error).message})`;
  }
}
