import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { describeConnectionError } from '../../extension/core/engine';
import { EndpointError, resolveEndpoint } from '../../extension/core/engine-endpoint';

describe('resolveEndpoint', () => {
  it('prefers an explicit value, then DOCKER_HOST, then the default socket', () => {
    assert.equal(resolveEndpoint({ explicit: 'unix:///a.sock', env: { DOCKER_HOST: 'tcp://h:1' } }).url, 'unix:///a.sock');
    assert.equal(resolveEndpoint({ explicit: '  ', env: { DOCKER_HOST: 'tcp://h:1' } }).url, 'tcp://h:1');
    const def = resolveEndpoint({ env: {} });
    assert.equal(def.url, 'unix:///var/run/docker.sock');
    assert.equal(def.source, 'default');
  });

  it('fills in Docker\'s default ports and accepts a bare socket path', () => {
    assert.equal(resolveEndpoint({ explicit: 'tcp://10.1.2.3', env: {} }).port, 2375);
    assert.equal(resolveEndpoint({ explicit: '/run/user/1000/docker.sock', env: {} }).socketPath, '/run/user/1000/docker.sock');
  });

  it('reads TLS material from DOCKER_CERT_PATH when DOCKER_TLS_VERIFY is set', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ci-tls-'));
    for (const f of ['ca.pem', 'cert.pem', 'key.pem']) fs.writeFileSync(path.join(dir, f), `${f} contents`);
    const e = resolveEndpoint({ explicit: 'tcp://h', env: { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: dir } });
    assert.equal(e.port, 2376);
    assert.equal(e.tls?.ca, 'ca.pem contents');
    fs.rmSync(dir, { recursive: true });
  });

  it('names the missing TLS file without leaking any key material', () => {
    assert.throws(() => resolveEndpoint({ explicit: 'tcp://h:2376', env: { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/nonexistent-dir' } }), /\/nonexistent-dir\/ca\.pem cannot be read/);
  });

  it('refuses schemes it cannot speak, with one clear line', () => {
    assert.throws(() => resolveEndpoint({ explicit: 'npipe:////./pipe/docker_engine', env: {} }), EndpointError);
    assert.throws(() => resolveEndpoint({ explicit: 'unix://relative.sock', env: {} }), /must be absolute/);
  });
});

describe('describeConnectionError', () => {
  it('turns socket errors into causes a person can act on', () => {
    assert.match(describeConnectionError({ code: 'ENOENT' }), /does not exist/);
    assert.match(describeConnectionError({ code: 'EACCES' }), /docker group/);
    assert.match(describeConnectionError({ code: 'ECONNREFUSED' }), /refused/);
    assert.match(describeConnectionError({ statusCode: 500 }), /HTTP 500/);
  });
});
