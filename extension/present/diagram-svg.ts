// The network diagram: a pure function from a Snapshot to an SVG document.
// Layout is ELK's (layered, compound nodes); this file only decides what the
// nodes are and writes the SVG. The webview and the CLI both call it, so an
// exported file is exactly what was on screen.
//
// Every name and label enters the SVG as escaped text or attribute values, and
// the SVG carries data-* attributes that make it scriptable and testable:
//   data-netns="<inode>" on each network-namespace box,
//   data-container="<name>" on each container label,
//   data-ifname="<name>" on each interface,
//   data-bridge="<name>" on each bridge,
//   data-group="<bridge>" on each group box (a crowd on one bridge, drawn as one).

import ELK from 'elkjs/lib/elk.bundled.js';
import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api';
import type { ContainerSnapshot, InterfaceSnapshot, Snapshot } from '../core/snapshot/model';

export interface DiagramOptions {
  /** Include a <style> block with light-theme colours, for a standalone file. The webview styles it itself. */
  standalone?: boolean;
  /**
   * A bridge with more container namespaces than this (on it alone) is drawn as
   * one group box with their count, so hundreds of containers stay readable.
   */
  groupAbove?: number;
  /** Bridges whose group is open: their containers are drawn one by one. */
  expanded?: readonly string[];
}

export const DEFAULT_GROUP_ABOVE = 20;

const CHAR_WIDTH = 6.8;
const LINE_HEIGHT = 16;
const PAD = 10;

interface NodeInfo {
  kind: 'host' | 'netns' | 'bridge' | 'veth' | 'parent' | 'iface' | 'hostContainers' | 'group' | 'port';
  lines: Array<{ text: string; cls: string; container?: string }>;
  attrs: Record<string, string>;
  title: string;
}

interface EdgeInfo {
  kind: 'veth' | 'bridge' | 'parent' | 'dnat';
  attrs: Record<string, string>;
}

// eslint-disable-next-line no-control-regex -- matching the control characters XML 1.0 forbids is the point
const XML_FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g;

