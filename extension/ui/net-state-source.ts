// One read of the host's forwarding state shared by the rows that show it (a
// CAM table, host routes, published ports, a container's routes) and reused
// for two seconds, so opening several groups at once runs the helper once.

import type { NetState } from '../core/network/net-state-model';
import { readNetState } from '../core/network/read-net-state';
import type { EngineSession } from '../core/session/engine-session';
import type { ContainerSnapshot, Snapshot } from '../core/snapshot/model';

const REUSE_MS = 2_000;

export class NetStateSource {
  private last: { at: number; key: string; value: Promise<NetState> } | null = null;

  constructor(private readonly session: EngineSession) {}

  /** The state now (or from the last two seconds), with the routes of `withRoutesOf` read too. */
  get(snapshot: Snapshot, withRoutesOf: readonly ContainerSnapshot[] = []): Promise<NetState> {
    const key = withRoutesOf.map((c) => c.id).join(',');
    const last = this.last;
    if (last && Date.now() - last.at < REUSE_MS && last.key.includes(key)) return last.value;
    const value = (async () => {
      const selection = await this.session.liveSnapshot?.helperSelection();
      return readNetState(selection?.runner ?? null, snapshot, withRoutesOf, selection?.reason ?? 'no engine is configured');
    })();
    this.last = { at: Date.now(), key, value };
    // A failed read is not reused.
    value.catch(() => {
      if (this.last?.value === value) this.last = null;
    });
    return value;
  }
}
