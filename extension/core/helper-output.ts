// Validation of what the host helper prints. Its output crosses a trust
// boundary (another process, maybe another machine), so nothing is assumed.

import { NAMESPACE_TYPES, type NamespaceInodes, type NamespaceType } from './model';
import { groupNetnsFiles, type NetnsFiles } from './netns-files';

export const HELPER_FORMAT = 'container-internals-helper';
export const HELPER_VERSION = 1;

/** One link as `ip -j -d addr show` prints it; only the fields we read. */
export interface IpLink {
  ifindex: number;
  ifname: string;
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
  /** From `ip`; null when ip was not run for it (see HostFacts.files), or failed (the process died). */
  links: IpLink[] | null;
}

export interface HostFacts {
  ipMode: 'direct' | 'hostmnt' | 'none';
  referencePid: number;
  referenceSource: string;
  /** Namespace inodes by pid, for every pid that could be read. */
  namespacesByPid: Map<number, NamespaceInodes>;
  netns: NetnsReading[];
  /** Raw /proc and /sys readings of network namespaces that were not read with ip, by pid. */
  files: Map<number, NetnsFiles>;
}

export class HelperOutputError extends Error {}

export function parseHelperOutput(stdout: string): HostFacts {
  const root = parseHelperReply(stdout);
  const ipMode = root.ipMode;
  if (ipMode !== 'direct' && ipMode !== 'hostmnt' && ipMode !== 'none') throw new HelperOutputError('bad ipMode in helper output');
  const reference = asObject(root.reference, 'reference');

  const namespacesByPid = new Map<number, NamespaceInodes>();
  // The helper closes each list with a null so it never has to track commas.
  for (const entry of asArray(root.namespaces, 'namespaces')) {
    if (entry === null) continue;
    const pair = asArray(entry, 'namespace entry');
    const match = /^\/proc\/(\d+)\/ns\/([a-z_]+)$/.exec(String(pair[0]));
    if (!match) throw new HelperOutputError(`bad namespace path in helper output: ${JSON.stringify(pair[0])}`);
    const pid = Number(match[1]);
    const type = match[2] as NamespaceType;
    if (!(NAMESPACE_TYPES as readonly string[]).includes(type)) continue;
    const inode = asInt(pair[1], 'namespace inode');
    let inodes = namespacesByPid.get(pid);
    if (!inodes) {
      inodes = emptyNamespaces();
      namespacesByPid.set(pid, inodes);
    }
    inodes[type] = inode;
  }

  const netns = asArray(root.netns, 'netns').filter((item) => item !== null).map((item): NetnsReading => {
    const obj = asObject(item, 'netns entry');
    return {
      pid: asInt(obj.pid, 'netns pid'),
      inode: asInt(obj.inode, 'netns inode'),
      links: obj.links === null ? null : asArray(obj.links, 'links').map(parseIpLink),
    };
  });

  const fileLines = (root.files === undefined ? [] : asArray(root.files, 'files'))
    .filter((entry) => entry !== null)
    .map((entry): [string, string] => {
      const pair = asArray(entry, 'file line');
      return [asString(pair[0], 'file path'), asString(pair[1], 'file line')];
    });

  return {
    ipMode,
    referencePid: asInt(reference.pid, 'reference pid'),
    referenceSource: String(reference.source),
    namespacesByPid,
    netns,
    files: groupNetnsFiles(fileLines),
  };
}

export function emptyNamespaces(): NamespaceInodes {
  return { net: null, mnt: null, pid: null, uts: null, ipc: null, cgroup: null, user: null, time: null };
}

/** Parses one element of `ip -j -d addr show` (also accepts `ip -j -d link show`). */
export function parseIpLink(raw: unknown): IpLink {
  const o = asObject(raw, 'link');
  const linkinfo = o.linkinfo && typeof o.linkinfo === 'object' ? (o.linkinfo as Record<string, unknown>) : null;
  const addrInfo = Array.isArray(o.addr_info) ? o.addr_info : [];
  return {
    ifindex: asInt(o.ifindex, 'ifindex'),
    ifname: asString(o.ifname, 'ifname'),
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

function asObject(value: unknown, what: string): Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new HelperOutputError(`helper output: ${what} is not an object`);
  return value as Record<string, unknown>;
}
function asArray(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new HelperOutputError(`helper output: ${what} is not a list`);
  return value;
}
function asInt(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw new HelperOutputError(`helper output: ${what} is not a whole number`);
  return value;
}
function asString(value: unknown, what: string): string {
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
export function parseHelperReply(stdout: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = JSON.parse(stdout);
  } catch {
    throw new HelperOutputError(`the host helper printed something that is not JSON: ${JSON.stringify(stdout.slice(0, 120))}`);
  }
  const root = asObject(doc, 'helper output');
  if (root.format !== HELPER_FORMAT) throw new HelperOutputError('the host helper output has an unknown format');
  if (root.version !== HELPER_VERSION) throw new HelperOutputError(`the host helper speaks version ${String(root.version)}, expected ${HELPER_VERSION}`);
  if (root.ok !== true) throw new HelperOutputError(`the host helper failed: ${typeof root.error === 'string' ? root.error : 'no reason given'}`);
  return root;
}
