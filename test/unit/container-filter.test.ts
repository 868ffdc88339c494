import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { matchesContainerFilter } from '../../extension/present/container-filter';
import { labSnapshot } from './fixtures';

function labContainers() {
  return labSnapshot().containers;
}

describe('matchesContainerFilter', () => {
  const names = (q: string) =>
    labContainers()
      .filter((c) => matchesContainerFilter(c, q))
      .map((c) => c.name);
  it('matches any field by default, every word, whatever the case', () => {
    assert.ok(names('MULTI').includes('cilab-multi'));
    assert.deepEqual(
      names('cilab web'),
      names('web').filter((n) => n.includes('cilab')),
    );
    assert.deepEqual(
      names(''),
      labContainers().map((c) => c.name),
    );
  });
  it('narrows to one field with a prefix', () => {
    assert.deepEqual(names('network:cilab-net-b'), ['cilab-multi']);
    assert.ok(names('project:cilab').includes('cilab-web'));
    assert.deepEqual(names('name:nobody-has-this'), []);
    assert.ok(names('image:busybox').length > 0);
  });
});
