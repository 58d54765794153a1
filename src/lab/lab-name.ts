import { OverlabError } from '../errors.js';

/** Lab names end up in process environments, cgroup paths and file names. */
const LAB_NAME = /^[a-z][a-z0-9-]{0,23}$/;

export const DEFAULT_LAB = 'default';

/** Return the --lab option to repeat in a suggested command, or nothing for the default lab. */
export function labFlag(lab: string): string {
  return lab === DEFAULT_LAB ? '' : ` --lab ${lab}`;
}

export function validateLabName(name: string): string {
  if (!LAB_NAME.test(name)) {
    throw new OverlabError('BAD_ARGUMENT', `invalid lab name "${name}"`, {
      hint: 'use 1 to 24 lowercase letters, digits or dashes, starting with a letter (e.g. --lab class-a)',
    });
  }
  return name;
}
