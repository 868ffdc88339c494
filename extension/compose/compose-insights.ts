// What the language server says about a compose file, given the live snapshot:
// hovers, diagnostics, code lenses, completions, definitions. Pure functions.

import { isLocalEndpointUrl } from '../core/engine/engine-endpoint';
import type { ContainerSnapshot, Snapshot } from '../core/snapshot/model';
import { describeNamespaceSharing } from '../present/snapshot-text';
import { type ComposeFile, resolveBindSource, type ServiceEntry, type Span, type VolumeEntry } from './compose-file';
import { LENS_COMMANDS } from './protocol';

export interface InsightContext {
  snapshot: Snapshot | null;
  /** Why there is no snapshot. */
  problem: string | null;
  /** Does this path exist on the engine's host? Only asked when the engine is on this machine. */
  exists(path: string): boolean;
}

export interface Finding {
  span: Span;
  severity: 'error' | 'warning';
  message: string;
  code: string;
}

export interface Lens {
  span: Span;
  title: string;
  command: string;
  args: unknown[];
}

const within = (span: Span, offset: number): boolean => offset >= span.start && offset <= span.end;

export function engineIsLocal(snapshot: Snapshot | null): boolean {
  return !!snapshot && isLocalEndpointUrl(snapshot.engine.endpoint);
}

export function containersOf(file: ComposeFile, service: string, snapshot: Snapshot | null): ContainerSnapshot[] {
  return (snapshot?.containers ?? []).filter((c) => c.compose?.project === file.project && c.compose.service === service);
}

export function diagnose(file: ComposeFile, ctx: InsightContext): Finding[] {
  const out: Finding[] = file.syntaxErrors.map((e) => ({ span: e.span, severity: 'error' as const, message: e.message, code: 'yaml' }));
  const serviceNames = new Set(file.services.map((s) => s.name));
  for (const s of file.services) {
    for (const v of s.volumes) {
      if (v.kind === 'volume' && v.source && !v.source.includes('$') && !file.declaredVolumes.has(v.source)) {
        out.push({
          span: v.sourceSpan,
          severity: 'error',
          message: `Named volume "${v.source}" is used by ${s.name} but not declared under the top-level volumes: key.`,
          code: 'undeclared-volume',
        });
      }
      // Only the engine's host knows which paths exist there; say nothing without a local engine.
      if (v.kind === 'bind' && v.source && !v.source.includes('$') && engineIsLocal(ctx.snapshot)) {
        const host = resolveBindSource(v.source, file.directory);
        if (!ctx.exists(host)) {
          out.push({
            span: v.sourceSpan,
            severity: 'warning',
            message: `Bind-mount source ${host} does not exist on the engine's host; Docker would create an empty root-owned directory there.`,
            code: 'missing-bind-source',
          });
        }
      }
    }
    const mode = s.networkMode;
    if (mode?.value.startsWith('service:')) {
      const other = mode.value.slice('service:'.length);
      if (!serviceNames.has(other))
        out.push({
          span: mode.span,
          severity: 'error',
          message: `network_mode refers to service "${other}", which this file does not define.`,
          code: 'unknown-service',
        });
    } else if (mode?.value.startsWith('container:') && ctx.snapshot) {
      const ref = mode.value.slice('container:'.length);
      const known = ctx.snapshot.containers.some((c) => c.name === ref || c.id === ref || (ref.length >= 4 && c.id.startsWith(ref)));
      if (!known)
        out.push({
          span: mode.span,
          severity: 'error',
          message: `network_mode refers to container "${ref}", which the engine does not have.`,
          code: 'unknown-container',
        });
    }
  }
  return out;
}

function serviceHover(file: ComposeFile, s: ServiceEntry, ctx: InsightContext): string {
  if (!ctx.snapshot) return `**${s.name}** — no live data: ${ctx.problem ?? 'no Docker engine reachable'}`;
  const snapshot = ctx.snapshot;
  const containers = containersOf(file, s.name, snapshot);
  if (!containers.length) return `**${s.name}** — no container of service \`${s.name}\` in project \`${file.project}\` on ${snapshot.engine.endpoint}`;
  const lines = [`**${s.name}** (project \`${file.project}\`)`, ''];
  for (const c of containers) {
    lines.push(`- \`${c.name}\` — ${c.state}${c.pid !== null ? `, pid ${c.pid}` : ''}`);
    if (c.namespaces.net !== null) lines.push(`  - net \`${c.namespaces.net}\` — ${describeNamespaceSharing(snapshot, c, 'net')}`);
    for (const i of c.interfaces.filter((x) => x.kind !== 'loopback')) {
      const addr = i.addresses.filter((a) => !a.startsWith('fe80:')).join(', ');
      lines.push(
        `  - ${i.network ?? i.name}: ${addr || 'no address'}${i.hostPeer ? ` — ${i.name} ⇄ ${i.hostPeer.name}${i.hostPeer.bridge ? ` → ${i.hostPeer.bridge}` : ''}` : ''}`,
      );
    }
    if (!c.interfaces.length) for (const ep of c.endpoints) lines.push(`  - ${ep.network}: ${ep.ipAddress ?? 'no address'}`);
  }
  return lines.join('\n');
}

