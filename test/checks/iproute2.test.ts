import fs from 'node:fs';
import { describe, it, expect } from 'vitest';
import { formatFdbEntry, parseFdb, parseLinks, parseNeighbours, type FdbEntry, type LinkSummary } from '../../src/checks/iproute2.js';

// Fixtures are the JSON output of iproute2 6.1. complete-node1/
// is node1 of a finished chapter-2 lab:
//   vxlan1, br0, veth1            ip -j -d addr show dev NAME, in overns
//   container-eth0                the same for eth0 in the container demo
//   vxlan-nolearning-misses       vxlan9 with VNI 43, learning off and
//                                 proxy, l2miss and l3miss on
//   vxlan-plain-in-host           vxlan9 with VNI 44 and only learning on,
//                                 in the host's namespace
//   neigh-vxlan1, neigh-all       ip -j neigh show [dev vxlan1], in overns
//   fdb-vxlan1                    bridge -j fdb show dev vxlan1, in overns
//   netns-list                    ip -j netns list
// fdb-learned.json is bridge -j fdb show dev vxlan1 in overns on node2 after
// vxlan1 learned 02:42:c0:a8:00:02 from traffic, before any FDB entry for it was added.
function readFixture(name: string): string {
  return fs.readFileSync(new URL(`../fixtures/iproute2/${name}`, import.meta.url), 'utf8');
}

function onlyLink(fixture: string): LinkSummary {
  const links = parseLinks(readFixture(fixture));
  if (links.length !== 1 || !links[0]) throw new Error(`${fixture}: expected one link, found ${links.length}`);
  return links[0];
}

function fdbEntry(fixture: string, index: number): FdbEntry {
  const entry = parseFdb(readFixture(fixture))[index];
  if (!entry) throw new Error(`${fixture} has no entry ${index}`);
  return entry;
}

describe('parseLinks', () => {
  it('parses vxlan1 in overns', () => {
    const link = onlyLink('complete-node1/vxlan1.json');

    expect(link.name).toBe('vxlan1');
    expect(link.type).toBe('vxlan');
    expect(link.up).toBe(true);
    expect(link.mtu).toBe(1500);
    expect(link.address).toBe('f6:d8:ad:35:57:cc');
    expect(link.master).toBe('br0');
    expect(link.linkNetnsId).toBe(0);
    expect(link.ipv4).toEqual([]);
    expect(link.vxlan?.vni).toBe(42);
    expect(link.vxlan?.dstport).toBe(4789);
    expect(link.vxlan?.proxy).toBe(true);
    expect(link.vxlan?.learning).toBe(true);
    expect(link.vxlan?.l2miss).toBe(false);
    expect(link.vxlan?.l3miss).toBe(false);
    expect(link.vxlan?.remote).toBeUndefined();
    expect(link.vxlan?.group).toBeUndefined();
  });

  it('parses nolearning l2miss l3miss', () => {
    const link = onlyLink('complete-node1/vxlan-nolearning-misses.json');

    expect(link.name).toBe('vxlan9');
    expect(link.up).toBe(false);
    expect(link.linkNetnsId).toBeUndefined();
    expect(link.vxlan?.vni).toBe(43);
    expect(link.vxlan?.learning).toBe(false);
    expect(link.vxlan?.proxy).toBe(true);
    expect(link.vxlan?.l2miss).toBe(true);
    expect(link.vxlan?.l3miss).toBe(true);
  });

  // iproute2 before 6.4 prints proxy, l2miss and l3miss only when they are on.
  it('reads absent proxy as off', () => {
    const link = onlyLink('complete-node1/vxlan-plain-in-host.json');

    expect(link.vxlan?.vni).toBe(44);
    expect(link.vxlan?.dstport).toBe(4789);
    expect(link.vxlan?.proxy).toBe(false);
    expect(link.vxlan?.l2miss).toBe(false);
    expect(link.vxlan?.l3miss).toBe(false);
    expect(link.vxlan?.learning).toBe(true);
  });

  it('parses veth1 on br0', () => {
    const link = onlyLink('complete-node1/veth1.json');

    expect(link.type).toBe('veth');
    expect(link.mtu).toBe(1450);
    expect(link.master).toBe('br0');
    expect(link.up).toBe(true);
    expect(link.linkNetnsId).toBe(1);
    expect(link.vxlan).toBeUndefined();
  });

  it('parses container eth0', () => {
    const link = onlyLink('complete-node1/container-eth0.json');

    expect(link.name).toBe('eth0');
    expect(link.type).toBe('veth');
    expect(link.address).toBe('02:42:c0:a8:00:02');
    expect(link.ipv4).toEqual(['192.168.0.2/24']);
    expect(link.mtu).toBe(1450);
    expect(link.master).toBeUndefined();
  });

  it('keeps only IPv4 addresses of br0', () => {
    const link = onlyLink('complete-node1/br0.json');

    expect(link.type).toBe('bridge');
    expect(link.ipv4).toEqual(['192.168.0.1/24']);
  });

  it('parses empty output as no links', () => {
    expect(parseLinks('')).toEqual([]);
  });
});

