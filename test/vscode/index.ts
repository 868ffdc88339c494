// Entry point the extension host loads (extensionTestsPath). Runs the bundled
// suites with mocha and prints one closing "N passed, N failed" line.
import * as path from 'node:path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: 'spec' });
  mocha.suite.emit('pre-require', globalThis, path.join(__dirname, 'suites.js'), mocha);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a separate bundle, found by path at run time
  require(path.join(__dirname, 'suites.js'));
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const stats = runner.stats;
      console.log(`vscode: ${stats?.passes ?? 0} passed, ${failures} failed`);
      if (failures > 0) reject(new Error(`${failures} extension-host test(s) failed`));
      else resolve();
    });
  });
}
