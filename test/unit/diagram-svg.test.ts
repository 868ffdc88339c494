import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diagramGraph, escapeXml, renderDiagramSvg } from '../../extension/present/diagram-svg';
import { parseIpLink } from '../../extension/core/host/helper-output';
import type { ContainerSnapshot, Snapshot } from '../../extension/core/snapshot/model';
import { indexLinks, pairInterfaces } from '../../extension/core/snapshot/topology';
import { labSnapshot } from './fixtures';

/** The text of one element with a given attribute value, up to its closing tag (our groups do not nest netns). */
function groupFor(svg: string, attr: string, value: string): string {
  const start = svg.indexOf(`${attr}="${value}"`);
  assert.ok(start >= 0, `${attr}=${value} in svg`);
  const open = svg.lastIndexOf('<g', start);
  let depth = 0;
  for (let i = open; i < svg.length; i++) {
    if (svg.startsWith('<g', i)) depth++;
    if (svg.startsWith('</g>', i) && --depth === 0) return svg.slice(open, i + 4);
  }
  throw new Error('unclosed group');
}

/** The recorded lab plus a crowd of `n` containers, each in its own namespace, all on the bridge of cilab-paused (docker0). */
function crowded(n: number): Snapshot {
  const s = labSnapshot();
  const model = s.containers.find((c) => c.name === 'cilab-paused') as ContainerSnapshot;
  const crowd = Array.from({ length: n }, (_, i): ContainerSnapshot => ({
    ...model,
    id: `${String(i).padStart(4, '0')}${model.id.slice(4)}`,
    name: `crowd-${i}`,
    namespaces: { ...model.namespaces, net: 9_000_000 + i },
    interfaces: model.interfaces.map((f) => ({ ...f, hostPeer: f.hostPeer ? { ...f.hostPeer, name: `vethcrowd${i}` } : null })),
  }));
  return { ...s, containers: [...s.containers, ...crowd] };
}

describe('the diagram at scale', () => {
  it('draws a crowd on one bridge as one group box with its count, and each one when the group is open', async () => {
    const s = crowded(60);
    const bridge = s.containers.find((c) => c.name === 'cilab-paused')?.interfaces.find((i) => i.hostPeer)?.hostPeer?.bridge as string;
    const closed = await renderDiagramSvg(s);
    const group = groupFor(closed, 'data-group', bridge);
    assert.match(group, new RegExp(`>\\d+ containers on ${bridge}<`));
    assert.match(group, /data-containers="[^"]*crowd-59/);
    assert.ok(!closed.includes('data-container="crowd-7"'), 'crowd members are not drawn one by one');
    assert.match(closed, /data-container="cilab-multi"/);
    const open = await renderDiagramSvg(s, { expanded: [bridge] });
    assert.ok(!open.includes(`data-group="${bridge}"`));
    assert.match(open, /data-container="crowd-7"/);
  });

  it('leaves a bridge with few containers as it is', async () => {
    const svg = await renderDiagramSvg(labSnapshot());
    assert.ok(!svg.includes('data-group='));
  });

  it('lays out 500 containers as a readable picture: one box per crowded bridge', async () => {
    const s = crowded(500);
    const { graph } = diagramGraph(s);
    assert.ok((graph.children?.length ?? 0) < 30, `${graph.children?.length} top-level boxes`);
  });
});

