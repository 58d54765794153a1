import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeReportFile } from '../../src/report/report-file.js';

describe('writeReportFile', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'overlab-report-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the report', async () => {
    const file = path.join(dir, 'report.xml');

    await writeReportFile(file, '<testsuites/>');

    expect(await readFile(file, 'utf8')).toBe('<testsuites/>');
  });

  it('rejects a directory', async () => {
    await expect(writeReportFile(dir, '<testsuites/>')).rejects.toThrow(`cannot write ${dir}: it is a directory`);
    expect(await readdir(path.dirname(dir))).not.toContain(`${path.basename(dir)}.${process.pid}.tmp`);
  });

  it('rejects a missing directory', async () => {
    const file = path.join(dir, 'missing', 'report.xml');

    await expect(writeReportFile(file, '<testsuites/>')).rejects.toThrow('does not exist');
  });
});
