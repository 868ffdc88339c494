// Helpers for extension-host tests: the real lab engine, read independently.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';

export function docker(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('docker', args, { timeout: 30_000 }, (error, stdout, stderr) =>
      error ? reject(new Error(`docker ${args.join(' ')}: ${stderr || error.message}`)) : resolve(stdout.trim()),
    );
  });
}

/** Runs a command and resolves with its status and output, whatever the status. */
export function run(file: string, args: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: 30_000 }, (error, stdout) =>
      resolve({ code: error ? Number((error as { code?: unknown }).code) || 1 : 0, stdout: String(stdout) }),
    );
  });
}

export function nsInode(pid: number, type: string): number {
  return Number(/\[(\d+)\]/.exec(fs.readlinkSync(`/proc/${pid}/ns/${type}`))?.[1]);
}

export { waitFor } from '../wait-for';
