/** Helpers shared by check kinds that compare an `expect:` mapping with what was found. */

export function validateExpect(body: Record<string, unknown>, allowed: readonly string[], required = true): string | undefined {
  const expect = body.expect;
  if (expect === undefined) return required ? 'missing "expect:"' : undefined;
  if (typeof expect !== 'object' || expect === null || Array.isArray(expect)) return '"expect:" must be a mapping';
  for (const key of Object.keys(expect)) {
    if (!allowed.includes(key)) return `unknown expectation "${key}" (known: ${allowed.join(', ')})`;
  }
  return undefined;
}

/**
 * Keys every check may have. `within` is how long to retry a check that
 * waits for convergence, in seconds, and `weight` is its points in the score.
 */
export const COMMON_KEYS = ['hint', 'title', 'within', 'weight'];

export function validateKeys(body: Record<string, unknown>, key: string, allowed: readonly string[]): string | undefined {
  for (const name of Object.keys(body)) {
    if (name !== key && !COMMON_KEYS.includes(name) && !allowed.includes(name)) {
      return `unknown key "${name}" in the ${key} check (known: ${[key, ...allowed, ...COMMON_KEYS].join(', ')})`;
    }
  }
  return undefined;
}

/** One compared property: printed as `name=value` in expected/found and as a sentence when it differs. */
export interface Comparison {
  name: string;
  expected: unknown;
  found: unknown;
}

export function formatValue(value: unknown): string {
  if (value === true) return 'on';
  if (value === false) return 'off';
  if (value === undefined) return 'none';
  if (Array.isArray(value)) return value.length ? value.join(',') : 'none';
  return String(value);
}

export function sameValue(expected: unknown, found: unknown): boolean {
  if (Array.isArray(expected)) {
    const foundList = Array.isArray(found) ? found.map(String) : [];
    return expected.every((item) => foundList.includes(String(item)));
  }
  if (Array.isArray(found)) return found.map(String).includes(String(expected));
  if (typeof expected === 'string' && typeof found === 'string') return expected.toLowerCase() === found.toLowerCase();
  return String(expected) === String(found);
}

export function summarize(comparisons: readonly Comparison[], side: 'expected' | 'found'): string {
  return comparisons.map((comparison) => `${comparison.name}=${formatValue(comparison[side])}`).join(' ');
}

export function mismatches(comparisons: readonly Comparison[]): Comparison[] {
  return comparisons.filter((comparison) => !sameValue(comparison.expected, comparison.found));
}

export function describeMismatch(comparison: Comparison): string {
  return `${comparison.name} is ${formatValue(comparison.found)} (expected ${formatValue(comparison.expected)})`;
}
