import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HostFacts, IpLink } from '../../extension/core/helper-output';
import { connectedRoutes, formatIPv6, linksFromFiles, localIPv4Addresses, type NetnsFiles } from '../../extension/core/netns-files';
import { settleNetnsFromFiles } from '../../extension/core/snapshot';
import { indexLinks } from '../../extension/core/topology';
import { loadNetnsFixture } from './fixtures';

const essentials = (l: IpLink) => [l.ifname, l.ifindex, l.link_index, l.address, l.mtu, l.operstate, l.info_kind ?? (l.link_type === 'loopback' ? 'loopback' : null), l.addr_info.map((a) => `${a.local}/${a.prefixlen}`).sort()];

function hostLinks(facts: HostFacts): Map<number, IpLink> {
  const net = facts.namespacesByPid.get(facts.referencePid)?.net;
  return indexLinks(facts.netns.find((n) => n.inode === net)?.links ?? []);
}

function cloneFiles(f: NetnsFiles): NetnsFiles {
  return { netDev: [...f.netDev], ifInet6: [...f.ifInet6], fibTrie: [...f.fibTrie], route: [...f.route], sys: new Map([...f.sys].map(([k, v]) => [k, { ...v }])) };
}

describe('linksFromFiles', () => {
  it('reads the same interfaces from /proc and sysfs as ip does, for every recorded namespace', () => {
    const { files, ip } = loadNetnsFixture();
    assert.deepEqual(settleNetnsFromFiles(files), []);
    const fromIp = new Map(ip.netns.map((n) => [n.inode, n.links]));
    let compared = 0;
    for (const reading of files.netns) {
      const truth = fromIp.get(reading.inode);
      assert.ok(reading.links && truth, `inode ${reading.inode}`);
      assert.deepEqual(reading.links.map(essentials).sort(), truth.map(essentials).sort());
      compared++;
    }
    assert.equal(compared, 5); // the host and four containers
  });

  const firstContainer = (): { f: NetnsFiles; host: Map<number, IpLink> } => {
    const { files } = loadNetnsFixture();
    const host = hostLinks(files);
    const withEth0 = [...files.files.values()].find((f) => f.sys.has('eth0') && f.route.some((l) => /^eth0\s/.test(l)));
    assert.ok(withEth0);
    return { f: cloneFiles(withEth0), host };
  };

  it('declines when sysfs shows other interfaces than the namespace has (a host /sys mounted over it)', () => {
    const { f, host } = firstContainer();
    f.sys.set('docker0', { ifindex: '5', iflink: '5', address: '02:42:00:00:00:01', mtu: '1500', operstate: 'up', flags: '0x1003' });
    assert.equal(linksFromFiles(f, host), null);
  });

  it('declines an interface that is not a host veth pair or loopback (macvlan, tunnels, inner bridges)', () => {
    const { f, host } = firstContainer();
    const [name, attrs] = [...f.sys].find(([, a]) => a.iflink !== a.ifindex) as [string, { iflink?: string }];
    f.sys.set(name, { ...attrs, iflink: '4' }); // the host's physical eth0: what a macvlan child points at
    assert.equal(linksFromFiles(f, host), null);
  });

  it('declines an IPv4 address that no connected route explains', () => {
    const { f, host } = firstContainer();
    f.fibTrie.push('Local:', '     |-- 10.99.0.7', '        /32 host LOCAL');
    assert.equal(linksFromFiles(f, host), null);
  });

  it('declines when two interfaces claim the same subnet', () => {
    const { f, host } = firstContainer();
    // The connected route: no gateway, a non-zero mask.
    const eth = f.route.find((l) => /^eth0\t[0-9A-F]{8}\t00000000\t/.test(l) && !/\t00000000\t0\t0\t0\s*$/.test(l)) as string;
    assert.ok(eth);
    f.route.push(eth.replace(/^eth0/, 'lo'));
    assert.equal(linksFromFiles(f, host), null);
  });
});

describe('proc table parsers', () => {
  it('finds local addresses in fib_trie and only /32 host LOCAL leaves', () => {
    const trie = ['Main:', '  +-- 0.0.0.0/0 3 0 5', '     |-- 0.0.0.0', '        /0 universe UNICAST', '     +-- 127.0.0.0/8 2 0 2', '           |-- 127.0.0.0', '              /8 host LOCAL', '           |-- 127.0.0.1', '              /32 host LOCAL', '        |-- 127.255.255.255', '           /32 link BROADCAST', '           |-- 172.30.1.2', '              /32 host LOCAL'];
    assert.deepEqual([...localIPv4Addresses(trie)].sort(), ['127.0.0.1', '172.30.1.2']);
  });

  it('reads connected routes from /proc/net/route little-endian hex', () => {
    const route = ['Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT', 'eth0\t00000000\t0101A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0', 'eth0\t0001A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0'];
    assert.deepEqual(connectedRoutes(route), [{ iface: 'eth0', dest: 0xc0a80100, mask: 0xffffff00 }]);
  });

  it('prints IPv6 addresses as iproute2 does', () => {
    assert.equal(formatIPv6('fe80000000000000004201fffe110002'), 'fe80::42:1ff:fe11:2');
    assert.equal(formatIPv6('00000000000000000000000000000001'), '::1');
    assert.equal(formatIPv6('not-hex'), null);
  });
});
