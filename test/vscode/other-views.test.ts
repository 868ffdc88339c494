import assert from 'node:assert/strict';
import type { ContainerInternalsApi } from '../../extension/extension';
import { activateExtension, child, rows } from './api';
import { docker } from './lab';

describe('Networks and Volumes views', () => {
  let api: ContainerInternalsApi;
  before(async () => {
    api = await activateExtension();
  });

  it('lists a user bridge network with its Linux bridge and attached containers', async () => {
    const id = await docker(['network', 'inspect', '-f', '{{.Id}}', 'cilab-net-a']);
    const net = await child(api.networks, undefined, 'cilab-net-a');
    assert.match(net.description, new RegExp(`bridge · br-${id.slice(0, 12)} · 172\\.30\\.1\\.0/24`));
    const children = await rows(api.networks, net.node);
    assert.ok(children.some((r) => r.label === `bridge br-${id.slice(0, 12)}` && /2 port\(s\)/.test(r.description)));
    assert.ok(children.some((r) => /^cilab-web 172\.30\.1\.\d+\/24$/.test(r.label) && /^eth0 ⇄ veth/.test(r.description)));
    assert.ok(children.some((r) => /^cilab-multi 172\.30\.1\.\d+\/24$/.test(r.label)));
  });

  it('lists volumes with their host mountpoint and who mounts them where', async () => {
    const vol = await child(api.volumes, undefined, 'cilab-data');
    assert.equal(vol.description, '/var/lib/docker/volumes/cilab-data/_data');
    assert.deepEqual(
      (await rows(api.volumes, vol.node)).map((r) => [r.label, r.description]),
      [['cilab-web → /var/lib/data', 'rw']],
    );
    const anonymous = (await rows(api.volumes)).filter((r) => r.description.startsWith('anonymous'));
    assert.ok(anonymous.length >= 1);
  });
});