function volumeHover(file: ComposeFile, v: VolumeEntry, ctx: InsightContext): string | null {
  const users = (match: (c: ContainerSnapshot) => Array<{ destination: string; rw: boolean }>) =>
    (ctx.snapshot?.containers ?? [])
      .filter((c) => c.pid !== null)
      .flatMap((c) => match(c).map((m) => `- \`${c.name}\` at \`${m.destination}\`${m.rw ? '' : ' (ro)'}`));
  if (v.kind === 'bind' && v.source) {
    const host = resolveBindSource(v.source, file.directory);
    const lines = [`**bind mount** \`${v.source}\` → \`${v.target ?? '?'}\``, '', `host path: \`${host}\``];
    if (!ctx.snapshot) lines.push('', `no live data: ${ctx.problem ?? 'no Docker engine reachable'}`);
    else {
      if (engineIsLocal(ctx.snapshot)) lines.push(ctx.exists(host) ? "exists on the engine's host" : "**does not exist** on the engine's host");
      const who = users((c) => c.mounts.filter((m) => m.type === 'bind' && m.source === host));
      lines.push('', who.length ? 'mounted by:' : 'no running container mounts it', ...who);
    }
    return lines.join('\n');
  }
  if (v.kind === 'volume' && v.source) {
    const real = file.declaredVolumes.get(v.source) ?? `${file.project}_${v.source}`;
    const lines = [`**volume** \`${v.source}\` → \`${v.target ?? '?'}\``, '', `Docker volume: \`${real}\``];
    if (!ctx.snapshot) lines.push('', `no live data: ${ctx.problem ?? 'no Docker engine reachable'}`);
    else {
      const vol = ctx.snapshot.volumes.find((x) => x.name === real);
      lines.push(vol ? `mountpoint: \`${vol.mountpoint ?? '?'}\`${vol.device ? ` (bound to \`${vol.device}\`)` : ''}` : 'not created yet');
      const who = users((c) => c.mounts.filter((m) => m.type === 'volume' && m.name === real));
      lines.push('', who.length ? 'mounted by:' : 'no running container mounts it', ...who);
    }
    return lines.join('\n');
  }
  return null;
}

export function hoverAt(file: ComposeFile, offset: number, ctx: InsightContext): { markdown: string; span: Span } | null {
  for (const s of file.services) {
    if (within(s.keySpan, offset)) return { markdown: serviceHover(file, s, ctx), span: s.keySpan };
    for (const v of s.volumes) {
      if (!within(v.span, offset)) continue;
      const markdown = volumeHover(file, v, ctx);
      return markdown ? { markdown, span: v.span } : null;
    }
  }
  return null;
}

export function lensesFor(file: ComposeFile, snapshot: Snapshot | null): Lens[] {
  const out: Lens[] = [];
  for (const s of file.services) {
    const running = containersOf(file, s.name, snapshot).find((c) => c.state === 'running');
    if (!running) continue;
    out.push(
      { span: s.keySpan, title: `Exec (${running.name})`, command: LENS_COMMANDS.exec, args: [{ container: running.name }] },
      { span: s.keySpan, title: 'Enter Namespaces', command: LENS_COMMANDS.enter, args: [{ container: running.name }] },
      { span: s.keySpan, title: 'Show in Diagram', command: LENS_COMMANDS.diagram, args: [running.name] },
      { span: s.keySpan, title: 'Reveal in Tree', command: LENS_COMMANDS.reveal, args: [running.name] },
    );
  }
  return out;
}

/** Container names for `network_mode: container:` when the cursor is in that value. */
export function networkModeCompletions(offset: number, text: string, snapshot: Snapshot | null): string[] {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const before = text.slice(lineStart, offset);
  if (!/^\s*network_mode:\s*["']?container:[\w.-]*$/.test(before)) return [];
  return (snapshot?.containers ?? []).filter((c) => c.state === 'running').map((c) => c.name);
}

/** The host path a bind source points at, for go-to-definition. */
export function definitionAt(file: ComposeFile, offset: number): string | null {
  for (const s of file.services)
    for (const v of s.volumes) if (v.kind === 'bind' && v.source && within(v.sourceSpan, offset)) return resolveBindSource(v.source, file.directory);
  return null;
}
