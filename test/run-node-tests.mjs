// Bundles the TypeScript test files of the named suites and runs them with
// node's own test runner, in one run so there is one summary at the end.
//   node test/run-node-tests.mjs unit integration
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const suites = process.argv.slice(2);
if (!suites.length) {
  console.error('usage: run-node-tests.mjs SUITE...');
  process.exit(2);
}
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const outdir = path.join(root, 'out', 'node-tests');
rmSync(outdir, { recursive: true, force: true });

const entryPoints = suites.flatMap((suite) =>
  readdirSync(path.join(root, 'test', suite))
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => path.join(root, 'test', suite, f)),
);
await esbuild.build({
  entryPoints,
  outbase: path.join(root, 'test'),
  outdir,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'inline',
  packages: 'external',
  external: ['vscode'],
  loader: { '.sh': 'text' },
  logLevel: 'warning',
});
const files = entryPoints.map((f) => path.join(outdir, path.relative(path.join(root, 'test'), f)).replace(/\.ts$/, '.js'));
// Integration tests share one engine and its lab: run files one at a time.
// Helper image pins (trust on first use) start empty for every run, as on a new machine.
const stateDir = mkdtempSync(path.join(tmpdir(), 'ci-state-'));
const result = spawnSync(process.execPath, ['--enable-source-maps', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
  cwd: root,
  env: { ...process.env, CONTAINER_INTERNALS_STATE_DIR: stateDir },
});
rmSync(stateDir, { recursive: true, force: true });
process.exit(result.status ?? 1);
