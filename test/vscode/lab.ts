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

export function nsInode(pid: number, type: string): number {
  return Number(/\[(\d+)\]/.exec(fs.readlinkSync(`/proc/${pid}/ns/${type}`))?.[1]);
}

export { waitFor } from '../wait-for';
