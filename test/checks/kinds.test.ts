import fs from 'node:fs';
import { describe, it, expect } from 'vitest';
import { chapterChecks, execResult, withoutPacketsFrom } from './chapter-checks.js';
import type { ExecResult } from '../../src/exec.js';
import type { Topology } from '../../src/lab/topology.js';
import type { HostExecOptions, RunningLab } from '../../src/providers/provider.js';
import type { CheckContext, CheckKind, CheckOutcome } from '../../src/checks/check-kind.js';
import { identifyCheckKind } from '../../src/checks/registry.js';
import { captureCheck } from '../../src/checks/kinds/capture.js';
import { fdbCheck } from '../../src/checks/kinds/fdb.js';
import { linkCheck } from '../../src/checks/kinds/link.js';
import { neighbourCheck } from '../../src/checks/kinds/neighbour.js';
import { netnsCheck } from '../../src/checks/kinds/netns.js';
import { pingCheck } from '../../src/checks/kinds/ping.js';

// Each check runs against a fake host that returns, for each command, output
// recorded from real tools: iproute2 6.1, and iputils ping 20221126 and
// tcpdump 4.99.3 on Debian 12 (see test/checks/iproute2.test.ts and test/parsers/
// for how each fixture was made). Exit codes and error messages of missing
// devices are those of iproute2 6.1 and tcpdump 4.99.3.

function readFixture(path: string): string {
  return fs.readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8');
}


const TOPOLOGY: Topology = {
  name: 'overlay',
  description: 'two Docker hosts on one underlay segment',
  underlay: { subnet: '10.0.10.0/24', interface: 'eth0' },
  hosts: [
    { name: 'node1', address: '10.0.10.30/24', services: [{ name: 'docker', args: [] }] },
    { name: 'node2', address: '10.0.10.31/24', services: [{ name: 'docker', args: [] }] },
  ],
};

const CHECKS = chapterChecks('chapter-2', TOPOLOGY);
const chapterBody = CHECKS.body;
const resolvedBody = CHECKS.resolved;

type Respond = (argv: readonly string[], options: HostExecOptions | undefined) => ExecResult | Promise<ExecResult>;
type Output = { exitCode?: number; stdout?: string; stderr?: string };

/**
 * A lab host for one check. Each command gets the output of the first route
 * whose words all appear in its argv, and a command without a route makes
 * the check reject, naming the command.
 */
class FakeHost {
  readonly calls: (readonly string[])[] = [];
  private readonly routes: { words: string[]; respond: Respond }[] = [];

  constructor(readonly name = 'node1') {}

  on(words: string[], answer: Output | Respond): this {
    const respond: Respond =
      typeof answer === 'function' ? answer : (argv) => execResult(argv, answer.exitCode ?? 0, answer.stdout ?? '', answer.stderr ?? '');
    this.routes.push({ words, respond });
    return this;
  }

  withOverns(): this {
    return this.on(['test', '-e', '/var/run/netns/overns'], { exitCode: 0 });
  }

  withoutOverns(): this {
    return this.on(['test', '-e', '/var/run/netns/overns'], { exitCode: 1 });
  }

  withDemo(): this {
    return this.on(['docker', 'inspect', 'demo'], { stdout: 'true /var/run/docker/netns/abc\n' });
  }

  context(): CheckContext {
    return {
      // Check kinds run commands only through exec and never touch the lab.
      lab: { slowdown: 1 } as RunningLab,
      host: this.name,
      exec: async (argv, options) => {
        this.calls.push(argv);
        const route = this.routes.find((candidate) => candidate.words.every((word) => argv.includes(word)));
        if (!route) throw new Error(`no recorded output for: ${argv.join(' ')}`);
        return route.respond(argv, options);
      },
    };
  }
}

async function runCheck<Spec>(kind: CheckKind<Spec>, body: Record<string, unknown>, host: FakeHost): Promise<CheckOutcome> {
  return kind.run(host.context(), kind.parse(body));
}

const IN_OVERNS = ['nsenter', '--net=/var/run/netns/overns', '--'];
const IN_DEMO = ['nsenter', '--net=/var/run/docker/netns/abc', '--'];

