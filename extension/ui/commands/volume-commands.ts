// Volumes: create (through the host helper for bind-backed ones), measure on
// demand, remove and prune with confirmation, inspect side by side, and show
// what a mount hides.

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { type CommandResult, commandFailed } from './command-result';
import { listContainerDirectoryBounded } from '../../core/actions/container-files';
import { type HostDirEntry, hiddenByMount, listHostDirectory, readHostFile } from '../../core/actions/mount-shadow';
import type { HelperSelection } from '../../core/host/helper-runners';
import { createVolume, type CreatedVolume, diskUsageKib, volumeNameProblem } from '../../core/actions/volumes';
import { MountNode } from '../trees/container-nodes';
import { containerUri } from '../documents/container-file-system';
import type { EngineSession } from '../../core/session/engine-session';
import { VolumeNode } from '../trees/volume-nodes';

export const HIDDEN_SCHEME = 'container-internals-hidden';

export interface CreateVolumeArgs {
  name: string;
  bindDir?: string;
}

export interface SideBySideResult extends CommandResult {
  entries?: Array<{ name: string; host: boolean; container: boolean }>;
  opened?: vscode.Uri[];
}

export class VolumeCommands {
  constructor(
    private readonly session: EngineSession,
    private readonly log: vscode.LogOutputChannel,
    private readonly hiddenFiles: HiddenFileProvider,
  ) {}

  private live() {
    const live = this.session.liveSnapshot;
    if (!live) throw new Error('no Docker engine is configured');
    return live;
  }

  private fail(what: string, error: unknown): CommandResult & { ok: false; reason: string } {
    return commandFailed(this.log, what, error);
  }

