import { collectPrerequisites, requiredByProvider } from '../../src/commands/prerequisites.js';
import type { ProviderKind } from '../../src/lab/lab-state.js';

/**
 * Why the end-to-end tests of a provider cannot run here, or undefined when
 * they can. Under CI (CI=true) a missing prerequisite fails the run instead:
 * CI is the place where nothing is skipped.
 */
export async function missingPrerequisite(kind: ProviderKind = 'netns'): Promise<string | undefined> {
  const missing = (await collectPrerequisites(requiredByProvider(kind))).filter((item) => !item.ok && !item.advisory);
  if (missing.length === 0) return undefined;
  const reason = missing.map((item) => `${item.name}: ${item.detail}${item.fix ? ` (${item.fix})` : ''}`).join('; ');
  if (process.env.CI) throw new Error(`${kind} end-to-end prerequisites missing under CI: ${reason}`);
  console.warn(`skipping ${kind} end-to-end tests: ${reason}`);
  return reason;
}
