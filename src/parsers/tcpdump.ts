// Parses the text output of tcpdump 4.99.3 (Debian 12) run with -n and
// without -v, with or without -e. Other tcpdump versions and verbosity
// levels print these packets differently.

export interface VxlanPacket {
  outerSrc: string;
  outerSrcPort: number;
  outerDst: string;
  outerDstPort: number;
  vni: number;
  inner?: string;
}

export interface ArpLine {
  kind: 'request' | 'reply';
  text: string;
}

// Matches the outer UDP header and VXLAN header of one packet, for example
// "IP 10.0.10.31.54321 > 10.0.10.30.4789: VXLAN, flags [I] (0x08), vni 42".
// With -e tcpdump prints the Ethernet header in place of "IP ", so the match
// is not anchored at the start of the line. tcpdump joins address and port
// with a dot, and the greedy \S+ backtracks to the last dot before " >".
const VXLAN_OUTER =
  /(\S+)\.(\d+) > (\S+)\.(\d+): VXLAN, flags \[[^\]]*\] \(0x[0-9a-f]+\), vni (\d+)/;

// Without -e tcpdump prints "ARP, Request ..." or "ARP, Reply ...". With -e
// it prints "..., ethertype ARP (0x0806), length 42: Request ..." in its place.
const ARP_OPERATION = /(?:\bARP, |\bethertype ARP \(0x0806\), length \d+: )(Request|Reply) /;

// Default timestamp "20:05:17.840450", optionally preceded by a -tttt date.
const TIMESTAMP_PREFIX = /^(?:\d{4}-\d{2}-\d{2} )?\d{2}:\d{2}:\d{2}\.\d+ /;

function splitLines(output: string): string[] {
  return output.split(/\r?\n/);
}

/**
 * Extracts every VXLAN packet from `tcpdump -n -l udp port 4789` output.
 * tcpdump 4.99.3 prints the encapsulated frame on the line after the VXLAN
 * header, and that line becomes `inner`. Lines that are not VXLAN headers,
 * such as the "listening on" banner and the "packets captured" trailer,
 * are skipped.
 */
export function parseVxlanCapture(output: string): VxlanPacket[] {
  const lines = splitLines(output);
  const packets: VxlanPacket[] = [];

  for (let index = 0; index < lines.length; index++) {
    const outer = VXLAN_OUTER.exec(lines[index] ?? '');
    if (outer === null) {
      continue;
    }

    const [, outerSrc = '', outerSrcPort = '', outerDst = '', outerDstPort = '', vni = ''] = outer;
    const packet: VxlanPacket = {
      outerSrc,
      outerSrcPort: Number(outerSrcPort),
      outerDst,
      outerDstPort: Number(outerDstPort),
      vni: Number(vni),
    };

    // The inner line is missing only when the output was cut off after the
    // VXLAN header, so a blank line or the next VXLAN header is not taken.
    const next = lines[index + 1]?.trim() ?? '';
    if (next !== '' && !VXLAN_OUTER.test(next)) {
      packet.inner = next;
      index++;
    }

    packets.push(packet);
  }

  return packets;
}

/**
 * Extracts the ARP requests and replies from tcpdump output, including ARP
 * frames printed as the inner line of a VXLAN packet. `text` is the trimmed
 * line without its leading timestamp. Reverse and inverse ARP are skipped.
 */
export function parseArpLines(output: string): ArpLine[] {
  const arpLines: ArpLine[] = [];

  for (const line of splitLines(output)) {
    const operation = ARP_OPERATION.exec(line);
    if (operation === null) {
      continue;
    }

    arpLines.push({
      kind: operation[1] === 'Request' ? 'request' : 'reply',
      text: line.trim().replace(TIMESTAMP_PREFIX, ''),
    });
  }

  return arpLines;
}
