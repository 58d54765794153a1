import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VerifyReport } from '../../src/commands/verify.js';
import { loadChapter } from '../../src/course/book.js';
import { labDir } from '../../src/paths.js';
import { findLabProcesses } from '../../src/providers/netns/cleanup.js';
import { NetnsProvider } from '../../src/providers/netns/netns-provider.js';
import { runChecks } from '../../src/runner/check-runner.js';
import { overlab } from './cli.js';
import { labCgroups, labMounts, snapshotRootNamespace } from './machine-snapshot.js';
import { missingPrerequisite } from './prerequisites.js';

const LAB = 'e2e-chapter2';
const skipReason = await missingPrerequisite();

describe.skipIf(skipReason !== undefined)('chapter 2 on the netns provider', () => {
  let before: Record<string, string>;

  beforeAll(async () => {
    await new NetnsProvider().down(LAB);
    before = await snapshotRootNamespace();
  });

  afterAll(async () => {
    await new NetnsProvider().down(LAB);
  });

  it('fails every check on a fresh lab', async () => {
    const { chapter, topology } = await loadChapter('chapter-2');
    const lab = await new NetnsProvider().up(LAB, topology);
    const results = await runChecks(lab, chapter, topology);
    expect(results.length).toBe(18);
    for (const result of results) {
      expect(`${result.id}@${result.host}: ${result.status}`).toBe(`${result.id}@${result.host}: fail`);
    }
  }, 120_000);

  it('runs every step with --yes', async () => {
    const result = await overlab(['start', 'chapter-2', '--yes', '--lab', LAB]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('chapter done');
    expect(result.exitCode).toBe(0);
  }, 300_000);

  it('passes every check in verify --json', async () => {
    const result = await overlab(['verify', 'chapter-2', '--json', '--lab', LAB]);
    const report = JSON.parse(result.stdout) as VerifyReport;
    const failed = report.chapters.flatMap((chapter) => chapter.checks).filter((check) => check.status !== 'pass');
    expect(failed).toEqual([]);
    expect(report.passed).toBe(18);
    expect(report.ok).toBe(true);
    expect(result.exitCode).toBe(0);
  }, 120_000);

  it('fails verify after a learner mistake', async () => {
    const lab = await new NetnsProvider().attach(LAB);
    const broken = await lab.script('node2', 'ip netns exec overns ip neighbor del 192.168.0.2 dev vxlan1');
    expect(broken.exitCode).toBe(0);
    const result = await overlab(['verify', 'chapter-2', '--json', '--lab', LAB]);
    const report = JSON.parse(result.stdout) as VerifyReport;
    const failed = report.chapters.flatMap((chapter) => chapter.checks).filter((check) => check.status !== 'pass');
    expect(failed.map((check) => `${check.id}@${check.host}`)).toContain('peer-neighbour@node2');
    expect(result.exitCode).toBe(1);
  }, 120_000);

  it('leaves nothing behind after down', async () => {
    const result = await overlab(['down', '--lab', LAB]);
    expect(result.exitCode).toBe(0);
    expect(await findLabProcesses(LAB)).toEqual([]);
    expect(await labMounts(LAB)).toEqual([]);
    expect(await labCgroups(LAB)).toEqual([]);
    expect(existsSync(labDir(LAB))).toBe(false);
    const after = await snapshotRootNamespace();
    for (const key of Object.keys(before)) expect(after[key], key).toBe(before[key]);
  }, 60_000);

  it('reports a missing lab with exit code 2', async () => {
    const result = await overlab(['verify', 'chapter-2', '--lab', LAB]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^overlab: no lab "e2e-chapter2" is running; /);
  }, 60_000);
});
