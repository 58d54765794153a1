import type { Writable } from 'node:stream';
import { findChapter, parseAllChapters, selectMode, type LoadedChapter } from '../course/book.js';
import { unmetRequirement } from '../course/modes.js';
import { EXIT_CHECK_FAILED, EXIT_OK, OverlabError } from '../errors.js';
import { writeReportFile } from '../report/report-file.js';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { stateRoot } from '../paths.js';
import type { Provider } from '../providers/provider.js';
import { providerFor } from '../providers/registry.js';
import { formatJunit, type JunitSuite } from '../report/junit.js';
import { testChapter, type ChapterTestReport, type PhaseResult } from '../testing/chapter-test.js';
import { requireRoot } from '../providers/netns/netns-provider.js';

export interface TestOptions {
  mode?: string;
  repeat?: string;
  jobs?: string;
  junit?: string;
  provider?: string;
}

/**
 * Run each chapter (and each mode the machine supports) on fresh labs: every
 * check fails before, passes after the reference steps, and notices each
 * skipped step. Exit 0 when all of that holds, 1 when not.
 */
export async function testCommand(chapterIds: string[], options: TestOptions, output: Writable): Promise<number> {
  const repeat = positiveInteger(options.repeat ?? '1', '--repeat');
  const provider = providerFor(options.provider ?? 'netns');
  if (provider.kind === 'netns') requireRoot();
  // Labs that cannot run side by side are tested one after another.
  const jobs = provider.sideBySide ? positiveInteger(options.jobs ?? '2', '--jobs') : 1;
  const plan = await planRuns(chapterIds, options.mode, output);

  // Ctrl-C or SIGTERM: remove this run's labs before exiting, because the
  // labs outlive overlab and only this process has their names.
  const prefix = `test-${process.pid % 100000}-`;
  const onSignal = (signal: NodeJS.Signals) => {
    output.write(`interrupted by ${signal}: removing this run's labs\n`);
    void removeLabs(provider, prefix).finally(() => process.exit(EXIT_CHECK_FAILED));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const reports: ChapterTestReport[] = [];
  let run = 0;
  for (let round = 1; round <= repeat; round++) {
    for (const loaded of plan) {
      const label = `${loaded.chapter.id}${loaded.chapter.mode ? ` (${loaded.chapter.mode})` : ''}${repeat > 1 ? ` round ${round}` : ''}`;
      output.write(`${label}: testing on fresh labs\n`);
      const report = await testChapter(loaded, {
        provider,
        labPrefix: `${prefix}${run++}`,
        jobs,
        onPhase: (phase) => output.write(formatPhase(label, phase)),
      });
      const unguarded = report.phases.filter((phase) => phase.phase === 'mutation' && !phase.ok).map((phase) => phase.name);
      output.write(`${label}: ${report.ok ? 'ok' : 'FAILED'} in ${seconds(report.durationMs)}${report.explanatory.length > 0 ? `; explanatory steps: ${report.explanatory.join(', ')}` : ''}${unguarded.length > 0 ? `; steps no check notices: ${unguarded.join(', ')}` : ''}\n`);
      reports.push(report);
    }
  }

  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  if (options.junit) await writeReportFile(options.junit, formatJunit(testSuites(reports), 'overlab test'));
  const failed = reports.filter((report) => !report.ok);
  output.write(`${reports.length - failed.length} passed, ${failed.length} failed\n`);
  return failed.length === 0 ? EXIT_OK : EXIT_CHECK_FAILED;
}

async function planRuns(chapterIds: string[], mode: string | undefined, output: Writable): Promise<LoadedChapter[]> {
  const all = await parseAllChapters();
  const chosen = chapterIds.length === 0 ? all : chapterIds.map((id) => findChapter(all, id));
  const plan: LoadedChapter[] = [];
  for (const chapter of chosen) {
    if (chapter.modes.length === 0) {
      if (mode && chapterIds.length > 0) throw new OverlabError('BAD_ARGUMENT', `chapter ${chapter.id} has no modes, so --mode ${mode} does not apply`, { hint: 'leave out --mode' });
      plan.push(await selectMode(chapter, undefined));
      continue;
    }
    const modes = mode ? chapter.modes.filter((candidate) => candidate.name === mode) : chapter.modes;
    if (mode && modes.length === 0) throw new OverlabError('BAD_ARGUMENT', `chapter ${chapter.id} has no mode "${mode}"`, { hint: `use --mode ${chapter.modes.map((candidate) => candidate.name).join(' or --mode ')}` });
    for (const candidate of modes) {
      const unmet = await unmetRequirement(candidate);
      if (unmet) {
        output.write(`${chapter.id} (${candidate.name}): skipped, ${unmet}\n`);
        continue;
      }
      plan.push(await selectMode(chapter, candidate.name));
    }
  }
  return plan;
}

function formatPhase(label: string, phase: PhaseResult): string {
  const what = phase.phase === 'mutation' ? `without step ${phase.name}` : phase.name;
  const lines = [`${label}: ${what}: ${phase.ok ? 'ok' : 'FAILED'} (${seconds(phase.durationMs)})`];
  for (const problem of phase.problems) lines.push(`    ${problem}`);
  return `${lines.join('\n')}\n`;
}

function testSuites(reports: ChapterTestReport[]): JunitSuite[] {
  return reports.map((report) => ({
    name: report.mode ? `${report.chapter} (${report.mode})` : report.chapter,
    timeSeconds: report.durationMs / 1000,
    cases: report.phases.map((phase) => ({
      classname: `${report.chapter}.${phase.phase}`,
      name: phase.phase === 'mutation' ? `without step ${phase.name}` : phase.name,
      timeSeconds: phase.durationMs / 1000,
      failure: phase.ok ? undefined : { message: phase.problems[0] ?? 'failed', details: phase.problems.join('\n') },
    })),
  }));
}

function positiveInteger(text: string, option: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new OverlabError('BAD_ARGUMENT', `invalid ${option} ${text}`, { hint: `use a whole number of 1 or more, e.g. ${option} 2` });
  return value;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

async function removeLabs(provider: Provider, prefix: string): Promise<void> {
  const labs = await readdir(path.join(stateRoot(), 'labs')).catch(() => [] as string[]);
  for (const lab of labs.filter((name) => name.startsWith(prefix))) await provider.down(lab);
}
