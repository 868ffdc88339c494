// The snapshot model: one value that flows one way, from the core to the tree,
// the diagram, the language server and the CLI. Its JSON form (`snapshot --json`)
// is a public contract for scripts: keep field names stable, add rather than rename.

export const NAMESPACE_TYPES = ['net', 'mnt', 'pid', 'uts', 'ipc', 'cgroup', 'user', 'time'] as const;
export type NamespaceType = (typeof NAMESPACE_TYPES)[number];
export type NamespaceInodes = Record<NamespaceType, number | null>;

export const HELPER_MODES = ['auto', 'local', 'sudo', 'container', 'off'] as const;
export type HelperMode = (typeof HELPER_MODES)[number];
export type ResolvedHelperMode = Exclude<HelperMode, 'auto'>;

export type InterfaceKind = 'veth' | 'loopback' | 'macvlan' | 'ipvlan' | 'bridge' | 'other';

export interface Snapshot {
  engine: EngineSummary;
  /** ISO time the snapshot was finished. */
  takenAt: string;
  helper: HelperStatus;
  /** Namespaces of the process Docker treats as the host (containerd-shim's). Null without the helper. */
  hostNamespaces: NamespaceInodes | null;
  containers: ContainerSnapshot[];
  bridges: BridgeSnapshot[];
  networks: DockerNetworkSnapshot[];
  volumes: VolumeSnapshot[];
  /** Every namespace that at least one running container is in, with who is in it. */
  namespaceGroups: NamespaceGroup[];
  /** Present and true on the first look's rows-only snapshot, drawn from the list call while everything else is read. */
  preliminary?: true;
}

export interface EngineSummary {
  endpoint: string;
  version: string;
  apiVersion: string;
  os: string;
}

export interface HelperStatus {
  mode: ResolvedHelperMode;
  ok: boolean;
  /** Why host facts are missing or partial, phrased for a person. */
  reason: string | null;
}

export interface ContainerSnapshot {
  id: string;
  /** Without Docker's leading slash. */
  name: string;
  image: string;
  state: string;
  pid: number | null;
  networkMode: string;
  namespaces: NamespaceInodes;
  mounts: MountSnapshot[];
  interfaces: InterfaceSnapshot[];
  /** What the Docker API says about each network endpoint; present even without the helper. */
  endpoints: EndpointSnapshot[];
  /** Published ports (-p), as the engine bound them; empty for a container not running. */
  ports: PortSnapshot[];
  compose: { project: string; service: string } | null;
  labels: Record<string, string>;
  /** Facts that could not be read, keyed by the field they are missing from. */
  unavailable: { namespaces?: string; interfaces?: string };
}

export interface MountSnapshot {
  type: string;
  /** The Source that `docker inspect` reports: for volumes, the volume's host mountpoint. */
  source: string | null;
  destination: string;
  rw: boolean;
  propagation: string;
  name?: string;
  driver?: string;
  anonymous?: boolean;
}

export interface InterfaceSnapshot {
  name: string;
  kind: InterfaceKind;
  /** The kernel's own kind (linkinfo.info_kind), e.g. "veth", "vxlan", "wireguard"; null when it has none. */
  driverKind: string | null;
  ifindex: number;
  /** For veth: the ifindex of the other end (in whatever namespace it lives). For macvlan/ipvlan: the parent's ifindex. */
  peerIfindex: number | null;
  mac: string | null;
  addresses: string[];
  mtu: number | null;
  state: string;
  /** The Docker network this interface is the endpoint of, matched by MAC address. */
  network: string | null;
  hostPeer: { name: string; ifindex: number; bridge: string | null } | null;
  /** For macvlan/ipvlan: the host link it hangs off. */
  parent: { name: string; ifindex: number } | null;
}

export interface EndpointSnapshot {
  network: string;
  networkId: string;
  ipAddress: string | null;
  ipv6Address: string | null;
  macAddress: string | null;
  gateway: string | null;
}

export interface PortSnapshot {
  containerPort: number;
  protocol: string;
  /** The host address bound ("0.0.0.0", "::", or one address). */
  hostIp: string;
  hostPort: number;
}

export interface BridgeSnapshot {
  name: string;
  ifindex: number;
  network: string | null;
  ports: string[];
  addresses: string[];
  state: string;
}

export interface DockerNetworkSnapshot {
  id: string;
  name: string;
  driver: string;
  scope: string;
  /** The Linux bridge behind a bridge-driver network. */
  bridge: string | null;
  subnets: string[];
  gateways: string[];
  /** For macvlan/ipvlan networks, the host link named by the "parent" option. */
  parent: string | null;
}

export interface VolumeSnapshot {
  name: string;
  driver: string;
  /** Where the volume's data lives on the engine's host. */
  mountpoint: string | null;
  anonymous: boolean;
  /** For local volumes bound to a host directory (type=none,o=bind,device=DIR). */
  device: string | null;
  labels: Record<string, string>;
  usedBy: Array<{ container: string; destination: string; rw: boolean }>;
}

export interface NamespaceGroup {
  type: NamespaceType;
  inode: number;
  isHost: boolean;
  /** Container names, sorted. */
  containers: string[];
}
