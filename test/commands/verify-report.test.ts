import { describe, expect, it } from 'vitest';
import { VERIFY_SCHEMA, verifySuites, type VerifyReport } from '../../src/commands/verify.js';
import { schemaErrors } from './verify-schema.js';

const REPORT: VerifyReport = {
  schema: VERIFY_SCHEMA,
  lab: 'default',
  provider: 'netns',
  generatedAt: '2026-12-04T20:00:00.000Z',
  versions: { overlab: '0.1.0', kernel: '6.1.0-28-amd64', iproute2: '6.1.0', docker: '20.10.24+dfsg1' },
  chapters: [
    {
      id: 'chapter-2',
      title: 'The overlay by hand',
      topology: 'overlay',
      passed: 1,
      total: 2,
      score: { earned: 1, possible: 3 },
      durationMs: 12.5,
      checks: [
        { id: 'overns-exists', title: 'overns exists', kind: 'netns', host: 'node1', status: 'pass', expected: 'netns overns exists', found: 'ip netns list: overns', message: 'ok', weight: 1, durationMs: 5 },
        { id: 'vxlan1', title: 'vxlan1', kind: 'link', host: 'node1', status: 'fail', expected: 'proxy=on', found: 'proxy=off', message: 'proxy is off', hint: 'recreate it', weight: 2, durationMs: 7.5 },
      ],
    },
  ],
  passed: 1,
  total: 2,
  score: { earned: 1, possible: 3 },
  ok: false,
};

describe('verify report schema', () => {
  it('accepts a report', () => {
    expect(schemaErrors(REPORT)).toEqual([]);
  });

  it('rejects a missing field', () => {
    const { versions: _versions, ...rest } = REPORT;
    expect(schemaErrors(rest)).toContain(" must have required property 'versions'");
  });

  it('rejects an unknown status', () => {
    const broken = structuredClone(REPORT);
    (broken.chapters[0]?.checks[0] as { status: string }).status = 'maybe';
    expect(schemaErrors(broken).length).toBeGreaterThan(0);
  });

  it('rejects another schema version', () => {
    expect(schemaErrors({ ...REPORT, schema: 'overlab.verify/v2' })).toContain('/schema must be equal to constant');
  });
});

describe('verifySuites', () => {
  it('makes one case per check', () => {
    const [suite] = verifySuites(REPORT);
    expect(suite?.cases.map((testCase) => testCase.name)).toEqual(['overns-exists [node1]: overns exists', 'vxlan1 [node1]: vxlan1']);
  });

  it('turns a failed check into a failure', () => {
    const [suite] = verifySuites(REPORT);
    expect(suite?.cases[1]?.failure?.message).toBe('proxy is off');
    expect(suite?.cases[1]?.failure?.details).toContain('hint: recreate it');
  });
});
