// Where the Docker engine is. An endpoint is a plain value: callers pass it
// around, so several engines can live side by side and nothing is global.

import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export type EndpointSource = 'explicit' | 'DOCKER_HOST' | 'context' | 'default' | 'rootless';

export interface EngineEndpoint {
  /** Canonical URL shown to people, e.g. unix:///var/run/docker.sock or tcp://10.0.0.5:2376. */
  url: string;
  kind: 'unix' | 'tcp' | 'ssh';
  socketPath?: string;
  host?: string;
  port?: number;
  /** For ssh://: the login user, if the URL names one (else ~/.ssh/config decides). */
  user?: string;
  tls?: { ca?: string; cert?: string; key?: string; verify: boolean };
  source: EndpointSource;
  /** The Docker context this came from, if any. */
  context?: string;
}

export const DEFAULT_SOCKET = '/var/run/docker.sock';

export class EndpointError extends Error {}

export interface EndpointInput {
  /** A setting or --host flag; empty means unset. */
  explicit?: string | undefined;
  /** A setting or --context flag: a Docker context name. */
  context?: string | undefined;
  env?: NodeJS.ProcessEnv;
  /** Tells whether a socket exists; injectable for tests. */
  socketExists?: (path: string) => boolean;
}

/**
 * Resolves like the docker CLI: an explicit host, else an explicit context,
 * else DOCKER_HOST, else DOCKER_CONTEXT, else the current context of the
 * Docker config directory, else the default socket (or, when that is missing,
 * a rootless daemon's socket under $XDG_RUNTIME_DIR).
 */
export function resolveEndpoint(input: EndpointInput = {}): EngineEndpoint {
  const env = input.env ?? process.env;
  const explicit = input.explicit?.trim();
  if (explicit) return parseEndpointUrl(explicit, 'explicit', env);
  const explicitContext = input.context?.trim();
  if (explicitContext) return endpointFromContext(explicitContext, env, input);
  const fromEnv = env.DOCKER_HOST?.trim();
  if (fromEnv) return parseEndpointUrl(fromEnv, 'DOCKER_HOST', env);
  const envContext = env.DOCKER_CONTEXT?.trim();
  if (envContext) return endpointFromContext(envContext, env, input);
  const current = currentContextName(env);
  if (current) return endpointFromContext(current, env, input);
  return defaultEndpoint(env, input.socketExists ?? fs.existsSync);
}

function defaultEndpoint(env: NodeJS.ProcessEnv, exists: (p: string) => boolean): EngineEndpoint {
  const rootless = env.XDG_RUNTIME_DIR ? path.join(env.XDG_RUNTIME_DIR, 'docker.sock') : null;
  if (!exists(DEFAULT_SOCKET) && rootless && exists(rootless)) {
    return { url: `unix://${rootless}`, kind: 'unix', socketPath: rootless, source: 'rootless' };
  }
  return { url: `unix://${DEFAULT_SOCKET}`, kind: 'unix', socketPath: DEFAULT_SOCKET, source: 'default' };
}

/** The Docker config directory: $DOCKER_CONFIG, else ~/.docker. */
export function dockerConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.DOCKER_CONFIG || path.join(env.HOME || os.homedir(), '.docker');
}

export function currentContextName(env: NodeJS.ProcessEnv = process.env): string | null {
  try {
    const config = JSON.parse(fs.readFileSync(path.join(dockerConfigDir(env), 'config.json'), 'utf8')) as { currentContext?: unknown };
    return typeof config.currentContext === 'string' && config.currentContext ? config.currentContext : null;
  } catch {
    return null;
  }
}

/** Contexts are stored under the SHA-256 of their name. */
export function contextDirName(name: string): string {
  return createHash('sha256').update(name).digest('hex');
}

export interface DockerContext {
  name: string;
  host: string | null;
  skipTlsVerify: boolean;
  description: string;
}

