import type { Chapter, CheckSpec } from '../course/chapter.js';
import { debugFor } from '../debug.js';
import type { Topology } from '../lab/topology.js';
import type { HostExecOptions, RunningLab } from '../providers/provider.js';
import type { CheckStatus } from '../checks/check-kind.js';
import { checkKind } from '../checks/registry.js';
import { hostVariables, resolveTemplates } from '../checks/template.js';

const debug = debugFor('check');

/** One check on one host. */
export interface CheckResult {
  id: string;
  title: string;
  kind: string;
  host: string;
  status: CheckStatus;
  expected: string;
  found: string;
  message: string;
  hint?: string;
  weight: number;
  durationMs: number;
}

const RETRY_INTERVAL_MS = 250;

/** At most this many checks run at once; each may run tcpdump and ping on a host. */
const CONCURRENCY = 8;

/** Run checks against the live lab; results come back in book order, host by host. */
export async function runChecks(lab: RunningLab, chapter: Chapter, topology: Topology, checks: readonly CheckSpec[] = chapter.checks): Promise<CheckResult[]> {
  const vars = hostVariables(topology, chapter.vars);
  const jobs = checks.flatMap((check) => check.hosts.map((host) => ({ check, host })));
  const results: CheckResult[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const index = next++;
      const job = jobs[index] as (typeof jobs)[number];
      results[index] = await runOneCheck(lab, job.check, job.host, vars);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, jobs.length) }, worker));
  return results;
}

async function runOneCheck(lab: RunningLab, check: CheckSpec, host: string, vars: ReturnType<typeof hostVariables>): Promise<CheckResult> {
  const started = performance.now();
  const base = { id: check.id, title: check.title, kind: check.kind, host, weight: check.weight };
  const kind = checkKind(check.kind);
  try {
    if (!kind) throw new Error(`unknown check kind ${check.kind}`);
    const body = resolveTemplates(check.body, host, vars) as Record<string, unknown>;
    const hint = check.hint === undefined ? undefined : String(resolveTemplates(check.hint, host, vars));
    const context = { lab, host, exec: (argv: readonly string[], options?: HostExecOptions) => lab.exec(host, argv, { timeoutMs: 20_000, ...options }) };
    const spec = kind.parse(body);
    // A check on converging state (gossip, learning) is retried for up to
    // `within` seconds (stretched on slow hosts) rather than run after a
    // fixed sleep.
    const deadline = performance.now() + Number(body.within ?? 0) * 1000 * lab.slowdown;
    let outcome = await kind.run(context, spec);
    while (outcome.status !== 'pass' && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, RETRY_INTERVAL_MS));
      outcome = await kind.run(context, spec);
    }
    debug('[%s/%s] %s: %s', lab.state.lab, host, check.id, outcome.status);
    return { ...base, ...outcome, hint: outcome.status === 'pass' ? undefined : hint, durationMs: performance.now() - started };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    debug('[%s/%s] %s: error %s', lab.state.lab, host, check.id, message);
    return { ...base, status: 'error', expected: '', found: '', message: `the check could not run: ${message}`, hint: check.hint, durationMs: performance.now() - started };
  }
}

/** Return the checks placed after a step in the book, up to the next step. */
export function checksAfterStep(chapter: Chapter, stepId: string): CheckSpec[] {
  return chapter.checks.filter((check) => check.afterStep === stepId);
}
