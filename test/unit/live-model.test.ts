import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { groupContainers } from '../../extension/present/container-grouping';
import { isProcessEvent, parseEngineEvent } from '../../extension/core/engine/engine-events';
import { withoutContainer } from '../../extension/core/snapshot/snapshot-edits';
import { labSnapshot } from './fixtures';

describe('parseEngineEvent', () => {
  const ev = (o: object) => JSON.stringify(o);
  it('keeps the actions that change the picture', () => {
    assert.deepEqual(parseEngineEvent(ev({ Type: 'container', Action: 'start', Actor: { ID: 'abc', Attributes: { name: 'web' } } })), {
      type: 'container',
      action: 'start',
      id: 'abc',
      name: 'web',
      containerId: null,
    });
    assert.equal(
      parseEngineEvent(ev({ Type: 'network', Action: 'connect', Actor: { ID: 'n', Attributes: { container: 'c1', name: 'host' } } }))?.containerId,
      'c1',
    );
    assert.equal(parseEngineEvent(ev({ Type: 'network', Action: 'connect', Actor: { ID: 'n' } }))?.action, 'connect');
    assert.equal(parseEngineEvent(ev({ Type: 'volume', Action: 'destroy', Actor: { ID: 'v' } }))?.action, 'destroy');
  });
  it('drops exec, attach, health and archive noise', () => {
    const exec = parseEngineEvent(ev({ Type: 'container', Action: 'exec_start: sh -c ls', Actor: { ID: 'a' } }));
    assert.equal(exec?.action, 'exec_start');
    assert.ok(exec && isProcessEvent(exec), 'an exec changes processes only');
    assert.ok(!isProcessEvent(parseEngineEvent(ev({ Type: 'container', Action: 'start', Actor: { ID: 'a' } }))!));
    assert.equal(parseEngineEvent(ev({ Type: 'container', Action: 'health_status: healthy', Actor: { ID: 'a' } })), null);
    assert.equal(parseEngineEvent(ev({ Type: 'container', Action: 'archive-path', Actor: { ID: 'a' } })), null);
    assert.equal(parseEngineEvent(ev({ Type: 'image', Action: 'pull', Actor: { ID: 'a' } })), null);
    // A label proves nothing (any image can carry it): such events are kept.
    assert.ok(parseEngineEvent(ev({ Type: 'container', Action: 'start', Actor: { ID: 'h', Attributes: { 'dev.container-internals.helper': '1' } } })));
    assert.equal(parseEngineEvent('not json'), null);
  });
});

describe('withoutContainer', () => {
  it('drops the container and its place in shared namespaces and volume users', () => {
    const s = labSnapshot();
    const sidecar = s.containers.find((c) => c.name === 'cilab-sidecar');
    assert.ok(sidecar);
    const edited = withoutContainer(s, sidecar.id);
    assert.equal(
      edited.containers.some((c) => c.name === 'cilab-sidecar'),
      false,
    );
    const webNet = edited.containers.find((c) => c.name === 'cilab-web')?.namespaces.net;
    assert.deepEqual(edited.namespaceGroups.find((g) => g.type === 'net' && g.inode === webNet)?.containers, ['cilab-web']);
    assert.equal(withoutContainer(s, 'no-such-id'), s);
  });
});

describe('groupContainers', () => {
  it('puts containers sharing a network namespace in one group', () => {
    const s = labSnapshot();
    const web = s.containers.find((c) => c.name === 'cilab-web');
    const group = groupContainers(s, 'netns').find((g) => g.key === `netns:${web?.namespaces.net}`);
    assert.deepEqual(group?.members.map((m) => m.name).sort(), ['cilab-sidecar', 'cilab-web']);
    const host = groupContainers(s, 'netns').find((g) => g.description === 'host');
    assert.deepEqual(
      host?.members.map((m) => m.name),
      ['cilab-host'],
    );
  });
  it("lists a multi-homed container under each Docker network, and a joiner under its owner's", () => {
    const groups = groupContainers(labSnapshot(), 'network');
    const names = (key: string) =>
      groups
        .find((g) => g.key === key)
        ?.members.map((m) => m.name)
        .sort();
    assert.deepEqual(names('network:cilab-net-a'), ['cilab-multi', 'cilab-sidecar', 'cilab-web']);
    assert.deepEqual(names('network:cilab-net-b'), ['cilab-multi']);
    assert.deepEqual(names('network:host'), ['cilab-host']);
    assert.deepEqual(names('network:none'), ['cilab-none']);
  });
  it('groups by compose project label', () => {
    const groups = groupContainers(labSnapshot(), 'project');
    assert.deepEqual(
      groups
        .find((g) => g.key === 'project:cilab')
        ?.members.map((m) => m.name)
        .sort(),
      ['cilab-sidecar', 'cilab-web'],
    );
  });
});
