// Read-only JSON documents for `Inspect`: fetched from the engine when opened,
// never saved anywhere. A virtual scheme keeps them read-only.

import * as vscode from 'vscode';
import type { EngineSession } from '../../core/session/engine-session';

export const INSPECT_SCHEME = 'container-internals-inspect';
export type InspectKind = 'container' | 'network' | 'volume';

export function inspectUri(kind: InspectKind, id: string, label: string): vscode.Uri {
  // The label is for the tab title only; the id in the query is what is fetched.
  const safeLabel = label.replace(/[^\w.-]+/g, '_').slice(0, 80) || kind;
  return vscode.Uri.from({ scheme: INSPECT_SCHEME, path: `/${kind}/${safeLabel}.json`, query: new URLSearchParams({ id }).toString() });
}

export class InspectDocumentProvider implements vscode.TextDocumentContentProvider {
  constructor(private readonly session: EngineSession) {}

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const engine = this.session.liveSnapshot?.engine;
    if (!engine) return '// No Docker engine is configured.';
    const kind = uri.path.split('/')[1] as InspectKind;
    const id = new URLSearchParams(uri.query).get('id') ?? '';
    try {
      const data =
        kind === 'container'
          ? await engine.docker.getContainer(id).inspect()
          : kind === 'network'
            ? await engine.docker.getNetwork(id).inspect()
            : await engine.docker.getVolume(id).inspect();
      return `${JSON.stringify(data, null, 2)}\n`;
    } catch (error) {
      return `// Could not inspect ${kind} ${id} on ${engine.endpoint.url}: ${(error as Error).message}`;
    }
  }
}
