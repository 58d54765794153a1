import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
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

/** Start `overlab start chapter-2 --yes` (with `extraArgs`) and SIGKILL it after `delayMs`. */
export async function killStartAfter(lab: string, delayMs: number, extraArgs: string[] = []): Promise<void> {
  const child = spawn(process.execPath, [BIN, 'start', 'chapter-2', '--yes', '--lab', lab, ...extraArgs], { stdio: 'ignore', env: { ...process.env, NO_COLOR: '1' } });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  await new Promise((resolve) => setTimeout(resolve, delayMs));
  child.kill('SIGKILL');
  await exited;
}

/** An overlab process started by startUntil, with what it has printed so far. */
export interface SpawnedOverlab {
  child: ChildProcessWithoutNullStreams;
  stdout: string;
  stderr: string;
  /** The exit code, or -1 for a process ended by a signal. */
  exited: Promise<number>;
}

/** Start overlab with `args` and return once its standard output contains `text`. */
export async function startUntil(args: string[], text: string): Promise<SpawnedOverlab> {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1' } });
  const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
  const spawned: SpawnedOverlab = { child, stdout: '', stderr: '', exited };
  child.stderr.on('data', (chunk: Buffer) => (spawned.stderr += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      spawned.stdout += chunk.toString();
      if (spawned.stdout.includes(text)) resolve();
    });
    child.on('exit', () => reject(new Error(`overlab ${args.join(' ')} ended before printing "${text}": ${spawned.stderr.trim()}`)));
  });
  return spawned;
}
