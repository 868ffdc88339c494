import type { Snapshot } from '../../core/snapshot/model';
import type { EngineSession } from '../../core/session/engine-session';
import { SnapshotTreeProvider } from './snapshot-tree-provider';
import { MessageNode, type TreeNode } from './tree-node';
import { VolumeNode } from './volume-nodes';

export const VOLUMES_VIEW = 'containerInternals.volumes';

export class VolumesTreeProvider extends SnapshotTreeProvider {
  constructor(session: EngineSession) {
    super(session, VOLUMES_VIEW);
  }
  protected buildRoots(snapshot: Snapshot, engineIsLocal: boolean): TreeNode[] {
    if (!snapshot.volumes.length) return [new MessageNode(`${VOLUMES_VIEW}/empty`, null, 'No volumes', { icon: 'info' })];
    return snapshot.volumes.map((v) => new VolumeNode(`v/${v.name}`, v, engineIsLocal));
  }
}
