import type { ExecResult } from '../exec.js';
import type { HostExecOptions, RunningLab } from '../providers/provider.js';

export type CheckStatus = 'pass' | 'fail' | 'error';

export interface CheckOutcome {
  status: CheckStatus;
  /** The expected state, in iproute2 terms ("vxlan id 42 dstport 4789 proxy"). */
  expected: string;
  /** The state read from the live kernel. */
  found: string;
  /** One sentence for the learner: what is wrong, or what holds. */
  message: string;
}

/** The host of a running lab that a check runs against. */
export interface CheckContext {
  lab: RunningLab;
  host: string;
  exec(argv: readonly string[], options?: HostExecOptions): Promise<ExecResult>;
}

/**
 * A kind of check, identified in a chapter by the key naming what it
 * inspects (`link: vxlan1`, `fdb: 02:42:...`). `validate` runs when the
 * chapter is parsed, `run` against the live lab with ${...} resolved.
 */
export interface CheckKind<Spec = unknown> {
  key: string;
  /** Other keys the body may have besides hint and title. */
  keys: readonly string[];
  /** Returns a message for an invalid body, undefined when it is valid. */
  validate(body: Record<string, unknown>): string | undefined;
  parse(body: Record<string, unknown>): Spec;
  run(context: CheckContext, spec: Spec): Promise<CheckOutcome>;
}

export function pass(expected: string, found: string, message: string): CheckOutcome {
  return { status: 'pass', expected, found, message };
}

export function fail(expected: string, found: string, message: string): CheckOutcome {
  return { status: 'fail', expected, found, message };
}
