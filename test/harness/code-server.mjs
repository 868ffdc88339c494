// Runs the extension inside a real VS Code (code-server 4.100.3 = VS Code 1.100.3)
// on loopback, driven by Debian's Chromium through playwright-core. Plain ESM for
// Node 20, so it runs without a build step.
//
// code-server itself is installed by scripts/install-code-server.sh into a cache
// folder outside the repo; codeServerBin() finds it there.
//
// CLI:
//   node test/harness/code-server.mjs run-tests <extDevPath> <testsIndexJs> [folder]
// Exits with the code that the tests' run() reported through codeAutomationExit.
// Environment: CODE_SERVER_TEST_TIMEOUT_MS (default 120000), CODE_SERVER_HARNESS_DEBUG=1
// (forwards browser console and page errors too), CODE_SERVER_HARNESS_KEEP=1 (keeps
// the temporary user-data dir and its code-server.log).

import { spawn, execFile } from 'node:child_process';
import { existsSync, openSync, closeSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import fs from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { format } from 'node:util';

export const CODE_SERVER_VERSION = '4.100.3';
export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_ARGS = Object.freeze([
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]);

/** User settings that keep the workbench quiet and off outside hosts. */
export const QUIET_SETTINGS = Object.freeze({
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'workbench.enableExperiments': false,
  'workbench.settings.enableNaturalLanguageSearch': false,
  'workbench.tips.enabled': false,
  'typescript.disableAutomaticTypeAcquisition': true,
  'npm.fetchOnlinePackageInfo': false,
  'git.autofetch': false,
  'remote.autoForwardPorts': false,
  'remote.autoForwardPortsSource': 'output',
});

const HEALTH_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;
const WORKBENCH_TIMEOUT_MS = 60_000;

// ---------------------------------------------------------------------------
// Locating code-server

/** The cache folder shared with scripts/install-code-server.sh. */
export function codeServerHome() {
  if (process.env.CODE_SERVER_HOME) return process.env.CODE_SERVER_HOME;
  const cache = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(cache, 'container-internals-code-server');
}

/** Absolute path of code-server's entry script (run it with `node`). */
export function codeServerBin() {
  const prefix = path.join(codeServerHome(), CODE_SERVER_VERSION);
  const entry = path.join(prefix, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  if (!existsSync(path.join(prefix, '.install-complete')) || !existsSync(entry)) {
    throw new Error(
      `code-server ${CODE_SERVER_VERSION} is not installed in ${prefix}.\n` +
        'Run: bash scripts/install-code-server.sh   (as root; about 3-5 minutes, once per machine)',
    );
  }
  return entry;
}

/** process.env without variables that would make code-server act as a CLI of another VS Code. */
function childEnv(extra = {}) {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (key.startsWith('VSCODE_') || key === 'ELECTRON_RUN_AS_NODE') delete env[key];
  }
  return { ...env, EXTENSIONS_GALLERY: '{}', ...extra };
}

// ---------------------------------------------------------------------------
// Small helpers

/** Asks the OS for a free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function withTimeout(promise, ms) {
  let timer;
  return Promise.race([
    promise.then(() => true),
    new Promise((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

function tailFile(file, lines = 30) {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function httpStatus(url, timeoutMs = 2000) {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

async function writeUserSettings(userDataDir) {
  const dir = path.join(userDataDir, 'User');
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(dir, 'settings.json');
  let existing = {};
  try {
    existing = JSON.parse(await fs.readFile(file, 'utf8'));
  } catch {
    existing = {};
  }
  await fs.writeFile(file, JSON.stringify({ ...existing, ...QUIET_SETTINGS }, null, 2) + '\n');
}

/** A path as it goes after `vscode-remote://host:port` in a URI (percent-encoded). */
function uriPath(abs) {
  return pathToFileURL(path.resolve(abs)).pathname;
}

// Process groups and temp dirs made here, cleaned up if this process exits early
// (Ctrl-C, process.exit) without stop()/close().
const liveGroups = new Set();
const liveTempDirs = new Set();
process.on('exit', () => {
  for (const pid of liveGroups) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  if (process.env.CODE_SERVER_HARNESS_KEEP) return;
  for (const dir of liveTempDirs) {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 2 });
    } catch {
      /* best effort */
    }
  }
});

async function makeTempDir(prefix) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  liveTempDirs.add(dir);
  return dir;
}

