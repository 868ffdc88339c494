// Helper image pins for processes without VS Code's storage (the CLI, the
// language server run by another editor): one small JSON file in the user's
// state directory. CONTAINER_INTERNALS_STATE_DIR moves it (tests use a fresh one).

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { HelperImagePins } from './helper-image-pin';

export function defaultStateDir(): string {
  return (
    process.env.CONTAINER_INTERNALS_STATE_DIR || path.join(process.env.XDG_STATE_HOME || path.join(os.homedir(), '.local', 'state'), 'container-internals')
  );
}

export class FileHelperImagePins implements HelperImagePins {
  private readonly file: string;

  constructor(stateDir = defaultStateDir()) {
    this.file = path.join(stateDir, 'helper-image-pins.json');
  }

  private read(): Record<string, string> {
    try {
      const parsed = JSON.parse(fs.readFileSync(this.file, 'utf8')) as unknown;
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
      return Object.fromEntries(Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string'));
    } catch {
      return {};
    }
  }

  get(key: string): string | undefined {
    return this.read()[key];
  }

  set(key: string, imageId: string): void {
    const all = { ...this.read(), [key]: imageId };
    fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    // Write then rename: a reader never sees half a file.
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, `${JSON.stringify(all, null, 1)}\n`, { mode: 0o600 });
    fs.renameSync(tmp, this.file);
  }
}
