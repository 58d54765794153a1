import { OverlabError } from '../errors.js';
import { DEFAULT_LAB, labFlag, validateLabName } from '../lab/lab-name.js';
import { readLabState } from '../lab/lab-state.js';
import { providerFor } from '../providers/registry.js';
import type { Provider } from '../providers/provider.js';

/** Options shared by the commands that act on a lab. */
export interface LabOptions {
  lab?: string;
  provider?: string;
}

export function labName(options: LabOptions): string {
  return validateLabName(options.lab ?? process.env.OVERLAB_LAB_NAME ?? DEFAULT_LAB);
}

/** Pick the provider a lab runs on: the one recorded in its state, else --provider, else netns. */
export async function providerOf(options: LabOptions, lab: string): Promise<Provider> {
  const state = await readLabState(lab);
  if (state && options.provider && options.provider !== state.provider) {
    throw new OverlabError('BAD_ARGUMENT', `lab "${lab}" runs on the ${state.provider} provider, not --provider ${options.provider}`, {
      hint: `leave out --provider, or remove the lab with "overlab down${labFlag(lab)}", or pick another lab with --lab`,
    });
  }
  return providerFor(state?.provider ?? options.provider ?? 'netns');
}
