/** Exit codes shared by every command. */
export const EXIT_OK = 0;
export const EXIT_CHECK_FAILED = 1;
export const EXIT_CANNOT_RUN = 2;

export type ErrorCode =
  | 'BAD_ARGUMENT'
  | 'UNKNOWN_CHAPTER'
  | 'UNKNOWN_HOST'
  | 'UNKNOWN_LAB'
  | 'UNKNOWN_PROVIDER'
  | 'COURSE_SYNTAX'
  | 'NOT_ROOT'
  | 'MISSING_TOOL'
  | 'NO_LAB'
  | 'NO_ENGINE'
  | 'LAB_BROKEN'
  | 'PROVISION_FAILED'
  | 'NO_TTY'
  | 'STEP_FAILED'
  | 'LAB_BUSY'
  | 'INTERRUPTED';

/**
 * A known failure: printed as one line with the value at fault and a hint,
 * without a stack trace. Anything else that reaches the entry point is a bug
 * and is printed with its stack.
 */
export class OverlabError extends Error {
  readonly code: ErrorCode;
  readonly hint?: string;
  readonly exitCode: number;

  constructor(code: ErrorCode, message: string, options: { hint?: string; exitCode?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OverlabError';
    this.code = code;
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? EXIT_CANNOT_RUN;
  }

  /** Format the single line printed on stderr. */
  toLine(): string {
    return this.hint ? `overlab: ${this.message}; ${this.hint}` : `overlab: ${this.message}`;
  }
}