describe('parseNeighbours', () => {
  it('parses PERMANENT entry on vxlan1', () => {
    const entries = parseNeighbours(readFixture('complete-node1/neigh-vxlan1.json'));

    expect(entries).toHaveLength(1);
    expect(entries[0]?.dst).toBe('192.168.0.3');
    expect(entries[0]?.lladdr).toBe('02:42:c0:a8:00:03');
    expect(entries[0]?.states).toEqual(['PERMANENT']);
    expect(entries[0]?.dev).toBeUndefined();
  });

  it('keeps dev of unfiltered output', () => {
    const entries = parseNeighbours(readFixture('complete-node1/neigh-all.json'));

    expect(entries[0]?.dev).toBe('vxlan1');
  });

  it('parses empty table', () => {
    // iproute2 6.1 prints "[]" for a device without neighbours.
    expect(parseNeighbours('[]\n')).toEqual([]);
  });
});

describe('parseFdb', () => {
  it('parses entries of complete node1', () => {
    const entries = parseFdb(readFixture('complete-node1/fdb-vxlan1.json'));

    expect(entries).toHaveLength(3);
    expect(entries[0]).toEqual({
      mac: '02:42:c0:a8:00:03',
      dev: undefined,
      dst: undefined,
      vni: undefined,
      port: undefined,
      self: false,
      master: 'br0',
      state: '',
    });
    expect(entries[1]?.state).toBe('permanent');
  });

  it('parses self permanent entry', () => {
    const entry = fdbEntry('complete-node1/fdb-vxlan1.json', 2);

    expect(entry.mac).toBe('02:42:c0:a8:00:03');
    expect(entry.dst).toBe('10.0.10.31');
    expect(entry.self).toBe(true);
    expect(entry.state).toBe('permanent');
    expect(entry.master).toBeUndefined();
    // vni and port equal the device's own, so bridge prints neither.
    expect(entry.vni).toBeUndefined();
    expect(entry.port).toBeUndefined();
  });

  it('parses learned entry', () => {
    const entry = fdbEntry('fdb-learned.json', 2);

    expect(entry.mac).toBe('02:42:c0:a8:00:02');
    expect(entry.dst).toBe('10.0.10.30');
    expect(entry.self).toBe(true);
    expect(entry.state).toBe('');
  });
});

describe('formatFdbEntry', () => {
  it('formats self permanent entry', () => {
    const entry = fdbEntry('complete-node1/fdb-vxlan1.json', 2);

    expect(formatFdbEntry(entry)).toBe('02:42:c0:a8:00:03 dst 10.0.10.31 self permanent');
  });

  it('formats bridge entry', () => {
    const entry = fdbEntry('complete-node1/fdb-vxlan1.json', 0);

    expect(formatFdbEntry(entry)).toBe('02:42:c0:a8:00:03 master br0');
  });

  it('formats learned entry without state', () => {
    const entry = fdbEntry('fdb-learned.json', 2);

    expect(formatFdbEntry(entry)).toBe('02:42:c0:a8:00:02 dst 10.0.10.30 self');
  });

  it('formats vni and port when present', () => {
    const text = formatFdbEntry({ mac: '02:42:c0:a8:00:03', dst: '10.0.10.31', vni: 43, port: 8472, self: true, state: 'permanent' });

    expect(text).toBe('02:42:c0:a8:00:03 dst 10.0.10.31 vni 43 port 8472 self permanent');
  });
});
