// Which files are compose files, in one place. Tiny on purpose: extension.ts
// imports it to decide when to load the language client, and must not pull in
// the YAML parser. package.json's activation event repeats the glob, since
// JSON cannot import it.

/** The names `docker compose` looks for in a directory. */
export const COMPOSE_FILE_GLOB = '**/{compose,docker-compose}.{yaml,yml}';

export function isComposeFileName(path: string): boolean {
  return /(^|\/)(docker-)?compose\.ya?ml$/.test(path);
}
