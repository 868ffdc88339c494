// Recorded from the lab engine (docker inspect, GET /networks, one helper run).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ContainerInspect } from '../../extension/core/snapshot/container-inspect';
import { parseHelperOutput, type HostFacts } from '../../extension/core/host/helper-output';
import type { DockerNetworkSnapshot } from '../../extension/core/snapshot/model';
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