  /**
   * Create Volume. A bind directory given as an argument (not typed into the
   * prompt) is confirmed first: the helper creates it as root on the host.
   */
  async create(args?: CreateVolumeArgs, options: { confirmed?: boolean } = {}): Promise<CommandResult & { volume?: CreatedVolume }> {
    if (args?.bindDir && !options.confirmed) {
      const answer = await vscode.window.showWarningMessage(
        `Create volume ${JSON.stringify(args.name)} bound to ${JSON.stringify(args.bindDir)} on the engine's host, creating that directory as root if it is missing?`,
        { modal: true, detail: 'This was asked for by a command with arguments (another extension, a link or a keybinding), not typed into Create Volume.' },
        'Create',
      );
      if (answer !== 'Create') return { ok: false, reason: 'not confirmed' };
    }
    let request = args;
    if (!request) {
      const kind = await vscode.window.showQuickPick(
        [
          { label: 'Named volume', description: 'data under /var/lib/docker/volumes/NAME/_data', bind: false },
          { label: 'Bind-backed named volume', description: 'a volume that is a bind mount of a host directory (created if missing)', bind: true },
        ],
        { title: 'Create Volume' },
      );
      if (!kind) return { ok: false, reason: 'cancelled' };
      const name = await vscode.window.showInputBox({ title: 'Volume name', validateInput: (v) => volumeNameProblem(v.trim()) });
      if (!name) return { ok: false, reason: 'cancelled' };
      let bindDir: string | undefined;
      if (kind.bind) {
        bindDir = await vscode.window.showInputBox({
          title: "Directory on the engine's host",
          placeHolder: '/srv/data',
          validateInput: (v) => (v.trim().startsWith('/') ? null : 'an absolute path'),
        });
        if (!bindDir) return { ok: false, reason: 'cancelled' };
      }
      request = { name: name.trim(), bindDir: bindDir?.trim() };
    }
    try {
      const live = this.live();
      const volume = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Creating volume ${request.name}` },
        async (progress) => createVolume(live.engine, request, await live.helperSelection(), (step) => progress.report({ message: step })),
      );
      vscode.window.setStatusBarMessage(
        `Volume ${volume.name} created${volume.bindDir ? ` on ${volume.bindDir}${volume.createdDir ? ' (directory created)' : ''}` : ''}`,
        5000,
      );
      void this.session.refresh();
      return { ok: true, volume };
    } catch (error) {
      return this.fail(`Create volume ${request.name}`, error);
    }
  }

  async size(node?: VolumeNode): Promise<CommandResult & { kib?: number }> {
    if (!(node instanceof VolumeNode) || !node.volume.mountpoint) return { ok: false, reason: 'no volume with a host path was given' };
    try {
      const live = this.live();
      const target = node.volume.device ?? node.volume.mountpoint;
      const kib = await diskUsageKib(await live.helperSelection(), target);
      void vscode.window.showInformationMessage(`${node.volume.name}: ${kib >= 1024 ? `${(kib / 1024).toFixed(1)} MiB` : `${kib} KiB`} at ${target}`);
      return { ok: true, kib };
    } catch (error) {
      return this.fail(`Size of ${node.volume.name}`, error);
    }
  }

  async remove(node?: VolumeNode): Promise<CommandResult> {
    if (!(node instanceof VolumeNode)) return { ok: false, reason: 'no volume was given' };
    const v = node.volume;
    const users = v.usedBy.map((u) => `${u.container} (${u.destination})`);
    const detail = users.length
      ? `Still mounted by: ${users.join(', ')}. Docker refuses to remove a volume a container uses.`
      : 'No container mounts it. Its data is deleted.';
    const ok = await vscode.window.showWarningMessage(`Remove volume ${v.name}?`, { modal: true, detail }, 'Remove');
    if (ok !== 'Remove') return { ok: false, reason: 'cancelled' };
    try {
      await this.live().engine.docker.getVolume(v.name).remove();
      void this.session.refresh();
      return { ok: true };
    } catch (error) {
      return this.fail(`Remove volume ${v.name}`, error);
    }
  }

  async prune(): Promise<CommandResult> {
    const state = this.session.state;
    const unused = state.kind === 'ready' ? state.snapshot.volumes.filter((v) => !v.usedBy.length) : [];
    const ok = await vscode.window.showWarningMessage(
      `Prune unused volumes?`,
      {
        modal: true,
        detail: unused.length
          ? `Volumes no container mounts (Docker decides; by default only anonymous ones): ${unused.map((v) => (v.anonymous ? `${v.name.slice(0, 12)}…` : v.name)).join(', ')}`
          : 'No unused volumes are known.',
      },
      'Prune',
    );
    if (ok !== 'Prune') return { ok: false, reason: 'cancelled' };
    try {
      const result = (await this.live().engine.docker.pruneVolumes()) as { VolumesDeleted?: string[] | null; SpaceReclaimed?: number };
      vscode.window.setStatusBarMessage(`Pruned ${result.VolumesDeleted?.length ?? 0} volume(s), ${Math.round((result.SpaceReclaimed ?? 0) / 1024)} KiB`, 5000);
      void this.session.refresh();
      return { ok: true };
    } catch (error) {
      return this.fail('Prune volumes', error);
    }
  }

  /**
   * Host source on the left, the container's view on the right. Files on both
   * sides open as a diff; entries on one side only are named, since a nested
   * mount or a mount over part of the tree makes the two differ.
   */
  async sideBySide(node?: MountNode, options: { file?: string } = {}): Promise<SideBySideResult> {
    if (!(node instanceof MountNode)) return { ok: false, reason: 'no mount' };
    const m = node.mount;
    const container = node.group.owner.container;
    if (!m.source) return this.fail('Inspect Side by Side', new Error(`${m.type} mount at ${m.destination} has no host path`));
    try {
      const live = this.live();
      const host = node.group.owner.ctx.engineIsLocal ? localHostSide() : helperHostSide(await live.helperSelection(), m.source, this.hiddenFiles);
      const title = (name: string) => `${name} (host ↔ ${container.name})`;
      const top = await host.list(m.source);
      if (top === null) {
        // A file bind mount: the two sides are one file each.
        const opened = [await host.open(m.source), containerUri(container.id, m.destination)];
        await vscode.commands.executeCommand('vscode.diff', opened[0], opened[1], title(path.basename(m.source)));
        return { ok: true, opened };
      }
      const onHost = new Map(top.map((e) => [e.name, e.dir]));
      // The container's own view, through the engine (its nested mounts and shadowed parts are the point of comparing).
      const listing = await listContainerDirectoryBounded(live.engine, container.id, m.destination);
      if (!listing.complete)
        void vscode.window.showWarningMessage(`Only part of ${m.destination} in ${container.name} is listed: it holds more than the listing reads below it.`);
      const inside = new Set(listing.entries.map((e) => e.name));
      const entries = [...new Set([...onHost.keys(), ...inside])].sort().map((name) => ({ name, host: onHost.has(name), container: inside.has(name) }));
      let chosen = options.file;
      if (!chosen) {
        const pick = await vscode.window.showQuickPick(
          entries.map((e) => ({
            label: e.name,
            description:
              e.host && e.container
                ? 'on both sides'
                : e.host
                  ? 'only on the host (hidden in the container)'
                  : 'only in the container (another mount or the image)',
          })),
          { title: `${m.source} ↔ ${container.name}:${m.destination}` },
        );
        if (!pick) return { ok: true, entries };
        chosen = pick.label;
      }
      const entry = entries.find((e) => e.name === chosen);
      const hostPath = path.posix.join(m.source, chosen);
      const right = containerUri(container.id, path.posix.join(m.destination, chosen));
      if (entry?.host && entry.container && !onHost.get(chosen)) {
        const left = await host.open(hostPath);
        await vscode.commands.executeCommand('vscode.diff', left, right, title(chosen));
        return { ok: true, entries, opened: [left, right] };
      }
      const only = entry?.host ? await host.open(hostPath) : right;
      await vscode.window.showTextDocument(only, { preview: true });
      return { ok: true, entries, opened: [only] };
    } catch (error) {
      return this.fail('Inspect Side by Side', error);
    }
  }

  /** Lists the image's own files under the mount point, lets the user walk into folders, and opens files read-only. */
  async showHidden(node?: MountNode, options: { open?: string } = {}): Promise<CommandResult & { entries?: HostDirEntry[]; document?: vscode.TextDocument }> {
    if (!(node instanceof MountNode)) return { ok: false, reason: 'no mount' };
    const container = node.group.owner.container;
    try {
      const live = this.live();
      const helper = await live.helperSelection();
      let where = node.mount.destination.replace(/\/+$/, '') || '/';
      let first: HostDirEntry[] | undefined;
      // Walk down: each step lists what the image has at that path under the mount.
      for (;;) {
        const hidden = await hiddenByMount(live.engine, helper, container.id, where);
        first ??= hidden.entries;
        if (!hidden.entries.length) {
          if (where === node.mount.destination)
            void vscode.window.showInformationMessage(`The mount at ${node.mount.destination} hides nothing: the image has no files there.`);
          return { ok: true, entries: first };
        }
        let choice = options.open;
        if (choice === undefined) {
          const pick = await vscode.window.showQuickPick(
            hidden.entries.map((e) => ({ label: e.name, description: describeHiddenEntry(e), entry: e })),
            { title: `Hidden under ${container.name}:${where} — the image's own files`, placeHolder: `read from ${hidden.readFrom.join(', ')}` },
          );
          choice = pick?.entry.name;
        }
        const entry = hidden.entries.find((e) => e.name === choice);
        if (!entry) return { ok: true, entries: first };
        if (entry.kind === 'dir') {
          where = path.posix.join(where, entry.name);
          continue;
        }
        const at = hidden.hostPathOf(entry);
        if (entry.kind !== 'file' || !at) {
          // Opening a link would mean following it, and it may point anywhere on the host.
          void vscode.window.showInformationMessage(`${entry.name} is ${describeHiddenEntry(entry)}: it is listed, not opened.`);
          return { ok: true, entries: first };
        }
        const read = await readHostFile(helper, at.within, at.path);
        const note = read.truncated ? `\n\n[cut at ${read.content.length} of ${read.size} bytes]\n` : '';
        const uri = this.hiddenFiles.add(`/${container.name}${path.posix.join(where, entry.name)}`, read.content.toString('utf8') + note);
        const document = await vscode.workspace.openTextDocument(uri);
        await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, preview: true });
        return { ok: true, entries: first, document };
      }
    } catch (error) {
      return this.fail(`What ${node.mount.destination} hides`, error);
    }
  }
}

