// Capture Traffic on an interface row: the host's tcpdump through the helper,
// in the container's network namespace or the host's (its veth, its bridge),
// bounded in packets and time, cancellable; the pcap lands in the workspace
// and its packets are listed, decoded by this machine's tcpdump if it has one.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import * as vscode from 'vscode';
import { captureTraffic, decodeWithTcpdump } from '../../core/network/capture';
import type { EngineSession } from '../../core/session/engine-session';
import { printable } from '../../present/snapshot-text';
import { InterfaceNode } from '../trees/container-nodes';
import { type CommandResult, commandFailed } from './command-result';

export interface CaptureArgs {
  where?: 'container' | 'host';
  iface?: string;
  filter?: string;
  count?: number;
  seconds?: number;
}

export class CaptureCommand implements vscode.Disposable {
  private readonly output = vscode.window.createOutputChannel('Container Internals Capture');

  constructor(
    private readonly session: EngineSession,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  async capture(node?: InterfaceNode, given: CaptureArgs = {}): Promise<CommandResult & { file?: string; packets?: number; lines?: string[] | null }> {
    if (!(node instanceof InterfaceNode)) {
      void vscode.window.showInformationMessage('Capture Traffic works on an interface row of a running container.');
      return { ok: false, reason: 'no interface' };
    }
    const container = node.group.owner.container;
    const iface = node.iface;
    let where = given.where;
    let name = given.iface;
    if (!where) {
      const sides: Array<{ label: string; description: string; where: 'container' | 'host'; name: string }> = [
        { label: `${iface.name} in ${container.name}`, description: "the container's side", where: 'container', name: iface.name },
      ];
      if (iface.hostPeer) sides.push({ label: iface.hostPeer.name, description: 'the host end of the veth pair', where: 'host', name: iface.hostPeer.name });
      if (iface.hostPeer?.bridge)
        sides.push({ label: iface.hostPeer.bridge, description: 'the bridge: every container on it', where: 'host', name: iface.hostPeer.bridge });
      const picked = sides.length > 1 ? await vscode.window.showQuickPick(sides, { title: 'Capture where?' }) : sides[0];
      if (!picked) return { ok: false, reason: 'cancelled' };
      where = picked.where;
      name = picked.name;
    }
    const filter = given.filter ?? (await vscode.window.showInputBox({ title: 'tcpdump filter (empty: everything)', placeHolder: 'icmp or port 80' }));
    if (filter === undefined) return { ok: false, reason: 'cancelled' };
    const count = given.count ?? 1000;
    const seconds = given.seconds ?? 30;
    const selection = await this.session.liveSnapshot?.helperSelection();
    if (!selection?.runner) return commandFailed(this.log, 'Capture Traffic', new Error(`capture needs the host helper: ${selection?.reason ?? 'no engine'}`));
    const runner = selection.runner;
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const dir = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? path.join(os.tmpdir(), 'container-internals-captures');
    const file = path.join(dir, `capture-${container.name}-${name ?? iface.name}-${stamp}.pcap`.replace(/[^\w.-]+/g, '_'));
    try {
      const { pcap, packets } = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Capturing on ${name} (up to ${count} packets, ${seconds} s)`, cancellable: true },
        (_progress, token) => {
          const abort = new AbortController();
          token.onCancellationRequested(() => abort.abort());
          return captureTraffic(runner, container, {
            where: where ?? 'container',
            iface: name ?? iface.name,
            count,
            seconds,
            filter: filter.trim().split(/\s+/).filter(Boolean),
            signal: abort.signal,
          });
        },
      );
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(file, pcap);
      const lines = await decodeWithTcpdump(file);
      this.output.clear();
      this.output.appendLine(`${packets} packet(s) on ${name} (${where === 'host' ? 'host side' : container.name}), written to ${file}`);
      for (const line of lines ?? ['(no tcpdump on this machine to decode them: open the file in Wireshark)']) this.output.appendLine(printable(line));
      this.output.show(true);
      const wireshark = onPath('wireshark');
      void vscode.window
        .showInformationMessage(`Captured ${packets} packet(s) to ${path.basename(file)}.`, ...(wireshark ? ['Open in Wireshark'] : []))
        .then((choice) => {
          if (choice) spawn('wireshark', [file], { detached: true, stdio: 'ignore' }).unref();
        });
      return { ok: true, file, packets, lines };
    } catch (error) {
      return commandFailed(this.log, `Capture on ${name}`, error);
    }
  }

  dispose(): void {
    this.output.dispose();
  }
}

function onPath(program: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => {
    try {
      fs.accessSync(path.join(dir, program), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
