// `npm start` without desktop VS Code: the packaged extension in code-server on
// 127.0.0.1, with its own user-data and extensions folders. Prints the URL and
// runs until Ctrl-C.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { installVsix, startCodeServer } from '../test/harness/code-server.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const home = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'container-internals-dev');
const vsix = path.join(home, 'container-internals.vsix');
mkdirSync(home, { recursive: true });

execFileSync(process.execPath, [path.join(root, 'scripts', 'package.mjs'), vsix], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
const extensionsDir = path.join(home, 'extensions');
await installVsix(vsix, extensionsDir);

const port = process.env.PORT ? Number(process.env.PORT) : undefined;
const server = await startCodeServer({ userDataDir: path.join(home, 'user-data'), extensionsDir, folder: root, port });
process.stdout.write(
  `\nContainer Internals is running in VS Code (code-server) at:\n\n  ${server.url}/?folder=${encodeURIComponent(root)}\n\nOpen the "Container Internals" view in the activity bar. Ctrl-C stops it.\n`,
);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await server.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
