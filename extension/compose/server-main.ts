// Entry point of the compose language server bundle. The transport (--stdio,
// --node-ipc, --socket) comes from the command line. VS Code's client starts
// this file as a process of its own; the CLI's `lsp` loads it and calls
// runComposeServer with the engine its options name.
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { FileHelperImagePins } from '../core/host/helper-image-pin-file';
import type { SessionTarget } from '../core/session/engine-session';
import { startComposeServer } from './compose-server';

export function runComposeServer(standalone: SessionTarget = { endpoint: {}, helper: { mode: 'auto', pins: new FileHelperImagePins() } }): void {
  startComposeServer(createConnection(ProposedFeatures.all), standalone);
}

if (require.main === module) runComposeServer();
