import type { LoadedChapter } from '../course/book.js';
import type { Step } from '../course/chapter.js';
import type { Provider, RunningLab } from '../providers/provider.js';
import { runChecks, type CheckResult } from '../runner/check-runner.js';
import { ChapterRunner, stepSucceeded } from '../runner/step-runner.js';

export type PhaseName = 'fresh' | 'reference' | 'mutation';

/** The outcome of one phase, or of one mutation (one step skipped). */
export interface PhaseResult {
  phase: PhaseName;
  /** "fresh lab", "reference run" or the skipped step's id. */
  name: string;
  ok: boolean;
  durationMs: number;
  /** The problems found, one line each. */
  problems: string[];
}

export interface ChapterTestReport {
  chapter: string;
  mode?: string;
  ok: boolean;
  durationMs: number;
  phases: PhaseResult[];
  /** Steps marked explanatory, which no check is expected to notice. */
  explanatory: string[];
}

export interface ChapterTestOptions {
  provider: Provider;
  /** Prefix of the lab names; each phase and mutation gets a lab of its own. */
  labPrefix: string;
  /** How many mutation labs may run at once. */
  jobs: number;
  onPhase?: (result: PhaseResult) => void;
}

/**
 * Prove that a chapter's checks are honest. On a fresh lab every check
 * fails, except those marked holds-at-start, which pass. After the reference
 * steps every check passes. Skipping any one step that is not explanatory
 * makes at least one check fail.
 */
export async function testChapter(loaded: LoadedChapter, options: ChapterTestOptions): Promise<ChapterTestReport> {
  const { chapter, topology } = loaded;
  const started = performance.now();
  const phases: PhaseResult[] = [];
  const record = (result: PhaseResult) => {
    phases.push(result);
    options.onPhase?.(result);
  };

  const mainLab = `${options.labPrefix}-r`;
  try {
    const lab = await options.provider.up(mainLab, topology);
    record(await freshPhase(lab, loaded));
    record(await referencePhase(lab, loaded));
  } finally {
    await options.provider.down(mainLab);
  }

  const guarded = chapter.steps.filter((step) => !step.explanatory);
  let next = 0;
  const worker = async () => {
    while (next < guarded.length) {
      const index = next++;
      const step = guarded[index] as Step;
      const labName = `${options.labPrefix}-m${index}`;
      try {
        const lab = await options.provider.up(labName, topology);
        record(await mutationPhase(lab, loaded, step));
      } finally {
        await options.provider.down(labName);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.jobs, guarded.length)) }, worker));

  return {
    chapter: chapter.id,
    mode: chapter.mode,
    ok: phases.every((phase) => phase.ok),
    durationMs: performance.now() - started,
    phases,
    explanatory: chapter.steps.filter((step) => step.explanatory).map((step) => step.id),
  };
}

async function freshPhase(lab: RunningLab, { chapter, topology }: LoadedChapter): Promise<PhaseResult> {
  const started = performance.now();
  const results = await runChecks(lab, chapter, topology);
  const problems = results
    .filter((result) => {
      const holds = chapter.checks.find((check) => check.id === result.id)?.holdsAtStart === true;
      return holds ? result.status !== 'pass' : result.status !== 'fail';
    })
    .map((result) => describeUnexpected(result, chapter.checks.find((check) => check.id === result.id)?.holdsAtStart === true ? 'pass on a fresh lab (holds-at-start)' : 'fail on a fresh lab'));
  return { phase: 'fresh', name: 'fresh lab', ok: problems.length === 0, durationMs: performance.now() - started, problems };
}

async function referencePhase(lab: RunningLab, { chapter, topology }: LoadedChapter): Promise<PhaseResult> {
  const started = performance.now();
  const runner = new ChapterRunner(lab, chapter, topology);
  const problems: string[] = [];
  const output: string[] = [];
  runner.on('output', (_step, host, _stream, chunk) => output.push(`${host}: ${chunk}`));
  for (const step of chapter.steps) {
    output.length = 0;
    const results = await runner.runStep(step);
    if (!stepSucceeded(results, step)) {
      const last = results.at(-1);
      const tail = output.join('').trim().split('\n').slice(-3).join(' | ');
      problems.push(`step ${step.id} on ${last?.host} ${step.expectFailure ? 'succeeded but should fail' : `failed with exit code ${last?.exitCode}`}: ${tail}`);
      break;
    }
  }
  if (problems.length === 0) {
    const results = await runChecks(lab, chapter, topology);
    problems.push(...results.filter((result) => result.status !== 'pass').map((result) => describeUnexpected(result, 'pass after the reference steps')));
  }
  return { phase: 'reference', name: 'reference run', ok: problems.length === 0, durationMs: performance.now() - started, problems };
}

/** Run every step but one (and no explanatory step) and expect some check to fail. */
async function mutationPhase(lab: RunningLab, { chapter, topology }: LoadedChapter, skipped: Step): Promise<PhaseResult> {
  const started = performance.now();
  const runner = new ChapterRunner(lab, chapter, topology);
  for (const step of chapter.steps) {
    // Later steps may fail without the skipped one; what matters is whether a check notices.
    if (step.id !== skipped.id && !step.explanatory) await runner.runStep(step);
  }
  const results = await runChecks(lab, chapter, topology);
  const noticed = results.filter((result) => result.status !== 'pass');
  const problems = noticed.length > 0 ? [] : [`skipping step ${skipped.id} fails no check: add a check for what it does, or mark it explanatory`];
  return { phase: 'mutation', name: skipped.id, ok: noticed.length > 0, durationMs: performance.now() - started, problems };
}

function describeUnexpected(result: CheckResult, should: string): string {
  return `check ${result.id} on ${result.host} should ${should} but is ${result.status}: ${result.message}`;
}