describe('identifyCheckKind', () => {
  it.each([
    ['overns-exists', 'netns'],
    ['br0-up', 'link'],
    ['vxlan1', 'link'],
    ['veth-on-br0', 'link'],
    ['container-eth0', 'link'],
    ['peer-neighbour', 'neighbour'],
    ['peer-fdb', 'fdb'],
    ['overlay-ping', 'ping'],
    ['vxlan-on-the-wire', 'capture'],
  ])('identifies chapter-2 %s as %s', (id, kind) => {
    expect(identifyCheckKind(chapterBody(id))).toEqual({ kind });
  });

  it('rejects two kind keys', () => {
    const result = identifyCheckKind({ link: 'vxlan1', fdb: '02:42:c0:a8:00:03', dev: 'vxlan1', expect: {} });

    expect(result).toEqual({ error: 'more than one check kind key (link, fdb)' });
  });
});

describe('link check', () => {
  it.each(['br0-up', 'vxlan1', 'veth-on-br0', 'container-eth0'])('accepts chapter-2 %s', (id) => {
    expect(linkCheck.validate(chapterBody(id))).toBeUndefined();
  });

  it('rejects unknown key', () => {
    const error = linkCheck.validate({ link: 'vxlan1', dev: 'vxlan1', expect: { up: true } });

    expect(error).toContain('unknown key "dev" in the link check');
  });

  it('rejects unknown expectation', () => {
    const error = linkCheck.validate({ link: 'vxlan1', expect: { vlan: 5 } });

    expect(error).toContain('unknown expectation "vlan"');
  });

  it('rejects invalid in', () => {
    const error = linkCheck.validate({ link: 'eth0', in: 'container demo now', expect: { up: true } });

    expect(error).toContain('invalid "in: container demo now"');
  });

  it('rejects missing expect', () => {
    expect(linkCheck.validate({ link: 'vxlan1' })).toBe('missing "expect:"');
  });

  it('passes vxlan1 in overns', async () => {
    const host = new FakeHost().withOverns().on(['ip', 'addr', 'vxlan1'], { stdout: readFixture('iproute2/complete-node1/vxlan1.json') });

    const outcome = await runCheck(linkCheck, resolvedBody('vxlan1', 'node1'), host);

    expect(outcome.status).toBe('pass');
    expect(outcome.message).toBe('vxlan1 in netns overns on node1 is as expected');
    expect(outcome.found).toContain('proxy=on');
    expect(outcome.found).toContain('created-outside=on');
  });

  it('reads vxlan1 inside overns', async () => {
    const host = new FakeHost().withOverns().on(['ip', 'addr', 'vxlan1'], { stdout: readFixture('iproute2/complete-node1/vxlan1.json') });

    await runCheck(linkCheck, resolvedBody('vxlan1', 'node1'), host);

    expect(host.calls).toContainEqual([...IN_OVERNS, 'ip', '-j', '-d', 'addr', 'show', 'dev', 'vxlan1']);
  });

  it.each([
    ['br0-up', 'br0', 'br0.json'],
    ['veth-on-br0', 'veth1', 'veth1.json'],
  ])('passes chapter-2 %s', async (id, device, fixture) => {
    const host = new FakeHost().withOverns().on(['ip', 'addr', device], { stdout: readFixture(`iproute2/complete-node1/${fixture}`) });

    const outcome = await runCheck(linkCheck, resolvedBody(id, 'node1'), host);

    expect(outcome.status).toBe('pass');
  });

  it('passes container eth0', async () => {
    const host = new FakeHost().withDemo().on(['ip', 'addr', 'eth0'], { stdout: readFixture('iproute2/complete-node1/container-eth0.json') });

    const outcome = await runCheck(linkCheck, resolvedBody('container-eth0', 'node1'), host);

    expect(outcome.status).toBe('pass');
    expect(outcome.message).toBe('eth0 in container demo on node1 is as expected');
    expect(outcome.found).toContain('address=02:42:c0:a8:00:02');
    expect(host.calls).toContainEqual([...IN_DEMO, 'ip', '-j', '-d', 'addr', 'show', 'dev', 'eth0']);
  });

  it('fails container eth0 of other host', async () => {
    const host = new FakeHost('node2').withDemo().on(['ip', 'addr', 'eth0'], { stdout: readFixture('iproute2/complete-node1/container-eth0.json') });

    const outcome = await runCheck(linkCheck, resolvedBody('container-eth0', 'node2'), host);

    expect(outcome.status).toBe('fail');
    expect(outcome.message).toContain('address is 02:42:c0:a8:00:02 (expected 02:42:c0:a8:00:03)');
    expect(outcome.message).toContain('ipv4 is 192.168.0.2/24 (expected 192.168.0.3/24)');
  });

  it('fails when proxy is absent', async () => {
    const host = new FakeHost().on(['ip', 'addr', 'vxlan9'], { stdout: readFixture('iproute2/complete-node1/vxlan-plain-in-host.json') });

    const outcome = await runCheck(linkCheck, { link: 'vxlan9', expect: { vni: 44, proxy: true, learning: true } }, host);

    expect(outcome.status).toBe('fail');
    expect(outcome.message).toBe('vxlan9 in node1: proxy is off (expected on)');
    expect(outcome.found).toBe('vxlan9 vni=44 proxy=off learning=on');
  });

  it('fails learning and created-outside', async () => {
    const host = new FakeHost().on(['ip', 'addr', 'vxlan9'], { stdout: readFixture('iproute2/complete-node1/vxlan-nolearning-misses.json') });

    const outcome = await runCheck(linkCheck, { link: 'vxlan9', expect: { learning: true, l2miss: true, 'created-outside': true } }, host);

    expect(outcome.status).toBe('fail');
    expect(outcome.message).toBe('vxlan9 in node1: learning is off (expected on), created-outside is off (expected on)');
  });

  it('fails missing device', async () => {
    const host = new FakeHost().withOverns().on(['ip', 'addr', 'vxlan1'], { exitCode: 1, stderr: 'Device "vxlan1" does not exist.\n' });

    const outcome = await runCheck(linkCheck, resolvedBody('vxlan1', 'node1'), host);

    expect(outcome.status).toBe('fail');
    expect(outcome.message).toBe('vxlan1 does not exist in netns overns on node1');
  });

  it('fails missing netns', async () => {
    const host = new FakeHost().withoutOverns();

    const outcome = await runCheck(linkCheck, resolvedBody('vxlan1', 'node1'), host);

    expect(outcome.status).toBe('fail');
    expect(outcome.message).toContain('no network namespace overns on node1');
    expect(host.calls).toHaveLength(1);
  });

  it('fails missing container', async () => {
    const host = new FakeHost().on(['docker', 'inspect', 'demo'], { exitCode: 1, stderr: 'Error: No such object: demo\n' });

    const outcome = await runCheck(linkCheck, resolvedBody('container-eth0', 'node1'), host);

    expect(outcome.status).toBe('fail');
    expect(outcome.message).toContain('no container demo on node1');
  });

  it('fails stopped container', async () => {
    // Docker clears the SandboxKey of a stopped container.
    const host = new FakeHost().on(['docker', 'inspect', 'demo'], { stdout: 'false \n' });

    const outcome = await runCheck(linkCheck, resolvedBody('container-eth0', 'node1'), host);

    expect(outcome.status).toBe('fail');
    expect(outcome.message).toContain('container demo on node1 is not running');
  });
});

