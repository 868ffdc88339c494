// container-internals://<container id>/<path>: a container's filesystem as a
// VS Code FileSystemProvider, over the Docker API archive endpoints.

import * as vscode from 'vscode';
import {
  ContainerFileError,
  GO_MODE_DIR,
  GO_MODE_SYMLINK,
  listContainerDirectory,
  readContainerFile,
  statContainerPath,
  writeContainerFile,
} from '../../core/actions/container-files';
import type { EngineSession } from '../../core/session/engine-session';

export const CONTAINER_FS_SCHEME = 'container-internals';

export function containerUri(containerId: string, path: string): vscode.Uri {
  return vscode.Uri.from({ scheme: CONTAINER_FS_SCHEME, authority: containerId, path: path.startsWith('/') ? path : `/${path}` });
}

export class ContainerFileSystem implements vscode.FileSystemProvider {
  private readonly emitter = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.emitter.event;

  constructor(private readonly session: EngineSession) {}

  private engine() {
    const engine = this.session.liveSnapshot?.engine;
    if (!engine) throw vscode.FileSystemError.Unavailable('no Docker engine is configured');
    return engine;
  }

  private fail(error: unknown, uri: vscode.Uri): never {
    if (error instanceof ContainerFileError && error.code === 'notFound') throw vscode.FileSystemError.FileNotFound(uri);
    throw vscode.FileSystemError.Unavailable((error as Error).message);
  }

  watch(): vscode.Disposable {
    // The archive API has no change feed; views refresh on demand.
    return new vscode.Disposable(() => undefined);
  }

  async stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    try {
      const s = await statContainerPath(this.engine(), uri.authority, uri.path);
      const type = s.mode & GO_MODE_DIR ? vscode.FileType.Directory : s.mode & GO_MODE_SYMLINK ? vscode.FileType.SymbolicLink : vscode.FileType.File;
      const mtime = Date.parse(s.mtime) || 0;
      return { type, ctime: mtime, mtime, size: s.size };
    } catch (error) {
      return this.fail(error, uri);
    }
  }

  async readDirectory(uri: vscode.Uri): Promise<Array<[string, vscode.FileType]>> {
    try {
      const entries = await listContainerDirectory(this.engine(), uri.authority, uri.path);
      return entries.map((e) => [
        e.name,
        e.type === 'directory' ? vscode.FileType.Directory : e.type === 'symlink' ? vscode.FileType.SymbolicLink : vscode.FileType.File,
      ]);
    } catch (error) {
      return this.fail(error, uri);
    }
  }

  async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    try {
      return await readContainerFile(this.engine(), uri.authority, uri.path);
    } catch (error) {
      return this.fail(error, uri);
    }
  }

  async writeFile(uri: vscode.Uri, content: Uint8Array): Promise<void> {
    try {
      await writeContainerFile(this.engine(), uri.authority, uri.path, content);
      this.emitter.fire([{ type: vscode.FileChangeType.Changed, uri }]);
    } catch (error) {
      this.fail(error, uri);
    }
  }

  createDirectory(): void {
    throw vscode.FileSystemError.NoPermissions('creating directories in a container is not supported');
  }
  delete(): void {
    throw vscode.FileSystemError.NoPermissions('deleting in a container is not supported (the Docker archive API cannot)');
  }
  rename(): void {
    throw vscode.FileSystemError.NoPermissions('renaming in a container is not supported');
  }
}