describe('renderDiagramSvg', () => {
  it('draws each published port in the host frame, with a DNAT edge to its container’s namespace, or to its crowd’s box', async () => {
    const s = labSnapshot();
    const web = s.containers.find((c) => c.name === 'cilab-web') as ContainerSnapshot;
    web.ports = [
      { containerPort: 80, protocol: 'tcp', hostIp: '0.0.0.0', hostPort: 8080 },
      { containerPort: 53, protocol: 'udp', hostIp: '127.0.0.1', hostPort: 5353 },
    ];
    const svg = await renderDiagramSvg(s);
    const port = groupFor(svg, 'data-port', '8080/tcp');
    assert.match(port, /class="port"/);
    assert.match(port, />0\.0\.0\.0:8080\/tcp</);
    assert.match(port, /→ cilab-web [\d.]+:80/);
    assert.match(svg, /<path class="edge dnat"[^>]*data-port="5353\/udp" data-published-by="cilab-web"/);
    // In a crowd drawn as one box, the port points at the box.
    const crowd = crowded(30);
    const member = crowd.containers.find((c) => c.name === 'crowd-7') as ContainerSnapshot;
    member.ports = [{ containerPort: 80, protocol: 'tcp', hostIp: '0.0.0.0', hostPort: 9000 }];
    const { edges } = diagramGraph(crowd);
    assert.ok(
      [...edges.keys()].some((k) => k === 'e:port:0.0.0.0:9000/tcp->group:docker0'),
      [...edges.keys()].filter((k) => k.includes('port')).join(', '),
    );
  });

  it('puts containers that share a network namespace in one data-netns box', async () => {
    const s = labSnapshot();
    const svg = await renderDiagramSvg(s);
    const web = s.containers.find((c) => c.name === 'cilab-web') as ContainerSnapshot;
    const box = groupFor(svg, 'data-netns', String(web.namespaces.net));
    assert.match(box, /data-container="cilab-web"/);
    assert.match(box, /data-container="cilab-sidecar"/);
    assert.equal(
      (svg.match(/class="netns"/g) ?? []).length,
      new Set(s.containers.filter((c) => c.namespaces.net && c.namespaces.net !== s.hostNamespaces?.net).map((c) => c.namespaces.net)).size,
    );
  });

  it('draws one edge per interface of a multi-homed container, and every bridge', async () => {
    const s = labSnapshot();
    const svg = await renderDiagramSvg(s);
    const multi = s.containers.find((c) => c.name === 'cilab-multi') as ContainerSnapshot;
    const edges = svg.match(new RegExp(`<path class="edge veth"[^>]*data-netns="${multi.namespaces.net}"`, 'g')) ?? [];
    assert.equal(edges.length, 2);
    for (const b of s.bridges) assert.match(svg, new RegExp(`data-bridge="${b.name}"`));
    assert.match(svg, /data-ifname="eth1"/);
  });

  it('shows host-network containers in the host frame and --network none with only lo', async () => {
    const s = labSnapshot();
    const svg = await renderDiagramSvg(s);
    assert.match(groupFor(svg, 'class', 'hostContainers'), /data-container="cilab-host"/);
    const none = s.containers.find((c) => c.name === 'cilab-none') as ContainerSnapshot;
    const box = groupFor(svg, 'data-netns', String(none.namespaces.net));
    assert.deepEqual(box.match(/data-ifname="[^"]+"/g), ['data-ifname="lo"']);
  });

  it('draws a macvlan interface from its parent host link', async () => {
    const s = labSnapshot();
    const host = indexLinks([parseIpLink({ ifindex: 2, ifname: 'enp1s0', operstate: 'UP', link_type: 'ether', address: '52:54:00:00:00:01' })]);
    const mv = parseIpLink({
      ifindex: 9,
      link_index: 2,
      link_netnsid: 0,
      ifname: 'eth0',
      operstate: 'UP',
      link_type: 'ether',
      address: '02:42:c0:a8:01:0a',
      linkinfo: { info_kind: 'macvlan' },
      addr_info: [{ family: 'inet', local: '192.168.1.10', prefixlen: 24 }],
    });
    const c = {
      ...(s.containers[0] as ContainerSnapshot),
      name: 'lan-app',
      namespaces: { ...(s.containers[0] as ContainerSnapshot).namespaces, net: 999 },
      interfaces: pairInterfaces([mv], host, []),
    };
    const svg = await renderDiagramSvg({ ...s, containers: [c] });
    assert.match(svg, /<g class="parent" data-ifname="enp1s0"/);
    assert.match(svg, /<path class="edge parent"[^>]*data-kind="macvlan"/);
  });

  it('escapes hostile names and labels into text', async () => {
    const s = labSnapshot();
    const evil = '<img src=x onerror="alert(1)">&\'';
    const c = { ...(s.containers.find((x) => x.name === 'cilab-multi') as ContainerSnapshot), compose: { project: 'p', service: evil } };
    const svg = await renderDiagramSvg({ ...s, containers: [c] });
    assert.ok(!svg.includes('<img'));
    assert.ok(svg.includes(escapeXml(evil)));
    assert.equal(escapeXml('a<b>"c"&\'d\u0007'), 'a&lt;b&gt;&quot;c&quot;&amp;&#39;d');
  });

  it('builds a graph ELK can lay out, with hierarchy for the boxes', () => {
    const { graph } = diagramGraph(labSnapshot());
    assert.equal(graph.layoutOptions?.['elk.hierarchyHandling'], 'INCLUDE_CHILDREN');
    assert.equal(graph.children?.[0]?.id, 'host');
  });

  it('writes a standalone file with its own style only when asked', async () => {
    assert.ok((await renderDiagramSvg(labSnapshot(), { standalone: true })).includes('<style>'));
    assert.ok(!(await renderDiagramSvg(labSnapshot())).includes('<style>'));
  });
});
