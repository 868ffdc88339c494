// A container's own filesystem through the Docker API archive endpoints: no
// shell, `ls` or `stat` inside the container, so it works in shell-less images
// and in stopped containers too.

import type { Readable } from 'node:stream';
import * as tar from 'tar-stream';
import type { Engine } from '../engine/engine';
import { firstLine } from '../common/first-line';

export interface PathStat {
  name: string;
  size: number;
  /** Go's os.FileMode bits: 1<<31 is a directory, 1<<27 a symlink. */
  mode: number;
  mtime: string;
  linkTarget: string;
}

export const GO_MODE_DIR = 2 ** 31;
export const GO_MODE_SYMLINK = 2 ** 27;

export class ContainerFileError extends Error {
  constructor(
    message: string,
    readonly code: 'notFound' | 'notADirectory' | 'tooLarge' | 'cancelled' | 'other',
  ) {
    super(message);
  }
}

function describe(error: unknown, what: string): ContainerFileError {
  const status = (error as { statusCode?: number }).statusCode;
  if (status === 404) return new ContainerFileError(`${what}: no such file or container`, 'notFound');
  return new ContainerFileError(`${what}: ${firstLine((error as Error).message ?? String(error))}`, 'other');
}

/** HEAD /containers/{id}/archive: the path's stat, from the X-Docker-Container-Path-Stat header. */
export async function statContainerPath(engine: Engine, containerId: string, path: string): Promise<PathStat> {
  try {
    const res = (await engine.docker.getContainer(containerId).infoArchive({ path })) as unknown as Readable & { headers: Record<string, string> };
    res.resume();
    const header = res.headers['x-docker-container-path-stat'];
    if (!header) throw new ContainerFileError(`${path}: the engine sent no stat`, 'other');
    return JSON.parse(Buffer.from(header, 'base64').toString('utf8')) as PathStat;
  } catch (error) {
    if (error instanceof ContainerFileError) throw error;
    throw describe(error, path);
  }
}

async function archive(engine: Engine, containerId: string, path: string): Promise<Readable> {
  try {
    return (await engine.streams.getContainer(containerId).getArchive({ path })) as unknown as Readable;
  } catch (error) {
    throw describe(error, path);
  }
}

export type ContainerEntryType = 'file' | 'directory' | 'symlink' | 'other';

export interface ContainerDirEntry {
  name: string;
  type: ContainerEntryType;
  size: number;
}

/** The archive of a directory holds its whole subtree: past this many bytes, a listing stops reading and says it is partial. */
export const LISTING_ARCHIVE_BUDGET_BYTES = 16 * 1024 * 1024;

export interface ContainerDirListing {
  entries: ContainerDirEntry[];
  /** False when the archive was cut at the budget: the entries are the ones seen before it. */
  complete: boolean;
}

/**
 * The entries directly inside a directory, with their types, from its archive.
 * The engine only sends a directory's whole subtree, in walk order, so the
 * read stops at `budgetBytes` and the listing says it is partial.
 */
export async function listContainerDirectoryBounded(
  engine: Engine,
  containerId: string,
  path: string,
  budgetBytes = LISTING_ARCHIVE_BUDGET_BYTES,
): Promise<ContainerDirListing> {
  const stream = await archive(engine, containerId, path);
  const extract = tar.extract();
  const entries = new Map<string, ContainerDirEntry>();
  let read = 0;
  const complete = await new Promise<boolean>((resolve, reject) => {
    stream.on('data', (chunk: Buffer) => {
      read += chunk.length;
      if (read > budgetBytes) {
        stream.unpipe(extract);
        stream.destroy();
        resolve(false);
      }
    });
    extract.on('entry', (header, body, next) => {
      // The archive's top entry is the directory itself; keep its direct children only.
      const parts = header.name.replace(/\/$/, '').split('/');
      if (parts.length === 2 && parts[1]) {
        const type = header.type === 'directory' ? 'directory' : header.type === 'symlink' ? 'symlink' : header.type === 'file' ? 'file' : 'other';
        entries.set(parts[1], { name: parts[1], type, size: header.size ?? 0 });
      }
      body.on('end', next);
      body.resume();
    });
    extract.on('finish', () => resolve(true));
    extract.on('error', reject);
    stream.on('error', (error) => (read > budgetBytes ? resolve(false) : reject(error)));
    stream.pipe(extract);
  });
  return { entries: [...entries.values()].sort((a, b) => a.name.localeCompare(b.name)), complete };
}

/** How a path's own archive entry describes it: its type, mode, owner, and a symlink's target. */
export interface EntryHeader {
  type: string;
  mode: number;
  uid: number;
  gid: number;
  uname?: string;
  gname?: string;
  linkname?: string;
}

/**
 * The tar header of the path itself, read from the start of its archive; the
 * rest of the stream is dropped, so a large file (or a huge directory) is not
 * downloaded just to learn its mode and owner.
 */
export async function entryHeader(engine: Engine, containerId: string, path: string): Promise<EntryHeader> {
  const stream = await archive(engine, containerId, path);
  const extract = tar.extract();
  return new Promise<EntryHeader>((resolve, reject) => {
    let done = false;
    extract.on('entry', (header) => {
      if (done) return;
      done = true;
      resolve({
        type: header.type ?? 'file',
        mode: header.mode ?? 0o644,
        uid: header.uid ?? 0,
        gid: header.gid ?? 0,
        uname: header.uname,
        gname: header.gname,
        linkname: header.linkname ?? undefined,
      });
      stream.destroy();
      extract.destroy();
    });
    extract.on('finish', () => !done && reject(new ContainerFileError(`${path}: empty archive`, 'other')));
    extract.on('error', (e) => !done && reject(e));
    stream.on('error', (e) => !done && reject(e));
    stream.pipe(extract);
  });
}

