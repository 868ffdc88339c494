// A container's own filesystem through the Docker API archive endpoints: no
// shell, `ls` or `stat` inside the container, so it works in shell-less images
// and in stopped containers too.

import type { Readable } from 'node:stream';
import * as tar from 'tar-stream';
import type { Engine } from './engine';
import { firstLine } from './engine';

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
  constructor(message: string, readonly code: 'notFound' | 'notADirectory' | 'other') {
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

/** The entries directly inside a directory, with their types. */
export async function listContainerDirectory(engine: Engine, containerId: string, path: string): Promise<Array<{ name: string; type: 'file' | 'directory' | 'symlink' | 'other'; size: number }>> {
  const stream = await archive(engine, containerId, path);
  const extract = tar.extract();
  const entries = new Map<string, { name: string; type: 'file' | 'directory' | 'symlink' | 'other'; size: number }>();
  await new Promise<void>((resolve, reject) => {
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
    extract.on('finish', resolve);
    extract.on('error', reject);
    stream.on('error', reject);
    stream.pipe(extract);
  });
  return [...entries.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** A regular file's content. */
export async function readContainerFile(engine: Engine, containerId: string, path: string, maxBytes = 64 * 1024 * 1024): Promise<Buffer> {
  const stream = await archive(engine, containerId, path);
  const extract = tar.extract();
  return new Promise<Buffer>((resolve, reject) => {
    let content: Buffer | null = null;
    extract.on('entry', (header, body, next) => {
      if (content === null && header.type === 'file') {
        if ((header.size ?? 0) > maxBytes) {
          reject(new ContainerFileError(`${path} is larger than ${maxBytes} bytes`, 'other'));
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
          reject(new ContainerFileError(`${path} is a directory`, 'other'));
          stream.destroy();
          return;
        }
        body.on('end', next);
        body.resume();
      }
    });
    extract.on('finish', () => (content ? resolve(content) : reject(new ContainerFileError(`${path} is not a regular file`, 'other'))));
    extract.on('error', reject);
    stream.on('error', reject);
    stream.pipe(extract);
  });
}

/** Writes a file by uploading a one-entry tar into its directory (PUT /containers/{id}/archive). */
export async function writeContainerFile(engine: Engine, containerId: string, path: string, content: Uint8Array, mode = 0o644): Promise<void> {
  const slash = path.lastIndexOf('/');
  const dir = slash > 0 ? path.slice(0, slash) : '/';
  const name = path.slice(slash + 1);
  if (!name) throw new ContainerFileError(`${path} is not a file path`, 'other');
  const pack = tar.pack();
  pack.entry({ name, mode, size: content.length, mtime: new Date() }, Buffer.from(content));
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack as unknown as AsyncIterable<Buffer>) chunks.push(chunk);
  try {
    await engine.docker.getContainer(containerId).putArchive(Buffer.concat(chunks), { path: dir });
  } catch (error) {
    throw describe(error, path);
  }
}
