// Bundles every entry point. `vscode` is provided by the editor at run time.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/**
 * dockerode pulls in BuildKit sessions (gRPC) and docker-modem its own ssh2 client.
 * We use neither: builds are not ours to run, and ssh goes through the system
 * ssh (it honours ~/.ssh/config, agents and known_hosts). Replacing them keeps
 * the bundle lean and drops ssh2's optional native parts.
 */
const unusedEngineParts = {
  name: 'unused-engine-parts',
  setup(build) {
    build.onResolve({ filter: /^\.\/session$/ }, (args) =>
      args.importer.includes(`dockerode${'/'}lib`) ? { path: 'dockerode-session', namespace: 'unused' } : undefined,
    );
    build.onResolve({ filter: /^ssh2$/ }, () => ({ path: 'ssh2', namespace: 'unused' }));
    build.onLoad({ filter: /.*/, namespace: 'unused' }, (args) => ({
      contents: `module.exports = function unavailable() { throw new Error(${JSON.stringify(`${args.path} is not included in Container Internals`)}); };
module.exports.Client = module.exports;`,
      loader: 'js',
    }));
  },
};

/** Copies a static asset next to a bundle after each build. */
function copyFile(from, to) {
  return {
    name: `copy ${from}`,
    setup(build) {
      build.onEnd(() => {
        mkdirSync(dirname(to), { recursive: true });
        copyFileSync(from, to);
      });
    },
  };
}

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: production ? false : 'linked',
  minify: production,
  external: ['vscode'],
  loader: { '.sh': 'text' },
  plugins: [unusedEngineParts],
  logLevel: 'warning',
  metafile: true,
};

const entries = [
  { entryPoints: ['extension/extension.ts'], outfile: 'dist/extension.js' },
  // Loaded only when a compose file opens, so the language client costs nothing before.
  { entryPoints: ['extension/compose/compose-client.ts'], outfile: 'dist/compose-client.js' },
  { entryPoints: ['extension/compose/server-main.ts'], outfile: 'dist/compose-server.js' },
  { entryPoints: ['extension/cli.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  // ELK is most of this one: only `diagram` loads it.
  { entryPoints: ['extension/present/diagram-svg.ts'], outfile: 'dist/diagram.js' },
  { entryPoints: ['bench/snapshot-vs-floor.ts'], outfile: 'dist/bench/snapshot-vs-floor.js' },
  { entryPoints: ['bench/api-floor.ts'], outfile: 'dist/bench/api-floor.js' },
  { entryPoints: ['bench/helper-collect.ts'], outfile: 'dist/bench/helper-collect.js' },
  { entryPoints: ['bench/live-event-cost.ts'], outfile: 'dist/bench/live-event-cost.js' },
  { entryPoints: ['bench/diagram-render.ts'], outfile: 'dist/bench/diagram-render.js' },
  { entryPoints: ['bench/process-read.ts'], outfile: 'dist/bench/process-read.js' },
  { entryPoints: ['bench/tree-in-workbench.ts'], outfile: 'dist/bench/tree-in-workbench.js', external: ['vscode', 'playwright-core'] },
];

// The diagram webview: a browser bundle with its stylesheet beside it.
entries.push({
  entryPoints: ['webview/main.ts'],
  outfile: 'dist/webview/main.js',
  platform: 'browser',
  format: 'iife',
  target: 'es2022',
  plugins: [copyFile('webview/diagram.css', 'dist/webview/diagram.css')],
});

// The extension-host test suites: mocha stays external (resolved from node_modules).
entries.push(
  { entryPoints: ['test/vscode/index.ts'], outfile: 'out/vscode-tests/index.js', external: ['vscode', 'mocha'] },
  { entryPoints: ['test/vscode/suites.ts'], outfile: 'out/vscode-tests/suites.js', external: ['vscode', 'mocha'] },
);

if (!watch) rmSync('dist', { recursive: true, force: true });

if (watch) {
  for (const entry of entries) await (await esbuild.context({ ...common, ...entry })).watch();
} else {
  await Promise.all(entries.map((entry) => esbuild.build({ ...common, ...entry })));
}
