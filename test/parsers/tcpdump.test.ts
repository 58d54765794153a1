import fs from 'node:fs';
import { describe, it, expect } from 'vitest';
import { parseArpLines, parseVxlanCapture } from '../../src/parsers/tcpdump.js';

// Fixtures are the output of tcpdump 4.99.3 on Debian 12, recorded in two
// network namespaces joined by a veth pair (10.0.10.30 and 10.0.10.31), each
// with a VXLAN device (VNI 42, dstport 4789) addressed 192.168.0.2 and
// 192.168.0.3. Files ending in .stdout.txt and .stderr.txt contain the two
// streams of one run, and a .stdout-stderr.txt file contains both streams of
// one run written to the same file.
//   vxlan-ping*           tcpdump -pni <veth of 10.0.10.30> -l [-e] udp port 4789
//                         during ping -c 3 -i 0.2 192.168.0.3, stopped by timeout
//   vxlan-ping-count      the same with -c 6, so tcpdump stopped by itself
//   vxlan-unanswered-arp  the same as vxlan-ping during ping -c 4 192.168.0.9,
//                         an address that no host has
//   arp                   tcpdump -ni <VXLAN device of 192.168.0.3> -l arp
//                         during the vxlan-ping run
//   arp-unanswered        tcpdump -ni <VXLAN device of 192.168.0.2> -l arp
//                         during the vxlan-unanswered-arp run
function readFixture(name: string): string {
  return fs.readFileSync(new URL(`../fixtures/tcpdump/${name}`, import.meta.url), 'utf8');
}

describe('parseVxlanCapture', () => {
  it('parses outer headers of ping capture', () => {
    const packets = parseVxlanCapture(readFixture('vxlan-ping.stdout.txt'));

    expect(packets).toHaveLength(12);
    expect(packets[0]).toEqual({
      outerSrc: '10.0.10.30',
      outerSrcPort: 41014,
      outerDst: '10.0.10.31',
      outerDstPort: 4789,
      vni: 42,
      inner: 'ARP, Request who-has 192.168.0.3 tell 192.168.0.2, length 28',
    });
    expect(packets[3]).toEqual({
      outerSrc: '10.0.10.31',
      outerSrcPort: 60291,
      outerDst: '10.0.10.30',
      outerDstPort: 4789,
      vni: 42,
      inner: 'IP 192.168.0.3 > 192.168.0.2: ICMP echo reply, id 3957, seq 1, length 64',
    });
  });

  it('reads VNI and port of every packet', () => {
    const packets = parseVxlanCapture(readFixture('vxlan-ping.stdout.txt'));

    for (const packet of packets) {
      expect(packet.vni).toBe(42);
      expect(packet.outerDstPort).toBe(4789);
      expect(packet.inner).toBeDefined();
    }
  });

  it('pairs inner frames with outer headers', () => {
    const packets = parseVxlanCapture(readFixture('vxlan-ping.stdout.txt'));
    const requests = packets.filter((packet) => packet.inner?.includes('ICMP echo request'));
    const replies = packets.filter((packet) => packet.inner?.includes('ICMP echo reply'));
    const routerSolicitations = packets.filter((packet) => packet.inner?.startsWith('IP6 '));

    expect(requests).toHaveLength(3);
    expect(replies).toHaveLength(3);
    expect(routerSolicitations).toHaveLength(2);
    for (const request of requests) {
      expect(request.outerSrc).toBe('10.0.10.30');
      expect(request.outerDst).toBe('10.0.10.31');
    }
    for (const reply of replies) {
      expect(reply.outerSrc).toBe('10.0.10.31');
      expect(reply.outerDst).toBe('10.0.10.30');
    }
  });

  it('parses -e output like plain output', () => {
    const plain = parseVxlanCapture(readFixture('vxlan-ping.stdout.txt'));
    const withEthernet = parseVxlanCapture(readFixture('vxlan-ping-e.stdout.txt'));

    expect(withEthernet).toHaveLength(plain.length);
    withEthernet.forEach((packet, index) => {
      const plainPacket = plain[index];
      // Without -e tcpdump names the inner protocol ("ARP, ", "IP ", "IP6 "),
      // and with -e it prints the Ethernet header in that place.
      const innerPayload = plainPacket?.inner?.replace(/^(?:ARP, |IP |IP6 )/, '');

      expect(packet.outerSrc).toBe(plainPacket?.outerSrc);
      expect(packet.outerSrcPort).toBe(plainPacket?.outerSrcPort);
      expect(packet.outerDst).toBe(plainPacket?.outerDst);
      expect(packet.outerDstPort).toBe(plainPacket?.outerDstPort);
      expect(packet.vni).toBe(plainPacket?.vni);
      expect(innerPayload).toBeDefined();
      expect(packet.inner?.endsWith(`: ${innerPayload}`)).toBe(true);
    });
    expect(withEthernet[0]?.inner).toBe(
      '92:03:e8:07:e7:27 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: ' +
        'Request who-has 192.168.0.3 tell 192.168.0.2, length 28',
    );
  });

  it('skips banner and trailer in merged streams', () => {
    const output = readFixture('vxlan-ping-count.stdout-stderr.txt');
    const packets = parseVxlanCapture(output);

    expect(output).toContain('listening on');
    expect(output).toContain('6 packets captured');
    expect(packets).toHaveLength(6);
    expect(packets.map((packet) => packet.inner)).toEqual([
      'IP 192.168.0.2 > 192.168.0.3: ICMP echo request, id 4228, seq 1, length 64',
      'IP 192.168.0.3 > 192.168.0.2: ICMP echo reply, id 4228, seq 1, length 64',
      'IP 192.168.0.2 > 192.168.0.3: ICMP echo request, id 4228, seq 2, length 64',
      'IP 192.168.0.3 > 192.168.0.2: ICMP echo reply, id 4228, seq 2, length 64',
      'IP 192.168.0.2 > 192.168.0.3: ICMP echo request, id 4228, seq 3, length 64',
      'IP 192.168.0.3 > 192.168.0.2: ICMP echo reply, id 4228, seq 3, length 64',
    ]);
  });

  it('parses unanswered ARP capture', () => {
    const packets = parseVxlanCapture(readFixture('vxlan-unanswered-arp.stdout.txt'));
    const arpRequests = packets.filter(
      (packet) => packet.inner === 'ARP, Request who-has 192.168.0.9 tell 192.168.0.2, length 28',
    );

    expect(packets).toHaveLength(7);
    expect(arpRequests).toHaveLength(6);
    for (const packet of packets) {
      expect(packet.outerSrc).toBe('10.0.10.30');
      expect(packet.outerDst).toBe('10.0.10.31');
    }
  });

  it('returns nothing for stderr', () => {
    expect(parseVxlanCapture(readFixture('vxlan-ping.stderr.txt'))).toEqual([]);
    expect(parseVxlanCapture(readFixture('vxlan-ping-e.stderr.txt'))).toEqual([]);
  });

  it('leaves inner unset when output is cut', () => {
    const lines = readFixture('vxlan-ping.stdout.txt').split('\n');
    const cut = lines.slice(0, 3).join('\n');
    const packets = parseVxlanCapture(cut);

    expect(packets).toHaveLength(2);
    expect(packets[0]?.inner).toBe('ARP, Request who-has 192.168.0.3 tell 192.168.0.2, length 28');
    expect(packets[1]?.outerSrc).toBe('10.0.10.31');
    expect(packets[1]?.inner).toBeUndefined();
  });
});

