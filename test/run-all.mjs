// `npm test`: every suite, in order, against the real lab. Each suite's own
// output streams through; the last line is the total over all of them.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
let passed = 0;
let failed = 0;

function run(title, command, args, { count } = {}) {
  process.stdout.write(`\n=== ${title}\n`);
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      out += chunk.toString();
    });
    child.on('close', (code) => {
      let counted = false;
      if (count === 'node') {
        const pass = /^ℹ pass (\d+)$/m.exec(out);
        const fail = /^ℹ fail (\d+)$/m.exec(out);
        const cancelled = /^ℹ cancelled (\d+)$/m.exec(out);
        if (pass && fail) {
          passed += Number(pass[1]);
          // A test cancelled because its suite's setup failed did not pass.
          failed += Number(fail[1]) + Number(cancelled?.[1] ?? 0);
          counted = true;
        }
      } else if (count === 'mocha') {
        const m = /^vscode: (\d+) passed, (\d+) failed$/m.exec(out);
        if (m) {
          passed += Number(m[1]);
          failed += Number(m[2]);
          counted = true;
        }
      }
      if (code !== 0 && (!counted || failed === 0)) {
        // A step that failed without failing tests (build, lab, a crash) still fails the run.
        failed += 1;
        process.stdout.write(`\n${title}: exited with ${code}\n`);
      }
      resolve(code === 0);
    });
  });
}

// What the formatter holds to its style (package.json's format script names the same).
const FORMATTED = ['extension/**/*.ts', 'webview/**/*.{ts,css}', 'test/**/*.{ts,mjs}', 'bench/**/*.ts', 'scripts/**/*.mjs', '*.mjs'];

const steps = async () => {
  if (!(await run('build', process.execPath, ['esbuild.config.mjs']))) return;
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  if (!(await run('typecheck', process.execPath, [tsc, '-p', 'tsconfig.json', '--noEmit']))) return;
  if (!(await run('typecheck (webview)', process.execPath, [tsc, '-p', 'webview/tsconfig.json', '--noEmit']))) return;
  if (
    !(await run('lint (eslint: no vscode in core, no import cycles, no floating promises)', process.execPath, [
      path.join(root, 'node_modules', 'eslint', 'bin', 'eslint.js'),
      '.',
    ]))
  )
    return;
  if (
    !(await run('format (prettier --check)', process.execPath, [
      path.join(root, 'node_modules', 'prettier', 'bin', 'prettier.cjs'),
      '--check',
      '--log-level',
      'warn',
      ...FORMATTED,
    ]))
  )
    return;
  if (!(await run('shellcheck', 'bash', ['scripts/shellcheck.sh']))) return;
  if (!(await run('lab', 'bash', ['test/lab/lab.sh', 'up']))) return;
  // A crowd beside the lab, so that what only breaks at size breaks here.
  if (!(await run('lab crowd', 'bash', ['test/lab/lab.sh', 'crowd', '150']))) return;
  await run('unit + integration', process.execPath, ['test/run-node-tests.mjs', 'unit', 'integration'], { count: 'node' });
  if (!(await run('code-server', 'bash', ['scripts/install-code-server.sh']))) return;
  const workspace = mkdtempSync(path.join(tmpdir(), 'ci-vscode-ws-'));
  await run(
    'extension host (code-server)',
    process.execPath,
    ['test/harness/code-server.mjs', 'run-tests', root, path.join(root, 'out', 'vscode-tests', 'index.js'), workspace],
    { count: 'mocha' },
  );
  rmSync(workspace, { recursive: true, force: true });
  await run('end to end (code-server + Chromium)', process.execPath, ['test/run-node-tests.mjs', 'e2e'], { count: 'node' });
};

await steps();
process.stdout.write(`\ntotal: ${passed} passed, ${failed} failed\n`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
