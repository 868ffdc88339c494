import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { enterBanner, enterHelperArgs, entersThroughEngine, EnterError, parseNamespaceList } from '../../extension/core/actions/enter-plan';
import { runCommandFor } from '../../extension/core/host/run-command';

describe('runCommandFor', () => {
  it('follows the shebang, with at most one argument as the kernel does', () => {
    assert.deepEqual(runCommandFor('/app/x', '#!/bin/sh'), ['/bin/sh', '/app/x']);
    assert.deepEqual(runCommandFor('/app/x', '#!/usr/bin/env python3'), ['/usr/bin/env', 'python3', '/app/x']);
    assert.deepEqual(runCommandFor('/app/x', '#! /usr/bin/env node --trace-warnings'), ['/usr/bin/env', 'node --trace-warnings', '/app/x']);
  });
  it('falls back to the extension, then to running the file itself', () => {
    assert.deepEqual(runCommandFor('/app/main.py', 'import os'), ['python3', '/app/main.py']);
    assert.deepEqual(runCommandFor('/app/tool.SH', null), ['sh', '/app/tool.SH']);
    assert.deepEqual(runCommandFor('/app/bin/tool', 'ELF'), ['/app/bin/tool']);
  });
});

describe('enter plan', () => {
  it('validates namespace lists and keeps argv intact', () => {
    assert.deepEqual(parseNamespaceList('net, pid,net'), ['net', 'pid']);
    assert.throws(() => parseNamespaceList('net,bogus'), EnterError);
    assert.throws(() => parseNamespaceList(''), EnterError);
    const id = 'a'.repeat(64);
    assert.deepEqual(enterHelperArgs({ id, name: 'web', pid: 42 }, ['net'], ['echo', '$(x); y']), ['enter', `42:${id}`, 'net', '--', 'echo', '$(x); y']);
  });
  it("never sends mnt to the host helper: that goes through the engine, with the container's confinement", () => {
    assert.equal(entersThroughEngine(['net', 'pid']), false);
    assert.equal(entersThroughEngine(['net', 'mnt']), true);
    assert.throws(() => enterHelperArgs({ id: 'a'.repeat(64), name: 'web', pid: 42 }, ['mnt'], ['sh']), EnterError);
  });
  it('tells in the banner where the files are', () => {
    const t = { id: 'i', name: 'web', pid: 42 };
    assert.match(enterBanner(t, ['net', 'pid']), /container's files are at \/proc\/42\/root/);
    assert.match(enterBanner(t, ['net', 'pid']), /ps and top read the host's \/proc/);
    assert.match(enterBanner(t, ['net', 'mnt']), /through the engine's exec, like docker exec/);
  });
});
