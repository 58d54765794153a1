import path from 'node:path';
import { run, type ExecResult } from '../../src/exec.js';

export const BIN = path.resolve(import.meta.dirname, '../../bin/overlab.js');

/**
 * Run the built overlab command line as a user would, optionally with extra
 * environment variables and behind a wrapper command (setpriv, say).
 */
export function overlab(args: string[], timeoutMs = 300_000, env: Record<string, string> = {}, wrapper: string[] = []): Promise<ExecResult> {
  return run([...wrapper, process.execPath, BIN, ...args], { timeoutMs, env: { NO_COLOR: '1', ...env } });
}
