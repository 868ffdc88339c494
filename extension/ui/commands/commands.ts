// Every command of the extension, registered here and nowhere else. Thin: each
// one reads a node or its arguments and calls the core, a command class or VS Code.

import * as path from 'node:path';
import * as vscode from 'vscode';
import { listContexts } from '../../core/engine/engine-endpoint';
import type { HelperMode } from '../../core/snapshot/model';
import { ContainerNode, InterfaceNode, MountNode, NamespaceNode } from '../trees/container-nodes';
import type { ContainersTreeProvider } from '../trees/containers-tree';
import type { EngineSession } from '../../core/session/engine-session';
import { inspectUri } from '../documents/inspect-documents';
import { EndpointNode, NetworkNode } from '../trees/network-nodes';
import { type GroupBy, GROUP_BY_VALUES, SECTION } from '../settings';
import type { TreeNode } from '../trees/tree-node';
import { VolumeNode } from '../trees/volume-nodes';
import type { EnginesTreeProvider } from '../trees/engines-tree';
import { DiagramPanel } from '../diagram-panel';
import type { ExecCommands } from './exec-commands';
import type { VolumeCommands } from './volume-commands';

export const GROUP_BY_STATE_KEY = 'containerInternals.groupBy';
export const FILTER_STATE_KEY = 'containerInternals.containerFilter';

export interface CommandDeps {
  context: vscode.ExtensionContext;
  session: EngineSession;
  containers: ContainersTreeProvider;
  containersView: vscode.TreeView<TreeNode>;
  log: vscode.LogOutputChannel;
  exec: ExecCommands;
  volumeCommands: VolumeCommands;
  engines: EnginesTreeProvider;
}

