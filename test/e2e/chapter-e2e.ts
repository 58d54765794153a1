import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse as parseJunit } from 'junit2json';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { VerifyReport } from '../../src/commands/verify.js';
import { loadChapter } from '../../src/course/book.js';
import { labDir } from '../../src/paths.js';
import type { ProviderKind } from '../../src/lab/lab-state.js';
import { findLabProcesses } from '../../src/providers/netns/cleanup.js';
import { providerFor } from '../../src/providers/registry.js';
import { runChecks } from '../../src/runner/check-runner.js';
import { schemaErrors } from '../commands/verify-schema.js';
import { overlab } from './cli.js';
import { engineLeftovers } from './engine-snapshot.js';
import { libvirtLeftovers, staleBoxes } from './libvirt-snapshot.js';
import { labCgroups, labMounts, snapshotMachine } from './machine-snapshot.js';

/**
 * Register the end-to-end run of one chapter in one mode, as a learner and
 * an instructor use overlab. Every check fails on a fresh lab, except those
 * marked holds-at-start. Then `overlab start --yes` runs the chapter,
 * `overlab verify --json` passes every check, and `overlab down` leaves the
 * machine as it was.
 */
export interface ExtraTests {
  /** Tests on the fresh lab, before the chapter runs. */
  onFreshLab?: () => void;
  /** Tests on the finished lab, before it is taken down. */
  onFinishedLab?: () => void;
}

export function chapterEndToEnd(kind: ProviderKind, chapterId: string, mode: string | undefined, lab: string, extra: ExtraTests = {}): void {
  let before: Record<string, string>;
  const modeArgs = mode ? ['--mode', mode] : [];
  const provider = providerFor(kind);
  // VMs under software emulation take minutes where namespaces take seconds.
  const slow = kind === 'vagrant' ? 8 : 1;

  beforeAll(async () => {
    await provider.down(lab);
    before = await snapshotMachine(kind);
  }, 120_000 * slow);

  afterAll(async () => {
    await provider.down(lab);
  }, 120_000 * slow);

  it('fails its checks on a fresh lab', async () => {
    const { chapter, topology } = await loadChapter(chapterId, undefined, undefined, mode);
    const running = await provider.up(lab, topology);
    const results = await runChecks(running, chapter, topology);
    expect(results.length).toBe(chapter.checks.reduce((count, check) => count + check.hosts.length, 0));
    for (const result of results) {
      const holds = chapter.checks.find((check) => check.id === result.id)?.holdsAtStart === true;
      expect(`${result.id}@${result.host}: ${result.status}`).toBe(`${result.id}@${result.host}: ${holds ? 'pass' : 'fail'}`);
    }
  }, 180_000 * slow);

  extra.onFreshLab?.();

  it('runs every step with --yes', async () => {
    const result = await overlab(['start', chapterId, '--yes', '--provider', kind, '--lab', lab, ...modeArgs], 300_000 * slow);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain(`(${kind} provider`);
    expect(result.stdout).toContain('chapter done');
    expect(result.exitCode).toBe(0);
  }, 300_000 * slow);

  it('passes every check in verify --json', async () => {
    const junitFile = path.join(os.tmpdir(), `overlab-${lab}-${process.pid}.xml`);
    const result = await overlab(['verify', chapterId, '--json', '--junit', junitFile, '--lab', lab], 120_000 * slow);
    const report = JSON.parse(result.stdout) as VerifyReport;
    expect(schemaErrors(report)).toEqual([]);
    const junit = await parseJunit(await readFile(junitFile, 'utf8'));
    await rm(junitFile, { force: true });
    expect(junit?.tests).toBe(report.total);
    expect(junit?.failures).toBe(0);
    const failed = report.chapters.flatMap((chapter) => chapter.checks).filter((check) => check.status !== 'pass');
    expect(failed).toEqual([]);
    expect(report.chapters[0]?.mode).toBe(mode);
    expect(report.passed).toBe(report.total);
    expect(report.ok).toBe(true);
    expect(result.exitCode).toBe(0);
  }, 120_000 * slow);

  extra.onFinishedLab?.();

  it('leaves nothing behind after down', async () => {
    const result = await overlab(['down', '--lab', lab], 60_000 * slow);
    expect(result.exitCode).toBe(0);
    await expectNothingLeft(lab, before, kind);
  }, 60_000 * slow);
}

/**
 * `overlab down` removed every trace of the lab and left the machine (and,
 * for container labs, the Docker engine) as `before` was.
 */
export async function expectNothingLeft(lab: string, before: Record<string, string>, kind: ProviderKind = 'netns'): Promise<void> {
  expect(await findLabProcesses(lab)).toEqual([]);
  expect(await labMounts(lab)).toEqual([]);
  expect(await labCgroups(lab)).toEqual([]);
  if (kind === 'container') expect(await engineLeftovers(lab)).toEqual([]);
  if (kind === 'vagrant') {
    expect(await libvirtLeftovers(lab)).toEqual([]);
    expect(await staleBoxes()).toEqual([]);
  }
  expect(existsSync(labDir(lab))).toBe(false);
  const after = await snapshotMachine(kind);
  for (const key of Object.keys(before)) expect(after[key], key).toBe(before[key]);
}
