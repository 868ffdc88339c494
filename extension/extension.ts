// Entry point: wires the session, the three views and the commands. Everything
// created here is pushed to context.subscriptions and disposed with the extension.

import * as vscode from 'vscode';
import type { HelperImagePins } from './core/helper-image-pin';
import { FILTER_STATE_KEY, GROUP_BY_STATE_KEY, registerCommands } from './ui/commands';
import { CONTAINERS_VIEW, ContainersTreeProvider } from './ui/containers-tree';
import { ContainerNode } from './ui/container-nodes';
import { DiagramPanel } from './ui/diagram-panel';
import { EngineSession } from './ui/engine-session';
import { ExecCommands } from './ui/exec-commands';
import { CONTAINER_FS_SCHEME, ContainerFileSystem } from './ui/container-file-system';
import { HIDDEN_SCHEME, HiddenFileProvider, VolumeCommands } from './ui/volume-commands';
import { INSPECT_SCHEME, InspectDocumentProvider } from './ui/inspect-documents';
import { NETWORKS_VIEW, NetworksTreeProvider } from './ui/networks-tree';
import { type GroupBy, GROUP_BY_VALUES, readSettings } from './ui/settings';
import { VOLUMES_VIEW, VolumesTreeProvider } from './ui/volumes-tree';
import { ENGINES_VIEW, EnginesTreeProvider } from './ui/engines-tree';

/** What activate() returns: used by the extension-host tests, stable enough for other extensions. */
export interface ContainerInternalsApi {
  session: EngineSession;
  containers: ContainersTreeProvider;
  networks: NetworksTreeProvider;
  volumes: VolumesTreeProvider;
  exec: ExecCommands;
  volumeCommands: VolumeCommands;
  engines: EnginesTreeProvider;
  /** Time spent inside activate(), in milliseconds. */
  activationMs: number;
}

const HELPER_IMAGE_PINS_KEY = 'containerInternals.helperImagePins';

