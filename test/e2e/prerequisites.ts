import { collectPrerequisites } from '../../src/commands/prerequisites.js';

/**
 * Why the end-to-end tests cannot run here, or undefined when they can.
 * Under CI (CI=true) a missing prerequisite fails the run instead: CI is
 * the place where nothing is skipped.
 */
export async function missingPrerequisite(): Promise<string | undefined> {
  const missing = (await collectPrerequisites()).filter((item) => !item.ok);
  if (missing.length === 0) return undefined;
  const reason = missing.map((item) => `${item.name}: ${item.detail}${item.fix ? ` (${item.fix})` : ''}`).join('; ');
  if (process.env.CI) throw new Error(`end-to-end prerequisites missing under CI: ${reason}`);
  console.warn(`skipping end-to-end tests: ${reason}`);
  return reason;
}
