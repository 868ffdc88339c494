// Reads what a Snapshot is built from: the Docker API for what Docker knows,
// and one host-helper run for what only the host kernel knows, about the pids
// the engine reported and nothing else. A full read at the start (and after
// the events stream reconnects); after that, each batch of events re-reads
// only the containers it names.

import type Dockerode from 'dockerode';
import { mapWithConcurrency } from '../common/concurrency';
import { containerPid, type ContainerInspect, inspectFromListEntry } from './container-inspect';
import { type Engine, pingEngine } from '../engine/engine';
import { firstLine } from '../common/first-line';
import type { EngineEvent } from '../engine/engine-events';
import { type HostFacts, parseHelperOutput } from '../host/helper-output';
import type { HelperSelection } from '../host/helper-runners';
import type { DockerNetworkSnapshot, HelperStatus, Snapshot } from './model';
import { compareNatural } from '../common/natural-order';
import { assembleSnapshot } from './snapshot-assembly';
import { mergeHostFacts, snapshotFromInputs, type SnapshotInputs, staleParts } from './snapshot-inputs';
import { toDockerNetwork } from './topology';

export const INSPECT_CONCURRENCY = 8;

export interface SnapshotOptions {
  helper: HelperSelection;
  /** Ping timeout; a dead engine must answer "unreachable" quickly. */
  pingTimeoutMs?: number;
  /**
   * Called with a snapshot drawn from the list calls alone, before any
   * container is inspected: names, states, images, mounts and endpoints, with
   * namespaces and wiring "still being read". Lets a view paint rows at once.
   */
  onListed?: (preliminary: Snapshot) => void;
}

/**
 * For a full read, the helper may still be being chosen: the list calls go
 * out at once and paint the rows (onListed), and only the inspects and the
 * helper run wait for the choice.
 */
export interface FullReadOptions extends Omit<SnapshotOptions, 'helper'> {
  helper: HelperSelection | Promise<HelperSelection>;
}

export async function takeSnapshot(engine: Engine, options: FullReadOptions): Promise<Snapshot> {
  return snapshotFromInputs(await readAllInputs(engine, options));
}

/** Everything, from scratch: list, inspect every container, one helper run for every running pid. */
export async function readAllInputs(engine: Engine, options: FullReadOptions): Promise<SnapshotInputs> {
  const docker = engine.docker;
  // The ping bounds the wait for a dead engine; the other calls go out with it
  // rather than after it, and lose to its clearer error if it fails.
  // A dead engine fails the ping first; the helper's choice is then never awaited, and must not be an unhandled rejection.
  if (options.helper instanceof Promise) options.helper.catch(() => undefined);
  const ping = pingEngine(engine, options.pingTimeoutMs);
  const answers = Promise.all([docker.version(), docker.listContainers({ all: true }), docker.listNetworks(), docker.listVolumes()]);
  answers.catch(() => undefined);
  await ping;
  const [version, listed, rawNetworks, rawVolumes] = await answers;
  const engineFacts = { endpoint: engine.endpoint.url, version: version.Version, apiVersion: version.ApiVersion, os: version.Os };
  const networks = sortNetworks(rawNetworks.map(toDockerNetwork));
  // Our own helper containers are known by the ids and names we gave them, never by a label.
  const notOurs = (runner: HelperSelection['runner']) => (c: (typeof listed)[number]) =>
    !runner?.ownsContainer(c.Id) && !(c.Names ?? []).some((n) => runner?.ownsContainer(n));
  const settled = options.helper instanceof Promise ? null : options.helper;
  options.onListed?.(
    assembleSnapshot({
      engine: engineFacts,
      inspected: listed.filter(notOurs(settled?.runner ?? null)).map(inspectFromListEntry),
      networks,
      rawVolumes: rawVolumes.Volumes ?? [],
      facts: null,
      // Not chosen yet: no warning row until the full read says whether the helper runs.
      helper: settled ? { mode: settled.mode, ok: !!settled.runner, reason: settled.runner ? null : settled.reason } : { mode: 'off', ok: true, reason: null },
      preliminary: true,
    }),
  );
  const helper = await options.helper;
  const theirs = listed.filter(notOurs(helper.runner));
  // One container the daemon cannot inspect (half-removed, a storage error) costs only its own details.
  const inspectErrors = new Map<string, string>();
  const inspected = (
    await mapWithConcurrency(theirs, INSPECT_CONCURRENCY, async (c) => {
      const got = await inspectOrError(docker, c.Id);
      if (typeof got !== 'string') return got;
      inspectErrors.set(c.Id, got);
      return inspectFromListEntry(c);
    })
  ).filter((i): i is ContainerInspect => i !== null);
  const { facts, status } = await readHostFacts(helper, helperTargets(inspected.filter((i) => !inspectErrors.has(i.Id))));
  return {
    inspectErrors,
    engine: engineFacts,
    inspected: new Map(inspected.map((i) => [i.Id, i])),
    networks,
    rawVolumes: rawVolumes.Volumes ?? [],
    facts,
    helper: status,
  };
}

