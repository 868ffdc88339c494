import * as vscode from 'vscode';
import type { ContainerInternalsApi } from '../../extension/extension';
import type { TreeNode } from '../../extension/ui/trees/tree-node';

export const EXTENSION_ID = 'container-internals.container-internals';

export async function activateExtension(): Promise<ContainerInternalsApi> {
  const ext = vscode.extensions.getExtension<ContainerInternalsApi>(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} is not installed`);
  return ext.activate();
}

export interface Row {
  node: TreeNode;
  item: vscode.TreeItem;
  label: string;
  description: string;
}

function labelOf(item: vscode.TreeItem): string {
  return typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
}

export async function rows(provider: vscode.TreeDataProvider<TreeNode>, parent?: TreeNode): Promise<Row[]> {
  const children = (await provider.getChildren(parent)) ?? [];
  return Promise.all(
    children.map(async (node) => {
      const item = await provider.getTreeItem(node);
      return { node, item, label: labelOf(item), description: typeof item.description === 'string' ? item.description : '' };
    }),
  );
}

export async function child(provider: vscode.TreeDataProvider<TreeNode>, parent: TreeNode | undefined, label: string | RegExp): Promise<Row> {
  const all = await rows(provider, parent);
  const found = all.find((r) => (typeof label === 'string' ? r.label === label : label.test(r.label)));
  if (!found) throw new Error(`no row ${String(label)} among: ${all.map((r) => r.label).join(' | ')}`);
  return found;
}

/** Sets extension settings for a suite and puts them back after it. */
export function useSettings(): { set(key: string, value: unknown): Thenable<void> } {
  const touched = new Set<string>();
  const config = () => vscode.workspace.getConfiguration('containerInternals');
  after(async () => {
    for (const key of touched) await config().update(key, undefined, vscode.ConfigurationTarget.Global);
  });
  return {
    set: (key, value) => {
      touched.add(key);
      return config().update(key, value, vscode.ConfigurationTarget.Global);
    },
  };
}

/** Running containers whose namespaces the live model says it could not read: a clue when a suite finds a stale model. */
export function unreadContainers(api: { session: { state: unknown } }): string {
  const state = api.session.state as {
    kind: string;
    snapshot?: { takenAt: string; hostNamespaces: unknown; containers: Array<{ name: string; pid: number | null; unavailable: { namespaces?: string } }> };
  };
  if (state.kind !== 'ready' || !state.snapshot) return state.kind;
  const unread = state.snapshot.containers.filter((c) => c.pid !== null && c.unavailable.namespaces).map((c) => `${c.name}: ${c.unavailable.namespaces}`);
  return JSON.stringify({ takenAt: state.snapshot.takenAt, host: !!state.snapshot.hostNamespaces, unread: unread.length, first: unread.slice(0, 3) });
}
