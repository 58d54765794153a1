import fs from 'node:fs';
import { describe, it, expect } from 'vitest';
import { chapterChecks, execResult, withoutPacketsFrom } from '../chapter-checks.js';
import type { ExecResult } from '../../../src/exec.js';
import { parseTopology } from '../../../src/lab/topology.js';
import type { HostExecOptions, RunningLab } from '../../../src/providers/provider.js';
import type { CheckContext, CheckKind, CheckOutcome } from '../../../src/checks/check-kind.js';
import { identifyCheckKind } from '../../../src/checks/registry.js';
import { captureCheck } from '../../../src/checks/kinds/capture.js';
import { dockerNetworkCheck } from '../../../src/checks/kinds/docker-network.js';
import { linkCheck } from '../../../src/checks/kinds/link.js';
import { outputCheck } from '../../../src/checks/kinds/output.js';
import { routeCheck } from '../../../src/checks/kinds/route.js';
import { vethPeerCheck } from '../../../src/checks/kinds/veth-peer.js';

// The check kinds of chapter 1 (docker-network, veth-peer, route, output,
// link mac-from-ip and capture with traffic.host), run against a fake lab
// whose hosts return output recorded from a classic-mode chapter-1 lab:
// Docker 20.10, iproute2 6.1, ethtool 6.1, tcpdump 4.99.3 and Serf
// 0.8.2-dev on Debian 12. test/fixtures/chapter-1/README.md lists the
// command behind each file.

function readFixture(path: string): string {
  return fs.readFileSync(new URL(`../../fixtures/chapter-1/${path}`, import.meta.url), 'utf8');
}


const TOPOLOGY_FILE = new URL('../../../labs/overlay-classic.json', import.meta.url);
const TOPOLOGY = parseTopology(JSON.parse(fs.readFileSync(TOPOLOGY_FILE, 'utf8')) as unknown, TOPOLOGY_FILE.pathname);
const CHECKS = chapterChecks('chapter-1', TOPOLOGY);
const chapterBody = CHECKS.body;
const resolvedBody = CHECKS.resolved;

type Respond = (argv: readonly string[], options: HostExecOptions | undefined) => ExecResult | Promise<ExecResult>;
type Output = { exitCode?: number; stdout?: string; stderr?: string };

/** One command a check ran, with the host it ran on and whether it went through `lab.exec`. */
interface Call {
  host: string;
  argv: readonly string[];
  through: 'context' | 'lab';
}

function sameArgv(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((word, index) => word === b[index]);
}

/**
 * A lab host. A command gets the output recorded for exactly its argv (or
 * for the first predicate it satisfies), and a command with no recorded
 * output makes the check reject, naming the command and the host.
 */
class FakeHost {
  private readonly routes: { matches: (argv: readonly string[]) => boolean; respond: Respond }[] = [];

  constructor(readonly name: string) {}

  on(command: readonly string[] | ((argv: readonly string[]) => boolean), answer: Output | Respond): this {
    const respond: Respond =
      typeof answer === 'function' ? answer : (called) => execResult(called, answer.exitCode ?? 0, answer.stdout ?? '', answer.stderr ?? '');
    const matches = typeof command === 'function' ? command : (argv: readonly string[]) => sameArgv(argv, command);
    this.routes.push({ matches, respond });
    return this;
  }

  async respond(argv: readonly string[], options: HostExecOptions | undefined): Promise<ExecResult> {
    const route = this.routes.find((candidate) => candidate.matches(argv));
    if (!route) throw new Error(`no recorded output on ${this.name} for: ${argv.join(' ')}`);
    return route.respond(argv, options);
  }
}

/** A lab of fake hosts, which checks reach through `context.exec` and `context.lab.exec`. */
class FakeLab {
  readonly calls: Call[] = [];
  private readonly hosts = new Map<string, FakeHost>();

  host(name: string): FakeHost {
    let host = this.hosts.get(name);
    if (!host) {
      host = new FakeHost(name);
      this.hosts.set(name, host);
    }
    return host;
  }

  context(host: string): CheckContext {
    // Check kinds use only exec and slowdown of the running lab.
    const lab = { slowdown: 1, exec: (target: string, argv: readonly string[], options?: HostExecOptions) => this.exec(target, argv, options, 'lab') } as Pick<RunningLab, 'exec' | 'slowdown'> as RunningLab;
    return { lab, host, exec: (argv, options) => this.exec(host, argv, options, 'context') };
  }

  /** Return the argv of every command run on `host`. */
  commandsOn(host: string): (readonly string[])[] {
    return this.calls.filter((call) => call.host === host).map((call) => call.argv);
  }

