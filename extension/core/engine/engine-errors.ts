// What went wrong between us and an engine, in words a person can act on.

import { firstLine } from '../common/first-line';

export class EngineUnreachableError extends Error {
  constructor(
    readonly endpoint: string,
    readonly reason: string,
  ) {
    super(`Cannot reach Docker at ${endpoint}: ${reason}`);
    this.name = 'EngineUnreachableError';
  }
}

/** Turns socket and HTTP errors into the cause a person can act on. */
export function describeConnectionError(error: unknown): string {
  const err = error as { code?: string; statusCode?: number; message?: string };
  if (err?.code === 'ESSH') return err.message ?? 'ssh failed';
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
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return `TLS verification failed (${err.code}): the engine's certificate is not signed by the configured CA`;
    case 'EPROTO':
      return 'TLS handshake failed (is this a TLS port, and is the client certificate accepted?)';
  }
  if (err?.statusCode === 400 && /HTTPS/i.test(`${err.message ?? ''} ${JSON.stringify((err as { json?: unknown }).json ?? '')}`)) {
    return 'this port speaks TLS: set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH, or use a context with TLS material';
  }
  if (typeof err?.statusCode === 'number') return `the engine answered HTTP ${err.statusCode}`;
  return firstLine(err?.message ?? String(error));
}
