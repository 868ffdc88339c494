import * as vscode from 'vscode';
import { HELPER_MODES, type HelperMode } from '../core/snapshot/model';

import type { GroupBy } from '../present/container-grouping';

export type { GroupBy };
export const GROUP_BY_VALUES: readonly GroupBy[] = ['none', 'netns', 'network', 'project'];

export interface ExtensionSettings {
  dockerHost: string;
  context: string;
  helperMode: HelperMode;
  helperImage: string;
  groupBy: GroupBy;
  /** Entries of the Engines view: endpoint URLs or `context:NAME`. */
  engines: string[];
}

export const SECTION = 'containerInternals';
/** Settings that decide which engine is contacted and what runs on the host. */
export const ENGINE_SETTINGS = ['dockerHost', 'context', 'helperMode', 'helperImage'].map((k) => `${SECTION}.${k}`);

export function readSettings(): ExtensionSettings {
  const c = vscode.workspace.getConfiguration(SECTION);
  const mode = c.get<string>('helperMode', 'auto');
  const groupBy = c.get<string>('groupBy', 'none');
  return {
    dockerHost: c.get<string>('dockerHost', '').trim(),
    context: c.get<string>('context', '').trim(),
    helperMode: ((HELPER_MODES as readonly string[]).includes(mode) ? mode : 'auto') as HelperMode,
    helperImage: c.get<string>('helperImage', '').trim(),
    groupBy: (GROUP_BY_VALUES as readonly string[]).includes(groupBy) ? (groupBy as GroupBy) : 'none',
    engines: c
      .get<string[]>('engines', [])
      .map((e) => e.trim())
      .filter(Boolean),
  };
}
