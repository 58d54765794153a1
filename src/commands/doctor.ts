import type { Writable } from 'node:stream';
import { EXIT_CANNOT_RUN, EXIT_OK } from '../errors.js';
import { PROVIDER_KINDS, type ProviderKind } from '../lab/lab-state.js';
import { collectPrerequisites, requiredByProvider } from './prerequisites.js';

/**
 * List every prerequisite of each provider with its status, version and the
 * command that fixes it. The exit code is about one provider: --provider,
 * or netns.
 */
export async function doctorCommand(options: { provider?: string }, output: Writable): Promise<number> {
  const chosen = (options.provider ?? 'netns') as ProviderKind;
  let ready = true;
  for (const kind of PROVIDER_KINDS) {
    output.write(`${kind} provider${kind === chosen ? ' (checked)' : ''}\n`);
    for (const item of await collectPrerequisites(requiredByProvider(kind))) {
      let status = 'MISSING';
      if (item.ok) status = 'ok     ';
      else if (item.advisory) status = 'note   ';
      output.write(`  ${status} ${item.name.padEnd(15)} ${item.detail}${item.fix ? `  -> ${item.fix}` : ''}\n`);
      if (kind === chosen && !item.ok && !item.advisory) ready = false;
    }
  }
  return ready ? EXIT_OK : EXIT_CANNOT_RUN;
}
