import assert from 'node:assert/strict';
import type { ContainerInternalsApi } from '../../extension/extension';
import { activateExtension, rows, useSettings } from './api';
import { waitFor } from './lab';

describe('Engine errors', () => {
  let api: ContainerInternalsApi;
  const settings = useSettings();
  before(async () => {
    api = await activateExtension();
  });

  it('shows an error item with Retry and Configure when the endpoint is wrong, and recovers when it is fixed', async () => {
    await settings.set('dockerHost', 'unix:///nonexistent/docker.sock');
    const problem = await waitFor('the error item', async () =>
      (await rows(api.containers)).find((r) => r.label === 'Cannot reach Docker at unix:///nonexistent/docker.sock'),
    );
    assert.match(problem.description, /does not exist/);
    assert.deepEqual(
      (await rows(api.containers, problem.node)).map((r) => r.label),
      ['Retry', 'Configure…', 'Show Logs'],
    );
    await settings.set('dockerHost', undefined);
    await waitFor('containers again', async () => (await rows(api.containers)).some((r) => r.label === 'cilab-web'));
  });

  it('says why an endpoint setting cannot be used', async () => {
    await settings.set('dockerHost', 'ftp://example');
    const problem = await waitFor('the misconfigured item', async () =>
      (await rows(api.containers)).find((r) => r.label === 'The Docker host setting is not usable'),
    );
    assert.match(problem.description, /unsupported scheme/);
    await settings.set('dockerHost', undefined);
    await waitFor('containers again', async () => (await rows(api.containers)).some((r) => r.label === 'cilab-web'));
  });
});
