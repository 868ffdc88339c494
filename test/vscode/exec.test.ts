import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ContainerInternalsApi } from '../../extension/extension';
import type { ExecResult } from '../../extension/ui/commands/exec-commands';
import { activateExtension } from './api';
import { docker, run, waitFor } from './lab';

async function labDataDir(): Promise<string> {
  // The host side of cilab-web's /srv/app bind mount, as Docker reports it.
  const mounts = JSON.parse(await docker(['inspect', '-f', '{{json .Mounts}}', 'cilab-web'])) as Array<{ Source: string; Destination: string }>;
  const src = mounts.find((m) => m.Destination === '/srv/app')?.Source;
  assert.ok(src);
  return src;
}

function transcriptOf(result: ExecResult): () => string {
  assert.ok(result.ok && result.pty, result.reason);
  return () => result.pty?.transcript ?? '';
}

describe('Exec', () => {
  let api: ContainerInternalsApi;
  before(async () => {
    api = await activateExtension();
    await api.session.refresh();
  });
  afterEach(() => {
    for (const t of vscode.window.terminals) t.dispose();
  });

  it('Attach Shell runs a Docker API shell, in the asked directory, and shows its exit code', async () => {
    const result = (await vscode.commands.executeCommand('containerInternals.attachShell', { container: 'cilab-web', workingDir: '/srv/app' })) as ExecResult;
    const transcript = transcriptOf(result);
    result.terminal?.sendText('pwd');
    await waitFor('pwd output', async () => /\/srv\/app/.test(transcript()));
    result.terminal?.sendText('exit 3');
    await waitFor('the exit code', async () => /process exited with code 3/.test(transcript()));
    assert.equal(result.pty?.exitCode, 3);
  });

  it('when the container is killed under Attach Shell, the terminal says the process ended, with its status', async () => {
    await docker(['run', '-d', '--label', 'dev.container-internals.lab=1', '--name', 'cilab-killed', 'container-internals-lab/busybox:1', 'sleep', '600']);
    try {
      const result = (await vscode.commands.executeCommand('containerInternals.attachShell', { container: 'cilab-killed', command: ['sh'] })) as ExecResult;
      const transcript = transcriptOf(result);
      result.terminal?.sendText('echo ready-$((20+22))');
      await waitFor('the shell to answer', async () => transcript().includes('ready-42'));
      await docker(['kill', 'cilab-killed']);
      await waitFor('the end of the process, with its status', async () => /process exited with code \d+/.test(transcript()));
      assert.notEqual(result.pty?.exitCode, 0);
    } finally {
      await docker(['rm', '-f', 'cilab-killed']);
    }
  });

  it('when the container is killed under Enter Namespaces, the terminal ends with its status and no helper process is left', async () => {
    const name = `cilab-killed-enter-${process.pid}`;
    await docker(['run', '-d', '--label', 'dev.container-internals.lab=1', '--name', name, 'container-internals-lab/busybox:1', 'sleep', '600']);
    // The helper script, and the nsenter it becomes by exec.
    const helpers = async () =>
      [...(await run('pgrep', ['-f', 'container-internals-helper'])).stdout.split('\n'), ...(await run('pgrep', ['-x', 'nsenter'])).stdout.split('\n')].filter(
        Boolean,
      );
    try {
      const before = await helpers();
      const result = await api.exec.enterNamespaces({ container: name, namespaces: ['net', 'pid', 'uts'], command: ['sleep', '4323'] }, { confirmed: true });
      assert.ok(result.ok && result.terminal, result.reason);
      const terminal = result.terminal;
      await waitFor('the entered process running', async () => (await run('pgrep', ['-f', 'sleep 4323'])).stdout.trim() !== '');
      await docker(['kill', name]);
      await waitFor('the terminal to end, with a status', async () => terminal.exitStatus !== undefined);
      await waitFor('no helper process of ours left', async () => (await helpers()).filter((p) => !before.includes(p)).length === 0);
    } finally {
      await docker(['rm', '-f', name]);
    }
  });

  it('a terminal closed at once leaves no process behind', async () => {
    const result = (await vscode.commands.executeCommand('containerInternals.attachShell', {
      container: 'cilab-web',
      command: ['sleep', '4321'],
    })) as ExecResult;
    assert.ok(result.ok && result.terminal, result.reason);
    result.terminal.dispose();
    await waitFor('no sleep 4321 in cilab-web', async () => !(await docker(['top', 'cilab-web'])).includes('sleep 4321'), 15_000);
  });

  it('Attach Shell says there is no shell in a shell-less image, instead of failing obscurely', async () => {
    const result = (await vscode.commands.executeCommand('containerInternals.attachShell', { container: 'cilab-shellless' })) as ExecResult;
    assert.deepEqual([result.ok, result.reason], [false, 'no-shell']);
  });

  it('Exec Here opens a shell where the file is visible in the chosen container', async () => {
    const file = path.join(await labDataDir(), 'hello.txt');
    await vscode.window.showTextDocument(vscode.Uri.file(file));
    // hello.txt is visible in cilab-web at /srv/app and in cilab-undermount at /data.
    const result = (await vscode.commands.executeCommand('containerInternals.execHere', vscode.Uri.file(file), { container: 'cilab-web' })) as ExecResult;
    const transcript = transcriptOf(result);
    result.terminal?.sendText('pwd; cat hello.txt');
    await waitFor('the mapped directory and the file', async () => /\/srv\/app/.test(transcript()) && /hello from the host/.test(transcript()));
  });

  it('Run in Container runs the file by its shebang and shows the output', async () => {
    const script = path.join(await labDataDir(), 'run-me.sh');
    fs.writeFileSync(script, '#!/bin/sh\necho "ran as $(id -u) in $PWD"\nexit 6\n', { mode: 0o755 });
    try {
      const result = (await vscode.commands.executeCommand('containerInternals.runFileInContainer', vscode.Uri.file(script), {
        container: 'cilab-web',
      })) as ExecResult;
      const transcript = transcriptOf(result);
      await waitFor('the script output and exit code', async () => /ran as 0 in \/srv\/app/.test(transcript()) && /exited with code 6/.test(transcript()));
    } finally {
      fs.rmSync(script, { force: true });
    }
  });

  it('Enter Namespaces starts the helper in a terminal with the chosen namespaces, and the command exit status shows', async () => {
    const pid = await docker(['inspect', '-f', '{{.State.Pid}}', 'cilab-multi']);
    const id = await docker(['inspect', '-f', '{{.Id}}', 'cilab-multi']);
    // Called with arguments from code, as the command would be after its confirmation.
    const result = await api.exec.enterNamespaces(
      { container: 'cilab-multi', namespaces: ['net', 'uts'], command: ['sh', '-c', 'ip -o link show eth1 && exit 7'] },
      { confirmed: true },
    );
    assert.ok(result.ok && result.terminal, result.reason);
    const options = result.terminal.creationOptions as vscode.TerminalOptions;
    const args = options.shellArgs as string[];
    assert.deepEqual(args.slice(args.indexOf('enter')), ['enter', `${pid}:${id}`, 'net', 'uts', '--', 'sh', '-c', 'ip -o link show eth1 && exit 7']);
    assert.match(String(options.message), /Joined net, uts of cilab-multi/);
    // eth1 exists only inside cilab-multi's namespace: 7 means `ip` found it there.
    const code = await waitFor('the process to exit', async () => result.terminal?.exitStatus?.code);
    assert.equal(code, 7);
  });

  it("Enter Namespaces with mnt runs through the engine's exec, held to the container's capability bounding set", async () => {
    const pid = await docker(['inspect', '-f', '{{.State.Pid}}', 'cilab-web']);
    const initCaps = /CapBnd:\s*(\w+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    const result = await api.exec.enterNamespaces(
      { container: 'cilab-web', namespaces: ['net', 'mnt'], command: ['grep', 'CapBnd', '/proc/self/status'] },
      { confirmed: true },
    );
    const transcript = transcriptOf(result);
    await waitFor('the capability line', async () => new RegExp(`CapBnd:\\s*${initCaps}`).test(transcript()));
    assert.match(transcript(), /runs through the engine's exec/);
  });

  it("Exec Here also works on a file opened from a container's own file system", async () => {
    const web = await docker(['inspect', '-f', '{{.Id}}', 'cilab-web']);
    const uri = vscode.Uri.from({ scheme: 'container-internals', authority: web, path: '/etc/lab.conf' });
    await vscode.window.showTextDocument(uri);
    const result = (await vscode.commands.executeCommand('containerInternals.execHere', uri)) as ExecResult;
    const transcript = transcriptOf(result);
    result.terminal?.sendText('pwd');
    await waitFor('the container directory', async () => /\/etc\r?\n/.test(transcript()));
  });
});
