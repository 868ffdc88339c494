// Ways to run the host helper with the privilege it needs. Each runner takes
// argv and returns what the script printed; none builds a shell string from data:
// the script text is our own constant, passed as `sh -c SCRIPT NAME ARGS...`.

import { spawn } from 'node:child_process';
import { type Duplex, PassThrough } from 'node:stream';
import type Dockerode from 'dockerode';
import { attach, type AttachedProcess } from './attached-process';
import helperScript from '../helper/host-helper.sh';
import type { Engine } from './engine';
import { firstLine } from './engine';
import { isLocalEndpoint } from './engine-endpoint';
import type { HelperMode, ResolvedHelperMode } from './model';

export const HELPER_SCRIPT: string = helperScript;
export const DEFAULT_HELPER_IMAGE = 'busybox:latest';
export const DEFAULT_HELPER_TIMEOUT_MS = 20_000;
/** Helper containers carry this label so views and event handlers can ignore them. */
export const HELPER_CONTAINER_LABEL = 'dev.container-internals.helper';

export interface HelperRunResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface HelperRunner {
  readonly mode: Exclude<ResolvedHelperMode, 'off'>;
  /** A short description for logs and the tree, e.g. "sudo -n" or "container busybox:latest". */
  readonly description: string;
  run(args: readonly string[], timeoutMs?: number): Promise<HelperRunResult>;
  /**
   * For interactive use (a terminal, the CLI's `enter`): the argv that runs the
   * helper on this machine, or null when it can only run on the engine.
   */
  commandLine(args: readonly string[]): { command: string; args: string[] } | null;
}

export class HelperRunError extends Error {}

/** Spawns a process with argv, collects its output, and kills it after the timeout. */
export function runProcess(command: string, args: readonly string[], timeoutMs: number): Promise<HelperRunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new HelperRunError(`cannot run ${command}: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) {
        reject(new HelperRunError(`${command} did not finish within ${timeoutMs} ms`));
        return;
      }
      resolve({
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        exitCode: code ?? (signal ? 128 : 1),
      });
    });
  });
}

export class LocalHelperRunner implements HelperRunner {
  readonly mode = 'local' as const;
  readonly description = 'local (this process is root)';
  run(args: readonly string[], timeoutMs = DEFAULT_HELPER_TIMEOUT_MS): Promise<HelperRunResult> {
    const line = this.commandLine(args);
    return runProcess(line.command, line.args, timeoutMs);
  }
  commandLine(args: readonly string[]): { command: string; args: string[] } {
    return { command: 'sh', args: ['-c', HELPER_SCRIPT, 'container-internals-helper', ...args] };
  }
}

export class SudoHelperRunner implements HelperRunner {
  readonly mode = 'sudo' as const;
  readonly description = 'sudo -n';
  run(args: readonly string[], timeoutMs = DEFAULT_HELPER_TIMEOUT_MS): Promise<HelperRunResult> {
    const line = this.commandLine(args);
    return runProcess(line.command, line.args, timeoutMs);
  }
  commandLine(args: readonly string[]): { command: string; args: string[] } {
    // -n: never prompt. A password prompt would hang a tree refresh.
    return { command: 'sudo', args: ['-n', 'sh', '-c', HELPER_SCRIPT, 'container-internals-helper', ...args] };
  }
}

/**
 * Runs the script in a short-lived privileged container on the engine itself:
 * --pid=host and --net=host put it beside containerd, so it reads the engine's
 * /proc even when that is a VM (Docker Desktop) or another machine. Its image
 * needs only sh, stat and nsenter (busybox is enough): the script borrows the
 * host's own `ip` through the host mount namespace when the image's `ip` cannot
 * print JSON.
 */
export class ContainerHelperRunner implements HelperRunner {
  readonly mode = 'container' as const;
  readonly description: string;
  private swept = false;
  constructor(private readonly engine: Engine, readonly image: string) {
    this.description = `privileged container from ${image}`;
  }

  commandLine(): null {
    return null;
  }

  /**
   * Removes helper containers a previous run could not (the engine went away
   * between create and remove). Only ones that ended and are over a minute
   * old: a younger one may be another helper run collecting its output.
   */
  private async sweep(): Promise<void> {
    // Once per runner: it is one more engine call, and leftovers only come from earlier runs.
    if (this.swept) return;
    this.swept = true;
    const listed = await this.engine.docker.listContainers({ all: true, filters: { label: [HELPER_CONTAINER_LABEL], status: ['exited', 'created', 'dead'] } }).catch(() => []);
    const stale = listed.filter((c) => c.Created < Date.now() / 1000 - 60);
    await Promise.all(stale.map((c) => this.engine.docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
  }

  private async create(args: readonly string[], interactive: { tty: boolean } | null): Promise<Dockerode.Container> {
    await this.sweep();
    // Attach and wait stay quiet until the script ends: they need the stream client.
    return await this.engine.streams.createContainer({
      Image: this.image,
      Cmd: ['sh', '-c', HELPER_SCRIPT, 'container-internals-helper', ...args],
      Labels: { [HELPER_CONTAINER_LABEL]: '1' },
      AttachStdin: !!interactive,
      OpenStdin: !!interactive,
      StdinOnce: !!interactive,
      AttachStdout: true,
      AttachStderr: true,
      Tty: interactive?.tty ?? false,
      // Only what setns() and reading other processes' /proc/PID/ns need, not
      // --privileged: that is refused where the engine itself runs with fewer
      // capabilities (nested or sandboxed daemons) and grants far more than we use.
      HostConfig: {
        PidMode: 'host',
        NetworkMode: 'host',
        CapAdd: ['SYS_ADMIN', 'SYS_PTRACE'],
        SecurityOpt: ['seccomp=unconfined', 'apparmor=unconfined'],
        AutoRemove: false,
      },
    });
  }

  /** Runs the helper in its container with stdin attached (and a TTY if asked), for `enter`. */
  async startAttached(args: readonly string[], options: { tty: boolean }): Promise<AttachedProcess> {
    const container = await this.create(args, options);
    try {
      const stream = (await container.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true })) as unknown as Duplex;
      await container.start();
      return attach(stream, this.engine, options.tty, {
        resize: (columns, rows) => container.resize({ h: rows, w: columns }).then(() => undefined),
        exitCode: async () => ((await container.wait()) as { StatusCode: number }).StatusCode,
        cleanup: () => container.remove({ force: true }).then(() => undefined),
      });
    } catch (error) {
      await container.remove({ force: true }).catch(() => undefined);
      throw error;
    }
  }

  async run(args: readonly string[], timeoutMs = DEFAULT_HELPER_TIMEOUT_MS): Promise<HelperRunResult> {
    const docker = this.engine.streams;
    const container = await this.create(args, null);
    try {
      const stream = await container.attach({ stream: true, stdout: true, stderr: true });
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      stdout.on('data', (c: Buffer) => out.push(c));
      stderr.on('data', (c: Buffer) => err.push(c));
      docker.modem.demuxStream(stream, stdout, stderr);
      const ended = new Promise<void>((resolve) => {
        stream.on('end', resolve);
        stream.on('close', resolve);
        stream.on('error', () => resolve());
      });
      await container.start();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new HelperRunError(`the helper container did not finish within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        const status = (await Promise.race([container.wait(), timeout])) as { StatusCode: number };
        await Promise.race([ended, timeout]);
        return { stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), exitCode: status.StatusCode };
      } finally {
        clearTimeout(timer);
      }
    } finally {
      // Never leave a privileged container behind, whatever happened above.
      await container.remove({ force: true }).catch(() => undefined);
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
}