describe('parseArpLines', () => {
  it('parses requests and replies', () => {
    const arpLines = parseArpLines(readFixture('arp.stdout.txt'));

    expect(arpLines).toEqual([
      { kind: 'request', text: 'ARP, Request who-has 192.168.0.3 tell 192.168.0.2, length 28' },
      { kind: 'reply', text: 'ARP, Reply 192.168.0.3 is-at be:a8:61:4e:42:01, length 28' },
      { kind: 'request', text: 'ARP, Request who-has 192.168.0.2 tell 192.168.0.3, length 28' },
      { kind: 'reply', text: 'ARP, Reply 192.168.0.2 is-at 92:03:e8:07:e7:27, length 28' },
    ]);
  });

  it('parses unanswered requests', () => {
    const arpLines = parseArpLines(readFixture('arp-unanswered.stdout.txt'));

    expect(arpLines).toHaveLength(6);
    for (const arpLine of arpLines) {
      expect(arpLine.kind).toBe('request');
      expect(arpLine.text).toBe('ARP, Request who-has 192.168.0.9 tell 192.168.0.2, length 28');
    }
  });

  it('finds ARP inside VXLAN capture', () => {
    const arpLines = parseArpLines(readFixture('vxlan-ping.stdout.txt'));

    expect(arpLines.map((arpLine) => arpLine.kind)).toEqual(['request', 'reply', 'request', 'reply']);
    expect(arpLines[1]?.text).toBe('ARP, Reply 192.168.0.3 is-at be:a8:61:4e:42:01, length 28');
  });

  it('parses -e ARP lines', () => {
    const arpLines = parseArpLines(readFixture('vxlan-ping-e.stdout.txt'));

    expect(arpLines.map((arpLine) => arpLine.kind)).toEqual(['request', 'reply', 'request', 'reply']);
    expect(arpLines[1]?.text).toBe(
      'be:a8:61:4e:42:01 > 92:03:e8:07:e7:27, ethertype ARP (0x0806), length 42: ' +
        'Reply 192.168.0.3 is-at be:a8:61:4e:42:01, length 28',
    );
  });

  it('returns nothing for stderr', () => {
    expect(parseArpLines(readFixture('arp.stderr.txt'))).toEqual([]);
    expect(parseArpLines(readFixture('arp-unanswered.stderr.txt'))).toEqual([]);
  });
});
