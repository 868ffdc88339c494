import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { normalizeProjectName, parseComposeFile, parseShortVolume, resolveBindSource } from '../../extension/compose/compose-file';
import { definitionAt, diagnose, hoverAt, type InsightContext, lensesFor, networkModeCompletions } from '../../extension/compose/compose-insights';
import type { Snapshot } from '../../extension/core/snapshot/model';
import { assembleSnapshot } from '../../extension/core/snapshot/snapshot-assembly';
import { loadLabFixture } from './fixtures';

const TEXT = `name: cilab
services:
  web:
    image: busybox
    volumes:
      - ./src:/srv/app
      - "./missing:/data:ro"
      - data:/var/lib/data
      - undeclared:/x
      - /cache
      - type: bind
        source: ./conf
        target: /etc/app
  sidecar:
    network_mode: service:web
  ghost:
    network_mode: service:nope
  other:
    network_mode: container:cilab-gone
volumes:
  data:
  ext:
    external: true
`;
const FILE = '/projects/shop/compose.yaml';

function labSnapshot(endpoint = 'unix:///var/run/docker.sock'): Snapshot {
  const { inspect, networks, facts } = loadLabFixture();
  return assembleSnapshot({
    engine: { endpoint, version: '1', apiVersion: '1', os: 'linux' },
    inspected: inspect,
    networks,
    facts,
    helper: { mode: 'local', ok: true, reason: null },
  });
}
const ctx = (snapshot: Snapshot | null, existing: string[] = ['/projects/shop/src', '/projects/shop/conf']): InsightContext => ({
  snapshot,
  problem: snapshot ? null : 'cannot reach Docker at unix:///x',
  exists: (p) => existing.includes(p),
});
const offsetOf = (needle: string) => TEXT.indexOf(needle) + 1;

describe('parseComposeFile', () => {
  it('reads services, volumes (short and long syntax) and network_mode with positions', () => {
    const f = parseComposeFile(TEXT, FILE);
    assert.equal(f.project, 'cilab');
    assert.deepEqual(
      f.services.map((s) => s.name),
      ['web', 'sidecar', 'ghost', 'other'],
    );
    const web = f.services[0];
    assert.deepEqual(
      web?.volumes.map((v) => [v.kind, v.source, v.target]),
      [
        ['bind', './src', '/srv/app'],
        ['bind', './missing', '/data'],
        ['volume', 'data', '/var/lib/data'],
        ['volume', 'undeclared', '/x'],
        ['anonymous', null, '/cache'],
        ['bind', './conf', '/etc/app'],
      ],
    );
    assert.equal(TEXT.slice(web?.volumes[1]?.sourceSpan.start, web?.volumes[1]?.sourceSpan.end), './missing');
    assert.equal(f.declaredVolumes.get('data'), 'cilab_data');
    assert.equal(f.declaredVolumes.get('ext'), 'ext');
  });
  it('names the project after the directory like docker compose when there is no name:', () => {
    assert.equal(parseComposeFile('services: {}\n', '/x/My App.v2/compose.yml').project, 'myappv2');
    assert.equal(normalizeProjectName('_Web-1'), 'web-1');
    assert.deepEqual(parseShortVolume('~/data:/d').kind, 'bind');
    assert.equal(resolveBindSource('~/d', '/p', '/home/u'), path.join('/home/u', 'd'));
  });
});

describe('compose insights', () => {
  it('diagnoses a missing bind source on its line, an undeclared volume, and unknown network_mode targets', () => {
    const f = parseComposeFile(TEXT, FILE);
    const findings = diagnose(f, ctx(labSnapshot()));
    assert.deepEqual(findings.map((d) => d.code).sort(), ['missing-bind-source', 'undeclared-volume', 'unknown-container', 'unknown-service']);
    const missing = findings.find((d) => d.code === 'missing-bind-source');
    assert.equal(TEXT.slice(missing?.span.start, missing?.span.end), './missing');
    assert.match(missing?.message ?? '', /\/projects\/shop\/missing does not exist/);
  });
  it('raises no engine-dependent diagnostics without an engine, or for a remote one', () => {
    const f = parseComposeFile(TEXT, FILE);
    assert.deepEqual(
      diagnose(f, ctx(null))
        .map((d) => d.code)
        .sort(),
      ['undeclared-volume', 'unknown-service'],
    );
    assert.ok(!diagnose(f, ctx(labSnapshot('tcp://10.0.0.9:2375'))).some((d) => d.code === 'missing-bind-source'));
  });
  it('hovers a service with its running containers, namespace and wiring', () => {
    const hover = hoverAt(parseComposeFile(TEXT, FILE), offsetOf('web:'), ctx(labSnapshot()));
    assert.match(hover?.markdown ?? '', /`cilab-web` — running/);
    assert.match(hover?.markdown ?? '', /net `\d+` — shared with cilab-sidecar/);
    assert.match(hover?.markdown ?? '', /cilab-net-a: 172\.30\.1\.\d+\/24 — eth0 ⇄ veth\w+ → br-/);
    assert.match(hoverAt(parseComposeFile(TEXT, FILE), offsetOf('web:'), ctx(null))?.markdown ?? '', /no live data: cannot reach Docker/);
  });
  it('offers code lenses only for services with a running container', () => {
    const lenses = lensesFor(parseComposeFile(TEXT, FILE), labSnapshot());
    assert.deepEqual([...new Set(lenses.map((l) => TEXT.slice(l.span.start, l.span.end)))], ['web', 'sidecar']);
    assert.deepEqual(
      lenses.filter((l) => TEXT.slice(l.span.start, l.span.end) === 'web').map((l) => l.title),
      ['Exec (cilab-web)', 'Enter Namespaces', 'Show in Diagram', 'Reveal in Tree'],
    );
  });
  it('completes container: with running containers, and jumps to bind sources', () => {
    const text = 'services:\n  a:\n    network_mode: container:ci';
    const names = networkModeCompletions(text.length, text, labSnapshot());
    assert.ok(names.includes('cilab-web') && !names.includes('cilab-stopped'));
    assert.equal(definitionAt(parseComposeFile(TEXT, FILE), offsetOf('./src')), '/projects/shop/src');
  });
});