/** Picks the runner for a mode; `auto` takes the best one that works for this engine. */
export async function selectHelperRunner(engine: Engine, options: HelperOptions): Promise<HelperSelection> {
  const image = options.image?.trim() || DEFAULT_HELPER_IMAGE;
  const local = isLocalEndpoint(engine.endpoint);
  const remoteReason = `the engine at ${engine.endpoint.url} is not on this machine, so its /proc cannot be read here`;
  switch (options.mode) {
    case 'off':
      return { runner: null, mode: 'off', reason: 'the host helper is turned off (helper mode "off")' };
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
      const problem = await helperImageProblem(engine, image);
      return problem ? { runner: null, mode: 'off', reason: `helper mode "container": ${problem}` } : { runner: new ContainerHelperRunner(engine, image), mode: 'container', reason: null };
    }
    case 'auto': {
      const reasons: string[] = [];
      if (local) {
        if (isRoot()) return { runner: new LocalHelperRunner(), mode: 'local', reason: null };
        const problem = await sudoProblem();
        if (!problem) return { runner: new SudoHelperRunner(), mode: 'sudo', reason: null };
        reasons.push(`not root, and ${problem}`);
      }
      const problem = await helperImageProblem(engine, image);
      if (!problem) return { runner: new ContainerHelperRunner(engine, image), mode: 'container', reason: null };
      reasons.push(problem);
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

async function helperImageProblem(engine: Engine, image: string): Promise<string | null> {
  try {
    await engine.docker.getImage(image).inspect();
    return null;
  } catch (error) {
    const status = (error as { statusCode?: number }).statusCode;
    if (status === 404) return `the helper image ${image} is not on the engine (it is never pulled automatically; pull it or set the helper image)`;
    return `cannot check the helper image ${image}: ${firstLine((error as Error).message)}`;
  }
}
