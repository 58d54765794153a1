import { fail, pass, type CheckKind } from '../check-kind.js';
import { parseNeighbours } from '../iproute2.js';
import { describeTarget, enterTarget, parseTarget, validateTarget, type Target } from '../target.js';
import { validateExpect, validateKeys } from './expectations.js';

interface NeighbourSpec {
  address: string;
  dev: string;
  target: Target;
  lladdr?: string;
  state?: string;
}

/** A neighbour (ARP) entry, from `ip -j neigh show dev DEV`. */
export const neighbourCheck: CheckKind<NeighbourSpec> = {
  key: 'neighbour',
  keys: ['dev', 'in', 'expect'],
  validate(body) {
    if (typeof body.dev !== 'string') return '"dev:" is required (the device the entry is on, e.g. vxlan1)';
    return validateKeys(body, 'neighbour', this.keys) ?? validateTarget(body.in) ?? validateExpect(body, ['lladdr', 'state']);
  },
  parse(body) {
    const expect = body.expect as Record<string, unknown>;
    return {
      address: String(body.neighbour),
      dev: String(body.dev),
      target: parseTarget(body.in),
      lladdr: expect.lladdr === undefined ? undefined : String(expect.lladdr).toLowerCase(),
      state: expect.state === undefined ? undefined : String(expect.state).toUpperCase(),
    };
  },
  async run(context, spec) {
    const where = describeTarget(spec.target, context.host);
    const expected = [spec.address, 'dev', spec.dev, spec.lladdr ? `lladdr ${spec.lladdr}` : '', spec.state ?? ''].filter(Boolean).join(' ');
    const entered = await enterTarget(context, spec.target);
    if ('missing' in entered) return fail(expected, entered.missing, `no neighbour table to read: ${entered.missing}`);
    const result = await context.exec([...entered.prefix, 'ip', '-j', 'neigh', 'show', 'dev', spec.dev]);
    if (result.exitCode !== 0) return fail(expected, `no device ${spec.dev} in ${where}`, `${spec.dev} does not exist in ${where}`);
    const entries = parseNeighbours(result.stdout);
    const entry = entries.find((candidate) => candidate.dst === spec.address);
    const table = entries.map((candidate) => `${candidate.dst} ${candidate.lladdr ?? ''} ${candidate.states.join(',')}`.replace(/\s+/g, ' ').trim());
    if (!entry) {
      return fail(expected, table.length ? table.join('; ') : `no neighbours on ${spec.dev}`, `${where} has no neighbour entry for ${spec.address} on ${spec.dev}`);
    }
    const found = `${entry.dst} dev ${spec.dev} lladdr ${entry.lladdr ?? 'none'} ${entry.states.join(',')}`;
    const problems: string[] = [];
    if (spec.lladdr && entry.lladdr !== spec.lladdr) problems.push(`lladdr is ${entry.lladdr ?? 'missing'} (expected ${spec.lladdr})`);
    if (spec.state && !entry.states.includes(spec.state)) problems.push(`state is ${entry.states.join(',') || 'none'} (expected ${spec.state})`);
    if (problems.length > 0) return fail(expected, found, `neighbour ${spec.address} in ${where}: ${problems.join(', ')}`);
    return pass(expected, found, `neighbour ${spec.address} in ${where} is as expected`);
  },
};
