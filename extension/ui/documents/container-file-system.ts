// container-internals://<container id>/<path>: a container's filesystem as a
// VS Code FileSystemProvider, over the Docker API archive endpoints.

import * as vscode from 'vscode';
import {
  ContainerFileError,
  GO_MODE_DIR,
  GO_MODE_SYMLINK,
  DEFAULT_READ_LIMIT_BYTES,
  readContainerFile,
  statContainerPath,
  writeContainerFile,
} from '../../core/actions/container-files';
import { listContainerLevel } from '../../core/actions/container-directory';
import type { EngineSession } from '../../core/session/engine-session';

export const CONTAINER_FS_SCHEME = 'container-internals';

export function containerUri(containerId: string, path: string): vscode.Uri {
  return vscode.Uri.from({ scheme: CONTAINER_FS_SCHEME, authority: containerId, path: path.startsWith('/') ? path : `/${path}` });
}

export class ContainerFileSystem implements vscode.FileSystemProvider {
  private readonly emitter = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.emitter.event;

  /** Directories already warned about as partly listed, so a refresh does not warn again. */
  private readonly partlyListed = new Set<string>();

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
      const helper = (await this.session.liveSnapshot?.helperSelection()) ?? null;
      const listing = await listContainerLevel(this.engine(), helper, uri.authority, uri.path);
      if (!listing.complete && !this.partlyListed.has(uri.toString())) {
        this.partlyListed.add(uri.toString());
        void vscode.window.showWarningMessage(
          `Only part of ${uri.path} is listed: the engine sends a folder with everything below it, and this one holds more than the listing reads. With the host helper, one level is read on the host instead.`,
        );
      }
      return listing.entries.map((e) => [
        e.name,
        e.type === 'directory' ? vscode.FileType.Directory : e.type === 'symlink' ? vscode.FileType.SymbolicLink : vscode.FileType.File,
      ]);
    } catch (error) {
      return this.fail(error, uri);
    }
  }

  async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    const engine = this.engine();
    try {
      const { size } = await statContainerPath(engine, uri.authority, uri.path);
      let maxBytes = DEFAULT_READ_LIMIT_BYTES;
      if (size > maxBytes) {
        const mib = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MiB`;
        const choice = await vscode.window.showWarningMessage(
          `${uri.path} is ${mib(size)}, more than ${mib(maxBytes)}. Read it all from the container?`,
          { modal: true, detail: 'It is copied through the Docker API into memory. You can cancel while it is read.' },
          'Read It',
        );
        if (choice !== 'Read It') throw vscode.FileSystemError.Unavailable(`${uri.path} was not opened: it is larger than ${mib(maxBytes)}`);
        maxBytes = size;
      }
      // Every read can be cancelled; one that takes over a second shows its progress with a Cancel button.
      const controller = new AbortController();
      const reading = readContainerFile(engine, uri.authority, uri.path, { maxBytes, signal: controller.signal });
      const slow = setTimeout(() => {
        void vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: `Reading ${uri.path} from the container`, cancellable: true },
          (_p, token) => {
            token.onCancellationRequested(() => controller.abort());
            return reading.then(
              () => undefined,
              () => undefined,
            );
          },
        );
      }, 1_000);
      try {
        return await reading;
      } finally {
        clearTimeout(slow);
      }
    } catch (error) {
      if (error instanceof vscode.FileSystemError) throw error;
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