/** The engine host's side of Side by Side: this machine's files, or the helper's view of a remote host. */
interface HostSide {
  /** Entries of a directory, [] when it does not exist, null when it is a file. */
  list(dir: string): Promise<Array<{ name: string; dir: boolean }> | null>;
  open(file: string): Promise<vscode.Uri>;
}

function localHostSide(): HostSide {
  return {
    list: async (dir) => {
      const st = fs.statSync(dir, { throwIfNoEntry: false });
      if (!st) return [];
      return st.isDirectory() ? fs.readdirSync(dir, { withFileTypes: true }).map((e) => ({ name: e.name, dir: e.isDirectory() })) : null;
    },
    open: async (file) => vscode.Uri.file(file),
  };
}

/**
 * A remote engine's host, read through the helper: one listing per directory,
 * one read per file opened, never outside the mount's source (the container
 * can write symlinks into it).
 */
function helperHostSide(helper: HelperSelection, root: string, documents: HiddenFileProvider): HostSide {
  return {
    list: async (dir) => (await listHostDirectory(helper, root, dir))?.filter((e) => e.exact).map((e) => ({ name: e.name, dir: e.kind === 'dir' })) ?? null,
    open: async (file) => {
      const read = await readHostFile(helper, file === root ? path.posix.dirname(root) : root, file);
      return documents.add(`/engine-host${file}`, read.content.toString('utf8'));
    },
  };
}

function describeHiddenEntry(entry: HostDirEntry): string {
  if (!entry.exact) return 'a name that is not UTF-8';
  switch (entry.kind) {
    case 'dir':
      return 'folder';
    case 'file':
      return 'open read-only';
    case 'link':
      return 'a symlink (not followed)';
    default:
      return 'a FIFO, socket or device (not read)';
  }
}

/** Read-only documents for files a mount hides, read once through the helper. */
export class HiddenFileProvider implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  private next = 0;

  add(label: string, text: string): vscode.Uri {
    const id = String(++this.next);
    this.texts.set(id, text);
    return vscode.Uri.from({ scheme: HIDDEN_SCHEME, path: label, query: id });
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.query) ?? '(no longer available)';
  }
}