  private async exec(host: string, argv: readonly string[], options: HostExecOptions | undefined, through: Call['through']): Promise<ExecResult> {
    this.calls.push({ host, argv, through });
    return this.host(host).respond(argv, options);
  }
}

async function runCheck<Spec>(kind: CheckKind<Spec>, body: Record<string, unknown>, lab: FakeLab, host = 'node1'): Promise<CheckOutcome> {
  return kind.run(lab.context(host), kind.parse(body));
}

const DEMONET_ID = readFixture('node1/docker-network-id-demonet.txt');
const INSPECT_DEMONET_ID = ['docker', 'network', 'inspect', '--format', '{{.Id}}', 'demonet'];
const LIST_DOCKER_NETNS = ['ls', '-1', '/var/run/docker/netns'];
const IN_DEMO1 = ['nsenter', '--net=/var/run/docker/netns/4d671f7c5e9d', '--'];
const IN_DEMO2 = ['nsenter', '--net=/var/run/docker/netns/3e7d152598aa', '--'];
const IN_OVERLAY = ['nsenter', '--net=/var/run/docker/netns/1-e9aa4fd8ff', '--'];

function inspectContainer(name: string): string[] {
  return ['docker', 'inspect', '--format', '{{.State.Running}} {{.NetworkSettings.SandboxKey}}', name];
}

/** Make node1 of the recorded lab, with demo1 running and demonet's namespace present. */
function node1(lab: FakeLab): FakeHost {
  return lab
    .host('node1')
    .on(inspectContainer('demo1'), { stdout: readFixture('node1/docker-inspect-demo1.txt') })
    .on(INSPECT_DEMONET_ID, { stdout: DEMONET_ID })
    .on(LIST_DOCKER_NETNS, { stdout: readFixture('node1/docker-netns.txt') })
    .on(['ip', '-j', '-d', 'link', 'show'], { stdout: readFixture('node1/host-ip-link.json') })
    .on([...IN_OVERLAY, 'ip', '-j', '-d', 'link', 'show'], { stdout: readFixture('node1/overlay-ip-link.json') });
}

describe('identifyCheckKind', () => {
  it.each([
    ['network-everywhere', 'docker-network'],
    ['gwbridge', 'docker-network'],
    ['eth1-peer', 'veth-peer'],
    ['eth0-peer', 'veth-peer'],
    ['default-route', 'route'],
    ['overlay-route', 'route'],
    ['serf-members', 'output'],
    ['overlay-namespace', 'output'],
    ['eth0', 'link'],
    ['wire-classic', 'capture'],
  ])('identifies chapter-1 %s as %s', (id, kind) => {
    expect(identifyCheckKind(chapterBody(id))).toEqual({ kind });
  });
});

