// Exec, three ways: a Docker API shell, entering chosen namespaces from the host
// through the helper, and Exec Here / Run in Container from the editor.

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { detectShell, ExecError, SHELL_CANDIDATES, startExec } from '../../core/engine/attached-process';
import {
  DEFAULT_ENTER_NAMESPACES,
  ENTERABLE_NAMESPACES,
  type EnterableNamespace,
  enterBanner,
  enterHelperArgs,
  entersThroughEngine,
  type EnterTarget,
  type ProcessTarget,
  resolveEnterTarget,
} from '../../core/actions/enter-plan';
import type { ContainerHelperRunner } from '../../core/host/helper-runners';
import type { ContainerSnapshot } from '../../core/snapshot/model';
import { type ContainerPathMatch, hostPathToContainerPaths } from '../../core/actions/path-mapping';
import { runCommandFor } from '../../core/host/run-command';
import { CONTAINER_FS_SCHEME } from '../documents/container-file-system';
import { ContainerNode } from '../trees/container-nodes';
import type { EngineSession } from '../../core/session/engine-session';
import { ProcessTerminal } from '../process-terminal';
import { type CommandResult, commandFailed } from './command-result';

/** What the exec commands hand back, so callers (and tests) can follow the terminal. */
export interface ExecResult extends CommandResult {
  terminal?: vscode.Terminal;
  pty?: ProcessTerminal;
}

/** Programmatic arguments that skip the pickers. */
export interface AttachShellArgs {
  container: string;
  user?: string;
  workingDir?: string;
  /** The command to run instead of a detected shell. */
  command?: string[];
  title?: string;
}

export interface EnterArgs {
  container: string;
  namespaces?: EnterableNamespace[];
  command?: string[];
  /** Another process of the container than its init (from the Processes group). */
  process?: ProcessTarget;
}

export class ExecCommands {
  private readonly terminals = new Set<ProcessTerminal>();

