// The extension-host suites, bundled into one file that index.ts loads.
import { activateExtension, unreadContainers } from './api';

// After each test, a line when the live model says it could not read running
// containers' namespaces: the clue to which step leaves it stale.
afterEach(async function () {
  const api = await activateExtension();
  const seen = unreadContainers(api);
  if (/"unread":[1-9]/.test(seen)) console.log(`after "${this.currentTest?.title ?? '?'}": ${seen}`);
});
import './containers-view.test';
import './other-views.test';
import './engine-errors.test';
import './exec.test';
import './compose.test';
import './volumes.test';
import './engines.test';
import './processes.test';
import './network-path.test';
