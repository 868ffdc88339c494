// Points the one main EngineSession at what the settings and the Docker CLI's
// current context say, and again whenever either changes. Engine events do not
// say that the current context changed, so the CLI's config directory is watched.

import * as vscode from 'vscode';
import { dockerConfigDir } from '../core/engine/engine-endpoint';
import type { HelperImagePins } from '../core/host/helper-image-pin';
import type { SessionLog, SessionTarget } from '../core/session/engine-session';
import { EngineSession } from '../core/session/engine-session';
import { ENGINE_SETTINGS, readSettings } from './settings';

export function mainSessionTarget(pins: HelperImagePins): SessionTarget {
  const s = readSettings();
  return { endpoint: { explicit: s.dockerHost, context: s.context }, helper: { mode: s.helperMode, image: s.helperImage, pins } };
}

export function logTo(log: vscode.LogOutputChannel, prefix = ''): SessionLog {
  return (level, message) => log[level](`${prefix}${message}`);
}

/** The main session, following the settings; dispose the returned pair together. */
export function createMainSession(log: vscode.LogOutputChannel, pins: HelperImagePins): { session: EngineSession; watcher: vscode.Disposable } {
  const session = new EngineSession('session', 'Network Diagram', mainSessionTarget(pins), logTo(log));
  const retarget = (): void => session.retarget(mainSessionTarget(pins));
  const files = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(dockerConfigDir()), '{config.json,contexts/meta/**}'));
  const onContextFiles = (): void => {
    if (!readSettings().dockerHost && !process.env.DOCKER_HOST) retarget();
  };
  const watcher = vscode.Disposable.from(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (ENGINE_SETTINGS.some((s) => e.affectsConfiguration(s))) retarget();
    }),
    files,
    files.onDidChange(onContextFiles),
    files.onDidCreate(onContextFiles),
    files.onDidDelete(onContextFiles),
  );
  return { session, watcher };
}
