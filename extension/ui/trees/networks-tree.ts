import type { Snapshot } from '../../core/snapshot/model';
import type { EngineSession } from '../../core/session/engine-session';
import { NetworkNode } from './network-nodes';
import { NetStateSource } from '../net-state-source';
import { SnapshotTreeProvider } from './snapshot-tree-provider';
import type { TreeNode } from './tree-node';

export const NETWORKS_VIEW = 'containerInternals.networks';

export class NetworksTreeProvider extends SnapshotTreeProvider {
  readonly netState: NetStateSource;
  constructor(session: EngineSession) {
    super(session, NETWORKS_VIEW);
    this.netState = new NetStateSource(session);
  }
  protected buildRoots(snapshot: Snapshot): TreeNode[] {
    return snapshot.networks.map((n) => new NetworkNode(`n/${n.id}`, n, snapshot, this.netState));
  }
}
