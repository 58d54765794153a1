import type { Writable } from 'node:stream';
import { EXIT_OK, OverlabError } from '../errors.js';
import { withLabLock } from '../lab/lab-lock.js';
import { providerFor } from '../providers/registry.js';
import { labName, providerOf, type LabOptions } from './options.js';

/** Remove a lab and everything it created; safe to run twice and after a crash. */
export async function downCommand(options: LabOptions, output: Writable): Promise<number> {
  const lab = labName(options);
  // providerOf moves a corrupt state file aside, and cleanup then goes by the
  // lab's name alone. A --provider that contradicts the state is an error.
  const provider = await providerOf(options, lab).catch((error: unknown) => {
    if (error instanceof OverlabError && error.code === 'LAB_BROKEN') return providerFor(options.provider ?? 'netns');
    throw error;
  });
  const report = await withLabLock(lab, 'down', () => provider.down(lab));
  if (report.stopped === 0 && !report.removedStateDir) {
    output.write(`lab "${lab}" was not running; nothing to remove\n`);
  } else {
    output.write(`lab "${lab}" removed: ${report.summary}\n`);
  }
  return EXIT_OK;
}
