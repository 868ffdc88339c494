// Entry point of the compose language server process. The transport (--stdio,
// --node-ipc, --socket) comes from the command line.
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startComposeServer } from './compose-server';

startComposeServer(createConnection(ProposedFeatures.all));