async function removeTempDir(dir) {
  liveTempDirs.delete(dir);
  await fs.rm(dir, { recursive: true, force: true }).catch(() => {});
}

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------
// code-server

/**
 * Starts code-server on 127.0.0.1 and waits until GET /healthz answers.
 * @returns {Promise<{url: string, port: number, pid: number, logFile: string, stop(): Promise<void>}>}
 */
export async function startCodeServer({ userDataDir, extensionsDir, folder, port } = {}) {
  if (!userDataDir || !extensionsDir) throw new Error('startCodeServer: userDataDir and extensionsDir are required');
  const entry = codeServerBin();
  userDataDir = path.resolve(userDataDir);
  extensionsDir = path.resolve(extensionsDir);
  await fs.mkdir(userDataDir, { recursive: true });
  await fs.mkdir(extensionsDir, { recursive: true });
  await writeUserSettings(userDataDir);
  const logFile = path.join(userDataDir, 'code-server.log');

  // A port from the OS may be taken again before code-server binds it: retry then.
  const attempts = port ? 1 : 3;
  let lastError;
  for (let i = 0; i < attempts; i++) {
    const p = port ?? (await freePort());
    try {
      return await startOnce({ entry, userDataDir, extensionsDir, folder, port: p, logFile });
    } catch (err) {
      lastError = err;
      if (!/EADDRINUSE/.test(String(err?.message))) throw err;
    }
  }
  throw lastError;
}

async function startOnce({ entry, userDataDir, extensionsDir, folder, port, logFile }) {
  const args = [
    entry,
    '--auth',
    'none',
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--ignore-last-opened',
    '--user-data-dir',
    userDataDir,
    '--extensions-dir',
    extensionsDir,
    // code-server writes a default config.yaml when none exists: keep it here.
    '--config',
    path.join(userDataDir, 'code-server-config.yaml'),
  ];
  if (folder) args.push(path.resolve(folder));

  const logFd = openSync(logFile, 'a');
  let child;
  try {
    child = spawn(process.execPath, args, {
      cwd: userDataDir,
      // Its own coder-logs go under XDG_DATA_HOME: keep them out of the user's home too.
      env: childEnv({ XDG_DATA_HOME: path.join(userDataDir, 'xdg-data') }),
      stdio: ['ignore', logFd, logFd],
      detached: true,
    });
  } finally {
    closeSync(logFd);
  }
  const pid = child.pid;
  if (pid === undefined) {
    await new Promise((resolve) => child.once('error', resolve));
    throw new Error(`code-server did not start (spawn ${process.execPath} failed)`);
  }
  liveGroups.add(pid);
  let exitInfo = null;
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal };
      resolve(exitInfo);
    });
  });

  const url = `http://127.0.0.1:${port}`;
  let stopped = false;
  async function stop() {
    if (stopped) return;
    stopped = true;
    if (!exitInfo) {
      killGroup(pid, 'SIGTERM');
      if (!(await withTimeout(exited, STOP_TIMEOUT_MS))) {
        killGroup(pid, 'SIGKILL');
        await withTimeout(exited, 5_000);
      }
    }
    // Sweep what is left of the group (extension host, pty host...). The group id
    // stays ours while any member lives, so this reaches only our processes.
    killGroup(pid, 'SIGKILL');
    liveGroups.delete(pid);
  }

  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  while (true) {
    if (exitInfo) {
      liveGroups.delete(pid);
      throw new Error(
        `code-server exited before it was healthy (code ${exitInfo.code}, signal ${exitInfo.signal}). ` + `Last lines of ${logFile}:\n${tailFile(logFile)}`,
      );
    }
    if ((await httpStatus(`${url}/healthz`)) === 200) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(
        `code-server did not answer GET ${url}/healthz within ${HEALTH_TIMEOUT_MS / 1000} s. ` + `Last lines of ${logFile}:\n${tailFile(logFile)}`,
      );
    }
    await delay(200);
  }
  return { url, port, pid, logFile, stop };
}

/**
 * Installs a .vsix into extensionsDir with code-server's own CLI.
 * @param {string} vsixPath
 * @param {string} extensionsDir
 * @param {{userDataDir?: string}} [options]
 */