describe('neighbour check', () => {
  const NEIGHBOURS = readFixture('iproute2/complete-node1/neigh-vxlan1.json');

  it('accepts chapter-2 peer-neighbour', () => {
    expect(neighbourCheck.validate(chapterBody('peer-neighbour'))).toBeUndefined();
  });

  it('rejects missing dev', () => {
    const error = neighbourCheck.validate({ neighbour: '192.168.0.3', in: 'overns', expect: { state: 'PERMANENT' } });

    expect(error).toContain('"dev:" is required');
  });

  it('rejects unknown expectation', () => {
    const error = neighbourCheck.validate({ neighbour: '192.168.0.3', dev: 'vxlan1', expect: { nud: 'permanent' } });

    expect(error).toContain('unknown expectation "nud"');
  });

  it('rejects invalid in', () => {
    const error = neighbourCheck.validate({ neighbour: '192.168.0.3', dev: 'vxlan1', in: 'over ns', expect: { state: 'PERMANENT' } });

    expect(error).toContain('invalid "in: over ns"');
  });

  it('passes PERMANENT peer entry', async () => {
    const host = new FakeHost().withOverns().on(['ip', 'neigh', 'vxlan1'], { stdout: NEIGHBOURS });

    const outcome = await runCheck(neighbourCheck, resolvedBody('peer-neighbour', 'node1'), host);

    expect(outcome.status).toBe('pass');
    expect(outcome.message).toBe('neighbour 192.168.0.3 in netns overns on node1 is as expected');
    expect(outcome.found).toBe('192.168.0.3 dev vxlan1 lladdr 02:42:c0:a8:00:03 PERMANENT');
    expect(host.calls).toContainEqual([...IN_OVERNS, 'ip', '-j', 'neigh', 'show', 'dev', 'vxlan1']);
  });

  it('fails wrong lladdr', async () => {
    const host = new FakeHost().withOverns().on(['ip', 'neigh', 'vxlan1'], { stdout: NEIGHBOURS });
    const body = { neighbour: '192.168.0.3', dev: 'vxlan1', in: 'overns', expect: { lladdr: '02:42:c0:a8:00:09' } };

    const outcome = await runCheck(neighbourCheck, body, host);

    expect(outcome.status).toBe('fail');
    expect(outcome.message).toBe('neighbour 192.168.0.3 in netns overns on node1: lladdr is 02:42:c0:a8:00:03 (expected 02:42:c0:a8:00:09)');
  });

  it('fails wrong state', async () => {
    const host = new FakeHost().withOverns().on(['ip', 'neigh', 'vxlan1'], { stdout: NEIGHBOURS });
    const body = { neighbour: '192.168.0.3', dev: 'vxlan1', in: 'overns', expect: { state: 'reachable' } };

    const outcome = await runCheck(neighbourCheck, body, host);

    expect(outcome.status).toBe('fail');
    expect(outcome.message).toContain('state is PERMANENT (expected REACHABLE)');
  });

  it('fails missing entry', async () => {
    const host = new FakeHost().withOverns().on(['ip', 'neigh', 'vxlan1'], { stdout: NEIGHBOURS });
    const body = { neighbour: '192.168.0.9', dev: 'vxlan1', in: 'overns', expect: { state: 'PERMANENT' } };

    const outcome = await runCheck(neighbourCheck, body, host);

    expect(outcome.status).toBe('fail');
    expect(outcome.message).toBe('netns overns on node1 has no neighbour entry for 192.168.0.9 on vxlan1');
    expect(outcome.found).toBe('192.168.0.3 02:42:c0:a8:00:03 PERMANENT');
  });

  it('fails empty table', async () => {
    // iproute2 6.1 prints "[]" for a device without neighbours.
    const host = new FakeHost('node2').withOverns().on(['ip', 'neigh', 'vxlan1'], { stdout: '[]\n' });

    const outcome = await runCheck(neighbourCheck, resolvedBody('peer-neighbour', 'node2'), host);

    expect(outcome.status).toBe('fail');
    expect(outcome.message).toContain('no neighbour entry for 192.168.0.2');
    expect(outcome.found).toBe('no neighbours on vxlan1');
  });

  it('fails missing device', async () => {
    const host = new FakeHost().withOverns().on(['ip', 'neigh', 'vxlan1'], { exitCode: 1, stderr: 'Cannot find device "vxlan1"\n' });

    const outcome = await runCheck(neighbourCheck, resolvedBody('peer-neighbour', 'node1'), host);

    expect(outcome.status).toBe('fail');
    expect(outcome.message).toBe('vxlan1 does not exist in netns overns on node1');
  });

  it('fails missing netns', async () => {
    const host = new FakeHost().withoutOverns();

    const outcome = await runCheck(neighbourCheck, resolvedBody('peer-neighbour', 'node1'), host);

    expect(outcome.status).toBe('fail');
    expect(outcome.message).toContain('no network namespace overns on node1');
  });
});

