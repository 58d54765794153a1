import { fail, pass, type CheckKind } from '../check-kind.js';
import { formatFdbEntry, parseFdb, parseLinks } from '../iproute2.js';
import { describeTarget, enterTarget, parseTarget, validateTarget, type Target } from '../target.js';
import { validateExpect, validateKeys } from './expectations.js';

interface FdbSpec {
  mac: string;
  dev: string;
  target: Target;
  dst?: string;
  self?: boolean;
  state?: string;
  vni?: number;
  port?: number;
}

/**
 * A forwarding database entry, from `bridge -j fdb show dev DEV`. An entry's
 * vni and port are printed only when they differ from the device's own
 * (iproute2 6.1), so the device's are read to compare them.
 */
export const fdbCheck: CheckKind<FdbSpec> = {
  key: 'fdb',
  keys: ['dev', 'in', 'expect'],
  validate(body) {
    if (typeof body.dev !== 'string') return '"dev:" is required (e.g. dev: vxlan1)';
    const problem = validateKeys(body, 'fdb', this.keys) ?? validateTarget(body.in) ?? validateExpect(body, ['dst', 'self', 'state', 'vni', 'port']);
    if (problem) return problem;
    const expect = body.expect as Record<string, unknown>;
    if (expect.self !== undefined && typeof expect.self !== 'boolean') return '"self:" must be true or false';
    for (const key of ['vni', 'port']) {
      if (expect[key] !== undefined && !Number.isInteger(expect[key])) return `"${key}:" must be an integer`;
    }
    return undefined;
  },
  parse(body) {
    const expect = body.expect as Record<string, unknown>;
    return {
      mac: String(body.fdb).toLowerCase(),
      dev: String(body.dev),
      target: parseTarget(body.in),
      dst: expect.dst === undefined ? undefined : String(expect.dst),
      self: expect.self === undefined ? undefined : expect.self === true,
      state: expect.state === undefined ? undefined : String(expect.state).toLowerCase(),
      vni: expect.vni === undefined ? undefined : Number(expect.vni),
      port: expect.port === undefined ? undefined : Number(expect.port),
    };
  },
  async run(context, spec) {
    const where = describeTarget(spec.target, context.host);
    const expected = [
      spec.mac,
      `dev ${spec.dev}`,
      spec.dst ? `dst ${spec.dst}` : '',
      spec.vni !== undefined ? `vni ${spec.vni}` : '',
      spec.port !== undefined ? `port ${spec.port}` : '',
      spec.self ? 'self' : '',
      spec.state ?? '',
    ]
      .filter(Boolean)
      .join(' ');
    const entered = await enterTarget(context, spec.target);
    if ('missing' in entered) return fail(expected, entered.missing, `no forwarding database to read: ${entered.missing}`);
    const result = await context.exec([...entered.prefix, 'bridge', '-j', 'fdb', 'show', 'dev', spec.dev]);
    if (result.exitCode !== 0) return fail(expected, `no device ${spec.dev} in ${where}`, `${spec.dev} does not exist in ${where}`);
    const entries = parseFdb(result.stdout).filter((entry) => entry.mac === spec.mac && (spec.self === undefined || entry.self === spec.self));
    if (entries.length === 0) {
      const all = parseFdb(result.stdout).filter((entry) => entry.self);
      return fail(expected, all.length ? all.map(formatFdbEntry).join('; ') : `no self entries on ${spec.dev}`, `${where} has no FDB entry for ${spec.mac} on ${spec.dev}`);
    }
    let deviceVni: number | undefined;
    let devicePort: number | undefined;
    if (spec.vni !== undefined || spec.port !== undefined) {
      const link = parseLinks((await context.exec([...entered.prefix, 'ip', '-j', '-d', 'link', 'show', 'dev', spec.dev])).stdout)[0];
      deviceVni = link?.vxlan?.vni;
      devicePort = link?.vxlan?.dstport;
    }
    const problemsOf = (entry: (typeof entries)[number]): string[] => {
      const problems: string[] = [];
      if (spec.dst && entry.dst !== spec.dst) problems.push(`dst is ${entry.dst ?? 'none'} (expected ${spec.dst})`);
      if (spec.state !== undefined && entry.state !== spec.state) problems.push(`state is ${entry.state || 'learned'} (expected ${spec.state})`);
      if (spec.vni !== undefined && (entry.vni ?? deviceVni) !== spec.vni) problems.push(`vni is ${entry.vni ?? deviceVni} (expected ${spec.vni})`);
      if (spec.port !== undefined && (entry.port ?? devicePort) !== spec.port) problems.push(`port is ${entry.port ?? devicePort} (expected ${spec.port})`);
      return problems;
    };
    const matching = entries.find((entry) => problemsOf(entry).length === 0);
    if (matching) return pass(expected, formatFdbEntry(matching), `FDB entry for ${spec.mac} in ${where} is as expected`);
    // Describe the VXLAN device's own entry: unlike the bridge's, it has a dst to compare.
    const first = entries.find((entry) => entry.self) ?? (entries[0] as (typeof entries)[number]);
    return fail(expected, entries.map(formatFdbEntry).join('; '), `FDB entry for ${spec.mac} in ${where}: ${problemsOf(first).join(', ')}`);
  },
};
