// A process on the engine, attached over the Docker API: a `docker exec` in a
// container, or the privileged helper container itself. No docker CLI needed,
// so it works the same against local and remote engines.

import type { Duplex } from 'node:stream';
import { PassThrough } from 'node:stream';
import type Dockerode from 'dockerode';
import { Emitter } from '../common/disposable';
import type { Engine } from './engine';
import { firstLine } from '../common/first-line';

export interface AttachedProcess {
  /** Output as it arrives (stdout and stderr interleaved, as a terminal shows them). */
  readonly onData: (listener: (data: Buffer) => void) => { dispose(): void };
  write(data: string | Buffer): void;
  /** Closes stdin, so a program reading it sees end of file. */
  endInput(): void;
  resize(columns: number, rows: number): Promise<void>;
  /** Resolves with the exit code once the process has ended and its output is drained. */
  readonly exited: Promise<number>;
  /** Ends the process's streams, and the process too where the runner can end it (the helper container is removed). */
  dispose(): void;
}

export interface ExecOptions {
  cmd: string[];
  user?: string;
  workingDir?: string;
  env?: string[];
  tty: boolean;
}

export class ExecError extends Error {}

/** `docker exec` over the API: create, start hijacked, and follow until it exits. */
export async function startExec(engine: Engine, containerId: string, options: ExecOptions): Promise<AttachedProcess> {
  const container = engine.streams.getContainer(containerId);
  let exec: Dockerode.Exec;
  try {
    exec = await container.exec({
      Cmd: options.cmd,
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
      Tty: options.tty,
      ...(options.user ? { User: options.user } : {}),
      ...(options.workingDir ? { WorkingDir: options.workingDir } : {}),
      ...(options.env ? { Env: options.env } : {}),
    });
  } catch (error) {
    throw new ExecError(describeExecError(error, containerId));
  }
  const stream = (await exec.start({ hijack: true, stdin: true, Tty: options.tty })) as unknown as Duplex;
  return attach(stream, engine, options.tty, {
    resize: (columns, rows) => exec.resize({ h: rows, w: columns }).then(() => undefined),
    exitCode: async () => {
      const info = await exec.inspect();
      return typeof info.ExitCode === 'number' ? info.ExitCode : 1;
    },
  });
}

/** Wraps a hijacked stream: demultiplexes when there is no TTY and reports the exit code. */
export function attach(
  stream: Duplex,
  engine: Engine,
  tty: boolean,
  control: { resize(columns: number, rows: number): Promise<void>; exitCode(): Promise<number>; cleanup?(): Promise<void> },
): AttachedProcess {
  const data = new Emitter<Buffer>();
  if (tty) {
    stream.on('data', (chunk: Buffer) => data.fire(chunk));
  } else {
    const out = new PassThrough();
    out.on('data', (chunk: Buffer) => data.fire(chunk));
    engine.streams.modem.demuxStream(stream, out, out);
  }
  const ended = new Promise<void>((resolve) => {
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', () => resolve());
  });
  // Once, whichever comes first: the process ending, or its owner letting go of it.
  let cleaned: Promise<void> | null = null;
  const cleanup = (): Promise<void> => (cleaned ??= control.cleanup ? control.cleanup().catch(() => undefined) : Promise.resolve());
  const exited = ended.then(async () => {
    try {
      return await control.exitCode();
    } finally {
      await cleanup();
    }
  });
  return {
    onData: data.event,
    write: (chunk) => {
      if (!stream.destroyed) stream.write(chunk);
    },
    endInput: () => {
      // Half-close: the engine sees EOF on stdin and the output keeps flowing.
      (stream as Duplex & { end(): void }).end();
    },
    resize: (columns, rows) => control.resize(Math.max(1, Math.floor(columns)), Math.max(1, Math.floor(rows))).catch(() => undefined),
    exited,
    dispose: () => {
      if (tty && !stream.destroyed && stream.writable) {
        // The engine keeps an exec running when its connection goes (it has no
        // exec kill). Through the terminal, interrupt the foreground job and end
        // the shell's input, as a person would, then let the connection go.
        stream.write(Buffer.from([0x03, 0x04]));
        (stream as Duplex & { end(): void }).end();
        setTimeout(() => stream.destroy(), 500).unref();
      } else stream.destroy();
      data.dispose();
      // A closed terminal must not leave its process running (for the helper, a privileged container).
      void cleanup();
    },
  };
}

function describeExecError(error: unknown, containerId: string): string {
  const e = error as { statusCode?: number; message?: string };
  if (e.statusCode === 404) return `no such container: ${containerId}`;
  if (e.statusCode === 409) return `container ${containerId} is not running`;
  return firstLine(e.message ?? String(error));
}

/** Runs a command to completion without a TTY and returns its exit code and output. */
export async function execCollect(engine: Engine, containerId: string, cmd: string[], timeoutMs = 10_000): Promise<{ exitCode: number; output: string }> {
  const proc = await startExec(engine, containerId, { cmd, tty: false });
  proc.endInput();
  const chunks: Buffer[] = [];
  proc.onData((c) => chunks.push(c));
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ExecError(`${cmd[0]} did not finish within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const exitCode = await Promise.race([proc.exited, timeout]);
    return { exitCode, output: Buffer.concat(chunks).toString('utf8') };
  } finally {
    clearTimeout(timer);
    proc.dispose();
  }
}

export const SHELL_CANDIDATES = ['bash', 'sh', 'ash'] as const;

/**
 * The first shell that actually runs in the container, found by running it
 * (`SHELL -c 'exit 0'`) rather than by asking `which`, which a minimal image may lack.
 */
export async function detectShell(engine: Engine, containerId: string): Promise<string | null> {
  for (const shell of SHELL_CANDIDATES) {
    try {
      const { exitCode } = await execCollect(engine, containerId, [shell, '-c', 'exit 0']);
      if (exitCode === 0) return shell;
    } catch (error) {
      if (error instanceof ExecError && /not running|no such container/.test(error.message)) throw error;
      // A missing binary makes the exec fail to start; try the next one.
    }
  }
  return null;
}
