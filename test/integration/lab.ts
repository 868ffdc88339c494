// Shared helpers for tests against the real lab engine (test/lab/lab.sh up).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const CLI = path.join(ROOT, 'dist', 'cli.js');
export const LAB_IMAGE = 'container-internals-lab/busybox:1';
export const LAB_LABEL = 'dev.container-internals.lab=1';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program with argv (never a shell), bounded in time. */
export function run(file: string, args: readonly string[], timeoutMs = 30_000, env?: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, env: env ?? process.env }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

export async function cli(args: readonly string[], timeoutMs?: number): Promise<Run> {
  return run(process.execPath, [CLI, ...args], timeoutMs);
}

export async function docker(args: readonly string[]): Promise<string> {
  const r = await run('docker', args);
  assert.equal(r.code, 0, `docker ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout.trim();
}

export async function inspectPid(name: string): Promise<number> {
  return Number(await docker(['inspect', '-f', '{{.State.Pid}}', name]));
}

/** The lab must be up: the suite fails (never skips) when it is not. */
export async function requireLab(): Promise<void> {
  const names = (await docker(['ps', '-a', '--filter', `label=${LAB_LABEL}`, '--format', '{{.Names}}'])).split('\n');
  assert.ok(names.includes('cilab-web') && names.includes('cilab-multi'), 'the lab is not up: run `bash test/lab/lab.sh up`');
}

export { waitFor } from '../wait-for';
