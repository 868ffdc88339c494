// The one shape every command hands back, so that callers (other extensions,
// keybindings, the extension-host tests) can tell what happened, and the one
// way a failed command tells the user.

import * as vscode from 'vscode';

export interface CommandResult {
  ok: boolean;
  /** Why not, when ok is false: a cancelled prompt, or the error's first words. */
  reason?: string;
}

/** Logs the failure, shows it with a Show Logs action, and returns it as a result. */
export function commandFailed(log: vscode.LogOutputChannel, what: string, error: unknown): CommandResult & { ok: false; reason: string } {
  const reason = (error as Error).message ?? String(error);
  log.error(`${what}: ${reason}`);
  void vscode.window.showErrorMessage(`${what}: ${reason}`, 'Show Logs').then((choice) => (choice ? log.show() : undefined));
  return { ok: false, reason };
}