export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  const { context, session, containers, containersView, log, exec, volumeCommands, engines } = deps;
  const reg = (id: string, fn: (...args: never[]) => unknown): vscode.Disposable =>
    vscode.commands.registerCommand(`containerInternals.${id}`, fn as (...args: unknown[]) => unknown);

  const setGroupBy = async (value: GroupBy): Promise<void> => {
    containers.setGroupBy(value);
    await context.workspaceState.update(GROUP_BY_STATE_KEY, value);
    await vscode.commands.executeCommand('setContext', 'containerInternals.groupBy', value);
  };

  const setFilter = async (query: string): Promise<void> => {
    containers.setFilter(query);
    await context.workspaceState.update(FILTER_STATE_KEY, containers.filter || undefined);
    await vscode.commands.executeCommand('setContext', 'containerInternals.filtered', !!containers.filter);
    containersView.description = containers.filter ? `filter: ${containers.filter}` : undefined;
  };

  const copy = async (text: string | null | undefined, what: string): Promise<void> => {
    if (!text) {
      void vscode.window.showWarningMessage(`No ${what} to copy.`);
      return;
    }
    await vscode.env.clipboard.writeText(text);
    vscode.window.setStatusBarMessage(`Copied ${what}: ${text}`, 3000);
  };

  return [
    reg('createVolume', (args?: Parameters<VolumeCommands['create']>[0]) => volumeCommands.create(args) /* likewise */),
    reg('volumeSize', (node?: Parameters<VolumeCommands['size']>[0]) => volumeCommands.size(node)),
    reg('removeVolume', (node?: Parameters<VolumeCommands['remove']>[0]) => volumeCommands.remove(node)),
    reg('pruneVolumes', () => volumeCommands.prune()),
    reg('openSideBySide', (node?: Parameters<VolumeCommands['sideBySide']>[0], options?: { file?: string }) => volumeCommands.sideBySide(node, options)),
    reg('showHiddenByMount', (node?: Parameters<VolumeCommands['showHidden']>[0], options?: { open?: string }) => volumeCommands.showHidden(node, options)),
    reg('showNetworkDiagram', () => DiagramPanel.show(context.extensionUri, session, log)),
    reg('showInDiagram', (node?: ContainerNode | string) =>
      DiagramPanel.show(context.extensionUri, session, log, node instanceof ContainerNode ? node.container.name : node),
    ),
    reg('showEngineDiagram', (node?: unknown) => {
      const source = engines.diagramSourceFor(node);
      if (source) DiagramPanel.show(context.extensionUri, source, log);
    }),
    reg('attachShell', (target?: Parameters<ExecCommands['attachShell']>[0]) => exec.attachShell(target)),
    reg(
      'enterNamespaces',
      (target?: Parameters<ExecCommands['enterNamespaces']>[0]) =>
        exec.enterNamespaces(target) /* never forwards a second argument: confirmation cannot be skipped from a command */,
    ),
    reg('execHere', (uri?: vscode.Uri, options?: { container?: string }) => exec.execHere(uri instanceof vscode.Uri ? uri : undefined, options)),
    reg('runFileInContainer', (uri?: vscode.Uri, options?: { container?: string }) =>
      exec.runFileInContainer(uri instanceof vscode.Uri ? uri : undefined, options),
    ),
    reg('refresh', () => session.refresh()),
    reg('filterContainers', async (query?: unknown) => {
      const value =
        typeof query === 'string'
          ? query
          : await vscode.window.showInputBox({
              title: 'Filter containers',
              value: containers.filter,
              prompt: 'Words match name, image, network or compose project; or use name:, image:, network:, project:',
            });
      if (value !== undefined) await setFilter(value);
    }),
    reg('clearContainerFilter', () => setFilter('')),
    ...GROUP_BY_VALUES.map((value) => reg(`groupBy.${value}`, () => setGroupBy(value))),
    reg('showLogs', () => log.show()),
    reg('configureEngine', () => vscode.commands.executeCommand('workbench.action.openSettings', `@ext:${context.extension.id} dockerHost`)),
    reg('inspect', async (node?: TreeNode) => {
      const uri =
        node instanceof ContainerNode
          ? inspectUri('container', node.container.id, node.container.name)
          : node instanceof NetworkNode
            ? inspectUri('network', node.network.id, node.network.name)
            : node instanceof VolumeNode
              ? inspectUri('volume', node.volume.name, node.volume.name)
              : null;
      if (!uri) return;
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.languages.setTextDocumentLanguage(doc, 'json');
      await vscode.window.showTextDocument(doc, { preview: true });
    }),
    reg('copyInode', (node?: TreeNode) => copy(node instanceof NamespaceNode ? String(node.inode) : null, 'inode')),
    reg('copyPath', (node?: TreeNode) => copy(node instanceof MountNode || node instanceof VolumeNode ? node.hostPath : null, 'path')),
    reg('copyIp', (node?: TreeNode) => copy(node instanceof InterfaceNode || node instanceof EndpointNode ? node.ip : null, 'IP address')),
    reg('revealSource', async (node?: TreeNode) => {
      const hostPath = node instanceof MountNode || node instanceof VolumeNode ? node.hostPath : null;
      if (!hostPath) return;
      const uri = vscode.Uri.file(hostPath);
      const inWorkspace = vscode.workspace.workspaceFolders?.some((f) => f.uri.scheme === 'file' && !path.relative(f.uri.fsPath, hostPath).startsWith('..'));
      if (inWorkspace) {
        await vscode.commands.executeCommand('revealInExplorer', uri);
        return;
      }
      if (!vscode.env.remoteName) {
        await vscode.commands.executeCommand('revealFileInOS', uri);
        return;
      }
      const choice = await vscode.window.showInformationMessage(`${hostPath} is outside the workspace.`, 'Open Folder in New Window', 'Copy Path');
      if (choice === 'Copy Path') await copy(hostPath, 'path');
      if (choice === 'Open Folder in New Window') await vscode.commands.executeCommand('vscode.openFolder', uri, { forceNewWindow: true });
    }),
    reg('revealContainer', async (name?: string) => {
      const target = name ? containers.nodesForContainer(name)[0] : undefined;
      if (!target) return;
      await vscode.commands.executeCommand('containerInternals.containers.focus');
      await containersView.reveal(target, { select: true, focus: true, expand: true });
    }),
    reg('revealSharers', async (node?: TreeNode) => {
      if (!(node instanceof NamespaceNode)) return;
      const sharers = node.sharers;
      vscode.window.setStatusBarMessage(`${node.type}:[${node.inode}] is shared with ${sharers.join(', ') || 'nobody'}`, 5000);
      for (const name of sharers) {
        for (const target of containers.nodesForContainer(name)) {
          await containersView.reveal(target, { select: true, focus: false, expand: true });
        }
      }
    }),
    reg('switchContext', async () => {
      const current = vscode.workspace.getConfiguration(SECTION).get<string>('context', '');
      const items = listContexts().map((c) => ({
        label: c.name,
        description: c.host ?? '(no docker endpoint)',
        detail: c.description || undefined,
        picked: c.name === current,
      }));
      const pick = await vscode.window.showQuickPick(
        [{ label: '', description: "Follow DOCKER_HOST, DOCKER_CONTEXT and the docker CLI's current context" }, ...items].map((i) => ({
          ...i,
          label: i.label || '$(sync) Follow the docker CLI',
        })),
        { title: 'Docker context for Container Internals' },
      );
      if (!pick) return;
      const value = pick.label.startsWith('$(sync)') ? undefined : pick.label;
      await vscode.workspace.getConfiguration(SECTION).update('context', value, vscode.ConfigurationTarget.Global);
    }),
    reg('enableHelper', async () => {
      const items: Array<vscode.QuickPickItem & { mode: HelperMode }> = [
        { mode: 'auto', label: 'auto', detail: 'Use the best that works: local when root on the engine machine, else sudo -n, else a helper container.' },
        { mode: 'local', label: 'local', detail: 'Run the helper script directly. Needs this VS Code server to run as root, next to the engine.' },
        { mode: 'sudo', label: 'sudo', detail: 'Run it with sudo -n. Needs passwordless sudo for this user; it never prompts.' },
        {
          mode: 'container',
          label: 'container',
          detail:
            'Run it in a short-lived container with --pid=host --net=host on the engine. Works for Docker Desktop and remote engines; the helper image must already be on the engine.',
        },
        { mode: 'off', label: 'off', detail: 'Only what the Docker API gives: mounts, networks, IPs and MACs.' },
      ];
      const pick = await vscode.window.showQuickPick(items, {
        title: 'How should Container Internals read the Docker host?',
        placeHolder: 'Namespace inodes and veth/bridge wiring come from the host kernel, not the Docker API.',
      });
      if (!pick) return;
      await vscode.workspace.getConfiguration(SECTION).update('helperMode', pick.mode, vscode.ConfigurationTarget.Global);
    }),
  ];
}
