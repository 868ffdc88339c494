import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { describeConnectionError } from '../../extension/core/engine/engine-errors';
import { contextDirName, EndpointError, resolveEndpoint } from '../../extension/core/engine/engine-endpoint';
import { describeSshFailure, sshDialArgs } from '../../extension/core/engine/ssh-transport';

/** A Docker config directory of our own, so the machine's ~/.docker never leaks in. */
function configDir(current?: string, contexts: Record<string, string> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ci-dockercfg-'));
  if (current) fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ currentContext: current }));
  for (const [name, host] of Object.entries(contexts)) {
    const meta = path.join(dir, 'contexts', 'meta', contextDirName(name));
    fs.mkdirSync(meta, { recursive: true });
    fs.writeFileSync(path.join(meta, 'meta.json'), JSON.stringify({ Name: name, Endpoints: { docker: { Host: host } } }));
  }
  return dir;
}

describe('resolveEndpoint', () => {
  it('prefers an explicit value, then DOCKER_HOST, then the default socket', () => {
    assert.equal(resolveEndpoint({ explicit: 'unix:///a.sock', env: { DOCKER_HOST: 'tcp://h:1' } }).url, 'unix:///a.sock');
    assert.equal(resolveEndpoint({ explicit: '  ', env: { DOCKER_HOST: 'tcp://h:1' } }).url, 'tcp://h:1');
    const def = resolveEndpoint({ env: { DOCKER_CONFIG: configDir() } });
    assert.equal(def.url, 'unix:///var/run/docker.sock');
    assert.equal(def.source, 'default');
  });

  it("fills in Docker's default ports and accepts a bare socket path", () => {
    assert.equal(resolveEndpoint({ explicit: 'tcp://10.1.2.3', env: {} }).port, 2375);
    assert.deepEqual(resolveEndpoint({ explicit: 'ssh://me@build-box:2222', env: {} }), {
      url: 'ssh://me@build-box:2222',
      kind: 'ssh',
      host: 'build-box',
      port: 2222,
      user: 'me',
      source: 'explicit',
    });
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
    assert.throws(
      () => resolveEndpoint({ explicit: 'tcp://h:2376', env: { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/nonexistent-dir' } }),
      /\/nonexistent-dir\/ca\.pem cannot be read/,
    );
  });

  it('refuses schemes it cannot speak, with one clear line', () => {
    assert.throws(() => resolveEndpoint({ explicit: 'npipe:////./pipe/docker_engine', env: {} }), EndpointError);
    assert.throws(() => resolveEndpoint({ explicit: 'unix://relative.sock', env: {} }), /must be absolute/);
  });
});

describe('Docker contexts and rootless sockets', () => {
  const cfg = configDir('remote', { remote: 'ssh://ops@prod', other: 'tcp://10.9.8.7:2376' });

  it('takes DOCKER_HOST, then DOCKER_CONTEXT, then the current context, like the docker CLI', () => {
    assert.equal(resolveEndpoint({ env: { DOCKER_CONFIG: cfg, DOCKER_HOST: 'unix:///h.sock', DOCKER_CONTEXT: 'other' } }).url, 'unix:///h.sock');
    const fromEnv = resolveEndpoint({ env: { DOCKER_CONFIG: cfg, DOCKER_CONTEXT: 'other' } });
    assert.deepEqual([fromEnv.url, fromEnv.source, fromEnv.context], ['tcp://10.9.8.7:2376', 'context', 'other']);
    assert.equal(resolveEndpoint({ env: { DOCKER_CONFIG: cfg } }).url, 'ssh://ops@prod');
    assert.equal(resolveEndpoint({ context: 'other', env: { DOCKER_CONFIG: cfg, DOCKER_HOST: 'unix:///h.sock' } }).url, 'tcp://10.9.8.7:2376');
  });

  it('treats the "default" context as DOCKER_HOST or the default socket, and names a missing one', () => {
    assert.equal(resolveEndpoint({ context: 'default', env: { DOCKER_CONFIG: cfg }, socketExists: () => true }).url, 'unix:///var/run/docker.sock');
    assert.throws(() => resolveEndpoint({ context: 'gone', env: { DOCKER_CONFIG: cfg } }), /Docker context "gone" does not exist/);
  });

  it('falls back to a rootless daemon socket when the default one is missing', () => {
    const env = { DOCKER_CONFIG: configDir(), XDG_RUNTIME_DIR: '/run/user/1000' };
    const e = resolveEndpoint({ env, socketExists: (p) => p === '/run/user/1000/docker.sock' });
    assert.deepEqual([e.url, e.source], ['unix:///run/user/1000/docker.sock', 'rootless']);
    assert.equal(resolveEndpoint({ env, socketExists: () => true }).source, 'default');
  });
});

describe('ssh transport', () => {
  it('runs the system ssh with argv, never prompting', () => {
    assert.deepEqual(sshDialArgs({ host: 'h', port: 2222, user: 'u' }), [
      '-o',
      'BatchMode=yes',
      '-o',
      'ConnectTimeout=8',
      '-o',
      'ServerAliveInterval=10',
      '-o',
      'ServerAliveCountMax=3',
      '-p',
      '2222',
      '--',
      'u@h',
      'docker',
      'system',
      'dial-stdio',
    ]);
    assert.deepEqual(sshDialArgs({ host: 'h' }).slice(-5), ['--', 'h', 'docker', 'system', 'dial-stdio']);
  });
  it('names the likely cause of an ssh failure', () => {
    assert.match(describeSshFailure('Host key verification failed.', 255), /host key/);
    assert.match(describeSshFailure('root@h: Permission denied (publickey).', 255), /authentication failed/);
    assert.match(describeSshFailure('ssh: connect to host h port 22: Connection refused', 255), /connection refused/);
    assert.match(describeSshFailure('bash: docker: command not found', 127), /no docker CLI on the remote host/);
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
