import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ContainerInternalsApi } from '../../extension/extension';
import { activateExtension, rows, useSettings } from './api';
import { waitFor } from './lab';

describe('Engines view (several engines side by side)', () => {
  let api: ContainerInternalsApi;
  const settings = useSettings();
  before(async () => {
    api = await activateExtension();
  });

  it('shows each engine as a root with its own state; one being down does not block the other', async () => {
    await settings.set('engines', ['unix:///nonexistent/docker.sock', 'unix:///var/run/docker.sock', 'ftp://nope']);
    const roots = await waitFor('both engines settled', async () => {
      const r = await rows(api.engines);
      return r.length === 3 && r[0]?.description.startsWith('unreachable') && /containers/.test(r[1]?.description ?? '') ? r : undefined;
    });
    assert.match(roots[0]?.description ?? '', /the socket does not exist/);
    assert.match(roots[2]?.description ?? '', /unsupported scheme/);
    const lab = await rows(api.engines, roots[1]?.node);
    assert.ok(lab.some((r) => r.label === 'cilab-web'));
    assert.equal(lab.find((r) => r.label === 'cilab-web')?.item.contextValue, 'engine-container.running');
    assert.match((await rows(api.engines, roots[0]?.node))[0]?.label ?? '', /Cannot reach Docker at unix:\/\/\/nonexistent\/docker\.sock/);
  });

  it('draws the network diagram of one chosen engine', async () => {
    await settings.set('engines', ['unix:///var/run/docker.sock']);
    await waitFor('the engine', async () => /containers/.test((await rows(api.engines))[0]?.description ?? ''));
    await vscode.commands.executeCommand('containerInternals.showEngineDiagram', 0);
    const tab = await waitFor('the diagram tab', async () =>
      vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.label === 'Network Diagram — unix:///var/run/docker.sock'),
    );
    assert.ok(tab.input instanceof vscode.TabInputWebview);
    await vscode.window.tabGroups.close(tab);
  });
});
