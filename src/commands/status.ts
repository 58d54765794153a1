import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { EXIT_OK, OverlabError } from '../errors.js';
import { labFlag } from '../lab/lab-name.js';
import { readLabState } from '../lab/lab-state.js';
import { stateRoot } from '../paths.js';
import { providerFor } from '../providers/registry.js';
import { labName, type LabOptions } from './options.js';

/** Print every lab with a state file (or only --lab) with its hosts and services. */
export async function statusCommand(options: LabOptions, output: Writable): Promise<number> {
  const labs = options.lab ? [labName(options)] : await readdir(path.join(stateRoot(), 'labs')).catch(() => [] as string[]);
  if (labs.length === 0) {
    output.write('no lab is running; start one with "overlab start chapter-2"\n');
    return EXIT_OK;
  }
  for (const lab of labs.sort()) {
    const state = await readLabState(lab);
    if (!state) {
      output.write(`lab ${lab}: not running\n`);
      continue;
    }
    output.write(`lab ${lab}: ${state.status}, provider ${state.provider}, topology ${state.topology.name}, created ${state.createdAt}\n`);
    let running;
    try {
      running = await providerFor(state.provider).attach(lab);
    } catch (error) {
      // The reason matters: an unreachable Docker engine is not a broken lab.
      output.write(`  ${error instanceof OverlabError ? error.toLine().replace(/^overlab: /, '') : String(error)}\n`);
      continue;
    }
    for (const host of await running.describe()) {
      const services = host.services.map((service) => `${service.name} ${service.running ? 'running' : 'stopped'}`).join(', ');
      output.write(`  ${host.name.padEnd(6)} ${host.address.padEnd(12)} ${host.running ? 'up' : 'down'}  ${services || 'no services'}  (${host.detail})\n`);
    }
  }
  return EXIT_OK;
}
