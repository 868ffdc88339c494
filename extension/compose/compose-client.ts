// The compose language client, in its own bundle: extension.ts loads it only
// when a compose file opens. It starts the server and pushes it the session's
// live snapshot, so the extension keeps a single engine connection.

import * as vscode from 'vscode';
import { LanguageClient, type LanguageClientOptions, type ServerOptions, TransportKind } from 'vscode-languageclient/node';
import type { SessionState, SessionView } from '../core/session/engine-session';
import { sessionProblemLine } from '../present/session-problem';
import { COMPOSE_FILE_GLOB } from './compose-file-names';
import { type ComposeServerOptions, SnapshotNotification, type SnapshotParams } from './protocol';

export function composeDocumentSelector(extraPatterns: readonly string[]): Array<{ scheme: string; pattern: string }> {
  return [COMPOSE_FILE_GLOB, ...extraPatterns].map((pattern) => ({ scheme: 'file', pattern }));
}

function toParams(state: SessionState): SnapshotParams | null {
  if (state.kind === 'ready') return { snapshot: state.snapshot, problem: null };
  const problem = sessionProblemLine(state);
  return problem ? { snapshot: null, problem } : null;
}

export async function startComposeClient(
  context: vscode.ExtensionContext,
  session: SessionView,
  log: vscode.LogOutputChannel,
  patterns: readonly string[],
): Promise<vscode.Disposable> {
  const module = vscode.Uri.joinPath(context.extensionUri, 'dist', 'compose-server.js').fsPath;
  const serverOptions: ServerOptions = { run: { module, transport: TransportKind.ipc }, debug: { module, transport: TransportKind.ipc } };
  const initializationOptions: ComposeServerOptions = { snapshotFromClient: true };
  const clientOptions: LanguageClientOptions = { documentSelector: composeDocumentSelector(patterns), initializationOptions, outputChannel: log };
  const client = new LanguageClient('containerInternals.compose', 'Container Internals: Compose', serverOptions, clientOptions);
  await client.start();
  const push = (state: SessionState): void => {
    const params = toParams(state);
    if (params) void client.sendNotification(SnapshotNotification, params);
  };
  const sub = session.onDidChangeState(push);
  session.ensureStarted();
  push(session.state);
  log.info('compose language server started');
  return {
    dispose: () => {
      sub.dispose();
      void client.stop();
    },
  };
}
