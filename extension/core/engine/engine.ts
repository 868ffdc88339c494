// A connection to one Docker engine: dockerode over an endpoint value.

import Dockerode from 'dockerode';
import type { EngineEndpoint } from './engine-endpoint';
import { describeConnectionError, EngineUnreachableError } from './engine-errors';
import { SshDialAgent } from './ssh-transport';

export interface Engine {
  readonly endpoint: EngineEndpoint;
  /** For requests: a socket idle longer than DEFAULT_REQUEST_TIMEOUT_MS fails, so nothing hangs. */
  readonly docker: Dockerode;
  /** For long-lived streams (events, attach, wait), which are idle by nature. */
  readonly streams: Dockerode;
  /** Ends the connections this engine keeps open (for ssh://, its ssh processes). */
  close(): void;
}

/** Requests that take longer than this are failed; streams (events, attach) opt out. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 15_000;
export const DEFAULT_PING_TIMEOUT_MS = 3_000;

/**
 * docker-modem ends a request that outlives its timeout by destroying it,
 * which surfaces as "socket hang up": the same words as a real reset. A
 * request that failed only once its time was up was a silent engine; say so.
 */
function reportSilence(docker: Dockerode, endpoint: EngineEndpoint, timeoutMs: number): Dockerode {
  type Dial = (options: { method?: string; path?: string }, callback: (error: unknown, data: unknown) => void) => unknown;
  const modem = docker.modem as unknown as { dial: Dial };
  const dial = modem.dial.bind(modem) as Dial;
  modem.dial = (options, callback) => {
    const started = Date.now();
    return dial(options, (error, data) => {
      if (error && Date.now() - started >= timeoutMs - 100 && !(error as { statusCode?: number }).statusCode) {
        const request = `${options.method ?? 'GET'} ${(options.path ?? '').split('?')[0]}`;
        callback(new EngineUnreachableError(endpoint.url, `${notAnswering(timeoutMs)} to ${request}`), data);
      } else callback(error, data);
    });
  };
  return docker;
}

function notAnswering(timeoutMs: number): string {
  return `the engine is not answering (nothing within ${timeoutMs >= 1000 ? `${timeoutMs / 1000} s` : `${timeoutMs} ms`})`;
}

export function createEngine(endpoint: EngineEndpoint): Engine {
  if (endpoint.kind === 'ssh') {
    // Requests travel over `ssh … docker system dial-stdio`; the host and port here only fill the Host header.
    const agent = new SshDialAgent(endpoint);
    const options = { protocol: 'http' as const, host: 'docker', port: 80, agent } as Dockerode.DockerOptions;
    return {
      endpoint,
      docker: reportSilence(new Dockerode({ ...options, timeout: DEFAULT_REQUEST_TIMEOUT_MS }), endpoint, DEFAULT_REQUEST_TIMEOUT_MS),
      streams: new Dockerode(options),
      close: () => agent.destroy(),
    };
  }
  const options: Dockerode.DockerOptions =
    endpoint.kind === 'unix'
      ? { socketPath: endpoint.socketPath }
      : ({
          host: endpoint.host,
          port: endpoint.port,
          protocol: endpoint.tls ? 'https' : 'http',
          // Never a silent fallback: with TLS material, the CA is checked unless the context says to skip it.
          ...(endpoint.tls ? { ca: endpoint.tls.ca, cert: endpoint.tls.cert, key: endpoint.tls.key, rejectUnauthorized: endpoint.tls.verify } : {}),
        } as Dockerode.DockerOptions);
  return {
    endpoint,
    docker: reportSilence(new Dockerode({ ...options, timeout: DEFAULT_REQUEST_TIMEOUT_MS }), endpoint, DEFAULT_REQUEST_TIMEOUT_MS),
    streams: new Dockerode(options),
    close: () => undefined,
  };
}

/** How long a ping may take: ssh needs a connection and a login first. */
export function pingTimeoutFor(endpoint: EngineEndpoint): number {
  return endpoint.kind === 'ssh' ? 9_000 : endpoint.kind === 'tcp' ? 5_000 : DEFAULT_PING_TIMEOUT_MS;
}

/** Resolves when GET /_ping answers OK within the timeout; otherwise throws one clear line. */
export async function pingEngine(engine: Engine, timeoutMs = pingTimeoutFor(engine.endpoint)): Promise<void> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    // dockerode's typings omit the options argument that docker-modem honours.
    const ping = engine.docker.ping as (this: Dockerode, opts: { abortSignal: AbortSignal }) => Promise<unknown>;
    await ping.call(engine.docker, { abortSignal: controller.signal });
  } catch (error) {
    const reason = controller.signal.aborted ? notAnswering(timeoutMs) : describeConnectionError(error);
    throw new EngineUnreachableError(engine.endpoint.url, reason);
  } finally {
    clearTimeout(timer);
  }
}
