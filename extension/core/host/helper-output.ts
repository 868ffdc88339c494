// Validation of what the host helper prints. Its output crosses a trust
// boundary (another process, maybe another machine), so nothing is assumed.

import { NAMESPACE_TYPES, type NamespaceInodes, type NamespaceType } from '../snapshot/model';

export const HELPER_FORMAT = 'container-internals-helper';
export const HELPER_VERSION = 2;

/** One link as `ip -j -d addr show` prints it; only the fields we read. */
export interface IpLink {
  ifindex: number;
  /** The name as UTF-8; bytes that are not UTF-8 show as \xNN (see nameIsExact). */
  ifname: string;
  /** False when the kernel's name is not valid UTF-8, so ifname is an escaped rendering, not the name. */
  nameIsExact: boolean;
  flags: string[];
  mtu: number | null;
  operstate: string;
  link_type: string | null;
  address: string | null;
  link_index: number | null;
  /** Present when the other end (veth) or parent (macvlan) lives in another namespace. */
  link_netnsid: number | null;
  master: string | null;
  info_kind: string | null;
  info_slave_kind: string | null;
  addr_info: Array<{ family: string; local: string; prefixlen: number }>;
}

export interface NetnsReading {
  pid: number;
  inode: number;
  /** From `ip`; null when ip could not read it (the process died, or no ip that prints JSON). */
  links: IpLink[] | null;
}

/** Why the helper did not accept a pid the engine reported. */
export type PidRejection = 'gone' | 'cgroup' | 'reused';

export interface PidVerdict {
  pid: number;
  containerId: string;
  verified: boolean;
  reason: PidRejection | null;
}

/** How the helper found the host: the parent of a verified container process, PID 1, or itself. */
export type ReferenceSource = 'parent' | 'init' | 'self';

export interface HostFacts {
  ipMode: 'direct' | 'hostmnt' | 'none';
  referencePid: number;
  referenceSource: ReferenceSource;
  /** Namespace inodes of the host reference and of every verified pid; nothing of an unverified one. */
  namespacesByPid: Map<number, NamespaceInodes>;
  /** The helper's verdict on each pid it was given, by container id. */
  verdicts: Map<string, PidVerdict>;
  netns: NetnsReading[];
}

export class HelperOutputError extends Error {}

/**
 * Decodes what the helper printed. ip's JSON writer escapes only \t \n \r \f \b,
 * quote and backslash: other control bytes and non-UTF-8 bytes in interface
 * names (a NET_ADMIN container chooses those) come through raw. So the reply
 * is read as bytes (latin1 maps each byte to one char), raw control bytes are
 * escaped so JSON.parse accepts them, and every string is then decoded as
 * UTF-8 on its own: one odd name costs nothing but itself.
 */
export function decodeHelperJson(stdout: Buffer | string, inexact?: Set<string>): unknown {
  const bytes = typeof stdout === 'string' ? Buffer.from(stdout, 'utf8') : stdout;
  return JSON.parse(escapeControlBytesInStrings(bytes.toString('latin1')), (_key, value: unknown) =>
    typeof value === 'string' ? utf8FromLatin1(value, inexact) : value,
  );
}

