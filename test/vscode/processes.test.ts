import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { ContainerInternalsApi } from '../../extension/extension';
import type { ProcessInfo } from '../../extension/core/processes/process-model';
import type { ProcessNode } from '../../extension/ui/trees/process-nodes';
import type { TreeNode } from '../../extension/ui/trees/tree-node';
import { activateExtension, child, rows, unreadContainers } from './api';
import { docker, waitFor } from './lab';

const NAME = `cilab-vsc-proc-${process.pid}`;

/** The extension's own classes are another bundle's: a process row is known by its shape. */
function asProcessNode(node: TreeNode): ProcessNode | null {
  return 'process' in node && typeof (node as ProcessNode).process?.hostPid === 'number' ? (node as ProcessNode) : null;
}

describe('Processes group', () => {
  let api: ContainerInternalsApi;
  before(async () => {
    api = await activateExtension();
    console.log(`live model at the start of this suite: ${unreadContainers(api)}`);
    api.containers.setGroupBy('none');
    await docker([
      'run',
      '-d',
      '--label',
      'dev.container-internals.lab=1',
      '--name',
      NAME,
      '--pids-limit',
      '50',
      'container-internals-lab/busybox:1',
      'sleep',
      '600',
    ]);
    api.session.ensureStarted();
    // Its row shows from the create event at once; its pid comes with the inspect that follows.
    await waitFor(
      'the container read, with its pid',
      async () => api.session.state.kind === 'ready' && api.session.state.snapshot.containers.some((c) => c.name === NAME && c.pid !== null),
      30_000,
    );
  });
  after(async () => {
    for (const t of vscode.window.terminals) t.dispose();
    await docker(['rm', '-f', NAME]);
  });

  it('shows the init with its host pid and the cgroup limits, and reads nothing once collapsed', async () => {
    const row = await child(api.containers, undefined, NAME);
    const group = await child(api.containers, row.node, 'Processes');
    const children = await rows(api.containers, group.node);
    const pid = Number(await docker(['inspect', '-f', '{{.State.Pid}}', NAME]));
    const init = children.find((r) => asProcessNode(r.node)?.process.isInit);
    assert.ok(init, children.map((r) => r.label).join(' | '));
    assert.equal(init.label, `${pid} sleep 600`);
    assert.match(init.description, /^init · pid 1 inside · uid 0$/);
    const cgroup = children.find((r) => /^cgroup v[12]$/.test(r.label));
    assert.match(cgroup?.description ?? '', /pids 1 \/ 50/);
    const id = (row.node as unknown as { container: { id: string } }).container.id;
    assert.ok(api.containers.processes.current(id), 'an open group is watched');
    api.containers.processes.stop(id);
    assert.equal(api.containers.processes.current(id), undefined, 'collapsed: nothing is read');
  });

  it('Exec and Show opens a shell and reveals its host process: joined by exec, pid inside from NSpid, the container’s inodes', async () => {
    const result = (await vscode.commands.executeCommand('containerInternals.execAndShow', NAME)) as { ok: boolean; reason?: string; process?: ProcessInfo };
    assert.ok(result.ok, result.reason);
    const p = result.process!;
    assert.equal(p.joined?.how, 'exec');
    assert.deepEqual(p.notShared, []);
    const status = fs.readFileSync(`/proc/${p.hostPid}/status`, 'utf8');
    const nspid = /^NSpid:\s*(.*)$/m.exec(status)![1]!.trim().split(/\s+/).map(Number);
    assert.deepEqual([p.hostPid, p.containerPid], nspid);
    const initPid = Number(await docker(['inspect', '-f', '{{.State.Pid}}', NAME]));
    for (const t of ['net', 'pid', 'mnt', 'uts', 'ipc'] as const) {
      assert.equal(fs.readlinkSync(`/proc/${p.hostPid}/ns/${t}`), fs.readlinkSync(`/proc/${initPid}/ns/${t}`), `${t} is the container's`);
      assert.equal(`${t}:[${p.namespaces[t]}]`, fs.readlinkSync(`/proc/${p.hostPid}/ns/${t}`));
    }
    // The shell's row is in the tree, under the container's Processes group.
    const row = await child(api.containers, undefined, NAME);
    const group = await child(api.containers, row.node, 'Processes');
    const shown = await waitFor('the shell row', async () => (await rows(api.containers, group.node)).find((r) => r.label.startsWith(`${p.hostPid} `)));
    assert.match(shown.description, /^joined \(exec\) · pid \d+ inside/);
    assert.equal(shown.item.contextValue, 'process.joined');
  });

  it('Send Signal ends the chosen process, and the group follows', async () => {
    await docker(['exec', '-d', NAME, 'sleep', '777']);
    const row = await child(api.containers, undefined, NAME);
    const group = await child(api.containers, row.node, 'Processes');
    const target = await waitFor('the exec’d sleep in the group', async () =>
      (await rows(api.containers, group.node)).find((r) => asProcessNode(r.node)?.process.argv.join(' ') === 'sleep 777'),
    );
    const node = asProcessNode(target.node)!;
    const sent = await api.processCommands.signal(node, 'TERM', { confirmed: true });
    assert.ok(sent.ok, sent.reason);
    await waitFor(
      'the process gone from the group',
      async () => !(await rows(api.containers, group.node)).some((r) => asProcessNode(r.node)?.process.hostPid === node.process.hostPid),
    );
    assert.ok(!fs.existsSync(`/proc/${node.process.hostPid}`) || /^State:\s*Z/m.test(fs.readFileSync(`/proc/${node.process.hostPid}/status`, 'utf8')));
  });
});
