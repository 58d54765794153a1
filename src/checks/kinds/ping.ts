import type { ExecResult } from '../../exec.js';
import { parsePing, type PingSummary } from '../../parsers/ping.js';
import { fail, pass, type CheckContext, type CheckKind } from '../check-kind.js';
import { describeTarget, enterTarget, parseTarget, validateTarget, type Target } from '../target.js';
import { validateExpect, validateKeys } from './expectations.js';

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/**
 * Seconds between echo requests. iputils lets only root go below 0.2 s,
 * and checks run as root on the lab hosts; a short interval keeps
 * `overlab verify` fast.
 */
export const PING_INTERVAL_S = 0.05;

export interface PingSpec {
  address: string;
  from: Target;
  count: number;
  loss: number;
}

/** Run ping in a target; the summary line of iputils ping gives the loss. */
export async function runPing(
  context: CheckContext,
  spec: Omit<PingSpec, 'loss'>,
): Promise<{ missing: string } | { result: ExecResult; summary: PingSummary | undefined }> {
  const entered = await enterTarget(context, spec.from);
  if ('missing' in entered) return { missing: entered.missing };
  // -W 1: wait at most a second for each reply, so a broken overlay fails fast.
  const argv = [...entered.prefix, 'ping', '-n', '-c', String(spec.count), '-i', String(PING_INTERVAL_S), '-W', '1', spec.address];
  const result = await context.exec(argv, { timeoutMs: (spec.count + 5) * 1000 });
  const summary = parsePing(result.stdout);
  // Without a route, iputils exits at once with "connect: Network is
  // unreachable" and prints no statistics: nothing could get through.
  if (!summary && /Network is unreachable/.test(result.stderr)) {
    return { result, summary: { transmitted: 0, received: 0, lossPercent: 100, errors: 0, unreachable: true } };
  }
  return { result, summary };
}

/** Reachability between lab addresses: `ping -c COUNT` from a host, netns or container. */
export const pingCheck: CheckKind<PingSpec> = {
  key: 'ping',
  keys: ['from', 'count', 'expect'],
  validate(body) {
    if (typeof body.ping !== 'string' || !IPV4.test(body.ping.replace(/\$\{[^}]+\}/g, '0.0.0.0'))) return '"ping:" needs an IPv4 address';
    if (body.count !== undefined && !(Number.isInteger(body.count) && Number(body.count) > 0 && Number(body.count) <= 20)) return '"count:" must be an integer from 1 to 20';
    return validateKeys(body, 'ping', this.keys) ?? validateTarget(body.from) ?? validateExpect(body, ['loss']);
  },
  parse(body) {
    const expect = body.expect as Record<string, unknown>;
    return { address: String(body.ping), from: parseTarget(body.from), count: Number(body.count ?? 3), loss: Number(expect.loss ?? 0) };
  },
  async run(context, spec) {
    const where = describeTarget(spec.from, context.host);
    const expected = `ping ${spec.address} from ${where}: ${spec.loss}% packet loss`;
    const outcome = await runPing(context, spec);
    if ('missing' in outcome) return fail(expected, outcome.missing, `cannot ping from ${where}: ${outcome.missing}`);
    const { result, summary } = outcome;
    if (!summary) {
      const detail = (result.stderr || result.stdout).trim().split('\n').pop() || `exit code ${result.exitCode}`;
      return fail(expected, detail, `ping ${spec.address} from ${where} did not run: ${detail}`);
    }
    const found = `${summary.transmitted} transmitted, ${summary.received} received, ${summary.lossPercent}% packet loss${summary.unreachable ? ', Destination Host Unreachable' : ''}`;
    if (summary.lossPercent !== spec.loss) {
      return fail(expected, found, `ping ${spec.address} from ${where}: ${summary.lossPercent}% packet loss (expected ${spec.loss}%)`);
    }
    return pass(expected, found, `ping ${spec.address} from ${where}: ${summary.lossPercent}% packet loss`);
  },
};
