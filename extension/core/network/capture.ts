// Capture Traffic: the host's tcpdump, run by the helper in the right network
// namespace, bounded in packets and time (and in bytes by the runner's output
// cap), written as a pcap. Nothing is installed in the container.

import { execFile } from 'node:child_process';
import { firstLine } from '../common/first-line';
import { HelperOutputError, parseHelperReply } from '../host/helper-output';
import type { HelperRunner } from '../host/helper-runners';
import type { ContainerSnapshot } from '../snapshot/model';

export interface CaptureOptions {
  /** The container's own interface, or a host-side one (its veth, a bridge). */
  where: 'container' | 'host';
  iface: string;
  count: number;
  seconds: number;
  /** A tcpdump filter, as words; it reaches tcpdump as argv, never a shell. */
  filter: readonly string[];
  signal?: AbortSignal;
}

export class CaptureError extends Error {}

/** The pcap magic numbers: microsecond and nanosecond timestamps, either byte order. */
const PCAP_MAGIC = new Set([0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1]);

export async function captureTraffic(runner: HelperRunner, container: ContainerSnapshot, options: CaptureOptions): Promise<{ pcap: Buffer; packets: number }> {
  if (container.pid === null) throw new CaptureError(`${container.name} is not running`);
  const args = ['capture', `${container.pid}:${container.id}`, options.where, options.iface, String(options.count), String(options.seconds), ...options.filter];
  // The helper's own time limit ends tcpdump; this one is only for a helper that never answers.
  const result = await runner.run(args, (options.seconds + 15) * 1000, options.signal);
  const out = result.stdout;
  if (out.length >= 4 && PCAP_MAGIC.has(out.readUInt32BE(0))) return { pcap: out, packets: countPackets(out) };
  if (out.length && out[0] === 0x7b) {
    try {
      parseHelperReply(out);
    } catch (error) {
      if (error instanceof HelperOutputError) throw new CaptureError(error.message.replace(/^the host helper failed: /, ''));
      throw error;
    }
  }
  // tcpdump's own words: a bad filter, an interface that does not exist, a namespace that went away.
  const said = result.stderr
    .split('\n')
    .filter((l) => l && !/^(tcpdump: listening on|\d+ packets? )/.test(l))
    .join('; ');
  throw new CaptureError(said ? firstLine(said) : `tcpdump exited with ${result.exitCode} and wrote no capture`);
}

/** Packets in a pcap: a 24-byte header, then records whose 16-byte header gives their length. */
export function countPackets(pcap: Buffer): number {
  const magic = pcap.readUInt32BE(0);
  const big = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  let at = 24;
  let n = 0;
  while (at + 16 <= pcap.length) {
    const length = big ? pcap.readUInt32BE(at + 8) : pcap.readUInt32LE(at + 8);
    at += 16 + length;
    if (at > pcap.length) break;
    n++;
  }
  return n;
}

/** One line per packet, by this machine's tcpdump reading the file; null when it has none. */
export function decodeWithTcpdump(file: string, maxLines = 1000): Promise<string[] | null> {
  return new Promise((resolve) => {
    execFile('tcpdump', ['-n', '-r', file], { timeout: 15_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout) => {
      if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') resolve(null);
      else resolve(String(stdout).split('\n').filter(Boolean).slice(0, maxLines));
    });
  });
}
