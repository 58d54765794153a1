import { parseVxlanCapture } from '../../parsers/tcpdump.js';
import type { HostExecOptions } from '../../providers/provider.js';
import { fail, pass, type CheckKind } from '../check-kind.js';
import { describeTarget, enterTarget, parseTarget, validateTarget, type Target } from '../target.js';
import { PING_INTERVAL_S, runPing } from './ping.js';
import { validateExpect, validateKeys } from './expectations.js';

interface CaptureSpec {
  interface: string;
  filter: string;
  target: Target;
  ping: string;
  pingFrom: Target;
  /** The host the traffic starts on; the captured host when undefined. */
  pingHost?: string;
  count: number;
  vni: number;
  between: [string, string];
  inner?: string;
}

const IPV4_OR_VARIABLE = /^(\d{1,3}(\.\d{1,3}){3}|\$\{[a-z_.]+\})$/;

/**
 * Return how long tcpdump listens, in seconds. The ping sends one request
 * every PING_INTERVAL_S and waits at most 1 s for the last reply, plus a
 * margin for the ping to start on another host (`docker exec` takes seconds
 * on emulated CPUs, hence the slowdown).
 */
function captureSeconds(count: number, slowdown: number): number {
  return Math.ceil((Math.ceil(count * PING_INTERVAL_S) + 3) * slowdown);
}

/** How long tcpdump may take to start listening before the check gives up, in ms. */
const LISTEN_TIMEOUT_MS = 5_000;

/**
 * VXLAN packets on the wire: a short tcpdump (4.99) on an interface while a
 * ping crosses the overlay. Passes when packets with the VNI go both ways
 * between the two underlay addresses, with the expected inner packet.
 */
export const captureCheck: CheckKind<CaptureSpec> = {
  key: 'capture',
  keys: ['filter', 'in', 'traffic', 'expect'],
  validate(body) {
    if (typeof body.capture !== 'string') return '"capture:" needs an interface name (e.g. capture: eth0)';
    if (typeof body.filter !== 'string') return '"filter:" needs a tcpdump filter (e.g. udp port 4789)';
    const traffic = body.traffic as Record<string, unknown> | undefined;
    if (!traffic || typeof traffic !== 'object') return '"traffic:" needs "ping: ADDRESS" and "from: TARGET"';
    for (const key of Object.keys(traffic)) {
      if (!['ping', 'from', 'count', 'host'].includes(key)) return `unknown key "${key}" in "traffic:" (known: ping, from, count, host)`;
    }
    if (typeof traffic.ping !== 'string' || !IPV4_OR_VARIABLE.test(traffic.ping)) return '"traffic: ping:" needs an IPv4 address';
    if (traffic.count !== undefined && !(Number.isInteger(traffic.count) && Number(traffic.count) > 0 && Number(traffic.count) <= 20)) return '"traffic: count:" must be an integer from 1 to 20';
    const between = (body.expect as Record<string, unknown> | undefined)?.between;
    if (!Array.isArray(between) || between.length !== 2) return '"expect: between:" needs the two underlay addresses';
    return validateKeys(body, 'capture', this.keys) ?? validateTarget(body.in) ?? validateTarget(traffic.from) ?? validateExpect(body, ['vni', 'between', 'inner']);
  },
  parse(body) {
    const traffic = body.traffic as Record<string, unknown>;
    const expect = body.expect as Record<string, unknown>;
    const between = expect.between as unknown[];
    return {
      interface: String(body.capture),
      filter: String(body.filter),
      target: parseTarget(body.in),
      ping: String(traffic.ping),
      pingFrom: parseTarget(traffic.from),
      pingHost: traffic.host === undefined ? undefined : String(traffic.host),
      count: Number(traffic.count ?? 3),
      vni: Number(expect.vni),
      between: [String(between[0]), String(between[1])],
      inner: expect.inner === undefined ? undefined : String(expect.inner),
    };
  },
  async run(context, spec) {
    const [a, b] = spec.between;
    const where = describeTarget(spec.target, context.host);
    const expected = `VXLAN vni ${spec.vni} ${a} -> ${b} and ${b} -> ${a}${spec.inner ? ` carrying "${spec.inner}"` : ''} on ${spec.interface}`;
    const entered = await enterTarget(context, spec.target);
    if ('missing' in entered) return fail(expected, entered.missing, `cannot capture: ${entered.missing}`);

    let listening: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (listening = resolve));
    // Every echo and reply is one outer packet each way; tcpdump stops at
    // that count, or when timeout(1) ends it if fewer cross the wire.
    const seconds = captureSeconds(spec.count, context.lab.slowdown);
    const capture = context.exec(
      [...entered.prefix, 'timeout', String(seconds), 'tcpdump', '-pnl', '-i', spec.interface, '-c', String(spec.count * 2), spec.filter],
      { timeoutMs: (seconds + 5) * 1000, onStderr: (chunk) => chunk.includes('listening on') && listening() },
    );
    let timer: NodeJS.Timeout | undefined;
    const ready = await Promise.race([
      started.then(() => true),
      capture.then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), LISTEN_TIMEOUT_MS * context.lab.slowdown))),
    ]);
    clearTimeout(timer);
    if (!ready) {
      const result = await capture;
      const limit = (LISTEN_TIMEOUT_MS * context.lab.slowdown) / 1000;
      if (result.stderr.includes('listening on')) {
        return fail(expected, `tcpdump listening after more than ${limit} s`, `tcpdump on ${spec.interface} in ${where} took more than ${limit} s to start`);
      }
      // tcpdump names the interface on the line before its reason.
      const detail = result.stderr.trim().split('\n').slice(-2).join(' ') || `exit code ${result.exitCode}`;
      return fail(expected, detail, `tcpdump on ${spec.interface} in ${where} did not start: ${detail}`);
    }
    const pingHost = spec.pingHost ?? context.host;
    const pingContext =
      pingHost === context.host
        ? context
        : { ...context, host: pingHost, exec: (argv: readonly string[], options?: HostExecOptions) => context.lab.exec(pingHost, argv, { timeoutMs: 20_000, ...options }) };
    const traffic = await runPing(pingContext, { address: spec.ping, from: spec.pingFrom, count: spec.count });
    const result = await capture;
    if ('missing' in traffic) return fail(expected, traffic.missing, `no traffic to capture: ${traffic.missing}`);

    const packets = parseVxlanCapture(result.stdout).filter((packet) => !spec.inner || (packet.inner ?? '').includes(spec.inner));
    const forward = packets.filter((packet) => packet.outerSrc === a && packet.outerDst === b);
    const backward = packets.filter((packet) => packet.outerSrc === b && packet.outerDst === a);
    const vnis = [...new Set(packets.map((packet) => packet.vni))];
    const found = `${forward.length} packets ${a} -> ${b}, ${backward.length} packets ${b} -> ${a}, vni ${vnis.join(',') || 'none'}`;
    if (forward.length === 0 || backward.length === 0) {
      return fail(expected, found, `tcpdump on ${spec.interface} of ${context.host} saw no VXLAN ${forward.length === 0 ? `${a} -> ${b}` : `${b} -> ${a}`} while pinging ${spec.ping}`);
    }
    const wrongVni = packets.find((packet) => packet.vni !== spec.vni);
    if (wrongVni) return fail(expected, found, `VXLAN packets carry vni ${wrongVni.vni} (expected ${spec.vni})`);
    return pass(expected, found, `VXLAN vni ${spec.vni} crosses the underlay both ways between ${a} and ${b}`);
  },
};
