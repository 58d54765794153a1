import type { Writable } from 'node:stream';
import { chaptersForTopology, findChapter, parseAllChapters, selectMode, type LoadedChapter } from '../course/book.js';
import { EXIT_CHECK_FAILED, EXIT_OK, OverlabError } from '../errors.js';
import { writeReportFile } from '../report/report-file.js';
import { formatJunit, type JunitSuite } from '../report/junit.js';
import { runChecks, type CheckResult } from '../runner/check-runner.js';
import { readProgress } from '../runner/progress.js';
import { stylerFor } from '../ui/style.js';
import { collectVersions, type Versions } from '../versions.js';
import { labName, providerOf, type LabOptions } from './options.js';

export interface VerifyOptions extends LabOptions {
  json?: boolean;
  hints?: boolean;
  junit?: string;
}

/** Version of the --json document (docs/verify-report.schema.json); bumped on any incompatible change. */
export const VERIFY_SCHEMA = 'overlab.verify/v1';

export interface Score {
  earned: number;
  possible: number;
}

export interface ChapterReport {
  id: string;
  title: string;
  mode?: string;
  topology: string;
  passed: number;
  total: number;
  score: Score;
  durationMs: number;
  checks: CheckResult[];
}

export interface VerifyReport {
  schema: typeof VERIFY_SCHEMA;
  lab: string;
  provider: string;
  generatedAt: string;
  versions: Versions;
  chapters: ChapterReport[];
  passed: number;
  total: number;
  score: Score;
  ok: boolean;
}

/**
 * Grade a lab from its live state. Every check of the named chapters (or of
 * every chapter on the lab's topology) reads the kernel, and no file that
 * overlab wrote is consulted.
 */
export async function verifyCommand(chapterIds: string[], options: VerifyOptions, output: Writable): Promise<number> {
  const lab = labName(options);
  const provider = await providerOf(options, lab);
  const running = await provider.attach(lab);
  const chapters = await chaptersToGrade(chapterIds, lab, running.state.topology.name);
  // Reading the tool versions takes as long as a check; do it alongside them.
  const versions = collectVersions();

  const chapterReports: ChapterReport[] = [];
  for (const { chapter, topology } of chapters) {
    const started = performance.now();
    const checks = await runChecks(running, chapter, topology);
    const passing = checks.filter((check) => check.status === 'pass');
    chapterReports.push({
      id: chapter.id,
      title: chapter.title,
      mode: chapter.mode,
      topology: topology.name,
      passed: passing.length,
      total: checks.length,
      score: { earned: sum(passing.map((check) => check.weight)), possible: sum(checks.map((check) => check.weight)) },
      durationMs: performance.now() - started,
      checks,
    });
  }
  const passed = sum(chapterReports.map((chapter) => chapter.passed));
  const total = sum(chapterReports.map((chapter) => chapter.total));
  const report: VerifyReport = {
    schema: VERIFY_SCHEMA,
    lab,
    provider: provider.kind,
    generatedAt: new Date().toISOString(),
    versions: await versions,
    chapters: chapterReports,
    passed,
    total,
    score: {
      earned: sum(chapterReports.map((chapter) => chapter.score.earned)),
      possible: sum(chapterReports.map((chapter) => chapter.score.possible)),
    },
    ok: passed === total,
  };

  if (options.junit) await writeReportFile(options.junit, formatJunit(verifySuites(report), `overlab verify ${lab}`));
  if (options.json) output.write(`${JSON.stringify(report, null, 2)}\n`);
  else output.write(formatReport(report, options.hints === true, stylerFor(output)));
  return report.ok ? EXIT_OK : EXIT_CHECK_FAILED;
}

async function chaptersToGrade(chapterIds: string[], lab: string, labTopology: string): Promise<LoadedChapter[]> {
  if (chapterIds.length === 0) {
    // Two chapters can share a topology (chapter 2 and chapter 1's swarm
    // mode), so grade the ones started in this lab. The progress file only
    // picks which chapters to grade; the grade itself reads the kernel.
    const all = await chaptersForTopology(labTopology);
    const progress = await readProgress(lab).catch(() => undefined);
    const started = all.filter((loaded) => (progress?.chapters[loaded.chapter.id]?.done.length ?? 0) > 0);
    return started.length > 0 ? started : all;
  }
  const all = await parseAllChapters();
  return Promise.all(
    chapterIds.map(async (id) => {
      const chapter = findChapter(all, id);
      // A chapter with modes is graded in the mode whose topology the lab runs.
      const mode = chapter.modes.find((candidate) => candidate.topology === labTopology);
      if (chapter.modes.length > 0 ? !mode : chapter.topology !== labTopology) {
        throw new OverlabError('BAD_ARGUMENT', `chapter ${id} does not run on lab "${lab}" (topology ${labTopology})`, {
          hint: `start it in a lab of its own: "overlab start ${id} --lab ${id}"`,
        });
      }
      return selectMode(chapter, mode?.name);
    }),
  );
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

/** Build one JUnit test suite per chapter and one test case per check and host. */
export function verifySuites(report: VerifyReport): JunitSuite[] {
  return report.chapters.map((chapter) => ({
    name: chapter.mode ? `${chapter.id} (${chapter.mode})` : chapter.id,
    timeSeconds: chapter.durationMs / 1000,
    cases: chapter.checks.map((check) => {
      const details = [`expected: ${check.expected}`, `found: ${check.found}`, check.hint ? `hint: ${check.hint}` : ''].filter(Boolean).join('\n');
      return {
        classname: chapter.id,
        name: `${check.id} [${check.host}]: ${check.title}`,
        timeSeconds: check.durationMs / 1000,
        failure: check.status === 'fail' ? { message: check.message, details } : undefined,
        error: check.status === 'error' ? { message: check.message, details } : undefined,
      };
    }),
  }));
}

export function formatReport(report: VerifyReport, hints: boolean, style: ReturnType<typeof stylerFor>): string {
  const lines: string[] = [];
  for (const chapter of report.chapters) {
    lines.push(style('bold', `${chapter.id}: ${chapter.title}${chapter.mode ? ` (${chapter.mode} mode)` : ''}`));
    const rows = chapter.checks.map((check) => [check.id, check.host, check.status.toUpperCase(), check.message]);
    const widths = [0, 1, 2].map((column) => Math.max(...rows.map((row) => (row[column] as string).length), ['check', 'host', 'result'][column]?.length ?? 0));
    const format = (row: string[]) => row.map((cell, column) => (column < 3 ? cell.padEnd(widths[column] as number) : cell)).join('  ');
    lines.push(style('dim', format(['check', 'host', 'result', 'message'])));
    for (const [index, row] of rows.entries()) {
      const check = chapter.checks[index] as CheckResult;
      const text = format(row);
      lines.push(check.status === 'pass' ? text : style('bold', text));
      if (check.status !== 'pass') {
        lines.push(`    expected: ${check.expected}`, `    found:    ${check.found}`);
        if (hints && check.hint) lines.push(`    hint:     ${check.hint}`);
      }
    }
    const weighted = chapter.score.possible !== chapter.total ? ` (${chapter.score.earned}/${chapter.score.possible} points)` : '';
    lines.push(`score: ${chapter.passed}/${chapter.total} checks passed${weighted}`, '');
  }
  if (report.chapters.length === 0) lines.push("no chapter uses this lab's topology");
  else if (!hints && !report.ok) lines.push('run with --hints for what to try next');
  return `${lines.join('\n')}\n`;
}
