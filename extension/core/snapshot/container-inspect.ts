// Normalises `docker inspect` output into the parts of the model that the
// Docker API alone can give: identity, state, mounts and network endpoints.

import type Dockerode from 'dockerode';
import type { EndpointSnapshot, MountSnapshot, PortSnapshot, VolumeSnapshot } from './model';

export type ContainerInspect = Dockerode.ContainerInspectInfo;

/** Docker names anonymous volumes with 64 random hex digits (a named volume may not look like that by accident). */
export function isAnonymousVolumeName(name: string | undefined): boolean {
  return !!name && /^[0-9a-f]{64}$/.test(name);
}

export function containerName(inspect: Pick<ContainerInspect, 'Name' | 'Id'>): string {
  const name = inspect.Name?.replace(/^\//, '');
  return name || inspect.Id.slice(0, 12);
}

/**
 * What one element of GET /containers/json already tells, shaped as an
 * inspect, so the rows can be drawn from the list call alone while every
 * container is still being inspected. No pid: namespaces wait for the inspect.
 */
export function inspectFromListEntry(entry: Dockerode.ContainerInfo): ContainerInspect {
  return {
    Id: entry.Id,
    Name: `/${(entry.Names?.[0] ?? entry.Id.slice(0, 12)).replace(/^\//, '')}`,
    Image: entry.ImageID,
    Config: { Image: entry.Image, Labels: entry.Labels ?? {} },
    State: { Status: entry.State, Running: entry.State === 'running', Paused: entry.State === 'paused', Pid: 0 },
    HostConfig: { NetworkMode: entry.HostConfig?.NetworkMode ?? 'default' },
    Mounts: entry.Mounts ?? [],
    NetworkSettings: { Networks: entry.NetworkSettings?.Networks ?? {} },
  } as unknown as ContainerInspect;
}

/** A pid only for containers whose processes exist: running, paused, or restarting with a live pid. */
export function containerPid(inspect: Pick<ContainerInspect, 'State'>): number | null {
  const pid = inspect.State?.Pid;
  return typeof pid === 'number' && pid > 0 ? pid : null;
}

export function normalizeMounts(inspect: ContainerInspect): MountSnapshot[] {
  const mounts: MountSnapshot[] = (inspect.Mounts ?? []).map((m) => {
    const raw = m as typeof m & { Type?: string; Name?: string; Driver?: string; Propagation?: string };
    const type = raw.Type ?? (raw.Name ? 'volume' : 'bind');
    const mount: MountSnapshot = {
      type,
      source: raw.Source ? raw.Source : null,
      destination: raw.Destination,
      rw: raw.RW !== false,
      propagation: raw.Propagation ?? '',
    };
    if (raw.Name) mount.name = raw.Name;
    if (raw.Driver) mount.driver = raw.Driver;
    if (type === 'volume') mount.anonymous = isAnonymousVolumeName(raw.Name);
    return mount;
  });
  // `--tmpfs /path` lives in HostConfig.Tmpfs and is missing from .Mounts.
  const tmpfs = (inspect.HostConfig as { Tmpfs?: Record<string, string> } | undefined)?.Tmpfs ?? {};
  for (const [destination, options] of Object.entries(tmpfs)) {
    if (mounts.some((m) => m.destination === destination)) continue;
    const opts = options.split(',');
    mounts.push({ type: 'tmpfs', source: null, destination, rw: !opts.includes('ro'), propagation: '' });
  }
  return mounts.sort((a, b) => a.destination.localeCompare(b.destination));
}

export function normalizeEndpoints(inspect: ContainerInspect): EndpointSnapshot[] {
  const networks = inspect.NetworkSettings?.Networks ?? {};
  return Object.entries(networks)
    .map(([name, ep]) => {
      const e = ep as { NetworkID?: string; IPAddress?: string; IPPrefixLen?: number; GlobalIPv6Address?: string; MacAddress?: string; Gateway?: string };
      return {
        network: name,
        networkId: e.NetworkID ?? '',
        ipAddress: e.IPAddress ? `${e.IPAddress}/${e.IPPrefixLen ?? 32}` : null,
        ipv6Address: e.GlobalIPv6Address || null,
        macAddress: e.MacAddress ? e.MacAddress.toLowerCase() : null,
        gateway: e.Gateway || null,
      };
    })
    .sort((a, b) => a.network.localeCompare(b.network));
}

/** The published bindings of NetworkSettings.Ports ("80/tcp": [{HostIp, HostPort}]), sorted. */
export function normalizePorts(inspect: ContainerInspect): PortSnapshot[] {
  const ports = (inspect.NetworkSettings as { Ports?: Record<string, Array<{ HostIp?: string; HostPort?: string }> | null> } | undefined)?.Ports ?? {};
  const out: PortSnapshot[] = [];
  for (const [key, bindings] of Object.entries(ports)) {
    const [port, protocol] = key.split('/');
    for (const b of bindings ?? []) {
      const hostPort = Number(b.HostPort);
      if (!Number.isInteger(hostPort) || hostPort <= 0) continue;
      out.push({ containerPort: Number(port), protocol: protocol ?? 'tcp', hostIp: b.HostIp || '0.0.0.0', hostPort });
    }
  }
  return out.sort((a, b) => a.hostPort - b.hostPort || a.hostIp.localeCompare(b.hostIp) || a.protocol.localeCompare(b.protocol));
}

export function composeIdentity(labels: Record<string, string>): { project: string; service: string } | null {
  const project = labels['com.docker.compose.project'];
  const service = labels['com.docker.compose.service'];
  return project && service ? { project, service } : null;
}

/** Normalises one element of GET /volumes and lists who mounts it. */
export function toVolume(
  raw: { Name: string; Driver?: string; Mountpoint?: string; Labels?: Record<string, string> | null; Options?: Record<string, string> | null },
  containers: ReadonlyArray<{ name: string; mounts: readonly MountSnapshot[] }>,
): VolumeSnapshot {
  const labels = raw.Labels ?? {};
  const options = raw.Options ?? {};
  const bindBacked = options.o?.split(',').includes('bind') && options.device;
  return {
    name: raw.Name,
    driver: raw.Driver ?? 'local',
    mountpoint: raw.Mountpoint || null,
    anonymous: labels['com.docker.volume.anonymous'] !== undefined || isAnonymousVolumeName(raw.Name),
    device: bindBacked ? (options.device as string) : null,
    labels,
    usedBy: containers.flatMap((c) =>
      c.mounts.filter((m) => m.type === 'volume' && m.name === raw.Name).map((m) => ({ container: c.name, destination: m.destination, rw: m.rw })),
    ),
  };
}
