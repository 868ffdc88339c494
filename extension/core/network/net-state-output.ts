// Validation of the helper's `net-state` reply: ip's and bridge's JSON as the
// host's iproute2 printed it, iptables-save text in base64. Names are bytes
// the kernel holds (a container may choose its own interface names): they are
// only ever shown and compared.

import { asArray, asObject, asString, decodeNameBytes, HelperOutputError, parseHelperReply } from '../host/helper-output';
import type { HostForwarding, RouteEntry } from './net-state-model';

export interface FdbReading {
  mac: string;
  ifname: string;
  master: string | null;
  state: string | null;
  flags: string[];
  updated: number | null;
  vlan: number | null;
}

export interface NetStateReading extends HostForwarding {
  bridges: Array<{ name: string; ageingCentiseconds: number | null }>;
  fdb: FdbReading[];
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const int = (v: unknown): number | null => (typeof v === 'number' && Number.isSafeInteger(v) ? v : null);
const isRecord = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export function parseRoutes(raw: unknown, family: 4 | 6): RouteEntry[] {
  return list(raw)
    .filter((r): r is Record<string, unknown> => !!r && typeof r === 'object')
    .map((r) => ({
      family,
      dst: str(r.dst) ?? 'default',
      gateway: str(r.gateway),
      dev: str(r.dev),
      protocol: str(r.protocol),
      scope: str(r.scope),
      prefsrc: str(r.prefsrc),
      type: str(r.type),
    }));
}

export function parseNetStateOutput(stdout: Buffer | string): NetStateReading {
  const root = parseHelperReply(stdout);
  const tool = asString(root.natTool ?? '', 'nat tool');
  if (tool && !['iptables-save', 'iptables-nft-save', 'iptables-legacy-save'].includes(tool)) throw new HelperOutputError('helper output: unknown nat tool');
  const verified = new Set(
    asArray(root.pids ?? [], 'pids')
      .filter((v): v is Record<string, unknown> => !!v && typeof v === 'object')
      .filter((v) => v.verified === true)
      .map((v) => String(v.id)),
  );
  const containerRoutes = new Map<string, RouteEntry[]>();
  for (const c of asArray(root.containers ?? [], 'containers')) {
    if (c === null) continue;
    const o = asObject(c, 'container routes');
    const id = asString(o.id, 'container id');
    // Only a pid whose start time held while it was read.
    if (!verified.has(id)) continue;
    containerRoutes.set(id, [...parseRoutes(o.v4, 4), ...parseRoutes(o.v6, 6)]);
  }
  return {
    natTool: tool || null,
    bridges: list(root.bridges)
      .filter((b): b is Record<string, unknown> => isRecord(b) && typeof b.ifname === 'string')
      .map((b) => {
        const data = (b.linkinfo as { info_data?: Record<string, unknown> } | undefined)?.info_data;
        return { name: b.ifname as string, ageingCentiseconds: int(data?.ageing_time) };
      }),
    fdb: list(root.fdb)
      .filter((e): e is Record<string, unknown> => isRecord(e) && typeof e.mac === 'string' && typeof e.ifname === 'string')
      .map((e) => ({
        mac: (e.mac as string).toLowerCase(),
        ifname: e.ifname as string,
        master: str(e.master),
        state: str(e.state),
        flags: list(e.flags).filter((f): f is string => typeof f === 'string'),
        updated: int(e.updated),
        vlan: int(e.vlan),
      })),
    hostRoutes: parseRoutes(root.routes, 4),
    neighbours: list(root.neigh)
      .filter((n): n is Record<string, unknown> => isRecord(n) && typeof n.dst === 'string')
      .map((n) => ({ ip: n.dst as string, mac: str(n.lladdr), dev: str(n.dev) ?? '', state: list(n.state).filter((s): s is string => typeof s === 'string') })),
    nat: ruleLines(root.nat),
    filter: ruleLines(root.filter),
    proxies: asArray(root.proxies ?? [], 'proxies')
      .filter((p): p is Record<string, unknown> => !!p && typeof p === 'object')
      .map((p) => ({ pid: int(p.pid) ?? 0, argv: nulSplit(base64(p.cmd)) })),
    containerRoutes,
  };
}

function base64(value: unknown): Buffer {
  const text = typeof value === 'string' ? value : '';
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw new HelperOutputError('helper output: not base64');
  return Buffer.from(text, 'base64');
}

/** iptables-save's rule lines ("-A CHAIN …"), with the table and chain headers dropped. */
function ruleLines(value: unknown): string[] {
  return decodeNameBytes(base64(value))
    .text.split('\n')
    .filter((l) => l.startsWith('-A '));
}

function nulSplit(bytes: Buffer): string[] {
  return decodeNameBytes(bytes)
    .text.split('\0')
    .filter((s, i, all) => s !== '' || i < all.length - 1);
}
