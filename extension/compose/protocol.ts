// Typed custom messages between the compose language client (in VS Code) and
// the language server. Standard LSP covers the rest.
import { NotificationType } from 'vscode-jsonrpc';
import type { Snapshot } from '../core/snapshot/model';

export interface SnapshotParams {
  /** The engine's current snapshot, or null when there is none. */
  snapshot: Snapshot | null;
  /** Why there is none (engine unreachable, misconfigured). */
  problem: string | null;
}

/** Client → server: the live engine state changed. Sent only when the server was started with `snapshotFromClient`. */
export const SnapshotNotification = new NotificationType<SnapshotParams>('containerInternals/snapshot');

/** initializationOptions the client sends. */
export interface ComposeServerOptions {
  /** The client pushes snapshots; the server does not contact any engine itself. */
  snapshotFromClient?: boolean;
}

/** The VS Code commands code lenses invoke (executed by the client, which owns them). */
export const LENS_COMMANDS = {
  exec: 'containerInternals.attachShell',
  enter: 'containerInternals.enterNamespaces',
  diagram: 'containerInternals.showInDiagram',
  reveal: 'containerInternals.revealContainer',
} as const;
