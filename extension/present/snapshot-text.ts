// The human-readable rendering of a Snapshot, for `snapshot` without --json.

import { snapshotIndex } from '../core/snapshot/snapshot-index';
import type { ContainerSnapshot, InterfaceSnapshot, MountSnapshot, NamespaceType, Snapshot } from '../core/snapshot/model';
import { NAMESPACE_TYPES } from '../core/snapshot/model';

/** Names, labels and paths come from users; never let them move the cursor or fake lines in a terminal. */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (ch) =>
    ch === '\n' ? '\\n' : ch === '\t' ? '\\t' : `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}

/** Whose a container's namespace of one type is: unknown (not read), the host's, its own, or shared with other containers. */
export type NamespaceSharing = { kind: 'unknown' } | { kind: 'host' } | { kind: 'own' } | { kind: 'shared'; with: string[] };

export function namespaceSharing(snapshot: Snapshot, container: ContainerSnapshot, type: NamespaceType): NamespaceSharing {
  const inode = container.namespaces[type];
  if (inode === null) return { kind: 'unknown' };
  const group = snapshotIndex(snapshot).namespaceGroup(type, inode);
  if (group?.isHost) return { kind: 'host' };
  const others = (group?.containers ?? []).filter((n) => n !== container.name);
  return others.length ? { kind: 'shared', with: others } : { kind: 'own' };
}

export function describeNamespaceSharing(snapshot: Snapshot, container: ContainerSnapshot, type: NamespaceType): string {
  const sharing = namespaceSharing(snapshot, container, type);
  switch (sharing.kind) {
    case 'unknown':
      return '';
    case 'shared':
      return `shared with ${sharing.with.join(', ')}`;
    default:
      return sharing.kind;
  }
}

export function describeMount(m: MountSnapshot): string {
  const ro = m.rw ? '' : ' (ro)';
  if (m.type === 'volume') {
    const label = m.anonymous ? `anonymous ${(m.name ?? '').slice(0, 12)}…` : `volume ${m.name ?? '?'}`;
    return `${label} → ${m.destination}${ro}`;
  }
  if (m.type === 'bind') return `bind ${m.source ?? '?'} → ${m.destination}${ro}`;
  return `${m.type}${m.source ? ` ${m.source}` : ''} → ${m.destination}${ro}`;
}

export function describeInterface(i: InterfaceSnapshot, snapshot: Snapshot): string {
  const addr = i.addresses.filter((a) => !a.startsWith('fe80:')).join(' ');
  let text = `${i.name}${addr ? ` ${addr}` : ''}`;
  if (i.hostPeer) {
    text += ` ⇄ ${i.hostPeer.name}`;
    if (i.hostPeer.bridge) {
      const network = snapshotIndex(snapshot).bridge(i.hostPeer?.bridge)?.network ?? i.network;
      text += ` → ${i.hostPeer.bridge}${network ? ` (${network})` : ''}`;
    }
  } else if (i.parent) {
    text += ` ${i.kind} on ${i.parent.name}${i.network ? ` (${i.network})` : ''}`;
  } else if (i.kind === 'loopback') {
    text += ' (loopback)';
  }
  return text;
}

/** Says plainly how a container is networked when it has no interfaces of its own. */
export function describeNetworkMode(snapshot: Snapshot, c: ContainerSnapshot, byId: Map<string, string>): string | null {
  const mode = c.networkMode;
  if (mode === 'host' || (c.namespaces.net !== null && c.namespaces.net === snapshot.hostNamespaces?.net))
    return "host network (shares the host's network namespace)";
  if (mode === 'none') return 'no network (only loopback)';
  if (mode.startsWith('container:')) {
    const ref = mode.slice('container:'.length);
    return `shares the network namespace of ${byId.get(ref) ?? ref}`;
  }
  return null;
}

/** Container names by id and by name, for resolving `container:X` network modes. */
export function containerNamesById(snapshot: Snapshot): Map<string, string> {
  return new Map(
    snapshot.containers.flatMap((c) => [
      [c.id, c.name],
      [c.name, c.name],
    ]),
  );
}

export function renderSnapshotText(snapshot: Snapshot): string {
  const out: string[] = [];
  const e = snapshot.engine;
  out.push(`Engine ${e.endpoint} (Docker ${e.version}, API ${e.apiVersion})`);
  out.push(
    snapshot.helper.ok
      ? `Host helper: ${snapshot.helper.mode}${snapshot.helper.reason ? ` (${snapshot.helper.reason})` : ''}`
      : `Host helper: unavailable (${snapshot.helper.reason ?? 'unknown reason'})`,
  );
  const byId = containerNamesById(snapshot);
  out.push('');
  out.push(`Containers (${snapshot.containers.length})`);
  for (const c of snapshot.containers) {
    out.push(`  ${printable(c.name)}  ${c.state}${c.pid !== null ? `  pid ${c.pid}` : ''}  ${printable(c.image)}  ${c.id.slice(0, 12)}`);
    if (c.unavailable.namespaces && c.pid !== null) out.push(`    namespaces: ${c.unavailable.namespaces}`);
    else if (c.pid !== null) {
      out.push('    namespaces');
      for (const type of NAMESPACE_TYPES) {
        const inode = c.namespaces[type];
        if (inode !== null) out.push(`      ${type.padEnd(6)} ${inode}  ${printable(describeNamespaceSharing(snapshot, c, type))}`);
      }
    }
    if (c.mounts.length) {
      out.push('    mounts');
      for (const m of c.mounts) out.push(`      ${printable(describeMount(m))}${m.type === 'volume' && m.source ? `  [${printable(m.source)}]` : ''}`);
    }
    if (c.pid === null) continue;
    out.push('    network');
    const mode = describeNetworkMode(snapshot, c, byId);
    if (mode) out.push(`      ${printable(mode)}`);
    for (const i of c.interfaces) out.push(`      ${printable(describeInterface(i, snapshot))}`);
    if (!c.interfaces.length && c.unavailable.interfaces && c.pid !== null) {
      out.push(`      interfaces: ${c.unavailable.interfaces}`);
      for (const ep of c.endpoints) out.push(`      ${printable(ep.network)} ${ep.ipAddress ?? ''} ${ep.macAddress ?? ''}`.trimEnd());
    }
  }
  if (snapshot.bridges.length) {
    out.push('');
    out.push('Bridges');
    for (const b of snapshot.bridges) {
      out.push(`  ${b.name}${b.network ? ` (${printable(b.network)})` : ''} ${b.addresses.join(' ')}  ports: ${b.ports.join(', ') || 'none'}`);
    }
  }
  return `${out.join('\n')}\n`;
}