describe('fdb check', () => {
  const NODE1_FDB = readFixture('iproute2/complete-node1/fdb-vxlan1.json');
  // ip -j -d link show prints the same object as ip -j -d addr show without
  // addr_info, and vxlan1 on node2 was created with the same options.
  const VXLAN1 = readFixture('iproute2/complete-node1/vxlan1.json');

  function completeNode1(): FakeHost {
    return new FakeHost().withOverns().on(['bridge', 'fdb', 'vxlan1'], { stdout: NODE1_FDB }).on(['ip', 'link', 'vxlan1'], { stdout: VXLAN1 });
  }

  it('accepts chapter-2 peer-fdb', () => {
    expect(fdbCheck.validate(chapterBody('peer-fdb'))).toBeUndefined();
  });

  it('rejects missing dev', () => {
    const error = fdbCheck.validate({ fdb: '02:42:c0:a8:00:03', expect: { self: true } });

    expect(error).toContain('"dev:" is required');
  });

  it('rejects unknown expectation', () => {
    const error = fdbCheck.validate({ fdb: '02:42:c0:a8:00:03', dev: 'vxlan1', expect: { master: 'br0' } });

    expect(error).toContain('unknown expectation "master"');
  });

  it('rejects invalid in', () => {
    const error = fdbCheck.validate({ fdb: '02:42:c0:a8:00:03', dev: 'vxlan1', in: 'netns overns', expect: { self: true } });

    expect(error).toContain('invalid "in: netns overns"');
  });

  // "self: yes" is a string in YAML 1.2, which parse would read as false.
  it('rejects non-boolean self', () => {
    const error = fdbCheck.validate({ fdb: '02:42:c0:a8:00:03', dev: 'vxlan1', expect: { self: 'yes' } });

    expect(error).toBe('"self:" must be true or false');
  });

  it('passes permanent self entry', async () => {
    const outcome = await runCheck(fdbCheck, resolvedBody('peer-fdb', 'node1'), completeNode1());

    expect(outcome.status).toBe('pass');
    expect(outcome.message).toBe('FDB entry for 02:42:c0:a8:00:03 in netns overns on node1 is as expected');
    expect(outcome.found).toBe('02:42:c0:a8:00:03 dst 10.0.10.31 self permanent');
    expect(outcome.expected).toBe('02:42:c0:a8:00:03 dev vxlan1 dst 10.0.10.31 vni 42 port 4789 self permanent');
  });

  it('reads vni and port of vxlan1', async () => {
    const host = completeNode1();

    await runCheck(fdbCheck, resolvedBody('peer-fdb', 'node1'), host);

    expect(host.calls).toContainEqual([...IN_OVERNS, 'bridge', '-j', 'fdb', 'show', 'dev', 'vxlan1']);
    expect(host.calls).toContainEqual([...IN_OVERNS, 'ip', '-j', '-d', 'link', 'show', 'dev', 'vxlan1']);
  });

  it('fails unexpected vni', async () => {
    const body = { fdb: '02:42:c0:a8:00:03', dev: 'vxlan1', in: 'overns', expect: { self: true, vni: 43 } };

    const outcome = await runCheck(fdbCheck, body, completeNode1());

    expect(outcome.status).toBe('fail');
    expect(outcome.message).toBe('FDB entry for 02:42:c0:a8:00:03 in netns overns on node1: vni is 42 (expected 43)');
  });

  it('fails wrong dst', async () => {
    const body = { fdb: '02:42:c0:a8:00:03', dev: 'vxlan1', in: 'overns', expect: { dst: '10.0.10.32', self: true } };

    const outcome = await runCheck(fdbCheck, body, completeNode1());

    expect(outcome.status).toBe('fail');
    expect(outcome.message).toContain('dst is 10.0.10.31 (expected 10.0.10.32)');
  });

  it('fails learned entry', async () => {
    const host = new FakeHost('node2')
      .withOverns()
      .on(['bridge', 'fdb', 'vxlan1'], { stdout: readFixture('iproute2/fdb-learned.json') })
      .on(['ip', 'link', 'vxlan1'], { stdout: VXLAN1 });

    const outcome = await runCheck(fdbCheck, resolvedBody('peer-fdb', 'node2'), host);

    expect(outcome.status).toBe('fail');
    expect(outcome.message).toBe('FDB entry for 02:42:c0:a8:00:02 in netns overns on node2: state is learned (expected permanent)');
    expect(outcome.found).toBe('02:42:c0:a8:00:02 dst 10.0.10.30 self');
  });

  it('fails missing entry', async () => {
    const body = { fdb: '02:42:c0:a8:00:09', dev: 'vxlan1', in: 'overns', expect: { self: true } };

    const outcome = await runCheck(fdbCheck, body, completeNode1());

    expect(outcome.status).toBe('fail');
    expect(outcome.message).toBe('netns overns on node1 has no FDB entry for 02:42:c0:a8:00:09 on vxlan1');
    expect(outcome.found).toBe('02:42:c0:a8:00:03 dst 10.0.10.31 self permanent');
  });

  it('fails missing device', async () => {
    const host = new FakeHost().withOverns().on(['bridge', 'fdb', 'vxlan1'], { exitCode: 255, stderr: 'Cannot find device "vxlan1"\n' });

    const outcome = await runCheck(fdbCheck, resolvedBody('peer-fdb', 'node1'), host);

    expect(outcome.status).toBe('fail');
    expect(outcome.message).toBe('vxlan1 does not exist in netns overns on node1');
  });

  it('fails missing netns', async () => {
    const outcome = await runCheck(fdbCheck, resolvedBody('peer-fdb', 'node1'), new FakeHost().withoutOverns());

    expect(outcome.status).toBe('fail');
    expect(outcome.message).toContain('no network namespace overns on node1');
  });
});