describe('docker-network check', () => {
  function networkLab(node2Id: Output): FakeLab {
    const lab = new FakeLab();
    lab.host('node1').on(['docker', 'network', 'inspect', 'demonet'], { stdout: readFixture('node1/docker-network-inspect-demonet.json') });
    lab.host('node2').on(INSPECT_DEMONET_ID, node2Id);
    return lab;
  }

  function gwbridgeLab(): FakeLab {
    const lab = new FakeLab();
    lab.host('node1').on(['docker', 'network', 'inspect', 'docker_gwbridge'], { stdout: readFixture('node1/docker-network-inspect-docker_gwbridge.json') });
    return lab;
  }

  it.each(['network-everywhere', 'gwbridge'])('accepts chapter-1 %s', (id) => {
    expect(dockerNetworkCheck.validate(chapterBody(id))).toBeUndefined();
  });

  it('rejects options that are not a mapping', () => {
    const error = dockerNetworkCheck.validate({ 'docker-network': 'docker_gwbridge', expect: { options: 'enable_icc' } });

    expect(error).toBe('"options:" must map option names to values');
  });

  it('rejects same-id-on that is not a list', () => {
    const error = dockerNetworkCheck.validate({ 'docker-network': 'demonet', expect: { 'same-id-on': 'node2' } });

    expect(error).toBe('"same-id-on:" must list host names');
  });

  it('rejects unknown expectation', () => {
    const error = dockerNetworkCheck.validate({ 'docker-network': 'demonet', expect: { labels: {} } });

    expect(error).toContain('unknown expectation "labels"');
  });

  it('rejects missing expect', () => {
    expect(dockerNetworkCheck.validate({ 'docker-network': 'demonet' })).toBe('missing "expect:"');
  });

  it('passes demonet on both nodes', async () => {
    const outcome = await runCheck(dockerNetworkCheck, resolvedBody('network-everywhere', 'node1'), networkLab({ stdout: readFixture('node2/docker-network-id-demonet.txt') }));

    expect(outcome.status).toBe('pass');
    expect(outcome.message).toBe('network demonet on node1 is as expected');
    expect(outcome.found).toBe('network demonet id=e9aa4fd8ff16 driver=overlay subnet=192.168.0.0/24 id on node2=e9aa4fd8ff16');
  });

  it('asks node2 for its ID', async () => {
    const lab = networkLab({ stdout: readFixture('node2/docker-network-id-demonet.txt') });

    await runCheck(dockerNetworkCheck, resolvedBody('network-everywhere', 'node1'), lab);

    expect(lab.calls).toContainEqual({ host: 'node2', argv: INSPECT_DEMONET_ID, through: 'lab' });
  });

  it('skips its own host in same-id-on', async () => {
    const lab = networkLab({ stdout: readFixture('node2/docker-network-id-demonet.txt') });

    await runCheck(dockerNetworkCheck, resolvedBody('network-everywhere', 'node1'), lab);

    expect(lab.commandsOn('node1')).toEqual([['docker', 'network', 'inspect', 'demonet']]);
  });

  it('passes docker_gwbridge options', async () => {
    const outcome = await runCheck(dockerNetworkCheck, resolvedBody('gwbridge', 'node1'), gwbridgeLab());

    expect(outcome.status).toBe('pass');
    expect(outcome.found).toBe(
      'network docker_gwbridge id=11c98aa3fadc subnet=172.18.0.0/16 com.docker.network.bridge.enable_icc=false com.docker.network.bridge.enable_ip_masquerade=true',
    );
  });

  it('fails other option value', async () => {
    const body = { 'docker-network': 'docker_gwbridge', expect: { options: { 'com.docker.network.bridge.enable_icc': 'true' } } };

    const outcome = await runCheck(dockerNetworkCheck, body, gwbridgeLab());

    expect(outcome.status).toBe('fail');
    expect(outcome.message).toBe('network docker_gwbridge on node1: com.docker.network.bridge.enable_icc is false (expected true)');
  });

  it('fails other driver', async () => {
    const body = { 'docker-network': 'docker_gwbridge', expect: { driver: 'overlay' } };

    const outcome = await runCheck(dockerNetworkCheck, body, gwbridgeLab());

    expect(outcome.status).toBe('fail');
    expect(outcome.message).toBe('network docker_gwbridge on node1: driver is bridge (expected overlay)');
  });

  // The ID of a second network named demonet, created in the same lab after
  // the first was removed: what node2 would show had it created its own.
  it('fails other ID on node2', async () => {
    const lab = networkLab({ stdout: readFixture('node1/no-overlay-namespace/docker-network-id-demonet.txt') });

    const outcome = await runCheck(dockerNetworkCheck, resolvedBody('network-everywhere', 'node1'), lab);

    expect(outcome.status).toBe('fail');
    expect(outcome.message).toBe('network demonet on node1: id on node2 is b762c256f285 (expected e9aa4fd8ff16)');
  });

  it('fails network missing on node2', async () => {
    const lab = networkLab({
      exitCode: 1,
      stdout: readFixture('node1/docker-network-id-removed.stdout.txt'),
      stderr: readFixture('node1/docker-network-id-removed.stderr.txt'),
    });

    const outcome = await runCheck(dockerNetworkCheck, resolvedBody('network-everywhere', 'node1'), lab);

    expect(outcome.status).toBe('fail');
    expect(outcome.message).toBe('network demonet on node1: id on node2 is none (expected e9aa4fd8ff16)');
  });

  it('fails missing network', async () => {
    const lab = new FakeLab();
    lab.host('node1').on(['docker', 'network', 'inspect', 'demonet'], {
      exitCode: 1,
      stdout: readFixture('node1/docker-network-inspect-removed.stdout.txt'),
      stderr: readFixture('node1/docker-network-inspect-removed.stderr.txt'),
    });

    const outcome = await runCheck(dockerNetworkCheck, resolvedBody('network-everywhere', 'node1'), lab);

    expect(outcome.status).toBe('fail');
    expect(outcome.message).toBe('node1 has no Docker network demonet');
    expect(outcome.found).toBe('no network demonet');
  });

  it('reads nothing else when missing', async () => {
    const lab = new FakeLab();
    lab.host('node1').on(['docker', 'network', 'inspect', 'demonet'], { exitCode: 1, stdout: readFixture('node1/docker-network-inspect-removed.stdout.txt') });

    await runCheck(dockerNetworkCheck, resolvedBody('network-everywhere', 'node1'), lab);

    expect(lab.calls).toHaveLength(1);
  });
});

