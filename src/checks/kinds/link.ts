import { fail, pass, type CheckKind } from '../check-kind.js';
import { parseLinks, type LinkSummary } from '../iproute2.js';
import { describeTarget, enterTarget, parseTarget, validateTarget, type Target } from '../target.js';
import { describeMismatch, mismatches, summarize, validateExpect, validateKeys, type Comparison } from './expectations.js';

const EXPECTATIONS = ['type', 'up', 'mtu', 'address', 'master', 'ipv4', 'vni', 'dstport', 'proxy', 'learning', 'l2miss', 'l3miss', 'created-outside', 'mac-from-ip'] as const;

interface LinkSpec {
  name: string;
  target: Target;
  expect: Record<string, unknown>;
}

/**
 * A network device and its properties, from `ip -j -d addr show dev NAME`.
 * `created-outside: true` holds when the device shows a link-netnsid: for a
 * vxlan device that means it was created in another namespace (the host's)
 * and moved, so its UDP socket and underlay route lookup stay there.
 */
export const linkCheck: CheckKind<LinkSpec> = {
  key: 'link',
  keys: ['in', 'expect'],
  validate(body) {
    return validateKeys(body, 'link', this.keys) ?? validateTarget(body.in) ?? validateExpect(body, EXPECTATIONS);
  },
  parse(body) {
    return { name: String(body.link), target: parseTarget(body.in), expect: body.expect as Record<string, unknown> };
  },
  async run(context, spec) {
    const where = describeTarget(spec.target, context.host);
    const expected = `${spec.name} ${Object.entries(spec.expect)
      .map(([key, value]) => `${key}=${String(value)}`)
      .join(' ')}`;
    const entered = await enterTarget(context, spec.target);
    if ('missing' in entered) return fail(expected, entered.missing, `${spec.name} cannot exist yet: ${entered.missing}`);
    const result = await context.exec([...entered.prefix, 'ip', '-j', '-d', 'addr', 'show', 'dev', spec.name]);
    if (result.exitCode !== 0) {
      return fail(expected, `no device ${spec.name} in ${where}`, `${spec.name} does not exist in ${where}`);
    }
    const link = parseLinks(result.stdout)[0];
    if (!link) return fail(expected, `no device ${spec.name} in ${where}`, `${spec.name} does not exist in ${where}`);
    const comparisons = Object.entries(spec.expect).map(([name, value]) => ({ name, expected: value, found: foundValue(link, name) }) satisfies Comparison);
    const wrong = mismatches(comparisons);
    const found = `${spec.name} ${summarize(comparisons, 'found')}`;
    if (wrong.length > 0) {
      return fail(`${spec.name} ${summarize(comparisons, 'expected')}`, found, `${spec.name} in ${where}: ${wrong.map(describeMismatch).join(', ')}`);
    }
    return pass(`${spec.name} ${summarize(comparisons, 'expected')}`, found, `${spec.name} in ${where} is as expected`);
  },
};

function foundValue(link: LinkSummary, name: string): unknown {
  switch (name) {
    case 'type':
      return link.type;
    case 'up':
      return link.up;
    case 'mtu':
      return link.mtu;
    case 'address':
      return link.address;
    case 'master':
      return link.master;
    case 'ipv4':
      return link.ipv4;
    case 'created-outside':
      return link.linkNetnsId !== undefined;
    case 'mac-from-ip':
      return macFromIp(link);
    case 'vni':
    case 'dstport':
    case 'proxy':
    case 'learning':
    case 'l2miss':
    case 'l3miss':
      return link.vxlan?.[name];
    default:
      return undefined;
  }
}

/**
 * Docker's rule for a container MAC: 02:42 and then the four bytes of the
 * IPv4 address (192.168.0.100 -> 02:42:c0:a8:00:64). True when the link's
 * MAC follows it for its first IPv4 address.
 */
function macFromIp(link: LinkSummary): boolean {
  const ip = link.ipv4[0]?.split('/')[0];
  if (!ip) return false;
  const bytes = ip.split('.').map((octet) => Number(octet).toString(16).padStart(2, '0'));
  return link.address === ['02', '42', ...bytes].join(':');
}