describe('netns check', () => {
  const NETNS_LIST = readFixture('iproute2/complete-node1/netns-list.json');

  it('accepts chapter-2 overns-exists', () => {
    expect(netnsCheck.validate(chapterBody('overns-exists'))).toBeUndefined();
  });

  it('rejects non-boolean exists', () => {
    expect(netnsCheck.validate({ netns: 'overns', exists: 'yes' })).toBe('"exists:" must be true or false');
  });

  it('rejects unknown key', () => {
    expect(netnsCheck.validate({ netns: 'overns', in: 'overns' })).toContain('unknown key "in" in the netns check');
  });

  it('rejects empty name', () => {
    expect(netnsCheck.validate({ netns: '' })).toBe('"netns:" needs a namespace name');
  });

  it('passes listed overns', async () => {
    const host = new FakeHost().on(['ip', 'netns', 'list'], { stdout: NETNS_LIST });

    const outcome = await runCheck(netnsCheck, resolvedBody('overns-exists', 'node1'), host);

    expect(outcome.status).toBe('pass');
    expect(outcome.message).toBe('netns overns exists on node1');
    expect(outcome.found).toBe('ip netns list: overns');
  });

  // iproute2 6.1 prints nothing when /var/run/netns is missing.
  it('fails on empty output', async () => {
    const host = new FakeHost().on(['ip', 'netns', 'list'], { stdout: '' });

    const outcome = await runCheck(netnsCheck, resolvedBody('overns-exists', 'node1'), host);

    expect(outcome.status).toBe('fail');
    expect(outcome.message).toBe('node1 has no network namespace overns');
    expect(outcome.found).toBe('ip netns list: (empty)');
  });

  // iproute2 6.1 prints "[]" when /var/run/netns exists but is empty.
  it('fails on empty list', async () => {
    const host = new FakeHost().on(['ip', 'netns', 'list'], { stdout: '[]\n' });

    const outcome = await runCheck(netnsCheck, resolvedBody('overns-exists', 'node1'), host);

    expect(outcome.status).toBe('fail');
    expect(outcome.message).toBe('node1 has no network namespace overns');
  });

  it('fails leftover netns', async () => {
    const host = new FakeHost().on(['ip', 'netns', 'list'], { stdout: NETNS_LIST });

    const outcome = await runCheck(netnsCheck, { netns: 'overns', exists: false }, host);

    expect(outcome.status).toBe('fail');
    expect(outcome.message).toBe('node1 still has network namespace overns');
  });

  it('passes absent netns', async () => {
    const host = new FakeHost().on(['ip', 'netns', 'list'], { stdout: '' });

    const outcome = await runCheck(netnsCheck, { netns: 'overns', exists: false }, host);

    expect(outcome.status).toBe('pass');
    expect(outcome.message).toBe('no netns overns on node1');
  });
});

