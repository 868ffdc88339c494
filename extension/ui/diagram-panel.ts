// Hosts the network diagram webview: a strict CSP with a fresh nonce, assets
// only from dist/webview, and data only through typed postMessage.

import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { HostToWebview, WebviewToHost } from '../../webview/protocol';
import type { SessionState, SessionView } from '../core/session/engine-session';
import { sessionProblemLine } from '../present/session-problem';
import type { TraceRef } from '../core/network/net-state-model';
import { camOf } from '../core/network/cam-table';
import type { Snapshot } from '../core/snapshot/model';
import { camLine } from '../present/trace-text';
import type { NetStateSource } from './net-state-source';

export class DiagramPanel implements vscode.Disposable {
  private static readonly panels = new Map<string, DiagramPanel>();
  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;
  private pendingFocus: string | null = null;
  private trace: { title: string; marks: TraceRef[] | null } | null = null;
  private stale = false;

  static show(extensionUri: vscode.Uri, session: SessionView, log: vscode.LogOutputChannel, focus?: string): DiagramPanel {
    session.ensureStarted();
    let panel = DiagramPanel.panels.get(session.key);
    if (!panel) {
      panel = new DiagramPanel(extensionUri, session, log);
      DiagramPanel.panels.set(session.key, panel);
    }
    panel.panel.reveal(undefined, false);
    if (focus) panel.focus(focus);
    return panel;
  }

  /** Closes every open diagram. */
  static disposeAll(): void {
    for (const p of [...DiagramPanel.panels.values()]) p.dispose();
  }

  readonly panel: vscode.WebviewPanel;

  private constructor(
    extensionUri: vscode.Uri,
    private readonly session: SessionView,
    private readonly log: vscode.LogOutputChannel,
  ) {
    const assets = vscode.Uri.joinPath(extensionUri, 'dist', 'webview');
    this.panel = vscode.window.createWebviewPanel('containerInternals.diagram', session.title, vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [assets],
    });
    this.panel.webview.html = this.html(assets);
    this.disposables.push(
      this.panel.onDidDispose(() => this.dispose()),
      this.panel.webview.onDidReceiveMessage((m: WebviewToHost) => this.receive(m)),
      session.onDidChangeState((state) => this.update(state)),
      // A hidden webview is torn down and rebuilt; send the latest when it shows again.
      this.panel.onDidChangeViewState(() => {
        if (this.panel.visible && this.stale) this.update(this.session.state);
      }),
    );
  }

  private html(assets: vscode.Uri): string {
    const webview = this.panel.webview;
    const nonce = randomBytes(16).toString('base64');
    const script = webview.asWebviewUri(vscode.Uri.joinPath(assets, 'main.js'));
    const style = webview.asWebviewUri(vscode.Uri.joinPath(assets, 'diagram.css'));
    const csp = [
      `default-src 'none'`,
      `script-src 'nonce-${nonce}'`,
      `style-src ${webview.cspSource}`,
      `img-src ${webview.cspSource} data:`,
      `font-src ${webview.cspSource}`,
    ].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}">
<title>Network Diagram</title>
</head>
<body>
<div id="toolbar" role="toolbar" aria-label="Diagram tools">
  <select id="network" aria-label="Filter by Docker network"></select>
  <input id="search" type="search" placeholder="Search containers, bridges, inodes" aria-label="Search">
  <button id="zoomIn" title="Zoom in (+)" aria-label="Zoom in">+</button>
  <button id="zoomOut" title="Zoom out (-)" aria-label="Zoom out">−</button>
  <button id="fit" title="Fit (0)" aria-label="Fit to window">Fit</button>
  <button id="export" title="Export as SVG" aria-label="Export as SVG">Export SVG</button>
  <span id="status" aria-live="polite"></span>
</div>
<div id="canvas"></div>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
  }

  private post(message: HostToWebview): void {
    void this.panel.webview.postMessage(message);
  }

  private update(state: SessionState): void {
    if (!this.ready) return;
    if (!this.panel.visible) {
      this.stale = true;
      return;
    }
    this.stale = false;
    // The rows-only first look has no namespaces or wiring: nothing to draw yet.
    if (state.kind === 'ready' && !state.snapshot.preliminary) {
      this.post({ type: 'snapshot', snapshot: state.snapshot });
      void this.sendCam(state.snapshot);
    } else {
      const problem = sessionProblemLine(state);
      if (problem) this.post({ type: 'problem', message: problem });
    }
  }

  private static readonly netStates = new Map<string, NetStateSource>();

  /** Where the diagram of this session reads the CAM tables it shows on hover. */
  static useNetState(sessionKey: string, source: NetStateSource): vscode.Disposable {
    DiagramPanel.netStates.set(sessionKey, source);
    return { dispose: () => DiagramPanel.netStates.delete(sessionKey) };
  }

  /** The diagram of this session, if one is open. */
  static existing(session: SessionView): DiagramPanel | undefined {
    return DiagramPanel.panels.get(session.key);
  }

  /** Marks a traced path in the drawing, and keeps it marked across live updates. */
  showTrace(title: string, marks: TraceRef[] | null): void {
    // Kept, not only sent: a hidden webview is torn down, and marks it again when it comes back.
    this.trace = { title, marks };
    if (this.ready) this.post({ type: 'trace', title, marks });
  }

  /** The CAM tables for the bridges' hover text; without the helper there are none, and the diagram says nothing more. */
  private async sendCam(snapshot: Snapshot): Promise<void> {
    const source = DiagramPanel.netStates.get(this.session.key);
    if (!source) return;
    try {
      const state = await source.get(snapshot);
      const bridges: Record<string, string[]> = {};
      for (const b of snapshot.bridges) bridges[b.name] = camOf(state, b.name).map(camLine);
      if (this.ready) this.post({ type: 'cam', bridges });
    } catch (error) {
      this.log.info(`diagram: no CAM tables (${(error as Error).message})`);
    }
  }

  focus(container: string): void {
    if (this.ready) this.post({ type: 'focus', container });
    else this.pendingFocus = container;
  }

  private receive(message: WebviewToHost): void {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.update(this.session.state);
        if (this.pendingFocus) {
          this.post({ type: 'focus', container: this.pendingFocus });
          this.pendingFocus = null;
        }
        if (this.trace) this.post({ type: 'trace', ...this.trace });
        break;
      case 'reveal':
        void vscode.commands.executeCommand('containerInternals.revealContainer', message.container);
        break;
      case 'export':
        void this.export(message.svg);
        break;
      case 'error':
        this.log.error(`diagram: ${message.message}`);
        break;
    }
  }

  private async export(svg: string): Promise<void> {
    const target = await vscode.window.showSaveDialog({
      filters: { SVG: ['svg'] },
      saveLabel: 'Export Diagram',
      defaultUri: vscode.workspace.workspaceFolders?.[0] ? vscode.Uri.joinPath(vscode.workspace.workspaceFolders[0].uri, 'network.svg') : undefined,
    });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, Buffer.from(svg, 'utf8'));
    vscode.window.setStatusBarMessage(`Diagram saved to ${target.fsPath}`, 4000);
  }

  dispose(): void {
    if (DiagramPanel.panels.get(this.session.key) === this) DiagramPanel.panels.delete(this.session.key);
    for (const d of this.disposables) d.dispose();
    this.disposables.length = 0;
    this.panel.dispose();
  }
}