/** An event batch that cannot be applied on top of the kept inputs: the caller reads everything instead. */
export class NeedsFullRead extends Error {}

/**
 * The inputs after a batch of events: the containers they name inspected
 * again (or dropped when gone), the network or volume list read again if it
 * changed, and one helper run for those containers' pids, which also reads the
 * host's links afresh (a veth comes or goes with every start and stop). The
 * cost depends on the batch, not on how many containers the engine has.
 */
export async function applyEvents(engine: Engine, options: SnapshotOptions, inputs: SnapshotInputs, events: readonly EngineEvent[]): Promise<SnapshotInputs> {
  const docker = engine.docker;
  const runner = options.helper.runner;
  const stale = staleParts(events);
  const ids = [...stale.containers].filter((id) => !runner?.ownsContainer(id));
  const inspectErrors = new Map(inputs.inspectErrors);
  const [fresh, networks, volumes] = await Promise.all([
    mapWithConcurrency(ids, INSPECT_CONCURRENCY, async (id) => {
      const got = await inspectOrError(docker, id);
      if (typeof got !== 'string') {
        inspectErrors.delete(id);
        return got;
      }
      // Keep what the model knew of it, and say why it is not fresher.
      const known = inputs.inspected.get(id);
      if (known) inspectErrors.set(known.Id, got);
      return known ?? null;
    }),
    stale.networks ? docker.listNetworks().then((n) => sortNetworks(n.map(toDockerNetwork))) : Promise.resolve(inputs.networks),
    stale.volumes ? docker.listVolumes().then((v) => v.Volumes ?? []) : Promise.resolve(inputs.rawVolumes),
  ]);
  const inspected = new Map(inputs.inspected);
  const replacedPids = new Set<number>();
  const replacedIds = new Set<string>();
  ids.forEach((id, i) => {
    const before = inspected.get(id);
    const beforePid = before ? containerPid(before) : null;
    if (beforePid !== null) replacedPids.add(beforePid);
    replacedIds.add(id);
    const now = fresh[i];
    // An event may name a container by a short id; keep the engine's full one.
    if (now) {
      inspected.delete(id);
      inspected.set(now.Id, now);
      replacedIds.add(now.Id);
    } else inspected.delete(id);
  });
  // Containers that share a network namespace with one that changed (joined it
  // with --network container:X) see its interfaces come and go without an event
  // of their own: their namespace is read again too.
  const changedNets = new Set<number>();
  for (const pid of replacedPids) {
    const net = inputs.facts?.namespacesByPid.get(pid)?.net;
    if (net) changedNets.add(net);
  }
  const sharers = [...inspected.values()].filter((c) => {
    const pid = containerPid(c);
    const net = pid === null ? null : inputs.facts?.namespacesByPid.get(pid)?.net;
    return (
      !replacedIds.has(c.Id) &&
      net !== null &&
      net !== undefined &&
      changedNets.has(net) &&
      net !== inputs.facts?.namespacesByPid.get(inputs.facts.referencePid)?.net
    );
  });
  for (const c of sharers) replacedPids.add(containerPid(c) as number);
  let facts = inputs.facts;
  let helper = inputs.helper;
  if ((ids.length || stale.hostLinks) && options.helper.runner) {
    // Host facts are merged per container: with none to merge into (the last helper run failed), only a full read is whole.
    if (!inputs.facts) throw new NeedsFullRead('there are no host facts to update from the last read');
    const targets = [...fresh.filter((i): i is ContainerInspect => i !== null && !inspectErrors.has(i.Id)), ...sharers];
    // With no container left to read (all removed), or only the host's links
    // to read again, one verified container still anchors the host reference,
    // as in every full read: without one the helper falls back to PID 1, which
    // need not be Docker's host (a sandboxed init's namespaces may be unreadable).
    if (!targets.length) {
      const anchor = [...inspected.values()].find((c) => !replacedIds.has(c.Id) && containerPid(c) !== null && inputs.facts?.verdicts.get(c.Id)?.verified);
      if (anchor) {
        targets.push(anchor);
        replacedPids.add(containerPid(anchor) as number);
        replacedIds.add(anchor.Id);
      }
    }
    const read = await readHostFacts(options.helper, helperTargets(targets));
    // A failed run for a few containers must not cost every other container its facts (a
    // container exiting mid-read takes its shim, the host reference, with it): read everything.
    if (!read.facts) throw new NeedsFullRead(read.status.reason ?? 'the host helper failed');
    helper = read.status;
    facts = mergeHostFacts(inputs.facts, read.facts, replacedPids, replacedIds);
  }
  for (const id of inspectErrors.keys()) if (!inspected.has(id)) inspectErrors.delete(id);
  return { ...inputs, inspected, networks, rawVolumes: volumes, facts, helper, inspectErrors };
}

