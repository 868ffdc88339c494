// Builds the production bundle and packages the .vsix with @vscode/vsce, offline.
//   node scripts/package.mjs [OUT.vsix]      (default: container-internals.vsix)
// The one place that knows vsce's flags: npm run package, npm start, the UI
// tests and the benchmark all come through here.
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const out = path.resolve(process.argv[2] ?? path.join(root, 'container-internals.vsix'));

execFileSync(process.execPath, [path.join(root, 'esbuild.config.mjs'), '--production'], { cwd: root, stdio: 'inherit' });
execFileSync(
  process.execPath,
  [
    path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce'),
    'package',
    '--no-dependencies', // everything is bundled into dist/
    '--allow-missing-repository',
    '--no-rewrite-relative-links', // README images stay relative to the package
    '--out',
    out,
  ],
  { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
);
process.stdout.write(`${out}\n`);
