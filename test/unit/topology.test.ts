import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type IpLink, parseIpLink } from '../../extension/core/host/helper-output';
import { classifyLink, collectBridges, indexLinks, pairInterfaces, toDockerNetwork } from '../../extension/core/snapshot/topology';
import { loadLabFixture } from './fixtures';

// Shapes as `ip -j -d addr show` prints them. macvlan and ipvlan cannot be
// created on the lab kernel, so these are written from iproute2's output format.
const hostEth0 = parseIpLink({
  ifindex: 2,
  ifname: 'eth0',
  flags: ['BROADCAST', 'MULTICAST', 'UP'],
  mtu: 1500,
  operstate: 'UP',
  link_type: 'ether',
  address: '52:54:00:12:34:56',
  addr_info: [{ family: 'inet', local: '192.168.1.5', prefixlen: 24 }],
});
const hostVeth = parseIpLink({
  ifindex: 41,
  link_index: 40,
  ifname: 'veth1a2b3c4',
  flags: ['UP'],
  mtu: 1500,
  master: 'br-0123456789ab',
  operstate: 'UP',
  link_type: 'ether',
  address: 'aa:bb:cc:00:00:01',
  link_netnsid: 3,
  linkinfo: { info_kind: 'veth', info_slave_kind: 'bridge' },
});
const hostBridge = parseIpLink({
  ifindex: 30,
  ifname: 'br-0123456789ab',
  flags: ['UP'],
  mtu: 1500,
  operstate: 'UP',
  link_type: 'ether',
  address: '02:42:00:00:00:01',
  linkinfo: { info_kind: 'bridge' },
  addr_info: [{ family: 'inet', local: '172.30.9.1', prefixlen: 24 }],
});
const host = indexLinks([hostEth0, hostVeth, hostBridge]);

const lo = parseIpLink({
  ifindex: 1,
  ifname: 'lo',
  flags: ['LOOPBACK', 'UP'],
  mtu: 65536,
  operstate: 'UNKNOWN',
  link_type: 'loopback',
  address: '00:00:00:00:00:00',
  addr_info: [{ family: 'inet', local: '127.0.0.1', prefixlen: 8 }],
});
const macvlan = parseIpLink({
  ifindex: 9,
  link_index: 2,
  ifname: 'eth0',
  flags: ['UP'],
  mtu: 1500,
  operstate: 'UP',
  link_type: 'ether',
  address: '02:42:C0:A8:01:0A',
  link_netnsid: 0,
  linkinfo: { info_kind: 'macvlan', info_data: { mode: 'bridge' } },
  addr_info: [{ family: 'inet', local: '192.168.1.10', prefixlen: 24 }],
});
const ipvlan = parseIpLink({
  ifindex: 10,
  link_index: 2,
  ifname: 'eth1',
  flags: ['UP'],
  mtu: 1500,
  operstate: 'UNKNOWN',
  link_type: 'ether',
  address: '52:54:00:12:34:56',
  link_netnsid: 0,
  linkinfo: { info_kind: 'ipvlan', info_data: { mode: 'l2' } },
  addr_info: [{ family: 'inet', local: '192.168.1.11', prefixlen: 24 }],
});

describe('classifyLink', () => {
  it('names loopback, veth, macvlan, ipvlan and keeps other kinds as other', () => {
    assert.equal(classifyLink(lo), 'loopback');
    assert.equal(classifyLink(hostVeth), 'veth');
    assert.equal(classifyLink(macvlan), 'macvlan');
    assert.equal(classifyLink(ipvlan), 'ipvlan');
    const wg = parseIpLink({ ifindex: 5, ifname: 'wg0', operstate: 'UNKNOWN', link_type: 'none', linkinfo: { info_kind: 'wireguard' } });
    assert.equal(classifyLink(wg), 'other');
  });
});

