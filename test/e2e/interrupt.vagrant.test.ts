import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findLabProcesses } from '../../src/providers/netns/cleanup.js';
import { VagrantProvider } from '../../src/providers/vagrant/vagrant-provider.js';
import { expectNothingLeft } from './chapter-e2e.js';
import { overlab, startUntil } from './cli.js';
import { snapshotMachine } from './machine-snapshot.js';
import { missingPrerequisite } from './prerequisites.js';

const LAB = 'e2e-vm-interrupt';
const skipReason = await missingPrerequisite('vagrant');

// vagrant runs in a process group of its own, which the terminal's Ctrl-C
// does not reach: overlab must end it, and down must remove what it made.
describe.skipIf(skipReason !== undefined)('Ctrl-C while VMs start', () => {
  let before: Record<string, string>;

  beforeAll(async () => {
    await new VagrantProvider().down(LAB);
    before = await snapshotMachine('vagrant');
  }, 600_000);

  afterAll(async () => {
    await new VagrantProvider().down(LAB);
  }, 600_000);

  it('stops vagrant and can be removed', async () => {
    // Building a missing box comes first and takes minutes.
    const started = await startUntil(['start', 'chapter-2', '--yes', '--provider', 'vagrant', '--lab', LAB], 'starting 3 VMs with vagrant');
    // Wait until vagrant up is creating and booting the domains.
    await new Promise((resolve) => setTimeout(resolve, 20_000));
    expect((await findLabProcesses(LAB)).length).toBeGreaterThan(0);

    started.child.kill('SIGINT');
    expect(await started.exited).toBe(2);
    expect(started.stdout).toContain(`interrupted by SIGINT: stopping the start of lab "${LAB}"`);
    expect(started.stderr).toBe(`overlab: the start of lab "${LAB}" was interrupted; remove the half-built lab with "overlab down --lab ${LAB}"\n`);
    expect(await findLabProcesses(LAB)).toEqual([]);

    const down = await overlab(['down', '--lab', LAB], 600_000);
    expect(down.exitCode).toBe(0);
    await expectNothingLeft(LAB, before, 'vagrant');
  }, 900_000);
});
