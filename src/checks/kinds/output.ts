import { fail, pass, type CheckKind } from '../check-kind.js';
import { validateExpect, validateKeys } from './expectations.js';

interface OutputSpec {
  command: string;
  matches?: RegExp;
  notMatches?: RegExp;
  exit?: number;
}

/**
 * The output of a read-only command on the host, for state that iproute2 JSON
 * does not cover (`ip netns list`, Docker's namespace directory, a gossip
 * agent's event log, a key-value store). The command runs with bash -c;
 * patterns are JavaScript regular expressions matched against stdout in
 * multiline mode.
 */
export const outputCheck: CheckKind<OutputSpec> = {
  key: 'output',
  keys: ['expect'],
  validate(body) {
    if (typeof body.output !== 'string' || !body.output.trim()) return '"output:" needs a command';
    const problem = validateKeys(body, 'output', this.keys) ?? validateExpect(body, ['matches', 'not-matches', 'exit']);
    if (problem) return problem;
    const expect = body.expect as Record<string, unknown>;
    for (const key of ['matches', 'not-matches']) {
      if (expect[key] === undefined) continue;
      try {
        new RegExp(String(expect[key]), 'm');
      } catch (error) {
        return `"${key}:" is not a valid regular expression: ${(error as Error).message}`;
      }
    }
    if (expect.exit !== undefined && !Number.isInteger(expect.exit)) return '"exit:" must be an integer';
    return undefined;
  },
  parse(body) {
    const expect = body.expect as Record<string, unknown>;
    return {
      command: String(body.output),
      matches: expect.matches === undefined ? undefined : new RegExp(String(expect.matches), 'm'),
      notMatches: expect['not-matches'] === undefined ? undefined : new RegExp(String(expect['not-matches']), 'm'),
      exit: expect.exit === undefined ? undefined : Number(expect.exit),
    };
  },
  async run(context, spec) {
    const expected = [
      spec.exit !== undefined ? `exit ${spec.exit}` : '',
      spec.matches ? `output matching /${spec.matches.source}/` : '',
      spec.notMatches ? `output not matching /${spec.notMatches.source}/` : '',
    ]
      .filter(Boolean)
      .join(', ');
    const result = await context.exec(['bash', '-c', spec.command], { timeoutMs: 15_000 });
    const lines = result.stdout.trim().split('\n');
    const shown = lines.length > 6 ? [...lines.slice(0, 6), `… (${lines.length - 6} more lines)`] : lines;
    const found = `exit ${result.exitCode}: ${shown.join(' | ') || (result.stderr.trim() || '(no output)')}`;
    if (spec.exit !== undefined && result.exitCode !== spec.exit) return fail(expected, found, `"${spec.command}" on ${context.host} exited with ${result.exitCode} (expected ${spec.exit})`);
    if (spec.matches && !spec.matches.test(result.stdout)) return fail(expected, found, `"${spec.command}" on ${context.host} printed nothing matching /${spec.matches.source}/`);
    const unwanted = spec.notMatches?.exec(result.stdout);
    if (unwanted) return fail(expected, found, `"${spec.command}" on ${context.host} printed "${unwanted[0]}"`);
    return pass(expected, found, `"${spec.command}" on ${context.host} printed what was expected`);
  },
};
