import { fail, pass, type CheckKind } from '../check-kind.js';
import { validateKeys } from './expectations.js';

interface NetnsSpec {
  name: string;
  exists: boolean;
}

/** A named network namespace, from `ip -j netns list` on the host. */
export const netnsCheck: CheckKind<NetnsSpec> = {
  key: 'netns',
  keys: ['exists'],
  validate(body) {
    if (typeof body.netns !== 'string' || !body.netns) return '"netns:" needs a namespace name';
    if (body.exists !== undefined && typeof body.exists !== 'boolean') return '"exists:" must be true or false';
    return validateKeys(body, 'netns', this.keys);
  },
  parse(body) {
    return { name: String(body.netns), exists: body.exists !== false };
  },
  async run(context, spec) {
    const result = await context.exec(['ip', '-j', 'netns', 'list']);
    // iproute2 6.1 prints nothing at all, not "[]", when /var/run/netns is missing.
    const names = result.exitCode === 0 && result.stdout.trim() ? (JSON.parse(result.stdout) as { name: string }[]).map((entry) => entry.name) : [];
    const present = names.includes(spec.name);
    const expected = spec.exists ? `netns ${spec.name} exists` : `no netns ${spec.name}`;
    const found = names.length ? `ip netns list: ${names.join(', ')}` : 'ip netns list: (empty)';
    if (present === spec.exists) return pass(expected, found, `${expected} on ${context.host}`);
    return fail(expected, found, spec.exists ? `${context.host} has no network namespace ${spec.name}` : `${context.host} still has network namespace ${spec.name}`);
  },
};