function sortNetworks(networks: DockerNetworkSnapshot[]): DockerNetworkSnapshot[] {
  return networks.sort((a, b) => compareNatural(a.name, b.name));
}

/** PID:CONTAINER_ID for every running container: the helper trusts a pid only with the id it must belong to. */
function helperTargets(inspected: readonly ContainerInspect[]): string[] {
  return inspected.flatMap((i) => {
    const pid = containerPid(i);
    return pid === null ? [] : [`${pid}:${i.Id}`];
  });
}

/** The inspect, null when the container is gone (404: removed between list and inspect), or the daemon's reason for any other failure. */
async function inspectOrError(docker: Dockerode, id: string): Promise<ContainerInspect | null | string> {
  try {
    return await docker.getContainer(id).inspect();
  } catch (error) {
    const status = (error as { statusCode?: number }).statusCode;
    if (status === 404) return null;
    // No status at all means the engine itself is unreachable: that is the whole snapshot's problem.
    if (status === undefined) throw error;
    return `${firstLine((error as { json?: { message?: string } }).json?.message ?? (error as Error).message)} (HTTP ${status})`;
  }
}

/** The helper's word when the container whose shim it used as the host reference stopped mid-read: a new run picks another. */
const REFERENCE_ENDED = 'the host reference process ended while it was read';

async function readHostFacts(selection: HelperSelection, targets: string[]): Promise<{ facts: HostFacts | null; status: HelperStatus }> {
  const first = await readHostFactsOnce(selection, targets);
  return first.status.reason?.includes(REFERENCE_ENDED) ? readHostFactsOnce(selection, targets) : first;
}

async function readHostFactsOnce(selection: HelperSelection, targets: string[]): Promise<{ facts: HostFacts | null; status: HelperStatus }> {
  if (!selection.runner) return { facts: null, status: { mode: selection.mode, ok: false, reason: selection.reason } };
  try {
    const result = await selection.runner.run(['collect', ...targets]);
    if (result.exitCode !== 0 && !result.stdout.length) {
      const why = firstLine(result.stderr) || `exit status ${result.exitCode}`;
      return { facts: null, status: { mode: selection.mode, ok: false, reason: `the host helper (${selection.runner.description}) failed: ${why}` } };
    }
    const facts = parseHelperOutput(result.stdout);
    const reason = facts.ipMode === 'none' ? 'the Docker host has no `ip` that prints JSON (install iproute2), so interfaces are missing' : null;
    return { facts, status: { mode: selection.mode, ok: true, reason } };
  } catch (error) {
    return {
      facts: null,
      status: { mode: selection.mode, ok: false, reason: `the host helper (${selection.runner.description}) failed: ${firstLine((error as Error).message)}` },
    };
  }
}
