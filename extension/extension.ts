// Entry point: wires the session, the three views and the commands. Everything
// created here is pushed to context.subscriptions and disposed with the extension.

import * as vscode from 'vscode';
import type { HelperImagePins } from './core/host/helper-image-pin';
import { FILTER_STATE_KEY, GROUP_BY_STATE_KEY, registerCommands } from './ui/commands/commands';
import { CONTAINERS_VIEW, ContainersTreeProvider } from './ui/trees/containers-tree';
import { DiagramPanel } from './ui/diagram-panel';
import type { EngineSession } from './core/session/engine-session';
import { createMainSession } from './ui/session-settings';
import { isComposeFileName } from './compose/compose-file-names';
import { ExecCommands } from './ui/commands/exec-commands';
import { ProcessCommands } from './ui/commands/process-commands';
import { TRACE_SCHEME, type TraceArgs, TraceCommand } from './ui/commands/trace-command';
import { type CaptureArgs, CaptureCommand } from './ui/commands/capture-command';
import { ContainerNode, type InterfaceNode } from './ui/trees/container-nodes';
import { ProcessesGroupNode, ProcessNode } from './ui/trees/process-nodes';
import { CONTAINER_FS_SCHEME, ContainerFileSystem } from './ui/documents/container-file-system';
import { HIDDEN_SCHEME, HiddenFileProvider, VolumeCommands } from './ui/commands/volume-commands';
import { INSPECT_SCHEME, InspectDocumentProvider } from './ui/documents/inspect-documents';
import { NETWORKS_VIEW, NetworksTreeProvider } from './ui/trees/networks-tree';
import { type GroupBy, GROUP_BY_VALUES, readSettings } from './ui/settings';
import { VOLUMES_VIEW, VolumesTreeProvider } from './ui/trees/volumes-tree';
import { ENGINES_VIEW, EnginesTreeProvider } from './ui/trees/engines-tree';

/** What activate() returns: used by the extension-host tests, stable enough for other extensions. */
export interface ContainerInternalsApi {
  session: EngineSession;
  containers: ContainersTreeProvider;
  networks: NetworksTreeProvider;
  volumes: VolumesTreeProvider;
  exec: ExecCommands;
  volumeCommands: VolumeCommands;
  engines: EnginesTreeProvider;
  processCommands: ProcessCommands;
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
    set: (key, id) =>
      context.globalState.update(HELPER_IMAGE_PINS_KEY, { ...context.globalState.get<Record<string, string>>(HELPER_IMAGE_PINS_KEY), [key]: id }),
  };
  const { session, watcher: sessionSettings } = createMainSession(log, pins);
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
  const processCommands = new ProcessCommands(session, containers, containersView, exec, log);
  const traceCommand = new TraceCommand(session, networks.netState, log, context.extensionUri);
  const captureCommand = new CaptureCommand(session, log);
  context.subscriptions.push(
    log,
    session,
    sessionSettings,
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
    // An open Processes group reads /proc every second: only while it is open and its view is visible.
    containersView.onDidCollapseElement((e) => {
      if (e.element instanceof ProcessesGroupNode || e.element instanceof ContainerNode)
        containers.processes.stop(e.element instanceof ContainerNode ? e.element.container.id : e.element.containerId);
    }),
    containersView.onDidChangeVisibility((e) => (e.visible ? containers.processes.unpark() : containers.processes.park())),
    vscode.workspace.registerTextDocumentContentProvider(TRACE_SCHEME, traceCommand),
    captureCommand,
    DiagramPanel.useNetState(session.key, networks.netState),
    vscode.commands.registerCommand('containerInternals.captureTraffic', (node?: InterfaceNode, args?: CaptureArgs) => captureCommand.capture(node, args)),
    vscode.commands.registerCommand('containerInternals.tracePath', (target?: ContainerNode | TraceArgs) => traceCommand.trace(target)),
    vscode.commands.registerCommand('containerInternals.showTraceInDiagram', () => traceCommand.showLastInDiagram()),
    vscode.commands.registerCommand('containerInternals.execAndShow', (target?: ContainerNode | string) => processCommands.execAndShow(target)),
    vscode.commands.registerCommand('containerInternals.signalProcess', (node?: ProcessNode) => processCommands.signal(node)),
    vscode.commands.registerCommand('containerInternals.copyPid', (node?: ProcessNode) => processCommands.copyPid(node)),
    vscode.commands.registerCommand('containerInternals.enterProcessNamespaces', (node?: ProcessNode) => processCommands.enter(node)),
    ...registerCommands({ context, session, containers, containersView, log, exec, volumeCommands, engines }),
    vscode.workspace.registerFileSystemProvider(CONTAINER_FS_SCHEME, new ContainerFileSystem(session), { isCaseSensitive: true }),
    vscode.workspace.registerTextDocumentContentProvider(HIDDEN_SCHEME, hiddenFiles),
    { dispose: () => DiagramPanel.disposeAll() },
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
  return { session, containers, networks, volumes, exec, volumeCommands, engines, processCommands, activationMs };
}

/** Loads the compose language client the first time a compose file is open, and not before. */
function startComposeSupportWhenNeeded(context: vscode.ExtensionContext, session: EngineSession, log: vscode.LogOutputChannel): void {
  const patterns = () => vscode.workspace.getConfiguration('containerInternals').get<string[]>('composeFilePatterns', []);
  const isCompose = (doc: vscode.TextDocument) =>
    doc.uri.scheme === 'file' && (isComposeFileName(doc.uri.path) || patterns().some((p) => vscode.languages.match({ scheme: 'file', pattern: p }, doc) > 0));
  let started = false;
  const start = (): void => {
    if (started) return;
    started = true;
    opened.dispose();
    // A separate bundle, required by a computed path so esbuild leaves it out of extension.js.
    const clientBundle = vscode.Uri.joinPath(context.extensionUri, 'dist', 'compose-client.js').fsPath;
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a separate bundle, found by path at run time
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