describe('veth-peer check', () => {
  function demo1Veths(lab: FakeLab): FakeHost {
    return node1(lab)
      .on([...IN_DEMO1, 'ethtool', '-S', 'eth0'], { stdout: readFixture('node1/demo1-ethtool-S-eth0.txt') })
      .on([...IN_DEMO1, 'ethtool', '-S', 'eth1'], { stdout: readFixture('node1/demo1-ethtool-S-eth1.txt') });
  }

  it.each(['eth1-peer', 'eth0-peer'])('accepts chapter-1 %s', (id) => {
    expect(vethPeerCheck.validate(chapterBody(id))).toBeUndefined();
  });

  it('rejects invalid peer-in', () => {
    const error = vethPeerCheck.validate({ 'veth-peer': 'eth0', in: 'container demo1', expect: { 'peer-in': 'overlay demo net' } });

    expect(error).toContain('invalid "in: overlay demo net"');
  });

  it('rejects unknown expectation', () => {
    const error = vethPeerCheck.validate({ 'veth-peer': 'eth0', expect: { 'peer-name': 'veth0' } });

    expect(error).toContain('unknown expectation "peer-name"');
  });

  it('passes eth1 peer on docker_gwbridge', async () => {
    const lab = new FakeLab();
    demo1Veths(lab);

    const outcome = await runCheck(vethPeerCheck, resolvedBody('eth1-peer', 'node1'), lab);

    expect(outcome.status).toBe('pass');
    expect(outcome.message).toBe('the peer of eth1 in container demo1 on node1 is veth9e6a0ad in node1');
    expect(outcome.found).toBe('peer_ifindex 10 is veth9e6a0ad in node1 on docker_gwbridge');
  });

  it('reads ethtool in demo1', async () => {
    const lab = new FakeLab();
    demo1Veths(lab);

    await runCheck(vethPeerCheck, resolvedBody('eth1-peer', 'node1'), lab);

    expect(lab.commandsOn('node1')).toContainEqual([...IN_DEMO1, 'ethtool', '-S', 'eth1']);
  });

  it('fails wrong peer master', async () => {
    const lab = new FakeLab();
    demo1Veths(lab);
    const body = { 'veth-peer': 'eth1', in: 'container demo1', expect: { 'peer-in': 'host', 'peer-master': 'br0' } };

    const outcome = await runCheck(vethPeerCheck, body, lab);

    expect(outcome.status).toBe('fail');
    expect(outcome.message).toBe('the peer of eth1 is veth9e6a0ad, on docker_gwbridge (expected br0)');
  });

  // eth0's peer (ifindex 7) is in the overlay's namespace, not on the host.
  it('fails peer absent from host', async () => {
    const lab = new FakeLab();
    demo1Veths(lab);
    const body = { 'veth-peer': 'eth0', in: 'container demo1', expect: { 'peer-in': 'host', 'peer-master': 'br0' } };

    const outcome = await runCheck(vethPeerCheck, body, lab);

    expect(outcome.status).toBe('fail');
    expect(outcome.message).toBe('the peer of eth0 (ifindex 7) is not in node1');
    expect(outcome.found).toBe('peer_ifindex 7: no such interface in node1');
  });

  it('passes eth0 peer in overlay', async () => {
    const lab = new FakeLab();
    demo1Veths(lab);

    const outcome = await runCheck(vethPeerCheck, resolvedBody('eth0-peer', 'node1'), lab);

    expect(outcome.status).toBe('pass');
    expect(outcome.message).toBe('the peer of eth0 in container demo1 on node1 is veth0 in the namespace of overlay demonet on node1');
    expect(outcome.found).toBe('peer_ifindex 7 is veth0 in the namespace of overlay demonet on node1 on br0');
  });

  it('finds overlay namespace by network ID', async () => {
    const lab = new FakeLab();
    demo1Veths(lab);

    await runCheck(vethPeerCheck, resolvedBody('eth0-peer', 'node1'), lab);

    expect(lab.commandsOn('node1')).toEqual([
      inspectContainer('demo1'),
      [...IN_DEMO1, 'ethtool', '-S', 'eth0'],
      INSPECT_DEMONET_ID,
      LIST_DOCKER_NETNS,
      [...IN_OVERLAY, 'ip', '-j', '-d', 'link', 'show'],
    ]);
  });

  it('fails missing overlay namespace', async () => {
    const lab = new FakeLab();
    lab
      .host('node1')
      .on(inspectContainer('demo1'), { stdout: readFixture('node1/docker-inspect-demo1.txt') })
      .on([...IN_DEMO1, 'ethtool', '-S', 'eth0'], { stdout: readFixture('node1/demo1-ethtool-S-eth0.txt') })
      .on(INSPECT_DEMONET_ID, { stdout: readFixture('node1/no-overlay-namespace/docker-network-id-demonet.txt') })
      .on(LIST_DOCKER_NETNS, { stdout: readFixture('node1/no-overlay-namespace/docker-netns.txt') });

    const outcome = await runCheck(vethPeerCheck, resolvedBody('eth0-peer', 'node1'), lab);

    expect(outcome.status).toBe('fail');
    expect(outcome.message).toBe('cannot look for the peer: no namespace for overlay demonet (…-b762c256f2) in /var/run/docker/netns on node1');
  });

  it('fails missing overlay network', async () => {
    const lab = new FakeLab();
    lab
      .host('node1')
      .on(inspectContainer('demo1'), { stdout: readFixture('node1/docker-inspect-demo1.txt') })
      .on([...IN_DEMO1, 'ethtool', '-S', 'eth0'], { stdout: readFixture('node1/demo1-ethtool-S-eth0.txt') })
      .on(INSPECT_DEMONET_ID, {
        exitCode: 1,
        stdout: readFixture('node1/docker-network-id-removed.stdout.txt'),
        stderr: readFixture('node1/docker-network-id-removed.stderr.txt'),
      });

    const outcome = await runCheck(vethPeerCheck, resolvedBody('eth0-peer', 'node1'), lab);

    expect(outcome.status).toBe('fail');
    expect(outcome.message).toBe('cannot look for the peer: no network demonet on node1');
  });
});

