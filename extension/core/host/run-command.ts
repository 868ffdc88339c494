// How to run a file inside a container: by its shebang, else by its extension.

import * as path from 'node:path';

const BY_EXTENSION: Record<string, string[]> = {
  '.sh': ['sh'],
  '.bash': ['bash'],
  '.py': ['python3'],
  '.js': ['node'],
  '.mjs': ['node'],
  '.cjs': ['node'],
  '.rb': ['ruby'],
  '.pl': ['perl'],
  '.php': ['php'],
  '.lua': ['lua'],
};

/**
 * The argv that runs `containerPath`. `firstLine` is the file's first line
 * (read on the host). A shebang is split on whitespace the way the kernel does:
 * the interpreter, then at most one argument.
 */
export function runCommandFor(containerPath: string, firstLine: string | null): string[] {
  const shebang = firstLine?.startsWith('#!') ? firstLine.slice(2).trim() : '';
  if (shebang) {
    const space = shebang.search(/\s/);
    if (space < 0) return [shebang, containerPath];
    return [shebang.slice(0, space), shebang.slice(space).trim(), containerPath];
  }
  const byExtension = BY_EXTENSION[path.posix.extname(containerPath).toLowerCase()];
  return byExtension ? [...byExtension, containerPath] : [containerPath];
}