describe('ping check', () => {
  it('accepts chapter-2 overlay-ping', () => {
    expect(pingCheck.validate(chapterBody('overlay-ping'))).toBeUndefined();
  });

  it('rejects host name', () => {
    expect(pingCheck.validate({ ping: 'node2', expect: { loss: 0 } })).toBe('"ping:" needs an IPv4 address');
  });

  it('rejects count 0', () => {
    expect(pingCheck.validate({ ping: '192.168.0.3', count: 0, expect: { loss: 0 } })).toBe('"count:" must be an integer from 1 to 20');
  });

  it('rejects unknown expectation', () => {
    expect(pingCheck.validate({ ping: '192.168.0.3', expect: { rtt: 1 } })).toContain('unknown expectation "rtt"');
  });

  it('rejects invalid from', () => {
    expect(pingCheck.validate({ ping: '192.168.0.3', from: 'container a b', expect: { loss: 0 } })).toContain('invalid "in: container a b"');
  });

  it('passes without loss', async () => {
    const host = new FakeHost().withDemo().on(['ping'], { stdout: readFixture('ping/success.txt') });

    const outcome = await runCheck(pingCheck, resolvedBody('overlay-ping', 'node1'), host);

    expect(outcome.status).toBe('pass');
    expect(outcome.message).toBe('ping 192.168.0.3 from container demo on node1: 0% packet loss');
    expect(outcome.found).toBe('3 transmitted, 3 received, 0% packet loss');
  });

  it('pings from the container', async () => {
    const host = new FakeHost().withDemo().on(['ping'], { stdout: readFixture('ping/success.txt') });

    await runCheck(pingCheck, resolvedBody('overlay-ping', 'node1'), host);

    expect(host.calls).toContainEqual([...IN_DEMO, 'ping', '-n', '-c', '3', '-i', '0.05', '-W', '1', '192.168.0.3']);
  });

  it('fails unreachable host', async () => {
    const host = new FakeHost().withDemo().on(['ping'], { exitCode: 1, stdout: readFixture('ping/unreachable.txt') });
    const body = { ping: '192.168.0.9', from: 'container demo', count: 3, expect: { loss: 0 } };

    const outcome = await runCheck(pingCheck, body, host);

    expect(outcome.status).toBe('fail');
    expect(outcome.message).toBe('ping 192.168.0.9 from container demo on node1: 100% packet loss (expected 0%)');
    expect(outcome.found).toContain('Destination Host Unreachable');
  });

  it('fails missing container', async () => {
    const host = new FakeHost().on(['docker', 'inspect', 'demo'], { exitCode: 1, stderr: 'Error: No such object: demo\n' });

    const outcome = await runCheck(pingCheck, resolvedBody('overlay-ping', 'node1'), host);

    expect(outcome.status).toBe('fail');
    expect(outcome.message).toBe('cannot ping from container demo on node1: no container demo on node1');
  });
});

