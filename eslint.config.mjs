// Architecture rules that hold on their own, checked in `npm test`:
// - extension/core and extension/present never import vscode (they run in the CLI and the language server too);
// - extension/present and webview/ never import node: modules (they run in the browser, in the diagram's webview);
// - no import cycles between modules;
// - no floating promises: every promise is awaited or deliberately voided;
// - no default exports, no require(), and no control characters in a regex by accident.
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '**/*.mjs', '**/*.js'] },
  // A disable comment that no longer silences anything is itself an error.
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  {
    files: ['extension/**/*.ts', 'webview/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin, 'import-x': importX },
    settings: { 'import-x/resolver': { node: { extensions: ['.ts', '.js', '.d.ts'] } } },
    rules: {
      // node:test tracks the promises its describe/it return.
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', name: ['describe', 'it', 'test', 'before', 'after'], package: 'node:test' }] },
      ],
      'import-x/no-default-export': 'error',
      '@typescript-eslint/no-require-imports': 'error',
      'no-control-regex': 'error',
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  {
    // `import text from './x.sh'` (esbuild's text loader) needs a default export in its declaration.
    files: ['**/*.d.ts'],
    rules: { 'import-x/no-default-export': 'off' },
  },
  {
    files: ['extension/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'vscode', message: 'extension/core runs outside VS Code (CLI, language server): no vscode here.' }] },
      ],
    },
  },
  {
    // Pure presentation: shared by the views, the CLI and the diagram's webview.
    files: ['extension/present/**/*.ts', 'webview/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'presentation is pure: the views, the CLI and the webview share it.' }],
          patterns: [
            { group: ['node:*'], message: 'runs in the browser (the diagram webview): no Node.js modules.' },
            {
              group: ['**/core/engine/*', '**/core/host/*', '**/core/actions/*', '**/core/snapshot/read-snapshot', '**/core/snapshot/live-snapshot'],
              message: 'presentation draws the model; it never does I/O.',
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
);
