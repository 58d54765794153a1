import { readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse as parseJunit } from 'junit2json';
import { describe, expect, it } from 'vitest';
import { stateRoot } from '../../src/paths.js';
import { overlab } from './cli.js';
import { labProcessesWithPrefix, snapshotMachine } from './machine-snapshot.js';
import { missingPrerequisite } from './prerequisites.js';

const skipNetns = await missingPrerequisite('netns');
const skipContainer = await missingPrerequisite('container');

describe.skipIf(skipNetns !== undefined)('overlab test on the netns provider', () => {
  it('proves every chapter and leaves nothing', async () => {
    const before = await snapshotMachine();
    const labsBefore = await readdir(path.join(stateRoot(), 'labs')).catch(() => [] as string[]);
    const junitFile = path.join(os.tmpdir(), `overlab-test-${process.pid}.xml`);

    // Every chapter, in every mode the machine supports: fresh lab, reference run, one run per skipped step.
    const result = await overlab(['test', '--junit', junitFile], 1_200_000);
    const junit = await parseJunit(await readFile(junitFile, 'utf8'));
    await rm(junitFile, { force: true });

    expect(result.stdout).toMatch(/^\d+ passed, 0 failed$/m);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(junit?.failures).toBe(0);
    expect(junit?.tests).toBeGreaterThan(10);

    const labsAfter = await readdir(path.join(stateRoot(), 'labs')).catch(() => [] as string[]);
    expect(labsAfter.sort()).toEqual(labsBefore.sort());
    expect(labsAfter.filter((name) => name.startsWith('test-'))).toEqual([]);
    // Every lab overlab test makes is named test-<pid>-<run>-<phase>; none may have a process left.
    expect(await labProcessesWithPrefix('test-')).toEqual([]);
    const after = await snapshotMachine();
    for (const key of Object.keys(before)) expect(after[key], key).toBe(before[key]);
  }, 1_200_000);
});

// Container labs run one after another, because an engine has room for one
// underlay subnet. One chapter keeps CI within its budget, and chapter 1 runs
// end to end on this provider in chapters.test.ts.
describe.skipIf(skipContainer !== undefined)('overlab test on the container provider', () => {
  it('proves chapter 2 and leaves nothing in the engine', async () => {
    const before = await snapshotMachine('container');
    const result = await overlab(['test', 'chapter-2', '--provider', 'container', '--jobs', '4'], 900_000);
    expect(result.stdout).toMatch(/^chapter-2: without step entries-node2: ok/m);
    expect(result.stdout).toMatch(/^1 passed, 0 failed$/m);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    const after = await snapshotMachine('container');
    for (const key of Object.keys(before)) expect(after[key], key).toBe(before[key]);
  }, 900_000);
});
