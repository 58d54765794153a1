import fs from 'node:fs';
import { describe, it, expect } from 'vitest';
import { parsePing } from '../../src/parsers/ping.js';

// Fixtures are the stdout of iputils 20221126 ping on Debian 12, run in a
// network namespace with 192.168.0.2/24 on a VXLAN device whose peer is
// 192.168.0.3. ping wrote nothing to stderr in any of these runs.
//   success.txt        ping -c 3 -i 0.2 192.168.0.3
//   partial-loss.txt   the same, with the peer's VXLAN device set down 0.3 s
//                      after ping started
//   unreachable.txt    ping -c 3 -i 0.2 192.168.0.9 (no host has that address)
//   unreachable-c4.txt ping -c 4 192.168.0.9
function readFixture(name: string): string {
  return fs.readFileSync(new URL(`../fixtures/ping/${name}`, import.meta.url), 'utf8');
}

describe('parsePing', () => {
  it('parses successful ping', () => {
    const summary = parsePing(readFixture('success.txt'));

    expect(summary).toBeDefined();
    expect(summary?.transmitted).toBe(3);
    expect(summary?.received).toBe(3);
    expect(summary?.lossPercent).toBe(0);
    expect(summary?.errors).toBe(0);
    expect(summary?.rttAvgMs).toBe(0.115);
    expect(summary?.unreachable).toBe(false);
  });

  it('parses fractional packet loss', () => {
    const summary = parsePing(readFixture('partial-loss.txt'));

    expect(summary).toBeDefined();
    expect(summary?.transmitted).toBe(3);
    expect(summary?.received).toBe(2);
    expect(summary?.lossPercent).toBe(33.3333);
    expect(summary?.errors).toBe(0);
    expect(summary?.rttAvgMs).toBe(0.073);
    expect(summary?.unreachable).toBe(false);
  });

  it('parses unreachable host with errors', () => {
    const summary = parsePing(readFixture('unreachable.txt'));

    expect(summary).toBeDefined();
    expect(summary?.transmitted).toBe(3);
    expect(summary?.received).toBe(0);
    expect(summary?.lossPercent).toBe(100);
    expect(summary?.errors).toBe(3);
    expect(summary?.unreachable).toBe(true);
  });

  it('omits rtt when no reply arrived', () => {
    // iputils prints "pipe 3" where the rtt line would be.
    const output = readFixture('unreachable.txt');

    expect(output).toContain('\npipe 3\n');
    expect(parsePing(output)?.rttAvgMs).toBeUndefined();
  });

  it('parses unreachable host at 1 s interval', () => {
    const summary = parsePing(readFixture('unreachable-c4.txt'));

    expect(summary).toBeDefined();
    expect(summary?.transmitted).toBe(4);
    expect(summary?.received).toBe(0);
    expect(summary?.lossPercent).toBe(100);
    expect(summary?.errors).toBe(4);
    expect(summary?.rttAvgMs).toBeUndefined();
    expect(summary?.unreachable).toBe(true);
  });

  it('returns undefined without statistics line', () => {
    const output = readFixture('success.txt');
    const repliesOnly = output.slice(0, output.indexOf('--- 192.168.0.3 ping statistics ---'));

    expect(repliesOnly).toContain('icmp_seq=3');
    expect(parsePing(repliesOnly)).toBeUndefined();
    expect(parsePing('')).toBeUndefined();
  });
});
