import type { Writable } from 'node:stream';
import { EXIT_CANNOT_RUN, EXIT_OK } from '../errors.js';
import { collectPrerequisites } from './prerequisites.js';

/** List every prerequisite with its status, version and the command that fixes it. */
export async function doctorCommand(output: Writable): Promise<number> {
  const prerequisites = await collectPrerequisites();
  for (const item of prerequisites) {
    output.write(`${item.ok ? 'ok     ' : 'MISSING'} ${item.name.padEnd(9)} ${item.detail}${item.fix ? `  -> ${item.fix}` : ''}\n`);
  }
  return prerequisites.every((item) => item.ok) ? EXIT_OK : EXIT_CANNOT_RUN;
}
