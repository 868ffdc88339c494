import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findDnat } from '../../extension/core/network/published-ports';
import { inPrefix, ipToInt, lookup } from '../../extension/core/network/path-trace';
import { parseNetStateOutput } from '../../extension/core/network/net-state-output';
import type { RouteEntry } from '../../extension/core/network/net-state-model';

const route = (dst: string, dev: string, gateway: string | null = null): RouteEntry => ({
  family: 4,
  dst,
  gateway,
  dev,
  protocol: null,
  scope: null,
  prefsrc: null,
  type: null,
});

describe('routing by longest prefix', () => {
  const routes = [route('default', 'eth0', '192.0.2.1'), route('172.17.0.0/16', 'docker0'), route('172.17.5.0/24', 'br-x'), route('10.0.0.0/8', 'tun0')];
  it('picks the most specific route, and the default for anything else', () => {
    assert.equal(lookup(routes, '172.17.5.9')?.dev, 'br-x');
    assert.equal(lookup(routes, '172.17.0.2')?.dev, 'docker0');
    assert.equal(lookup(routes, '8.8.8.8')?.dev, 'eth0');
    assert.equal(lookup(routes, null)?.dst, 'default', '"outside" takes the default route');
    assert.equal(lookup([route('172.17.0.0/16', 'docker0')], '8.8.8.8'), null, 'no default route: no route');
  });
  it('compares addresses as numbers', () => {
    assert.equal(ipToInt('10.0.0.1'), 167772161);
    assert.equal(ipToInt('10.0.0.256'), null);
    assert.equal(ipToInt('fe80::1'), null);
    assert.ok(inPrefix('10.1.2.3', '10.0.0.0/8') && !inPrefix('11.0.0.1', '10.0.0.0/8') && inPrefix('1.2.3.4', '0.0.0.0/0'));
  });
});

describe('DNAT rules', () => {
  const nat = [
    '-A DOCKER -i docker0 -j RETURN',
    '-A DOCKER ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80',
    '-A DOCKER -d 127.0.0.1/32 ! -i br-1 -p tcp -m tcp --dport 9090 -j DNAT --to-destination 172.30.1.2:80',
    '-A DOCKER ! -i docker0 -p udp -m udp --dport 8080 -j DNAT --to-destination 172.17.0.2:53',
  ];
  it('finds the rule of one mapping by protocol, host address and port, and target', () => {
    assert.equal(findDnat(nat, 'tcp', '0.0.0.0', 8080, '172.17.0.2', 80), nat[1]);
    assert.equal(findDnat(nat, 'udp', '0.0.0.0', 8080, '172.17.0.2', 53), nat[3]);
    assert.equal(findDnat(nat, 'tcp', '127.0.0.1', 9090, '172.30.1.2', 80), nat[2]);
    assert.equal(findDnat(nat, 'tcp', '0.0.0.0', 9090, '172.30.1.2', 80), undefined, 'bound to one address, not all');
    assert.equal(findDnat(nat, 'tcp', '0.0.0.0', 8080, '172.17.0.3', 80), undefined);
  });
});

describe('the net-state reply', () => {
  it('keeps routes only of pids that held, and refuses what is not base64', () => {
    const reply = (extra: object) =>
      JSON.stringify({
        format: 'container-internals-helper',
        version: 2,
        ok: true,
        natTool: 'iptables-save',
        bridges: [{ ifname: 'docker0', linkinfo: { info_data: { ageing_time: 30000 } } }],
        routes: [{ dst: 'default', gateway: '192.0.2.1', dev: 'eth0' }],
        neigh: null,
        fdb: [{ mac: 'AA:BB:CC:00:00:01', ifname: 'veth1', master: 'docker0', flags: [], updated: 3 }],
        nat: Buffer.from('*nat\n:DOCKER - [0:0]\n-A DOCKER -i docker0 -j RETURN\nCOMMIT\n').toString('base64'),
        filter: '',
        proxies: [null],
        containers: [{ pid: 5, id: 'a'.repeat(64), v4: [{ dst: 'default', gateway: '172.17.0.1', dev: 'eth0' }], v6: null }, null],
        pids: [{ pid: 5, id: 'a'.repeat(64), verified: false, reason: 'reused' }, null],
        ...extra,
      });
    const r = parseNetStateOutput(reply({}));
    assert.equal(r.containerRoutes.size, 0, 'a reused pid’s routes are dropped');
    assert.deepEqual(r.nat, ['-A DOCKER -i docker0 -j RETURN']);
    assert.equal(r.fdb[0]!.mac, 'aa:bb:cc:00:00:01');
    assert.equal(r.bridges[0]!.ageingCentiseconds, 30000);
    const held = parseNetStateOutput(reply({ pids: [{ pid: 5, id: 'a'.repeat(64), verified: true, reason: null }, null] }));
    assert.equal(held.containerRoutes.get('a'.repeat(64))?.[0]?.gateway, '172.17.0.1');
    assert.throws(() => parseNetStateOutput(reply({ nat: '$(rm -rf /)' })), /not base64/);
    assert.throws(() => parseNetStateOutput(reply({ natTool: 'sh' })), /unknown nat tool/);
  });
});
