import { parse } from 'junit2json';
import { describe, expect, it } from 'vitest';
import { formatJunit } from '../../src/report/junit.js';

const SUITES = [
  {
    name: 'chapter-2',
    timeSeconds: 1.5,
    cases: [
      { classname: 'chapter-2', name: 'vxlan1 [node1]: vxlan1 is VNI 42', timeSeconds: 0.031 },
      {
        classname: 'chapter-2',
        name: 'peer-fdb [node2]',
        timeSeconds: 0.04,
        failure: { message: 'FDB entry for 02:42:c0:a8:00:02: state is learned (expected permanent)', details: 'expected: permanent\nfound: <learned> & "quoted"' },
      },
      { classname: 'chapter-2', name: 'overlay-ping [node1]', timeSeconds: 0.4, error: { message: 'the check could not run: boom', details: '' } },
      { classname: 'chapter-2', name: 'skipped one', timeSeconds: 0, skipped: 'explanatory step' },
    ],
  },
];

describe('formatJunit', () => {
  it('parses with a JUnit reader', async () => {
    const parsed = await parse(formatJunit(SUITES));
    expect(parsed?.tests).toBe(4);
    expect(parsed?.failures).toBe(1);
    expect(parsed?.errors).toBe(1);
  });

  it('keeps one case per check', async () => {
    const parsed = await parse(formatJunit(SUITES));
    const suite = (parsed as { testsuite?: { testcase?: { name?: string }[] }[] }).testsuite?.[0];
    expect(suite?.testcase?.map((testCase) => testCase.name)).toEqual(['vxlan1 [node1]: vxlan1 is VNI 42', 'peer-fdb [node2]', 'overlay-ping [node1]', 'skipped one']);
  });

  it('escapes markup in messages', async () => {
    const xml = formatJunit(SUITES);
    expect(xml).toContain('found: &lt;learned&gt; &amp; &quot;quoted&quot;');
    const parsed = await parse(xml);
    const failure = (parsed as { testsuite?: { testcase?: { failure?: { inner?: string }[] }[] }[] }).testsuite?.[0]?.testcase?.[1]?.failure?.[0];
    expect(failure?.inner).toBe('expected: permanent\nfound: <learned> & "quoted"');
  });

  it('drops control characters', () => {
    const xml = formatJunit([{ name: 's', timeSeconds: 0, cases: [{ classname: 'c', name: 'bell\u0007', timeSeconds: 0 }] }]);
    expect(xml).toContain('name="bell"');
  });
});
