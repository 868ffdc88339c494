// Reads a compose file into the facts the language server needs, with source
// offsets. Parsing is the `yaml` library's; this only walks its document.

import * as path from 'node:path';
import { isMap, isPair, isScalar, isSeq, parseDocument, type Node, type Pair, type YAMLMap } from 'yaml';

export interface Span {
  start: number;
  end: number;
}

export interface VolumeEntry {
  kind: 'bind' | 'volume' | 'tmpfs' | 'anonymous';
  /** As written: a path for binds, a name for volumes. */
  source: string | null;
  target: string | null;
  span: Span;
  sourceSpan: Span;
}

export interface ServiceEntry {
  name: string;
  keySpan: Span;
  volumes: VolumeEntry[];
  networkMode: { value: string; span: Span } | null;
}

export interface ComposeFile {
  project: string;
  services: ServiceEntry[];
  /** Top-level volumes: key → the real volume name Docker uses. */
  declaredVolumes: Map<string, string>;
  /** Problems from the YAML parser itself. */
  syntaxErrors: Array<{ message: string; span: Span }>;
  directory: string;
}

/** docker compose's rule: lowercase, only [a-z0-9_-], starting with a letter or digit. */
export function normalizeProjectName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '')
    .replace(/^[^a-z0-9]+/, '');
}

function spanOf(node: Node | null | undefined): Span {
  const r = node?.range;
  return r ? { start: r[0], end: r[1] } : { start: 0, end: 0 };
}

function str(node: unknown): string | null {
  return isScalar(node) && node.value !== null && node.value !== undefined ? String(node.value) : null;
}

/** Short syntax: [SOURCE:]TARGET[:MODE]. A source that looks like a path is a bind mount. */
export function parseShortVolume(text: string): Pick<VolumeEntry, 'kind' | 'source' | 'target'> & { sourceLength: number } {
  const parts = text.split(':');
  if (parts.length === 1) return { kind: 'anonymous', source: null, target: parts[0] ?? null, sourceLength: 0 };
  const source = parts[0] as string;
  const target = parts[1] ?? null;
  const isPath = source.startsWith('.') || source.startsWith('/') || source.startsWith('~');
  return { kind: isPath ? 'bind' : 'volume', source, target, sourceLength: source.length };
}

function parseVolume(item: unknown): VolumeEntry | null {
  if (isScalar(item) && typeof item.value === 'string') {
    const short = parseShortVolume(item.value);
    const span = spanOf(item);
    // Plain and quoted scalars: skip the opening quote, if any, to point at the source itself.
    const offset = item.type === 'QUOTE_DOUBLE' || item.type === 'QUOTE_SINGLE' ? 1 : 0;
    return {
      kind: short.kind,
      source: short.source,
      target: short.target,
      span,
      sourceSpan: { start: span.start + offset, end: span.start + offset + short.sourceLength },
    };
  }
  if (isMap(item)) {
    const get = (k: string) => item.get(k, true) as Node | undefined;
    const type = str(get('type')) ?? 'volume';
    const sourceNode = get('source');
    const source = str(sourceNode);
    const kind = type === 'bind' ? 'bind' : type === 'tmpfs' ? 'tmpfs' : source ? 'volume' : 'anonymous';
    return { kind, source, target: str(get('target')), span: spanOf(item), sourceSpan: spanOf(sourceNode ?? item) };
  }
  return null;
}

export function parseComposeFile(text: string, filePath: string): ComposeFile {
  const doc = parseDocument(text, { keepSourceTokens: false });
  const directory = path.dirname(filePath);
  const root = doc.contents;
  const topName = isMap(root) ? str(root.get('name', true)) : null;
  const project = normalizeProjectName(topName ?? path.basename(directory));
  const declaredVolumes = new Map<string, string>();
  const services: ServiceEntry[] = [];
  if (isMap(root)) {
    const vols = root.get('volumes', true);
    if (isMap(vols)) {
      for (const pair of (vols as YAMLMap).items) {
        const key = str(pair.key);
        if (!key) continue;
        const value = pair.value;
        const explicit = isMap(value) ? str(value.get('name', true)) : null;
        const external = isMap(value) && (value.get('external') === true || isMap(value.get('external', true)));
        declaredVolumes.set(key, explicit ?? (external ? key : `${project}_${key}`));
      }
    }
    const svcs = root.get('services', true);
    if (isMap(svcs)) {
      for (const pair of (svcs as YAMLMap).items as Pair[]) {
        const name = str(pair.key);
        if (!name || !isPair(pair)) continue;
        const body = pair.value;
        const volumes: VolumeEntry[] = [];
        let networkMode: ServiceEntry['networkMode'] = null;
        if (isMap(body)) {
          const vlist = body.get('volumes', true);
          if (isSeq(vlist))
            for (const item of vlist.items) {
              const v = parseVolume(item);
              if (v) volumes.push(v);
            }
          const nm = body.get('network_mode', true) as Node | undefined;
          const nmValue = str(nm);
          if (nmValue !== null) networkMode = { value: nmValue, span: spanOf(nm) };
        }
        services.push({ name, keySpan: spanOf(pair.key as Node), volumes, networkMode });
      }
    }
  }
  return {
    project,
    services,
    declaredVolumes,
    syntaxErrors: doc.errors.map((e) => ({ message: e.message.split('\n')[0] ?? e.message, span: { start: e.pos[0], end: e.pos[1] } })),
    directory,
  };
}

/** The absolute host path of a bind source, resolved like compose does (relative to the file, ~ to home). */
export function resolveBindSource(source: string, directory: string, home = process.env.HOME ?? '/'): string {
  if (source === '~' || source.startsWith('~/')) return path.join(home, source.slice(1));
  return path.resolve(directory, source);
}
