// A connection to one Docker engine: dockerode over an endpoint value.

import Dockerode from 'dockerode';
import type { EngineEndpoint } from './engine-endpoint';

export interface Engine {
  readonly endpoint: EngineEndpoint;
  /** For requests: a socket idle longer than DEFAULT_REQUEST_TIMEOUT_MS fails, so nothing hangs. */
  readonly docker: Dockerode;
  /** For long-lived streams (events, attach, wait), which are idle by nature. */
  readonly streams: Dockerode;
}

/** Requests that take longer than this are failed; streams (events, attach) opt out. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 15_000;
export const DEFAULT_PING_TIMEOUT_MS = 3_000;

export function createEngine(endpoint: EngineEndpoint): Engine {
  const options: Dockerode.DockerOptions = endpoint.kind === 'unix'
    ? { socketPath: endpoint.socketPath }
    : {
        host: endpoint.host,
        port: endpoint.port,
        protocol: endpoint.tls ? 'https' : 'http',
        ...(endpoint.tls ? { ca: endpoint.tls.ca, cert: endpoint.tls.cert, key: endpoint.tls.key } : {}),
      };
  return { endpoint, docker: new Dockerode({ ...options, timeout: DEFAULT_REQUEST_TIMEOUT_MS }), streams: new Dockerode(options) };
}

export class EngineUnreachableError extends Error {
  constructor(readonly endpoint: string, readonly reason: string) {
    super(`Cannot reach Docker at ${endpoint}: ${reason}`);
    this.name = 'EngineUnreachableError';
  }
}

/** Resolves when GET /_ping answers OK within the timeout; otherwise throws one clear line. */
export async function pingEngine(engine: Engine, timeoutMs = DEFAULT_PING_TIMEOUT_MS): Promise<void> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    // dockerode's typings omit the options argument that docker-modem honours.
    const ping = engine.docker.ping as (this: Dockerode, opts: { abortSignal: AbortSignal }) => Promise<unknown>;
    await ping.call(engine.docker, { abortSignal: controller.signal });
  } catch (error) {
    const reason = controller.signal.aborted ? `no answer within ${timeoutMs} ms` : describeConnectionError(error);
    throw new EngineUnreachableError(engine.endpoint.url, reason);
  } finally {
    clearTimeout(timer);
  }
}

/** Turns socket and HTTP errors into the cause a person can act on. */
export function describeConnectionError(error: unknown): string {
  const err = error as { code?: string; statusCode?: number; message?: string };
  switch (err?.code) {
    case 'ENOENT':
      return 'the socket does not exist (is dockerd running?)';
    case 'EACCES':
      return 'permission denied on the socket (is this user in the docker group?)';
    case 'ECONNREFUSED':
      return 'connection refused (is dockerd listening there?)';
    case 'ETIMEDOUT':
      return 'connection timed out';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host name does not resolve';
    case 'ECONNRESET':
      return 'connection reset by the engine';
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'CERT_HAS_EXPIRED':
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `TLS verification failed (${err.code})`;
  }
  if (typeof err?.statusCode === 'number') return `the engine answered HTTP ${err.statusCode}`;
  return firstLine(err?.message ?? String(error));
}

export function firstLine(text: string): string {
  return text.split('\n').find((line) => line.trim() !== '')?.trim() ?? text;
}
