import path from 'node:path';
import { run, type ExecResult } from '../../src/exec.js';

const BIN = path.resolve(import.meta.dirname, '../../bin/overlab.js');

/** Run the built overlab command line as a user would. */
export function overlab(args: string[], timeoutMs = 300_000): Promise<ExecResult> {
  return run([process.execPath, BIN, ...args], { timeoutMs, env: { NO_COLOR: '1' } });
}