describe('pairInterfaces', () => {
  it('pairs a container veth with its host end and bridge, and finds its network by MAC', () => {
    const eth0 = parseIpLink({
      ifindex: 40,
      link_index: 41,
      ifname: 'eth0',
      mtu: 1500,
      operstate: 'UP',
      link_type: 'ether',
      address: '02:42:AC:1E:09:02',
      link_netnsid: 0,
      linkinfo: { info_kind: 'veth' },
      addr_info: [{ family: 'inet', local: '172.30.9.2', prefixlen: 24 }],
    });
    const [loIf, ethIf] = pairInterfaces([lo, eth0], host, [
      { network: 'labnet', networkId: 'n1', ipAddress: '172.30.9.2/24', ipv6Address: null, macAddress: '02:42:ac:1e:09:02', gateway: '172.30.9.1' },
    ]);
    assert.equal(loIf?.kind, 'loopback');
    assert.equal(loIf?.mac, null);
    assert.deepEqual(ethIf?.hostPeer, { name: 'veth1a2b3c4', ifindex: 41, bridge: 'br-0123456789ab' });
    assert.equal(ethIf?.network, 'labnet');
    assert.deepEqual(ethIf?.addresses, ['172.30.9.2/24']);
    assert.equal(ethIf?.mac, '02:42:ac:1e:09:02');
  });

  it('does not pair when the host link at that index does not point back (peer lives in another container)', () => {
    const eth0 = parseIpLink({
      ifindex: 77,
      link_index: 41,
      ifname: 'eth0',
      operstate: 'UP',
      link_type: 'ether',
      address: '02:00:00:00:00:07',
      link_netnsid: 5,
      linkinfo: { info_kind: 'veth' },
    });
    assert.equal(pairInterfaces([eth0], host, [])[0]?.hostPeer, null);
  });

  it('does not look for a host peer when the veth peer is in the same namespace', () => {
    const a = parseIpLink({
      ifindex: 40,
      link_index: 41,
      ifname: 'vA',
      operstate: 'UP',
      link_type: 'ether',
      address: '02:00:00:00:00:0a',
      linkinfo: { info_kind: 'veth' },
    });
    assert.equal(pairInterfaces([a], host, [])[0]?.hostPeer, null);
  });

  it('draws macvlan and ipvlan from their parent link on the host', () => {
    const [m, i] = pairInterfaces([macvlan, ipvlan], host, [
      { network: 'lan', networkId: 'n2', ipAddress: '192.168.1.10/24', ipv6Address: null, macAddress: '02:42:c0:a8:01:0a', gateway: null },
    ]);
    assert.equal(m?.kind, 'macvlan');
    assert.deepEqual(m?.parent, { name: 'eth0', ifindex: 2 });
    assert.equal(m?.hostPeer, null);
    assert.equal(m?.network, 'lan');
    assert.equal(i?.kind, 'ipvlan');
    assert.deepEqual(i?.parent, { name: 'eth0', ifindex: 2 });
  });
});

describe('collectBridges and toDockerNetwork', () => {
  it('lists every bridge with all its ports and maps it to its Docker network', () => {
    const { facts, networks } = loadLabFixture();
    const hostNet = facts.namespacesByPid.get(facts.referencePid)?.net;
    const links = facts.netns.find((n) => n.inode === hostNet)?.links as IpLink[];
    const bridges = collectBridges(links, networks);
    const docker0 = bridges.find((b) => b.name === 'docker0');
    assert.equal(docker0?.network, 'bridge');
    const netA = networks.find((n) => n.name === 'cilab-net-a');
    const brA = bridges.find((b) => b.name === netA?.bridge);
    assert.equal(brA?.network, 'cilab-net-a');
    // web (shared with sidecar) and multi sit on net-a: two veth ports.
    assert.equal(brA?.ports.length, 2);
    for (const port of brA?.ports ?? []) assert.match(port, /^veth/);
  });

  it('derives bridge names for user networks and keeps macvlan parents', () => {
    assert.equal(toDockerNetwork({ Id: '0123456789abcdef', Name: 'x', Driver: 'bridge', Options: {} }).bridge, 'br-0123456789ab');
    assert.equal(toDockerNetwork({ Id: 'f', Name: 'bridge', Driver: 'bridge', Options: { 'com.docker.network.bridge.name': 'docker0' } }).bridge, 'docker0');
    const mv = toDockerNetwork({
      Id: 'a',
      Name: 'lan',
      Driver: 'macvlan',
      Options: { parent: 'eth0' },
      IPAM: { Config: [{ Subnet: '192.168.1.0/24', Gateway: '192.168.1.1' }] },
    });
    assert.equal(mv.bridge, null);
    assert.equal(mv.parent, 'eth0');
    assert.deepEqual(mv.subnets, ['192.168.1.0/24']);
  });
});