export function listContexts(env: NodeJS.ProcessEnv = process.env): DockerContext[] {
  const metaRoot = path.join(dockerConfigDir(env), 'contexts', 'meta');
  const out: DockerContext[] = [
    { name: 'default', host: env.DOCKER_HOST?.trim() || `unix://${DEFAULT_SOCKET}`, skipTlsVerify: false, description: 'DOCKER_HOST or the default socket' },
  ];
  let dirs: string[] = [];
  try {
    dirs = fs.readdirSync(metaRoot);
  } catch {
    return out;
  }
  for (const dir of dirs) {
    const ctx = readContextMeta(path.join(metaRoot, dir, 'meta.json'));
    if (ctx) out.push(ctx);
  }
  return out.sort((a, b) => (a.name === 'default' ? -1 : b.name === 'default' ? 1 : a.name.localeCompare(b.name)));
}

function readContextMeta(file: string): DockerContext | null {
  try {
    const meta = JSON.parse(fs.readFileSync(file, 'utf8')) as {
      Name?: string;
      Metadata?: { Description?: string };
      Endpoints?: { docker?: { Host?: string; SkipTLSVerify?: boolean } };
    };
    if (!meta.Name) return null;
    return {
      name: meta.Name,
      host: meta.Endpoints?.docker?.Host ?? null,
      skipTlsVerify: !!meta.Endpoints?.docker?.SkipTLSVerify,
      description: meta.Metadata?.Description ?? '',
    };
  } catch {
    return null;
  }
}

export function endpointFromContext(name: string, env: NodeJS.ProcessEnv, input: EndpointInput = {}): EngineEndpoint {
  if (name === 'default') {
    const fromEnv = env.DOCKER_HOST?.trim();
    const e = fromEnv ? parseEndpointUrl(fromEnv, 'DOCKER_HOST', env) : defaultEndpoint(env, input.socketExists ?? fs.existsSync);
    return { ...e, context: 'default' };
  }
  const configDir = dockerConfigDir(env);
  const dir = contextDirName(name);
  const ctx = readContextMeta(path.join(configDir, 'contexts', 'meta', dir, 'meta.json'));
  if (!ctx) throw new EndpointError(`Docker context "${name}" does not exist in ${path.join(configDir, 'contexts')}`);
  if (!ctx.host) throw new EndpointError(`Docker context "${name}" has no Docker endpoint`);
  const endpoint = parseEndpointUrl(ctx.host, 'context', {});
  endpoint.context = name;
  if (endpoint.kind === 'tcp') {
    const tlsDir = path.join(configDir, 'contexts', 'tls', dir, 'docker');
    const read = (f: string) => {
      try {
        return fs.readFileSync(path.join(tlsDir, f), 'utf8');
      } catch {
        return undefined;
      }
    };
    const ca = read('ca.pem');
    const cert = read('cert.pem');
    const key = read('key.pem');
    if (ca || cert || key) {
      endpoint.tls = { ca, cert, key, verify: !ctx.skipTlsVerify };
    }
  }
  return endpoint;
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
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      throw new EndpointError(`Docker host ${raw}: not a valid ssh URL`);
    }
    if (!parsed.hostname) throw new EndpointError(`Docker host ${raw}: an ssh URL needs a host`);
    if (parsed.pathname && parsed.pathname !== '/') throw new EndpointError(`Docker host ${raw}: an ssh URL takes no path`);
    const user = decodeURIComponent(parsed.username) || undefined;
    const port = parsed.port ? Number(parsed.port) : undefined;
    return { url: `ssh://${user ? `${user}@` : ''}${parsed.hostname}${port ? `:${port}` : ''}`, kind: 'ssh', host: parsed.hostname, port, user, source };
  }
  throw new EndpointError(`Docker host ${raw}: unsupported scheme (use unix://, tcp:// or ssh://)`);
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

/** The same, for an endpoint URL as a snapshot carries it. */
export function isLocalEndpointUrl(url: string): boolean {
  return url.startsWith('unix://');
}
