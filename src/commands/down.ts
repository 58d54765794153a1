import type { Writable } from 'node:stream';
import { EXIT_OK } from '../errors.js';
import { withLabLock } from '../lab/lab-lock.js';
import { providerFor } from '../providers/registry.js';
import { labName, providerOf, type LabOptions } from './options.js';

/** Remove a lab and everything it created; safe to run twice and after a crash. */
export async function downCommand(options: LabOptions, output: Writable): Promise<number> {
  const lab = labName(options);
  // A corrupt state file is moved aside by providerOf; cleanup then goes by the lab's name alone.
  const provider = await providerOf(options, lab).catch(() => providerFor(options.provider ?? 'netns'));
  const report = await withLabLock(lab, 'down', () => provider.down(lab));
  if (report.stopped === 0 && !report.removedStateDir) {
    output.write(`lab "${lab}" was not running; nothing to remove\n`);
  } else {
    output.write(`lab "${lab}" removed: ${report.summary}\n`);
  }
  return EXIT_OK;
}