export async function installVsix(vsixPath, extensionsDir, { userDataDir } = {}) {
  const entry = codeServerBin();
  // code-server writes a default config, logs and (without --user-data-dir) a user
  // data dir under XDG dirs: keep them in a scratch folder, not in the user's home.
  const scratch = await makeTempDir('code-server-vsix-');
  const args = [
    entry,
    '--config',
    path.join(scratch, 'config.yaml'),
    '--user-data-dir',
    userDataDir ? path.resolve(userDataDir) : path.join(scratch, 'user-data'),
    '--extensions-dir',
    path.resolve(extensionsDir),
    '--install-extension',
    path.resolve(vsixPath),
  ];
  await fs.mkdir(extensionsDir, { recursive: true });
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      args,
      { env: childEnv({ XDG_DATA_HOME: path.join(scratch, 'data') }), timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        removeTempDir(scratch);
        // code-server can print a failure and still exit 0: check its words too.
        if (err || /Failed Installing|Error:|not a valid/i.test(stderr)) {
          reject(new Error(`installing ${vsixPath} failed${err ? ` (${err.code ?? err.signal ?? err.message})` : ''}:\n` + `${stderr}${stdout}`.trim()));
        } else {
          resolve({ stdout, stderr });
        }
      },
    );
  });
}

// ---------------------------------------------------------------------------
// Browser

async function loadChromium() {
  let pw;
  try {
    pw = await import('playwright-core');
  } catch (err) {
    throw new Error(`cannot load playwright-core (a devDependency of this project; run npm install): ${err.message}`);
  }
  const chromium = pw.chromium ?? pw.default?.chromium;
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`${CHROMIUM_PATH} is missing. Run: bash scripts/install-code-server.sh (it installs Debian's chromium)`);
  }
  return chromium;
}

async function launchBrowser(chromium) {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS],
    timeout: 60_000,
  });
}

function debugPage(page) {
  if (!process.env.CODE_SERVER_HARNESS_DEBUG) return;
  page.on('console', (msg) => process.stderr.write(`[browser:${msg.type()}] ${msg.text()}\n`));
  page.on('pageerror', (err) => process.stderr.write(`[browser:pageerror] ${err.message}\n`));
}

function workbenchUrl(server, folder, payload) {
  let url = `${server.url}/?folder=${encodeURIComponent(path.resolve(folder))}`;
  if (payload) url += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  return url;
}

function formatLogArgs(args) {
  const list = Array.isArray(args) ? args : [args];
  // The extension host forwards console.log's arguments unformatted: mocha's
  // reporter passes a "%s (%dms)" template and its values, so apply it here.
  const values = list.map((a) => {
    if (typeof a === 'string' || typeof a === 'number') return a;
    try {
      return JSON.stringify(a);
    } catch {
      return String(a);
    }
  });
  return typeof values[0] === 'string' ? format(...values) : values.join(' ');
}

// ---------------------------------------------------------------------------
// Extension tests in the real extension host

/**
 * Runs the extension's tests (a module exporting run()) inside code-server's
 * extension host. Resolves with the code passed to codeAutomationExit;
 * rejects on a timeout or when the workbench cannot be reached.
 */