export function activate(context: vscode.ExtensionContext): ContainerInternalsApi {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('Container Internals', { log: true });
  // Helper image ids trusted per engine and tag, across sessions (see helper-image-pin.ts).
  const pins: HelperImagePins = {
    get: (key) => context.globalState.get<Record<string, string>>(HELPER_IMAGE_PINS_KEY)?.[key],
    set: (key, id) => context.globalState.update(HELPER_IMAGE_PINS_KEY, { ...context.globalState.get<Record<string, string>>(HELPER_IMAGE_PINS_KEY), [key]: id }),
  };
  const session = new EngineSession(log, pins);
  const remembered = context.workspaceState.get<string>(GROUP_BY_STATE_KEY);
  const groupBy: GroupBy = remembered && (GROUP_BY_VALUES as readonly string[]).includes(remembered) ? (remembered as GroupBy) : readSettings().groupBy;
  const containers = new ContainersTreeProvider(session, groupBy);
  const networks = new NetworksTreeProvider(session);
  const volumes = new VolumesTreeProvider(session);
  const exec = new ExecCommands(session, log);
  const hiddenFiles = new HiddenFileProvider();
  const volumeCommands = new VolumeCommands(session, log, hiddenFiles);
  const engines = new EnginesTreeProvider(log, pins);
  const containersView = vscode.window.createTreeView(CONTAINERS_VIEW, { treeDataProvider: containers, showCollapseAll: true });
  context.subscriptions.push(
    log,
    session,
    containers,
    networks,
    volumes,
    containersView,
    vscode.window.createTreeView(NETWORKS_VIEW, { treeDataProvider: networks, showCollapseAll: true }),
    vscode.window.createTreeView(VOLUMES_VIEW, { treeDataProvider: volumes, showCollapseAll: true }),
    engines,
    vscode.window.createTreeView(ENGINES_VIEW, { treeDataProvider: engines, showCollapseAll: true }),
    vscode.workspace.registerTextDocumentContentProvider(INSPECT_SCHEME, new InspectDocumentProvider(session)),
    exec,
    ...registerCommands({ context, session, containers, containersView, log }),
    vscode.workspace.registerFileSystemProvider(CONTAINER_FS_SCHEME, new ContainerFileSystem(session), { isCaseSensitive: true }),
    vscode.workspace.registerTextDocumentContentProvider(HIDDEN_SCHEME, hiddenFiles),
    vscode.commands.registerCommand('containerInternals.createVolume', (args?: Parameters<VolumeCommands['create']>[0]) => volumeCommands.create(args) /* likewise */),
    vscode.commands.registerCommand('containerInternals.volumeSize', (node?: Parameters<VolumeCommands['size']>[0]) => volumeCommands.size(node)),
    vscode.commands.registerCommand('containerInternals.removeVolume', (node?: Parameters<VolumeCommands['remove']>[0]) => volumeCommands.remove(node)),
    vscode.commands.registerCommand('containerInternals.pruneVolumes', () => volumeCommands.prune()),
    vscode.commands.registerCommand('containerInternals.openSideBySide', (node?: Parameters<VolumeCommands['sideBySide']>[0], options?: { file?: string }) => volumeCommands.sideBySide(node, options)),
    vscode.commands.registerCommand('containerInternals.showHiddenByMount', (node?: Parameters<VolumeCommands['showHidden']>[0], options?: { open?: string }) => volumeCommands.showHidden(node, options)),
    vscode.commands.registerCommand('containerInternals.showNetworkDiagram', () => DiagramPanel.show(context.extensionUri, session, log)),
    vscode.commands.registerCommand('containerInternals.showInDiagram', (node?: ContainerNode | string) =>
      DiagramPanel.show(context.extensionUri, session, log, node instanceof ContainerNode ? node.container.name : node),
    ),
    { dispose: () => DiagramPanel.disposeAll() },
    vscode.commands.registerCommand('containerInternals.showEngineDiagram', (node?: unknown) => {
      const source = engines.diagramSourceFor(node);
      if (source) DiagramPanel.show(context.extensionUri, source, log);
    }),
    vscode.commands.registerCommand('containerInternals.attachShell', (target?: Parameters<ExecCommands['attachShell']>[0]) => exec.attachShell(target)),
    vscode.commands.registerCommand('containerInternals.enterNamespaces', (target?: Parameters<ExecCommands['enterNamespaces']>[0]) => exec.enterNamespaces(target) /* never forwards a second argument: confirmation cannot be skipped from a command */),
    vscode.commands.registerCommand('containerInternals.execHere', (uri?: vscode.Uri, options?: { container?: string }) => exec.execHere(uri instanceof vscode.Uri ? uri : undefined, options)),
    vscode.commands.registerCommand('containerInternals.runFileInContainer', (uri?: vscode.Uri, options?: { container?: string }) => exec.runFileInContainer(uri instanceof vscode.Uri ? uri : undefined, options)),
  );
  void vscode.commands.executeCommand('setContext', 'containerInternals.groupBy', groupBy);
  // The filter survives refreshes and reloads of this workspace.
  const filter = context.workspaceState.get<string>(FILTER_STATE_KEY);
  if (filter) {
    containers.setFilter(filter);
    containersView.description = `filter: ${filter}`;
    void vscode.commands.executeCommand('setContext', 'containerInternals.filtered', true);
  }
  startComposeSupportWhenNeeded(context, session, log);
  const activationMs = performance.now() - started;
  log.info(`activated in ${activationMs.toFixed(1)} ms`);
  return { session, containers, networks, volumes, exec, volumeCommands, engines, activationMs };
}

/** Loads the compose language client the first time a compose file is open, and not before. */
function startComposeSupportWhenNeeded(context: vscode.ExtensionContext, session: EngineSession, log: vscode.LogOutputChannel): void {
  const patterns = () => vscode.workspace.getConfiguration('containerInternals').get<string[]>('composeFilePatterns', []);
  const isCompose = (doc: vscode.TextDocument) =>
    doc.uri.scheme === 'file' && (/(^|\/)(docker-)?compose\.ya?ml$/.test(doc.uri.path) || patterns().some((p) => vscode.languages.match({ scheme: 'file', pattern: p }, doc) > 0));
  let started = false;
  const start = (): void => {
    if (started) return;
    started = true;
    opened.dispose();
    // A separate bundle, required by a computed path so esbuild leaves it out of extension.js.
    const clientBundle = vscode.Uri.joinPath(context.extensionUri, 'dist', 'compose-client.js').fsPath;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { startComposeClient } = require(clientBundle) as typeof import('./compose/compose-client');
    startComposeClient(context, session, log, patterns()).then(
      (client) => context.subscriptions.push(client),
      (error: unknown) => log.error(`compose language server: ${(error as Error).message}`),
    );
  };
  const opened = vscode.workspace.onDidOpenTextDocument((doc) => {
    if (isCompose(doc)) start();
  });
  context.subscriptions.push(opened);
  if (vscode.workspace.textDocuments.some(isCompose)) start();
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
