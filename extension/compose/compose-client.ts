// The compose language client, in its own bundle: extension.ts loads it only
// when a compose file opens. It starts the server and pushes it the session's
// live snapshot, so the extension keeps a single engine connection.

import * as vscode from 'vscode';
import { LanguageClient, type LanguageClientOptions, type ServerOptions, TransportKind } from 'vscode-languageclient/node';
import type { SessionState } from '../ui/engine-session';
import { type ComposeServerOptions, SnapshotNotification, type SnapshotParams } from './protocol';

export interface SessionLike {
  readonly state: SessionState;
  readonly onDidChangeState: vscode.Event<SessionState>;
  ensureStarted(): void;
}

export function composeDocumentSelector(extraPatterns: readonly string[]): Array<{ scheme: string; pattern: string }> {
  return ['**/{compose,docker-compose}.{yaml,yml}', ...extraPatterns].map((pattern) => ({ scheme: 'file', pattern }));
}

function toParams(state: SessionState): SnapshotParams | null {
  if (state.kind === 'ready') return { snapshot: state.snapshot, problem: null };
  if (state.kind === 'unreachable') return { snapshot: null, problem: `cannot reach Docker at ${state.endpoint}: ${state.reason}` };
  if (state.kind === 'failed' || state.kind === 'misconfigured') return { snapshot: null, problem: state.reason };
  return null;
}

export async function startComposeClient(context: vscode.ExtensionContext, session: SessionLike, log: vscode.LogOutputChannel, patterns: readonly string[]): Promise<vscode.Disposable> {
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
