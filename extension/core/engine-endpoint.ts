// Where the Docker engine is. An endpoint is a plain value: callers pass it
// around, so several engines can live side by side and nothing is global.

import * as fs from 'node:fs';
import * as path from 'node:path';

export type EndpointSource = 'explicit' | 'DOCKER_HOST' | 'default';

export interface EngineEndpoint {
  /** Canonical URL shown to people, e.g. unix:///var/run/docker.sock or tcp://10.0.0.5:2376. */
  url: string;
  kind: 'unix' | 'tcp';
  socketPath?: string;
  host?: string;
  port?: number;
  tls?: { ca?: string; cert?: string; key?: string; verify: boolean };
  source: EndpointSource;
}

export const DEFAULT_SOCKET = '/var/run/docker.sock';

export class EndpointError extends Error {}

export interface EndpointInput {
  /** A setting or --host flag; empty means unset. */
  explicit?: string | undefined;
  env?: NodeJS.ProcessEnv;
}

/** Resolves like the docker CLI: an explicit value, else DOCKER_HOST, else the default socket. */
export function resolveEndpoint(input: EndpointInput = {}): EngineEndpoint {
  const env = input.env ?? process.env;
  const explicit = input.explicit?.trim();
  if (explicit) return parseEndpointUrl(explicit, 'explicit', env);
  const fromEnv = env.DOCKER_HOST?.trim();
  if (fromEnv) return parseEndpointUrl(fromEnv, 'DOCKER_HOST', env);
  return { url: `unix://${DEFAULT_SOCKET}`, kind: 'unix', socketPath: DEFAULT_SOCKET, source: 'default' };
}

export function parseEndpointUrl(raw: string, source: EndpointSource, env: NodeJS.ProcessEnv = process.env): EngineEndpoint {
  if (raw.startsWith('/')) raw = `unix://${raw}`;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(raw)?.[1]?.toLowerCase();
  if (scheme === 'unix') {
    const socketPath = raw.slice('unix://'.length);
    if (!socketPath.startsWith('/')) throw new EndpointError(`Docker host ${raw}: a unix socket path must be absolute`);
    return { url: `unix://${socketPath}`, kind: 'unix', socketPath, source };
  }
  if (scheme === 'tcp' || scheme === 'http' || scheme === 'https') {
    let parsed: URL;
    try {
      parsed = new URL(raw.replace(/^tcp:/i, 'http:'));
    } catch {
      throw new EndpointError(`Docker host ${raw}: not a valid URL`);
    }
    const tlsVerify = scheme === 'https' || isTruthy(env.DOCKER_TLS_VERIFY);
    const defaultPort = tlsVerify ? 2376 : 2375;
    const port = parsed.port ? Number(parsed.port) : defaultPort;
    const host = parsed.hostname.replace(/^\[|\]$/g, '');
    const endpoint: EngineEndpoint = { url: `tcp://${parsed.hostname}:${port}`, kind: 'tcp', host, port, source };
    if (tlsVerify) endpoint.tls = readTlsMaterial(env.DOCKER_CERT_PATH, raw);
    return endpoint;
  }
  if (scheme === 'ssh') {
    throw new EndpointError(`Docker host ${raw}: ssh:// endpoints are not supported yet`);
  }
  throw new EndpointError(`Docker host ${raw}: unsupported scheme (use unix:// or tcp://)`);
}

function isTruthy(value: string | undefined): boolean {
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}

function readTlsMaterial(certPath: string | undefined, raw: string): EngineEndpoint['tls'] {
  const dir = certPath || path.join(process.env.HOME ?? '', '.docker');
  const read = (file: string): string => {
    try {
      return fs.readFileSync(path.join(dir, file), 'utf8');
    } catch {
      // Key contents never reach a message; the path does, so the user can fix it.
      throw new EndpointError(`Docker host ${raw}: TLS is on but ${path.join(dir, file)} cannot be read`);
    }
  };
  return { ca: read('ca.pem'), cert: read('cert.pem'), key: read('key.pem'), verify: true };
}

/** True when the engine's /proc is this machine's /proc, so local and sudo helpers can read it. */
export function isLocalEndpoint(endpoint: EngineEndpoint): boolean {
  return endpoint.kind === 'unix';
}
