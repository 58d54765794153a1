import { fail, pass, type CheckKind } from '../check-kind.js';
import { describeMismatch, mismatches, summarize, validateExpect, validateKeys, type Comparison } from './expectations.js';

interface DockerNetworkSpec {
  name: string;
  expect: Record<string, unknown>;
}

interface RawNetwork {
  Id?: string;
  Driver?: string;
  Scope?: string;
  IPAM?: { Config?: { Subnet?: string }[] };
  Options?: Record<string, string>;
}

/**
 * A Docker network as `docker network inspect` shows it on the host.
 * `same-id-on` lists hosts whose daemons must show the network with the same
 * ID, which is how a multi-host network looks from each of its hosts.
 */
export const dockerNetworkCheck: CheckKind<DockerNetworkSpec> = {
  key: 'docker-network',
  keys: ['expect'],
  validate(body) {
    const problem = validateKeys(body, 'docker-network', this.keys) ?? validateExpect(body, ['driver', 'scope', 'subnet', 'options', 'same-id-on']);
    if (problem) return problem;
    const expect = body.expect as Record<string, unknown>;
    if (expect.options !== undefined && (typeof expect.options !== 'object' || expect.options === null)) return '"options:" must map option names to values';
    if (expect['same-id-on'] !== undefined && !Array.isArray(expect['same-id-on'])) return '"same-id-on:" must list host names';
    return undefined;
  },
  parse(body) {
    return { name: String(body['docker-network']), expect: body.expect as Record<string, unknown> };
  },
  async run(context, spec) {
    const expected = `network ${spec.name} ${Object.entries(spec.expect)
      .map(([key, value]) => `${key}=${typeof value === 'object' ? JSON.stringify(value) : String(value)}`)
      .join(' ')}`;
    const result = await context.exec(['docker', 'network', 'inspect', spec.name], { timeoutMs: 10_000 });
    if (result.exitCode !== 0) return fail(expected, `no network ${spec.name}`, `${context.host} has no Docker network ${spec.name}`);
    const network = (JSON.parse(result.stdout) as RawNetwork[])[0] ?? {};
    const comparisons: Comparison[] = [];
    for (const [key, value] of Object.entries(spec.expect)) {
      if (key === 'driver') comparisons.push({ name: key, expected: value, found: network.Driver });
      if (key === 'scope') comparisons.push({ name: key, expected: value, found: network.Scope });
      if (key === 'subnet') comparisons.push({ name: key, expected: value, found: network.IPAM?.Config?.map((config) => config.Subnet) ?? [] });
      if (key === 'options') {
        for (const [option, optionValue] of Object.entries(value as Record<string, unknown>)) {
          comparisons.push({ name: option, expected: String(optionValue), found: network.Options?.[option] });
        }
      }
      if (key === 'same-id-on') {
        for (const other of value as string[]) {
          if (other === context.host) continue;
          const remote = await context.lab.exec(other, ['docker', 'network', 'inspect', '--format', '{{.Id}}', spec.name], { timeoutMs: 10_000 });
          const otherId = remote.exitCode === 0 ? remote.stdout.trim() : 'none';
          comparisons.push({ name: `id on ${other}`, expected: network.Id?.slice(0, 12), found: otherId.slice(0, 12) });
        }
      }
    }
    const found = `network ${spec.name} id=${network.Id?.slice(0, 12)} ${summarize(comparisons, 'found')}`;
    const wrong = mismatches(comparisons);
    if (wrong.length > 0) return fail(expected, found, `network ${spec.name} on ${context.host}: ${wrong.map(describeMismatch).join(', ')}`);
    return pass(expected, found, `network ${spec.name} on ${context.host} is as expected`);
  },
};