describe('route check', () => {
  function demo1Routes(): FakeLab {
    const lab = new FakeLab();
    lab
      .host('node1')
      .on(inspectContainer('demo1'), { stdout: readFixture('node1/docker-inspect-demo1.txt') })
      .on([...IN_DEMO1, 'ip', '-j', 'route', 'show'], { stdout: readFixture('node1/demo1-ip-route.json') });
    return lab;
  }

  it.each(['default-route', 'overlay-route'])('accepts chapter-1 %s', (id) => {
    expect(routeCheck.validate(chapterBody(id))).toBeUndefined();
  });

  it('rejects unknown expectation', () => {
    const error = routeCheck.validate({ route: 'default', expect: { metric: 0 } });

    expect(error).toContain('unknown expectation "metric"');
  });

  it('rejects invalid in', () => {
    const error = routeCheck.validate({ route: 'default', in: 'container demo 1', expect: { dev: 'eth1' } });

    expect(error).toContain('invalid "in: container demo 1"');
  });

  it('passes default via docker_gwbridge', async () => {
    const outcome = await runCheck(routeCheck, resolvedBody('default-route', 'node1'), demo1Routes());

    expect(outcome.status).toBe('pass');
    expect(outcome.message).toBe('route default in container demo1 on node1 is as expected');
    expect(outcome.found).toBe('default via 172.18.0.1 dev eth1');
  });

  it('passes overlay subnet on eth0', async () => {
    const outcome = await runCheck(routeCheck, resolvedBody('overlay-route', 'node1'), demo1Routes());

    expect(outcome.status).toBe('pass');
    expect(outcome.found).toBe('192.168.0.0/24 dev eth0');
  });

  it('fails wrong via', async () => {
    const body = { route: 'default', in: 'container demo1', expect: { via: '172.18.0.254', dev: 'eth1' } };

    const outcome = await runCheck(routeCheck, body, demo1Routes());

    expect(outcome.status).toBe('fail');
    expect(outcome.message).toBe('route default in container demo1 on node1: via 172.18.0.1 (expected 172.18.0.254)');
  });

  it('fails wrong dev', async () => {
    const body = { route: '192.168.0.0/24', in: 'container demo1', expect: { dev: 'eth1' } };

    const outcome = await runCheck(routeCheck, body, demo1Routes());

    expect(outcome.status).toBe('fail');
    expect(outcome.message).toBe('route 192.168.0.0/24 in container demo1 on node1: dev eth0 (expected eth1)');
  });

  it('fails missing route', async () => {
    const body = { route: '10.0.10.0/24', in: 'container demo1', expect: { dev: 'eth1' } };

    const outcome = await runCheck(routeCheck, body, demo1Routes());

    expect(outcome.status).toBe('fail');
    expect(outcome.message).toBe('container demo1 on node1 has no route to 10.0.10.0/24');
    expect(outcome.found).toBe('default via 172.18.0.1 dev eth1; 172.18.0.0/16 dev eth1; 192.168.0.0/24 dev eth0');
  });
});

