// Recorded from the lab engine (docker inspect, GET /networks, one helper run).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ContainerInspect } from '../../extension/core/snapshot/container-inspect';
import { parseHelperOutput, type HostFacts } from '../../extension/core/host/helper-output';
import { assembleSnapshot } from '../../extension/core/snapshot/snapshot-assembly';
import type { DockerNetworkSnapshot, Snapshot } from '../../extension/core/snapshot/model';
import { toDockerNetwork } from '../../extension/core/snapshot/topology';

interface LabFixture {
  inspect: ContainerInspect[];
  networks: Parameters<typeof toDockerNetwork>[0][];
  helper: unknown;
}

const fixturePath = path.join(__dirname, '..', '..', '..', 'test', 'unit', 'fixtures', 'lab-engine.json');

export function loadLabFixture(): { inspect: ContainerInspect[]; networks: DockerNetworkSnapshot[]; facts: HostFacts; helperJson: string } {
  const raw = JSON.parse(fs.readFileSync(fixturePath, 'utf8')) as LabFixture;
  const helperJson = JSON.stringify(raw.helper);
  return { inspect: raw.inspect, networks: raw.networks.map(toDockerNetwork), facts: parseHelperOutput(helperJson), helperJson };
}

/** The recorded lab, assembled as a local-helper snapshot: what the pure tests of views and diagram start from. */
export function labSnapshot(): Snapshot {
  const { inspect, networks, facts } = loadLabFixture();
  return assembleSnapshot({
    engine: { endpoint: 'unix:///x', version: '1', apiVersion: '1', os: 'linux' },
    inspected: inspect,
    networks,
    facts,
    helper: { mode: 'local', ok: true, reason: null },
  });
}
