// ssh:// engines through the system `ssh`: `ssh [-p PORT] [USER@]HOST --
// docker system dial-stdio`, its stdin/stdout used as the HTTP connection.
// The system ssh honours ~/.ssh/config, agents, ProxyJump and known_hosts,
// and checks host keys; BatchMode makes it fail instead of prompting, so
// nothing waits on a password nobody can type.

import { spawn } from 'node:child_process';
import * as http from 'node:http';
import { Duplex } from 'node:stream';
import type { EngineEndpoint } from './engine-endpoint';

export const SSH_CONNECT_TIMEOUT_S = 8;
/**
 * ssh-level keepalives: a connection that stalls (a laptop that slept, a NAT
 * that dropped it, a hung server) ends within interval × count seconds, so the
 * events stream notices and reconnects, without any call to the engine.
 */
export const SSH_ALIVE_INTERVAL_S = 10;
export const SSH_ALIVE_COUNT = 3;

/** The argv of one connection (no shell anywhere: the remote side gets fixed words). */
export function sshDialArgs(endpoint: Pick<EngineEndpoint, 'host' | 'port' | 'user'>): string[] {
  const target = endpoint.user ? `${endpoint.user}@${endpoint.host}` : (endpoint.host as string);
  return [
    '-o',
    'BatchMode=yes',
    '-o',
    `ConnectTimeout=${SSH_CONNECT_TIMEOUT_S}`,
    '-o',
    `ServerAliveInterval=${SSH_ALIVE_INTERVAL_S}`,
    '-o',
    `ServerAliveCountMax=${SSH_ALIVE_COUNT}`,
    ...(endpoint.port ? ['-p', String(endpoint.port)] : []),
    '--',
    target,
    'docker',
    'system',
    'dial-stdio',
  ];
}

/** Turns ssh's last words into the cause a person can act on. */
export function describeSshFailure(stderr: string, code: number | null): string {
  const text = stderr.trim();
  if (/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED|No .* host key is known/i.test(text))
    return 'ssh: the host key is unknown or changed (check known_hosts)';
  if (/Permission denied/i.test(text)) return 'ssh: authentication failed (no key or agent identity was accepted)';
  if (/Connection refused/i.test(text)) return 'ssh: connection refused';
  if (/timed out/i.test(text)) return 'ssh: connection timed out';
  if (/Could not resolve hostname/i.test(text)) return 'ssh: host name does not resolve';
  if (/docker: (command )?not found|command not found/i.test(text))
    return 'ssh: there is no docker CLI on the remote host (needed for `docker system dial-stdio`)';
  const last = text.split('\n').filter(Boolean).pop();
  return `ssh exited with ${code ?? 'a signal'}${last ? `: ${last}` : ''}`;
}

/** One HTTP connection: the ssh process's stdout and stdin as a socket. */
function sshSocket(endpoint: EngineEndpoint): Duplex {
  const child = spawn('ssh', sshDialArgs(endpoint), { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString()).slice(-4096);
  });
  const socket = new Duplex({
    read() {
      child.stdout.resume();
    },
    write(chunk, _encoding, callback) {
      // A failed write means ssh has ended; its exit destroys this socket with the reason.
      if (child.stdin.destroyed) callback();
      else child.stdin.write(chunk, () => callback());
    },
    final(callback) {
      child.stdin.end();
      callback();
    },
    destroy(error, callback) {
      child.kill();
      callback(error);
    },
  });
  child.stdout.on('data', (c: Buffer) => {
    if (!socket.push(c)) child.stdout.pause();
  });
  // End of stream is decided on close, once ssh's exit status and stderr are known.
  child.on('error', (error) => socket.destroy(new Error(`cannot run ssh: ${error.message}`)));
  // A broken pipe means ssh is gone; its exit reports why.
  child.stdin.on('error', () => undefined);
  child.on('close', (code) => {
    if (code === 0) {
      socket.push(null);
      return;
    }
    const error = new Error(describeSshFailure(stderr, code)) as Error & { code?: string };
    error.code = 'ESSH';
    socket.destroy(error);
  });
  // What http.ClientRequest expects of a net.Socket beyond a Duplex.
  Object.assign(socket, {
    setNoDelay: () => socket,
    setKeepAlive: () => socket,
    setTimeout: () => socket,
    ref: () => socket,
    unref: () => socket,
    remoteAddress: endpoint.host,
  });
  return socket;
}

/** An http.Agent whose connections are ssh processes; kept alive so a burst of requests reuses them. */
export class SshDialAgent extends http.Agent {
  constructor(private readonly endpoint: EngineEndpoint) {
    super({ keepAlive: true, maxSockets: 6, maxFreeSockets: 2, timeout: 30_000 });
  }

  override createConnection(): Duplex {
    return sshSocket(this.endpoint);
  }
}