/** Escapes raw control characters inside JSON strings only; between tokens they are whitespace and stay. */
function escapeControlBytesInStrings(text: string): string {
  let out = '';
  let inString = false;
  let escaped = false;
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (!inString) {
      if (code === 0x22) inString = true;
    } else if (escaped) {
      escaped = false;
    } else if (code === 0x5c) {
      escaped = true;
    } else if (code === 0x22) {
      inString = false;
    } else if (code < 0x20) {
      out += `${text.slice(from, i)}\\u${code.toString(16).padStart(4, '0')}`;
      from = i + 1;
    }
  }
  return out + text.slice(from);
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function isAscii(value: string): boolean {
  for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** A latin1-decoded string back to its bytes, then UTF-8; an inexact result is noted. */
function utf8FromLatin1(value: string, inexact?: Set<string>): string {
  if (isAscii(value)) return value;
  const decoded = decodeNameBytes(Buffer.from(value, 'latin1'));
  if (!decoded.exact) inexact?.add(decoded.text);
  return decoded.text;
}

/**
 * A name's bytes as text. Linux names are bytes, not text: when they are not
 * UTF-8, each stray byte shows as \xNN and `exact` is false, so the name is
 * shown but never used to address the file or link again.
 */
export function decodeNameBytes(bytes: Buffer): { text: string; exact: boolean } {
  try {
    return { text: strictUtf8.decode(bytes), exact: true };
  } catch {
    let text = '';
    let i = 0;
    while (i < bytes.length) {
      const n = utf8SequenceLength(bytes, i);
      if (n > 0) {
        text += bytes.subarray(i, i + n).toString('utf8');
        i += n;
      } else {
        text += `\\x${bytes[i]!.toString(16).padStart(2, '0')}`;
        i += 1;
      }
    }
    return { text, exact: false };
  }
}

/** Length of the valid UTF-8 sequence starting at i, or 0 when the byte there starts none. */
function utf8SequenceLength(bytes: Buffer, i: number): number {
  for (const n of [1, 2, 3, 4]) {
    if (i + n > bytes.length) break;
    try {
      strictUtf8.decode(bytes.subarray(i, i + n));
      return n;
    } catch {
      // try a longer sequence
    }
  }
  return 0;
}

export function parseHelperOutput(stdout: Buffer | string): HostFacts {
  const inexact = new Set<string>();
  const root = parseHelperReply(stdout, inexact);
  const ipMode = root.ipMode;
  if (ipMode !== 'direct' && ipMode !== 'hostmnt' && ipMode !== 'none') throw new HelperOutputError('bad ipMode in helper output');
  const reference = asObject(root.reference, 'reference');
  const referenceSource = reference.source;
  if (referenceSource !== 'parent' && referenceSource !== 'init' && referenceSource !== 'self')
    throw new HelperOutputError('bad reference source in helper output');
  const referencePid = asInt(reference.pid, 'reference pid');

  const verdicts = new Map<string, PidVerdict>();
  for (const entry of asArray(root.pids, 'pids')) {
    if (entry === null) continue;
    const o = asObject(entry, 'pid verdict');
    const containerId = asString(o.id, 'container id');
    if (!/^[0-9a-f]{64}$/.test(containerId)) throw new HelperOutputError('helper output: bad container id');
    const reason = o.reason === null ? null : asString(o.reason, 'reason');
    if (reason !== null && reason !== 'gone' && reason !== 'cgroup' && reason !== 'reused') throw new HelperOutputError('helper output: bad rejection reason');
    if (typeof o.verified !== 'boolean') throw new HelperOutputError('helper output: verified is not a boolean');
    verdicts.set(containerId, { pid: asInt(o.pid, 'pid'), containerId, verified: o.verified, reason });
  }
  // Only these pids' readings are kept: a pid that failed its checks may be anyone's.
  const trusted = new Set<number>([referencePid, ...[...verdicts.values()].filter((v) => v.verified).map((v) => v.pid)]);

  const namespacesByPid = new Map<number, NamespaceInodes>();
  // The helper closes each list with a null so it never has to track commas.
  for (const entry of asArray(root.namespaces, 'namespaces')) {
    if (entry === null) continue;
    const pair = asArray(entry, 'namespace entry');
    const match = /^\/proc\/(\d+)\/ns\/([a-z_]+)$/.exec(String(pair[0]));
    if (!match) throw new HelperOutputError(`bad namespace path in helper output: ${JSON.stringify(pair[0])}`);
    const pid = Number(match[1]);
    const type = match[2] as NamespaceType;
    if (!trusted.has(pid) || !(NAMESPACE_TYPES as readonly string[]).includes(type)) continue;
    const inode = asInt(pair[1], 'namespace inode');
    let inodes = namespacesByPid.get(pid);
    if (!inodes) {
      inodes = emptyNamespaces();
      namespacesByPid.set(pid, inodes);
    }
    inodes[type] = inode;
  }

  const netns = asArray(root.netns, 'netns')
    .filter((item) => item !== null)
    .map((item): NetnsReading => {
      const obj = asObject(item, 'netns entry');
      return {
        pid: asInt(obj.pid, 'netns pid'),
        inode: asInt(obj.inode, 'netns inode'),
        links: obj.links === null ? null : asArray(obj.links, 'links').map((l) => parseIpLink(l, inexact)),
      };
    })
    .filter((n) => trusted.has(n.pid));

  return { ipMode, referencePid, referenceSource, namespacesByPid, verdicts, netns };
}

export function emptyNamespaces(): NamespaceInodes {
  return { net: null, mnt: null, pid: null, uts: null, ipc: null, cgroup: null, user: null, time: null };
}

/** Parses one element of `ip -j -d addr show` (also accepts `ip -j -d link show`). */
export function parseIpLink(raw: unknown, inexact?: ReadonlySet<string>): IpLink {
  const o = asObject(raw, 'link');
  const ifname = asString(o.ifname, 'ifname');
  const linkinfo = o.linkinfo && typeof o.linkinfo === 'object' ? (o.linkinfo as Record<string, unknown>) : null;
  const addrInfo = Array.isArray(o.addr_info) ? o.addr_info : [];
  return {
    ifindex: asInt(o.ifindex, 'ifindex'),
    ifname,
    nameIsExact: !inexact?.has(ifname),
    flags: Array.isArray(o.flags) ? o.flags.filter((f): f is string => typeof f === 'string') : [],
    mtu: optInt(o.mtu),
    operstate: typeof o.operstate === 'string' ? o.operstate : 'UNKNOWN',
    link_type: optString(o.link_type),
    address: optString(o.address),
    link_index: optInt(o.link_index),
    link_netnsid: optInt(o.link_netnsid),
    master: optString(o.master),
    info_kind: linkinfo ? optString(linkinfo.info_kind) : null,
    info_slave_kind: linkinfo ? optString(linkinfo.info_slave_kind) : null,
    addr_info: addrInfo
      .filter((a): a is Record<string, unknown> => !!a && typeof a === 'object')
      .filter((a) => typeof a.local === 'string' && typeof a.prefixlen === 'number')
      .map((a) => ({ family: String(a.family ?? ''), local: a.local as string, prefixlen: a.prefixlen as number })),
  };
}

export function asObject(value: unknown, what: string): Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new HelperOutputError(`helper output: ${what} is not an object`);
  return value as Record<string, unknown>;
}
export function asArray(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new HelperOutputError(`helper output: ${what} is not a list`);
  return value;
}
export function asInt(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw new HelperOutputError(`helper output: ${what} is not a whole number`);
  return value;
}
export function asString(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new HelperOutputError(`helper output: ${what} is not text`);
  return value;
}
function optInt(value: unknown): number | null {
  return typeof value === 'number' && Number.isSafeInteger(value) ? value : null;
}
function optString(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** Validates the envelope every helper reply shares (format, version, ok) and returns its fields. */
export function parseHelperReply(stdout: Buffer | string, inexact?: Set<string>): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = decodeHelperJson(stdout, inexact);
  } catch {
    throw new HelperOutputError(`the host helper printed something that is not JSON: ${JSON.stringify(stdout.toString().slice(0, 120))}`);
  }
  const root = asObject(doc, 'helper output');
  if (root.format !== HELPER_FORMAT) throw new HelperOutputError('the host helper output has an unknown format');
  if (root.version !== HELPER_VERSION) throw new HelperOutputError(`the host helper speaks version ${String(root.version)}, expected ${HELPER_VERSION}`);
  if (root.ok !== true) throw new HelperOutputError(`the host helper failed: ${typeof root.error === 'string' ? root.error : 'no reason given'}`);
  return root;
}