export async function runExtensionTests({ extensionDevelopmentPath, extensionTestsPath, folder, timeoutMs = 120_000 }) {
  if (!extensionDevelopmentPath || !extensionTestsPath) {
    throw new Error('runExtensionTests: extensionDevelopmentPath and extensionTestsPath are required');
  }
  const devPath = path.resolve(extensionDevelopmentPath);
  const testsPath = path.resolve(extensionTestsPath);
  for (const p of [devPath, testsPath]) {
    if (!existsSync(p)) throw new Error(`runExtensionTests: ${p} does not exist`);
  }

  const tmp = await makeTempDir('code-server-tests-');
  const userDataDir = path.join(tmp, 'user-data');
  const extensionsDir = path.join(tmp, 'extensions');
  const workspace = folder ? path.resolve(folder) : path.join(tmp, 'workspace');
  await fs.mkdir(workspace, { recursive: true });

  let server;
  let browser;
  let timer;
  const started = Date.now();
  try {
    const chromium = await loadChromium(); // fail before starting anything
    server = await startCodeServer({ userDataDir, extensionsDir });
    browser = await launchBrowser(chromium);
    const page = await browser.newPage();
    debugPage(page);

    let settle;
    const done = new Promise((resolve, reject) => {
      settle = { resolve, reject };
    });
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      process.stdout.write(`${formatLogArgs(args)}\n`);
    });
    await page.exposeFunction('codeAutomationExit', (code) => {
      settle.resolve(typeof code === 'number' ? code : Number(code) || 0);
    });
    page.on('crash', () => settle.reject(new Error('the workbench page crashed')));
    page.on('close', () => settle.reject(new Error('the workbench page closed before the tests reported an exit code')));
    timer = setTimeout(
      () =>
        settle.reject(
          new Error(
            `extension tests did not report an exit code within ${timeoutMs} ms ` +
              '(did run() settle? is the extension activating?). ' +
              `Last lines of ${server.logFile} (set CODE_SERVER_HARNESS_KEEP=1 to keep it):\n` +
              tailFile(server.logFile),
          ),
        ),
      timeoutMs,
    );

    const authority = `127.0.0.1:${server.port}`;
    const payload = [
      ['extensionDevelopmentPath', `vscode-remote://${authority}${uriPath(devPath)}`],
      ['extensionTestsPath', `vscode-remote://${authority}${uriPath(testsPath)}`],
    ];
    await page.goto(workbenchUrl(server, workspace, payload), { waitUntil: 'domcontentloaded', timeout: 60_000 });
    const code = await done;
    if (process.env.CODE_SERVER_HARNESS_DEBUG) {
      process.stderr.write(`[harness] tests exited with ${code} after ${Date.now() - started} ms\n`);
    }
    return code;
  } finally {
    clearTimeout(timer);
    if (browser) await browser.close().catch(() => {});
    if (server) await server.stop();
    if (!process.env.CODE_SERVER_HARNESS_KEEP) {
      await removeTempDir(tmp);
    } else {
      liveTempDirs.delete(tmp);
      process.stderr.write(`[harness] kept ${tmp}\n`);
    }
  }
}

// ---------------------------------------------------------------------------
// UI end to end

/**
 * Starts code-server and opens the workbench on `folder` in headless Chromium.
 * @returns {Promise<{page: import('playwright-core').Page, browser: import('playwright-core').Browser,
 *   server: Awaited<ReturnType<typeof startCodeServer>>, close(): Promise<void>}>}
 */
export async function launchWorkbench({ folder, extensionsDir, userDataDir, viewport = { width: 1400, height: 900 } } = {}) {
  if (!folder) throw new Error('launchWorkbench: folder is required');
  const tmp = await makeTempDir('code-server-ui-');
  userDataDir = userDataDir ? path.resolve(userDataDir) : path.join(tmp, 'user-data');
  extensionsDir = extensionsDir ? path.resolve(extensionsDir) : path.join(tmp, 'extensions');

  let server;
  let browser;
  async function close() {
    if (browser) await browser.close().catch(() => {});
    if (server) await server.stop();
    await removeTempDir(tmp);
  }
  try {
    const chromium = await loadChromium(); // fail before starting anything
    server = await startCodeServer({ userDataDir, extensionsDir });
    browser = await launchBrowser(chromium);
    const page = await browser.newPage({ viewport });
    debugPage(page);
    await page.goto(workbenchUrl(server, folder), { waitUntil: 'domcontentloaded', timeout: 60_000 });
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: WORKBENCH_TIMEOUT_MS });
    return { page, browser, server, close };
  } catch (err) {
    await close();
    throw err;
  }
}

// ---------------------------------------------------------------------------
// CLI

function isMain() {
  if (!process.argv[1]) return false;
  try {
    return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

async function main(argv) {
  const [cmd, ...rest] = argv;
  if (cmd === 'run-tests' && rest.length >= 2 && rest.length <= 3) {
    const [extensionDevelopmentPath, extensionTestsPath, folder] = rest;
    const timeoutMs = Number(process.env.CODE_SERVER_TEST_TIMEOUT_MS) || 120_000;
    try {
      return await runExtensionTests({ extensionDevelopmentPath, extensionTestsPath, folder, timeoutMs });
    } catch (err) {
      process.stderr.write(`code-server harness: ${err.message}\n`);
      return 1;
    }
  }
  if (cmd === 'bin') {
    try {
      process.stdout.write(`${codeServerBin()}\n`);
      return 0;
    } catch (err) {
      process.stderr.write(`${err.message}\n`);
      return 1;
    }
  }
  process.stderr.write(
    'usage: node test/harness/code-server.mjs run-tests <extDevPath> <testsIndexJs> [folder]\n' + '       node test/harness/code-server.mjs bin\n',
  );
  return 2;
}

if (isMain()) {
  // Ctrl-C / SIGTERM: exit through process.exit so the 'exit' hook kills code-server.
  for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => process.exit(130));
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
