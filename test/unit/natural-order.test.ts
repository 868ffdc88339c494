import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareNatural } from '../../extension/core/common/natural-order';

describe('compareNatural', () => {
  it('sorts names as people read them, and the same way everywhere', () => {
    assert.deepEqual(['hxp-10', 'hxp-2', 'hxp-100', 'hxp-1', 'hxp-11'].sort(compareNatural), ['hxp-1', 'hxp-2', 'hxp-10', 'hxp-11', 'hxp-100']);
    assert.deepEqual(['web', 'Web', 'api'].sort(compareNatural), ['api', 'web', 'Web']);
    assert.equal(compareNatural('a', 'a'), 0);
  });
});
