// Commands on the Processes group: signal a process, copy its pid, enter its
// own namespaces, and "Exec and Show": the proof that an exec is a host process.

import * as vscode from 'vscode';
import { detectShell, ExecError } from '../../core/engine/attached-process';
import type { ProcessInfo } from '../../core/processes/process-model';
import { signalProcess } from '../../core/processes/read-processes';
import type { ContainerSnapshot } from '../../core/snapshot/model';
import type { EngineSession } from '../../core/session/engine-session';
import { printable } from '../../present/snapshot-text';
import { ContainerNode } from '../trees/container-nodes';
import type { ContainersTreeProvider } from '../trees/containers-tree';
import { ProcessesGroupNode, ProcessNode, processNodeId } from '../trees/process-nodes';
import type { TreeNode } from '../trees/tree-node';
import { type CommandResult, commandFailed } from './command-result';
import type { ExecCommands, ExecResult } from './exec-commands';

export const SIGNALS = ['TERM', 'INT', 'HUP', 'KILL'] as const;
export type SignalName = (typeof SIGNALS)[number];

/** How long Exec and Show waits for the new shell to show up among the container's processes. */
const SHOW_WAIT_MS = 10_000;

export class ProcessCommands {
  constructor(
    private readonly session: EngineSession,
    private readonly containers: ContainersTreeProvider,
    private readonly view: vscode.TreeView<TreeNode>,
    private readonly exec: ExecCommands,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /**
   * Sends a signal after a confirmation naming the process and its container.
   * Only the extension's own callers (and its tests) may pass confirmed: the
   * registered command never does.
   */
  async signal(node: ProcessNode | undefined, chosen?: SignalName, options: { confirmed?: boolean } = {}): Promise<CommandResult> {
    if (!(node instanceof ProcessNode)) {
      void vscode.window.showInformationMessage('Pick a process in a container’s Processes group.');
      return { ok: false, reason: 'no process' };
    }
    const p = node.process;
    const container = node.group.owner.container;
    const signal =
      chosen ??
      (
        await vscode.window.showQuickPick(
          SIGNALS.map((s) => ({ label: `SIG${s}`, value: s })),
          { title: `Signal for process ${p.hostPid} in ${container.name}` },
        )
      )?.value;
    if (!signal) return { ok: false, reason: 'cancelled' };
    if (!options.confirmed) {
      const answer = await vscode.window.showWarningMessage(
        `Send SIG${signal} to process ${p.hostPid} (${printable(p.command).slice(0, 80)}) in container ${container.name}?`,
        { modal: true, detail: p.isInit ? 'This is the container’s init: the container stops when it ends.' : undefined },
        `Send SIG${signal}`,
      );
      if (!answer) return { ok: false, reason: 'not confirmed' };
    }
    try {
      const runner = (await this.session.liveSnapshot?.helperSelection())?.runner;
      if (!runner) throw new ExecError('signals are sent through the host helper, which is not available');
      await signalProcess(runner, container, p.hostPid, p.startTicks, signal);
      this.log.info(`sent SIG${signal} to pid ${p.hostPid} in ${container.name}`);
      void this.containers.processes.current(container.id)?.refresh();
      return { ok: true };
    } catch (error) {
      return commandFailed(this.log, `Send SIG${signal} to process ${p.hostPid}`, error);
    }
  }

  async copyPid(node?: ProcessNode): Promise<void> {
    if (!(node instanceof ProcessNode)) return;
    await vscode.env.clipboard.writeText(String(node.process.hostPid));
    vscode.window.setStatusBarMessage(`Copied host pid ${node.process.hostPid}`, 3000);
  }

  /** Enter Namespaces, of this process rather than the init: a joined process may differ. */
  enter(node?: ProcessNode): Promise<ExecResult> {
    if (!(node instanceof ProcessNode)) return Promise.resolve({ ok: false, reason: 'no process' });
    const p = node.process;
    return this.exec.enterNamespaces(
      { container: node.group.owner.container.name, process: { pid: p.hostPid, startTicks: p.startTicks } },
      { confirmed: true },
    );
  }

  /**
   * Opens a shell in the container through the engine's exec, then reveals its
   * new host process in the tree: its host pid, NSpid, parent and the same
   * namespace inodes as the container.
   */
  async execAndShow(target?: ContainerNode | string): Promise<ExecResult & { process?: ProcessInfo }> {
    this.session.ensureStarted();
    const container = await this.pick(target);
    if (!container && typeof target === 'string') return commandFailed(this.log, 'Exec and Show', new ExecError(`no running container ${target}`));
    if (!container) return { ok: false, reason: 'cancelled' };
    try {
      const engine = this.session.liveSnapshot?.engine;
      if (!engine) throw new ExecError('no Docker engine is configured');
      const node = this.containers.nodesForContainer(container.name)[0];
      if (!node) throw new ExecError(`${container.name} is not in the Containers view (is a filter hiding it?)`);
      const group = new ProcessesGroupNode(`${node.id}/procs`, node, this.containers.processes);
      const before = await this.containers.processes.watch(group);
      if (before.kind === 'ready' && before.value.unavailable) throw new ExecError(before.value.unavailable);
      const known = new Set(before.kind === 'ready' ? before.value.processes.map((p) => `${p.hostPid}-${p.startTicks}`) : []);
      const shell = await detectShell(engine, container.id);
      if (!shell) throw new ExecError(`no shell runs in ${container.name}`);
      const opened = await this.exec.attachShell({ container: container.name, command: [shell], title: `${container.name} (exec and show)` });
      if (!opened.ok) return opened;
      const found = await this.containers.processes.waitFor(
        container.id,
        (p) => !known.has(`${p.hostPid}-${p.startTicks}`) && p.joined?.how === 'exec' && p.argv.length === 1 && p.argv[0] === shell,
        SHOW_WAIT_MS,
      );
      if (!found) throw new ExecError(`the shell started, but its process did not show in ${container.name} within ${SHOW_WAIT_MS / 1000} s`);
      await this.view.reveal(new ProcessNode(processNodeId(group.id, found), group, found), { select: true, focus: false, expand: true });
      vscode.window.setStatusBarMessage(
        `exec'd shell: host pid ${found.hostPid}, pid ${found.containerPid ?? '?'} inside, parent ${found.ppid}, in every namespace of ${container.name}`,
        8000,
      );
      return { ...opened, process: found };
    } catch (error) {
      return commandFailed(this.log, `Exec and Show in ${container.name}`, error);
    }
  }

  private async pick(target?: ContainerNode | string): Promise<ContainerSnapshot | undefined> {
    const state = this.session.state;
    const running = state.kind === 'ready' ? state.snapshot.containers.filter((c) => c.pid !== null) : [];
    if (target instanceof ContainerNode) return running.find((c) => c.id === target.container.id) ?? target.container;
    if (typeof target === 'string') return running.find((c) => c.name === target || c.id.startsWith(target));
    const picked = await vscode.window.showQuickPick(
      running.map((c) => ({ label: c.name, description: `${c.image} · ${c.id.slice(0, 12)}`, container: c })),
      { title: 'Exec and Show: which container?' },
    );
    return picked?.container;
  }
}
