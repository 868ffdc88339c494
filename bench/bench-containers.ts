// What every benchmark shares: the engine through the docker CLI, a crowd of
// idle containers under one label, and medians.
import { execFile, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { mapWithConcurrency } from '../extension/core/common/concurrency';

export const BENCH_LABEL = 'dev.container-internals.bench=1';
export const BENCH_IMAGE = 'container-internals-lab/busybox:1';

export function docker(args: string[]): string {
  const r = spawnSync('docker', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Wall time of one node process, in ms. */
export function timeNodeProcess(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    execFile(process.execPath, args, { maxBuffer: 256 * 1024 * 1024 }, (error) => {
      if (error) reject(error);
      else resolve(Number(process.hrtime.bigint() - start) / 1e6);
    });
  });
}

/** Times two commands alternately, so that neither always runs right after the other; one warm-up run each first. */
export async function timeAlternately(rounds: number, a: string[], b: string[]): Promise<{ a: number[]; b: number[] }> {
  await timeNodeProcess(a);
  await timeNodeProcess(b);
  const out = { a: [] as number[], b: [] as number[] };
  for (let i = 0; i < rounds; i++) {
    if (i % 2 === 0) {
      out.a.push(await timeNodeProcess(a));
      out.b.push(await timeNodeProcess(b));
    } else {
      out.b.push(await timeNodeProcess(b));
      out.a.push(await timeNodeProcess(a));
    }
  }
  return out;
}

export function runningContainers(): number {
  return docker(['ps', '-q']).split('\n').filter(Boolean).length;
}

/**
 * Starts idle bench containers until `want` of them run; with `total`, until
 * that many containers run on the engine, whoever's they are.
 */
export async function growBenchContainers(want: number, { total = false } = {}): Promise<void> {
  const have = docker(['ps', '-q', ...(total ? [] : ['--filter', `label=${BENCH_LABEL}`])])
    .split('\n')
    .filter(Boolean).length;
  if (have >= want) return;
  process.stderr.write(`bench: starting ${want - have} containers…\n`);
  await mapWithConcurrency(
    Array.from({ length: want - have }, (_, i) => i + have),
    4,
    async (i) => {
      docker(['run', '-d', '--label', BENCH_LABEL, '--name', `cibench-${i}-${Date.now()}`, BENCH_IMAGE, 'sleep', '86400']);
    },
  );
}

export function removeBenchContainers(): void {
  const ids = docker(['ps', '-aq', '--filter', `label=${BENCH_LABEL}`])
    .split('\n')
    .filter(Boolean);
  if (ids.length) docker(['rm', '-f', ...ids]);
}

export interface CountingProxy {
  /** The unix socket to point an engine endpoint at. */
  path: string;
  /** HTTP requests seen so far. */
  requests(): number;
  close(): void;
}

/** A unix-socket proxy in front of dockerd that counts the HTTP requests going through it. */
export function countingProxy(target: string): Promise<CountingProxy> {
  const sock = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ci-proxy-')), 'docker.sock');
  let count = 0;
  const server = net.createServer((client) => {
    const upstream = net.connect(target);
    client.on('data', (chunk: Buffer) => {
      // Requests start with a method at the beginning of a line; bodies here are JSON.
      count += (chunk.toString('latin1').match(/^(GET|POST|PUT|DELETE|HEAD) \/\S* HTTP\/1\.[01]\r$/gm) ?? []).length;
    });
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  return new Promise((resolve) => server.listen(sock, () => resolve({ path: sock, requests: () => count, close: () => server.close() })));
}

/** Runs a benchmark's main, turning a failure into one line and exit status 1. */
export function runBench(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