const MAX_LINK_HOPS = 8;

/** Follows symlinks the way the container would see them (targets are container paths), up to a few hops. */
export async function resolveContainerPath(engine: Engine, containerId: string, path: string): Promise<{ path: string; header: EntryHeader | null }> {
  let at = path;
  for (let hop = 0; hop <= MAX_LINK_HOPS; hop++) {
    let header: EntryHeader;
    try {
      header = await entryHeader(engine, containerId, at);
    } catch (error) {
      if (error instanceof ContainerFileError && error.code === 'notFound') return { path: at, header: null };
      throw error;
    }
    if (header.type !== 'symlink' || !header.linkname) return { path: at, header };
    const dir = at.slice(0, at.lastIndexOf('/')) || '/';
    at = normalizeContainerPath(header.linkname.startsWith('/') ? header.linkname : `${dir}/${header.linkname}`);
  }
  throw new ContainerFileError(`${path}: too many levels of symbolic links`, 'other');
}

function normalizeContainerPath(p: string): string {
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (!part || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return `/${out.join('/')}`;
}

export interface ReadFileOptions {
  /** Larger files are refused (the caller asks the user first, then passes a larger limit). */
  maxBytes?: number;
  /** Aborting stops the transfer: the archive stream is destroyed. */
  signal?: AbortSignal;
}

export const DEFAULT_READ_LIMIT_BYTES = 64 * 1024 * 1024;

/** A regular file's content; a symlink is followed inside the container. */
export async function readContainerFile(engine: Engine, containerId: string, path: string, options: ReadFileOptions = {}): Promise<Buffer> {
  const maxBytes = options.maxBytes ?? DEFAULT_READ_LIMIT_BYTES;
  const resolved = (await resolveContainerPath(engine, containerId, path)).path;
  options.signal?.throwIfAborted();
  const stream = await archive(engine, containerId, resolved);
  const extract = tar.extract();
  return new Promise<Buffer>((resolve, reject) => {
    const onAbort = (): void => {
      stream.destroy();
      reject(new ContainerFileError(`reading ${path} was cancelled`, 'cancelled'));
    };
    if (options.signal?.aborted) return onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const settle =
      <T>(fn: (v: T) => void) =>
      (v: T) => {
        options.signal?.removeEventListener('abort', onAbort);
        fn(v);
      };
    const ok = settle(resolve);
    const fail = settle(reject);
    let content: Buffer | null = null;
    extract.on('entry', (header, body, next) => {
      if (content === null && header.type === 'file') {
        if ((header.size ?? 0) > maxBytes) {
          fail(new ContainerFileError(`${path} is larger than ${maxBytes} bytes`, 'tooLarge'));
          stream.destroy();
          return;
        }
        const chunks: Buffer[] = [];
        body.on('data', (c: Buffer) => chunks.push(c));
        body.on('end', () => {
          content = Buffer.concat(chunks);
          next();
        });
      } else {
        if (content === null && header.type === 'directory') {
          fail(new ContainerFileError(`${path} is a directory`, 'other'));
          stream.destroy();
          return;
        }
        body.on('end', next);
        body.resume();
      }
    });
    extract.on('finish', () => (content ? ok(content) : fail(new ContainerFileError(`${path} is not a regular file`, 'other'))));
    extract.on('error', fail);
    stream.on('error', fail);
    stream.pipe(extract);
  });
}

/**
 * Writes a file by uploading a one-entry tar into its directory (PUT
 * /containers/{id}/archive). The engine replaces the file and applies the
 * entry's mode and owner, so they are taken from the file being replaced (a
 * 0600 secret stays 0600, a script stays executable, an app's file stays the
 * app's); a new file gets 0644 and its directory's owner. A symlink is
 * followed, so the file it points to is written and the link stays a link.
 */
export async function writeContainerFile(engine: Engine, containerId: string, path: string, content: Uint8Array): Promise<void> {
  const target = await resolveContainerPath(engine, containerId, path);
  if (target.header && target.header.type !== 'file') throw new ContainerFileError(`${target.path} is not a regular file`, 'other');
  const slash = target.path.lastIndexOf('/');
  const dir = slash > 0 ? target.path.slice(0, slash) : '/';
  const name = target.path.slice(slash + 1);
  if (!name) throw new ContainerFileError(`${path} is not a file path`, 'other');
  const owner = target.header ?? (await entryHeader(engine, containerId, dir));
  const pack = tar.pack();
  pack.entry(
    {
      name,
      mode: target.header ? target.header.mode & 0o7777 : 0o644,
      uid: owner.uid,
      gid: owner.gid,
      uname: owner.uname,
      gname: owner.gname,
      size: content.length,
      mtime: new Date(),
    },
    Buffer.from(content),
  );
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack as unknown as AsyncIterable<Buffer>) chunks.push(chunk);
  try {
    await engine.docker.getContainer(containerId).putArchive(Buffer.concat(chunks), { path: dir });
  } catch (error) {
    throw describe(error, path);
  }
}
