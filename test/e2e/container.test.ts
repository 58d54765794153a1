import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTopology } from '../../src/lab/topology.js';
import { ContainerProvider } from '../../src/providers/container/container-provider.js';
import { expectNothingLeft } from './chapter-e2e.js';
import { killStartAfter, overlab } from './cli.js';
import { snapshotMachine } from './machine-snapshot.js';
import { missingPrerequisite } from './prerequisites.js';

const skipReason = await missingPrerequisite('container');
const LABS = ['ct-kill-9', 'ct-first', 'ct-second'];

describe.skipIf(skipReason !== undefined)('container provider', () => {
  let before: Record<string, string>;
  const provider = new ContainerProvider();

  beforeAll(async () => {
    for (const lab of LABS) await provider.down(lab);
    before = await snapshotMachine('container');
  });

  afterAll(async () => {
    for (const lab of LABS) await provider.down(lab);
  });

  it('removes a lab killed mid-way by label', async () => {
    // While the containers are created, while dockerd starts in them, and during the steps.
    for (const delay of [700, 2500, 6000]) {
      await killStartAfter('ct-kill-9', delay, ['--provider', 'container']);
      const down = await overlab(['down', '--lab', 'ct-kill-9']);
      expect(`${delay} ms: exit ${down.exitCode} ${down.stderr}`).toBe(`${delay} ms: exit 0 `);
      await expectNothingLeft('ct-kill-9', before, 'container');
    }
  }, 300_000);

  it('rejects a second lab on one engine', async () => {
    await provider.up('ct-first', await loadTopology('overlay'));
    const second = await overlab(['start', 'chapter-2', '--yes', '--provider', 'container', '--lab', 'ct-second']);
    expect(second.exitCode).toBe(2);
    expect(second.stderr.trim().split('\n')).toHaveLength(1);
    expect(second.stderr).toMatch(/^overlab: the Docker engine already has network overlab-ct-first-underlay on 10\.0\.10\.0\/24, the lab's underlay, for lab "ct-first"; .*"overlab down --lab ct-first"/);
    // Rejected before anything was made: there is nothing to remove.
    expect((await overlab(['down', '--lab', 'ct-second'])).stdout).toMatch(/was not running/);
    expect((await overlab(['down', '--lab', 'ct-first'])).exitCode).toBe(0);
    await expectNothingLeft('ct-second', before, 'container');
    await expectNothingLeft('ct-first', before, 'container');
  }, 180_000);

  it('reports how the hosts got their privileges', async () => {
    const result = await overlab(['start', 'chapter-2', '--yes', '--provider', 'container', '--lab', 'ct-first']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/host containers run privileged|the engine refused --privileged .* so the hosts run with \d+ capabilities/);
    const status = await overlab(['status', '--lab', 'ct-first']);
    expect(status.stdout).toMatch(/provider container/);
    expect(status.stdout).toMatch(/node1 +10\.0\.10\.30 +up +docker running +\(container overlab-ct-first-node1, (privileged|all capabilities the engine grants)\)/);
    // Another engine must not forget the lab, nor call it broken.
    const elsewhere = { DOCKER_HOST: 'unix:///nonexistent/docker.sock' };
    const wrongDown = await overlab(['down', '--lab', 'ct-first'], 60_000, elsewhere);
    expect(wrongDown.exitCode).toBe(2);
    expect(wrongDown.stderr).toMatch(/^overlab: lab "ct-first" was created on DOCKER_HOST=unix:\/\/\/\S+, not on DOCKER_HOST=unix:\/\/\/nonexistent\/docker\.sock; run overlab with DOCKER_HOST=/);
    expect((await overlab(['status', '--lab', 'ct-first'], 60_000, elsewhere)).stdout).toMatch(/was created on DOCKER_HOST=/);
    expect((await overlab(['down', '--lab', 'ct-first'])).exitCode).toBe(0);
    await expectNothingLeft('ct-first', before, 'container');
  }, 180_000);

  it('names the engine when none is found', async () => {
    const result = await overlab(['start', 'chapter-2', '--yes', '--provider', 'container', '--lab', 'ct-second'], 60_000, { DOCKER_HOST: 'unix:///nonexistent/docker.sock' });
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^overlab: no Docker engine found at DOCKER_HOST=unix:\/\/\/nonexistent\/docker\.sock .*; start Docker/);
  }, 60_000);
});
