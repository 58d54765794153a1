import { fail, pass, type CheckKind } from '../check-kind.js';
import { parseLinks } from '../iproute2.js';
import { describeTarget, enterTarget, parseTarget, validateTarget, type Target } from '../target.js';
import { validateExpect, validateKeys } from './expectations.js';

interface VethPeerSpec {
  name: string;
  target: Target;
  peerIn: Target;
  peerMaster?: string;
}

/**
 * The namespace and bridge of a veth's other end. `ethtool -S` prints the peer's ifindex
 * (`peer_ifindex: N`), which is then looked up among the links of the
 * namespace the peer should be in, with its bridge.
 */
export const vethPeerCheck: CheckKind<VethPeerSpec> = {
  key: 'veth-peer',
  keys: ['in', 'expect'],
  validate(body) {
    const problem = validateKeys(body, 'veth-peer', this.keys) ?? validateTarget(body.in) ?? validateExpect(body, ['peer-in', 'peer-master']);
    if (problem) return problem;
    return validateTarget((body.expect as Record<string, unknown>)['peer-in']);
  },
  parse(body) {
    const expect = body.expect as Record<string, unknown>;
    return {
      name: String(body['veth-peer']),
      target: parseTarget(body.in),
      peerIn: parseTarget(expect['peer-in']),
      peerMaster: expect['peer-master'] === undefined ? undefined : String(expect['peer-master']),
    };
  },
  async run(context, spec) {
    const where = describeTarget(spec.target, context.host);
    const peerWhere = describeTarget(spec.peerIn, context.host);
    const expected = `the peer of ${spec.name} in ${where} is in ${peerWhere}${spec.peerMaster ? ` on ${spec.peerMaster}` : ''}`;
    const entered = await enterTarget(context, spec.target);
    if ('missing' in entered) return fail(expected, entered.missing, `cannot read ${spec.name}: ${entered.missing}`);
    const stats = await context.exec([...entered.prefix, 'ethtool', '-S', spec.name]);
    const index = /peer_ifindex:\s*(\d+)/.exec(stats.stdout)?.[1];
    if (stats.exitCode !== 0 || index === undefined) {
      return fail(expected, (stats.stderr || stats.stdout).trim() || 'no peer_ifindex', `${spec.name} in ${where} is not a veth (ethtool -S shows no peer_ifindex)`);
    }
    const peerEntered = await enterTarget(context, spec.peerIn);
    if ('missing' in peerEntered) return fail(expected, peerEntered.missing, `cannot look for the peer: ${peerEntered.missing}`);
    const links = await context.exec([...peerEntered.prefix, 'ip', '-j', '-d', 'link', 'show']);
    const raw = JSON.parse(links.stdout || '[]') as { ifindex?: number }[];
    const position = raw.findIndex((link) => String(link.ifindex) === index);
    if (position === -1) return fail(expected, `peer_ifindex ${index}: no such interface in ${peerWhere}`, `the peer of ${spec.name} (ifindex ${index}) is not in ${peerWhere}`);
    const peer = parseLinks(JSON.stringify([raw[position]]))[0];
    const found = `peer_ifindex ${index} is ${peer?.name} in ${peerWhere}${peer?.master ? ` on ${peer.master}` : ''}`;
    if (spec.peerMaster && peer?.master !== spec.peerMaster) {
      return fail(expected, found, `the peer of ${spec.name} is ${peer?.name}, on ${peer?.master ?? 'no bridge'} (expected ${spec.peerMaster})`);
    }
    return pass(expected, found, `the peer of ${spec.name} in ${where} is ${peer?.name} in ${peerWhere}`);
  },
};