export function escapeXml(text: string): string {
  // Control characters are not allowed in XML 1.0 at all; drop them.
  return text.replace(XML_FORBIDDEN, '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

function textWidth(lines: Array<{ text: string }>): number {
  return Math.max(60, ...lines.map((l) => l.text.length * CHAR_WIDTH)) + 2 * PAD;
}

function box(id: string, info: NodeInfo, nodes: Map<string, NodeInfo>): ElkNode {
  nodes.set(id, info);
  return { id, width: textWidth(info.lines), height: info.lines.length * LINE_HEIGHT + PAD };
}

function ifaceLabel(i: InterfaceSnapshot): string {
  const addr = i.addresses.find((a) => !a.startsWith('fe80:') && !a.startsWith('127.') && a !== '::1/128');
  return addr ? `${i.name} ${addr}` : i.name;
}

function netnsKey(c: ContainerSnapshot): string | null {
  return c.namespaces.net !== null ? String(c.namespaces.net) : null;
}

/** The graph ELK lays out, plus what each node and edge means. */
/** The one bridge every veth of a namespace's owner plugs into, or null (several, none, or a macvlan/ipvlan parent). */
function soleBridge(owner: ContainerSnapshot): string | null {
  if (owner.interfaces.some((i) => i.parent)) return null;
  const bridges = new Set(owner.interfaces.filter((i) => i.hostPeer).map((i) => i.hostPeer?.bridge ?? ''));
  const [only] = bridges;
  return bridges.size === 1 && only ? only : null;
}

export function diagramGraph(snapshot: Snapshot, options: DiagramOptions = {}): { graph: ElkNode; nodes: Map<string, NodeInfo>; edges: Map<string, EdgeInfo> } {
  const nodes = new Map<string, NodeInfo>();
  const edges = new Map<string, EdgeInfo>();
  const hostNet = snapshot.hostNamespaces?.net ?? null;
  const hostChildren: ElkNode[] = [];
  const rootChildren: ElkNode[] = [];
  const elkEdges: ElkExtendedEdge[] = [];

  // Bridges, with their Docker network and subnet.
  for (const b of snapshot.bridges) {
    const net = snapshot.networks.find((n) => n.name === b.network);
    const sub = [
      b.network ? `network ${b.network}` : 'not a Docker network',
      ...(net?.subnets ?? []),
      ...(net?.gateways.length ? [`gw ${net.gateways.join(', ')}`] : []),
    ].join(' · ');
    hostChildren.push(
      box(
        `bridge:${b.name}`,
        {
          kind: 'bridge',
          lines: [
            { text: b.name, cls: 'title' },
            { text: sub, cls: 'sub' },
          ],
          attrs: { 'data-bridge': b.name, ...(b.network ? { 'data-network': b.network } : {}) },
          title: `bridge ${b.name}\n${b.addresses.join(', ')}\n${b.ports.length} port(s)`,
        },
        nodes,
      ),
    );
  }

  // Containers that run in the host's network namespace.
  const hostContainers = snapshot.containers.filter((c) => c.namespaces.net !== null && c.namespaces.net === hostNet);
  if (hostContainers.length) {
    hostChildren.push(
      box(
        'hostContainers',
        {
          kind: 'hostContainers',
          lines: [{ text: 'host-network containers', cls: 'sub' }, ...hostContainers.map((c) => ({ text: c.name, cls: 'container', container: c.name }))],
          attrs: { 'data-netns': String(hostNet) },
          title: "These containers share the host's network namespace: no interfaces of their own.",
        },
        nodes,
      ),
    );
  }

  // One box per container network namespace; sharers (--network container:X) together.
  const groups = new Map<string, ContainerSnapshot[]>();
  for (const c of snapshot.containers) {
    const key = netnsKey(c);
    if (!key || c.namespaces.net === hostNet) continue;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  // Crowds: namespaces plugged into one bridge only, counted per bridge.
  const onBridge = new Map<string, Array<[string, ContainerSnapshot[]]>>();
  for (const [inode, members] of groups) {
    const owner = members.find((m) => m.interfaces.length) ?? members[0];
    const bridge = owner ? soleBridge(owner) : null;
    if (bridge) onBridge.set(bridge, [...(onBridge.get(bridge) ?? []), [inode, members]]);
  }
  const limit = options.groupAbove ?? DEFAULT_GROUP_ABOVE;
  const grouped = new Set<string>();
  for (const [bridge, crowd] of onBridge) {
    if (crowd.length <= limit || options.expanded?.includes(bridge) || !nodes.has(`bridge:${bridge}`)) continue;
    const names = crowd.flatMap(([, members]) => members.map((m) => m.name));
    const groupId = `group:${bridge}`;
    for (const [inode] of crowd) grouped.add(inode);
    const networks = [...new Set(crowd.flatMap(([, members]) => members.flatMap((m) => m.interfaces.map((i) => i.network)).filter((n): n is string => !!n)))];
    rootChildren.push(
      box(
        groupId,
        {
          kind: 'group',
          lines: [
            { text: `${names.length} containers on ${bridge}`, cls: 'title' },
            { text: `${crowd.length} network namespaces · click to open`, cls: 'sub' },
          ],
          attrs: { 'data-group': bridge, 'data-containers': names.join(' '), ...(networks.length ? { 'data-network': networks.join(' ') } : {}) },
          title: `${names.length} containers on ${bridge}, drawn as one box:\n${names.slice(0, 40).join('\n')}${names.length > 40 ? `\n… and ${names.length - 40} more` : ''}`,
        },
        nodes,
      ),
    );
    const e = `e:${groupId}->bridge:${bridge}`;
    elkEdges.push({ id: e, sources: [groupId], targets: [`bridge:${bridge}`] });
    edges.set(e, {
      kind: 'bridge',
      attrs: { 'data-bridge': bridge, 'data-group': bridge, ...(networks.length ? { 'data-network': networks.join(' ') } : {}) },
    });
  }

  const parents = new Set<string>();
  for (const [inode, members] of groups) {
    if (grouped.has(inode)) continue;
    const owner = members.find((m) => m.interfaces.length) ?? members[0];
    if (!owner) continue;
    const networks = [...new Set(owner.interfaces.map((i) => i.network).filter((n): n is string => !!n))];
    const nsId = `netns:${inode}`;
    const lines = members.map((m) => ({ text: m.compose ? `${m.name} (${m.compose.service})` : m.name, cls: 'container', container: m.name }));
    nodes.set(nsId, {
      kind: 'netns',
      lines,
      attrs: {
        'data-netns': inode,
        'data-containers': members.map((m) => m.name).join(' '),
        ...(networks.length ? { 'data-network': networks.join(' ') } : {}),
      },
      title: `net:[${inode}]\n${members.map((m) => `${m.name} · ${m.image} · ${m.state}`).join('\n')}`,
    });
    const children: ElkNode[] = [];
    for (const i of owner.interfaces) {
      const ifId = `${nsId}/if:${i.name}`;
      children.push(
        box(
          ifId,
          {
            kind: 'iface',
            lines: [{ text: ifaceLabel(i), cls: 'iface' }],
            attrs: { 'data-ifname': i.name, 'data-kind': i.kind, ...(i.network ? { 'data-network': i.network } : {}) },
            title: [`${i.name} (${i.kind})`, i.mac ? `MAC ${i.mac}` : '', i.addresses.join(', '), i.network ? `network ${i.network}` : '']
              .filter(Boolean)
              .join('\n'),
          },
          nodes,
        ),
      );
      if (i.hostPeer) {
        const vethId = `veth:${i.hostPeer.name}`;
        if (!nodes.has(vethId)) {
          hostChildren.push(
            box(
              vethId,
              {
                kind: 'veth',
                lines: [{ text: i.hostPeer.name, cls: 'iface' }],
                attrs: { 'data-ifname': i.hostPeer.name, 'data-kind': 'veth', ...(i.network ? { 'data-network': i.network } : {}) },
                title: `host end of ${owner.name}'s ${i.name}\nifindex ${i.hostPeer.ifindex}`,
              },
              nodes,
            ),
          );
        }
        const e1 = `e:${ifId}->${vethId}`;
        elkEdges.push({ id: e1, sources: [ifId], targets: [vethId] });
        edges.set(e1, {
          kind: 'veth',
          attrs: { 'data-netns': inode, 'data-ifname': i.name, 'data-from-container': owner.name, ...(i.network ? { 'data-network': i.network } : {}) },
        });
        if (i.hostPeer.bridge && nodes.has(`bridge:${i.hostPeer.bridge}`)) {
          const e2 = `e:${vethId}->bridge:${i.hostPeer.bridge}`;
          if (!edges.has(e2)) {
            elkEdges.push({ id: e2, sources: [vethId], targets: [`bridge:${i.hostPeer.bridge}`] });
            edges.set(e2, { kind: 'bridge', attrs: { 'data-bridge': i.hostPeer.bridge, ...(i.network ? { 'data-network': i.network } : {}) } });
          }
        }
      } else if (i.parent) {
        // macvlan/ipvlan: no veth and no bridge; the interface hangs off a host link.
        const parentId = `parent:${i.parent.name}`;
        if (!parents.has(parentId)) {
          parents.add(parentId);
          hostChildren.push(
            box(
              parentId,
              {
                kind: 'parent',
                lines: [
                  { text: i.parent.name, cls: 'title' },
                  { text: 'host link', cls: 'sub' },
                ],
                attrs: { 'data-ifname': i.parent.name, 'data-kind': 'parent' },
                title: `host link ${i.parent.name} (ifindex ${i.parent.ifindex})`,
              },
              nodes,
            ),
          );
        }
        const e = `e:${ifId}->${parentId}`;
        elkEdges.push({ id: e, sources: [ifId], targets: [parentId] });
        edges.set(e, {
          kind: 'parent',
          attrs: {
            'data-netns': inode,
            'data-ifname': i.name,
            'data-from-container': owner.name,
            'data-kind': i.kind,
            ...(i.network ? { 'data-network': i.network } : {}),
          },
        });
      }
    }
    const header = lines.length * LINE_HEIGHT + 2 * PAD;
    rootChildren.push({
      id: nsId,
      children,
      layoutOptions: {
        'elk.padding': `[top=${header},left=${PAD},bottom=${PAD},right=${PAD}]`,
        'elk.nodeSize.minimum': `(${textWidth(lines)}, ${header + 20})`,
        'elk.nodeSize.constraints': 'MINIMUM_SIZE',
      },
    });
  }

  // Published ports: a host address and port, DNAT to the container's namespace (or its crowd's box).
  const boxOf = new Map<string, string>();
  for (const [inode, members] of groups) {
    const owner = members.find((m) => m.interfaces.length) ?? members[0];
    const bridge = owner ? soleBridge(owner) : null;
    for (const m of members) boxOf.set(m.id, grouped.has(inode) && bridge ? `group:${bridge}` : `netns:${inode}`);
  }
  for (const c of snapshot.containers) {
    const target = boxOf.get(c.id);
    if (!target || !nodes.has(target)) continue;
    for (const p of c.ports) {
      const portId = `port:${p.hostIp}:${p.hostPort}/${p.protocol}`;
      if (nodes.has(portId)) continue;
      const ip = c.endpoints.find((e) => e.ipAddress)?.ipAddress?.split('/')[0] ?? '?';
      hostChildren.push(
        box(
          portId,
          {
            kind: 'port',
            lines: [{ text: `${p.hostIp.includes(':') ? `[${p.hostIp}]` : p.hostIp}:${p.hostPort}/${p.protocol}`, cls: 'iface' }],
            attrs: { 'data-port': `${p.hostPort}/${p.protocol}`, 'data-host-ip': p.hostIp, 'data-published-by': c.name },
            title: `published port: host ${p.hostIp}:${p.hostPort}/${p.protocol} → ${c.name} ${ip}:${p.containerPort} (DNAT in the nat table)`,
          },
          nodes,
        ),
      );
      const e = `e:${portId}->${target}`;
      elkEdges.push({ id: e, sources: [portId], targets: [target] });
      edges.set(e, { kind: 'dnat', attrs: { 'data-port': `${p.hostPort}/${p.protocol}`, 'data-published-by': c.name } });
    }
  }

  nodes.set('host', {
    kind: 'host',
    lines: [{ text: `host network namespace${hostNet !== null ? ` net:[${hostNet}]` : ''}`, cls: 'title' }],
    attrs: hostNet !== null ? { 'data-host-netns': String(hostNet) } : {},
    title: "The host's network namespace: bridges, host ends of veth pairs, and host-network containers.",
  });
  rootChildren.unshift({
    id: 'host',
    children: hostChildren,
    layoutOptions: {
      'elk.padding': `[top=${LINE_HEIGHT + 2 * PAD},left=${PAD},bottom=${PAD},right=${PAD}]`,
      'elk.nodeSize.minimum': '(240, 60)',
      'elk.nodeSize.constraints': 'MINIMUM_SIZE',
    },
  });

  const graph: ElkNode = {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
      'elk.edgeRouting': 'ORTHOGONAL',
      'elk.spacing.nodeNode': '16',
      'elk.layered.spacing.nodeNodeBetweenLayers': '36',
      'elk.json.edgeCoords': 'ROOT',
      'elk.json.shapeCoords': 'ROOT',
    },
    children: rootChildren,
    edges: elkEdges,
  };
  return { graph, nodes, edges };
}

const STANDALONE_STYLE = `
.ci-diagram{font-family:system-ui,sans-serif;font-size:12px;background:#fff}
.ci-diagram .frame{fill:#f3f6fa;stroke:#8a99ad}
.ci-diagram .netns rect.box{fill:#fff;stroke:#3b6fb6}.ci-diagram .group rect.box{fill:#eef3fb;stroke:#3b6fb6;stroke-dasharray:5 3}
.ci-diagram .bridge rect,.ci-diagram .parent rect{fill:#e8f1e4;stroke:#4b8a3a}
.ci-diagram .veth rect,.ci-diagram .iface rect{fill:#fff7e6;stroke:#b8862e}
.ci-diagram text{fill:#1f2328}.ci-diagram text.sub{fill:#57606a;font-size:11px}.ci-diagram text.title,.ci-diagram text.container{font-weight:600}
.ci-diagram path.edge{fill:none;stroke:#57606a;stroke-width:1.4}.ci-diagram path.edge.parent{stroke-dasharray:4 3}.ci-diagram path.edge.dnat{stroke:#8250df;stroke-dasharray:6 3}.ci-diagram .port rect{fill:#f5f0ff;stroke:#8250df}
`;

function attrs(map: Record<string, string>): string {
  return Object.entries(map)
    .map(([k, v]) => ` ${k}="${escapeXml(v)}"`)
    .join('');
}

function textLines(lines: NodeInfo['lines'], x: number, y: number): string {
  return lines
    .map(
      (l, n) =>
        `<text x="${x + PAD}" y="${y + PAD + (n + 1) * LINE_HEIGHT - 4}" class="${l.cls}"${l.container ? ` data-container="${escapeXml(l.container)}" tabindex="0" role="button"` : ''}>${escapeXml(l.text)}</text>`,
    )
    .join('');
}

/** Lays the snapshot out and writes the SVG document. */
export async function renderDiagramSvg(snapshot: Snapshot, options: DiagramOptions = {}): Promise<string> {
  const { graph, nodes, edges } = diagramGraph(snapshot, options);
  const elk = new ELK();
  const laid = await elk.layout(graph);
  const out: string[] = [];
  const width = Math.ceil((laid.width ?? 0) + 2 * PAD);
  const height = Math.ceil((laid.height ?? 0) + 2 * PAD);
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="ci-diagram" viewBox="${-PAD} ${-PAD} ${width} ${height}" width="${width}" height="${height}" data-engine="${escapeXml(snapshot.engine.endpoint)}">`,
  );
  if (options.standalone) out.push(`<style>${STANDALONE_STYLE}</style><rect x="${-PAD}" y="${-PAD}" width="${width}" height="${height}" fill="#fff"/>`);

  const draw = (node: ElkNode): void => {
    const info = nodes.get(node.id);
    const x = node.x ?? 0;
    const y = node.y ?? 0;
    const w = node.width ?? 0;
    const h = node.height ?? 0;
    if (info) {
      const focusable = info.kind === 'netns' || info.kind === 'bridge' || info.kind === 'group' ? ' tabindex="0"' : '';
      out.push(`<g class="${info.kind}"${attrs(info.attrs)}${focusable}><title>${escapeXml(info.title)}</title>`);
      out.push(
        `<rect class="${info.kind === 'host' ? 'frame' : 'box'}" x="${x}" y="${y}" width="${w}" height="${h}" rx="${info.kind === 'iface' || info.kind === 'veth' ? 3 : 6}"/>`,
      );
      out.push(textLines(info.lines, x, y));
    }
    for (const child of node.children ?? []) draw(child);
    if (info) out.push('</g>');
  };
  for (const child of laid.children ?? []) draw(child);

  for (const e of laid.edges ?? []) {
    const info = edges.get(e.id);
    if (!info) continue;
    for (const s of e.sections ?? []) {
      const points = [s.startPoint, ...(s.bendPoints ?? []), s.endPoint];
      const d = points.map((p, i) => `${i ? 'L' : 'M'}${p.x.toFixed(1)} ${p.y.toFixed(1)}`).join(' ');
      out.push(`<path class="edge ${info.kind}" d="${d}"${attrs(info.attrs)}/>`);
    }
  }
  out.push('</svg>');
  return out.join('');
}