  constructor(
    private readonly session: EngineSession,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  private engine() {
    const engine = this.session.liveSnapshot?.engine;
    if (!engine) throw new ExecError('no Docker engine is configured');
    return engine;
  }

  private runningContainers(): ContainerSnapshot[] {
    const state = this.session.state;
    return state.kind === 'ready' ? state.snapshot.containers.filter((c) => c.pid !== null && c.state === 'running') : [];
  }

  private async pickContainer(title: string): Promise<string | undefined> {
    this.session.ensureStarted();
    const running = this.runningContainers();
    if (!running.length) {
      void vscode.window.showWarningMessage('No running containers.');
      return undefined;
    }
    const pick = await vscode.window.showQuickPick(
      running.map((c) => ({ label: c.name, description: `${c.image} · ${c.id.slice(0, 12)}`, id: c.id })),
      { title },
    );
    return pick?.label;
  }

  private openTerminal(name: string, pty: ProcessTerminal): vscode.Terminal {
    this.terminals.add(pty);
    const terminal = vscode.window.createTerminal({ name, pty, iconPath: new vscode.ThemeIcon('vm-connect') });
    const sub = vscode.window.onDidCloseTerminal((t) => {
      if (t !== terminal) return;
      sub.dispose();
      this.terminals.delete(pty);
      pty.dispose();
    });
    terminal.show();
    return terminal;
  }

  /** Arguments from a tree item, from a caller, or from the container picker. */
  private async argsFor<T extends { container: string }>(target: ContainerNode | T | undefined, title: string): Promise<T | undefined> {
    if (target instanceof ContainerNode) return { container: target.container.name } as T;
    if (target) return { ...target };
    const container = await this.pickContainer(title);
    return container ? ({ container } as T) : undefined;
  }

  /** Attach Shell: a Docker API exec with a TTY. */
  async attachShell(target?: ContainerNode | AttachShellArgs): Promise<ExecResult> {
    let args = await this.argsFor<AttachShellArgs>(target, 'Attach Shell to which container?');
    if (!args) return { ok: false, reason: 'cancelled' };
    if (!(target && !(target instanceof ContainerNode))) {
      const chosen = await this.pickUserAndDir();
      if (!chosen) return { ok: false, reason: 'cancelled' };
      args = { ...args, ...chosen };
    }
    try {
      const engine = this.engine();
      const command = args.command ?? (await this.shellOrExplain(args.container));
      if (!command) return { ok: false, reason: 'no-shell' };
      const pty = new ProcessTerminal((size) =>
        startExec(engine, args.container, {
          cmd: command,
          tty: true,
          user: args.user,
          workingDir: args.workingDir,
          env: size ? [`COLUMNS=${size.columns}`, `LINES=${size.rows}`] : undefined,
        }),
      );
      const terminal = this.openTerminal(args.title ?? `${args.container} (${command[0]})`, pty);
      return { ok: true, terminal, pty };
    } catch (error) {
      return this.fail(`Attach Shell to ${args.container}`, error);
    }
  }

  private async shellOrExplain(container: string): Promise<string[] | null> {
    const shell = await detectShell(this.engine(), container);
    if (shell) return [shell];
    void vscode.window
      .showErrorMessage(
        `No shell runs in ${container} (tried ${SHELL_CANDIDATES.join(', ')}). Enter its namespaces from the host instead: host tools, the container's network and processes.`,
        'Enter Namespaces',
      )
      .then((choice) => (choice ? this.enterNamespaces({ container }) : undefined));
    return null;
  }

  private async pickUserAndDir(): Promise<{ user?: string; workingDir?: string } | undefined> {
    const userPick = await vscode.window.showQuickPick(
      [
        { label: 'Default user', description: "the image's USER", value: '' },
        { label: 'root', description: 'uid 0', value: '0' },
        { label: 'Another user or uid…', description: 'name, uid or uid:gid', value: '?' },
      ],
      { title: 'Attach Shell as…' },
    );
    if (!userPick) return undefined;
    let user = userPick.value;
    if (user === '?') {
      const typed = await vscode.window.showInputBox({
        title: 'User, uid or uid:gid',
        validateInput: (v) => (/^[\w.-]+(:[\w.-]+)?$/.test(v) ? null : 'a user name, uid, or uid:gid'),
      });
      if (typed === undefined) return undefined;
      user = typed;
    }
    const workingDir = await vscode.window.showInputBox({ title: 'Working directory (empty: the image default)', placeHolder: '/' });
    if (workingDir === undefined) return undefined;
    return { user: user || undefined, workingDir: workingDir.trim() || undefined };
  }

  /**
   * Enter Namespaces: the host helper runs nsenter, so host tools see the
   * container's view. With mnt, the engine's exec runs it instead (see
   * entersThroughEngine). Arguments that did not come from the pickers (another
   * extension, a command link, a keybinding) are confirmed first: this starts
   * a root process on the host.
   */
  async enterNamespaces(target?: ContainerNode | EnterArgs, options: { confirmed?: boolean } = {}): Promise<ExecResult> {
    const programmatic = !!target && !(target instanceof ContainerNode) && (!!target.namespaces || !!target.command);
    const args = await this.argsFor<EnterArgs>(target, 'Enter the namespaces of which container?');
    if (!args) return { ok: false, reason: 'cancelled' };
    if (!args.namespaces) {
      // A process's own mnt would mean its binaries; the engine's exec can only join the init's, so it is not offered.
      const offered = args.process ? ENTERABLE_NAMESPACES.filter((n) => n !== 'mnt') : ENTERABLE_NAMESPACES;
      const picked = await vscode.window.showQuickPick(
        offered.map((n) => ({
          label: n,
          picked: DEFAULT_ENTER_NAMESPACES.includes(n),
          description: n === 'mnt' ? "the container's files and binaries: runs through the engine's exec, with the container's own confinement" : '',
        })),
        { title: `Namespaces of ${args.container} to join`, canPickMany: true },
      );
      if (!picked?.length) return { ok: false, reason: 'cancelled' };
      args.namespaces = picked.map((p) => p.label as EnterableNamespace);
    }
    if (args.process && entersThroughEngine(args.namespaces)) {
      return this.fail(
        `Enter the namespaces of process ${args.process.pid}`,
        new ExecError("a process's mnt namespace is not entered: the engine's exec joins the container init's"),
      );
    }
    const throughEngine = entersThroughEngine(args.namespaces);
    if (!args.command) {
      const shell = throughEngine ? '/bin/sh' : process.env.SHELL || '/bin/sh';
      const typed = await vscode.window.showInputBox({ title: 'Command to run there', value: shell, prompt: 'Split on spaces; no shell interprets it.' });
      if (typed === undefined) return { ok: false, reason: 'cancelled' };
      args.command = typed.trim().split(/\s+/).filter(Boolean);
    }
    const command = args.command.length ? args.command : ['/bin/sh'];
    if (programmatic && !options.confirmed) {
      const what = throughEngine
        ? `Run ${JSON.stringify(command)} in ${args.container} through the engine's exec (its own binaries, with its confinement)?`
        : `Run ${JSON.stringify(command)} as root on the Docker host, in the ${args.namespaces.join(', ')} namespaces of ${args.container}?`;
      const answer = await vscode.window.showWarningMessage(
        what,
        {
          modal: true,
          detail: 'This was asked for by a command with arguments (another extension, a link or a keybinding), not from the Container Internals views.',
        },
        'Run',
      );
      if (answer !== 'Run') return { ok: false, reason: 'not confirmed' };
    }
    try {
      const live = this.session.liveSnapshot;
      if (!live) throw new ExecError('no Docker engine is configured');
      const target2: EnterTarget = await resolveEnterTarget(live.engine, args.container);
      const banner = enterBanner(target2, args.namespaces, args.process);
      const name = `${target2.name}${args.process ? ` pid ${args.process.pid}` : ''} [${args.namespaces.join(',')}]`;
      if (throughEngine) {
        const pty = new ProcessTerminal(
          (size) => startExec(live.engine, target2.id, { cmd: command, tty: true, env: size ? [`COLUMNS=${size.columns}`, `LINES=${size.rows}`] : undefined }),
          banner,
        );
        return { ok: true, terminal: this.openTerminal(name, pty), pty };
      }
      const selection = await live.helperSelection();
      if (!selection.runner) throw new ExecError(`entering namespaces needs the host helper: ${selection.reason ?? 'unavailable'}`);
      const helperArgs = enterHelperArgs(target2, args.namespaces, command, args.process);
      const line = selection.runner.commandLine(helperArgs);
      if (line) {
        // A real terminal process on this machine: argv only, no shell string.
        const terminal = vscode.window.createTerminal({
          name,
          shellPath: line.command,
          shellArgs: line.args,
          message: banner,
          iconPath: new vscode.ThemeIcon('symbol-namespace'),
        });
        terminal.show();
        return { ok: true, terminal };
      }
      const runner = selection.runner as ContainerHelperRunner;
      const pty = new ProcessTerminal(() => runner.startAttached(helperArgs, { tty: true }), banner);
      return { ok: true, terminal: this.openTerminal(name, pty), pty };
    } catch (error) {
      return this.fail(`Enter the namespaces of ${args.container}`, error);
    }
  }

  /** Where a host file is visible, in every running container. */
  private locate(uri: vscode.Uri): Array<{ container: ContainerSnapshot; match: ContainerPathMatch }> {
    return this.runningContainers().flatMap((container) => hostPathToContainerPaths(uri.fsPath, container.mounts).map((match) => ({ container, match })));
  }

  private async resolveFileTarget(
    uri: vscode.Uri | undefined,
    purpose: string,
    preferred?: string,
  ): Promise<{ uri: vscode.Uri; container: string; containerPath: string | null } | undefined> {
    const file = uri ?? vscode.window.activeTextEditor?.document.uri;
    if (!file || file.scheme !== 'file') {
      void vscode.window.showWarningMessage(`${purpose} works on files on this machine.`);
      return undefined;
    }
    this.session.ensureStarted();
    if (this.session.state.kind !== 'ready') await this.session.refresh();
    const places = this.locate(file);
    const chosen = preferred ? places.find((p) => p.container.name === preferred) : undefined;
    if (chosen) return { uri: file, container: chosen.container.name, containerPath: chosen.match.containerPath };
    if (places.length === 1) return { uri: file, container: places[0]!.container.name, containerPath: places[0]!.match.containerPath };
    if (places.length > 1) {
      const pick = await vscode.window.showQuickPick(
        places.map((p) => ({
          label: p.container.name,
          description: p.match.containerPath,
          detail: `${p.match.mount.type} mount of ${p.match.mount.source ?? '?'}`,
          place: p,
        })),
        { title: `${path.basename(file.fsPath)} is visible in ${places.length} places` },
      );
      return pick ? { uri: file, container: pick.place.container.name, containerPath: pick.place.match.containerPath } : undefined;
    }
    const anyway = await vscode.window.showWarningMessage(
      `${file.fsPath} is not visible in any running container: no bind mount or volume covers it.`,
      'Pick a Container Anyway…',
    );
    if (!anyway) return undefined;
    const container = preferred ?? (await this.pickContainer(`${purpose}: which container?`));
    return container ? { uri: file, container, containerPath: null } : undefined;
  }

  /** Exec Here: a shell in the container, in the directory where this file is visible. */
  async execHere(uri?: vscode.Uri, options: { container?: string } = {}): Promise<ExecResult> {
    const file = uri ?? vscode.window.activeTextEditor?.document.uri;
    if (file?.scheme === CONTAINER_FS_SCHEME) {
      // Already a path inside a container (opened through its file system): no mapping needed.
      const isDir = await vscode.workspace.fs.stat(file).then(
        (s) => s.type === vscode.FileType.Directory,
        () => false,
      );
      return this.attachShell({
        container: file.authority,
        workingDir: isDir ? file.path : path.posix.dirname(file.path),
        title: `${file.authority.slice(0, 12)}:${file.path}`,
      });
    }
    const target = await this.resolveFileTarget(uri, 'Exec Here', options.container);
    if (!target) return { ok: false, reason: 'cancelled' };
    const isDir = fs.statSync(target.uri.fsPath, { throwIfNoEntry: false })?.isDirectory() ?? false;
    const workingDir = target.containerPath ? (isDir ? target.containerPath : path.posix.dirname(target.containerPath)) : undefined;
    return this.attachShell({ container: target.container, workingDir, title: `${target.container}:${workingDir ?? '~'}` });
  }

  /** Run in Container: runs the file there (by shebang or extension) and shows its output. */
  async runFileInContainer(uri?: vscode.Uri, options: { container?: string } = {}): Promise<ExecResult> {
    const file = uri ?? vscode.window.activeTextEditor?.document.uri;
    if (file?.scheme === CONTAINER_FS_SCHEME) {
      const head =
        Buffer.from(await vscode.workspace.fs.readFile(file))
          .subarray(0, 256)
          .toString('utf8')
          .split('\n')[0] ?? null;
      return this.attachShell({
        container: file.authority,
        command: runCommandFor(file.path, head),
        workingDir: path.posix.dirname(file.path),
        title: `${file.authority.slice(0, 12)}: ${path.posix.basename(file.path)}`,
      });
    }
    const target = await this.resolveFileTarget(uri, 'Run in Container', options.container);
    if (!target) return { ok: false, reason: 'cancelled' };
    if (!target.containerPath) {
      void vscode.window.showWarningMessage(
        `${path.basename(target.uri.fsPath)} is not inside ${target.container}; use Exec Here to open a shell there instead.`,
      );
      return { ok: false, reason: 'not-visible' };
    }
    const command = runCommandFor(target.containerPath, readFirstLine(target.uri.fsPath));
    return this.attachShell({
      container: target.container,
      command,
      workingDir: path.posix.dirname(target.containerPath),
      title: `${target.container}: ${path.posix.basename(target.containerPath)}`,
    });
  }

  private fail(what: string, error: unknown): ExecResult {
    return commandFailed(this.log, what, error);
  }

  dispose(): void {
    for (const t of this.terminals) t.dispose();
    this.terminals.clear();
  }
}

function readFirstLine(file: string): string | null {
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const buf = Buffer.alloc(256);
      const n = fs.readSync(fd, buf, 0, buf.length, 0);
      return buf.subarray(0, n).toString('utf8').split('\n')[0] ?? null;
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return null;
  }
}