describe('output check', () => {
  const SERF_MEMBERS = readFixture('node2/serf-members.txt');
  const DOCKER_NETNS = readFixture('node1/docker-netns.txt');

  function outputLab(host: string, command: unknown, answer: Output): FakeLab {
    const lab = new FakeLab();
    lab.host(host).on(['bash', '-c', String(command)], answer);
    return lab;
  }

  it.each(['serf-members', 'overlay-namespace', 'sandbox', 'hidden-from-ip-netns', 'store-network', 'store-endpoint'])('accepts chapter-1 %s', (id) => {
    expect(outputCheck.validate(chapterBody(id))).toBeUndefined();
  });

  it('accepts within', () => {
    const error = outputCheck.validate({ output: 'serf members', expect: { matches: 'alive' }, within: 10 });

    expect(error).toBeUndefined();
  });

  it('rejects invalid matches regex', () => {
    const error = outputCheck.validate({ output: 'serf members', expect: { matches: 'node1 (alive' } });

    expect(error).toContain('"matches:" is not a valid regular expression');
  });

  it('rejects invalid not-matches regex', () => {
    const error = outputCheck.validate({ output: 'ip netns list', expect: { 'not-matches': '[0-9' } });

    expect(error).toContain('"not-matches:" is not a valid regular expression');
  });

  it('rejects non-integer exit', () => {
    expect(outputCheck.validate({ output: 'true', expect: { exit: '0' } })).toBe('"exit:" must be an integer');
  });

  it('rejects empty command', () => {
    expect(outputCheck.validate({ output: ' ', expect: { exit: 0 } })).toBe('"output:" needs a command');
  });

  it('rejects unknown key', () => {
    const error = outputCheck.validate({ output: 'serf members', in: 'container demo1', expect: { exit: 0 } });

    expect(error).toContain('unknown key "in" in the output check');
  });

  it('passes serf members match', async () => {
    const body = resolvedBody('serf-members', 'node2');
    const lab = outputLab('node2', body.output, { stdout: SERF_MEMBERS });

    const outcome = await runCheck(outputCheck, body, lab, 'node2');

    expect(outcome.status).toBe('pass');
    expect(outcome.message).toBe('"serf members" on node2 printed what was expected');
  });

  it('runs the command with bash -c', async () => {
    const body = resolvedBody('serf-members', 'node2');
    const lab = outputLab('node2', body.output, { stdout: SERF_MEMBERS });

    await runCheck(outputCheck, body, lab, 'node2');

    expect(lab.commandsOn('node2')).toEqual([['bash', '-c', 'serf members']]);
  });

  it('fails without node1 member', async () => {
    const body = resolvedBody('serf-members', 'node2');
    const withoutNode1 = SERF_MEMBERS.split('\n')
      .filter((line) => !line.startsWith('node1'))
      .join('\n');
    const lab = outputLab('node2', body.output, { stdout: withoutNode1 });

    const outcome = await runCheck(outputCheck, body, lab, 'node2');

    expect(outcome.status).toBe('fail');
    expect(outcome.message).toBe('"serf members" on node2 printed nothing matching /^node1\\s+10\\.0\\.10\\.30:7946\\s+alive/');
  });

  // iproute2 6.1 prints nothing for ip netns list when /var/run/netns is missing.
  it('passes empty ip netns list', async () => {
    const body = resolvedBody('hidden-from-ip-netns', 'node1');

    const outcome = await runCheck(outputCheck, body, outputLab('node1', body.output, { stdout: '' }));

    expect(outcome.status).toBe('pass');
    expect(outcome.found).toBe('exit 0: (no output)');
  });

  // Docker's namespace names, as ip netns list would print them if they
  // were linked into /var/run/netns.
  it('fails on not-matches hit', async () => {
    const body = resolvedBody('hidden-from-ip-netns', 'node1');

    const outcome = await runCheck(outputCheck, body, outputLab('node1', body.output, { stdout: DOCKER_NETNS }));

    expect(outcome.status).toBe('fail');
    expect(outcome.message).toBe('"ip netns list" on node1 printed "04ad09cc1670"');
  });

  // grep -x prints the one matching line of the listing and exits with 0.
  it('passes exit 0', async () => {
    const body = resolvedBody('overlay-namespace', 'node1');
    const matching = DOCKER_NETNS.split('\n').filter((line) => line === '1-e9aa4fd8ff');
    const lab = outputLab('node1', body.output, { stdout: `${matching.join('\n')}\n` });

    const outcome = await runCheck(outputCheck, body, lab);

    expect(outcome.status).toBe('pass');
    expect(outcome.found).toBe('exit 0: 1-e9aa4fd8ff');
  });

  // grep exits with 1 when no line matches, as in no-overlay-namespace/docker-netns.txt.
  it('fails exit 1', async () => {
    const body = resolvedBody('overlay-namespace', 'node1');

    const outcome = await runCheck(outputCheck, body, outputLab('node1', body.output, { exitCode: 1 }));

    expect(outcome.status).toBe('fail');
    expect(outcome.message).toContain('on node1 exited with 1 (expected 0)');
    expect(outcome.found).toBe('exit 1: (no output)');
  });

  it('shortens long output in found', async () => {
    const body = { output: 'ls -1 /var/run/docker/netns', expect: { matches: '^1-' } };
    const listing = `${DOCKER_NETNS}${['a1', 'a2', 'a3'].join('\n')}\n`;

    const outcome = await runCheck(outputCheck, body, outputLab('node1', body.output, { stdout: listing }));

    expect(outcome.found).toBe('exit 0: 04ad09cc1670 | 1-e9aa4fd8ff | 4d671f7c5e9d | d04a79411207 | a1 | a2 | … (1 more lines)');
  });
});