describe('capture check', () => {
  // vxlan-ping-count contains both streams of tcpdump -c 6 during ping -c 3,
  // recorded on pfx-veth-a, the underlay interface of 10.0.10.30.
  const RECORDED = readFixture('tcpdump/vxlan-ping-count.stdout-stderr.txt').replaceAll('pfx-veth-a', 'eth0').split('\n');
  const STDERR_LINE = /^(tcpdump: |listening on |\d+ packets )/;
  const STDOUT = RECORDED.filter((line) => !STDERR_LINE.test(line)).join('\n');
  const STDERR = RECORDED.filter((line) => STDERR_LINE.test(line)).join('\n');
  const BANNER = RECORDED.filter((line) => /^(tcpdump: |listening on )/.test(line)).join('\n');

  /**
   * Create a host where tcpdump prints its banner, waits until ping has run
   * and then exits with `stdout`, as tcpdump -c does once it has its packets.
   */
  function captureHost(stdout: string, exitCode = 0): FakeHost {
    let pingRan: () => void = () => undefined;
    const pinged = new Promise<void>((resolve) => (pingRan = resolve));
    return new FakeHost()
      .withDemo()
      .on(['tcpdump'], async (argv, options) => {
        options?.onStderr?.(`${BANNER}\n`);
        await pinged;
        return execResult(argv, exitCode, stdout, STDERR);
      })
      .on(['ping'], (argv) => {
        pingRan();
        return execResult(argv, 0, readFixture('ping/success.txt'));
      });
  }

  it('accepts chapter-2 vxlan-on-the-wire', () => {
    expect(captureCheck.validate(chapterBody('vxlan-on-the-wire'))).toBeUndefined();
  });

  it('rejects missing filter', () => {
    const body = { ...chapterBody('vxlan-on-the-wire'), filter: undefined };

    expect(captureCheck.validate(body)).toContain('"filter:" needs a tcpdump filter');
  });

  it('rejects one address in between', () => {
    const body = { ...chapterBody('vxlan-on-the-wire'), expect: { vni: 42, between: ['10.0.10.30'] } };

    expect(captureCheck.validate(body)).toBe('"expect: between:" needs the two underlay addresses');
  });

  it('rejects unknown expectation', () => {
    const body = { ...chapterBody('vxlan-on-the-wire'), expect: { vni: 42, between: ['10.0.10.30', '10.0.10.31'], port: 4789 } };

    expect(captureCheck.validate(body)).toContain('unknown expectation "port"');
  });

  it('rejects invalid traffic from', () => {
    const body = { ...chapterBody('vxlan-on-the-wire'), traffic: { ping: '192.168.0.3', from: 'container a b' } };

    expect(captureCheck.validate(body)).toContain('invalid "in: container a b"');
  });

  // A count of 0 would run "tcpdump -c 0", and a misspelt "from:" would ping from the host.
  it('rejects traffic count 0', () => {
    const body = { ...chapterBody('vxlan-on-the-wire'), traffic: { ping: '192.168.0.3', from: 'container demo', count: 0 } };

    expect(captureCheck.validate(body)).toBeDefined();
  });

  it('rejects unknown traffic key', () => {
    const body = { ...chapterBody('vxlan-on-the-wire'), traffic: { ping: '192.168.0.3', form: 'container demo' } };

    expect(captureCheck.validate(body)).toBeDefined();
  });

  it('rejects traffic ping host name', () => {
    const body = { ...chapterBody('vxlan-on-the-wire'), traffic: { ping: 'node2', from: 'container demo' } };

    expect(captureCheck.validate(body)).toBeDefined();
  });

  it('passes VXLAN both ways', async () => {
    const outcome = await runCheck(captureCheck, resolvedBody('vxlan-on-the-wire', 'node1'), captureHost(STDOUT));

    expect(outcome.status).toBe('pass');
    expect(outcome.message).toBe('VXLAN vni 42 crosses the underlay both ways between 10.0.10.30 and 10.0.10.31');
    expect(outcome.found).toBe('3 packets 10.0.10.30 -> 10.0.10.31, 3 packets 10.0.10.31 -> 10.0.10.30, vni 42');
  });

  it('runs tcpdump on the host', async () => {
    const host = captureHost(STDOUT);

    await runCheck(captureCheck, resolvedBody('vxlan-on-the-wire', 'node1'), host);

    expect(host.calls).toContainEqual(['timeout', '4', 'tcpdump', '-pnl', '-i', 'eth0', '-c', '6', 'udp port 4789']);
  });

  it('listens longer on hosts that run slower', async () => {
    const host = captureHost(STDOUT);
    const context = { ...host.context(), lab: { slowdown: 5 } as RunningLab };
    const spec = captureCheck.parse(resolvedBody('vxlan-on-the-wire', 'node1'));

    await captureCheck.run(context, spec);

    expect(host.calls).toContainEqual(['timeout', '20', 'tcpdump', '-pnl', '-i', 'eth0', '-c', '6', 'udp port 4789']);
  });

  it('fails with one direction', async () => {
    // timeout(1) stops tcpdump with exit code 124 when fewer packets come.
    const stdout = withoutPacketsFrom(STDOUT, '10.0.10.31');

    const outcome = await runCheck(captureCheck, resolvedBody('vxlan-on-the-wire', 'node1'), captureHost(stdout, 124));

    expect(outcome.status).toBe('fail');
    expect(outcome.message).toBe('tcpdump on eth0 of node1 saw no VXLAN 10.0.10.31 -> 10.0.10.30 while pinging 192.168.0.3');
    expect(outcome.found).toBe('3 packets 10.0.10.30 -> 10.0.10.31, 0 packets 10.0.10.31 -> 10.0.10.30, vni 42');
  });

  it('fails with other vni', async () => {
    const stdout = STDOUT.replaceAll('vni 42', 'vni 43');

    const outcome = await runCheck(captureCheck, resolvedBody('vxlan-on-the-wire', 'node1'), captureHost(stdout));

    expect(outcome.status).toBe('fail');
    expect(outcome.message).toBe('VXLAN packets carry vni 43 (expected 42)');
  });

  it('fails when tcpdump cannot start', async () => {
    const host = new FakeHost().on(['tcpdump'], {
      exitCode: 1,
      stderr: 'tcpdump: eth9: No such device exists\n(No such device exists)\n',
    });
    const body = { ...resolvedBody('vxlan-on-the-wire', 'node1'), capture: 'eth9' };

    const outcome = await runCheck(captureCheck, body, host);

    expect(outcome.status).toBe('fail');
    expect(outcome.message).toContain('tcpdump on eth9 in node1 did not start');
    expect(outcome.message).toContain('No such device exists');
    expect(host.calls.some((argv) => argv.includes('ping'))).toBe(false);
  });
});
