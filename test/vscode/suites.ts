// The extension-host suites, bundled into one file that index.ts loads.
import './containers-view.test';
import './other-views.test';
import './engine-errors.test';
import './exec.test';
import './compose.test';
import './volumes.test';
import './engines.test';
import './processes.test';
import './network-path.test';