describe('link check mac-from-ip', () => {
  const DEMO1_ETH0 = readFixture('node1/demo1-ip-addr-eth0.json');

  function eth0Lab(addrJson: string): FakeLab {
    const lab = new FakeLab();
    lab
      .host('node1')
      .on(inspectContainer('demo1'), { stdout: readFixture('node1/docker-inspect-demo1.txt') })
      .on([...IN_DEMO1, 'ip', '-j', '-d', 'addr', 'show', 'dev', 'eth0'], { stdout: addrJson });
    return lab;
  }

  /** Return demo1's eth0 as recorded, with its MAC address replaced. */
  function withAddress(address: string): string {
    const links = JSON.parse(DEMO1_ETH0) as { address: string }[];
    return JSON.stringify(links.map((link) => ({ ...link, address })));
  }

  it('accepts chapter-1 eth0', () => {
    expect(linkCheck.validate(chapterBody('eth0'))).toBeUndefined();
  });

  it('passes chapter-1 eth0', async () => {
    const outcome = await runCheck(linkCheck, resolvedBody('eth0', 'node1'), eth0Lab(DEMO1_ETH0));

    expect(outcome.status).toBe('pass');
    expect(outcome.message).toBe('eth0 in container demo1 on node1 is as expected');
    expect(outcome.found).toBe('eth0 type=veth mtu=1450 ipv4=192.168.0.100/24 address=02:42:c0:a8:00:64 mac-from-ip=on');
  });

  it('fails altered MAC', async () => {
    const body = { link: 'eth0', in: 'container demo1', expect: { 'mac-from-ip': true } };

    const outcome = await runCheck(linkCheck, body, eth0Lab(withAddress('02:42:c0:a8:00:65')));

    expect(outcome.status).toBe('fail');
    expect(outcome.message).toBe('eth0 in container demo1 on node1: mac-from-ip is off (expected on)');
  });

  // A MAC that does not start with 02:42, as a user-set --mac-address may.
  it('fails non-Docker MAC', async () => {
    const body = { link: 'eth0', in: 'container demo1', expect: { 'mac-from-ip': true } };

    const outcome = await runCheck(linkCheck, body, eth0Lab(withAddress('c0:a8:00:64:02:42')));

    expect(outcome.status).toBe('fail');
  });

  it('passes false for altered MAC', async () => {
    const body = { link: 'eth0', in: 'container demo1', expect: { 'mac-from-ip': false } };

    const outcome = await runCheck(linkCheck, body, eth0Lab(withAddress('02:42:c0:a8:00:65')));

    expect(outcome.status).toBe('pass');
  });

  it('compares MAC case-insensitively', async () => {
    const body = { link: 'eth0', in: 'container demo1', expect: { 'mac-from-ip': true } };

    const outcome = await runCheck(linkCheck, body, eth0Lab(withAddress('02:42:C0:A8:00:64')));

    expect(outcome.status).toBe('pass');
  });
});

