import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ContainerInternalsApi } from '../../extension/extension';
import { activateExtension, rows } from './api';
import { waitFor } from './lab';

describe('Engine errors', () => {
  let api: ContainerInternalsApi;
  const config = () => vscode.workspace.getConfiguration('containerInternals');
  before(async () => {
    api = await activateExtension();
  });
  after(async () => {
    await config().update('dockerHost', undefined, vscode.ConfigurationTarget.Global);
  });

  it('shows an error item with Retry and Configure when the endpoint is wrong, and recovers when it is fixed', async () => {
    await config().update('dockerHost', 'unix:///nonexistent/docker.sock', vscode.ConfigurationTarget.Global);
    const problem = await waitFor('the error item', async () => (await rows(api.containers)).find((r) => r.label === 'Cannot reach Docker at unix:///nonexistent/docker.sock'));
    assert.match(problem.description, /does not exist/);
    assert.deepEqual((await rows(api.containers, problem.node)).map((r) => r.label), ['Retry', 'Configure…', 'Show Logs']);
    await config().update('dockerHost', undefined, vscode.ConfigurationTarget.Global);
    await waitFor('containers again', async () => (await rows(api.containers)).some((r) => r.label === 'cilab-web'));
  });

  it('says why an endpoint setting cannot be used', async () => {
    await config().update('dockerHost', 'ftp://example', vscode.ConfigurationTarget.Global);
    const problem = await waitFor('the misconfigured item', async () => (await rows(api.containers)).find((r) => r.label === 'The Docker host setting is not usable'));
    assert.match(problem.description, /unsupported scheme/);
    await config().update('dockerHost', undefined, vscode.ConfigurationTarget.Global);
    await waitFor('containers again', async () => (await rows(api.containers)).some((r) => r.label === 'cilab-web'));
  });
});
