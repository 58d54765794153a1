import { describe, expect, it } from 'vitest';
import type { VerifyReport } from '../../src/commands/verify.js';
import { NetnsProvider } from '../../src/providers/netns/netns-provider.js';
import { chapterEndToEnd } from './chapter-e2e.js';
import { overlab } from './cli.js';
import { missingPrerequisite } from './prerequisites.js';

const LAB = 'e2e-chapter2';
const skipReason = await missingPrerequisite();

describe.skipIf(skipReason !== undefined)('chapter 2 on the netns provider', () => {
  chapterEndToEnd('chapter-2', undefined, LAB, () => {
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
  });

  it('reports a missing lab with exit code 2', async () => {
    const result = await overlab(['verify', 'chapter-2', '--lab', LAB]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^overlab: no lab "e2e-chapter2" is running; /);
  }, 60_000);
});