describe('capture check with traffic host', () => {
  const STDOUT = readFixture('node1/tcpdump-vxlan.stdout.txt');
  const STDERR = readFixture('node1/tcpdump-vxlan.stderr.txt');
  const BANNER = STDERR.split('\n')
    .filter((line) => /^(tcpdump: |listening on )/.test(line))
    .join('\n');
  const TCPDUMP = ['tcpdump', '-pnl', '-i', 'eth0', '-c', '6', 'udp port 4789'];

  // capture.ts sizes timeout(1) from the ping count, so these tests accept
  // any number of seconds.
  function isCapture(argv: readonly string[]): boolean {
    return argv[0] === 'timeout' && /^\d+$/.test(argv[1] ?? '') && sameArgv(argv.slice(2), TCPDUMP);
  }
  const PING_FROM_DEMO2 = [...IN_DEMO2, 'ping', '-n', '-c', '3', '-i', '0.05', '-W', '1', '192.168.0.100'];

  /**
   * Create a lab where tcpdump on node1 prints its banner, waits until the
   * ping on node2 has run and then exits with `stdout`, as tcpdump -c does
   * once it has its packets.
   */
  function captureLab(stdout: string, exitCode = 0): FakeLab {
    let pingRan: () => void = () => undefined;
    const pinged = new Promise<void>((resolve) => (pingRan = resolve));
    const lab = new FakeLab();
    lab.host('node1').on(isCapture, async (argv, options) => {
      options?.onStderr?.(`${BANNER}\n`);
      await pinged;
      return execResult(argv, exitCode, stdout, STDERR);
    });
    lab
      .host('node2')
      .on(inspectContainer('demo2'), { stdout: readFixture('node2/docker-inspect-demo2.txt') })
      .on(PING_FROM_DEMO2, (argv) => {
        pingRan();
        return execResult(argv, 0, readFixture('node2/ping-demo2.txt'));
      });
    return lab;
  }

  it.each(['wire-classic', 'wire-swarm'])('accepts chapter-1 %s', (id) => {
    expect(captureCheck.validate(chapterBody(id))).toBeUndefined();
  });

  it('rejects unknown traffic key', () => {
    const body = { ...chapterBody('wire-classic'), traffic: { ping: '192.168.0.100', from: 'container demo2', hosts: 'node2' } };

    expect(captureCheck.validate(body)).toBe('unknown key "hosts" in "traffic:" (known: ping, from, count, host)');
  });

  it('passes VNI 256 both ways', async () => {
    const outcome = await runCheck(captureCheck, resolvedBody('wire-classic', 'node1'), captureLab(STDOUT));

    expect(outcome.status).toBe('pass');
    expect(outcome.message).toBe('VXLAN vni 256 crosses the underlay both ways between 10.0.10.30 and 10.0.10.31');
    expect(outcome.found).toBe('3 packets 10.0.10.30 -> 10.0.10.31, 3 packets 10.0.10.31 -> 10.0.10.30, vni 256');
  });

  it('pings through lab.exec on node2', async () => {
    const lab = captureLab(STDOUT);

    await runCheck(captureCheck, resolvedBody('wire-classic', 'node1'), lab);

    expect(lab.calls).toContainEqual({ host: 'node2', argv: PING_FROM_DEMO2, through: 'lab' });
  });

  it('enters demo2 on node2', async () => {
    const lab = captureLab(STDOUT);

    await runCheck(captureCheck, resolvedBody('wire-classic', 'node1'), lab);

    expect(lab.calls).toContainEqual({ host: 'node2', argv: inspectContainer('demo2'), through: 'lab' });
  });

  it('captures on node1 only', async () => {
    const lab = captureLab(STDOUT);

    await runCheck(captureCheck, resolvedBody('wire-classic', 'node1'), lab);

    const commands = lab.commandsOn('node1');

    expect(commands).toHaveLength(1);
    expect(isCapture(commands[0] ?? [])).toBe(true);
  });

  it('fails swarm VNI', async () => {
    const outcome = await runCheck(captureCheck, resolvedBody('wire-swarm', 'node1'), captureLab(STDOUT));

    expect(outcome.status).toBe('fail');
    expect(outcome.message).toBe('VXLAN packets carry vni 256 (expected 4097)');
  });

  // timeout(1) stops tcpdump with exit code 124 when fewer packets come.
  it('fails without replies', async () => {
    const stdout = withoutPacketsFrom(STDOUT, '10.0.10.30');

    const outcome = await runCheck(captureCheck, resolvedBody('wire-classic', 'node1'), captureLab(stdout, 124));

    expect(outcome.status).toBe('fail');
    expect(outcome.message).toBe('tcpdump on eth0 of node1 saw no VXLAN 10.0.10.30 -> 10.0.10.31 while pinging 192.168.0.100');
  });

  it('fails missing container on node2', async () => {
    const lab = new FakeLab();
    lab.host('node1').on(isCapture, (argv, options) => {
      options?.onStderr?.(`${BANNER}\n`);
      return execResult(argv, 124, '', STDERR);
    });
    lab.host('node2').on(inspectContainer('demo2'), { exitCode: 1, stderr: 'Error: No such object: demo2\n' });

    const outcome = await runCheck(captureCheck, resolvedBody('wire-classic', 'node1'), lab);

    expect(outcome.status).toBe('fail');
    expect(outcome.message).toBe('no traffic to capture: no container demo2 on node2');
  });
});
