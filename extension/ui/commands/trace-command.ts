// Trace Path…: pick two ends, get the hop list computed from live state, in a
// read-only editor. Nothing is sent: the trace reads routes, the CAM table,
// NAT and filter rules through the helper.

import * as vscode from 'vscode';
import type { PathTrace, TraceRef } from '../../core/network/net-state-model';
import { DiagramPanel } from '../diagram-panel';
import { describeEnd, parseTraceEnd, tracePath } from '../../core/network/path-trace';
import type { EngineSession } from '../../core/session/engine-session';
import { traceText } from '../../present/trace-text';
import type { NetStateSource } from '../net-state-source';
import { ContainerNode } from '../trees/container-nodes';
import { type CommandResult, commandFailed } from './command-result';

export const TRACE_SCHEME = 'container-internals-trace';

export interface TraceArgs {
  from?: string;
  to?: string;
}

export class TraceCommand implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  private count = 0;
  private last: { title: string; marks: TraceRef[] } | null = null;

  constructor(
    private readonly session: EngineSession,
    private readonly netState: NetStateSource,
    private readonly log: vscode.LogOutputChannel,
    private readonly extensionUri: vscode.Uri,
  ) {}

  /** Marks the last trace in this session's diagram (opening it if needed). */
  showLastInDiagram(): DiagramPanel | undefined {
    if (!this.last) return undefined;
    const panel = DiagramPanel.show(this.extensionUri, this.session, this.log);
    panel.showTrace(this.last.title, this.last.marks);
    return panel;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? 'This trace is no longer available: run Trace Path… again.';
  }

  async trace(target?: ContainerNode | TraceArgs): Promise<CommandResult & { trace?: PathTrace; document?: vscode.TextDocument }> {
    this.session.ensureStarted();
    if (this.session.state.kind !== 'ready') await this.session.refresh();
    const state = this.session.state;
    if (state.kind !== 'ready') return commandFailed(this.log, 'Trace Path', new Error('the engine is not available'));
    const snapshot = state.snapshot;
    const args: TraceArgs = target instanceof ContainerNode ? { from: target.container.name } : { ...target };
    const running = snapshot.containers.filter((c) => c.pid !== null);
    const ends = [
      ...running.map((c) => ({ label: c.name, description: c.networkMode, value: c.name })),
      { label: 'host', description: "the host's network namespace", value: 'host' },
      { label: 'outside', description: 'an address beyond the host (the default route)', value: 'outside' },
    ];
    args.from ??= (await vscode.window.showQuickPick(ends, { title: 'Trace Path: from' }))?.value;
    if (!args.from) return { ok: false, reason: 'cancelled' };
    if (!args.to) {
      const ports = running.flatMap((c) =>
        c.ports.map((p) => ({ label: `host:${p.hostPort}/${p.protocol}`, description: `published by ${c.name}`, value: `host:${p.hostPort}/${p.protocol}` })),
      );
      const picked = await vscode.window.showQuickPick([...ends, ...ports, { label: 'An IPv4 address…', description: '', value: '?' }], {
        title: `Trace Path: from ${args.from} to`,
      });
      args.to =
        picked?.value === '?'
          ? await vscode.window.showInputBox({ title: 'IPv4 address', validateInput: (v) => (/^\d+\.\d+\.\d+\.\d+$/.test(v) ? null : 'an IPv4 address') })
          : picked?.value;
    }
    if (!args.to) return { ok: false, reason: 'cancelled' };
    try {
      const from = parseTraceEnd(args.from, snapshot);
      const to = parseTraceEnd(args.to, snapshot);
      const net = await this.netState.get(snapshot, from.kind === 'container' ? [from.container] : []);
      const trace = tracePath(snapshot, net, from, to);
      const uri = vscode.Uri.from({ scheme: TRACE_SCHEME, path: `/trace-${++this.count}.txt`, query: `${describeEnd(from)} to ${describeEnd(to)}` });
      this.texts.set(uri.toString(), traceText(trace));
      const document = await vscode.workspace.openTextDocument(uri);
      const marks = trace.hops.flatMap((h) => (h.ref ? [h.ref] : []));
      const title = `${trace.from} → ${trace.to} (${trace.outcome})`;
      this.last = { title, marks };
      // An open diagram marks the path at once, and stays in view: the hop list opens beside it.
      const open = DiagramPanel.existing(this.session);
      await vscode.window.showTextDocument(document, open ? { preview: true, viewColumn: vscode.ViewColumn.Beside, preserveFocus: true } : { preview: true });
      if (open) open.showTrace(title, marks);
      else
        void vscode.window.showInformationMessage(`Traced ${title}.`, 'Show in Diagram').then((choice) => {
          if (choice) DiagramPanel.show(this.extensionUri, this.session, this.log).showTrace(title, marks);
        });
      return { ok: true, trace, document };
    } catch (error) {
      return commandFailed(this.log, 'Trace Path', error);
    }
  }
}
